"""The values the store hands out: what a card's progress is, what a grade or an undo did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from studytool.store.scheduler import CardState, Rating, to_ms


class Mode(StrEnum):
    """How a review was made. Only REVIEW changes FSRS state; CRAM and QUIZ are only logged."""

    REVIEW = "review"
    CRAM = "cram"
    QUIZ = "quiz"


@dataclass(frozen=True, slots=True)
class CardRecord:
    id: int
    key: str
    deck: str
    state: CardState
    buried_until_ms: int | None
    suspended: bool
    orphaned: bool
    added_ms: int

    def is_buried(self, now: datetime) -> bool:
        return self.buried_until_ms is not None and self.buried_until_ms > to_ms(now)


@dataclass(frozen=True, slots=True)
class GradeResult:
    key: str
    rating: Rating
    mode: Mode
    revlog_id: int
    time: datetime
    before: CardState
    after: CardState  # equal to `before` for cram and quiz

    @property
    def interval(self) -> timedelta | None:
        """Time until the card is due again; None when FSRS state was not touched."""
        if self.mode is not Mode.REVIEW or self.after.due is None:
            return None
        return self.after.due - self.time


@dataclass(frozen=True, slots=True)
class UndoResult:
    key: str
    revlog_id: int
    rating: Rating
    mode: Mode
    restored: CardState


@dataclass(frozen=True, slots=True)
class SyncResult:
    added: tuple[str, ...]
    orphaned: tuple[str, ...]
    restored: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """What the queue builder needs, read in one consistent snapshot."""

    now_ms: int
    day_start_ms: int
    day_end_ms: int
    learning: list[tuple[str, int]]  # (key, due_ms): learning/relearning due by now+ahead
    review: list[tuple[str, int]]  # (key, due_ms): review cards due before the day ends
    new: set[str]  # never-reviewed keys, not suspended, buried or orphaned
    new_today: dict[str, int]  # deck -> cards first reviewed today

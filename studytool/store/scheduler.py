"""FSRS scheduling through the `fsrs` package, and the time helpers (UTC ms, the study day).

Every datetime given to fsrs is timezone-aware UTC and truncated to whole milliseconds, so the
integers stored in SQLite describe a card exactly and an undo restores it bit for bit.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from typing import Any

from fsrs import Card as FsrsCard
from fsrs import Rating, ReviewLog, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS, FUZZ_RANGES

from studytool.config import SchedulerSettings
from studytool.store.state import FsrsState

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
DAY_MS = 86_400_000
# the desired retention a log replays with until its first `retention` event: a constant, so
# machines with different config files still fold the same log to the same state
BASE_RETENTION = SchedulerSettings().desired_retention
_BY_CODE = tuple(FsrsState)  # FsrsState(code), but a tuple index is cheaper per row

__all__ = [
    "UTC",
    "CardState",
    "Rating",
    "StudyScheduler",
    "as_utc",
    "day_window",
    "from_ms",
    "study_date",
    "to_ms",
    "utc_now",
]


def to_ms(dt: datetime) -> int:
    """UTC epoch milliseconds of an aware datetime (floored, exact integer arithmetic)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware one")
    return (dt - EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def as_utc(dt: datetime) -> datetime:
    """The same instant in UTC, truncated to the millisecond (what the database can hold)."""
    return from_ms(to_ms(dt))


def utc_now() -> datetime:
    return as_utc(datetime.now(UTC))


def local_instant(d: date, hour: int, tz: tzinfo | None) -> datetime:
    naive = datetime(d.year, d.month, d.day, hour)
    # a naive datetime's astimezone() reads it as system local time, DST included
    local = naive.astimezone() if tz is None else naive.replace(tzinfo=tz)
    return local.astimezone(UTC)


def study_date(now: datetime, day_start_hour: int, tz: tzinfo | None = None) -> date:
    """The study day `now` belongs to: before the day-start hour it is still yesterday."""
    local = now.astimezone(tz)
    d = local.date()
    return d - timedelta(days=1) if local.hour < day_start_hour else d


def day_window(
    now: datetime, day_start_hour: int, tz: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """[start, end) of the study day containing `now`, in UTC. `tz` None = system local time."""
    d = study_date(now, day_start_hour, tz)
    return (
        local_instant(d, day_start_hour, tz),
        local_instant(d + timedelta(days=1), day_start_hour, tz),
    )


@cache
def fsrs_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fsrs")
    except PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True, slots=True)
class CardState:
    """The FSRS fields of one card as stored; FsrsState.NEW: never reviewed."""

    state: FsrsState = FsrsState.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due_ms: int | None = None
    last_review_ms: int | None = None

    @classmethod
    def new(cls) -> CardState:
        return cls()

    @classmethod
    def from_columns(cls, row: Sequence[Any]) -> CardState:
        """From database values in the order of `columns()`."""
        return cls(_BY_CODE[row[0]], *row[1:6])

    @property
    def is_new(self) -> bool:
        return self.state == FsrsState.NEW

    @property
    def due(self) -> datetime | None:
        return None if self.due_ms is None else from_ms(self.due_ms)

    @property
    def last_review(self) -> datetime | None:
        return None if self.last_review_ms is None else from_ms(self.last_review_ms)

    def columns(self) -> tuple[int, int | None, float | None, float | None, int | None, int | None]:
        """In the order of the cards table (state, step, ..., last_review_ms)."""
        return (
            self.state,
            self.step,
            self.stability,
            self.difficulty,
            self.due_ms,
            self.last_review_ms,
        )

    def to_fsrs(self, card_id: int, now: datetime) -> FsrsCard:
        if self.is_new:
            return FsrsCard(card_id=card_id, state=State.Learning, step=0, due=now)
        assert self.due_ms is not None
        return FsrsCard(
            card_id=card_id,
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=from_ms(self.due_ms),
            last_review=self.last_review,
        )

    @classmethod
    def from_fsrs(cls, card: FsrsCard) -> CardState:
        return cls(
            state=_BY_CODE[card.state],
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due_ms=to_ms(card.due),
            last_review_ms=None if card.last_review is None else to_ms(card.last_review),
        )


# fsrs fuzzes intervals with the global `random`; seeding it per card and rating makes the
# preview shown before grading the interval actually given. The global state is restored.
_rng_lock = threading.RLock()


@contextmanager
def fuzz_session() -> Iterator[None]:
    """Hold the fuzz lock and restore the global random state once, around many
    `review_seeded` calls."""
    with _rng_lock:
        saved = random.getstate()
        try:
            yield
        finally:
            random.setstate(saved)


def fuzz_range(interval_days: int, maximum_interval: int) -> tuple[int, int]:
    """The days fsrs may fuzz an interval of `interval_days` to (its `_get_fuzz_range`, which
    is local to the fsrs method): (n, n) below 2.5 days, where fsrs adds no fuzz."""
    if interval_days < 2.5:
        return interval_days, interval_days
    delta = 1.0
    for r in FUZZ_RANGES:
        delta += r["factor"] * max(min(float(interval_days), r["end"]) - r["start"], 0.0)
    high = min(round(interval_days + delta), maximum_interval)
    low = min(max(2, round(interval_days - delta)), high)
    return low, high


def fuzz_id(key: str) -> int:
    """The fuzz seed of a review key: fixed by the key alone, so every machine that replays a
    card's reviews gets the same intervals (database row ids differ between machines)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=6).digest(), "big")


class StudyScheduler:
    """An `fsrs.Scheduler` built from the user's settings and (optionally) personal weights."""

    def __init__(
        self,
        settings: SchedulerSettings | None = None,
        parameters: Sequence[float] | None = None,
        tag: str | None = None,
    ) -> None:
        s = settings or SchedulerSettings()
        self.settings = s
        self.fsrs = Scheduler(
            parameters=tuple(parameters) if parameters is not None else DEFAULT_PARAMETERS,
            desired_retention=s.desired_retention,
            learning_steps=tuple(timedelta(minutes=m) for m in s.learning_steps_min),
            relearning_steps=tuple(timedelta(minutes=m) for m in s.relearning_steps_min),
            maximum_interval=s.maximum_interval,
            enable_fuzzing=s.enable_fuzzing,
        )
        self.tag = tag  # names personal parameters (store/params.py); None: the defaults
        self._by_retention: dict[float, StudyScheduler] = {}
        # recorded with every review, so a log line tells which weights scheduled it
        self.version = f"fsrs-{fsrs_version()}/{tag or 'default'}"

    @property
    def personal(self) -> bool:
        return self.tag is not None

    @property
    def parameters(self) -> tuple[float, ...]:
        return tuple(self.fsrs.parameters)

    def with_retention(self, retention: float) -> StudyScheduler:
        """The same weights and steps with another desired retention (cached: a replay
        switches at every `retention` event)."""
        if retention == self.settings.desired_retention:
            return self
        cache = self._by_retention
        if retention not in cache:
            cache[retention] = StudyScheduler(
                replace(self.settings, desired_retention=retention),
                self.fsrs.parameters,
                self.tag,
            )
        return cache[retention]

    def fuzz_window(self, after: CardState) -> tuple[int, int] | None:
        """The days (from its last review) that fsrs could have given `after`, the card just
        reviewed: its fuzz range, or None where fsrs fuzzes nothing (learning steps, short
        intervals, fuzz off). Load balancing picks a day inside it."""
        if not self.settings.enable_fuzzing or after.state != FsrsState.REVIEW:
            return None
        assert after.stability is not None
        low, high = fuzz_range(
            self.fsrs._next_interval(stability=after.stability), self.settings.maximum_interval
        )
        return None if low == high else (low, high)

    def allows_due(self, after: CardState, due_ms: int) -> bool:
        """Whether `due_ms` (a recorded, load-balanced due) is a whole number of days after
        the review and inside `after`'s fuzz range: replay trusts it only then."""
        window = self.fuzz_window(after)
        if window is None or after.last_review_ms is None:
            return False
        days, rest = divmod(due_ms - after.last_review_ms, DAY_MS)
        return rest == 0 and window[0] <= days <= window[1]

    def retarget(self, seed: int, state: CardState, tag: str) -> CardState:
        """A card in review after a change of desired retention: due again at this
        scheduler's interval for its stability, fuzzed as fsrs fuzzes (seeded by the card and
        `tag`, so every machine gets the same day). Other cards are returned as they are.
        Call inside fuzz_session()."""
        if state.state != FsrsState.REVIEW or state.last_review_ms is None:
            return state
        assert state.stability is not None
        days = timedelta(days=self.fsrs._next_interval(stability=state.stability))
        if self.settings.enable_fuzzing:
            random.seed(f"{seed}:{tag}")
            days = self.fsrs._get_fuzzed_interval(interval=days)
        return replace(state, due_ms=state.last_review_ms + days // _MS)

    def review(self, card_id: int, state: CardState, rating: Rating, now: datetime) -> CardState:
        """The card after one review at `now`. `card_id` only seeds the fuzz: the store
        passes `fuzz_id(key)`, the same on every machine."""
        with _rng_lock:
            saved = random.getstate()
            try:
                return self.review_seeded(card_id, state, rating, now)
            finally:
                random.setstate(saved)

    def review_seeded(
        self, card_id: int, state: CardState, rating: Rating, now: datetime
    ) -> CardState:
        """`review` without saving the global random state: for a replay of many reviews
        inside one `fuzz_session()` (saving and restoring costs twice the review itself)."""
        return self.review_from(card_id, state, None, rating, as_utc(now))[0]

    def review_from(
        self,
        card_id: int,
        state: CardState,
        card: FsrsCard | None,
        rating: Rating | int,
        now: datetime,
    ) -> tuple[CardState, FsrsCard]:
        """`review_seeded` for a replay, with `now` already in whole ms and `card` the fsrs
        Card of `state` that the previous call returned (None: made from `state`). Handing it
        on spares converting each card back and forth, a tenth of a replay's time; it is the
        same card, as every time fsrs sets is in whole ms. Returns the state and its Card."""
        if card is None:
            card = state.to_fsrs(card_id, now)
        random.seed(f"{card_id}:{state.last_review_ms}:{int(rating)}")
        after, _ = self.fsrs.review_card(card, Rating(rating), now)
        return CardState.from_fsrs(after), after

    def preview(self, card_id: int, state: CardState, now: datetime) -> dict[Rating, timedelta]:
        """The next interval for each of the four ratings (review_card on a copy per rating)."""
        now = as_utc(now)
        out: dict[Rating, timedelta] = {}
        for rating in Rating:
            after = self.review(card_id, state, rating, now)
            assert after.due_ms is not None
            out[rating] = from_ms(after.due_ms) - now
        return out

    def retrievability(self, card_id: int, state: CardState, now: datetime) -> float:
        if state.is_new:
            return 0.0
        card = state.to_fsrs(card_id, as_utc(now))
        return float(self.fsrs.get_card_retrievability(card, as_utc(now)))

    def reschedule(
        self, card_id: int, state: CardState, logs: Sequence[tuple[int, int]]
    ) -> CardState:
        """Replay (time_ms, rating) reviews with these weights (fsrs `reschedule_card`)."""
        if not logs:
            return state
        first = from_ms(min(t for t, _ in logs))
        card = state.to_fsrs(card_id, first)
        review_logs = [
            ReviewLog(
                card_id=card_id,
                rating=Rating(r),
                review_datetime=from_ms(t),
                review_duration=None,
            )
            for t, r in logs
        ]
        return CardState.from_fsrs(self.fsrs.reschedule_card(card, review_logs))

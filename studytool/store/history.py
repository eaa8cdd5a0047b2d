"""What the review log says about the learner: how long an answer takes, and how well the
recall FSRS predicted at each review matched the outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studytool.store.state import FsrsState

if TYPE_CHECKING:
    from studytool.store.repo import Store

DAY_MS = 86_400_000
# Anki's "maximum answer seconds": a longer answer is a learner who walked away
MAX_ANSWER_MS = 60_000


def answer_seconds(store: Store) -> float | None:
    """Mean seconds per review-mode answer (each capped at a minute); None when no answer has
    a duration."""
    row = store._read_one(
        f"SELECT avg(min(duration_ms, {MAX_ANSWER_MS})) FROM revlog"
        " WHERE mode='review' AND duration_ms IS NOT NULL AND duration_ms > 0"
    )
    return None if row is None or row[0] is None else float(row[0]) / 1000


def recall_pairs(store: Store) -> list[tuple[float, bool]]:
    """(predicted recall at review time, passed) of every review-mode answer made a whole day
    or more after the card's previous review. The log keeps the card as it was before each
    answer, so the prediction is FSRS's forgetting curve R(t, S) over those whole days, with
    the decay of the current parameters (as `fsrs.Scheduler.get_card_retrievability`).
    Cram and quiz answers, and same-day learning steps, are not predictions of FSRS."""
    decay = -store.scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    rows = store._read(
        "SELECT (time_ms - last_review_before_ms) / ?, stability_before, rating > 1"
        " FROM revlog WHERE mode='review' AND state_before != ?"
        " AND stability_before > 0 AND last_review_before_ms IS NOT NULL"
        " AND time_ms - last_review_before_ms >= ? ORDER BY time_ms, id",
        (DAY_MS, int(FsrsState.NEW), DAY_MS),
    )
    return [((1 + factor * days / s) ** decay, bool(ok)) for days, s, ok in rows]

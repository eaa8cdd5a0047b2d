"""Predictions made before demo runs: logged, replayed, and counted per concept.

    record_prediction(store, key="dl/adam", demo="optimizers", concept="optimizers",
                      question="closest", guess=2, answer=1, correct=False)
    accuracy_by_concept(store)   # [ConceptAccuracy("optimizers", 1, 0)], for Stats

A scored guess is a `prediction` event in the append-only log (store/eventlog.py), logged
against the question's linked card, and a row of the `predictions` table (schema v5), which
store/replay.py rebuilds from the log like the revlog. It is kept out of the revlog: it never
changes the card's FSRS state, and the optimizer, the calibration diagram, retention, daily
counts, limits, streaks and the heatmap (all read from the revlog) never see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from studytool.store.eventlog import Event
from studytool.store.replay import PREDICTION_INSERT, _card_ids, prediction_row, record
from studytool.store.scheduler import as_utc, to_ms, utc_now

if TYPE_CHECKING:
    from studytool.store.repo import Store

__all__ = [
    "ConceptAccuracy",
    "accuracy_by_concept",
    "record_prediction",
]


@dataclass(frozen=True, slots=True)
class ConceptAccuracy:
    concept: str
    predictions: int  # scored guesses
    right: int

    @property
    def accuracy(self) -> float:
        return self.right / self.predictions if self.predictions else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "predictions": self.predictions,
            "right": self.right,
            "accuracy": self.accuracy,
        }


def record_prediction(
    store: Store,
    *,
    key: str,
    demo: str,
    concept: str,
    question: str,
    guess: float,
    answer: float,
    correct: bool,
    now: datetime | None = None,
) -> Event:
    """Log one scored guess against the card `key`: appended to the log and fsynced, then
    committed to the cache, before this returns (so the score is durable when shown). A card
    the database does not know gets an orphaned row, as a replay gives it."""
    event: Event = {
        "type": "prediction",
        "key": key,
        "demo": demo,
        "concept": concept,
        "q": question,
        "guess": float(guess),
        "answer": float(answer),
        "correct": bool(correct),
    }
    with store.transaction() as con:
        t = to_ms(as_utc(now or utc_now()))
        _card_ids(con, [key], {key: t})
        if not record(store, con, t, [event]):  # a late event is folded in with its row
            con.execute(PREDICTION_INSERT, prediction_row(event))
    return event


def accuracy_by_concept(store: Store) -> list[ConceptAccuracy]:
    """Scored predictions and how many were right, per demo concept (most predicted first)."""
    rows = store._read(
        "SELECT concept, count(*), sum(correct) FROM predictions GROUP BY concept"
        " ORDER BY count(*) DESC, concept"
    )
    return [ConceptAccuracy(str(c), int(n), int(r or 0)) for c, n, r in rows]

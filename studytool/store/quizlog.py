"""Quiz history and the "missed in a quiz" marks, in progress.db next to the review log.

    quiz_id = record_quiz(store, started_ms=..., questions=[QuestionRow(...), ...], ...)
    flag(store, ["deck/card"], now, quiz_id)   # the next review session shows them first
    flagged_keys(store, now)                   # marked keys not reviewed since
    history(store); trends(store)              # `studytool quiz history`, the Stats screen

The tables are part of the schema since v3 (`db.QUIZ_SCHEMA`). Rows name cards by review
key, not by `cards.id`, so a progress import (which rewrites the cards table) leaves the history
readable. Quiz answers themselves go to the revlog as mode 'quiz' through `Store.grade`, which
never changes FSRS state in that mode.

Like every progress change, quizzes and marks are events in the log (store/eventlog.py), so
they sync and survive `doctor --rebuild`: a `quiz` event per finished quiz and a `flag` event
per marked card; these tables are rebuilt from them (store/replay.py `apply_quiz_events`). A
quiz's id is a hash of its event id, the same on every machine. The expected answers stay out
of the log (deck text is not kept in the progress repository): a quiz from another machine
shows them empty; this machine's rows keep theirs through a rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from studytool.store.eventlog import Event
from studytool.store.replay import FLAG_SQL, insert_quiz, quiz_row_id, record
from studytool.store.scheduler import as_utc, from_ms, to_ms
from studytool.store.sql import available

if TYPE_CHECKING:
    from studytool.store.repo import Store

RECENT = 5  # trends compare the last 5 quizzes with the 5 before


@dataclass(frozen=True, slots=True)
class QuestionRow:
    key: str
    kind: str
    score: float | None  # None: not answered
    duration_ms: int | None
    answer: str | None
    expected: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "score": self.score,
            "duration_ms": self.duration_ms,
            "answer": self.answer,
            "expected": self.expected,
        }


def record_quiz(
    store: Store,
    *,
    started_ms: int,
    duration_ms: int,
    decks: Sequence[str],
    tags: Sequence[str],
    settings: str,
    score: float,
    questions: Sequence[QuestionRow],
    session_id: int | None = None,
) -> int:
    """Log one quiz and store it with its questions, in one transaction; returns the quiz id.
    The event is dated when the quiz ended."""
    event: Event = {
        "type": "quiz",
        "key": "",
        "started": started_ms,
        "dur": duration_ms,
        "decks": list(decks),
        "tags": list(tags),
        "settings": settings,
        "score": score,
        "questions": [[q.key, q.kind, q.score, q.duration_ms, q.answer] for q in questions],
    }
    with store.transaction() as con:
        record(store, con, started_ms + duration_ms, [event])
        quiz_id = quiz_row_id(event["id"])
        insert_quiz(con, quiz_id, event, [q.expected for q in questions], session_id)
    return quiz_id


# ---- marks for the review queue -----------------------------------------------------------


def flag(store: Store, keys: Iterable[str], now: datetime, quiz_id: int | None = None) -> int:
    """Mark review keys for the next review session (a `flag` event each); returns how many
    were marked."""
    t = to_ms(as_utc(now))
    events: list[Event] = [{"type": "flag", "key": k} for k in dict.fromkeys(keys)]
    if quiz_id is not None:
        for e in events:
            e["quiz"] = quiz_id
    with store.transaction() as con:
        record(store, con, t, events)
        con.executemany(FLAG_SQL, [(e["key"], t, quiz_id) for e in events])
    return len(events)


def flagged_keys(store: Store, now: datetime) -> list[str]:
    """Marked keys that are available now (not suspended, buried or orphaned) and were not
    reviewed (review mode) since they were marked, oldest mark first. An undone review brings
    the mark back, since the mark is only hidden by the revlog line."""
    rows = store._read(
        "SELECT f.key FROM quiz_flags f JOIN cards c ON c.key = f.key"
        f" WHERE {available('c')}"
        " AND NOT EXISTS (SELECT 1 FROM revlog r WHERE r.card_id=c.id AND r.mode='review'"
        " AND r.time_ms>=f.flagged_ms)"
        " ORDER BY f.flagged_ms, f.key",
        (to_ms(as_utc(now)),),
    )
    return [r[0] for r in rows]


# ---- history ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuizRecord:
    id: int
    started: datetime
    duration_ms: int
    decks: tuple[str, ...]
    tags: tuple[str, ...]
    settings: dict[str, Any]
    questions: int
    answered: int
    score: float

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.questions if self.questions else 0.0

    @property
    def scope(self) -> str:
        """What was quizzed, for grouping trends: 'transformer', 'rnn+transformer', 'all'."""
        scope = "+".join(self.decks) if self.decks else "all"
        return scope + "".join(f" #{t}" for t in self.tags)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started": self.started.isoformat(),
            "duration_ms": self.duration_ms,
            "decks": list(self.decks),
            "tags": list(self.tags),
            "settings": self.settings,
            "questions": self.questions,
            "answered": self.answered,
            "score": round(self.score, 4),
            "percent": round(self.percent, 1),
        }


def _record(row: tuple[Any, ...]) -> QuizRecord:
    return QuizRecord(
        id=row[0],
        started=from_ms(row[1]),
        duration_ms=row[2],
        decks=tuple(json.loads(row[3])),
        tags=tuple(json.loads(row[4])),
        settings=json.loads(row[5]),
        questions=row[6],
        answered=row[7],
        score=row[8],
    )


def history(store: Store, limit: int | None = None) -> list[QuizRecord]:
    """Stored quizzes, newest first."""
    rows = store._read(
        "SELECT id, started_ms, duration_ms, decks, tags, settings, questions, answered, score"
        " FROM quizzes ORDER BY started_ms DESC, id DESC LIMIT ?",
        (-1 if limit is None else limit,),
    )
    return [_record(r) for r in rows]


def questions(store: Store, quiz_id: int) -> list[QuestionRow]:
    rows = store._read(
        "SELECT key, kind, score, duration_ms, answer, expected FROM quiz_questions"
        " WHERE quiz_id=? ORDER BY position",
        (quiz_id,),
    )
    return [QuestionRow(*r) for r in rows]


@dataclass(frozen=True, slots=True)
class ScopeTrend:
    scope: str
    quizzes: int
    average: float  # percent
    last: float  # percent of the newest quiz
    change: float | None  # average of the last 5 minus the 5 before; None with < 2 quizzes


@dataclass(frozen=True, slots=True)
class QuizTrends:
    quizzes: int
    average: float | None  # percent over all quizzes
    best: float | None
    recent: list[tuple[datetime, float]]  # (started, percent), oldest first
    change: float | None
    scopes: list[ScopeTrend]
    most_missed: list[tuple[str, int, int]]  # (key, times missed, times asked)

    def to_dict(self) -> dict[str, Any]:
        return {
            "quizzes": self.quizzes,
            "average_percent": _round(self.average),
            "best_percent": _round(self.best),
            "change": _round(self.change),
            "recent": [{"started": d.isoformat(), "percent": round(p, 1)} for d, p in self.recent],
            "scopes": [
                {
                    "scope": s.scope,
                    "quizzes": s.quizzes,
                    "average_percent": round(s.average, 1),
                    "last_percent": round(s.last, 1),
                    "change": _round(s.change),
                }
                for s in self.scopes
            ],
            "most_missed": [{"key": k, "missed": m, "asked": n} for k, m, n in self.most_missed],
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def _change(percents_newest_first: list[float]) -> float | None:
    """Mean of the last RECENT quizzes minus the mean of the RECENT before them."""
    if len(percents_newest_first) < 2:
        return None
    half = min(RECENT, len(percents_newest_first) // 2)
    recent = percents_newest_first[:half]
    before = percents_newest_first[half : 2 * half]
    return sum(recent) / len(recent) - sum(before) / len(before)


def trends(store: Store, recent: int = 30, missed: int = 10) -> QuizTrends:
    """Scores over time, per scope, and the cards missed most often."""
    records = history(store)
    percents = [r.percent for r in records]
    by_scope: dict[str, list[float]] = {}
    for r in records:
        by_scope.setdefault(r.scope, []).append(r.percent)
    scopes = [
        ScopeTrend(scope, len(p), sum(p) / len(p), p[0], _change(p))
        for scope, p in sorted(by_scope.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    most_missed: list[tuple[str, int, int]] = []
    if records:
        most_missed = [
            (k, int(m), int(n))
            for k, m, n in store._read(
                "SELECT key, sum(score IS NOT NULL AND score < 1), count(*) FROM quiz_questions"
                " GROUP BY key HAVING sum(score IS NOT NULL AND score < 1) > 0"
                " ORDER BY 2 DESC, 3 DESC, key LIMIT ?",
                (missed,),
            )
        ]
    return QuizTrends(
        quizzes=len(records),
        average=sum(percents) / len(percents) if percents else None,
        best=max(percents) if percents else None,
        recent=[(r.started, r.percent) for r in reversed(records[:recent])],
        change=_change(percents),
        scopes=scopes,
        most_missed=most_missed,
    )

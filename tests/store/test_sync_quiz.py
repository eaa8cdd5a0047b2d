"""Quiz history in the event log (issue 14): a finished quiz and the cards it marked for review
are events, so they sync to the other machines (same quiz id there), survive
`doctor --rebuild`, and a restored backup takes them back like any other progress."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from storekit import NOW, make_deck, make_settings

from studytool.store import quizlog
from studytool.store.eventlog import LogRead, read_file
from studytool.store.gitsync import sync
from studytool.store.replay import check_log, quiz_row_id, rebuild
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import Rating, to_ms

CARDS = make_deck("d", 4)
KEYS = [c.full_id for c in CARDS]
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git program")


def open_store(data: Path) -> Store:
    store = Store.open(make_settings(data), now=NOW, tz=UTC)
    store.sync(CARDS, now=NOW)
    return store


def take_quiz(store: Store, minute: int) -> int:
    """What study/quiz.save_result does: answers as quiz-mode grades, then the record."""
    start = NOW + timedelta(minutes=minute)
    for i, key in enumerate(KEYS[:2]):
        rating = Rating.Good if i == 0 else Rating.Again
        store.grade(key, rating, start + timedelta(seconds=10 * i), mode=Mode.QUIZ)
    rows = [
        quizlog.QuestionRow(KEYS[0], "choice", 1.0, 4000, "b", "b) the answer"),
        quizlog.QuestionRow(KEYS[1], "typed", 0.0, 6000, "relu", "sigmoid"),
        quizlog.QuestionRow(KEYS[2], "truefalse", None, None, None, "True"),
    ]
    quiz_id = quizlog.record_quiz(
        store,
        started_ms=to_ms(start),
        duration_ms=30_000,
        decks=["d"],
        tags=[],
        settings=json.dumps({"n": 3}),
        score=1.0,
        questions=rows,
    )
    quizlog.flag(store, [KEYS[1]], start + timedelta(minutes=1), quiz_id)
    return quiz_id


def history(store: Store) -> list[tuple[object, ...]]:
    return [
        (r.id, r.started, r.duration_ms, r.decks, r.questions, r.answered, r.score)
        for r in quizlog.history(store)
    ]


def test_a_quiz_is_logged_and_survives_a_rebuild(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        quiz_id = take_quiz(store, 0)
        before = history(store), quizlog.questions(store, quiz_id)
        flagged = quizlog.flagged_keys(store, NOW + timedelta(minutes=2))
        assert flagged == [KEYS[1]]
        read = LogRead()
        for path in store.log.files():
            read_file(path, read)
        assert read.bad == []
        kinds = [e["type"] for e in read.sorted()]
        assert kinds.count("quiz") == 1 and kinds.count("flag") == 1
        (quiz,) = [e for e in read.events if e["type"] == "quiz"]
        assert quiz_id == quiz_row_id(quiz["id"])
        assert "b) the answer" not in json.dumps(quiz)  # no deck text in the progress log
        assert check_log(store).unapplied == 0
        rebuild(store)
        assert (history(store), quizlog.questions(store, quiz_id)) == before
        assert quizlog.flagged_keys(store, NOW + timedelta(minutes=2)) == flagged


@needs_git
def test_quizzes_and_marks_sync_to_the_other_machine(tmp_path: Path) -> None:
    remote = str(tmp_path / "remote")
    with open_store(tmp_path / "a") as a:
        quiz_id = take_quiz(a, 0)
        sync(a, remote)
        hist_a = history(a)
    with open_store(tmp_path / "b") as b:
        take_quiz(b, 60)  # one of its own, the same day
        sync(b, remote)
        assert {r[0] for r in hist_a} <= {r[0] for r in history(b)} and len(history(b)) == 2
        questions = quizlog.questions(b, quiz_id)
        # the answers came; the expected answers (deck text) did not
        assert [(q.key, q.score, q.answer) for q in questions] == [
            (KEYS[0], 1.0, "b"),
            (KEYS[1], 0.0, "relu"),
            (KEYS[2], None, None),
        ]
        assert {q.expected for q in questions} == {""}
        assert quizlog.flagged_keys(b, NOW + timedelta(hours=2)) == [KEYS[1]]
        assert check_log(b).unapplied == 0
        hist_b = history(b)
    with open_store(tmp_path / "a") as a:
        sync(a, remote)
        assert history(a) == hist_b  # the same ids and records on both machines

"""Personal FSRS parameters in the progress repository (issue 14): fitted from the merged log
alone (the same input on every machine), written as a file that syncs, chosen by the same
rule everywhere, and the cache folded again with them so doctor finds no mismatch."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from fsrs import Card as FsrsCard
from fsrs import Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS
from storekit import NOW, make_deck, make_settings

from studytool.store import optimize as optimize_mod
from studytool.store import quizlog
from studytool.store.db import DB_NAME
from studytool.store.gitsync import sync
from studytool.store.optimize import Log, optimize, optimize_hint, review_logs
from studytool.store.params import ParamsFile, active_params, write_params
from studytool.store.predictions import record_prediction
from studytool.store.replay import cache_params, check_log, state_hash
from studytool.store.repo import Store
from studytool.store.scheduler import Rating, to_ms

CARDS = make_deck("d", 40)
KEYS = [c.full_id for c in CARDS]
# a learner who forgets faster than the defaults expect (as in test_store_optimize)
TRUE_PARAMS = list(DEFAULT_PARAMETERS)
TRUE_PARAMS[0:4] = [0.1, 0.4, 0.9, 3.0]
TRUE_PARAMS[8] = 1.2
TRUE_PARAMS[20] = 0.4
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git program")


def open_store(data: Path, cards: list = CARDS) -> Store:  # type: ignore[type-arg]
    store = Store.open(make_settings(data), now=NOW, tz=UTC)
    store.sync(cards, now=NOW)
    return store


def learner(store: Store, days: int, seed: int = 1) -> None:
    """Each card studied when it is due, recalled with the probability TRUE_PARAMS give."""
    truth = Scheduler(parameters=TRUE_PARAMS, enable_fuzzing=False)
    rng = random.Random(seed)
    end = NOW + timedelta(days=days)
    for i, key in enumerate(KEYS):
        t = NOW + timedelta(days=i // 10, minutes=rng.randrange(600))
        card = FsrsCard(card_id=i + 1, due=t)
        while t < end:
            r = truth.get_card_retrievability(card, t) if card.last_review else 0.7
            rating = Rating.Good if rng.random() < r else Rating.Again
            card, _ = truth.review_card(card, rating, t)
            res = store.grade(key, rating, t)
            if rng.random() < 0.1:
                store.undo()  # voided: never evidence
                res = store.grade(key, rating, t)
            assert res.after.due is not None
            t = max(res.after.due, t + timedelta(minutes=1)) + timedelta(hours=rng.randrange(8))


def recording(params: list[float], seen: list[list[Log]]):  # type: ignore[no-untyped-def]
    def fit(logs):  # type: ignore[no-untyped-def]
        seen.append(list(logs))
        return params

    return fit


@needs_git
def test_parameters_fitted_on_one_machine_schedule_every_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(optimize_mod, "MIN_REVIEWS", 60)  # a small history is enough here
    remote = str(tmp_path / "remote")
    seen: list[list[Log]] = []
    with open_store(tmp_path / "a") as a:
        learner(a, 90, seed=2)  # a history on which the true weights win on both measures
        res = optimize(a, NOW + timedelta(days=90), fit=recording(TRUE_PARAMS, seen))
        assert res.optimized, res.message
        assert res.params_file == tmp_path / "a" / "progress" / "params" / f"{a.log.device}.json"
        assert check_log(a).differ == [] and cache_params(a) == a.scheduler.tag
        sync(a, remote)
        hash_a, logs_a = state_hash(a), review_logs(a)
        first_a = a.card(KEYS[0])
    # the other machine registered the cards in another order: other row ids
    with open_store(tmp_path / "b", list(reversed(CARDS))) as b:
        first_b = b.card(KEYS[0])
        assert first_a is not None and first_b is not None and first_a.id != first_b.id
        report = sync(b, remote)
        assert report.applied.new > 0
        assert b.scheduler.parameters == tuple(TRUE_PARAMS) and b.scheduler.personal
        assert state_hash(b) == hash_a and check_log(b).differ == []
        # the fit's input is a function of the log alone: the same here as on the first
        assert review_logs(b) == logs_a
        again = optimize(b, NOW + timedelta(days=90), fit=recording(TRUE_PARAMS, seen))
        assert not again.optimized  # the same weights are not better than themselves
    assert seen[0] == seen[1]
    # a reopened store keeps them, and its cache needs no rebuild
    with open_store(tmp_path / "b") as b:
        assert b.scheduler.tag == cache_params(b) and state_hash(b) == hash_a


def _file(device: str, events: int, through: str, first: float = 0.3) -> ParamsFile:
    params = (first, *DEFAULT_PARAMETERS[1:])
    return ParamsFile(params, events, through, 100, "6.3.2", device)


def test_every_machine_chooses_the_file_fitted_on_the_most_events(tmp_path: Path) -> None:
    assert active_params(tmp_path) is None
    write_params(tmp_path, _file("aaaa", 10, "0000000000900-aaaa"))
    write_params(tmp_path, _file("bbbb", 12, "0000000000500-bbbb", 0.4))
    write_params(tmp_path, _file("cccc", 12, "0000000000700-cccc", 0.5))
    (tmp_path / "params" / "dddd.json").write_text('{"parameters": [1, 2]')  # damaged
    (tmp_path / "params" / "eeee.json").write_text(json.dumps({"parameters": [1.0] * 21}))
    chosen = active_params(tmp_path)
    assert chosen is not None and chosen.device == "cccc" and chosen.parameters[0] == 0.5
    # the file holds no clock: the same fit writes the same bytes
    text = (tmp_path / "params" / "cccc.json").read_text()
    write_params(tmp_path, _file("cccc", 12, "0000000000700-cccc", 0.5))
    assert (tmp_path / "params" / "cccc.json").read_text() == text


def test_parameters_an_older_version_kept_in_the_database_move_to_a_file(
    tmp_path: Path,
) -> None:
    with open_store(tmp_path) as store:
        for i, key in enumerate(KEYS[:5]):
            store.grade(key, Rating.Good, NOW + timedelta(minutes=i))
        hash_default = state_hash(store)
    con = sqlite3.connect(tmp_path / DB_NAME)
    con.execute(
        "INSERT INTO params (created_ms, parameters, reviews, fsrs_version, active)"
        " VALUES (1, ?, 700, '6.3.2', 1)",
        (json.dumps(TRUE_PARAMS),),
    )
    con.commit()
    con.close()
    with open_store(tmp_path) as store:
        chosen = active_params(store.log.root)
        assert chosen is not None and chosen.parameters == tuple(TRUE_PARAMS)
        assert chosen.events == 0  # older than any fit from the log: the next one wins
        assert store.scheduler.tag == chosen.tag == cache_params(store)
        # the cache was folded again with them
        assert state_hash(store) != hash_default and check_log(store).differ == []


def test_an_adopted_fit_rebuilds_with_the_logs_retention_balanced_dues_and_histories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adopting folds the whole log again (no rescheduling outside it): the retention change,
    the load-balanced dues, predictions and quizzes all come through, the optimize hint sees
    the fit, and doctor finds no mismatch."""
    monkeypatch.setattr(optimize_mod, "MIN_REVIEWS", 60)
    later = NOW + timedelta(days=90)
    with open_store(tmp_path) as store:
        learner(store, 90, seed=2)
        events = store.log.read().events
        assert any("due" in e for e in events if e["type"] == "review")  # balanced days
        assert store.set_desired_retention(0.85, later) > 0
        record_prediction(
            store,
            key=KEYS[0],
            demo="demo_x",
            concept="x",
            question="which",
            guess=1,
            answer=1,
            correct=True,
            now=later,
        )
        quiz_id = quizlog.record_quiz(
            store,
            started_ms=to_ms(later),
            duration_ms=10_000,
            decks=["d"],
            tags=[],
            settings="{}",
            score=0.0,
            questions=[quizlog.QuestionRow(KEYS[1], "typed", 0.0, 5000, "x", "y")],
        )
        quizlog.flag(store, [KEYS[1]], later + timedelta(seconds=20), quiz_id)
        res = optimize(store, later + timedelta(minutes=1), fit=recording(TRUE_PARAMS, []))
        assert res.optimized, res.message
        assert check_log(store).differ == [] and cache_params(store) == store.scheduler.tag
        assert store.desired_retention == 0.85
        assert store._read("SELECT key, correct FROM predictions") == [(KEYS[0], 1)]
        assert [r.id for r in quizlog.history(store)] == [quiz_id]
        assert store._read("SELECT key FROM quiz_flags") == [(KEYS[1],)]
        assert optimize_hint(store, later + timedelta(days=60)) is None  # fitted just now
        folded = state_hash(store)
    with open_store(tmp_path) as store:  # reopened: nothing to fold again
        assert state_hash(store) == folded and store.desired_retention == 0.85

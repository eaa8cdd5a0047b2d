"""Predictions before demo runs in the store: logged (fsynced) against a card, replayed from
the log on this and other machines, counted per concept, and never seen by FSRS."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

from storekit import NOW, make_deck, make_settings

from studytool.store.db import DB_NAME
from studytool.store.history import recall_pairs
from studytool.store.optimize import review_logs
from studytool.store.predictions import ConceptAccuracy, accuracy_by_concept, record_prediction
from studytool.store.replay import check_log, rebuild, state_hash
from studytool.store.repo import Store
from studytool.store.scheduler import Rating
from studytool.store.stats import compute_stats

CARDS = make_deck("d", 3)


def open_store(data: Path) -> Store:
    store = Store.open(make_settings(data), now=NOW, tz=UTC)
    store.sync(CARDS, now=NOW)
    return store


def log_lines(data: Path) -> list[dict[str, object]]:
    files = sorted((data / "progress" / "devices").glob("*/*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text().splitlines()]


def predict(store: Store, key: str, concept: str, correct: bool, minutes: int = 0) -> None:
    record_prediction(
        store,
        key=key,
        demo=f"demo_{concept}",
        concept=concept,
        question="which",
        guess=1,
        answer=1 if correct else 2,
        correct=correct,
        now=NOW + timedelta(minutes=minutes),
    )


def rows(store: Store) -> list[tuple[object, ...]]:
    return store._read(
        "SELECT key, demo, concept, question, guess, answer, correct FROM predictions"
        " ORDER BY event_id"
    )


def test_a_prediction_is_on_disk_when_it_returns_and_leaves_fsrs_alone(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.grade("d/c000", Rating.Good, NOW - timedelta(days=3))
        before = store.card("d/c000")
        hash_before = state_hash(store)
        stats_before = compute_stats(store, CARDS, NOW).to_dict()
        predict(store, "d/c000", "optimizers", correct=True)
        (line,) = [e for e in log_lines(tmp_path) if e["type"] == "prediction"]
        assert line["key"] == "d/c000" and line["demo"] == "demo_optimizers"
        assert line["q"] == "which" and line["correct"] is True
        assert (line["guess"], line["answer"]) == (1.0, 1.0) and isinstance(line["t"], int)
        assert rows(store) == [("d/c000", "demo_optimizers", "optimizers", "which", 1.0, 1.0, 1)]
        # no revlog line, no state change: the optimizer, calibration and stats see nothing
        assert store.card("d/c000") == before and state_hash(store) == hash_before
        assert store._read("SELECT count(*) FROM revlog") == [(1,)]
        assert len(recall_pairs(store)) == 0 and len(review_logs(store)) == 1
        stats = compute_stats(store, CARDS, NOW).to_dict()
        assert stats.pop("predictions") == [
            {"concept": "optimizers", "predictions": 1, "right": 1, "accuracy": 1.0}
        ]
        stats_before.pop("predictions")
        assert stats == stats_before  # counts, streaks, heatmap, retention unchanged
        assert not check_log(store).differ


def test_accuracy_per_concept(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        for i, (concept, ok) in enumerate(
            [("gans", False), ("optimizers", True), ("optimizers", False), ("optimizers", True)]
        ):
            predict(store, f"d/c00{i % 3}", concept, ok, minutes=i)
        got = accuracy_by_concept(store)
        assert got == [ConceptAccuracy("optimizers", 3, 2), ConceptAccuracy("gans", 1, 0)]
        assert got[0].accuracy == 2 / 3


def test_predictions_replay_from_the_log_here_and_on_another_machine(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with open_store(a) as store:
        predict(store, "d/c001", "attention", True)
        predict(store, "d/unknown", "attention", False, minutes=1)  # a card this deck lacks
        want = rows(store)
        rebuild(store)
        assert rows(store) == want
    # another machine: a fresh database next to a copy of the log folds the same rows
    shutil.copytree(a / "progress", b / "progress")
    with open_store(b) as other:
        assert rows(other) == want
        assert accuracy_by_concept(other) == [ConceptAccuracy("attention", 2, 1)]
        assert not check_log(other).differ


def test_a_v4_database_gets_the_table_and_the_log_fills_it(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        predict(store, "d/c000", "dropout", True)
        path = store.path
    con = sqlite3.connect(path)
    con.executescript(
        "DROP TABLE predictions; DELETE FROM events WHERE revlog_id IS NULL; PRAGMA user_version=4;"
    )
    con.close()
    with open_store(tmp_path) as store:
        assert store._read("PRAGMA user_version") == [(5,)]
        assert accuracy_by_concept(store) == [ConceptAccuracy("dropout", 1, 1)]
    assert (tmp_path / DB_NAME).exists()


def test_a_damaged_prediction_line_is_reported_and_skipped(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        predict(store, "d/c000", "dropout", True)
        (path,) = store.log.files()
        good = path.read_text()
        bad = json.loads(good.splitlines()[-1])
        bad.update(id=bad["id"][:-1] + "x", guess="b")
        path.write_text(good + json.dumps(bad) + "\n")
        read = store.log.read()
        assert len(read.events) == 1 and "bad guess" in read.bad[0]

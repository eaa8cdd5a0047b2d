"""The review log as the source of truth (issue 14): events on disk, the cache folded from
them, the one-time move of an old revlog, git sync between machines, damaged lines."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storekit import NOW, make_deck, make_settings
from typer.testing import CliRunner

from studytool.cli import app
from studytool.cli.common import CliState
from studytool.config import Settings
from studytool.content.model import Deck, LoadResult, Text
from studytool.store import gitsync
from studytool.store.db import DB_NAME
from studytool.store.doctor import run_doctor
from studytool.store.errors import StoreError
from studytool.store.eventlog import DEVICE_FILE, LogRead, read_file
from studytool.store.gitsync import sync, sync_status
from studytool.store.replay import LogCheck, check_log, rebuild, state_hash, state_rows
from studytool.store.repo import Store
from studytool.store.scheduler import CardState, Rating, to_ms
from studytool.store.sql import BEFORE_COLS, SET_STATE, STATE_COLS

CARDS = make_deck("d", 6)
KEYS = [k for c in CARDS for k in c.review_keys()]

ROOT = Path(__file__).resolve().parents[2]
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git program")


def open_store(data: Path) -> Store:
    store = Store.open(make_settings(data), now=NOW, tz=UTC)
    store.sync(CARDS, now=NOW)
    return store


def log_lines(data: Path) -> list[dict[str, object]]:
    files = sorted((data / "progress" / "devices").glob("*/*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text().splitlines()]


def test_every_change_is_one_logged_event(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        g = store.grade("d/c000", Rating.Good, NOW, duration_ms=4200)
        after_grade = log_lines(tmp_path)  # on disk when grade returns
        store.grade("d/c001", Rating.Again, NOW + timedelta(seconds=5), mode="cram")
        store.undo()
        store.suspend(["d/c002", "no/such"])
        store.unsuspend("d/c002")
        store.bury("d/c003", NOW)
        device = (tmp_path / DEVICE_FILE).read_text().strip()
    events = log_lines(tmp_path)
    assert after_grade == events[:1]
    review = events[0]
    assert review["key"] == "d/c000" and review["rating"] == 3 and review["mode"] == "review"
    assert review["t"] == to_ms(g.time) and review["dur"] == 4200
    assert str(review["sched"]).startswith("fsrs-") and device in str(review["id"])
    # undo, suspend and unsuspend are dated by the real clock, so they may sit in another
    # month's file than the reviews at the test's clock
    kinds = sorted(str(e["type"]) for e in events)
    assert kinds == sorted(["review", "review", "void", "suspend", "unsuspend", "bury"])
    (void,) = [e for e in events if e["type"] == "void"]
    assert void["target"] == events[1]["id"]  # the undo names what it takes back
    assert len({e["id"] for e in events}) == len(events)
    assert {p.parent.name for p in (tmp_path / "progress").glob("devices/*/*.jsonl")} == {device}


def _random_session(store: Store, rng: random.Random, start: datetime, n: int) -> datetime:
    t = start
    for _ in range(n):
        t += timedelta(minutes=rng.randint(1, 60 * 30))
        op = rng.random()
        key = rng.choice(KEYS)
        if op < 0.65:
            mode = "review" if rng.random() < 0.85 else "cram"
            store.grade(key, Rating(rng.randint(1, 4)), t, mode=mode)
        elif op < 0.8 and store.can_undo:
            store.undo()
        elif op < 0.9:
            (store.suspend if rng.random() < 0.5 else store.unsuspend)(key)
        else:
            store.bury(key, t)
    return t


def test_the_cache_rebuilt_from_the_log_alone_is_the_same(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        _random_session(store, random.Random(7), NOW, 120)
        before, rows = state_hash(store), state_rows(store)
        assert check_log(store).differ == []
        result = rebuild(store)
        assert result.bad == () and result.events == len(log_lines(tmp_path))
        assert state_rows(store) == rows and state_hash(store) == before
    # a new database next to the same log (the old one lost, its backups moved away) opens
    # with the same state
    shutil.rmtree(tmp_path / "backups")
    for suffix in ("", "-wal", "-shm", "-ack"):
        (tmp_path / (DB_NAME + suffix)).unlink(missing_ok=True)
    with open_store(tmp_path) as store:
        assert state_hash(store) == before


def _old_grade(store: Store, key: str, rating: Rating, when: datetime) -> None:
    """Grade as studytool did before the log: fuzz seeded by the row id, no event."""
    with store.transaction() as con:
        row = con.execute(f"SELECT id, {STATE_COLS} FROM cards WHERE key=?", (key,)).fetchone()
        before = CardState.from_columns(row[1:])
        after = store.scheduler.review(row[0], before, rating, when)
        con.execute(
            "INSERT INTO revlog (card_id, time_ms, rating, mode, duration_ms, sched,"
            f" {BEFORE_COLS}) VALUES (?,?,?,'review',?,?,?,?,?,?,?,?)",
            (row[0], to_ms(when), int(rating), 1000, store.scheduler.version, *before.columns()),
        )
        con.execute(SET_STATE, (*after.columns(), row[0]))


def test_a_database_from_before_the_log_migrates_once_with_every_review(tmp_path: Path) -> None:
    rng = random.Random(3)
    with open_store(tmp_path) as store:
        t = NOW
        for _ in range(60):
            t += timedelta(hours=rng.randint(1, 90))
            _old_grade(store, rng.choice(KEYS), Rating(rng.randint(1, 4)), t)
        store.suspend("d/c004")
        old = store.records()
        old_reviews = store._read("SELECT time_ms, rating FROM revlog ORDER BY time_ms")
    # back to schema 3 without a log, as the file was before this change
    shutil.rmtree(tmp_path / "progress")
    (tmp_path / DEVICE_FILE).unlink()
    con = sqlite3.connect(tmp_path / DB_NAME)
    con.executescript("DROP TABLE events; DROP TABLE sync_meta; PRAGMA user_version=3;")
    con.close()
    with Store.open(make_settings(tmp_path), now=NOW, tz=UTC) as store:
        events = log_lines(tmp_path)
        reviews = sorted((e["t"], e["rating"]) for e in events if e["type"] == "review")
        assert reviews == [tuple(r) for r in old_reviews]
        assert check_log(store) == LogCheck()  # the cache is what the log folds to
        rebuild(store)
        assert store.records() == old
    with Store.open(make_settings(tmp_path), now=NOW, tz=UTC):
        assert log_lines(tmp_path) == events  # once


def test_damaged_and_future_lines(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.grade("d/c000", Rating.Good, NOW)
        (f,) = (tmp_path / "progress" / "devices").glob("*/*.jsonl")
        with f.open("ab") as out:
            out.write(b'{"id": "x", "t": 1\n{"type": "review"}\n{"id": "cut", "t')
        store.grade("d/c001", Rating.Good, NOW + timedelta(minutes=1))
        future = NOW + timedelta(minutes=6)
        store.grade("d/c002", Rating.Good, future)
        read = LogRead()
        read_file(f, read)
        assert len(read.events) == 3
        assert [b.split(": ", 1)[0] for b in read.bad] == [f"{f}:2", f"{f}:3", f"{f}:4"]
        assert b'{"id": "cut", "t\n' in f.read_bytes()  # left as it was, never rewritten
        report = run_doctor(store, CARDS, NOW)
        codes = {x.code: x for x in report.findings}
        assert len(codes["log-damaged"].keys) == 3
        assert codes["log-future"].keys == (str(read.sorted()[-1]["id"]),)
        assert "log-mismatch" not in codes and rebuild(store).cards == 3


def test_two_windows_append_to_one_device_file(tmp_path: Path) -> None:
    with open_store(tmp_path) as a, open_store(tmp_path) as b:
        for i in range(20):
            (a if i % 2 else b).grade(KEYS[i % 3], Rating.Good, NOW + timedelta(minutes=i))
        h = state_hash(a)
        assert len(log_lines(tmp_path)) == 20
        rebuild(a)
        assert state_hash(b) == h


# ---- sync between machines ---------------------------------------------------------------------


@dataclass
class Device:
    data: Path
    store: Store
    clock: datetime
    graded: list[tuple[str, int, int]] = field(default_factory=list)  # acknowledged, not undone

    def grade(self, key: str, rating: Rating) -> None:
        g = self.store.grade(key, rating, self.clock)
        self.graded.append((key, to_ms(g.time), int(g.rating)))

    def act(self, rng: random.Random) -> None:
        self.clock += timedelta(minutes=rng.randint(1, 600))
        op = rng.random()
        key = rng.choice(KEYS[:3]) if rng.random() < 0.6 else rng.choice(KEYS)
        if op < 0.6:
            self.grade(key, Rating(rng.randint(1, 4)))
        elif op < 0.75 and self.store.can_undo:
            try:
                undone = self.store.undo()
            except StoreError as e:  # another device reviewed the card after this grade
                assert "reviewed again since" in str(e)
            else:
                assert undone is not None and undone.key == self.graded.pop()[0]
        elif op < 0.9:
            (self.store.suspend if rng.random() < 0.5 else self.store.unsuspend)(key)
        else:
            self.store.bury(key, self.clock)


def _devices(tmp_path: Path, n: int) -> list[Device]:
    return [Device(tmp_path / f"m{i}", open_store(tmp_path / f"m{i}"), NOW) for i in range(n)]


def _check_converged(devices: list[Device], remote: str) -> None:
    for _ in range(2):  # the second round carries what the last device pushed to the others
        for d in devices:
            sync(d.store, remote)
    hashes = {state_hash(d.store) for d in devices}
    assert len(hashes) == 1
    every = {r for d in devices for r in d.graded}
    for d in devices:
        logged = set(
            d.store._read(
                "SELECT c.key, r.time_ms, r.rating FROM revlog r JOIN cards c ON c.id=r.card_id"
            )
        )
        assert every <= logged
        assert check_log(d.store).differ == []
        assert sync_status(d.store).events == len({str(e["id"]) for e in log_lines(d.data)})


def _run(tmp_path: Path, seed: int, rounds: int) -> None:
    rng = random.Random(seed)
    devices = _devices(tmp_path, 3)
    remote = str(tmp_path / "remote.git")
    try:
        for _ in range(rounds):
            for _ in range(rng.randint(1, 6)):
                rng.choice(devices).act(rng)
            # two devices review one card on the same day, before either syncs
            if rng.random() < 0.5:
                a, b = rng.sample(devices, 2)
                a.act(rng)
                b.clock = a.clock + timedelta(minutes=3)
                b.grade(KEYS[0], Rating.Good)
            for d in rng.sample(devices, rng.randint(1, 3)):
                sync(d.store, remote)
        _check_converged(devices, remote)
    finally:
        for d in devices:
            d.store.close()


@needs_git
@pytest.mark.slow
def test_three_machines_end_in_the_same_state(tmp_path: Path) -> None:
    _run(tmp_path, 11, 5)


@needs_git
@pytest.mark.slow
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1))
def test_three_machines_converge_for_any_history(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    _run(tmp_path_factory.mktemp("sync"), seed, 3)


@needs_git
def test_cli_sync_remembers_the_remote_and_reports_status(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    deck = Deck(id="d", title=Text("d", "d"), path=Path("d.yaml"), cards=tuple(CARDS))

    def cli(data: Path, *args: str) -> tuple[int, str]:
        obj = CliState(
            settings=Settings.load(data=data, config=config),  # reads [sync] remote
            library=LoadResult(decks=[deck]),
        )
        result = CliRunner().invoke(app, list(args), obj=obj)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout + result.stderr

    with open_store(tmp_path / "a") as store:
        store.grade("d/c000", Rating.Good, NOW)
    code, out = cli(tmp_path / "a", "sync")
    assert code == 2 and "no remote yet" in out
    code, out = cli(tmp_path / "a", "sync", str(tmp_path / "remote"))
    assert code == 0 and "1 in all" in out, out
    assert 'remote = "' in config.read_text()
    code, out = cli(tmp_path / "b", "sync", "--json")  # the remembered remote
    assert code == 0 and json.loads(out)["new_events"] == 1
    code, out = cli(tmp_path / "b", "sync", "--status", "--json")
    status = json.loads(out)
    assert status["events"] == 1 and status["last_sync"]
    _, out_a = cli(tmp_path / "a", "sync", "--status", "--json")
    assert json.loads(out_a)["state_hash"] == status["state_hash"]
    code, out = cli(tmp_path / "b", "doctor", "--rebuild")
    assert code == 0 and "rebuilt 1 cards from 1 logged events" in out, out
    _, out_b = cli(tmp_path / "b", "sync", "--status", "--json")
    assert json.loads(out_b)["state_hash"] == status["state_hash"]


def test_sync_without_git_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gitsync.shutil, "which", lambda _: None)
    with open_store(tmp_path) as store, pytest.raises(StoreError, match="install git"):
        sync(store, str(tmp_path / "remote"))


def test_grades_lost_with_the_wal_come_back_from_the_log(tmp_path: Path) -> None:
    data, copy = tmp_path / "data", tmp_path / "copy"
    with open_store(data) as store:
        for i in range(10):
            store.grade(KEYS[i % 4], Rating.Good, NOW + timedelta(hours=i))
        want = state_hash(store)
        # the grades are only in the -wal file yet: a copy of progress.db alone lacks them
        copy.mkdir()
        shutil.copy(data / DB_NAME, copy / DB_NAME)
        shutil.copy(data / DEVICE_FILE, copy / DEVICE_FILE)
        shutil.copytree(data / "progress", copy / "progress")
    with Store.open(make_settings(copy), now=NOW, tz=UTC) as again:
        assert state_hash(again) == want
        assert again._read("SELECT count(*) FROM revlog") == [(10,)]
        assert not [f for f in run_doctor(again, CARDS, NOW).findings if f.level == "error"]


_SYNC_CHILD = """
import sys
from pathlib import Path
from studytool.config import Settings
from studytool.store.gitsync import sync
from studytool.store.repo import Store
with Store.open(Settings(data_dir=Path(sys.argv[1]))) as store:
    print("go", flush=True)
    sync(store, sys.argv[2])
print("done", flush=True)
"""


@needs_git
@pytest.mark.slow
def test_a_sync_killed_at_any_point_is_completed_by_the_next(tmp_path: Path) -> None:
    remote = str(tmp_path / "remote.git")
    a, b = tmp_path / "a", tmp_path / "b"
    rng = random.Random(5)
    graded: set[tuple[str, int, int]] = set()
    clock = NOW
    with open_store(a) as store:
        for key in KEYS[:3]:
            clock += timedelta(hours=1)
            g = store.grade(key, Rating.Good, clock)
            graded.add((key, to_ms(g.time), 3))
        sync(store, remote)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    for _ in range(8):
        with open_store(b) as store:
            for _ in range(3):
                clock += timedelta(hours=1)
                g = store.grade(rng.choice(KEYS), Rating(rng.randint(1, 4)), clock)
                graded.add((g.key, to_ms(g.time), int(g.rating)))
        child = subprocess.Popen(
            [sys.executable, "-c", _SYNC_CHILD, str(b), remote],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert child.stdout is not None and child.stdout.readline() == b"go\n"
        time.sleep(rng.uniform(0, 0.5))
        child.kill()  # SIGKILL, wherever it is
        child.wait()
    with open_store(b) as sb, open_store(a) as sa:
        sync(sb, remote)
        sync(sa, remote)
        assert state_hash(sa) == state_hash(sb)
        for store in (sa, sb):
            logged = set(
                store._read(
                    "SELECT c.key, r.time_ms, r.rating FROM revlog r JOIN cards c ON c.id=r.card_id"
                )
            )
            assert graded <= logged


@needs_git
def test_two_machines_sharing_one_device_id_still_merge_and_hold_no_deck_text(
    tmp_path: Path,
) -> None:
    """A data dir copied to a second machine keeps its device id: both append to the same
    file, and git's union merge keeps the lines of both. The repository holds keys and
    numbers, never the cards' text."""
    remote = str(tmp_path / "remote.git")
    a, b = tmp_path / "a", tmp_path / "b"
    with open_store(a) as store:
        store.grade(KEYS[0], Rating.Good, NOW)
        sync(store, remote)
    shutil.copytree(a, b)  # the same device id, the same history
    with open_store(a) as sa, open_store(b) as sb:
        sa.grade(KEYS[1], Rating.Again, NOW + timedelta(hours=1))
        sb.grade(KEYS[2], Rating.Easy, NOW + timedelta(hours=2))
        sb.suspend(KEYS[3])
        for store in (sa, sb, sa):
            sync(store, remote)
        assert state_hash(sa) == state_hash(sb)
        for store in (sa, sb):
            assert check_log(store) == LogCheck()
            answered = {k for k, (n, _) in store.answer_counts().items() if n}
            assert answered == set(KEYS[:3]) and store.card(KEYS[3]).suspended  # type: ignore[union-attr]
    tracked = subprocess.run(
        ["git", "-C", str(a / "progress"), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    # one device's files (the suspend is dated by the real clock: maybe another month's)
    assert len({Path(f).parent for f in tracked if f.endswith(".jsonl")}) == 1
    text = b"".join((a / "progress" / f).read_bytes() for f in tracked)
    assert b"front of" not in text and b"back of" not in text


def test_lines_of_any_json_shape_are_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "2026-03.jsonl"
    good = b'{"id":"0001-a","key":"d/c000","mode":"review","rating":3,"t":1,"type":"review"}\n'
    bad = [
        b'{"id":"x","t":1,"type":[1],"key":"k"}',
        b'{"id":"x","t":1,"type":"review","key":"k","rating":[1],"mode":"review"}',
        b'{"id":"x","t":1,"type":"quiz","key":"","questions":{"a":1}}',
        b"[1, 2]",
    ]
    path.write_bytes(good + b"\n".join(bad) + b"\n" + good.replace(b"0001", b"0002"))
    read = LogRead()
    read_file(path, read)
    assert [e["id"] for e in read.events] == ["0001-a", "0002-a"]
    assert [b.split(": ", 1)[0] for b in read.bad] == [f"{path}:{n}" for n in (2, 3, 4, 5)]

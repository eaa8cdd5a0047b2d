"""Nothing is ever lost: kill -9 mid-grading, and two processes grading at once."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from storekit import NOW, make_deck

from studytool.config import Settings
from studytool.store.db import DB_NAME
from studytool.store.doctor import run_doctor
from studytool.store.repo import Store
from studytool.store.state import FsrsState

CHILD = Path(__file__).with_name("grader_child.py")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def _spawn(
    data: Path, n: int, offset_ms: int = 0, wait: bool = False, *flags: str
) -> subprocess.Popen[str]:
    """grader_child.py; `flags` are its --clock and --no-close."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    args = [sys.executable, str(CHILD), str(data), str(n), str(offset_ms), *flags]
    return subprocess.Popen(
        [*args, "--wait"] if wait else args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kill_9_loses_no_acknowledged_grade(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    data = tmp_path / "data"
    n = 400
    proc = _spawn(data, n)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "READY"
    acked: list[str] = []
    stop_after = rng.randrange(1, n // 2)
    while len(acked) < stop_after:
        line = proc.stdout.readline()
        assert line.startswith("ACK"), line + proc.stderr.read()  # type: ignore[union-attr]
        acked.append(line.split()[1])
    time.sleep(rng.random() * 0.003)  # land anywhere: between grades or inside one
    proc.send_signal(signal.SIGKILL)
    # lines already in the pipe were acknowledged before the kill too
    acked += [ln.split()[1] for ln in proc.stdout.read().splitlines() if ln.startswith("ACK")]
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    raw = sqlite3.connect(data / DB_NAME)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    raw.close()
    with Store.open(Settings(data_dir=data), now=NOW, tz=UTC) as store:
        graded = [
            r[0]
            for r in store._read(
                "SELECT c.key FROM revlog r JOIN cards c ON c.id=r.card_id ORDER BY r.id"
            )
        ]
        # every acknowledged grade is there; at most one more was committed but not yet acked
        assert graded[: len(acked)] == acked
        assert len(graded) - len(acked) in (0, 1)
        for key in graded:
            rec = store.card(key)
            # its FSRS update committed with it
            assert rec is not None and rec.state.state is FsrsState.LEARNING
        assert store._read("PRAGMA integrity_check") == [("ok",)]


def test_two_processes_grading_concurrently(tmp_path: Path) -> None:
    data = tmp_path / "data"
    n = 250
    procs = [_spawn(data, n, offset_ms=k * 300, wait=True) for k in range(2)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "READY"
    for p in procs:  # start both at once, for the most contention
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
        assert sum(ln.startswith("ACK") for ln in out.splitlines()) == n
    with Store.open(Settings(data_dir=data), now=NOW, tz=UTC) as store:
        assert store._read("SELECT count(*) FROM revlog") == [(2 * n,)]
        rows = store._read(
            "SELECT card_id, time_ms, last_review_before_ms, state_before FROM revlog"
            " ORDER BY card_id, id"
        )
        by_card: dict[int, list[tuple]] = {}
        for r in rows:
            by_card.setdefault(r[0], []).append(r)
        for card_id, (first, second) in by_card.items():
            # no lost update: the later grade started from the earlier grade's result
            assert first[3] == 0 and first[2] is None
            assert second[3] == 1 and second[2] == first[1]
            last = store._read("SELECT last_review_ms FROM cards WHERE id=?", (card_id,))
            assert last == [(second[1],)]


def test_concurrent_graders_with_real_clocks_log_times_in_order(tmp_path: Path) -> None:
    """Issue 16, break 18: the review time is read under the write lock, so the log's times
    follow its order even when two processes grade the same cards at full speed on the real
    clock (no offsets to keep their timestamps apart)."""
    data = tmp_path / "data"
    n = 250
    procs = [_spawn(data, n, 0, True, "--clock") for _ in range(2)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "READY"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with Store.open(Settings(data_dir=data), tz=UTC) as store:
        times = [r[0] for r in store._read("SELECT time_ms FROM revlog ORDER BY id")]
        assert len(times) == 2 * n
        assert times == sorted(times)
        report = run_doctor(store, None)
        assert report.ok, report.lines()


def test_grade_reads_a_given_clock_under_the_write_lock(tmp_path: Path) -> None:
    """A session's injectable clock is passed as a function and read inside the write
    transaction, like the system clock when no time is given."""
    seen: list[bool] = []
    with Store.open(Settings(data_dir=tmp_path / "data"), now=NOW, tz=UTC) as store:
        store.sync(make_deck("d", 1), now=NOW)

        def clock() -> datetime:
            seen.append(store._con.in_transaction)
            return NOW

        result = store.grade("d/c000", 3, clock)
    assert seen == [True] and result.time == NOW

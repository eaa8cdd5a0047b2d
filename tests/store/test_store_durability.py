"""The store never lies about durability (issue 16): a full disk, a restore with a stale WAL,
the database deleted or replaced while open, and a lost WAL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from storekit import NOW, make_deck, make_settings

from studytool.config import Settings
from studytool.store import backup as backups
from studytool.store.db import DB_NAME
from studytool.store.doctor import run_doctor
from studytool.store.errors import StoreError
from studytool.store.repo import Store
from studytool.store.restore import restore_backup
from studytool.store.scheduler import Rating
from studytool.store.transfer import export_progress, import_progress

CHILD = Path(__file__).with_name("grader_child.py")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="needs Linux file semantics")


def _graded_count(data: Path) -> int:
    with Store.open(Settings(data_dir=data), now=NOW, tz=UTC) as store:
        return int(store._read("SELECT count(*) FROM revlog")[0][0])


def _crash_after_grading(data: Path, n: int) -> list[str]:
    """A child grades n cards and exits without closing: its grades are only in the -wal."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    out = subprocess.run(
        [sys.executable, str(CHILD), str(data), str(n), "0", "--no-close"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout
    acked = [ln.split()[1] for ln in out.splitlines() if ln.startswith("ACK")]
    assert len(acked) == n
    return acked


# ---- break 4: a full disk ---------------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, where mounting is allowed (root on Linux); skipped elsewhere."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        pass  # ENOSPC: the disk is full
    finally:
        os.close(fd)


def test_disk_full_says_so_and_recovers_once_space_is_free(small_fs: Path) -> None:
    data = small_fs / "data"
    cards = make_deck("d", 3000)
    store = Store.open(make_settings(data), now=NOW, tz=UTC)
    store.sync(cards, now=NOW)
    slack = small_fs / "slack"
    slack.write_bytes(b"x" * 96 * 1024)
    _fill(small_fs / "filler")
    slack.unlink()  # a little room for the WAL to grow into, then the disk is full
    acked: list[str] = []
    with pytest.raises(StoreError) as err:
        for i, card in enumerate(cards):
            store.grade(card.full_id, Rating.Good, NOW + timedelta(seconds=i))
            acked.append(card.full_id)
    msg = str(err.value)
    assert "full" in msg and "NOT saved" in msg and "corrupt" not in msg
    assert acked, "some grades should fit before the disk fills"
    store.close()  # its checkpoint fails too: the database file is left short
    (small_fs / "filler").unlink()
    with Store.open(make_settings(data), now=NOW, tz=UTC) as store:
        graded = [
            r[0]
            for r in store._read(
                "SELECT c.key FROM revlog r JOIN cards c ON c.id = r.card_id ORDER BY r.id"
            )
        ]
        assert graded == acked
        assert store._read("PRAGMA integrity_check") == [("ok",)]
        store.grade(cards[-1].full_id, Rating.Good, NOW + timedelta(hours=1))


def _last_page_one(wal: bytes) -> bytes:
    """The newest copy of page 1 in a WAL file (32-byte header, then 24-byte frame headers
    each followed by a page)."""
    page_size = int.from_bytes(wal[8:12], "big")
    found = b""
    for at in range(32, len(wal) - page_size + 1, 24 + page_size):
        if int.from_bytes(wal[at : at + 4], "big") == 1:
            found = wal[at + 24 : at + 24 + page_size]
    assert found
    return found


def test_short_database_whose_pages_are_in_the_wal_is_not_called_truncated(
    tmp_path: Path,
) -> None:
    """The state a checkpoint leaves when the disk fills up (simulated without a small disk):
    page 1 of progress.db already counts the new pages, the file does not have them yet, and
    the -wal file still holds every committed page."""
    data, crashed = tmp_path / "data", tmp_path / "crashed"
    cards = make_deck("d", 2000)
    store = Store.open(make_settings(data), now=NOW, tz=UTC)
    store.sync(cards, now=NOW)
    for i, card in enumerate(cards[:50]):
        store.grade(card.full_id, Rating.Good, NOW + timedelta(seconds=i))
    crashed.mkdir()
    for name in (DB_NAME, f"{DB_NAME}-wal"):  # the files as a crash would leave them
        shutil.copy(data / name, crashed / name)
    store.close()
    db = crashed / DB_NAME
    page_one = _last_page_one((crashed / f"{DB_NAME}-wal").read_bytes())
    with db.open("r+b") as f:
        f.write(page_one)
    pages = int.from_bytes(page_one[28:32], "big")
    assert db.stat().st_size < pages * len(page_one)  # short, as the failed checkpoint left it
    with Store.open(make_settings(crashed), now=NOW, tz=UTC) as store:
        assert store._read("SELECT count(*) FROM revlog") == [(50,)]
        assert store._read("PRAGMA integrity_check") == [("ok",)]


# ---- break 4: restoring a backup while a stale WAL is around ------------------------------


def test_restore_replaces_database_and_its_stale_wal(tmp_path: Path) -> None:
    """Copying the backup over progress.db by hand would let SQLite apply the old -wal to
    the copy; restore_backup moves the database aside together with its -wal."""
    data = tmp_path / "data"
    with Store.open(make_settings(data), now=NOW, tz=UTC) as store:
        store.sync(make_deck("d", 20), now=NOW)
        store.grade("d/c000", Rating.Good, NOW)
        backup = store.backup_now("test", NOW)
    _crash_after_grading(data, 30)
    db = data / DB_NAME
    assert (data / f"{DB_NAME}-wal").stat().st_size > 0  # 30 grades live only there

    result = restore_backup(data, backup)
    assert result.path == db and result.backup == backup
    assert all(p.exists() and p.parent == data for p in result.set_aside)
    with Store.open(make_settings(data), now=NOW + timedelta(days=1), tz=UTC) as store:
        assert store._read("PRAGMA integrity_check") == [("ok",)]
        assert store._read("SELECT count(*) FROM revlog") == [(1,)]
        assert run_doctor(store, None).ok  # the old log's acknowledgement was dropped
        store.grade("d/c001", Rating.Good, NOW + timedelta(days=1))
    # nothing was thrown away: the set-aside database (with its -wal) has all 31 grades
    aside = sqlite3.connect(result.set_aside[0])
    assert aside.execute("SELECT count(*) FROM revlog").fetchone() == (31,)
    aside.close()


def test_damaged_database_advice_names_the_restore_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(make_settings(data), now=NOW, tz=UTC) as store:
        store.sync(make_deck("d", 20), now=NOW)
        backup = store.backup_now("test", NOW)
    db = data / DB_NAME
    db.write_bytes(db.read_bytes()[:4096] + b"\x00" * (db.stat().st_size - 4096))
    with pytest.raises(StoreError) as err:
        Store.open(make_settings(data), now=NOW + timedelta(days=1), tz=UTC)
    msg = str(err.value)
    assert f"studytool progress restore {backup}" in msg and f"{DB_NAME}-wal" in msg
    restore_backup(data, backup.name)  # a name in the backups folder will do
    with Store.open(make_settings(data), now=NOW + timedelta(days=1), tz=UTC) as store:
        assert store._read("SELECT count(*) FROM cards") == [(20,)]


def test_restore_refuses_an_open_database_and_a_bad_backup(tmp_path: Path) -> None:
    data = tmp_path / "data"
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"not a database" * 100)
    with Store.open(make_settings(data), now=NOW, tz=UTC) as store:
        backup = store.backup_now("test", NOW)
        with pytest.raises(StoreError, match="open in another studytool"):
            restore_backup(data, backup)
        with pytest.raises(StoreError, match="is the progress database itself"):
            restore_backup(data, data / DB_NAME)
    with pytest.raises(StoreError, match=r"bogus\.db: not a usable backup"):
        restore_backup(data, bogus)
    with pytest.raises(StoreError, match="no such backup"):
        restore_backup(data, tmp_path / "missing.db")
    assert sorted(p.name for p in data.iterdir()) == ["backups", DB_NAME]


# ---- break 6: the database deleted or replaced while open ---------------------------------


@pytest.mark.parametrize("how", ["deleted", "replaced", "wal-deleted"])
def test_database_deleted_or_replaced_while_open_is_caught_before_the_next_grade(
    settings: Settings, how: str
) -> None:
    store = Store.open(settings, now=NOW, tz=UTC)
    store.sync(make_deck("d", 3), now=NOW)
    store.grade("d/c000", Rating.Good, NOW)
    db = Path(settings.data_dir) / DB_NAME
    if how == "deleted":
        db.unlink()
    elif how == "replaced":
        copy = db.with_name("copy.db")
        shutil.copy(db, copy)
        os.replace(copy, db)
    else:
        db.with_name(f"{DB_NAME}-wal").unlink()
    with pytest.raises(StoreError, match="deleted or replaced while studytool was running"):
        store.grade("d/c001", Rating.Good, NOW)
    store.close()


def test_missing_database_is_not_recreated_while_backups_exist(settings: Settings) -> None:
    with Store.open(settings, now=NOW, tz=UTC) as store:
        store.sync(make_deck("d", 3), now=NOW)
    db = Path(settings.data_dir) / DB_NAME
    db.unlink()
    newest = backups.newest_backup(backups.backups_dir(db))
    with pytest.raises(StoreError) as err:
        Store.open(settings, now=NOW + timedelta(days=1), tz=UTC)
    assert f"studytool progress restore {newest}" in str(err.value)
    assert not db.exists()


# ---- break 8: a lost WAL --------------------------------------------------------------


def test_doctor_detects_grades_lost_with_the_wal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _crash_after_grading(data, 25)
    for suffix in ("-wal", "-shm"):
        (data / f"{DB_NAME}{suffix}").unlink()
    # lost with the event log too (with the log, the next open brings them back: test_sync)
    shutil.rmtree(data / "progress")
    with Store.open(make_settings(data), now=NOW, tz=UTC) as store:
        report = run_doctor(store, None, NOW)
    assert not report.ok
    lost = [f for f in report.findings if f.code == "lost-grades"]
    assert lost and "review 25" in lost[0].message, report.lines()


def test_doctor_sees_no_lost_grades_after_undo_import_or_a_fresh_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    acked = _crash_after_grading(data, 10)
    assert _graded_count(data) == len(acked)  # the WAL was intact: nothing lost
    with Store.open(make_settings(data), now=NOW, tz=UTC) as store:
        store.grade("d/c0000", Rating.Good, NOW + timedelta(days=3))
        store.undo()
        out = tmp_path / "p.json"
        export_progress(store, out, NOW)
        with store.transaction() as con:
            con.execute("DELETE FROM revlog")
        import_progress(store, out, NOW)
        report = run_doctor(store, None, NOW)
        assert report.ok, report.lines()
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(data / f"{DB_NAME}-ack", other / f"{DB_NAME}-ack")  # a stale sidecar
    with Store.open(make_settings(other), now=NOW, tz=UTC) as store:
        assert run_doctor(store, None, NOW).ok


def test_restored_database_opens_in_sqlite_directly(tmp_path: Path) -> None:
    """The restored file is a plain WAL database that any SQLite can read."""
    data = tmp_path / "data"
    with Store.open(make_settings(data), now=NOW, tz=UTC) as store:
        store.sync(make_deck("d", 5), now=NOW)
        backup = store.backup_now("test", NOW)
    restore_backup(data, backup)
    con = sqlite3.connect(data / DB_NAME)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert con.execute("SELECT count(*) FROM cards").fetchone() == (5,)
    con.close()

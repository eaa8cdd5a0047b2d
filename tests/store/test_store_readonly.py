"""A read-only progress folder (issue 16, break 19) and the paths no export may write
(break 5)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from storekit import NOW, make_deck, make_settings

from studytool.store import is_protected_path
from studytool.store.db import DB_NAME
from studytool.store.doctor import run_doctor
from studytool.store.errors import StoreError
from studytool.store.repo import Store
from studytool.store.scheduler import Rating
from studytool.store.stats import compute_stats

CHILD = Path(__file__).with_name("grader_child.py")
ROOT = Path(__file__).resolve().parents[2]
CARDS = make_deck("d", 5)


def _fill(data: Path, crashed: bool) -> None:
    """Progress with two grades; `crashed`: left by a process that never closed it, so the
    -wal and -shm files are still there."""
    with Store.open(make_settings(data), now=NOW, tz=UTC) as store:
        store.sync(CARDS, now=NOW)
        store.grade("d/c000", Rating.Good, NOW)
        store.grade("d/c001", Rating.Again, NOW)
    if crashed:
        path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
        subprocess.run(
            [sys.executable, str(CHILD), str(data), "3", "0", "--no-close"],
            env=dict(os.environ, PYTHONPATH=path),
            capture_output=True,
            timeout=60,
            check=True,
        )
        assert (data / f"{DB_NAME}-wal").exists()


@pytest.fixture(params=["closed", "crashed"])
def read_only_data(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A data folder holding progress, then made read-only: a read-only mount for root
    (who may write anywhere else), a folder without write permission otherwise."""
    crashed = request.param == "crashed"
    if os.geteuid() != 0:
        data = tmp_path / "data"
        _fill(data, crashed)
        data.chmod(0o555)
        yield data
        data.chmod(0o755)
        return
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    made = subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(mnt)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        _fill(mnt / "data", crashed)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        yield mnt / "data"
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_read_only_folder_still_reads(read_only_data: Path) -> None:
    with Store.open(make_settings(read_only_data), now=NOW, tz=UTC) as store:
        assert store.read_only
        assert len(store.records()) >= len(CARDS)
        stats = compute_stats(store, CARDS, NOW)
        assert stats.counts["total"] >= len(CARDS)
        more = [*CARDS, *make_deck("e", 2)]
        assert store.sync(more, now=NOW).added == ("e/c000", "e/c001")  # reported, not written
        assert run_doctor(store, more, NOW).path == str(read_only_data / DB_NAME)


def test_read_only_folder_refuses_writes_with_its_own_message(read_only_data: Path) -> None:
    with (
        Store.open(make_settings(read_only_data), now=NOW, tz=UTC) as store,
        pytest.raises(StoreError) as err,
    ):
        store.grade("d/c002", Rating.Good, NOW)
    msg = str(err.value)
    assert msg.startswith(f"progress directory is read-only: {read_only_data}")
    assert "backup" not in msg and "corrupt" not in msg


def test_missing_database_in_read_only_folder(read_only_data: Path) -> None:
    empty = read_only_data / "backups"  # a read-only folder without a database
    with pytest.raises(StoreError, match=f"progress directory is read-only: {empty}"):
        Store.open(make_settings(empty), now=NOW, tz=UTC)


# ---- break 5: paths no export may write -----------------------------------------------


def test_protected_paths(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(make_settings(data), now=NOW, tz=UTC) as store:
        store.sync(CARDS, now=NOW)
        store.grade("d/c000", Rating.Good, NOW)
        backup = store.backup_now("test", NOW)
        db = data / DB_NAME
        for suffix in ("", "-wal", "-shm", "-journal", "-ack"):
            assert is_protected_path(data / f"{DB_NAME}{suffix}", data)
        assert is_protected_path(backup, data)
        assert is_protected_path(data / "backups" / "new.db", data)
        assert is_protected_path(data / "backups", data)
        assert is_protected_path(data / ".." / "data" / DB_NAME, data)
        link = tmp_path / "link.db"
        link.symlink_to(db)
        assert is_protected_path(link, data)
        hard = tmp_path / "hard.db"
        os.link(db, hard)
        assert is_protected_path(hard, data)
        assert not is_protected_path(data / "export.json", data)
        assert not is_protected_path(tmp_path / "progress.db", data)
        assert not is_protected_path(tmp_path / "elsewhere.csv", data)

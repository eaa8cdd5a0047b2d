"""Put a backup back in place of progress.db, safely.

Copying a backup over progress.db by hand is not enough: a leftover progress.db-wal belongs to
the old file, and SQLite would apply it to the copy ("database disk image is malformed"). So
the current database moves aside together with its -wal and -shm (nothing is deleted), and
the backup is copied in through a temporary file. A CLI command only needs:

    result = restore_backup(settings.data_dir, backup)
    print(f"restored {result.backup}; the previous files are in {result.set_aside}")
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from studytool.fsio import fsync_dir
from studytool.store.backup import backups_dir
from studytool.store.db import SCHEMA_VERSION, TABLES_OF, check_header
from studytool.store.errors import StoreError
from studytool.store.files import DB_NAME, companion, drop_ack, file_id
from studytool.store.replay import void_after_restore
from studytool.store.scheduler import utc_now

# moved aside with the database; the -ack sidecar is dropped (it describes the old log)
_MOVED = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True, slots=True)
class RestoreResult:
    path: Path  # progress.db, now a copy of the backup
    backup: Path
    set_aside: tuple[Path, ...]  # the previous database and its companions, renamed


def restore_backup(
    data_dir: Path | str, backup: Path | str, now: datetime | None = None
) -> RestoreResult:
    """Replace `data_dir/progress.db` with a copy of `backup` (a path, or the name of a file
    in the backups folder).

    The backup is validated first (a studytool database that passes SQLite's quick check).
    Refused while another studytool has the database open. The previous files are renamed to
    `progress-before-restore-<time>.db` (plus -wal/-shm), so the restore can be undone.
    """
    db = Path(data_dir) / DB_NAME
    src = Path(backup)
    if not src.is_file() and (backups_dir(db) / src).is_file():
        src = backups_dir(db) / src
    if not src.is_file():
        raise StoreError(f"{src}: no such backup file")
    current = file_id(db)
    if current is not None and current == file_id(src):
        raise StoreError(f"{src} is the progress database itself; pick a file in backups/")
    _validate(src)
    _check_not_in_use(db)
    stamp = (now or utc_now()).astimezone().strftime("%Y%m%d-%H%M%S")
    tmp = db.with_name(f".{DB_NAME}.restore-{os.getpid()}.tmp")
    try:
        _copy(src, tmp)
        aside = _set_aside(db, stamp)
        try:
            os.link(tmp, db)  # never overwrites: a studytool that started meanwhile wins
        except FileExistsError:
            raise StoreError(
                f"{db} was created by another studytool during the restore; close it and run"
                f" the restore again (your previous files are {', '.join(map(str, aside))})"
            ) from None
    except OSError as e:
        raise StoreError(f"{db}: cannot restore {src} ({e.strerror or e})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    drop_ack(db)
    fsync_dir(db.parent)
    void_after_restore(Path(data_dir), db)
    return RestoreResult(db, src, aside)


def _validate(src: Path) -> None:
    try:
        check_header(src)
    except StoreError:
        raise StoreError(
            f"{src}: not a usable backup (not a SQLite database, or cut short)"
        ) from None
    try:
        con = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check = con.execute("PRAGMA quick_check").fetchone()
            version = con.execute("PRAGMA user_version").fetchone()[0]
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.Error as e:
        raise StoreError(f"{src}: not a usable backup ({e})") from None
    if check is None or check[0] != "ok":
        raise StoreError(f"{src}: the backup failed its integrity check ({check})")
    expected = TABLES_OF.get(version)
    if expected is None or not set(expected) <= names:
        raise StoreError(f"{src}: not a studytool progress database")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{src}: schema v{version} is newer than this studytool understands")


def _check_not_in_use(db: Path) -> None:
    """Every open Store keeps the WAL index busy: an exclusive lock fails at once if one is
    open. A damaged file cannot be probed; it is moved aside all the same."""
    if not db.exists():
        return
    try:
        con = sqlite3.connect(db, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
        con.execute("BEGIN EXCLUSIVE")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        con.execute("ROLLBACK")
    except sqlite3.OperationalError as e:
        if "locked" in str(e).lower() or "busy" in str(e).lower():
            raise StoreError(
                f"{db} is open in another studytool; close it before restoring"
            ) from None
    except sqlite3.DatabaseError:
        pass  # damaged: exactly what a restore is for
    finally:
        con.close()


def _copy(src: Path, tmp: Path) -> None:
    """Through SQLite's backup API (a consistent copy), then WAL mode, then flushed."""
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    source = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(tmp, isolation_level=None)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as e:
        raise StoreError(f"cannot copy {src}: {e}") from None
    finally:
        target.close()
        source.close()
    fd = os.open(tmp, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _set_aside(db: Path, stamp: str) -> tuple[Path, ...]:
    moved: list[Path] = []
    base = db.with_name(f"progress-before-restore-{stamp}.db")
    for suffix in _MOVED:  # the database first: nobody may open it without its WAL
        old = companion(db, suffix)
        if old.exists():
            new = companion(base, suffix)
            os.replace(old, new)
            moved.append(new)
    return tuple(moved)

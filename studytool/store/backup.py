"""Copies of the progress database: one a day (the last 7 kept), and one before risky changes."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

from studytool.fsio import atomic_path
from studytool.store.errors import StoreError

KEEP = 7
BACKUP_DIR = "backups"
_DAILY_RE = re.compile(r"^progress-\d{4}-\d{2}-\d{2}\.db$")
_EVENT_RE = re.compile(r"^progress-\d{4}-\d{2}-\d{2}-\d{6}-[a-z-]+\.db$")


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / BACKUP_DIR


def corrupt_error(path: Path, detail: str) -> StoreError:
    """The message names the file and the newest backup, and how to restore it. A plain copy
    over the file is not enough: SQLite would apply the old file's -wal to the copy."""
    backup = newest_backup(backups_dir(path))
    hint = (
        f"newest backup: {backup} (restore it with `studytool progress restore {backup}`, or"
        f" move {path.name}, {path.name}-wal, {path.name}-shm and {path.name}-ack away, then"
        f" copy the backup to {path.name})"
        if backup
        else "no backup found"
    )
    return StoreError(f"{path}: {detail}; {hint}. The file was left untouched.")


def list_backups(directory: Path) -> list[Path]:
    """All backups, oldest first (names sort by date; mtime breaks ties between kinds)."""
    if not directory.is_dir():
        return []
    found = [p for p in directory.iterdir() if _DAILY_RE.match(p.name) or _EVENT_RE.match(p.name)]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def newest_backup(directory: Path) -> Path | None:
    try:
        backups = list_backups(directory)
    except OSError:
        return None
    return backups[-1] if backups else None


def copy_database(con: sqlite3.Connection, dest: Path) -> Path:
    """A consistent copy through SQLite's backup API (safe while other processes write).

    Written to a temporary name first so that a crash never leaves a half backup behind.
    """
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(dest) as tmp:
            target = sqlite3.connect(tmp)
            try:
                con.backup(target)
            finally:
                target.close()
    except (OSError, sqlite3.Error) as e:
        raise StoreError(f"cannot write backup {dest}: {e}") from None
    return dest


def daily_backup(con: sqlite3.Connection, db_path: Path, today: date) -> Path | None:
    """Back up once per day; returns the new backup, or None when today's exists.

    The source is checked first: copying a damaged database would push good backups out.
    """
    directory = backups_dir(db_path)
    dest = directory / f"progress-{today.isoformat()}.db"
    if dest.exists():
        return None
    row = con.execute("PRAGMA quick_check").fetchone()
    if row is None or row[0] != "ok":
        detail = row[0] if row else "no answer"
        raise corrupt_error(db_path, f"the progress database failed its integrity check ({detail})")
    copy_database(con, dest)
    prune(directory)
    return dest


def event_backup(con: sqlite3.Connection, db_path: Path, reason: str, now: datetime) -> Path:
    """A backup taken before an import, a migration or a reschedule."""
    stamp = now.astimezone().strftime("%Y-%m-%d-%H%M%S")
    dest = backups_dir(db_path) / f"progress-{stamp}-{reason}.db"
    copy_database(con, dest)
    prune(dest.parent)
    return dest


def prune(directory: Path, keep: int = KEEP) -> None:
    """Keep the newest `keep` daily backups and the newest `keep` event backups."""
    backups = list_backups(directory)
    for pattern in (_DAILY_RE, _EVENT_RE):
        group = sorted((p for p in backups if pattern.match(p.name)), key=lambda p: p.name)
        for old in group[:-keep] if len(group) > keep else []:
            with contextlib.suppress(OSError):
                old.unlink()

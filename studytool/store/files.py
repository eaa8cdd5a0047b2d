"""The files around progress.db: its SQLite companions, the acknowledgement sidecar, file
identity, and which paths nothing but the store may ever write.

The sidecar `progress.db-ack` holds the id and time of the last grade a Store acknowledged
(written after the commit, not fsynced: a crash can only leave it behind the database, never
ahead). A database whose review log ends before that id lost committed grades, e.g. because
its -wal file was deleted or damaged: `doctor` compares the two. Revlog ids are AUTOINCREMENT,
so `sqlite_sequence` never goes back, even after an undo or an import.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from studytool.store.backup import BACKUP_DIR

DB_NAME = "progress.db"
# SQLite's own companions, then ours
COMPANIONS = ("-wal", "-shm", "-journal", "-ack")
_ACK_WIDTH = 20


def companion(db_path: Path, suffix: str) -> Path:
    """`progress.db-wal` and friends: SQLite names them by appending to the file name."""
    return db_path.with_name(db_path.name + suffix)


def ack_path(db_path: Path) -> Path:
    return companion(db_path, "-ack")


@dataclass(frozen=True, slots=True)
class Ack:
    revlog_id: int
    time_ms: int


def write_ack(db_path: Path, ack: Ack) -> None:
    """Record the last acknowledged grade. One fixed-width write at offset 0 of a file that
    is never shorter, so a reader never sees a mix of two lengths. Failures are ignored: the
    grade is committed, and a missing sidecar only weakens the doctor's check."""
    data = f"{ack.revlog_id:0{_ACK_WIDTH}d} {ack.time_ms:0{_ACK_WIDTH}d}\n".encode()
    with contextlib.suppress(OSError):
        fd = os.open(ack_path(db_path), os.O_WRONLY | os.O_CREAT, 0o666)
        try:
            os.pwrite(fd, data, 0)
        finally:
            os.close(fd)


def read_ack(db_path: Path) -> Ack | None:
    """The recorded acknowledgement; None when there is none or it is unreadable."""
    try:
        parts = ack_path(db_path).read_text(encoding="ascii").split()
        return Ack(int(parts[0]), int(parts[1]))
    except (OSError, ValueError, IndexError, UnicodeDecodeError):
        return None


def drop_ack(db_path: Path) -> None:
    """A new or restored database starts without one: its log is the truth again."""
    with contextlib.suppress(FileNotFoundError):
        ack_path(db_path).unlink()


FileId = tuple[int, int]


def file_id(path: Path) -> FileId | None:
    """(st_dev, st_ino): the same path naming another file means it was deleted or replaced."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def dir_writable(directory: Path) -> bool:
    """Can we create files in `directory` (for the -wal/-shm files)? Also False on a
    read-only mount, even for root."""
    return os.access(directory, os.W_OK | os.X_OK)


def is_protected_path(path: Path | str, data_dir: Path | str) -> bool:
    """True when `path` is the progress database, one of its companions (-wal, -shm,
    -journal, -ack), or anything in the backups folder: no export may write there.

    Symlinks and `..` are resolved, and an existing hard link to a protected file counts.
    """
    data = Path(data_dir).expanduser().resolve()
    target = Path(path).expanduser().resolve()
    db = data / DB_NAME
    protected = [db, *(companion(db, s) for s in COMPANIONS)]
    if target in protected or target.is_relative_to(data / BACKUP_DIR):
        return True
    for p in protected:
        with contextlib.suppress(OSError):
            if target.exists() and os.path.samefile(target, p):
                return True
    return False

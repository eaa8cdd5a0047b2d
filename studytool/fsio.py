"""Crash-safe file writes: the one way studytool replaces a file.

    atomic_write(path, "text")                 # or bytes
    with atomic_path(path) as tmp:             # for writers that need a file name
        sqlite_or_zip_writer(tmp)

The data goes to a temporary file in the target's folder, is flushed to disk, renamed over
the target, and the folder entry is flushed too: after a crash or power loss the target holds
either the old or the new content, never a mix. A failure removes the temporary file and
leaves the old file as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_write"]


def atomic_write(path: Path | str, data: str | bytes, *, encoding: str = "utf-8") -> None:
    """Replace `path` with `data` (text is encoded with `encoding`, line endings kept)."""
    raw = data.encode(encoding) if isinstance(data, str) else data
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        f.write(raw)


@contextlib.contextmanager
def atomic_path(path: Path | str, *, replace: bool = True) -> Iterator[Path]:
    """Yield the name of a new, empty temporary file next to `path`; when the block ends
    without an error, it becomes `path`.

    An existing target keeps its permissions (a new one gets the default ones, as `open`
    would give it), and a symlink keeps pointing at the file it names, which is replaced.
    With `replace=False` an existing `path` is never overwritten: whoever created it first
    wins and the temporary file is dropped.
    """
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()
    mode = None
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(target.stat().st_mode)
    tmp = _create_temp(target)
    try:
        yield tmp
        _fsync(tmp, os.O_RDWR)
        if mode is not None:
            os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, target)
        else:
            _link_new(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    # the rename lives in the folder: without this a power loss can bring the old file back
    fsync_dir(target.parent)


def fsync_dir(directory: Path) -> None:
    """Make the folder's entries (a rename, a new file) durable; best effort, since some
    filesystems cannot open a folder for fsync."""
    with contextlib.suppress(OSError):
        _fsync(directory, os.O_RDONLY)


def _create_temp(target: Path) -> Path:
    """A new empty file beside `target`. O_EXCL with a random name: never someone else's
    file; mode 0o666 so the umask decides, as for any new file."""
    while True:
        # os.urandom, not secrets: importing secrets (and hmac) would cost every start-up
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_new(tmp: Path, target: Path) -> None:
    # os.link never overwrites, unlike a rename
    try:
        os.link(tmp, target)
    except FileExistsError:
        pass
    except OSError:
        # filesystems without hard links: a rename, unless the target appeared meanwhile
        if not target.exists():
            os.replace(tmp, target)


# ---- the one bounded reader for input files (decks, notes, CSV, progress exports, config) ----
# Only regular files are read: a FIFO would block and a device such as /dev/zero never ends. The
# size limit applies to the bytes actually read, since `st_size` is 0 for pipes and devices and
# a file may grow while it is read.


class InputFileError(Exception):
    """A file that cannot be read as input; the message does not repeat the file name."""


class InputTooLarge(InputFileError):
    def __init__(self, size: int | None, limit: int) -> None:
        self.size, self.limit = size, limit
        told = f"{size / 2**20:.1f} MB" if size is not None else "larger than that"
        super().__init__(f"file is {told}; at most {limit / 2**20:g} MB can be read")


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them.

    Raises FileNotFoundError, other OSErrors, InputFileError for a directory, pipe or device,
    and InputTooLarge past the limit."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer; it changes nothing for a file.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    if stat.S_ISDIR(os.stat(path).st_mode):
        raise InputFileError("is a directory, not a file")
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError("is not a regular file (a pipe or a device): save it as a file")
        if st.st_size > limit:
            raise InputTooLarge(st.st_size, limit)
        data = f.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(None, limit)
    return data

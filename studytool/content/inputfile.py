"""The one bounded reader for input files (decks, notes, CSV files, progress exports).

Only regular files are read: a FIFO would block and a device such as /dev/zero never ends. The
size limit applies to the bytes actually read, since `st_size` is 0 for pipes and devices and a
file may grow while it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from studytool.content.model import Problem


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


def read_deck_text(path: Path, limit: int, problems: list[Problem]) -> str | None:
    """The file's text, or None with a located problem: too large, unreadable, not UTF-8, empty."""
    try:
        data = read_limited(path, limit)
    except InputTooLarge as e:
        told = f"{e.size / 2**20:.1f} MB" if e.size is not None else "too large"
        problems.append(
            Problem(
                path,
                1,
                1,
                f"file is {told}; a deck may be at most"
                f" {limit // 2**20} MB: split it into several decks",
            )
        )
        return None
    except InputFileError as e:
        problems.append(Problem(path, 1, 1, f"cannot read file: it {e}"))
        return None
    except OSError as e:
        problems.append(Problem(path, 1, 1, f"cannot read file: {e.strerror or e}"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        problems.append(
            Problem(
                path, line, col, f"file is not UTF-8 (byte 0x{data[e.start]:02x}): save it as UTF-8"
            )
        )
        return None
    return text

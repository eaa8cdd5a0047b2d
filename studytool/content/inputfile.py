"""A deck file's text through the one bounded reader (`studytool.fsio.read_limited`), with
every failure as a located problem."""

from __future__ import annotations

from pathlib import Path

from studytool.content.model import Problem
from studytool.fsio import InputFileError, InputTooLarge, read_limited


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

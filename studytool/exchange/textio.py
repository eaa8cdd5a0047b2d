"""Reading text files in the encodings students save notes in, and writing files atomically."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from studytool.fsio import InputFileError, InputTooLarge, atomic_path, read_limited
from studytool.textsafe import safe_path

MAX_BYTES = 4 * 1024 * 1024
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


class ExchangeError(Exception):
    """Bad input or a file that cannot be written: one line for the user."""


def read_text(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with.

    UTF-8 first, then UTF-8 with a byte order mark, then CP949 (a superset of EUC-KR), which
    Korean Windows editors still use for notes and Excel for CSV files."""
    try:
        data = read_limited(path, MAX_BYTES)
    except FileNotFoundError:
        raise ExchangeError(f"{safe_path(path)}: no such file") from None
    except InputTooLarge as e:
        raise ExchangeError(f"{safe_path(path)}: {e}") from None
    except InputFileError as e:
        raise ExchangeError(f"{safe_path(path)} {e}") from None
    except OSError as e:
        raise ExchangeError(f"cannot read {safe_path(path)}: {e.strerror or e}") from None
    if b"\x00" in data:
        raise ExchangeError(f"{safe_path(path)} looks like a binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as e:
            raise _not_text(path, data, e.start + 3) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as e:
        first_bad = e.start
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        raise _not_text(path, data, first_bad) from None
    # Latin-1 or other legacy text often decodes as CP949 too, into random Hanja: demand Hangul.
    if not _HANGUL.search(text):
        raise _not_text(path, data, first_bad)
    return text, "CP949/EUC-KR"


def _not_text(path: Path, data: bytes, at: int) -> ExchangeError:
    line = data.count(b"\n", 0, at) + 1
    return ExchangeError(
        f"{safe_path(path)}:{line}: not UTF-8 or CP949/EUC-KR text (byte 0x{data[at]:02x}):"
        " save it as UTF-8"
    )


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Let `write` fill a temporary file next to `path`, then move it into place.

    A failure (or a validation error raised by `write`) leaves the old file untouched."""
    if not path.parent.is_dir():
        raise ExchangeError(f"directory {safe_path(path.parent)} does not exist")
    try:
        with atomic_path(path) as tmp:
            write(tmp)
    except OSError as e:
        raise ExchangeError(f"cannot write {safe_path(path)}: {e.strerror or e}") from None

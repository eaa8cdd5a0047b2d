"""The TUI's error log: a traceback the user can send, written where the progress lives.

An unexpected error in a screen is shown as a one-line notification that names this file, so
the app never prints a traceback over the screen and never dies from one bad handler."""

from __future__ import annotations

import traceback
from datetime import UTC, datetime
from pathlib import Path

from studytool.textsafe import one_line, visible

LOG_NAME = "tui-errors.log"
# the log is rotated (one old copy kept) once it grows past this
MAX_LOG_BYTES = 1_000_000


def error_log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / LOG_NAME


def write_error_log(path: Path, error: BaseException) -> str:
    """Append the traceback of `error` to the log at `path`; the path to show the user, or why
    the log could not be written (the error itself must still be reported). Control characters
    are escaped: the message may hold deck text, and the log is meant to be printed."""
    trace = visible("".join(traceback.format_exception(error)))
    entry = f"--- {datetime.now(UTC).isoformat(timespec='seconds')}\n{trace}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size > MAX_LOG_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        with path.open("a", encoding="utf-8", errors="backslashreplace") as f:
            f.write(entry)
    except OSError as e:
        return f"(the error log could not be written: {one_line(str(e))})"
    return one_line(str(path))


def error_summary(error: BaseException) -> str:
    """One line for the user: the kind of error and its message, control characters escaped."""
    message = str(error)
    return one_line(f"{type(error).__name__}: {message}" if message else type(error).__name__)

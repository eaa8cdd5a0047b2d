"""The review log on disk: one JSON line per progress event, in per-device monthly files.

    <data dir>/device-id                                  made once, never changed
    <data dir>/progress/devices/<device>/<YYYY-MM>.jsonl  this device appends, others only read

Events name cards by review key and carry UTC epoch ms (`t`), a unique id that sorts by time
(`<t, 13 digits>-<device>-<random>`), the event `type` and the scheduler version (`sched`).
Types: review (rating, mode, dur), void (target: the id of the event taken back), suspend,
unsuspend, bury (until), unbury; quiz (one finished quiz: started, dur, decks, tags, settings,
score, questions as [key, kind, score, dur, answer]; `key` is "": it names no card) and flag
(a card missed in a quiz, sent to the next review; quiz: the quiz's id); prediction (demo,
concept, q: the question id, guess, answer, correct: a scored guess before a demo run, logged
against the question's card; it never changes the card's FSRS state), and retention (value:
the desired retention from then on, for every card: key "*"). A review scheduled by load
balancing carries `due`, the day it chose (replay keeps it while it lies inside the fuzz
range). Reviews moved from an older database carry `cid`, the fuzz seed they were scheduled
with (its row id), so their replay gives the intervals they got.

A device only appends to its own files, so files of several devices merge in git without
conflicts. Appends take an exclusive lock on the file (two windows on one machine) and are
fsynced before the call returns. Lines are never rewritten: a damaged one is reported with
its file and line number, and skipped.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import itertools
import json
import math
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studytool.fsio import fsync_dir

PROGRESS_DIR = "progress"
DEVICES_DIR = "devices"
DEVICE_FILE = "device-id"
QUIZ_TYPES = frozenset({"quiz", "flag"})  # store/replay.py replays them
EVENT_TYPES = (
    frozenset(
        {"review", "void", "suspend", "unsuspend", "bury", "unbury", "prediction", "retention"}
    )
    | QUIZ_TYPES
)
ALL_CARDS = "*"  # the key of an event about every card (retention)

Event = dict[str, Any]
_RATINGS = (1, 2, 3, 4)  # tuples: a list or dict in a damaged line is not hashable
_MODES = ("review", "cram", "quiz")


def progress_dir(data_dir: Path) -> Path:
    return data_dir / PROGRESS_DIR


def device_id(data_dir: Path) -> str:
    """This machine's device id, made on first use (12 hex digits, stored in the data dir).
    Created with O_EXCL, so two first starts at once agree on one id."""
    path = data_dir / DEVICE_FILE
    with contextlib.suppress(FileNotFoundError):
        text = path.read_text(encoding="ascii").strip()
        if text:
            return text
    data_dir.mkdir(parents=True, exist_ok=True)
    new = secrets.token_hex(6)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip() or new
    try:
        os.write(fd, (new + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return new


_SEQ = itertools.count()
_PROCESS = secrets.token_hex(3)  # two windows of one device may write in the same ms


def event_id(t_ms: int, device: str) -> str:
    """Unique and sorted by time, so (t, id) orders events the same way on every machine.
    Within one process a counter keeps events of the same ms in the order they happened
    (a suspend and its unsuspend must not swap on replay)."""
    return f"{t_ms:013d}-{device}-{next(_SEQ):012d}-{_PROCESS}"


def month_of(t_ms: int) -> str:
    return datetime.fromtimestamp(t_ms / 1000, UTC).strftime("%Y-%m")


def encode(event: Event) -> bytes:
    # sorted keys, no spaces: a line's bytes depend only on the event
    return (json.dumps(event, sort_keys=True, separators=(",", ":")) + "\n").encode()


class EventLog:
    """The event files of the data dir `data_dir`, written as this machine's device."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.root = progress_dir(data_dir)

    @functools.cached_property
    def device(self) -> str:
        # made on the first write, so reading a read-only folder never needs it
        return device_id(self.data_dir)

    @property
    def own_dir(self) -> Path:
        return self.root / DEVICES_DIR / self.device

    def append(self, events: Iterable[Event]) -> None:
        """Append events to this device's files (grouped by month), locked and fsynced."""
        by_month: dict[str, list[bytes]] = {}
        for e in events:
            by_month.setdefault(month_of(int(e["t"])), []).append(encode(e))
        if not by_month:
            return
        made = not self.own_dir.is_dir()
        self.own_dir.mkdir(parents=True, exist_ok=True)
        for month, lines in sorted(by_month.items()):
            path = self.own_dir / f"{month}.jsonl"
            new_file = not path.exists()
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                _complete_last_line(fd)
                data = b"".join(lines)
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            finally:
                os.close(fd)  # releases the lock
            if new_file:
                fsync_dir(path.parent)
        if made:
            for d in (self.own_dir.parent, self.root):
                fsync_dir(d)

    def files(self) -> list[Path]:
        """Every device's event files, in a fixed order."""
        base = self.root / DEVICES_DIR
        if not base.is_dir():
            return []
        return sorted(base.glob("*/*.jsonl"))

    def read(self) -> LogRead:
        """Every valid event of every device, and the damaged lines (skipped)."""
        result = LogRead()
        for path in self.files():
            read_file(path, result)
        return result


@dataclass
class LogRead:
    events: list[Event] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)  # "file:line: why"

    def sorted(self) -> list[Event]:
        """Unique events in (time, id) order (a line seen twice after a merge counts once)."""
        seen: dict[str, Event] = {}
        for e in self.events:
            seen.setdefault(e["id"], e)
        return sorted(seen.values(), key=lambda e: (e["t"], e["id"]))


def read_file(path: Path, into: LogRead) -> None:
    try:
        data = path.read_bytes()
    except OSError as e:
        into.bad.append(f"{path}: cannot read ({e.strerror})")
        return
    lines = [raw for raw in data.split(b"\n") if raw.strip()]
    # the usual case, a file of valid lines, parses as one JSON array (a third of the time of
    # a parse per line); any damage falls back to the lines one by one, for the line numbers
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        events = json.loads(b"[" + b",".join(lines) + b"]")
        if len(events) == len(lines) and not any(_invalid(e) for e in events):
            into.events.extend(events)
            return
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            event = json.loads(raw)
            problem = _invalid(event)
        except (ValueError, UnicodeDecodeError):
            problem = "not a JSON line (truncated or corrupt)"
        if problem:
            into.bad.append(f"{path}:{n}: {problem}")
        else:
            into.events.append(event)


def _invalid(e: Any) -> str | None:
    if not isinstance(e, dict):
        return "not a JSON object"
    if not isinstance(e.get("id"), str) or not isinstance(e.get("t"), int):
        return "missing id or time"
    kind = e.get("type")
    if not isinstance(kind, str) or kind not in EVENT_TYPES:  # a list is not hashable
        return f"unknown event type {kind!r}"
    if not isinstance(e.get("key"), str):
        return "missing card key"
    if kind == "review":  # most lines: checked first
        if e.get("rating") not in _RATINGS or e.get("mode") not in _MODES:
            return "bad rating or mode"
        return None if isinstance(e.get("due", 0), int) else "review with a bad due time"
    if kind == "retention" and not (
        isinstance(e.get("value"), float) and 0.7 <= e["value"] <= 0.99
    ):
        return "retention without a value in 0.7..0.99"
    if kind == "void" and not isinstance(e.get("target"), str):
        return "void without a target"
    if kind == "bury" and not isinstance(e.get("until"), int):
        return "bury without an end time"
    if kind == "quiz":
        return _invalid_quiz(e)
    if kind == "prediction":
        return _invalid_prediction(e)
    return None


def _invalid_prediction(e: Event) -> str | None:
    if not all(isinstance(e.get(k), str) and e[k] for k in ("demo", "q")):
        return "prediction without its demo or question"
    if not isinstance(e.get("concept"), str):
        return "prediction without a concept"
    for k in ("guess", "answer"):
        v = e.get(k)
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            return f"prediction with a bad {k}"
    if not isinstance(e.get("correct"), bool):
        return "prediction without a result"
    return None


def _invalid_quiz(e: dict[str, Any]) -> str | None:
    ints = all(isinstance(e.get(k), int) for k in ("started", "dur"))
    lists = all(
        isinstance(e.get(k), list) and all(isinstance(x, str) for x in e[k])
        for k in ("decks", "tags")
    )
    questions = e.get("questions")
    rows = isinstance(questions, list) and all(
        isinstance(q, list) and len(q) == 5 and isinstance(q[0], str) and isinstance(q[1], str)
        for q in questions
    )
    score = isinstance(e.get("score"), int | float) and isinstance(e.get("settings"), str)
    return None if ints and lists and rows and score else "bad quiz record"


def _complete_last_line(fd: int) -> None:
    """A line cut short by a crash would swallow the next event: end it first (the damaged
    line stays as it is and is reported when read)."""
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")

"""A JSON cache of validated decks, so start-up skips YAML parsing of unchanged files.

Where: `decks.json` in the user cache directory, or in `$STUDYTOOL_CACHE` when that is set.

A cache, never a source of truth: an entry is used only when the file's SHA-256, the loader's own
source files and the set of demo names are unchanged, and its deck decodes against the model's
field types and the loader's rules for ids and text. A cache file of any other shape, or an entry
that fails, is discarded and the deck is parsed again. It is bounded: entries whose files are
gone are dropped, and the least recently used go first past MAX_ENTRIES or MAX_CACHE_BYTES.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import time
import types
from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from studytool.content import model
from studytool.fsio import InputFileError, atomic_write, read_limited
from studytool.textsafe import CONTROL_RE

_CODE = ("model.py", "loader.py", "nodes.py", "spec.py", "expr.py", "draws.py", "cache.py")
MAX_ENTRIES = 500
MAX_CACHE_BYTES = 4 * 2**20  # the cache is read on every start: keep it quick to parse
MAX_DECK_BYTES = 2 * 2**20  # larger files are refused by the loader, so never cached


class _Bad(Exception):
    """A cached value that does not fit the model."""


def cache_path() -> Path:
    env = os.environ.get("STUDYTOOL_CACHE")
    if env:
        return Path(env) / "decks.json"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("studytool")) / "decks.json"


def _encode(obj: Any) -> Any:
    if is_dataclass(obj):
        # Fields at their default are left out: a smaller file is quicker to parse on each start.
        values = {f.name: (getattr(obj, f.name), f.default) for f in fields(obj)}
        # repr tells False from 0 and -0.0 from 0.0, which == does not.
        out = {k: _encode(v) for k, (v, default) in values.items() if repr(v) != repr(default)}
        out["__t"] = type(obj).__name__
        return out
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [_encode(x) for x in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


# A decoder reads one JSON value as one type of the model, or raises _Bad. It appends every
# string it accepts to `strs`, so the control-character check is one regex search per deck.
_Decoder = Callable[[Any, list[str]], Any]


@cache
def _decoder(hint: Any) -> _Decoder:
    """The decoder for `hint` (a type from the model's annotations), built once from it."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return _union([_decoder(arg) for arg in get_args(hint) if arg is not type(None)],
                      optional=type(None) in get_args(hint))  # fmt: skip
    if origin is tuple:
        item = _decoder(get_args(hint)[0])

        def decode_tuple(obj: Any, strs: list[str]) -> tuple[Any, ...]:
            if type(obj) is not list:
                raise _Bad
            return tuple([item(x, strs) for x in obj])

        return decode_tuple
    if is_dataclass(hint):
        return _dataclass(hint)
    if isinstance(hint, type) and issubclass(hint, Enum):
        members: dict[Any, Enum] = {m.value: m for m in hint}

        def decode_enum(obj: Any, strs: list[str]) -> Enum:
            if type(obj) is not str or obj not in members:
                raise _Bad
            return members[obj]

        return decode_enum
    if hint in _SCALARS:
        return _SCALARS[hint]
    raise TypeError(f"the deck cache cannot decode {hint!r}")  # a new field type in model.py


def _union(options: list[_Decoder], optional: bool) -> _Decoder:
    if optional and len(options) == 1:
        only = options[0]
        return lambda obj, strs: None if obj is None else only(obj, strs)

    def decode_union(obj: Any, strs: list[str]) -> Any:
        if optional and obj is None:
            return None
        for option in options:
            seen = len(strs)
            try:
                return option(obj, strs)
            except _Bad:
                del strs[seen:]  # only the strings of the option that fits are checked
        raise _Bad

    return decode_union


def _dataclass(cls: Any) -> _Decoder:
    """Exactly the class's fields, tagged with its name; a field without a default must be
    there (_encode leaves out the others when they hold their default)."""
    hints = get_type_hints(cls)
    plan = {name: _decoder(hint) for name, hint in hints.items()}
    required = {f.name for f in fields(cls) if f.default is MISSING}
    allowed = {*hints, "__t"}
    name = cls.__name__

    def decode_object(obj: Any, strs: list[str]) -> Any:
        if type(obj) is not dict or obj.get("__t") != name:
            raise _Bad
        keys = obj.keys()
        if not keys <= allowed or not keys >= required:
            raise _Bad
        return cls(**{k: plan[k](v, strs) for k, v in obj.items() if k != "__t"})

    return decode_object


def _str(obj: Any, strs: list[str]) -> str:
    if type(obj) is not str:
        raise _Bad
    strs.append(obj)
    return obj


def _path(obj: Any, strs: list[str]) -> Path:
    return Path(_str(obj, strs))


def _bool(obj: Any, strs: list[str]) -> bool:
    if obj is not True and obj is not False:
        raise _Bad
    return obj


def _int(obj: Any, strs: list[str]) -> int:
    if type(obj) is not int or not -model.MAX_INT <= obj <= model.MAX_INT:
        raise _Bad
    return obj


def _float(obj: Any, strs: list[str]) -> float:
    if type(obj) is not float and type(obj) is not int:
        raise _Bad
    try:
        value = float(obj)
    except OverflowError:  # an int too large for a float
        raise _Bad from None
    if not math.isfinite(value):
        raise _Bad
    return value


_SCALARS: dict[Any, _Decoder] = {str: _str, Path: _path, bool: _bool, int: _int, float: _float}


def _consistent(deck: model.Deck) -> bool:
    """The loader's invariants that later code relies on without checking them again."""
    ids = [deck.id, *(c.id for c in deck.cards)]
    if not all(model.ID_RE.fullmatch(i) for i in ids) or len(set(ids[1:])) != len(ids) - 1:
        return False
    for card in deck.cards:
        n = len(card.choices)
        if card.deck != deck.id or any(not 0 <= i < n for i in card.answer_indices):
            return False
        if card.answer_index is not None and not 0 <= card.answer_index < n:
            return False
    return True


def decode_deck(obj: Any) -> model.Deck | None:
    """A cached deck, or None when it does not fit the model exactly."""
    strs: list[str] = []
    try:
        deck = _decoder(model.Deck)(obj, strs)
    except _Bad:
        return None
    # Newlines are allowed in deck text, so the joined strings hold a control character only
    # where one of them does.
    if CONTROL_RE.search("\n".join(strs)) or not _consistent(deck):
        return None
    return deck


def _fingerprint(demos: frozenset[str] | None) -> str:
    here = Path(__file__).parent
    stats = [(here / name).stat() for name in _CODE]
    code = ",".join(f"{s.st_mtime_ns}:{s.st_size}" for s in stats)
    return f"{code}|{','.join(sorted(demos)) if demos is not None else '*'}"


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(read_limited(path, MAX_DECK_BYTES)).hexdigest()
    except (OSError, InputFileError):
        return None


class DeckCache:
    def __init__(self, demos: frozenset[str] | None) -> None:
        self.path = cache_path()
        self.fingerprint = _fingerprint(demos)
        self.entries: dict[str, dict[str, Any]] = {}
        self.used: set[str] = set()  # entries read or written in this run: kept first
        self.dirty = False
        with contextlib.suppress(OSError, InputFileError, ValueError, RecursionError):
            data = json.loads(read_limited(self.path, MAX_CACHE_BYTES))
            if isinstance(data, dict) and data.get("fingerprint") == self.fingerprint:
                files = data.get("files")
                if isinstance(files, dict):
                    self.entries = {k: v for k, v in files.items() if _entry_shape(v)}

    def get(self, path: Path) -> model.Deck | None:
        entry = self.entries.get(str(path))
        if entry is None or entry["sha256"] != _digest(path):
            return None
        deck = decode_deck(entry["deck"])
        if deck is None or deck.path != path:
            del self.entries[str(path)]  # tampered or foreign: parse the file again
            self.dirty = True
            return None
        self.used.add(str(path))
        entry["used"] = int(time.time())
        return deck

    def put(self, path: Path, deck: model.Deck) -> None:
        digest = _digest(path)
        if digest is not None:
            self.entries[str(path)] = {
                "sha256": digest,
                "used": int(time.time()),
                "deck": _encode(deck),
            }
            self.used.add(str(path))
            self.dirty = True

    def _kept(self) -> dict[str, dict[str, Any]]:
        """The entries to save: files that still exist, this run's first, then the most
        recently used, within MAX_ENTRIES and MAX_CACHE_BYTES."""
        order = sorted(self.entries, key=lambda k: (k not in self.used, -self.entries[k]["used"]))
        kept: dict[str, dict[str, Any]] = {}
        size = 0
        for key in order:
            if len(kept) >= MAX_ENTRIES:
                break
            if not Path(key).is_file():
                continue
            cost = len(json.dumps({key: self.entries[key]}, ensure_ascii=False).encode())
            if size + cost > MAX_CACHE_BYTES - 1024:  # room for the fingerprint
                continue
            kept[key] = self.entries[key]
            size += cost
        return kept

    def save(self) -> None:
        """Atomic write; a cache that cannot be written is simply not used next time."""
        if not self.dirty and all(Path(k).is_file() for k in self.entries):
            return
        kept = self._kept()
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = {"fingerprint": self.fingerprint, "files": kept}
            atomic_write(self.path, json.dumps(data, ensure_ascii=False))
            self.entries, self.dirty = kept, False


def _entry_shape(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("used"), int)
        and not isinstance(entry.get("used"), bool)
        and isinstance(entry.get("deck"), dict)
    )

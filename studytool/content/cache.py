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
from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from studytool.content import model
from studytool.content.inputfile import InputFileError, read_limited
from studytool.fsio import atomic_write
from studytool.textsafe import find_control

_CLASSES = {c.__name__: c for c in (model.Text, model.Source, model.Errata, model.GenVar,
                                    model.Card, model.Deck)}  # fmt: skip
_HINTS = {name: get_type_hints(cls) for name, cls in _CLASSES.items()}
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
        out = {f.name: _encode(getattr(obj, f.name)) for f in fields(obj)}
        out["__t"] = type(obj).__name__
        return out
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [_encode(x) for x in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


def _decode(obj: Any, hint: Any) -> Any:
    """`obj` read back as `hint` (a type from the model's annotations), or _Bad."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        if obj is None and type(None) in get_args(hint):
            return None
        for arg in get_args(hint):
            with contextlib.suppress(_Bad):
                return _decode(obj, arg)
        raise _Bad
    if origin is tuple:
        if not isinstance(obj, list):
            raise _Bad
        return tuple(_decode(x, get_args(hint)[0]) for x in obj)
    if isinstance(hint, type) and hint.__name__ in _CLASSES:
        return _decode_object(obj, hint.__name__)
    if hint is bool:
        ok = isinstance(obj, bool)
    elif hint is int:
        ok = isinstance(obj, int) and not isinstance(obj, bool) and abs(obj) <= model.MAX_INT
    elif hint is float:
        ok = isinstance(obj, int | float) and not isinstance(obj, bool) and math.isfinite(obj)
        obj = float(obj) if ok else obj
    elif hint is str or hint is Path:
        ok = isinstance(obj, str) and find_control(obj) is None
        obj = Path(obj) if ok and hint is Path else obj
    elif isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(obj)
        except ValueError:
            raise _Bad from None
    else:
        ok = False
    if not ok:
        raise _Bad
    return obj


def _decode_object(obj: Any, name: str) -> Any:
    hints = _HINTS[name]
    if not isinstance(obj, dict) or obj.get("__t") != name or obj.keys() - {"__t"} != hints.keys():
        raise _Bad
    return _CLASSES[name](**{k: _decode(obj[k], hint) for k, hint in hints.items()})


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
    try:
        deck = _decode_object(obj, "Deck")
    except (_Bad, RecursionError):
        return None
    return deck if _consistent(deck) else None


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

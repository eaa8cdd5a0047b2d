"""A JSON cache of validated decks, so start-up skips YAML parsing of unchanged files.

An entry is used only when the file's mtime and size, the loader's own source files and the set
of demo names are all unchanged; anything unreadable is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from studytool.content import model
from studytool.fsio import atomic_write

_CLASSES = {c.__name__: c for c in (model.Text, model.Source, model.Errata, model.GenVar,
                                    model.Card, model.Deck)}  # fmt: skip
_PATH_FIELDS = {"path", "overrides"}
_CODE = ("model.py", "loader.py", "spec.py", "expr.py", "cache.py")


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


def _decode(obj: Any, key: str = "") -> Any:
    if isinstance(obj, dict):
        cls = _CLASSES[obj["__t"]]
        return cls(**{k: _decode(v, k) for k, v in obj.items() if k != "__t"})
    if isinstance(obj, list):
        return tuple(_decode(x) for x in obj)
    if key in _PATH_FIELDS and obj is not None:
        return Path(obj)
    if key == "type":
        return model.CardType(obj)
    return obj


def _fingerprint(demos: frozenset[str] | None) -> str:
    here = Path(__file__).parent
    stats = [(here / name).stat() for name in _CODE]
    code = ",".join(f"{s.st_mtime_ns}:{s.st_size}" for s in stats)
    return f"{code}|{','.join(sorted(demos)) if demos is not None else '*'}"


class DeckCache:
    def __init__(self, demos: frozenset[str] | None) -> None:
        self.path = cache_path()
        self.fingerprint = _fingerprint(demos)
        self.entries: dict[str, Any] = {}
        self.dirty = False
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("fingerprint") == self.fingerprint:
                self.entries = data["files"]

    @staticmethod
    def _stamp(path: Path) -> list[int]:
        st = path.stat()
        return [st.st_mtime_ns, st.st_size]

    def get(self, path: Path) -> model.Deck | None:
        entry = self.entries.get(str(path))
        try:
            if entry is None or entry["stamp"] != self._stamp(path):
                return None
            return _decode(entry["deck"])
        except (OSError, KeyError, TypeError, ValueError):
            return None

    def put(self, path: Path, deck: model.Deck) -> None:
        with contextlib.suppress(OSError):
            self.entries[str(path)] = {"stamp": self._stamp(path), "deck": _encode(deck)}
            self.dirty = True

    def save(self) -> None:
        """Atomic write; a cache that cannot be written is simply not used next time."""
        if not self.dirty:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = {"fingerprint": self.fingerprint, "files": self.entries}
            atomic_write(self.path, json.dumps(data, ensure_ascii=False))

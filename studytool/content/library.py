"""Content discovery: built-in decks plus user decks, with user decks overriding built-ins."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from pathlib import Path

from studytool._paths import content_dir, demos_dir
from studytool.content.cache import DeckCache
from studytool.content.model import LoadResult, Problem
from studytool.textsafe import safe_path


def load_deck(path: Path, demos: Collection[str] | None):
    """The YAML loader, imported only when the cache misses: start-up skips it."""
    from studytool.content.loader import load_deck as load

    return load(path, demos)


DECK_SUFFIXES = (".yaml", ".yml")


def demo_names() -> set[str]:
    """Names of the shipped demos, read from file names: no demo code is imported."""
    return {p.stem for p in demos_dir().glob("*.py") if not p.stem.startswith("_")}


def deck_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in DECK_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(path, 1, 1, "no such file or directory"))
    return list(dict.fromkeys(files)), problems


def load_paths(
    paths: Iterable[Path],
    demos: Collection[str] | None = None,
    builtin: bool = False,
    result: LoadResult | None = None,
    cache: DeckCache | None = None,
) -> LoadResult:
    """Load every deck under `paths` into `result`, reporting duplicate deck ids."""
    result = result or LoadResult()
    files, problems = deck_files(paths)
    result.problems += problems
    where = {d.id: d.path for d in result.decks}
    for path in files:
        cached = cache.get(path) if cache else None
        if cached is not None:
            deck, deck_problems, id_node = cached, [], None
        else:
            deck, deck_problems, id_node = load_deck(path, demos)
            if deck is not None and cache:
                cache.put(path, deck)
        result.problems += deck_problems
        if deck is None:
            result.broken[_broken_name(path, id_node)] = len(deck_problems)
            continue
        deck = replace(deck, builtin=builtin)
        if deck.id in where:
            other = next(d for d in result.decks if d.id == deck.id)
            if other.builtin and not builtin:
                result.decks[result.decks.index(other)] = replace(deck, overrides=other.path)
                where[deck.id] = path
                continue
            if id_node is None:  # cached: parse again to locate the duplicate id
                id_node = load_deck(path, demos)[2]
            line = id_node.start_mark.line + 1 if id_node else 1
            col = id_node.start_mark.column + 1 if id_node else 1
            result.problems.append(
                Problem(
                    path,
                    line,
                    col,
                    f"duplicate deck id '{deck.id}' (also in {safe_path(where[deck.id])})",
                )
            )
            result.broken[deck.id] = 1
            continue
        where[deck.id] = path
        result.decks.append(deck)
    return result


def load_library(user_dirs: Iterable[Path] = (), builtin: bool = True) -> LoadResult:
    """Built-in decks first, then user decks (which may override a built-in deck by id)."""
    demos = demo_names()
    cache = DeckCache(frozenset(demos))
    result = LoadResult()
    if builtin:
        load_paths([content_dir()], demos, builtin=True, result=result, cache=cache)
    load_paths(list(user_dirs), demos, result=result, cache=cache)
    cache.save()
    return result


def _broken_name(path: Path, id_node) -> str:
    value = getattr(id_node, "value", None)
    return value if isinstance(value, str) and value else path.stem

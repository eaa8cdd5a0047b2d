"""The deck cache returns exactly what the loader builds, and notices every change."""

from __future__ import annotations

import os
from pathlib import Path

from studytool.content.cache import DeckCache
from studytool.content.library import load_library, load_paths
from studytool.content.loader import load_deck

DECK = """\
deck: mine
title: {en: Mine, ko: 내 덱}
cards:
  - id: one
    type: reversed
    front: {en: Front, ko: 앞면}
    back: Back
    source: {note: n.txt, quote: q, line: 3}
    errata: {quote: wrong, correction: {en: right, ko: 맞음}, reference: ref}
  - id: gen
    type: numeric
    question: Q
    vars: {k: [1, 3], c: {min: 1, max: 4}}
    compute: k*c
"""


def test_round_trip_equals_fresh_load(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(DECK, encoding="utf-8")
    fresh, problems, _ = load_deck(path, set())
    assert fresh is not None and not problems
    cache = DeckCache(frozenset())
    cache.put(path, fresh)
    cache.save()
    assert DeckCache(frozenset()).get(path) == fresh


def test_cache_is_invalidated_by_edits_and_demo_names(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(DECK, encoding="utf-8")
    first = load_library([tmp_path], builtin=False)
    assert first.decks[0].cards[0].back.en == "Back"
    path.write_text(DECK.replace("Back", "Changed back"), encoding="utf-8")
    os.utime(path, ns=(1, 1))
    second = load_library([tmp_path], builtin=False)
    assert second.decks[0].cards[0].back.en == "Changed back"
    assert DeckCache(frozenset({"other"})).entries == {}


def test_duplicate_ids_are_located_even_when_cached(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(DECK, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(DECK, encoding="utf-8")
    cache = DeckCache(frozenset())
    for _ in range(2):
        result = load_paths([tmp_path], set(), cache=cache)
        assert [str(p) for p in result.problems] == [
            f"{tmp_path / 'b.yaml'}:1:7: duplicate deck id 'mine' (also in {tmp_path / 'a.yaml'})"
        ]

"""The deck cache is a cache (issue 16): bounded, pruned, validated on read, never trusted."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from studytool.content import cache as cache_module
from studytool.content.cache import DeckCache, cache_path
from studytool.content.library import demo_names, load_library
from studytool.content.loader import load_deck

DECK = """\
deck: mine
title: {en: Mine, ko: 내 덱}
cards:
  - id: q
    type: mcq
    question: Pick one
    choices: [a, b]
    answer: 1
"""


def cached_file(tmp_path: Path, name: str = "mine.yaml", text: str = DECK) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    load_library([tmp_path], builtin=False)
    return path


def stored() -> dict:
    return json.loads(cache_path().read_text(encoding="utf-8"))


def test_cache_lives_where_the_readme_says(tmp_path: Path) -> None:
    cached_file(tmp_path)
    assert cache_path() == Path(os.environ["STUDYTOOL_CACHE"]) / "decks.json"
    assert str(tmp_path / "mine.yaml") in stored()["files"]
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "`decks.json` in the user cache directory" in readme and "STUDYTOOL_CACHE" in readme


@pytest.mark.parametrize("content", ["[]", "null", '{"fingerprint": 1, "files": []}', "{", "\x00"])
def test_a_cache_of_the_wrong_shape_is_discarded(tmp_path: Path, content: str) -> None:
    cache_path().parent.mkdir(parents=True, exist_ok=True)
    cache_path().write_text(content, encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(DECK, encoding="utf-8")
    result = load_library([tmp_path], builtin=False)
    assert result.ok and [d.id for d in result.decks] == ["mine"]
    assert str(tmp_path / "mine.yaml") in stored()["files"]  # rebuilt


def tamper(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = stored()
    change(data["files"][str(path)]["deck"])
    cache_path().write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["title"].update(en="\x1b]52;c;Y3VybCB4fHNo\x07"),
        lambda d: d["cards"][0].update(answer_index=7),
        lambda d: d["cards"][0].update(id="Q\n"),
        lambda d: d["cards"][0].update(type="python"),
        lambda d: d["cards"][0].update(number="1e999"),
        lambda d: d["cards"][0].update(number=10**400),  # no float holds it
        lambda d: d["cards"][0].update(tolerance=True),
        lambda d: d["cards"][0]["choices"][1].update(ko="\x9b31m"),  # C1 CSI, deep inside
        lambda d: d["cards"][0].update(unit="m\x00"),  # a field that was left at its default
        lambda d: d["cards"][0].update(__t="Deck"),
        lambda d: d["cards"][0].pop("prompt"),
        lambda d: d["cards"][0].update(extra=1),
        lambda d: d.update(cards=[d["cards"][0], d["cards"][0]]),
        lambda d: d.update(path="/etc/passwd"),
    ],
)
def test_a_tampered_entry_is_never_trusted(tmp_path: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = cached_file(tmp_path)
    tamper(path, change)
    fresh, _, _ = load_deck(path, set())
    cache = DeckCache(frozenset(demo_names()))
    assert str(path) in cache.entries and cache.get(path) is None
    result = load_library([tmp_path], builtin=False)
    assert result.ok and result.decks[0].cards == fresh.cards  # parsed again from the file


def test_an_edit_that_keeps_size_and_mtime_is_noticed(tmp_path: Path) -> None:
    path = cached_file(tmp_path)
    stat = path.stat()
    path.write_text(DECK.replace("answer: 1", "answer: 0"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_library([tmp_path], builtin=False).decks[0].cards[0].answer_index == 0
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert stored()["files"][str(path)]["sha256"] == digest


def test_entries_of_deleted_files_are_pruned(tmp_path: Path) -> None:
    gone = cached_file(tmp_path, "gone.yaml", DECK.replace("mine", "gone"))
    kept = cached_file(tmp_path, "kept.yaml", DECK.replace("mine", "kept"))
    gone.unlink()
    load_library([], builtin=False)  # a run that does not even look at those files
    assert list(stored()["files"]) == [str(kept)]


def test_the_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 3)
    for n in range(6):
        (tmp_path / f"d{n}.yaml").write_text(DECK.replace("mine", f"d{n}"), encoding="utf-8")
    assert len(load_library([tmp_path], builtin=False).decks) == 6
    assert len(stored()["files"]) == 3
    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 100)
    monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", 4096)
    load_library([tmp_path], builtin=False)
    assert 0 < len(stored()["files"]) < 6
    assert cache_path().stat().st_size <= 4096

"""Helpers for the quiz tests: the fixture decks, a fixed clock, a store (no fixtures here)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.content.model import Card
from studytool.store.repo import Store

DECKS = Path(__file__).parent / "fixtures" / "decks"
CONTENT = Path(__file__).resolve().parents[2] / "content"
# noon UTC: the same study day in every time zone from UTC-7 to UTC+11
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def fixture_cards() -> list[Card]:
    library = load_library([DECKS], builtin=False)
    assert library.ok, library.problems
    return [c for d in library.decks for c in d.cards]


def card(cards: list[Card], full_id: str) -> Card:
    return next(c for c in cards if c.full_id == full_id)


def open_store(data: Path, cards: list[Card]) -> Store:
    store = Store.open(Settings(data_dir=data), now=NOW, tz=UTC)
    store.sync(cards, now=NOW)
    return store


class FakeTimer:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t

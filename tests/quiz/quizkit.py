"""Helpers for the quiz tests: the quiz fixture decks and their cards (no fixtures here)."""

from __future__ import annotations

from pathlib import Path

from kit import fixture_cards

from studytool.content.model import Card

DECKS = Path(__file__).parent / "fixtures" / "decks"
CONTENT = Path(__file__).resolve().parents[2] / "content"


def quiz_cards() -> list[Card]:
    return fixture_cards(DECKS)


def card(cards: list[Card], full_id: str) -> Card:
    return next(c for c in cards if c.full_id == full_id)

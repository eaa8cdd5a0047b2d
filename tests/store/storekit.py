"""Helpers for the store tests: cards, settings and a fixed clock (no fixtures here)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from studytool.config import SchedulerSettings, Settings
from studytool.content.model import Card, CardType, Text

# noon UTC: far from the 4 am day start, so "today" is unambiguous; before the DST change of
# 2026-03-08 in America/New_York that the stats tests cross
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def make_card(
    deck: str,
    card_id: str,
    *,
    reversed_: bool = False,
    tags: tuple[str, ...] = (),
    concept: str | None = None,
    draft: bool = False,
) -> Card:
    return Card(
        deck=deck,
        id=card_id,
        type=CardType.REVERSED if reversed_ else CardType.BASIC,
        prompt=Text.plain(f"front of {card_id}"),
        back=Text.plain(f"back of {card_id}"),
        tags=tags,
        concept=concept,
        draft=draft,
    )


def make_deck(deck: str, n: int, **kw: object) -> list[Card]:
    return [make_card(deck, f"c{i:03d}", **kw) for i in range(n)]  # type: ignore[arg-type]


def make_settings(data_dir: Path, **kw: object) -> Settings:
    sched = kw.pop("scheduler", SchedulerSettings())
    return Settings(data_dir=data_dir, scheduler=sched, **kw)  # type: ignore[arg-type]

"""Any card as the two sides of a flashcard, in one language: what Anki and spreadsheets hold.

The sides come from the card-type model; this module keeps the exporters' tag rules.
"""

from __future__ import annotations

import re

from studytool.content.model import Card
from studytool.study.cardtypes import Sides as Sides
from studytool.study.cardtypes import card_sides as card_sides


def tag_text(tag: str) -> str:
    """Anki and CSV tag columns separate tags with spaces, so a tag cannot hold one."""
    return re.sub(r"\s+", "_", tag.strip())


def card_tags(card: Card, deck_tags: tuple[str, ...] = ()) -> list[str]:
    return list(dict.fromkeys(t for t in map(tag_text, (*card.tags, *deck_tags)) if t))

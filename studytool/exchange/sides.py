"""Any card as the two sides of a flashcard, in one language: what Anki and spreadsheets hold."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from studytool.content.model import Card, CardType, Text
from studytool.render import LABELS, answer_text, cloze_back, cloze_front


@dataclass(frozen=True, slots=True)
class Sides:
    question: str
    answer: str
    listing: tuple[str, ...] = ()  # choices or items, shown numbered under the question
    hint: str = ""  # how to answer, e.g. (True / False)

    @property
    def front(self) -> str:
        lines = [self.question, *(f"{i}. {t}" for i, t in enumerate(self.listing, start=1))]
        return "\n".join(lines + ([self.hint] if self.hint else []))


def card_sides(card: Card, lang: str) -> Sides:
    """Any card as a question and an answer in one language, as plain text."""
    question = card.prompt.get(lang)
    answer = answer_text(card, lang)
    match card.type:
        case CardType.CLOZE:
            extra = f"\n{card.back.get(lang)}" if card.back else ""
            return Sides(cloze_front(question), cloze_back(question) + extra)
        case CardType.MCQ | CardType.MULTI:
            return Sides(question, answer, tuple(c.get(lang) for c in card.choices))
        case CardType.ORDER:
            return Sides(question, answer, tuple(i.get(lang) for i in shuffled(card)))
        case CardType.TRUEFALSE:
            labels = LABELS[lang]
            return Sides(question, answer, hint=f"({labels['true']} / {labels['false']})")
        case CardType.NUMERIC if card.compute:
            from studytool.study.generate import draw

            # One fixed drawing per card: the exported card shows the same numbers every time.
            instance = draw(card, random.Random(card.full_id))
            unit = f" {card.unit}" if card.unit else ""
            return Sides(instance.question(lang), f"{instance.answer:g}{unit}")
    return Sides(question, answer)


def shuffled(card: Card) -> list[Text]:
    """An order card's items in a fixed shuffled order that is never the answer itself."""
    items = list(card.items)
    random.Random(card.full_id).shuffle(items)
    if items == list(card.items):
        items = items[1:] + items[:1]
    return items


def tag_text(tag: str) -> str:
    """Anki and CSV tag columns separate tags with spaces, so a tag cannot hold one."""
    return re.sub(r"\s+", "_", tag.strip())


def card_tags(card: Card, deck_tags: tuple[str, ...] = ()) -> list[str]:
    return list(dict.fromkeys(t for t in map(tag_text, (*card.tags, *deck_tags)) if t))

"""Order cards: put the items in order; the score is the share of items in their place."""

from __future__ import annotations

import random
import re

from studytool.content.model import Card, CardType, Text
from studytool.study import grading
from studytool.study.cardtypes.base import (
    AnswerError,
    AnswerModel,
    CardModel,
    Interaction,
    Kind,
    Question,
    Response,
    Sides,
    register,
)
from studytool.study.grading import Check


def shuffled_order(n: int, rng: random.Random) -> list[int]:
    """A random arrangement of n order items that is not already the right one."""
    order = list(range(n))
    if n < 2:
        return order
    while order == sorted(order):
        rng.shuffle(order)
    return order


def fixed_shuffle(card: Card) -> list[Text]:
    """An order card's items in a fixed shuffled order that is never the answer itself (for
    exports: the same file every time)."""
    items = list(card.items)
    random.Random(card.full_id).shuffle(items)
    if items == list(card.items):
        items = items[1:] + items[:1]
    return items


class OrderAnswer(AnswerModel):
    """The response lists the shown positions first to last: (2, 0, 1) puts the item shown
    third first."""

    kind = Kind.ORDER
    interaction = Interaction.ARRANGE
    instructions = ("Put the items in order", "순서대로 나열하세요")

    def expected(self, q: Question, lang: str) -> str:
        shown = {item: pos for pos, item in enumerate(q.options)}
        return " → ".join(f"{shown[i] + 1}) {it.get(lang)}" for i, it in enumerate(q.card.items))

    def parse(self, q: Question, raw: str) -> Response:
        n = len(q.options)
        picks = [int(p) - 1 for p in re.findall(r"\d+", raw)]
        if sorted(picks) != list(range(n)):
            example = " ".join(str(i) for i in range(n, 0, -1))
            raise AnswerError(f"list all {n} item numbers once each, first to last, e.g. {example}")
        return tuple(picks)

    def check(self, q: Question, response: Response) -> Check:
        assert isinstance(response, tuple)
        return grading.check_order(q.card, [q.options[i] for i in response])

    def response_text(self, q: Question, response: Response) -> str:
        assert isinstance(response, tuple)
        return " ".join(str(i + 1) for i in response)


class OrderCard(CardModel):
    def ask(self, key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
        options = shuffled_order(len(card.items), rng)
        return Question(key, card, Kind.ORDER, card.prompt, options=tuple(options))

    def answer_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        return "\n".join(f"{i + 1}. {it.get(lang)}" for i, it in enumerate(card.items))

    def sides(self, card: Card, lang: str) -> Sides:
        listing = tuple(i.get(lang) for i in fixed_shuffle(card))
        return Sides(card.prompt.get(lang), self.answer_text(card, lang), listing)


register(CardType.ORDER, OrderCard(), OrderAnswer())

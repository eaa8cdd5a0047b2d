"""Numeric cards: a number within a tolerance, in the card's unit; generated ones draw fresh
numbers each time they are asked."""

from __future__ import annotations

import random

from studytool.content.model import Card, CardType, Text
from studytool.study import grading
from studytool.study.cardtypes.base import (
    AnswerError,
    AnswerModel,
    CardModel,
    Kind,
    Question,
    Response,
    Sides,
    register,
)
from studytool.study.generate import draw
from studytool.study.grading import Check
from studytool.study.text import format_number


def number_text(value: float, card: Card, *, tolerance: bool = True) -> str:
    """'262,144 ± 0.5 ms': one way to write a numeric answer everywhere."""
    tol = f" ± {format_number(card.tolerance)}" if card.tolerance and tolerance else ""
    unit = f" {card.unit}" if card.unit else ""
    return f"{format_number(value)}{tol}{unit}"


class NumericAnswer(AnswerModel):
    kind = Kind.NUMERIC
    instructions = ("Type a number", "숫자를 입력하세요")

    def instruction(self, q: Question, lang: str) -> str:
        text = super().instruction(q, lang)
        return text + f" ({q.card.unit})" if q.card.unit else text

    def expected(self, q: Question, lang: str) -> str:
        value = q.answer_number
        return number_text(value, q.card) if value is not None else ""

    def parse(self, q: Question, raw: str) -> Response:
        if grading.parse_number(raw) is None:
            unit = f" (in {q.card.unit})" if q.card.unit else ""
            raise AnswerError(f"type a number{unit}, e.g. 1024 or 0.5")
        return raw

    def check(self, q: Question, response: Response) -> Check:
        return grading.check_numeric(q.card, str(response), q.answer_number)


class NumericCard(CardModel):
    def ask(self, key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
        if card.compute:
            instance = draw(card, rng)
            filled = Text(instance.question_en, instance.question_ko, card.prompt.bilingual)
            return Question(key, card, Kind.NUMERIC, filled, instance=instance)
        return Question(key, card, Kind.NUMERIC, card.prompt)

    def answer_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        if card.number is None:  # generated: the numbers are drawn when it is asked
            return f"= {card.compute} (fresh numbers each time)"
        return number_text(card.number, card)

    def sides(self, card: Card, lang: str) -> Sides:
        if not card.compute:
            return super().sides(card, lang)
        # One fixed drawing per card: the exported card shows the same numbers every time.
        q = self.ask(card.full_id, card, random.Random(card.full_id))
        assert q.instance is not None
        return Sides(q.question(lang), number_text(q.instance.answer, card, tolerance=False))


register(CardType.NUMERIC, NumericCard(), NumericAnswer())

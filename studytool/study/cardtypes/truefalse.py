"""True/false cards."""

from __future__ import annotations

import random

from studytool.content.model import Card, CardType
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
from studytool.study.text import LABELS

TRUE_WORDS = {"t", "true", "o", "y", "yes", "참", "맞다", "맞음", "예", "네"}
FALSE_WORDS = {"f", "false", "x", "n", "no", "거짓", "틀리다", "틀림", "아니오", "아니요"}


def parse_yes_no(raw: str, hint: str) -> bool:
    word = raw.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise AnswerError(f"answer {hint}")


class TrueFalseAnswer(AnswerModel):
    kind = Kind.TRUEFALSE
    interaction = Interaction.BOOL
    instructions = ("True or false?", "참인가요, 거짓인가요?")

    def expected(self, q: Question, lang: str) -> str:
        return LABELS[lang]["true" if q.card.answer_bool else "false"]

    def parse(self, q: Question, raw: str) -> Response:
        return parse_yes_no(raw, "t or f (o/x, 참/거짓)")

    def check(self, q: Question, response: Response) -> Check:
        return grading.check_truefalse(q.card, bool(response))

    def response_text(self, q: Question, response: Response) -> str:
        return "true" if response else "false"


class TrueFalseCard(CardModel):
    def ask(self, key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
        return Question(key, card, Kind.TRUEFALSE, card.prompt)

    def answer_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        return LABELS[lang]["true" if card.answer_bool else "false"]

    def sides(self, card: Card, lang: str) -> Sides:
        labels = LABELS[lang]
        hint = f"({labels['true']} / {labels['false']})"
        return Sides(card.prompt.get(lang), self.answer_text(card, lang), hint=hint)


register(CardType.TRUEFALSE, TrueFalseCard(), TrueFalseAnswer())

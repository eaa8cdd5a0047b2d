"""Choice cards: mcq (one right choice) and multi (any number, partial credit)."""

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
    choice_range,
    parse_picks,
    register,
)
from studytool.study.grading import Check
from studytool.study.text import label


class ChoiceAnswer(AnswerModel):
    kind = Kind.CHOICE
    interaction = Interaction.PICK
    instructions = ("Pick one", "하나를 고르세요")

    def expected(self, q: Question, lang: str) -> str:
        texts = q.option_texts(lang)
        return "; ".join(f"{label(p)}) {texts[p]}" for p in q.right_options)

    def parse(self, q: Question, raw: str) -> Response:
        picks = parse_picks(raw, len(q.options))
        if len(picks) != 1:
            raise AnswerError(f"pick one choice: {choice_range(len(q.options))}")
        return picks[0]

    def check(self, q: Question, response: Response) -> Check:
        assert isinstance(response, int)
        return grading.check_choice(q.card, q.options[response])

    def response_text(self, q: Question, response: Response) -> str:
        assert isinstance(response, int)
        return label(response)


class MultiAnswer(ChoiceAnswer):
    kind = Kind.MULTI
    interaction = Interaction.TOGGLE
    instructions = ("Pick all that apply", "해당하는 것을 모두 고르세요")

    def parse(self, q: Question, raw: str) -> Response:
        return tuple(sorted(set(parse_picks(raw, len(q.options)))))

    def check(self, q: Question, response: Response) -> Check:
        assert isinstance(response, tuple)
        return grading.check_multi(q.card, [q.options[i] for i in response])

    def response_text(self, q: Question, response: Response) -> str:
        assert isinstance(response, tuple)
        return ", ".join(label(i) for i in response) or "-"


class ChoiceCard(CardModel):
    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    def ask(self, key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
        # shuffled in review too: a fresh order each showing, so the key's position says nothing
        options = list(range(len(card.choices)))
        rng.shuffle(options)
        return Question(key, card, self.kind, card.prompt, options=tuple(options))

    def answer_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        right = [card.answer_index or 0] if self.kind is Kind.CHOICE else card.answer_indices
        return "\n".join(f"{i + 1}. {card.choices[i].get(lang)}" for i in right)

    def choices(self, card: Card, lang: str) -> tuple[str, ...]:
        return tuple(c.get(lang) for c in card.choices)

    def sides(self, card: Card, lang: str) -> Sides:
        question = card.prompt.get(lang)
        return Sides(question, self.answer_text(card, lang), self.choices(card, lang))


register(CardType.MCQ, ChoiceCard(Kind.CHOICE), ChoiceAnswer())
register(CardType.MULTI, ChoiceCard(Kind.MULTI), MultiAnswer())

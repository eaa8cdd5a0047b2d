"""Recall cards: basic, reversed and cloze. Review reveals them and the user grades; a quiz
asks a short plain answer as a typed question and self-grades the rest."""

from __future__ import annotations

import random

from studytool.content.model import CLOZE_RE, REVERSE_SUFFIX, Card, CardType, Text
from studytool.study.cardtypes.base import (
    AnswerModel,
    CardModel,
    Interaction,
    Kind,
    Question,
    Response,
    Sides,
    register,
)
from studytool.study.cardtypes.truefalse import parse_yes_no
from studytool.study.cardtypes.typed import typed_or_self
from studytool.study.grading import Check
from studytool.study.text import cloze_back, cloze_front


class SelfAnswer(AnswerModel):
    """The answer is revealed and the user says whether they knew it."""

    kind = Kind.SELF
    interaction = Interaction.SELF
    instructions = ("Answer in your head, then check", "머릿속으로 답한 뒤 확인하세요")

    def parse(self, q: Question, raw: str) -> Response:
        return parse_yes_no(raw, "y or n")

    def check(self, q: Question, response: Response) -> Check:
        return Check(float(bool(response)), "", "self-graded")

    def response_text(self, q: Question, response: Response) -> str:
        return "knew it" if response else "did not know"


class BasicCard(CardModel):
    """Front and back; a reversed card is asked back to front too (its `@rev` key)."""

    interactive = False

    def ask(self, key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
        back = card.back or Text.plain("")
        prompt, answer = (
            (back, card.prompt) if key.endswith(REVERSE_SUFFIX) else (card.prompt, back)
        )
        if not quiz:
            return Question(key, card, Kind.SELF, prompt, reveal=answer)
        return typed_or_self(card, key, prompt, answer)


def _cloze_numbers_once(text: str) -> set[int]:
    seen: dict[int, int] = {}
    for m in CLOZE_RE.finditer(text):
        n = int(m.group(1))
        seen[n] = seen.get(n, 0) + 1
    return {n for n, count in seen.items() if count == 1}


def _blank_one(text: str, number: int) -> str:
    """The cloze text with deletion `number` blanked ([...] or its hint) and the rest filled."""
    return CLOZE_RE.sub(
        lambda m: f"[{m.group(3) or '...'}]" if int(m.group(1)) == number else m.group(2), text
    )


def _deletion(text: str, number: int) -> str:
    return next((m.group(2) for m in CLOZE_RE.finditer(text) if int(m.group(1)) == number), "")


def cloze_parts(text: str) -> list[tuple[str, bool]]:
    """The cloze text filled in, as segments: (text, True) for what was blanked."""
    out: list[tuple[str, bool]] = []
    end = 0
    for m in CLOZE_RE.finditer(text):
        if m.start() > end:
            out.append((text[end : m.start()], False))
        out.append((m.group(2), True))
        end = m.end()
    if end < len(text):
        out.append((text[end:], False))
    return out


class ClozeCard(CardModel):
    interactive = False

    def ask(self, key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
        prompt = card.prompt
        once = sorted(_cloze_numbers_once(prompt.en) & _cloze_numbers_once(prompt.ko))
        if not quiz or not once:
            filled = Text(cloze_back(prompt.en), cloze_back(prompt.ko), prompt.bilingual)
            blanked = Text(cloze_front(prompt.en), cloze_front(prompt.ko), prompt.bilingual)
            return Question(key, card, Kind.SELF, blanked, reveal=filled)
        n = rng.choice(once)
        blanked = Text(_blank_one(prompt.en, n), _blank_one(prompt.ko, n), prompt.bilingual)
        answer = Text(_deletion(prompt.en, n), _deletion(prompt.ko, n), prompt.bilingual)
        return typed_or_self(card, key, blanked, answer)

    def question_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        return cloze_front(card.prompt.get(lang))

    def answer_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        extra = f"\n{card.back.get(lang)}" if card.back else ""
        return cloze_back(card.prompt.get(lang)) + extra

    def sides(self, card: Card, lang: str) -> Sides:
        return Sides(self.question_text(card, lang), self.answer_text(card, lang))


register(CardType.BASIC, BasicCard(), SelfAnswer())
register(CardType.REVERSED, BasicCard())
register(CardType.CLOZE, ClozeCard())

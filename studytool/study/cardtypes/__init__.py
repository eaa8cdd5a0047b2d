"""The one card-type model: for each card type, how it is asked, answered, checked, shuffled
and written out. Review, quizzes, question sheets, `studytool show` and the exporters all use
it.

    question = ask(key, card, rng)               # a quiz question (choices shuffled, ...)
    question = ask(key, card, rng, quiz=False)   # as review asks it
    response = question.parse("b")               # AnswerError if it is not an answer
    check = question.check(response)             # score 0..1, partial credit for multi/order

A new card type is one module here: a `CardModel` (and an `AnswerModel` if it is answered a new
way) passed to `register`, plus its keys in `content/spec.py`. Screens draw its answer with the
answer widget, chosen by the kind's `Interaction`.
"""

from __future__ import annotations

import random
from dataclasses import replace

from studytool.content.model import Card
from studytool.latex import render as latex
from studytool.study.cardtypes import choice, numeric, order, recall, truefalse, typed
from studytool.study.cardtypes.base import (
    AnswerError,
    AnswerModel,
    CardModel,
    Interaction,
    Kind,
    Question,
    Response,
    Sides,
    answer_model,
    card_model,
    register,
    registered,
    unregister,
)
from studytool.study.cardtypes.order import fixed_shuffle, shuffled_order
from studytool.study.cardtypes.recall import cloze_parts
from studytool.study.cardtypes.typed import alternatives

# importing a type's module registers it
BUILTIN_MODULES = (choice, numeric, order, recall, truefalse, typed)


def ask(key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
    """One question for a review key (see `CardModel.ask`)."""
    return card_model(card).ask(key, card, rng, quiz=quiz)


def question_text(card: Card, lang: str, reverse: bool = False) -> str:
    return card_model(card).question_text(card, lang, reverse)


def answer_text(card: Card, lang: str, reverse: bool = False) -> str:
    """The right answer as one readable block of text."""
    return card_model(card).answer_text(card, lang, reverse)


def card_sides(card: Card, lang: str) -> Sides:
    """Any card as a question and an answer in one language, as plain text; a `given` formula
    is part of the question."""
    sides = card_model(card).sides(card, lang)
    return replace(sides, given=latex(card.given)) if card.given else sides


def is_interactive(card: Card) -> bool:
    """Cards the user answers (and we check), rather than recalls and self-grades."""
    return card_model(card).interactive


__all__ = [
    "AnswerError",
    "AnswerModel",
    "CardModel",
    "Interaction",
    "Kind",
    "Question",
    "Response",
    "Sides",
    "alternatives",
    "answer_model",
    "answer_text",
    "ask",
    "card_model",
    "card_sides",
    "cloze_parts",
    "fixed_shuffle",
    "is_interactive",
    "question_text",
    "register",
    "registered",
    "shuffled_order",
    "unregister",
]

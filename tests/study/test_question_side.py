"""No answer before the reveal: every shipped card, asked through the card-type model and drawn
as Review draws its question side, shows none of its answer (numeric, cloze, typed, mcq)."""

from __future__ import annotations

import random

import pytest
from rich.console import Console

from studytool.content.library import load_library
from studytool.content.lint import contains, has_number
from studytool.content.model import CLOZE_RE, Card, CardType, Deck
from studytool.study.cardtypes import Question, ask
from studytool.tui.widgets.answer import Attempt
from studytool.tui.widgets.card_view import CardDisplay, question_part

CHECKED = (CardType.NUMERIC, CardType.CLOZE, CardType.TYPED, CardType.MCQ)


@pytest.fixture(scope="module")
def decks() -> list[Deck]:
    result = load_library()
    assert result.problems == [], "\n".join(map(str, result.problems))
    return result.decks


def shown_question(q: Question, lang: str) -> str:
    """Review's question side as plain text (the choices are listed below it, not in it)."""
    console = Console(width=400, color_system=None)
    with console.capture() as captured:
        console.print(question_part(CardDisplay(Attempt.start(q), lang=lang)))
    return captured.get()


def leaks(card: Card, q: Question, lang: str) -> list[str]:
    side = shown_question(q, lang)
    match card.type:
        case CardType.NUMERIC:
            value = q.answer_number
            # the prompt may give a number equal to the answer; a worked result gives it away
            if value is not None and has_number(side, abs(value), result=True):
                return [f"{value:g}"]
        case CardType.TYPED:
            return [a.get(lang) for a in card.answers if contains(side, a.get(lang))]
        case CardType.MCQ:
            named = [c.get(lang) for c in card.choices if contains(side, c.get(lang))]
            key = card.choices[card.answer_index or 0].get(lang)
            # a question that names every option ("A or B?") singles none out
            if key in named and len(named) < len(card.choices):
                return [key]
        case CardType.CLOZE:
            deletions = [d for n in card.cloze_numbers(lang) for d in _deletions(card, lang, n)]
            return [d for d in deletions if contains(side, d)]
    return []


def _deletions(card: Card, lang: str, number: int) -> list[str]:
    text = card.prompt.get(lang)
    return [m.group(2) for m in CLOZE_RE.finditer(text) if int(m.group(1)) == number]


def card_leaks(card: Card) -> list[str]:
    q = ask(card.full_id, card, random.Random(card.full_id), quiz=False)
    return [f"{card.full_id} ({lang}): {t}" for lang in ("en", "ko") for t in leaks(card, q, lang)]


def test_no_shipped_card_shows_its_answer_before_the_reveal(decks: list[Deck]) -> None:
    cards = [c for d in decks for c in d.cards if c.type in CHECKED]
    assert len(cards) > 150
    found = [leak for c in cards for leak in card_leaks(c)]
    assert found == []


def test_the_question_side_never_holds_the_formula(decks: list[Deck]) -> None:
    """A card's `formula` is part of its answer; only a `given` formula is drawn before."""
    card = next(c for d in decks for c in d.cards if c.formula and not c.given)
    q = ask(card.full_id, card, random.Random(1), quiz=False)
    shown = shown_question(q, "en")
    assert card.prompt.en.split()[0] in shown
    assert "Formula" not in shown

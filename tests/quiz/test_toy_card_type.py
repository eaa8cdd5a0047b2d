"""A card type added only through the card-type registry (a test-only one here) is asked,
answered and checked in Review and in a Quiz with no change to any other module."""

from __future__ import annotations

import random
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import pytest
from kit import NOW, settle, text_of
from rich.console import Group
from textual.widgets import Input

from studytool.config import Settings
from studytool.content.model import Card, Deck, LoadResult, Text
from studytool.store.scheduler import Rating
from studytool.study import cardtypes
from studytool.study.cardtypes import (
    AnswerModel,
    CardModel,
    Interaction,
    Question,
    Response,
    registered,
)
from studytool.study.grading import Check
from studytool.study.quiz import QuizSpec, draw_questions
from studytool.tui.app import StudyApp
from studytool.tui.quiz import QuizSetupScreen
from studytool.tui.quiz_results import QuizResultsScreen
from studytool.tui.quiz_screen import QuizScreen
from studytool.tui.review import ReviewScreen
from studytool.tui.widgets.card_view import CardView, answer_part, question_part


class ToyType(StrEnum):
    BACKWARDS = "backwards"


class BackwardsAnswer(AnswerModel):
    """Type the prompt's word backwards; half credit for the right letters in another case."""

    kind = "backwards"
    interaction = Interaction.INPUT
    instructions = ("Type it backwards", "거꾸로 입력하세요")

    def expected(self, q: Question, lang: str) -> str:
        return q.prompt.get(lang)[::-1]

    def check(self, q: Question, response: Response) -> Check:
        given, right = str(response), q.prompt.en[::-1]
        score = 1.0 if given == right else 0.5 if given.casefold() == right.casefold() else 0.0
        return Check(score, right)


class BackwardsCard(CardModel):
    def ask(self, key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
        return Question(key, card, "backwards", card.prompt)

    def answer_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        return card.prompt.get(lang)[::-1]


TOY = Card(deck="toy", id="stressed", type=ToyType.BACKWARDS, prompt=Text.plain("stressed"))  # type: ignore[arg-type]


@pytest.fixture
def toy_type() -> Iterator[None]:
    with registered(ToyType.BACKWARDS, BackwardsCard(), BackwardsAnswer()):
        yield
    with pytest.raises(KeyError):  # gone again after the test
        cardtypes.card_model(TOY)


def make_app(tmp_path: Path) -> StudyApp:
    deck = Deck("toy", Text.plain("Toy"), tmp_path / "toy.yaml", cards=(TOY,))
    settings = Settings(content_dirs=(tmp_path,), data_dir=tmp_path / "data")
    return StudyApp(settings, library=LoadResult(decks=[deck]), clock=lambda: NOW)


def test_the_model_answers_for_the_toy_type(toy_type: None) -> None:
    [q] = draw_questions([TOY], QuizSpec(n=5), random.Random(1))
    assert q.kind == "backwards" and q.instruction("en") == "Type it backwards"
    assert q.check(q.parse("desserts")).correct
    assert q.check("DESSERTS").score == 0.5
    assert cardtypes.answer_text(TOY, "en") == "desserts"
    assert cardtypes.card_sides(TOY, "en").answer == "desserts"


async def test_the_toy_type_in_review(tmp_path: Path, toy_type: None) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.action_review("toy")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        box = screen.query_one("#response", Input)
        assert box.has_focus
        box.value = "desserts"
        await pilot.press("enter")
        state = screen.query_one("#card", CardView).display_state
        assert state is not None
        shown = text_of(Group(question_part(state), *answer_part(state)))
        assert "✓ Correct" in shown and "you said: desserts" in shown
        await pilot.press("enter")  # takes the proposed Good
        [answer] = screen.session.answers
        assert answer.result.rating is Rating.Good and answer.correct
        record = app.store.card("toy/stressed")
        assert record is not None and not record.state.is_new


async def test_the_toy_type_in_a_quiz(tmp_path: Path, toy_type: None) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.push_screen(QuizSetupScreen(deck="toy", seed=7))
        await pilot.pause()
        app.screen.query_one("#setup-n", Input).value = "1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.run.spec.seed == 7
        assert "Type it backwards" in text_of(screen.render_question())
        box = screen.query_one("#quiz-response", Input)
        assert box.has_focus
        box.value = "DESSERTS"
        await pilot.press("enter")
        assert "◐ 50%" in text_of(screen.render_after())
        await pilot.press("enter")
        await pilot.pause()
        results = app.screen
        assert isinstance(results, QuizResultsScreen)
        assert results.result.score == 0.5 and results.result.answers[0].response == "DESSERTS"

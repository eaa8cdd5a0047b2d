"""A review that truly tests: shuffled choices, siblings apart, fair answer checking (issue 18)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.content.model import Card, CardType, Text
from studytool.store.repo import Store
from studytool.store.scheduler import Rating
from studytool.study.cardtypes import ask, card_sides, cloze_parts
from studytool.study.grading import char_diff, check_numeric, check_typed, closest
from studytool.study.queue import build_queue
from studytool.study.quiz import QuizRun, QuizSpec
from studytool.study.review import ReviewSession
from studytool.study.sheet import build_sheet

DECKS = Path(__file__).parent.parent / "tui" / "fixtures" / "decks"
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
Q = Text("Q", "질문")


def card(ctype: CardType, **kw: object) -> Card:
    kw.setdefault("prompt", Q)
    return Card(deck="d", id="c", type=ctype, **kw)  # type: ignore[arg-type]


MCQ4 = card(CardType.MCQ, choices=tuple(Text.plain(x) for x in "wxyz"), answer_index=0)


# ---- shuffled choices ----------------------------------------------------------------------


def test_review_shuffles_an_mcq_so_the_key_is_anywhere() -> None:
    rng = random.Random(18)
    positions = Counter(ask("d/c", MCQ4, rng, quiz=False).right_options[0] for _ in range(200))
    assert set(positions) == {0, 1, 2, 3}
    assert all(0.15 <= n / 200 <= 0.35 for n in positions.values()), positions


def test_multi_is_shuffled_and_checked_by_the_shown_order() -> None:
    multi = card(
        CardType.MULTI, choices=tuple(Text.plain(x) for x in "abcd"), answer_indices=(0, 1)
    )
    orders = {ask("d/c", multi, random.Random(i), quiz=False).options for i in range(20)}
    assert len(orders) > 1
    q = ask("d/c", multi, random.Random(3), quiz=False)
    shown = tuple(q.right_options)
    assert q.check(shown).correct
    assert q.card_response(shown) == (0, 1)  # in the card's own indices


@pytest.fixture
def cards() -> list[Card]:
    library = load_library([DECKS], builtin=False)
    assert library.ok, library.problems
    return [c for d in library.decks for c in d.cards]


def open_store(tmp_path: Path, cards: list[Card], **kw: object) -> Store:
    settings = Settings(data_dir=tmp_path / "data", **kw)  # type: ignore[arg-type]
    store = Store.open(settings, now=NOW, tz=UTC)
    store.sync(cards, now=NOW)
    return store


@pytest.fixture
def store(tmp_path: Path, cards: list[Card]) -> Iterator[Store]:
    s = open_store(tmp_path, cards)
    yield s
    s.close()


def session_of(store: Store, cards: list[Card], clock: datetime = NOW) -> ReviewSession:
    return ReviewSession(store, cards, lambda: clock, rng=random.Random(7))


def test_undo_shows_the_choices_in_the_same_order(store: Store, cards: list[Card]) -> None:
    session = session_of(store, cards)
    while session.current is not None and session.current.item.key != "quizzes/blur-kernel":
        session.grade(Rating.Good)
        session.next()
    showing = session.current
    assert showing is not None
    right = showing.question.right_options[0]
    answer = session.grade(Rating.Good, correct=True, response=right)
    # the stored response is the card's own index of the right choice, not its shown position
    assert answer.response == showing.item.card.answer_index
    session.next()
    again = session.undo()
    assert again is not None and again.question.options == showing.question.options


# ---- siblings apart ------------------------------------------------------------------------


def test_a_reversed_card_buries_its_other_direction(store: Store, cards: list[Card]) -> None:
    session = session_of(store, cards)
    shown = []
    while session.current is not None and len(shown) < 50:
        shown.append(session.current.item.key)
        session.grade(Rating.Again if len(shown) % 3 == 0 else Rating.Good)
        session.next()
    relu = [k for k in shown if k.startswith("basics/relu")]
    assert len(set(relu)) == 1, shown
    other = "basics/relu@rev" if relu[0] == "basics/relu" else "basics/relu"
    record = store.card(other)
    assert record is not None and record.is_buried(NOW)
    # the next study day it is back in the queue
    tomorrow = NOW + timedelta(days=1)
    assert not record.is_buried(tomorrow)
    assert other in [item.key for item in build_queue(store, cards, tomorrow)]


def _rest(session: ReviewSession) -> list[str]:
    keys = []
    while session.current is not None and len(keys) < 50:
        keys.append(session.current.item.key)
        session.grade(Rating.Good)
        session.next()
    return keys


def test_undo_unburies_the_sibling(store: Store, cards: list[Card]) -> None:
    session = session_of(store, cards)
    while session.current is not None and not session.current.item.key.startswith("basics/relu"):
        session.grade(Rating.Good)
        session.next()
    assert session.current is not None
    answer = session.grade(Rating.Good)
    assert len(answer.buried) == 1
    session.next()
    session.undo()
    record = store.card(answer.buried[0])
    assert record is not None and not record.is_buried(NOW)


def test_burying_siblings_can_be_turned_off(tmp_path: Path, cards: list[Card]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[review]\nbury_siblings = false\n", encoding="utf-8")
    assert Settings.load(config=config).bury_siblings is False
    assert Settings.load(config=tmp_path / "none.toml").bury_siblings is True
    store = open_store(tmp_path, cards, bury_siblings=False)
    try:
        session = session_of(store, cards)
        shown = _rest(session)
        assert {"basics/relu", "basics/relu@rev"} <= set(shown)
    finally:
        store.close()


# ---- fair answer checking ------------------------------------------------------------------


def test_a_unit_on_a_unitless_number_is_taken() -> None:
    c = card(CardType.NUMERIC, number=2.0)
    check = check_numeric(c, "2 px")
    assert check.correct and "px" in check.detail
    assert not check_numeric(c, "3 px").correct
    # a card with a unit still wants its own unit
    assert not check_numeric(card(CardType.NUMERIC, number=2.0, unit="ms"), "2 px").correct


@pytest.mark.parametrize(
    ("answer", "given"),
    [("0.999", ".999"), ("1000", "1,000"), ("1,000", "1000"), ("262,144", "262144")],
)
def test_typed_numbers_compare_as_numbers(answer: str, given: str) -> None:
    c = card(CardType.TYPED, answers=(Text.plain(answer),))
    assert check_typed(c, given).correct
    assert not check_typed(c, given + "1").correct


def test_numbers_in_a_quiz_read_the_same_as_in_review() -> None:
    basic = card(CardType.BASIC, back=Text.plain("0.999"))
    quiz = ask("d/c", basic, random.Random(1), quiz=True)
    assert quiz.check(quiz.parse(".999")).correct
    numeric = card(CardType.NUMERIC, number=1000.0)
    for as_quiz in (True, False):
        q = ask("d/c", numeric, random.Random(1), quiz=as_quiz)
        assert q.check(q.parse("1,000")).correct and q.check(q.parse("1000 px")).correct


@pytest.mark.parametrize("quiz", [True, False])
def test_typed_alternatives_are_the_same_in_review_and_quiz(quiz: bool) -> None:
    typed = card(CardType.TYPED, answers=(Text("Overfitting (과적합)", "과적합 (overfitting)"),))
    q = ask("d/c", typed, random.Random(1), quiz=quiz)
    for given in ("overfitting", "Overfitting", "과적합", "Overfitting (과적합)"):
        assert q.check(given).correct, given
    assert not q.check("underfitting").correct


# ---- what the reveal shows -----------------------------------------------------------------


def test_char_diff_marks_extra_and_missing_letters() -> None:
    assert char_diff("baging", "bagging") == [("ba", "same"), ("g", "missing"), ("ging", "same")]
    # case is no difference; the expected spelling is what is shown
    assert char_diff("Boostingg", "boosting") == [("boosting", "same"), ("g", "extra")]
    assert char_diff("relu", "tanh") == [("relu", "extra"), ("tanh", "missing")]
    assert closest("overfiting", ["과적합", "Overfitting", "underfitting"]) == "Overfitting"


def test_cloze_parts_mark_the_blanked_text() -> None:
    text = "Dropout zeroes with probability {{c1::p::a rate}} during {{c2::training}}."
    assert cloze_parts(text) == [
        ("Dropout zeroes with probability ", False),
        ("p", True),
        (" during ", False),
        ("training", True),
        (".", False),
    ]


def test_a_quiz_answer_can_be_overruled_and_then_counts_as_right() -> None:
    tf = card(CardType.TRUEFALSE, answer_bool=True)
    run = QuizRun([ask("d/c", tf, random.Random(1))], QuizSpec(), lambda: NOW)
    wrong = run.answer(False)
    assert not wrong.correct
    fixed = run.overrule()
    assert fixed.correct and fixed.overruled and fixed.response is False
    assert run.finish().score == 1.0


# ---- every front end follows the card-type model: `given` asks, `formula` answers ---------


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_sheets_print_given_on_the_sheet_and_the_formula_in_the_key(fmt: str) -> None:
    numeric = card(CardType.NUMERIC, number=4.0, given="x^2", formula="y = 4")
    sheet = build_sheet([numeric], QuizSpec(n=1), seed=1, fmt=fmt)
    assert "x²" in sheet.questions and "y = 4" not in sheet.questions
    assert "y = 4" in sheet.answers


def test_exported_sides_hold_given_on_the_front_only() -> None:
    numeric = card(CardType.NUMERIC, number=4.0, given="x^2", formula="y = 4")
    sides = card_sides(numeric, "en")
    assert sides.front.splitlines() == ["Q", "x²"]
    assert "y = 4" not in sides.front

"""Every shipped demo asks 1-3 prediction questions that follow the rules (read from INFO with
ast: no torch), its quick run answers each of them (the shared cached run), and the rules'
checker itself catches each kind of mistake."""

from __future__ import annotations

import dataclasses

import pytest
from demokit import quick_run

from studytool.demorun import catalog
from studytool.demorun.params import Prediction
from studytool.demorun.predict import check_predictions, score_all

DEMOS = catalog.list_demos()


@pytest.mark.parametrize("meta", DEMOS, ids=[m.name for m in DEMOS])
def test_every_demo_declares_valid_predictions(meta: catalog.DemoMeta) -> None:
    assert check_predictions(meta) == []


@pytest.mark.torch
@pytest.mark.parametrize("meta", DEMOS, ids=[m.name for m in DEMOS])
def test_every_quick_run_answers_its_questions(meta: catalog.DemoMeta) -> None:
    events, _ = quick_run(meta.name)
    (verdict,) = [e for e in events if e["type"] == "verdict"]
    answers = verdict.get("answers", {})
    assert set(answers) == {q.id for q in meta.predictions}
    # a guess equal to the run's answer is scored right: the answer is one the scorer reads
    guesses = {q.id: answers[q.id] for q in meta.predictions}
    assert all(s.right is True for s in score_all(meta.predictions, guesses, verdict))


CHOICE = Prediction(
    "closest", "Which one?", "어느 것?", options_en=("A", "B"), options_ko=("가", "나"), card="d/a"
)
NUMBER = Prediction("modes", "How many?", "몇 개?", tolerance=1.0, unit="modes")
GOOD = catalog.DemoMeta(
    name="toy", title_en="Toy", title_ko="장난감", concept="toys", claim="c",
    cards=("d/a", "d/b"), predictions=(CHOICE, NUMBER),
)  # fmt: skip


def with_questions(*qs: Prediction, cards: tuple[str, ...] = ("d/a", "d/b")) -> list[str]:
    return check_predictions(dataclasses.replace(GOOD, predictions=qs, cards=cards))


def test_the_checker_accepts_good_questions() -> None:
    assert check_predictions(GOOD) == []


@pytest.mark.parametrize(
    ("questions", "cards", "problem"),
    [
        ((), ("d/a",), "0 prediction questions"),
        ((CHOICE, NUMBER, CHOICE, NUMBER), ("d/a",), "4 prediction questions"),
        ((CHOICE, CHOICE), ("d/a",), "duplicate prediction ids"),
        ((dataclasses.replace(CHOICE, card="d/z"),), ("d/a",), "'d/z' is not one of INFO.cards"),
        ((NUMBER,), (), "no card to log it against"),
        ((dataclasses.replace(NUMBER, prompt_ko="How many?"),), ("d/a",), "in Korean"),
        ((dataclasses.replace(CHOICE, options_en=("A", "B", "C")),), ("d/a",), "2-5 options"),
        (
            (
                dataclasses.replace(
                    CHOICE, options_en=tuple("ABCDEF"), options_ko=tuple("가나다라마바")
                ),
            ),
            ("d/a",),
            "2-5 options",
        ),
        ((dataclasses.replace(CHOICE, options_en=("A", "A")),), ("d/a",), "distinct"),
        ((dataclasses.replace(CHOICE, tolerance=0.5),), ("d/a",), "has no tolerance"),
        ((dataclasses.replace(NUMBER, tolerance=0.0),), ("d/a",), "tolerance > 0"),
        ((dataclasses.replace(NUMBER, tolerance=-1.0),), ("d/a",), "tolerance > 0"),
        ((dataclasses.replace(NUMBER, id="two words"),), ("d/a",), "not a simple name"),
    ],
)
def test_the_checker_names_each_mistake(
    questions: tuple[Prediction, ...], cards: tuple[str, ...], problem: str
) -> None:
    problems = with_questions(*questions, cards=cards)
    assert any(problem in p for p in problems), problems
    assert all(p.startswith("toy: ") for p in problems)


def test_a_relative_tolerance_alone_is_enough() -> None:
    assert with_questions(dataclasses.replace(NUMBER, tolerance=0.0, rel_tolerance=0.1)) == []

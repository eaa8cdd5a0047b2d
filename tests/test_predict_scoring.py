"""Reading and scoring a student's predictions (studytool/demorun/predict.py)."""

from __future__ import annotations

import pytest

from studytool.demorun.params import Prediction
from studytool.demorun.predict import (
    GuessError,
    parse_guess,
    parse_guess_args,
    question_json,
    score,
    score_all,
    show_value,
)

CHOICE = Prediction(
    "closest",
    "Which optimizer ends closest to the minimum?",
    "어느 옵티마이저가 최소점에 가장 가까이 끝날까?",
    options_en=("SGD", "Momentum", "Adam"),
    options_ko=("SGD", "모멘텀", "Adam"),
)
NUMBER = Prediction("modes", "How many modes?", "모드는 몇 개?", tolerance=1.0, unit="modes")
RELATIVE = Prediction("loss", "Final loss?", "최종 손실?", rel_tolerance=0.1, unit="nats")


@pytest.mark.parametrize(
    ("text", "index"),
    [("1", 0), ("3", 2), ("b", 1), ("B", 1), (" c) ", 2), ("adam", 2), ("모멘텀", 1), ("2.", 1)],
)
def test_a_choice_guess_is_an_option_number_letter_or_text(text: str, index: int) -> None:
    assert parse_guess(CHOICE, text) == index


@pytest.mark.parametrize("text", ["0", "4", "d", "", "  ", "RMSprop", "1.5"])
def test_a_choice_guess_outside_the_options_is_a_one_line_error(text: str) -> None:
    with pytest.raises(GuessError) as err:
        parse_guess(CHOICE, text)
    assert "closest" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5", 5.0),
        ("5.5", 5.5),
        ("-2", -2.0),
        ("1e2", 100.0),
        ("7 modes", 7.0),
        ("7modes", 7.0),
        ("7 MODES", 7.0),
        (".5", 0.5),
        ("1_000", 1000.0),
    ],
)
def test_a_number_guess_tolerates_the_unit(text: str, value: float) -> None:
    assert parse_guess(NUMBER, text) == value


@pytest.mark.parametrize("text", ["many", "7 s", "7 modes please", "nan", "inf", "1e999"])
def test_a_number_guess_with_another_unit_or_no_number_is_refused(text: str) -> None:
    with pytest.raises(GuessError, match="modes"):
        parse_guess(NUMBER, text)


def test_choice_scoring_compares_the_option() -> None:
    assert score(CHOICE, 2.0, {"closest": 2}).right is True
    wrong = score(CHOICE, 0.0, {"closest": 2.0})
    assert wrong.right is False and wrong.answer == 2.0 and wrong.guess == 0.0


def test_number_scoring_uses_the_larger_of_the_two_tolerances() -> None:
    assert score(NUMBER, 6.0, {"modes": 7.0}).right is True  # |6 - 7| <= 1
    assert score(NUMBER, 5.9, {"modes": 7.0}).right is False
    assert score(RELATIVE, 1.09, {"loss": 1.0}).right is True  # 10 % of 1.0
    assert score(RELATIVE, 1.11, {"loss": 1.0}).right is False
    assert score(RELATIVE, -1.0, {"loss": -1.05}).right is True  # |answer| for the scale
    both = Prediction("x", "?", "?", tolerance=0.5, rel_tolerance=0.1)
    assert score(both, 10.9, {"x": 10.0}).right is True  # 10 % of 10 beats 0.5
    assert score(both, 1.45, {"x": 1.0}).right is True  # 0.5 beats 10 % of 1
    exact = Prediction("x", "?", "?")
    assert score(exact, 3.0, {"x": 3.0}).right is True
    assert score(exact, 3.0001, {"x": 3.0}).right is False


def test_a_skipped_question_or_a_run_without_an_answer_is_not_scored() -> None:
    skipped = score(CHOICE, None, {"closest": 1})
    assert skipped.right is None and skipped.why_not_scored == "skipped"
    for answers in (None, {}, {"closest": None}, {"closest": 3}, {"closest": 0.5}):
        s = score(CHOICE, 1.0, answers)
        assert s.right is None and s.answer is None and s.why_not_scored == "no answer"


def test_score_all_reads_the_verdict_answers_and_an_error_run_scores_nothing() -> None:
    guesses = {"closest": 1.0, "modes": 8.0}
    verdict = {"status": "holds", "answers": {"closest": 1, "modes": 6.0}}
    got = score_all([CHOICE, NUMBER], guesses, verdict)
    assert [s.right for s in got] == [True, False]
    assert got[1].to_json() == {
        "id": "modes",
        "kind": "number",
        "guess": 8.0,
        "answer": 6.0,
        "correct": False,
        "scored": True,
        "not_scored": "",
    }
    assert [s.right for s in score_all([CHOICE, NUMBER], guesses, None)] == [None, None]
    old = {"status": "holds"}  # a verdict from a demo without answers
    assert [s.why_not_scored for s in score_all([CHOICE], guesses, old)] == ["no answer"]


def test_guess_args_name_the_question() -> None:
    assert parse_guess_args([CHOICE, NUMBER], ["closest=b", "modes = 3 modes"]) == {
        "closest": 1.0,
        "modes": 3.0,
    }
    with pytest.raises(GuessError, match="unknown question 'mode'"):
        parse_guess_args([CHOICE, NUMBER], ["mode=3"])
    with pytest.raises(GuessError, match="QUESTION=ANSWER"):
        parse_guess_args([CHOICE], ["b"])
    with pytest.raises(GuessError, match="asks no questions"):
        parse_guess_args([], ["x=1"])


def test_values_are_shown_as_the_student_reads_them() -> None:
    assert show_value(CHOICE, 1.0) == "b. Momentum"
    assert show_value(CHOICE, 1.0, "ko") == "b. 모멘텀"
    assert show_value(NUMBER, 7.0) == "7 modes"
    assert show_value(RELATIVE, 0.123456789) == "0.123457 nats"
    assert show_value(NUMBER, None) == "–"


def test_question_json_has_every_field_and_the_kind() -> None:
    q = question_json(CHOICE)
    assert q["kind"] == "choice" and q["options_ko"] == ["SGD", "모멘텀", "Adam"]
    assert set(q) == {
        "id",
        "kind",
        "prompt_en",
        "prompt_ko",
        "options_en",
        "options_ko",
        "tolerance",
        "rel_tolerance",
        "unit",
        "card",
    }
    assert question_json(NUMBER)["kind"] == "number"

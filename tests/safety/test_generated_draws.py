"""Break 14 of issue 16: a generated numeric card never fails when it is drawn. A drawing whose
answer cannot be computed is drawn again; `check` tries the whole variable range and refuses a
card that would fail too often; NaN and infinity are refused as values."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from studytool.content import expr
from studytool.content.library import load_paths
from studytool.content.model import Card, LoadResult
from studytool.study.cardtypes import card_model
from studytool.study.generate import draw


def load(tmp_path: Path, compute: str, variables: str) -> LoadResult:
    path = tmp_path / "gen.yaml"
    path.write_text(
        f"""\
deck: gen
title: {{en: Generated, ko: 생성}}
cards:
  - id: g
    type: numeric
    question: {{en: "a is {{a}}", ko: "a는 {{a}}"}}
    vars: {{a: {variables}}}
    compute: "{compute}"
""",
        encoding="utf-8",
    )
    return load_paths([path], set())


def the_card(result: LoadResult) -> Card:
    assert not result.problems, [str(p) for p in result.problems]
    (card,) = result.decks[0].cards
    return card


def test_a_division_by_zero_for_one_value_is_drawn_again(tmp_path: Path) -> None:
    card = the_card(load(tmp_path, "1 / (a - 2)", "{min: 1, max: 3}"))
    rng = random.Random(7)
    drawn = [draw(card, rng) for _ in range(300)]
    assert {i.values["a"] for i in drawn} == {1, 3}
    assert {i.answer for i in drawn} == {-1.0, 1.0}


def test_review_and_quiz_ask_a_generated_card_without_failing(tmp_path: Path) -> None:
    card = the_card(load(tmp_path, "1 / (a - 2)", "{min: 1, max: 3}"))
    for seed in range(200):
        q = card_model(card).ask(card.full_id, card, random.Random(seed))
        assert q.instance is not None and q.instance.values["a"] != 2


def test_a_huge_answer_is_drawn_again(tmp_path: Path) -> None:
    card = the_card(load(tmp_path, "a", "[1, 1e300]"))
    rng = random.Random(1)
    assert {draw(card, rng).answer for _ in range(100)} == {1.0}


def test_check_refuses_a_card_that_fails_for_too_many_values(tmp_path: Path) -> None:
    # the first value works, so a check of one corner let it through
    result = load(tmp_path, "1 / (a - 2)", "[1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]")
    (problem,) = result.problems
    assert "fails for 11 of 12 values" in problem.message and "division by zero" in problem.message


def test_check_refuses_a_card_that_fails_for_every_value(tmp_path: Path) -> None:
    (problem,) = load(tmp_path, "1 / (a - a)", "{min: 1, max: 3}").problems
    assert "fails for every value tried" in problem.message


def test_a_wide_range_is_checked_on_a_sample(tmp_path: Path) -> None:
    # 10**6 values: only a sample is tried, and a single bad value is fine
    card = the_card(load(tmp_path, "1 / (a - 500000)", "{min: 0, max: 1000000}"))
    assert card.compute == "1 / (a - 500000)"


def test_running_out_of_draws_is_a_clean_error() -> None:
    # a card `check` would refuse, made directly: the drawing gives up after a bounded number
    rng = random.Random(0)
    with pytest.raises(expr.ExprError, match="no good numbers in 100 draws: division by zero"):
        draw(_broken_card(), rng)


def _broken_card() -> Card:
    from studytool.content.model import CardType, GenVar, Text

    card = Card("gen", "g", CardType.NUMERIC, Text("a is {a}", "a는 {a}"))
    return dataclasses.replace(card, compute="1 / (a - a)", variables=(GenVar("a", low=1, high=3),))


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1.0e+400"])
def test_nan_and_infinity_are_refused_as_values(tmp_path: Path, value: str) -> None:
    (problem,) = load(tmp_path, "a", f"[1, {value}]").problems
    assert "must be a finite number" in problem.message

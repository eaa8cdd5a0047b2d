"""Answer checking for every interactive card type."""

from __future__ import annotations

import random

import pytest

from studytool.content.model import Card, CardType, GenVar, Text
from studytool.study.generate import draw
from studytool.study.grading import (
    check_choice,
    check_multi,
    check_numeric,
    check_order,
    check_truefalse,
    check_typed,
    normalize,
    parse_number,
)

Q = Text("Q", "질문")


def card(ctype: CardType, **kw) -> Card:
    kw.setdefault("prompt", Q)
    return Card(deck="d", id="c", type=ctype, **kw)


def test_mcq() -> None:
    c = card(CardType.MCQ, choices=(Text.plain("a"), Text.plain("b")), answer_index=1)
    assert check_choice(c, 1).correct and not check_choice(c, 0).correct


def test_multi_partial_credit() -> None:
    c = card(CardType.MULTI, choices=tuple(Text.plain(x) for x in "abcd"), answer_indices=(0, 2))
    assert check_multi(c, [0, 2]).score == 1.0
    assert check_multi(c, [0]).score == 0.5
    assert check_multi(c, [0, 1]).score == 0.0  # one right, one wrong
    assert check_multi(c, [0, 1, 2, 3]).score == 0.0
    assert check_multi(c, []).score == 0.0
    assert check_multi(c, [0]).detail == "1 of 2 right, 0 wrong"


def test_truefalse() -> None:
    c = card(CardType.TRUEFALSE, answer_bool=False)
    assert check_truefalse(c, False).correct and not check_truefalse(c, True).correct


@pytest.mark.parametrize(
    ("given", "ok"),
    [
        ("vanishing gradient", True),
        ("  Vanishing   Gradient ", True),
        ("ＶＡＮＩＳＨＩＮＧ　ＧＲＡＤＩＥＮＴ", True),  # full-width forms and space
        ("vanishing-gradient", True),
        ("기울기 소실", True),
        ("기울기소실", True),
        ("exploding gradient", False),
        ("", False),
    ],
)
def test_typed_normalisation(given: str, ok: bool) -> None:
    c = card(
        CardType.TYPED,
        answers=(Text.plain("vanishing gradient"), Text("gradient vanishing", "기울기 소실")),
    )
    assert check_typed(c, given).correct is ok


@pytest.mark.parametrize(
    ("answer", "given"),
    [("2n − 1", "2n-1"), ("4×4", "4x4"), ("pre–training", "pre-training"), ("O(N²)", "o(n2)")],
)
def test_typed_reads_typographic_dashes_and_times_as_typed(answer: str, given: str) -> None:
    c = card(CardType.TYPED, answers=(Text.plain(answer),))
    assert check_typed(c, given).correct
    assert not check_typed(c, given + "0").correct


def test_typed_case_sensitive() -> None:
    c = card(CardType.TYPED, answers=(Text.plain("ReLU"),), case_sensitive=True)
    assert check_typed(c, "ReLU").correct and not check_typed(c, "relu").correct
    assert normalize("ReLU") == "relu"


@pytest.mark.parametrize(
    ("given", "ok"),
    [("0.5", True), ("0.5004", True), ("0.502", False), ("½", False), ("0.5 nats", True),
     ("0.5 bits", False), ("abc", False), ("５", False)],
)  # fmt: skip
def test_numeric_tolerance_and_units(given: str, ok: bool) -> None:
    c = card(CardType.NUMERIC, number=0.5, tolerance=0.001, unit="nats")
    assert check_numeric(c, given).correct is ok


def test_numeric_exact_with_separators() -> None:
    c = card(CardType.NUMERIC, number=30083000.0)
    assert check_numeric(c, "30,083,000").correct
    assert check_numeric(c, "30083001").correct is False
    assert parse_number("２５６") == (256.0, "")
    assert parse_number("1e400") is None


def test_order_fraction_in_place() -> None:
    c = card(CardType.ORDER, items=tuple(Text.plain(x) for x in "abcd"))
    assert check_order(c, [0, 1, 2, 3]).score == 1.0
    assert check_order(c, [1, 0, 2, 3]).score == 0.5
    assert check_order(c, [3, 2, 1, 0]).score == 0.0


def test_generated_card_draws_and_computes() -> None:
    c = card(
        CardType.NUMERIC,
        prompt=Text("{k}x{k} conv, {c_in} -> {c_out}", "{k}x{k} conv, {c_in} → {c_out}"),
        variables=(GenVar("k", values=(1, 3, 5)), GenVar("c_in", low=1, high=8),
                   GenVar("c_out", low=1, high=8)),
        compute="(k*k*c_in + 1)*c_out",
    )  # fmt: skip
    rng = random.Random(7)
    for _ in range(20):
        inst = draw(c, rng)
        k, ci, co = inst.values["k"], inst.values["c_in"], inst.values["c_out"]
        assert inst.answer == (k * k * ci + 1) * co
        assert inst.question("en") == f"{k}x{k} conv, {ci} -> {co}"
        assert check_numeric(c, str(int(inst.answer)), answer=inst.answer).correct
    assert draw(c, random.Random(1)) == draw(c, random.Random(1))

"""The safe evaluator of generated questions: fuzzed with hypothesis, and its refusals.

Whatever the text, `evaluate` returns a finite number within MAX_MAGNITUDE or raises ExprError
(never another exception); an expression it accepts computes what Python's arithmetic computes.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studytool.content import expr
from studytool.content.library import load_paths
from studytool.content.model import Problem

ENV = {"x": 3, "y": 0.5, "N": 7, "k": 2}
NEAR_EXPR = "0123456789+-*/%().,xyNk _^~<>=!&|[]'\"abcdeflmnopstu:@{}\\\n\x00"


def _outcome(source: str) -> float | None:
    """The value, or None for an ExprError; anything else fails the test."""
    try:
        value = expr.evaluate(source, ENV)
    except expr.ExprError as e:
        assert str(e), "an error must say what is wrong"
        return None
    assert isinstance(value, int | float) and not isinstance(value, bool)
    assert math.isfinite(value) and abs(value) <= expr.MAX_MAGNITUDE
    return value


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=250))
def test_any_text_is_a_number_or_an_expr_error(source: str) -> None:
    _outcome(source)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=NEAR_EXPR, max_size=60))
def test_near_miss_expressions_are_a_number_or_an_expr_error(source: str) -> None:
    _outcome(source)
    with contextlib.suppress(expr.ExprError):
        expr.names(source)


leaves = st.one_of(
    st.integers(min_value=0, max_value=1000).map(str),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(repr),
    st.sampled_from(sorted(ENV)),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "//", "%"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    power = st.tuples(children, st.integers(min_value=0, max_value=4)).map(
        lambda t: f"({t[0]})**{t[1]}"
    )
    unary = st.tuples(st.sampled_from(["-", "+"]), children).map(lambda t: f"{t[0]}({t[1]})")
    call = st.tuples(st.sampled_from(["min", "max"]), children, children).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]})"
    )
    absolute = children.map(lambda c: f"abs({c})")
    return st.one_of(binary, power, unary, call, absolute)


arithmetic = st.recursive(leaves, _combine, max_leaves=12).filter(lambda s: len(s) <= 200)


@settings(
    max_examples=500, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(arithmetic)
def test_accepted_arithmetic_matches_python(source: str) -> None:
    value = _outcome(source)
    if value is None:
        return  # division by zero, a complex power or a result past MAX_MAGNITUDE
    # Python's own arithmetic is the oracle
    reference = eval(source, {"__builtins__": {}, "min": min, "max": max, "abs": abs}, ENV)
    assert value == pytest.approx(reference, rel=1e-9, abs=1e-9)
    assert expr.names(source) <= set(ENV)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x.real", "attribute access is not allowed"),
        ("x.__class__.__bases__", "attribute access is not allowed"),
        ("__import__('os')", "calls are not allowed except min(), max() and abs()"),
        ("print(x)", "calls are not allowed except min(), max() and abs()"),
        ("(lambda: 1)()", "calls are not allowed except min(), max() and abs()"),
        ("min(x)", "min() takes at least 2 numbers"),
        ("abs(x, k)", "abs() takes exactly one number"),
        ("max(x, key=k)", "max() takes at least 2 numbers"),
        ("2**100", "exponent 100 is larger than 64"),
        ("k**(N*10)", "exponent 70 is larger than 64"),
        ("(10**30)**64", "result is too large"),
        ("1e999", "the number inf is too large"),
        ("c_in * k", "unknown name 'c_in'"),
        ("lambda: 1", "lambda is not allowed"),
        ("[i for i in x]", "a comprehension is not allowed"),
        ("sum(i for i in x)", "calls are not allowed"),
        ("x[0]", "indexing is not allowed"),
        ("'abc'", "only numbers are allowed, not 'abc'"),
        ("True", "only numbers are allowed, not True"),
        ("x * False", "only numbers are allowed, not False"),
        ("N^2", "operator '^' (XOR, not a power: write x**2) is not allowed"),
        ("x if k else N", "if/else is not allowed"),
        ("x < k", "a comparison is not allowed"),
        ("(x, k)", "a tuple is not allowed"),
        ("x / (k - 2)", "division by zero"),
        ("(-x)**0.5", "result is not a real number"),
        ("x" * 201, "longer than 200 characters"),
        ("", "empty expression"),
        ("(x +", "invalid expression"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(source: str, message: str) -> None:
    with pytest.raises(expr.ExprError) as caught:
        expr.evaluate(source, ENV)
    assert message in str(caught.value)


def test_a_deck_with_caret_power_is_rejected_where_it_is_written(tmp_path: Path) -> None:
    deck = tmp_path / "gen.yaml"
    deck.write_text(
        "deck: gen\ntitle: G\ncards:\n  - id: g\n    type: numeric\n    question: 'N = {N}?'\n"
        "    vars: {N: [8, 16]}\n    compute: N^2\n",
        encoding="utf-8",
    )
    problems = load_paths([deck]).problems
    assert problems == [
        Problem(
            deck, 8, 14, "'compute': operator '^' (XOR, not a power: write x**2) is not allowed"
        )
    ]


values = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
)


@settings(
    max_examples=400, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(arithmetic, st.fixed_dictionaries({name: values for name in ENV}))
def test_any_variable_values_give_a_number_or_an_expr_error(source: str, env: dict) -> None:
    """The evaluator holds for every value a draw could bring, NaN and inf included."""
    try:
        value = expr.evaluate(source, env)
    except expr.ExprError as e:
        assert str(e)
        return
    assert math.isfinite(value) and abs(value) <= expr.MAX_MAGNITUDE


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    arithmetic,
    st.integers(min_value=-50, max_value=50),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=2**32),
)
def test_draws_that_check_accepts_always_compute(source: str, low: int, span: int, seed: int):
    """A card that passes the range check at `check` time never fails when it is drawn: a draw
    that cannot be computed is drawn again, and running out is so unlikely the check refuses."""
    import random

    from studytool.content.draws import MAX_DRAWS, draw_values, range_problem
    from studytool.content.model import GenVar

    variables = [GenVar(name=n, low=low, high=low + span) for n in sorted(ENV)]
    try:
        if range_problem(source, variables, seed="fuzz") is not None:
            return  # `check` refuses this card: it never reaches a review
    except expr.ExprError:
        return
    rng = random.Random(seed)
    tree = expr.parse(source)
    for _ in range(MAX_DRAWS):
        with contextlib.suppress(expr.ExprError):
            value = expr.answer(tree, draw_values(variables, rng))
            assert math.isfinite(value)
            return
    raise AssertionError(f"{MAX_DRAWS} draws of an accepted card all failed: {source}")

"""Which numbers a generated card (`vars` + `compute`) can be drawn with.

A drawing whose answer cannot be computed (division by zero, a result too large) is drawn again
by `study.generate`, at most MAX_DRAWS times. `check` (the loader) tries the card over its
variable range beforehand, so that running out of draws does not happen in practice: every
combination of values when there are few, else a sample fixed by the card."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator, Sequence

from studytool.content import expr
from studytool.content.model import GenVar

MAX_DRAWS = 100
SAMPLE = 2000
# the chance, estimated from the sample, that MAX_DRAWS draws in a row all fail: above this a
# card is refused
MAX_GIVE_UP = 1e-6

Values = dict[str, int | float]


def draw_values(variables: Sequence[GenVar], rng: random.Random) -> Values:
    """One value for every variable: a list's member or an integer of the range."""
    return {
        v.name: rng.choice(v.values) if v.values else rng.randint(v.low or 0, v.high or 0)
        for v in variables
    }


def _choices(var: GenVar) -> Sequence[int | float]:
    return var.values or range(var.low or 0, (var.high or 0) + 1)


def sample(variables: Sequence[GenVar], seed: str) -> Iterator[Values]:
    """Every combination of values when there are at most SAMPLE, else SAMPLE random ones
    (seeded, so `check` says the same each time) after the two corners."""
    choices = [_choices(v) for v in variables]
    names = [v.name for v in variables]
    if math.prod(len(c) for c in choices) <= SAMPLE:
        for combo in itertools.product(*choices):
            yield dict(zip(names, combo, strict=True))
        return
    yield {n: c[0] for n, c in zip(names, choices, strict=True)}
    yield {n: c[-1] for n, c in zip(names, choices, strict=True)}
    rng = random.Random(seed)
    for _ in range(SAMPLE - 2):
        yield draw_values(variables, rng)


def range_problem(source: str, variables: Sequence[GenVar], *, seed: str) -> str | None:
    """Why the card's answer cannot be drawn reliably, or None. Raises ExprError when `source`
    is not a valid expression."""
    tree = expr.parse(source)
    tried = failed = 0
    first: tuple[Values, expr.ExprError] | None = None
    for values in sample(variables, seed):
        tried += 1
        try:
            expr.answer(tree, values)
        except expr.ExprError as e:
            failed += 1
            first = first or (values, e)
    if first is None:
        return None
    values, error = first
    if failed == tried:
        return f"'compute' fails for every value tried, e.g. {values}: {error}"
    if (failed / tried) ** MAX_DRAWS > MAX_GIVE_UP:
        return (
            f"'compute' fails for {failed} of {tried} values tried, e.g. {values}: {error};"
            " too many for a redraw to find good numbers"
        )
    return None

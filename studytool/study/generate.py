"""Generated questions: draw fresh numbers for a card's `vars` and compute its answer safely."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from studytool.content import expr
from studytool.content.model import Card

_SLOT = re.compile(r"\{([A-Za-z_]\w*)\}")


@dataclass(frozen=True, slots=True)
class Instance:
    """One drawing of a generated card."""

    values: dict[str, int | float]
    question_en: str
    question_ko: str
    answer: float

    def question(self, lang: str) -> str:
        return self.question_ko if lang == "ko" else self.question_en


def draw(card: Card, rng: random.Random) -> Instance:
    """Pick a value for every variable and compute the answer. Raises expr.ExprError."""
    values: dict[str, int | float] = {}
    for var in card.variables:
        if var.values:
            values[var.name] = rng.choice(var.values)
        else:
            values[var.name] = rng.randint(var.low or 0, var.high or 0)
    answer = float(expr.evaluate(card.compute or "", values))

    def fill(text: str) -> str:
        return _SLOT.sub(lambda m: f"{values.get(m.group(1), m.group(0))}", text)

    return Instance(values, fill(card.prompt.en), fill(card.prompt.ko), answer)

"""Generated questions: draw fresh numbers for a card's `vars` and compute its answer safely."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from studytool.content import expr
from studytool.content.draws import MAX_DRAWS, draw_values
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
    """Pick a value for every variable and compute the answer. A drawing whose answer cannot
    be computed (division by zero, too large) is drawn again, up to `draws.MAX_DRAWS` times;
    `check` refuses a card for which that could run out. Raises expr.ExprError when it does
    anyway, or when the expression itself is invalid."""
    tree = expr.parse(card.compute or "")
    for _ in range(MAX_DRAWS):
        values = draw_values(card.variables, rng)
        try:
            answer = expr.answer(tree, values)
        except expr.ExprError as e:
            error = e
            continue

        def fill(text: str, values: dict[str, int | float] = values) -> str:
            return _SLOT.sub(lambda m: f"{values.get(m.group(1), m.group(0))}", text)

        return Instance(values, fill(card.prompt.en), fill(card.prompt.ko), answer)
    raise expr.ExprError(f"{card.full_id}: no good numbers in {MAX_DRAWS} draws: {error}")

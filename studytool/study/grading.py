"""Checking answers to interactive cards: shared by review and quizzes. Pure logic, no UI.

A check returns a score in [0, 1]: `multi` gives partial credit, `order` scores the share of
items in the right place, the rest are right (1) or wrong (0).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from studytool.content.model import Card
from studytool.study.text import format_number

_PUNCT = re.compile(r"[\s\-_.,;:!?'\"`()\[\]{}·~]+")
# typographic minus signs and dashes, and the multiplication sign, as a keyboard types them
_FOLD = str.maketrans({"−": "-", "–": "-", "—": "-", "‐": "-", "×": "x"})
_NUMBER = re.compile(r"^\s*([-+]?(?:\d[\d,_]*\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*(.*?)\s*$", re.I)


@dataclass(frozen=True, slots=True)
class Check:
    score: float  # 0..1
    expected: str  # the right answer, for feedback
    detail: str = ""  # e.g. "2 of 3 right choices, 1 wrong pick"

    @property
    def correct(self) -> bool:
        return self.score >= 1.0 - 1e-9


def normalize(text: str, case_sensitive: bool = False) -> str:
    """Full/half-width forms (NFKC), case, whitespace, punctuation and dashes are not part of an
    answer; "4×4" reads as "4x4"."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    if not case_sensitive:
        text = text.casefold()
    return _PUNCT.sub("", text)


def parse_number(text: str) -> tuple[float, str] | None:
    """'1,024', '3.5e-2', '12 ms', '２５６' -> (value, unit); None if it is not a number."""
    m = _NUMBER.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    try:
        value = float(m.group(1).replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return (value, m.group(2)) if math.isfinite(value) else None


def check_choice(card: Card, picked: int) -> Check:
    expected = card.answer_index if card.answer_index is not None else -1
    return Check(float(picked == expected), f"{expected + 1}")


def check_multi(card: Card, picked: Sequence[int]) -> Check:
    """Partial credit: right picks minus wrong picks, over the number of right choices."""
    right, chosen = set(card.answer_indices), set(picked)
    hits, wrong = len(right & chosen), len(chosen - right)
    score = max(0.0, (hits - wrong) / len(right)) if right else 0.0
    expected = ", ".join(str(i + 1) for i in sorted(right))
    return Check(score, expected, f"{hits} of {len(right)} right, {wrong} wrong")


def check_truefalse(card: Card, answer: bool) -> Check:
    return Check(float(answer == card.answer_bool), "true" if card.answer_bool else "false")


def check_typed(card: Card, response: str) -> Check:
    """Any accepted answer in either language matches, after normalisation."""
    accepted = [t for a in card.answers for t in (a.en, a.ko)]
    expected = card.answers[0].en if card.answers else ""
    return check_text(response, accepted, expected, case_sensitive=card.case_sensitive)


def check_text(
    response: str, accepted: Sequence[str], expected: str, *, case_sensitive: bool = False
) -> Check:
    """A typed answer against accepted spellings: equal after `normalize`, or the same number
    when both are plain numbers ('.999' is '0.999', '1,000' is '1000')."""
    given = normalize(response, case_sensitive)
    if given and given in {normalize(t, case_sensitive) for t in accepted}:
        return Check(1.0, expected)
    number = parse_number(response)
    if number is not None and not number[1]:
        for text in accepted:
            other = parse_number(text)
            if other is not None and not other[1] and math.isclose(number[0], other[0]):
                return Check(1.0, expected)
    return Check(0.0, expected)


def check_numeric(card: Card, response: str, answer: float | None = None) -> Check:
    """Within the card's tolerance. A unit, if given, must be the card's unit; on a card
    without a unit any unit is taken as said ('2 px' for 2 pixels) and noted."""
    target = card.number if answer is None else answer
    unit = card.unit or ""
    expected = f"{format_number(target)}{' ' + unit if unit else ''}" if target is not None else ""
    parsed = parse_number(response)
    if target is None or parsed is None:
        return Check(0.0, expected, "not a number")
    value, given_unit = parsed
    if given_unit and unit and normalize(given_unit) != normalize(unit):
        return Check(0.0, expected, f"unit '{given_unit}' is not '{unit}'")
    note = f"unit '{given_unit}' not needed" if given_unit and not unit else ""
    tolerance = max(card.tolerance, 1e-9 * max(1.0, abs(target)))
    return Check(float(abs(value - target) <= tolerance), expected, note)


def check_order(card: Card, order: Sequence[int]) -> Check:
    """`order` lists the item indices as the user arranged them; score = share in place."""
    n = len(card.items)
    in_place = sum(1 for pos, item in enumerate(order[:n]) if item == pos)
    return Check(in_place / n if n else 0.0, " → ".join(str(i + 1) for i in range(n)),
                 f"{in_place} of {n} in place")  # fmt: skip


def char_diff(given: str, expected: str) -> list[tuple[str, str]]:
    """How a typed answer differs from the expected one, character by character: segments
    tagged "same", "extra" (typed, not expected) or "missing" (expected, not typed), in reading
    order. Case does not count as a difference."""
    out: list[tuple[str, str]] = []
    matcher = SequenceMatcher(None, given.casefold(), expected.casefold(), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append((expected[j1:j2], "same"))
            continue
        if i2 > i1:
            out.append((given[i1:i2], "extra"))
        if j2 > j1:
            out.append((expected[j1:j2], "missing"))
    return out


def closest(given: str, candidates: Sequence[str]) -> str:
    """The candidate most like what was typed (the spelling to show a diff against)."""
    key = given.casefold()
    return max(
        candidates,
        key=lambda c: SequenceMatcher(None, key, c.casefold(), autojunk=False).ratio(),
        default="",
    )

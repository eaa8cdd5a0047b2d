"""Predict, then run: reading a student's guess to a demo's question and scoring it against
the answer the run computed from its own numbers.

    guess = parse_guess(question, "b")                # choice: option number or letter -> index
    guess = parse_guess(question, "3.5 s")            # number: a float, its unit tolerated
    scored = score(question, guess, verdict_answers)  # right, wrong, or not scored

A guess is "not scored" when the student skipped the question or the run gave no answer to it
(an error, a cancel, a demo that does not compute it). :func:`log_scored` puts the scored ones
in the progress store (``store/predictions.py``). No torch, no drawing; the CLI and the TUI
share it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .params import DemoError, Prediction

if TYPE_CHECKING:
    from studytool.store.repo import Store

    from .catalog import DemoMeta

__all__ = [
    "GuessError",
    "Scored",
    "check_predictions",
    "is_right",
    "log_scored",
    "logged_card",
    "parse_guess",
    "parse_guess_args",
    "question_json",
    "score",
    "score_all",
    "show_value",
]

SKIPPED = "skipped"
NO_ANSWER = "no answer"

_NUMBER = re.compile(r"\s*([-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


class GuessError(DemoError, ValueError):
    """A guess that cannot be read (one line, said to the student as it is)."""


@dataclass(frozen=True)
class Scored:
    """One question after the run: the guess, the run's answer and whether they agree."""

    question: Prediction
    guess: float | None  # option index or number; None: skipped
    answer: float | None  # None: the run gave none
    right: bool | None  # None: not scored

    @property
    def why_not_scored(self) -> str:
        if self.right is not None:
            return ""
        return SKIPPED if self.guess is None else NO_ANSWER

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.question.id,
            "kind": self.question.kind,
            "guess": self.guess,
            "answer": self.answer,
            "correct": self.right,
            "scored": self.right is not None,
            "not_scored": self.why_not_scored,
        }


def question_json(q: Prediction) -> dict[str, Any]:
    """Every field of a question and its kind, for other front-ends."""
    return {
        "id": q.id,
        "kind": q.kind,
        "prompt_en": q.prompt_en,
        "prompt_ko": q.prompt_ko,
        "options_en": list(q.options_en),
        "options_ko": list(q.options_ko),
        "tolerance": q.tolerance,
        "rel_tolerance": q.rel_tolerance,
        "unit": q.unit,
        "card": q.card,
    }


def _letter(i: int) -> str:
    return chr(ord("a") + i)


def parse_guess(q: Prediction, text: str) -> float:
    """A choice question takes the option's number (1-based), its letter (a, b, ...) or its
    text; a number question takes a number, optionally followed by the question's unit."""
    s = str(text).strip()
    if not s:
        raise GuessError(f"{q.id}: empty guess")
    if q.kind == "choice":
        n = len(q.options_en)
        low = s.lower().rstrip(".)")
        if low.isdigit() and 1 <= int(low) <= n:
            return float(int(low) - 1)
        if len(low) == 1 and "a" <= low < _letter(n):
            return float(ord(low) - ord("a"))
        for i, (en, ko) in enumerate(zip(q.options_en, q.options_ko, strict=True)):
            if s.casefold() in (en.casefold(), ko.casefold()):
                return float(i)
        raise GuessError(f"{q.id}: {s!r} is not an option: give 1-{n} or a-{_letter(n - 1)}")
    m = _NUMBER.fullmatch(s)
    unit = m.group(2) if m else ""
    if m is None or (unit and unit.casefold() != q.unit.strip().casefold()):
        want = f" (in {q.unit})" if q.unit else ""
        raise GuessError(f"{q.id}: {s!r} is not a number{want}")
    value = float(m.group(1).replace("_", ""))
    if not math.isfinite(value):
        raise GuessError(f"{q.id}: {s!r} is not a finite number")
    return value


def parse_guess_args(questions: Sequence[Prediction], args: Iterable[str]) -> dict[str, float]:
    """``["qid=value", ...]`` (the CLI's repeatable ``--guess``) -> {qid: guess}."""
    by_id = {q.id: q for q in questions}
    out: dict[str, float] = {}
    for arg in args:
        qid, sep, value = arg.partition("=")
        qid = qid.strip()
        if not sep or not qid:
            raise GuessError(f"bad --guess {arg!r}: use QUESTION=ANSWER")
        if not by_id:
            raise GuessError(f"this demo asks no questions: nothing to answer with {arg!r}")
        if qid not in by_id:
            raise GuessError(f"unknown question {qid!r} (known: {', '.join(by_id)})")
        out[qid] = parse_guess(by_id[qid], value)
    return out


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def is_right(q: Prediction, guess: float, answer: float) -> bool:
    """Choice: the same option. Number: within ``max(tolerance, rel_tolerance * |answer|)``."""
    if q.kind == "choice":
        return round(guess) == round(answer)
    return abs(guess - answer) <= max(q.tolerance, q.rel_tolerance * abs(answer))


def score(q: Prediction, guess: float | None, answers: Mapping[str, Any] | None) -> Scored:
    """Score one guess against the run's ``answers`` (None: the run ended without a verdict).
    A choice answer that names no option is treated as no answer."""
    answer = _finite((answers or {}).get(q.id))
    if (
        answer is not None
        and q.kind == "choice"
        and not (answer == round(answer) and 0 <= answer < len(q.options_en))
    ):
        answer = None
    right = None if guess is None or answer is None else is_right(q, guess, answer)
    return Scored(q, guess, answer, right)


def score_all(
    questions: Sequence[Prediction],
    guesses: Mapping[str, float | None],
    verdict: Mapping[str, Any] | None,
) -> list[Scored]:
    """Every question of a run, scored against its verdict's ``answers`` (none when the run
    ended in an error or was cancelled)."""
    answers = verdict.get("answers") if verdict is not None else None
    # a cancelled run's numbers are cut short: its answers are not the run's outcome
    if not isinstance(answers, Mapping) or (verdict or {}).get("cancelled"):
        answers = None
    return [score(q, guesses.get(q.id), answers) for q in questions]


def show_value(q: Prediction, value: float | None, lang: str = "en") -> str:
    """A guess or an answer as the student reads it: ``b. Adam`` or ``3.2 s``; ``–`` for none."""
    if value is None:
        return "–"
    if q.kind == "choice":
        i = round(value)
        options = q.options_ko if lang == "ko" else q.options_en
        return f"{_letter(i)}. {options[i]}" if 0 <= i < len(options) else "?"
    text = f"{value:.6g}"
    return f"{text} {q.unit}" if q.unit else text


def logged_card(meta: DemoMeta, q: Prediction) -> str:
    """The card a prediction is logged against: its own, else the demo's first ("": none)."""
    return q.card or (meta.cards[0] if meta.cards else "")


def log_scored(
    store: Store, meta: DemoMeta, scored: Sequence[Scored], now: datetime | None = None
) -> int:
    """Log every scored guess of a run against its card (appended, fsynced and committed
    before this returns); skipped and unanswered ones are not logged. Returns how many."""
    from studytool.store.predictions import record_prediction

    n = 0
    for s in scored:
        key = logged_card(meta, s.question)
        if s.right is None or s.guess is None or s.answer is None or not key:
            continue
        record_prediction(
            store,
            key=key,
            demo=meta.name,
            concept=meta.concept,
            question=s.question.id,
            guess=s.guess,
            answer=s.answer,
            correct=s.right,
            now=now,
        )
        n += 1
    return n


MAX_QUESTIONS = 3
MAX_OPTIONS = 5


def _hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def check_predictions(meta: DemoMeta) -> list[str]:
    """What breaks the prediction rules in a demo's INFO (empty: none): 1-3 questions with
    unique ids, prompts in both languages, a card among INFO.cards (or a first card to fall
    back on); a choice has 2-5 options in each language and no tolerance; a number has no
    options, a finite tolerance and/or relative tolerance above 0, and a unit."""
    where = f"{meta.name}:"
    qs = meta.predictions
    problems = []
    if not 1 <= len(qs) <= MAX_QUESTIONS:
        problems.append(f"{where} {len(qs)} prediction questions (want 1-{MAX_QUESTIONS})")
    ids = [q.id for q in qs]
    if len(set(ids)) != len(ids):
        problems.append(f"{where} duplicate prediction ids")
    for q in qs:
        at = f"{where} prediction {q.id!r}"
        if not q.id.isidentifier():
            problems.append(f"{at}: the id is not a simple name")
        if not q.prompt_en.strip() or not _hangul(q.prompt_ko):
            problems.append(f"{at}: needs a prompt in English and in Korean")
        if q.card and q.card not in meta.cards:
            problems.append(f"{at}: card {q.card!r} is not one of INFO.cards")
        if not logged_card(meta, q):
            problems.append(f"{at}: no card to log it against (INFO.cards is empty)")
        tolerances = (q.tolerance, q.rel_tolerance)
        if q.kind == "choice":
            n = len(q.options_en)
            if not 2 <= n <= MAX_OPTIONS or len(q.options_ko) != n:
                problems.append(f"{at}: needs 2-{MAX_OPTIONS} options in each language")
            if len(set(q.options_en)) != n or not all(o.strip() for o in q.options_en):
                problems.append(f"{at}: options must be distinct and not blank")
            if not all(o.strip() for o in q.options_ko):
                problems.append(f"{at}: a Korean option is blank")
            if any(tolerances):
                problems.append(f"{at}: a choice question has no tolerance")
        else:
            if q.options_ko:
                problems.append(f"{at}: Korean options without English ones")
            ok = all(isinstance(x, int | float) and math.isfinite(x) and x >= 0 for x in tolerances)
            if not ok or not any(tolerances):
                problems.append(f"{at}: a number question needs a tolerance > 0 (or relative)")
    return problems

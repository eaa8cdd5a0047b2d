"""Typed cards, and turning a recall card's short plain answer into a typed question.

Alternatives in parentheses count ("Overfitting (과적합)" accepts "overfitting" and "과적합");
an answer is typeable when it is a term of at most 5 words and 40 characters without formula
symbols.
"""

from __future__ import annotations

import random
import re

from studytool.content.model import Card, CardType, Text
from studytool.study import grading
from studytool.study.cardtypes.base import (
    AnswerModel,
    CardModel,
    Kind,
    Question,
    Response,
    register,
)
from studytool.study.grading import Check

MAX_TYPED_CHARS = 40
MAX_TYPED_WORDS = 5

# a term the user can type: letters, digits, Hangul, spaces and light punctuation, no formulas
_PLAIN = re.compile(r"^[A-Za-z0-9\uac00-\ud7a3\u3131-\u318e '’/.,&+×−–-]+$")
_PAREN = re.compile(r"(\s*)[(（]([^()（）]*)[)）]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_WORD_SPLIT = re.compile(r"[\s\-]+")


class TypedAnswer(AnswerModel):
    kind = Kind.TYPED

    def expected(self, q: Question, lang: str) -> str:
        return q.accepted[0].get(lang) if q.accepted else ""

    def check(self, q: Question, response: Response) -> Check:
        """Any accepted answer in either language, each with its alternatives ('Overfitting
        (과적합)' takes '과적합'): the same for review and quiz, typed and converted cards."""
        if q.card.type is CardType.TYPED:
            accepted = [alt for a in q.accepted for alt in spellings(a)]
        else:  # a converted recall card: `typed_or_self` listed the spellings already
            accepted = [t for a in q.accepted for t in (a.en, a.ko)]
        expected = q.accepted[0].en if q.accepted else ""
        return grading.check_text(
            str(response), accepted, expected, case_sensitive=q.card.case_sensitive
        )


class TypedCard(CardModel):
    def ask(self, key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
        return Question(key, card, Kind.TYPED, card.prompt, accepted=card.answers)

    def answer_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        return " / ".join(dict.fromkeys(a.get(lang) for a in card.answers))


def _asides(text: str) -> tuple[str, list[str], list[str]]:
    """Split off parenthesised asides: ('Overfitting (과적합)') -> ('Overfitting', [], ['과적합']).
    Returns the bare text, the acronym asides and the other asides. A group is an aside when a
    space comes before it, or it is Korean, or an acronym of the rest (or the rest of it);
    'Pr(Object)' and 'F(x)' are not asides but part of a formula."""
    acronyms: list[str] = []
    others: list[str] = []

    def cut(m: re.Match[str]) -> str:
        inner = m.group(2).strip()
        rest = (text[: m.start()] + text[m.end() :]).strip()
        if _acronym_of(inner, rest) or _acronym_of(rest, inner):
            acronyms.append(inner)
            return ""
        if m.group(1) or _HANGUL.search(inner):
            others.append(inner)
            return ""
        return m.group(0)

    return _PAREN.sub(cut, text).strip(), acronyms, others


def alternatives(text: str, korean_asides: bool = True) -> list[str]:
    """Accepted spellings of a term: the whole text, the text without its asides, acronyms
    ('Recurrent neural network (RNN)' accepts 'RNN', 'ReLU (rectified linear unit)' accepts the
    expansion), and, when `korean_asides`, a Korean aside ('Overfitting (과적합)' accepts
    '과적합'). 'A / B' accepts each side."""
    out: list[str] = []
    parts = [text, *text.split(" / ")] if " / " in text else [text]
    for part in parts:
        bare, acronyms, others = _asides(part)
        out += [part.strip(), bare, *acronyms]
        if korean_asides:
            out += [a for a in others if _HANGUL.search(a)]
    return [s for s in dict.fromkeys(out) if s]


def _acronym_of(short: str, long: str) -> bool:
    words = [w for w in _WORD_SPLIT.split(long) if w]
    capitals = "".join(ch for ch in short if ch.isupper())
    return (
        len(words) >= 2
        and len(capitals) == len(words)
        and capitals == "".join(w[0] for w in words).upper()
    )


def _typeable(text: str) -> bool:
    """A short plain term (no formula) once its asides are removed."""
    bare = _asides(text)[0]
    return (
        bool(bare)
        and len(bare) <= MAX_TYPED_CHARS
        and len(bare.split()) <= MAX_TYPED_WORDS
        and bool(_PLAIN.match(bare))
    )


def spellings(answer: Text) -> list[str]:
    """Every accepted spelling of a bilingual answer: the English alternatives, and the Korean
    side's when it is a plain term (else the Korean text as it is)."""
    out = alternatives(answer.en)
    if _typeable(answer.ko):
        # a Korean aside translates the term only when the English has no aside of its own
        plain_en = not any(_asides(answer.en)[1:])
        out += alternatives(answer.ko, korean_asides=plain_en)
    else:
        out.append(answer.ko)
    return list(dict.fromkeys(out))


def typed_or_self(card: Card, key: str, prompt: Text, answer: Text) -> Question:
    """Typed when the answer is a short plain term in English; the Korean side's spellings
    count too when they are plain. Self-graded otherwise."""
    if not _typeable(answer.en):
        return Question(key, card, Kind.SELF, prompt, reveal=answer)
    texts = [answer, *(Text.plain(a) for a in spellings(answer))]
    return Question(key, card, Kind.TYPED, prompt, accepted=tuple(texts), reveal=answer)


register(CardType.TYPED, TypedCard(), TypedAnswer())

"""Typed, immutable view of a validated deck. Built only by the loader."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from studytool.textsafe import safe_path

LANGS = ("en", "ko")
# JSON Schema (ECMA) reads `$` as the end of the input; Python's `$` also matches before a final
# newline, so Python code uses ID_RE, anchored with \A and \Z.
ID_PATTERN = "^[a-z0-9][a-z0-9_-]*$"
ID_RE = re.compile(r"\A[a-z0-9][a-z0-9_-]*\Z")
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
REVERSE_SUFFIX = "@rev"
MAX_INT = 2**53  # the largest integer a deck may hold: exact as a float and in JSON


class CardType(StrEnum):
    BASIC = "basic"
    REVERSED = "reversed"
    CLOZE = "cloze"
    MCQ = "mcq"
    MULTI = "multi"
    TRUEFALSE = "truefalse"
    TYPED = "typed"
    NUMERIC = "numeric"
    ORDER = "order"

    @property
    def is_quiz(self) -> bool:
        return self not in (CardType.BASIC, CardType.REVERSED)


@dataclass(frozen=True, slots=True)
class Text:
    """A bilingual string. A plain YAML string is the same text in both languages."""

    en: str
    ko: str
    bilingual: bool = True

    @classmethod
    def plain(cls, s: str) -> Text:
        return cls(s, s, bilingual=False)

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en

    def to_yaml(self) -> str | dict[str, str]:
        return {"en": self.en, "ko": self.ko} if self.bilingual else self.en


@dataclass(frozen=True, slots=True)
class Source:
    note: str
    quote: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Errata:
    """What a course note got wrong, quoted, with the correction and its reference."""

    quote: str
    correction: Text
    reference: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GenVar:
    """A variable of a generated question: either a list of values or an integer range."""

    name: str
    values: tuple[int | float, ...] = ()
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True, slots=True)
class Card:
    deck: str
    id: str
    type: CardType
    prompt: Text  # front, cloze text or question, by type
    back: Text | None = None
    choices: tuple[Text, ...] = ()
    answer_index: int | None = None  # mcq
    answer_indices: tuple[int, ...] = ()  # multi
    answer_bool: bool | None = None  # truefalse
    answers: tuple[Text, ...] = ()  # typed: accepted answers, first is canonical
    case_sensitive: bool = False
    number: float | None = None  # numeric
    tolerance: float = 0.0
    unit: str | None = None
    compute: str | None = None  # numeric, generated: arithmetic expression over `variables`
    variables: tuple[GenVar, ...] = ()
    items: tuple[Text, ...] = ()  # order: the correct order
    formula: str | None = None  # LaTeX shown with the answer
    given: str | None = None  # LaTeX shown with the question (what the question needs)
    explain: Text | None = None
    tags: tuple[str, ...] = ()
    demo: str | None = None
    source: Source | None = None
    errata: Errata | None = None
    concept: str | None = None
    draft: bool = False
    lint_ignore: tuple[str, ...] = ()  # linter rules this card is exempt from (with a reason)
    line: int = 0  # 1-based line and column of the card in its file
    col: int = 0

    @property
    def full_id(self) -> str:
        return f"{self.deck}/{self.id}"

    @property
    def sibling_key(self) -> str:
        """Cards sharing this key are siblings: never shown back to back."""
        return f"{self.deck}/{self.concept}" if self.concept else self.full_id

    def review_keys(self) -> tuple[str, ...]:
        """Progress keys: one per direction; a reversed card is reviewed both ways."""
        if self.type is CardType.REVERSED:
            return (self.full_id, self.full_id + REVERSE_SUFFIX)
        return (self.full_id,)

    def cloze_numbers(self, lang: str = "en") -> list[int]:
        return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(self.prompt.get(lang))})

    def texts(self) -> list[Text]:
        """Every bilingual text of the card, for search and language checks."""
        out = [self.prompt, *self.choices, *self.answers, *self.items]
        out += [t for t in (self.back, self.explain) if t is not None]
        if self.errata is not None:
            out.append(self.errata.correction)
        return out


@dataclass(frozen=True, slots=True)
class Deck:
    id: str
    title: Text
    path: Path
    description: Text | None = None
    tags: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    cards: tuple[Card, ...] = ()
    builtin: bool = False
    overrides: Path | None = None  # the built-in deck file this user deck replaces

    def card(self, card_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == card_id), None)

    @property
    def review_cards(self) -> tuple[Card, ...]:
        return tuple(c for c in self.cards if not c.draft)


@dataclass(frozen=True, slots=True)
class Problem:
    """One error found in a deck file, located the way a compiler does it."""

    path: Path
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{safe_path(self.path)}:{self.line}:{self.col}: {self.message}"


@dataclass(slots=True)
class LoadResult:
    decks: list[Deck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # deck id -> number of problems in the file that declares it (or the file name)
    broken: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

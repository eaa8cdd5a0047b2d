"""The card-type model's core: the asked question, how each kind of answer behaves, and the
registries that map card types and answer kinds to their behaviour.

A card type (`CardModel`) says how a card is asked (in a quiz or a review), what its answer
reads as, and how it is exported as two sides. An answer kind (`AnswerModel`) says how a
question of that kind is answered: instruction, parse, check (with partial credit), the
expected answer and how a response reads. `Question` ties one asked card to its kind.
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum

from studytool.content.model import REVERSE_SUFFIX, Card, Text
from studytool.study.generate import Instance
from studytool.study.grading import Check
from studytool.study.text import LETTERS, label

Response = int | bool | str | tuple[int, ...]


class Kind(StrEnum):
    """How the built-in questions are answered. A registered card type may add its own kind
    (any string); these compare equal to their string values."""

    CHOICE = "choice"
    MULTI = "multi"
    TRUEFALSE = "truefalse"
    TYPED = "typed"
    NUMERIC = "numeric"
    ORDER = "order"
    SELF = "self"  # recall: the answer is revealed and the user says whether they knew it


class Interaction(StrEnum):
    """What the user does on screen to answer: the answer widget draws and handles each."""

    PICK = "pick"  # one of the options
    TOGGLE = "toggle"  # any of the options, then confirm
    BOOL = "bool"  # true or false
    INPUT = "input"  # type text, then Enter
    ARRANGE = "arrange"  # move the items into order, then confirm
    SELF = "self"  # reveal, then say whether you knew it


class AnswerError(ValueError):
    """The text typed is not an answer to this question (the message says what is)."""


@dataclass(frozen=True, slots=True)
class Sides:
    """Any card as the two sides of a flashcard, in one language: what Anki and spreadsheets
    hold."""

    question: str
    answer: str
    listing: tuple[str, ...] = ()  # choices or items, shown numbered under the question
    hint: str = ""  # how to answer, e.g. (True / False)
    given: str = ""  # the card's `given` formula as Unicode: part of the question

    @property
    def front(self) -> str:
        given = [self.given] if self.given else []
        numbered = (f"{i}. {t}" for i, t in enumerate(self.listing, start=1))
        lines = [self.question, *given, *numbered]
        return "\n".join(lines + ([self.hint] if self.hint else []))


@dataclass(frozen=True, slots=True)
class Question:
    """One card as asked: by a quiz, a review or a question sheet."""

    key: str  # review key: deck/card, or deck/card@rev for the back-to-front side
    card: Card
    kind: str  # a Kind, or the kind a registered card type added
    prompt: Text  # what is asked (numbers drawn, one cloze blanked, or the other side)
    options: tuple[int, ...] = ()  # mcq/multi: card choice shown at each position; order: item
    accepted: tuple[Text, ...] = ()  # typed: accepted answers (any of en/ko matches)
    reveal: Text | None = None  # self-graded and converted questions: the answer side
    instance: Instance | None = None  # generated numeric: the drawn numbers and answer

    @property
    def model(self) -> AnswerModel:
        return answer_model(self.kind)

    @property
    def interaction(self) -> Interaction:
        return self.model.interaction

    @property
    def reverse(self) -> bool:
        return self.key.endswith(REVERSE_SUFFIX)

    def question(self, lang: str) -> str:
        return self.prompt.get(lang)

    def instruction(self, lang: str) -> str:
        return self.model.instruction(self, lang)

    def option_texts(self, lang: str) -> list[str]:
        """Choices (mcq/multi) or order items, in the order they are shown."""
        source = self.card.items if self.interaction is Interaction.ARRANGE else self.card.choices
        return [source[i].get(lang) for i in self.options]

    @property
    def right_options(self) -> list[int]:
        """Positions of the right choices as shown (mcq/multi)."""
        right = (
            {self.card.answer_index} if self.kind == Kind.CHOICE else set(self.card.answer_indices)
        )
        return [pos for pos, i in enumerate(self.options) if i in right]

    @property
    def given(self) -> str | None:
        """LaTeX the question needs, shown with it. A card's `formula` is part of the answer
        and shown only once it is revealed (`answer_formula`)."""
        return self.card.given

    @property
    def answer_formula(self) -> str | None:
        return self.card.formula

    def card_response(self, response: Response) -> Response:
        """A response in the card's own terms: choice and item indices as the card lists them,
        not the shuffled positions they were shown at."""
        match self.interaction:
            case Interaction.PICK:
                assert isinstance(response, int)
                return self.options[response]
            case Interaction.TOGGLE:
                assert isinstance(response, tuple)
                return tuple(sorted(self.options[i] for i in response))
            case Interaction.ARRANGE:
                assert isinstance(response, tuple)
                return tuple(self.options[i] for i in response)
        return response

    @property
    def answer_number(self) -> float | None:
        return self.instance.answer if self.instance is not None else self.card.number

    def expected(self, lang: str) -> str:
        """The right answer as one line of text."""
        return self.model.expected(self, lang)

    def parse(self, text: str) -> Response:
        """Read a typed answer (the CLI, the quiz's answer box)."""
        raw = text.strip()
        if not raw:
            raise AnswerError("empty answer")
        return self.model.parse(self, raw)

    def check(self, response: Response) -> Check:
        """Score an answer (partial credit where the kind gives it); `expected` reads as the
        English expected answer."""
        return replace(self.model.check(self, response), expected=self.expected("en"))

    def response_text(self, response: Response) -> str:
        """An answer as the user would write it: "b", "a, c", "true", "3 1 2", the text."""
        return self.model.response_text(self, response)


class AnswerModel(ABC):
    """How one kind of question is answered. Subclasses override what differs."""

    kind: str = ""
    interaction: Interaction = Interaction.INPUT
    instructions: tuple[str, str] = ("Type the answer", "답을 입력하세요")

    def instruction(self, q: Question, lang: str) -> str:
        en, ko = self.instructions
        return ko if lang == "ko" else en

    def expected(self, q: Question, lang: str) -> str:
        return q.reveal.get(lang) if q.reveal else ""

    def parse(self, q: Question, raw: str) -> Response:
        return raw

    @abstractmethod
    def check(self, q: Question, response: Response) -> Check:
        """Score a parsed response."""

    def response_text(self, q: Question, response: Response) -> str:
        return str(response)


class CardModel(ABC):
    """How one card type is asked, answered and written out. Subclasses override what
    differs; `ask` is the one method each type must give."""

    interactive: bool = True  # answered and checked, rather than recalled and self-graded

    @abstractmethod
    def ask(self, key: str, card: Card, rng: random.Random, *, quiz: bool = True) -> Question:
        """The question for a review key. `quiz` asks it as a quiz does (choices shuffled,
        recall cards turned into typed questions where possible); otherwise as review shows
        it. Uses `rng` for shuffles and drawn numbers."""

    def question_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        if reverse and card.back is not None:
            return card.back.get(lang)
        return card.prompt.get(lang)

    def answer_text(self, card: Card, lang: str, reverse: bool = False) -> str:
        """The right answer as one readable block of text."""
        side = card.prompt if reverse else card.back
        return side.get(lang) if side else ""

    def choices(self, card: Card, lang: str) -> tuple[str, ...]:
        """What a printed card lists under its question, numbered (its choices)."""
        return ()

    def sides(self, card: Card, lang: str) -> Sides:
        return Sides(card.prompt.get(lang), self.answer_text(card, lang))


# ---- registries ----------------------------------------------------------------------------

_CARDS: dict[str, CardModel] = {}
_ANSWERS: dict[str, AnswerModel] = {}


def register(card_type: str, model: CardModel, *answers: AnswerModel) -> None:
    """Register a card type's model and the answer kinds it asks with."""
    _CARDS[str(card_type)] = model
    for answer in answers:
        _ANSWERS[answer.kind] = answer


def unregister(card_type: str, *kinds: str) -> None:
    _CARDS.pop(str(card_type), None)
    for kind in kinds:
        _ANSWERS.pop(kind, None)


@contextmanager
def registered(card_type: str, model: CardModel, *answers: AnswerModel) -> Iterator[None]:
    """A card type registered for the length of a `with` block (tests, plugins)."""
    register(card_type, model, *answers)
    try:
        yield
    finally:
        unregister(card_type, *(a.kind for a in answers))


def card_model(card: Card) -> CardModel:
    return _CARDS[str(card.type)]


def answer_model(kind: str) -> AnswerModel:
    return _ANSWERS[str(kind)]


def choice_range(n: int) -> str:
    return f"a-{label(n - 1)} or 1-{n}"


def parse_picks(raw: str, n: int) -> list[int]:
    """'b', '2', 'a c', '1,3' -> positions; AnswerError for anything else."""
    tokens = re.findall(r"\d+|[A-Za-z]", raw)
    if not tokens or re.sub(r"[\d A-Za-z,;/]", "", raw):
        raise AnswerError(f"answer with {choice_range(n)}")
    out = []
    for tok in tokens:
        i = int(tok) - 1 if tok.isdigit() else LETTERS.index(tok.lower())
        if not 0 <= i < n:
            raise AnswerError(f"'{tok}' is not a choice: {choice_range(n)}")
        out.append(i)
    return out

"""The card-quality linter: cards that test less than they seem to, as located warnings.

Pure functions over loaded decks. `studytool check` prints the findings (errors with `--strict`)
and the editor can show them live. A card exempts itself from a rule with a documented
`lint: {ignore: [rule-id], reason: "..."}`; the rule ids are `spec.LINT_RULES`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from studytool.content.model import CLOZE_RE, LANGS, Card, CardType, Deck
from studytool.latex import render

MAX_ANSWER_WORDS = 45
KEY_LENGTH_RATIO = 1.8
MIN_SORTED_ITEMS = 3  # two items always sort one way or the other: no signal

_ABSOLUTE = re.compile(
    r"\b(?:always|never|only|guaranteed|perfectly)\b|항상|반드시|절대(?!값)|완벽히|완벽하게",
    re.IGNORECASE,
)
# A number standing alone: not a digit of a longer number or of a name like x1, fp16 or v2.5.
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?)(?![0-9])")
# What makes a number a worked result rather than a given: `… = 0.818`, `≈ 0.818`, `→ 8`; a
# name's assignment (`lr = 0.01`, `h = 8`) states an input.
_RESULT_BEFORE = re.compile(r"(?:[≈→⇒]|(?:[)\]|]|(?<![A-Za-z0-9_.])[0-9][0-9,.]*)\s*=)\s*$")
_YEAR = re.compile(r"(?<![0-9])(?:1[89][0-9]{2}|20[0-9]{2})(?![0-9])")
# Typography that does not change what a student reads: Unicode minus, dashes, TeX-ish scripts.
_FOLD = str.maketrans({"−": "-", "–": "-", "—": "-", "‐": "-", "_": None, "^": None,
                       "{": None, "}": None})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Finding:
    """One warning about one card, located at the card like a compiler message."""

    path: Path
    line: int
    col: int
    rule: str
    message: str
    card: str  # the card's full id

    def format(self, severity: str = "warning") -> str:
        return f"{self.path}:{self.line}:{self.col}: {severity}[{self.rule}]: {self.message}"

    def __str__(self) -> str:
        return self.format()

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "line": self.line, "col": self.col, "rule": self.rule,
                "message": self.message, "card": self.card}  # fmt: skip


def blank_cloze(text: str, number: int | None = None) -> str:
    """Deletion `number` blanked and the others filled in (every deletion blanked when None)."""

    def sub(m: re.Match[str]) -> str:
        blank = number is None or int(m.group(1)) == number
        return f"[{m.group(3) or '...'}]" if blank else m.group(2)

    return CLOZE_RE.sub(sub, text)


def question_side(card: Card, lang: str, blank: int | None = None) -> str:
    """What the student sees before answering, as the card-type model shows it: the prompt (a
    cloze with `blank` blanked) and the formula the question gives (`given`). The card's
    `formula` is part of the answer side."""
    prompt = card.prompt.get(lang)
    if card.type is CardType.CLOZE:
        prompt = blank_cloze(prompt, blank)
    if card.given:
        return f"{prompt}\n{render(card.given)}"
    return prompt


def _norm(text: str) -> str:
    """Case, width, dashes and spacing around symbols folded: `(n + 2p)/s` == `(N+2p) / s`."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    text = " ".join(text.split())
    return re.sub(r" ?([^\w ]) ?", r"\1", text)


def _ascii_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def contains(side: str, answer: str) -> bool:
    """`answer` appears in `side` as a whole: numbers as numbers (3 is not in 30 or 3.5), words
    not inside longer words. Korean particles may follow a word."""
    value = _number(answer)
    if value is not None:
        return has_number(side, value)
    hay, needle = _norm(side), _norm(answer)
    start = hay.find(needle) if needle else -1
    while start >= 0:
        end = start + len(needle)
        before = start > 0 and _ascii_word(needle[0]) and _ascii_word(hay[start - 1])
        after = end < len(hay) and _ascii_word(needle[-1]) and _ascii_word(hay[end])
        if not (before or after):
            return True
        start = hay.find(needle, start + 1)
    return False


def has_number(side: str, value: float, result: bool = False) -> bool:
    """`value` stands in `side` as a number (only as a worked result when `result`)."""
    return any(
        _number(m.group()) == value
        and (not result or _RESULT_BEFORE.search(side, 0, m.start()) is not None)
        for m in _NUMBER.finditer(side)
    )


def _number(text: str) -> float | None:
    """The value of a text that is one number (thousands separators allowed), else None."""
    text = text.strip()
    return float(text.replace(",", "")) if _NUMBER.fullmatch(text) else None


def _deletions(text: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for m in CLOZE_RE.finditer(text):
        out.setdefault(int(m.group(1)), []).append(m.group(2))
    return out


def _cloze_shown(card: Card, lang: str) -> Iterator[tuple[int, str, bool]]:
    """Each deletion the question side shows while it is asked: its number, its text, and
    whether the cloze text itself shows it (else the rest of the question side does)."""
    prompt = card.prompt.get(lang)
    for n, texts in _deletions(prompt).items():
        for text in dict.fromkeys(texts):
            if contains(blank_cloze(prompt, n), text):
                yield n, text, True
            elif contains(question_side(card, lang, n), text):
                yield n, text, False


# -- rules: each yields messages for one card in one language --------------------------------


def answer_on_question_side(card: Card, lang: str) -> Iterator[str]:
    """A numeric value, typed answer or choice key that the question side already shows."""
    side = question_side(card, lang)
    match card.type:
        case CardType.NUMERIC if card.number is not None:
            # The prompt gives numbers that may equal the answer; a worked result gives it away.
            if has_number(side, abs(card.number), result=True):
                yield f"the answer {card.number:.10g} is shown as a result on the question side"
        case CardType.TYPED:
            for answer in dict.fromkeys(a.get(lang) for a in card.answers):
                if contains(side, answer):
                    yield f"the answer '{answer}' is shown on the question side"
        case CardType.MCQ | CardType.MULTI:
            keys = set(card.answer_indices)
            if card.answer_index is not None:
                keys.add(card.answer_index)
            shown = [i for i, c in enumerate(card.choices) if contains(side, c.get(lang))]
            # Naming every option in the question ("A or B?") singles none of them out.
            if len(shown) < len(card.choices):
                for i in sorted(keys & set(shown)):
                    yield f"the key '{card.choices[i].get(lang)}' is shown on the question side"
        case CardType.CLOZE:
            for n, text, in_text in _cloze_shown(card, lang):
                if not in_text:  # in the cloze text itself it is cloze-text-unblanked's finding
                    yield f"cloze c{n} '{text}' is shown on the question side (the given formula)"


def cloze_text_unblanked(card: Card, lang: str) -> Iterator[str]:
    """A deletion whose text stands unblanked elsewhere in the cloze (other deletions filled)."""
    if card.type is CardType.CLOZE:
        for n, text, in_text in _cloze_shown(card, lang):
            if in_text:
                yield f"cloze c{n} '{text}' also stands unblanked in the text"


def order_sortable(card: Card, lang: str) -> Iterator[str]:
    """Order items whose years (or numbers) sort them into the answer."""
    if card.type is not CardType.ORDER or len(card.items) < MIN_SORTED_ITEMS:
        return
    texts = [item.get(lang) for item in card.items]
    for pattern, what in ((_YEAR, "years"), (_NUMBER, "numbers")):
        found = [pattern.search(t) for t in texts]
        if all(found):
            values = [float(m.group().replace(",", "")) for m in found if m]
            pairs = list(pairwise(values))
            if all(a < b for a, b in pairs) or all(a > b for a, b in pairs):
                shown = ", ".join(m.group() for m in found if m)
                yield f"the items' {what} ({shown}) give the order away"
            return


def mcq_key_longest(card: Card, lang: str) -> Iterator[str]:
    """An MCQ key much longer than every distractor: length alone gives it away."""
    if card.type is not CardType.MCQ or card.answer_index is None:
        return
    lengths = [len(c.get(lang)) for c in card.choices]
    key = lengths[card.answer_index]
    longest = max(n for i, n in enumerate(lengths) if i != card.answer_index)
    if key >= KEY_LENGTH_RATIO * longest:
        yield (
            f"the key has {key} characters, {key / longest:.1f}x the longest distractor"
            f" ({longest}); make the distractors as specific"
        )


def tf_absolute_word(card: Card, lang: str) -> Iterator[str]:
    """A false statement with an absolute word: test-wise students answer it without knowing."""
    if card.type is CardType.TRUEFALSE and card.answer_bool is False:
        m = _ABSOLUTE.search(card.prompt.get(lang))
        if m:
            yield f"a false statement says '{m.group()}'; reword it without the absolute"


def answer_too_long(card: Card, lang: str) -> Iterator[str]:
    """A back over MAX_ANSWER_WORDS words (Korean counted by whitespace): split the card."""
    words = len(card.back.get(lang).split()) if card.back else 0
    if words > MAX_ANSWER_WORDS:
        yield (
            f"the answer has {words} words (at most {MAX_ANSWER_WORDS}): split the card or"
            " move detail to 'explain'"
        )


CARD_RULES: dict[str, Callable[[Card, str], Iterator[str]]] = {
    "answer-on-question-side": answer_on_question_side,
    "cloze-text-unblanked": cloze_text_unblanked,
    "order-sortable": order_sortable,
    "mcq-key-longest": mcq_key_longest,
    "tf-absolute-word": tf_absolute_word,
    "answer-too-long": answer_too_long,
}


def _finding(deck: Deck, card: Card, rule: str, message: str) -> Finding:
    return Finding(deck.path, card.line, card.col, rule, message, card.full_id)


def lint_card(deck: Deck, card: Card) -> list[Finding]:
    """The per-card rules; a message found in one language only says which."""
    out = []
    for rule, check in CARD_RULES.items():
        if rule in card.lint_ignore:
            continue
        by_lang = {lang: list(check(card, lang)) for lang in LANGS}
        for message in dict.fromkeys(m for ms in by_lang.values() for m in ms):
            langs = [lang for lang in LANGS if message in by_lang[lang]]
            suffix = "" if len(langs) == len(LANGS) else f" ({', '.join(langs)})"
            out.append(_finding(deck, card, rule, message + suffix))
    return out


def _question_key(card: Card, lang: str) -> str:
    """The question as a student reads it, normalised: case, punctuation and spacing dropped;
    the choices count (the same stem with other choices is another question)."""
    parts = [CLOZE_RE.sub(lambda m: m.group(2), card.prompt.get(lang))]
    parts += sorted(c.get(lang) for c in card.choices)
    text = unicodedata.normalize("NFKC", " ".join(parts)).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def duplicate_questions(decks: Iterable[Deck]) -> list[Finding]:
    """Each card whose question an earlier card (in any deck) already asks."""
    first: dict[tuple[str, str], tuple[Deck, Card]] = {}
    out = []
    for deck in decks:
        for card in deck.cards:
            keys = [(lang, _question_key(card, lang)) for lang in LANGS]
            other = next((first[k] for k in keys if k in first), None)
            for k in keys:
                first.setdefault(k, (deck, card))
            if other is not None and "duplicate-question" not in card.lint_ignore:
                odeck, ocard = other
                message = f"same question as {ocard.full_id} ({odeck.path.name}:{ocard.line})"
                out.append(_finding(deck, card, "duplicate-question", message))
    return out


def lint_library(decks: Iterable[Deck]) -> list[Finding]:
    """Every finding over these decks, duplicates across decks included, in file order."""
    decks = list(decks)
    out = [f for d in decks for c in d.cards for f in lint_card(d, c)]
    out += duplicate_questions(decks)
    return sorted(out, key=lambda f: (str(f.path), f.line, f.col, f.rule))


def lint_deck(deck: Deck) -> list[Finding]:
    """One deck's findings (duplicates within the deck only): for the editor's live warnings."""
    return lint_library([deck])

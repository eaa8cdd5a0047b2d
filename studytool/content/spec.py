"""The deck format as data: which keys each card type takes and what kind of value each holds.

The validator and the JSON Schema are both generated from these tables.
"""

from __future__ import annotations

from studytool.content.model import CardType

# Value kinds understood by the validator and the schema generator.
ID, TEXT, TEXTS, STR, STRS, INT, INTS, BOOL, NUMBER = (
    "id",
    "text",
    "texts",
    "str",
    "strs",
    "int",
    "ints",
    "bool",
    "number",
)
SOURCE, ERRATA, VARS, CARDS, NOTES, TYPE = "source", "errata", "vars", "cards", "notes", "type"
LINT = "lint"

DECK_FIELDS: dict[str, tuple[str, bool]] = {
    "deck": (ID, True),
    "title": (TEXT, True),
    "description": (TEXT, False),
    "tags": (STRS, False),
    "source": (NOTES, False),
    "cards": (CARDS, True),
}

COMMON_FIELDS: dict[str, tuple[str, bool]] = {
    "id": (ID, True),
    "type": (TYPE, True),
    "formula": (STR, False),  # LaTeX, on the answer side
    "given": (STR, False),  # LaTeX the question needs, on the question side
    "explain": (TEXT, False),
    "tags": (STRS, False),
    "demo": (STR, False),
    "source": (SOURCE, False),
    "errata": (ERRATA, False),
    "concept": (STR, False),
    "draft": (BOOL, False),
    "lint": (LINT, False),
}

TYPE_FIELDS: dict[CardType, dict[str, tuple[str, bool]]] = {
    CardType.BASIC: {"front": (TEXT, True), "back": (TEXT, True)},
    CardType.REVERSED: {"front": (TEXT, True), "back": (TEXT, True)},
    CardType.CLOZE: {"text": (TEXT, True), "back": (TEXT, False)},
    CardType.MCQ: {"question": (TEXT, True), "choices": (TEXTS, True), "answer": (INT, True)},
    CardType.MULTI: {"question": (TEXT, True), "choices": (TEXTS, True), "answers": (INTS, True)},
    CardType.TRUEFALSE: {"question": (TEXT, True), "answer": (BOOL, True)},
    CardType.TYPED: {
        "question": (TEXT, True),
        "answers": (TEXTS, True),
        "case_sensitive": (BOOL, False),
    },
    CardType.NUMERIC: {
        "question": (TEXT, True),
        "answer": (NUMBER, False),  # required unless the card is generated (vars + compute)
        "tolerance": (NUMBER, False),
        "unit": (STR, False),
        "vars": (VARS, False),
        "compute": (STR, False),
    },
    CardType.ORDER: {"question": (TEXT, True), "items": (TEXTS, True)},
}

SOURCE_FIELDS: dict[str, tuple[str, bool]] = {
    "note": (STR, True),
    "quote": (STR, False),
    "line": (INT, False),
}
ERRATA_FIELDS: dict[str, tuple[str, bool]] = {
    "quote": (STR, True),
    "correction": (TEXT, True),
    "reference": (STR, True),
    "note": (STR, False),
}

# A card's documented exception to the card-quality linter (studytool.content.lint).
LINT_FIELDS: dict[str, tuple[str, bool]] = {
    "ignore": (STRS, True),
    "reason": (STR, True),
}
LINT_RULES = (
    "answer-on-question-side",
    "cloze-text-unblanked",
    "order-sortable",
    "mcq-key-longest",
    "tf-absolute-word",
    "answer-too-long",
    "duplicate-question",
)

# The key that holds each type's prompt text.
PROMPT_KEY = {
    t: ("front" if "front" in f else "text" if "text" in f else "question")
    for t, f in TYPE_FIELDS.items()
}

MIN_CHOICES = 2
MIN_ITEMS = 2

"""Editing deck files as text: live validation of unsaved text and new-card templates.

The editor screen (`studytool.tui.editor`) keeps the user's own text (comments, key order,
quoting, line endings); these helpers read that text with PyYAML's composer, which knows
where each node starts and ends, and never re-serialise it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from studytool._paths import content_dir
from studytool.content.lint import lint_deck
from studytool.content.loader import parse_deck_text
from studytool.content.model import CardType, Deck, LoadResult, Problem

# ---- validating text that is not on disk yet ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Validation:
    text: str
    deck: Deck | None
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.deck is not None and not self.problems


def _is_builtin_file(path: Path) -> bool:
    with contextlib.suppress(OSError, ValueError):
        return path.resolve().is_relative_to(content_dir().resolve())
    return False


def validate_text(
    text: str,
    path: Path,
    demo_names: Collection[str] | None,
    library: LoadResult | None = None,
    saved: Deck | None = None,
) -> Validation:
    """Problems block saving; warnings (ids that progress is keyed by, card-quality lint) do
    not."""
    deck, problems, id_node = parse_deck_text(text, path, demo_names)
    warnings: list[Problem] = []
    if deck is not None and library is not None:
        builtin = _is_builtin_file(path)
        for other in library.decks:
            same_file = other.path == path or other.overrides == path
            overriding = other.builtin and not builtin
            if other.id == deck.id and not same_file and not overriding:
                line, col = _mark(id_node)
                problems.append(
                    Problem(
                        path, line, col, f"duplicate deck id '{deck.id}' (also in {other.path})"
                    )
                )
    if deck is not None and saved is not None:
        if saved.id != deck.id:
            line, col = _mark(id_node)
            warnings.append(
                Problem(
                    path,
                    line,
                    col,
                    f"deck id changed from '{saved.id}': progress stays with the old id",
                )
            )
        now = {c.id for c in deck.cards}
        for card in saved.cards:
            if card.id not in now:
                warnings.append(
                    Problem(
                        path,
                        0,
                        0,
                        f"card '{card.id}' removed or renamed: its progress stays with the old id",
                    )
                )
    if deck is not None:  # the card-quality lint, as `studytool check` reports it
        warnings += [
            Problem(path, f.line, f.col, f"warning[{f.rule}]: {f.message}") for f in lint_deck(deck)
        ]
    return Validation(text, deck, problems, warnings)


def _mark(node: yaml.Node | None) -> tuple[int, int]:
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


# ---- new cards -----------------------------------------------------------------------------

_PROMPT = ["{k}:", '  en: ""', '  ko: ""']
_CHOICES = ["choices:", *['  - {en: "", ko: ""}'] * 4]
TEMPLATES: dict[CardType, list[str]] = {
    CardType.BASIC: ["front:", '  en: ""', '  ko: ""', "back:", '  en: ""', '  ko: ""'],
    CardType.REVERSED: ["front:", '  en: ""', '  ko: ""', "back:", '  en: ""', '  ko: ""'],
    CardType.CLOZE: [
        "# blanks: {{c1::answer}} or {{c1::answer::hint}}",
        "text:",
        '  en: ""',
        '  ko: ""',
    ],
    CardType.MCQ: [*_PROMPT, *_CHOICES, "answer: 0  # 0-based index of the right choice"],
    CardType.MULTI: [*_PROMPT, *_CHOICES, "answers: [0]  # 0-based indices of the right choices"],
    CardType.TRUEFALSE: [*_PROMPT, "answer: true"],
    CardType.TYPED: [*_PROMPT, "answers:", '  - {en: "", ko: ""}'],
    CardType.NUMERIC: [*_PROMPT, "answer: 0", "tolerance: 0"],
    CardType.ORDER: [*_PROMPT, "items:  # in the right order", *['  - {en: "", ko: ""}'] * 3],
}


class TemplateError(Exception):
    """The new card cannot be placed: the message says why."""


@dataclass(frozen=True, slots=True)
class NewCard:
    card_id: str
    location: tuple[int, int]  # where to insert `snippet` (row, column)
    snippet: str
    cursor: tuple[int, int]  # inside the first empty text, once inserted


def _last_line(node: yaml.Node) -> int:
    """0-based last line holding content of `node` (block collections end where the next
    token starts, so scalars are what count)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        return end.line if end.column > 0 else end.line - 1
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    return max((_last_line(c) for c in children), default=node.start_mark.line)


def new_card(
    text: str, card_type: CardType, avoid: Collection[str] = (), newline: str = "\n"
) -> NewCard:
    """A card of `card_type` with a fresh id, to be inserted after the last card of the
    `cards:` list, indented like the cards already there."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at {mark.line + 1}:{mark.column + 1}" if mark else ""
        raise TemplateError(f"fix the YAML error{where} first") from None
    except yaml.YAMLError:
        raise TemplateError("fix the YAML errors first") from None
    if not isinstance(root, yaml.MappingNode):
        raise TemplateError("the file is not a deck (no 'cards:' list)")
    cards = next(((k, v) for k, v in root.value if getattr(k, "value", None) == "cards"), None)
    if cards is None:
        raise TemplateError("the file has no 'cards:' list")
    key, seq = cards
    lines = text.split(newline)
    taken = set(avoid)
    if isinstance(seq, yaml.SequenceNode) and not seq.flow_style and seq.value:
        items = seq.value
        for item in items:
            if isinstance(item, yaml.MappingNode):
                taken |= {v.value for k, v in item.value if getattr(k, "value", None) == "id"}
        first = items[0]
        key_col = first.start_mark.column
        row = lines[first.start_mark.line] if first.start_mark.line < len(lines) else ""
        dash_col = row.rfind("-", 0, key_col)
        if dash_col < 0:
            dash_col = max(0, key_col - 2)
        after = _last_line(items[-1]) + 1
        start = items[-1].start_mark.line
        blank = len(items) > 1 and start > 0 and not lines[start - 1].strip()
    elif isinstance(seq, yaml.ScalarNode) and seq.tag.endswith(":null") and not seq.value:
        dash_col = key.start_mark.column + 2
        key_col = dash_col + 2
        after = key.start_mark.line + 1
        blank = False
    else:
        raise TemplateError("'cards' is not a block list ('- id: ...' lines): add the card by hand")

    card_id = _fresh_id(f"new-{card_type.value}", taken)
    body = [f"id: {card_id}", f"type: {card_type.value}"]
    body += [ln.replace("{k}", "question") for ln in TEMPLATES[card_type]]
    pad = " " * key_col
    out = [" " * dash_col + "-" + " " * (key_col - dash_col - 1) + body[0]]
    out += [pad + ln for ln in body[1:]]
    cursor_row = next(i for i, ln in enumerate(out) if '""' in ln)
    cursor_col = out[cursor_row].index('""') + 1
    lead = newline if blank else ""
    if after < len(lines) - 1 or (after == len(lines) - 1 and lines[-1] == ""):
        location = (after, 0)
        snippet = lead + newline.join(out) + newline
    else:  # the last card ends the file, without a final newline: keep it that way
        after = len(lines)
        location = (len(lines) - 1, len(lines[-1]))
        snippet = newline + lead + newline.join(out)
    return NewCard(card_id, location, snippet, (after + bool(lead) + cursor_row, cursor_col))


def _fresh_id(base: str, taken: Collection[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def card_row(text: str, card_id: str) -> int | None:
    """0-based line of `id: <card_id>` in the file text."""
    pattern = re.compile(
        rf"^[ \t]*(?:-[ \t]+)?id:[ \t]*(['\"]?){re.escape(card_id)}\1[ \t]*(?:#.*)?$",
        re.MULTILINE,
    )
    m = pattern.search(text)
    return None if m is None else text.count("\n", 0, m.start())

"""Write decks as YAML that the loader reads back to the same deck, and merge new cards in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from studytool.content import spec
from studytool.content.loader import load_deck
from studytool.content.model import Card, CardType, Deck, Text
from studytool.content.schema import SCHEMA_PATH
from studytool.exchange.textio import ExchangeError, read_text, write_atomic

WIDTH = 100


class _DeckDumper(yaml.SafeDumper):
    """SafeDumper in the style of the built-in decks: list items indented under their key,
    short lists of words inline (`tags: [a, b]`), multi-line strings as literal blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    inline = all(isinstance(v, str | int) and "\n" not in str(v) for v in value) and (
        sum(len(str(v)) + 2 for v in value) <= 60
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=inline)


_DeckDumper.add_representer(str, _str)
_DeckDumper.add_representer(list, _list)


def schema_line() -> str:
    return f"# yaml-language-server: $schema={SCHEMA_PATH.as_uri()}\n"


def _text(t: Text) -> str | dict[str, str]:
    return t.to_yaml()


def card_data(card: Card) -> dict[str, Any]:
    """The card as plain data in the key order of the deck format."""
    d: dict[str, Any] = {"id": card.id, "type": card.type.value}
    if card.draft:
        d["draft"] = True  # next to the id, where the user sees it and removes it
    d[spec.PROMPT_KEY[card.type]] = _text(card.prompt)
    match card.type:
        case CardType.BASIC | CardType.REVERSED:
            if card.back is not None:
                d["back"] = _text(card.back)
        case CardType.CLOZE:
            if card.back is not None:
                d["back"] = _text(card.back)
        case CardType.MCQ:
            d["choices"] = [_text(c) for c in card.choices]
            d["answer"] = card.answer_index
        case CardType.MULTI:
            d["choices"] = [_text(c) for c in card.choices]
            d["answers"] = list(card.answer_indices)
        case CardType.TRUEFALSE:
            d["answer"] = card.answer_bool
        case CardType.TYPED:
            d["answers"] = [_text(a) for a in card.answers]
            if card.case_sensitive:
                d["case_sensitive"] = True
        case CardType.NUMERIC:
            if card.compute is not None:
                d["vars"] = {
                    v.name: list(v.values) if v.values else {"min": v.low, "max": v.high}
                    for v in card.variables
                }
                d["compute"] = card.compute
            else:
                d["answer"] = card.number
            if card.tolerance:
                d["tolerance"] = card.tolerance
            if card.unit is not None:
                d["unit"] = card.unit
        case CardType.ORDER:
            d["items"] = [_text(i) for i in card.items]
    if card.formula is not None:
        d["formula"] = card.formula
    if card.given is not None:
        d["given"] = card.given
    if card.explain is not None:
        d["explain"] = _text(card.explain)
    if card.tags:
        d["tags"] = list(card.tags)
    if card.demo is not None:
        d["demo"] = card.demo
    if card.concept is not None:
        d["concept"] = card.concept
    if card.source is not None:
        s = card.source
        if s.quote is None and s.line is None:
            d["source"] = s.note
        else:
            d["source"] = {"note": s.note} | {
                k: v for k, v in (("line", s.line), ("quote", s.quote)) if v is not None
            }
    if card.errata is not None:
        e = card.errata
        d["errata"] = {
            "quote": e.quote,
            "correction": _text(e.correction),
            "reference": e.reference,
        }
        if e.note is not None:
            d["errata"]["note"] = e.note
    return d


def deck_data(deck: Deck) -> dict[str, Any]:
    d: dict[str, Any] = {"deck": deck.id, "title": _text(deck.title)}
    if deck.description is not None:
        d["description"] = _text(deck.description)
    if deck.tags:
        d["tags"] = list(deck.tags)
    if deck.source:
        d["source"] = list(deck.source)
    d["cards"] = [card_data(c) for c in deck.cards]
    return d


def _dump(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_DeckDumper, sort_keys=False, allow_unicode=True, width=WIDTH, indent=2
    )


def dump_deck(deck: Deck) -> str:
    """The whole deck file, starting with the schema line editors use."""
    return schema_line() + _dump(deck_data(deck))


@dataclass(frozen=True, slots=True)
class SaveResult:
    path: Path
    added: int  # cards written now
    kept: int  # cards already in the file (merge), left as the user edited them


def save_deck(deck: Deck, path: Path, merge: bool = False) -> SaveResult:
    """Write `deck` to `path`; with `merge`, add only the cards whose ids the file lacks.

    Merging edits the file's text: the user's cards, comments and layout stay byte for byte.
    The result is validated before it replaces the file, so a deck that would not load is never
    written."""
    if merge and path.exists():
        text, _ = read_text(path)
        old, problems, _ = load_deck(path)
        if old is None:
            first = problems[0] if problems else f"{path}: cannot be read as a deck"
            raise ExchangeError(
                f"cannot merge into {path}: it has {len(problems)} problem(s), first {first}"
            )
        if old.id != deck.id:
            raise ExchangeError(f"cannot merge: {path} holds deck '{old.id}', not '{deck.id}'")
        have = {c.id for c in old.cards}
        new = [c for c in deck.cards if c.id not in have]
        if new:
            merged = _append_cards(text, path, new)
            _write_checked(path, merged)
        return SaveResult(path, len(new), len(old.cards))
    _write_checked(path, dump_deck(deck))
    return SaveResult(path, len(deck.cards), 0)


def _write_checked(path: Path, text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")
        _, problems, _ = load_deck(tmp)
        if problems:
            p = problems[0]
            raise ExchangeError(
                f"not written: {path} would not load ({path}:{p.line}:{p.col}: {p.message})"
            )

    write_atomic(path, write)


def _append_cards(text: str, path: Path, cards: list[Card]) -> str:
    """Insert `cards` after the last item of the file's `cards:` list, at its indentation."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    seq = next(
        (v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "cards"), None
    )
    if not isinstance(seq, yaml.SequenceNode) or not seq.value or seq.flow_style:
        raise ExchangeError(
            f"cannot merge into {path}: its 'cards' is not a block list ('- id: ...' items)"
        )
    first = seq.value[0].start_mark.index
    line_start = text.rfind("\n", 0, first) + 1
    dash_col = text.rfind("-", line_start, first) - line_start
    end = _content_end(seq.value[-1])
    if text[end - 1 : end] == "\n":  # a block scalar ends after its own line break
        insert_at = end
    else:
        newline = text.find("\n", end)
        insert_at = len(text) if newline < 0 else newline + 1
    block = "".join(
        " " * dash_col + line if line.strip() else line
        for line in _dump([card_data(c) for c in cards]).splitlines(keepends=True)
    )
    if insert_at == len(text) and not text.endswith("\n"):
        block = "\n" + block
    return text[:insert_at] + block + text[insert_at:]


def _content_end(node: yaml.Node) -> int:
    """Where the node's last scalar ends: block collections' end marks run past comments."""
    if isinstance(node, yaml.ScalarNode):
        return node.end_mark.index
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    end = max((_content_end(c) for c in children), default=node.start_mark.index)
    if getattr(node, "flow_style", False):
        end = max(end, node.end_mark.index)
    return end

"""`studytool check|decks|show|schema`: the deck files and their cards."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from studytool.cli.common import Lang, emit_json, err, fail, get_library, out, resolve_lang
from studytool.content.model import Card, CardType, Deck, Text

content_app = typer.Typer()

CONTENT_PANEL = "Content"


@content_app.command(rich_help_panel=CONTENT_PANEL)
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Deck files or directories (default: all decks).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print problems as JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Card-quality warnings are errors (exit 1).")
    ] = False,
) -> None:
    """Validate decks like a compiler (path:line:col: message) and lint the cards.

    Exit 0 if valid, 2 if a deck has errors, 1 if --strict and the linter warns."""
    from collections import Counter

    from studytool.content.library import demo_names, load_paths
    from studytool.content.lint import lint_library

    result = load_paths(paths, demo_names()) if paths else get_library()
    findings = lint_library(result.decks)
    code = 2 if not result.ok else 1 if strict and findings else 0
    rules = dict(sorted(Counter(f.rule for f in findings).items()))
    cards = sum(len(d.cards) for d in result.decks)
    if as_json:
        emit_json(
            {
                "ok": code == 0,
                "decks": len(result.decks),
                "cards": cards,
                "problems": [
                    {"path": str(p.path), "line": p.line, "col": p.col, "message": p.message}
                    for p in result.problems
                ],
                "warnings": [f.to_json() for f in findings],
                "rules": rules,
            }
        )
        raise typer.Exit(code)
    for problem in result.problems:
        out.print(str(problem), markup=False)
    for finding in findings:
        out.print(finding.format("error" if strict else "warning"), markup=False)
    summary = f"{len(result.decks)} decks, {cards} cards"
    if findings:
        counts = ", ".join(f"{rule} {n}" for rule, n in rules.items())
        summary += f"; {len(findings)} card-quality warning(s): {counts}"
    if result.ok:
        err.print(f"{'[red]failed' if code else '[green]ok'}[/]: {summary}")
    else:
        err.print(f"[red]{len(result.problems)} problem(s)[/] ({summary} valid)")
    raise typer.Exit(code)


def deck_row(deck: Deck) -> dict[str, Any]:
    types: dict[str, int] = {}
    for c in deck.cards:
        types[c.type.value] = types.get(c.type.value, 0) + 1
    return {
        "id": deck.id,
        "title": {"en": deck.title.en, "ko": deck.title.ko},
        "cards": len(deck.cards),
        "quiz": sum(c.type.is_quiz for c in deck.cards),
        "drafts": sum(c.draft for c in deck.cards),
        "types": types,
        "path": str(deck.path),
        "builtin": deck.builtin,
        "overrides": str(deck.overrides) if deck.overrides else None,
    }


@content_app.command(rich_help_panel=CONTENT_PANEL)
def decks(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    lang: Lang = None,
) -> None:
    """List decks with card counts; says which user decks override built-in ones."""
    lib = get_library()
    rows = [deck_row(d) for d in lib.decks]
    if as_json:
        emit_json({"decks": rows, "broken": lib.broken, "problems": len(lib.problems)})
        return
    lang = resolve_lang(lang)
    from rich.table import Table
    from rich.text import Text as RichText

    from studytool.textsafe import rich_text, safe_path

    table = Table(box=None, header_style="bold")
    for col in ("deck", "title", "cards", "quiz", "where"):
        table.add_column(col, justify="right" if col in ("cards", "quiz") else "left")
    for deck, row in zip(lib.decks, rows, strict=True):
        where = "built-in" if deck.builtin else safe_path(deck.path)
        if deck.overrides:
            where += f" (overrides built-in {safe_path(deck.overrides.name)})"
        # deck text as Text, never markup: a title such as "[/b]" is shown, not parsed
        table.add_row(
            rich_text(deck.id),
            rich_text(deck.title.get(lang)),
            str(row["cards"]),
            str(row["quiz"]),
            RichText(where),
        )
    for name, count in lib.broken.items():
        table.add_row(
            RichText(safe_path(name), style="red"),
            RichText(f"{count} error(s): run studytool check", style="red"),
            "",
            "",
            "",
        )
    out.print(table)


def card_json(card: Card, lang: str | None = None) -> dict[str, Any]:
    """A card as plain data; `lang` picks one language, None keeps both."""

    def t(text: Text | None) -> Any:
        if text is None:
            return None
        return text.get(lang) if lang else {"en": text.en, "ko": text.ko}

    from studytool.latex import render

    data: dict[str, Any] = {
        "id": card.full_id,
        "type": card.type.value,
        "prompt": t(card.prompt),
        "back": t(card.back),
        "choices": [t(c) for c in card.choices] or None,
        "answer": answer_value(card, lang),
        "formula": card.formula,
        "formula_unicode": render(card.formula) if card.formula else None,
        "given": card.given,
        "explain": t(card.explain),
        "tags": list(card.tags),
        "demo": card.demo,
        "source": {"note": card.source.note, "quote": card.source.quote} if card.source else None,
        "errata": {
            "quote": card.errata.quote,
            "correction": t(card.errata.correction),
            "reference": card.errata.reference,
        }
        if card.errata
        else None,
    }
    return {k: v for k, v in data.items() if v is not None}


def answer_value(card: Card, lang: str | None) -> Any:
    pick = (lambda x: x.get(lang)) if lang else (lambda x: {"en": x.en, "ko": x.ko})
    match card.type:
        case CardType.MCQ:
            return card.answer_index
        case CardType.MULTI:
            return list(card.answer_indices)
        case CardType.TRUEFALSE:
            return card.answer_bool
        case CardType.TYPED:
            return [pick(a) for a in card.answers]
        case CardType.NUMERIC:
            return {"value": card.number, "tolerance": card.tolerance, "unit": card.unit,
                    "compute": card.compute}  # fmt: skip
        case CardType.ORDER:
            return [pick(i) for i in card.items]
    return None


def find_card(ref: str) -> Card:
    if "/" not in ref:
        fail(f"'{ref}' is not a card id: use DECK/CARD, e.g. optimizers/adam-formula")
    deck_id, card_id = ref.split("/", 1)
    lib = get_library()
    deck = next((d for d in lib.decks if d.id == deck_id), None)
    if deck is None:
        from studytool.content.loader import suggest

        fail(f"no deck '{deck_id}'{suggest(deck_id, [d.id for d in lib.decks])}")
    card = deck.card(card_id)
    if card is None:
        from studytool.content.loader import suggest

        fail(
            f"no card '{card_id}' in deck '{deck_id}'{suggest(card_id, [c.id for c in deck.cards])}"
        )
    return card


@content_app.command(rich_help_panel=CONTENT_PANEL)
def show(
    ref: Annotated[str, typer.Argument(metavar="DECK/CARD", help="Full card id.")],
    lang: Lang = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print one card, with its formula rendered as Unicode."""
    lang = resolve_lang(lang)
    card = find_card(ref)
    if as_json:
        emit_json(card_json(card, lang))
        return
    from studytool.render import card_body, card_renderable

    if out.is_terminal:
        # framed, each line wrapped to the terminal (the console's soft wrap would cut them)
        out.print(card_renderable(card, lang, reveal=True), soft_wrap=False)
    else:
        # piped: no frame, every line whole for the program reading it
        out.print(f"{card.full_id} · {card.type.value}", markup=False)
        out.print(card_body(card, lang, reveal=True))


@content_app.command(rich_help_panel=CONTENT_PANEL)
def schema() -> None:
    """Print the JSON Schema of deck files."""
    from studytool.content.schema import schema_json

    sys.stdout.write(schema_json())

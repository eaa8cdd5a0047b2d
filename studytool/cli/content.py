"""The typer CLI: thin commands over the content, store and study layers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from studytool import __version__
from studytool.cli_errors import fail
from studytool.config import ConfigError, Settings, default_config_path
from studytool.content.model import Card, CardType, Deck, LoadResult, Text

app = typer.Typer(
    name="studytool",
    help="Flashcards, quizzes and live PyTorch demos for deep-learning basics.",
    epilog=f"Config file: {default_config_path()}",
    rich_markup_mode="rich",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

CONTENT_PANEL = "Content"
_options: dict[str, Any] = {"content": [], "data": None}


def get_settings() -> Settings:
    try:
        return Settings.load(content=_options["content"], data=_options["data"])
    except ConfigError as e:
        fail(str(e))


def get_library() -> LoadResult:
    from studytool.content.library import load_library

    return load_library(get_settings().content_dirs)


def get_cards() -> list[Card]:
    return [c for d in get_library().decks for c in d.cards]


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        out.print(f"studytool {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    content: Annotated[
        list[Path] | None,
        typer.Option(
            "--content",
            "-c",
            metavar="DIR",
            help="Extra deck directory (repeatable).",
            show_default=False,
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            metavar="DIR",
            help="Directory for progress (default: the user data dir).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Open the app (no command), or run a command."""
    _options["content"] = list(content or [])
    _options["data"] = data
    if ctx.invoked_subcommand is None:
        from studytool.tui.app import run_app

        run_app(get_settings())


@app.command(rich_help_panel=CONTENT_PANEL)
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Deck files or directories (default: all decks).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print problems as JSON.")] = False,
) -> None:
    """Validate decks like a compiler: path:line:col: message. Exit 0 if valid, 1 if not."""
    from studytool.content.library import demo_names, load_paths

    result = load_paths(paths, demo_names()) if paths else get_library()
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "decks": len(result.decks),
                "cards": sum(len(d.cards) for d in result.decks),
                "problems": [
                    {"path": str(p.path), "line": p.line, "col": p.col, "message": p.message}
                    for p in result.problems
                ],
            }
        )
    else:
        for problem in result.problems:
            out.print(str(problem), markup=False)
        cards = sum(len(d.cards) for d in result.decks)
        summary = f"{len(result.decks)} decks, {cards} cards"
        if result.ok:
            err.print(f"[green]ok[/]: {summary}")
        else:
            err.print(f"[red]{len(result.problems)} problem(s)[/] ({summary} valid)")
    raise typer.Exit(0 if result.ok else 1)


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


@app.command(rich_help_panel=CONTENT_PANEL)
def decks(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Title language: en or ko.")] = "en",
) -> None:
    """List decks with card counts; says which user decks override built-in ones."""
    lib = get_library()
    rows = [deck_row(d) for d in lib.decks]
    if as_json:
        emit_json({"decks": rows, "broken": lib.broken, "problems": len(lib.problems)})
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for col in ("deck", "title", "cards", "quiz", "where"):
        table.add_column(col, justify="right" if col in ("cards", "quiz") else "left")
    for deck, row in zip(lib.decks, rows, strict=True):
        where = "built-in" if deck.builtin else str(deck.path)
        if deck.overrides:
            where += f" (overrides built-in {deck.overrides.name})"
        table.add_row(deck.id, deck.title.get(lang), str(row["cards"]), str(row["quiz"]), where)
    for name, count in lib.broken.items():
        table.add_row(
            f"[red]{name}[/]", f"[red]{count} error(s): run studytool check[/]", "", "", ""
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


@app.command(rich_help_panel=CONTENT_PANEL)
def show(
    ref: Annotated[str, typer.Argument(metavar="DECK/CARD", help="Full card id.")],
    lang: Annotated[str, typer.Option("--lang", help="en or ko.")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print one card, with its formula rendered as Unicode."""
    if lang not in ("en", "ko"):
        fail(f"--lang must be 'en' or 'ko', not '{lang}'")
    card = find_card(ref)
    if as_json:
        emit_json(card_json(card, lang))
        return
    from studytool.render import card_renderable

    out.print(card_renderable(card, lang, reveal=True))


@app.command(rich_help_panel=CONTENT_PANEL)
def schema() -> None:
    """Print the JSON Schema of deck files."""
    from studytool.content.schema import schema_json

    sys.stdout.write(schema_json())


def _register_groups() -> None:
    """Command groups of the other layers; each module imports fast (no torch)."""
    from studytool.cli_demo import demo_app
    from studytool.cli_exchange import register as register_exchange
    from studytool.cli_progress import register as register_progress
    from studytool.cli_quiz import quiz_app

    app.add_typer(quiz_app, name="quiz", rich_help_panel="Study")
    app.add_typer(demo_app, name="demo", rich_help_panel="Demos")
    register_progress(app, get_settings, get_cards)
    register_exchange(app, get_settings, get_library)


_register_groups()

"""CLI commands that exchange decks with the outside: notes in, Anki and CSV/TSV out, CSV in.

The root app adds `exchange_app` without a name, so these are top-level commands. `import NOTE`
and `import-csv FILE` are separate commands: a typer command cannot take a NOTE argument and also
have sub-commands. Every failure prints one `studytool: ...` line on stderr and exits 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from studytool._paths import content_dir
from studytool.cli.common import (
    Lang,
    clean_errors,
    fail,
    get_library,
    get_settings,
    output_path,
    resolve_lang,
)
from studytool.textsafe import safe_path, visible

if TYPE_CHECKING:
    from studytool.content.model import Deck
    from studytool.exchange.yamlio import SaveResult

exchange_app = typer.Typer()

PANEL = "Import & export"
DeckOpt = Annotated[str, typer.Option("--deck", "-d", help="Deck id of the new deck.")]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Deck file to write (default: in the first content directory, else ./ID.yaml).",
        show_default=False,
    ),
]
ReplaceOpt = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing deck file.")]
MergeOpt = Annotated[
    bool,
    typer.Option("--merge", help="Add only new cards to an existing deck file; keep your edits."),
]
DecksOpt = Annotated[
    list[str] | None,
    typer.Option("--deck", "-d", help="Deck to export (repeatable).", show_default=False),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Export every deck.")]
AnkiLangOpt = Annotated[
    str,
    typer.Option(
        "--lang",
        "-l",
        help="both: English and Korean in every note, with a tap to switch; or en / ko only.",
    ),
]


def _counts_line(counts: dict[str, int]) -> str:
    return " · ".join(f"{kind} {n}" for kind, n in counts.items())


def _target(deck_id: str, out: Path | None, force: bool, merge: bool) -> Path:
    """Where a new deck goes; refuses to replace a deck unless told how."""
    if force and merge:
        fail("use either --force (overwrite) or --merge (add new cards), not both")
    library = get_library()
    existing = next((d for d in library.decks if d.id == deck_id), None)
    if out is None:
        dirs = get_settings().content_dirs
        if existing is not None and not existing.builtin:
            out = existing.path
        elif dirs:
            dirs[0].mkdir(parents=True, exist_ok=True)
            out = dirs[0] / f"{deck_id}.yaml"
        else:
            out = Path(f"{deck_id}.yaml")
    if _inside(out, content_dir()):
        fail(
            f"refusing to write {safe_path(out)}: the built-in decks are the package's;"
            " write a user deck instead (leave out --out, or give a content folder's path)"
        )
    output_path(out, force=True)  # progress files, devices and FIFOs are never a deck
    if out.exists() and not (force or merge):
        fail(
            f"{out} already exists: --merge adds only the new cards and keeps your edits,"
            " --force overwrites it"
        )
    same_file = existing is not None and out.exists() and existing.path.samefile(out)
    if existing is not None and not same_file and not force:
        if existing.builtin:
            fail(
                f"deck '{deck_id}' is a built-in deck: pick another --deck id, or --force to"
                f" write {out}, a user deck that replaces it"
            )
        fail(
            f"deck '{deck_id}' already exists in {existing.path}: leave out --out to merge"
            " into it with --merge, pick another --deck id, or --force"
        )
    return out


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False


def _report_saved(saved: SaveResult, what: str, merge: bool) -> None:
    if merge and saved.kept:
        if saved.added:
            typer.echo(
                f"added {saved.added} new {what} to {safe_path(saved.path)};"
                f" kept the {saved.kept} already there as they were"
            )
        else:
            typer.echo(f"nothing new: {safe_path(saved.path)} already has every {what[:-1]} found")
    else:
        typer.echo(f"wrote {saved.added} {what} to {safe_path(saved.path)}")
    dirs = [d.resolve() for d in get_settings().content_dirs]
    if not any(saved.path.resolve().is_relative_to(d) for d in dirs):
        typer.echo(
            f"note: {safe_path(saved.path.parent)} is not a content directory:"
            f" use --content {safe_path(saved.path.parent)} (or STUDYTOOL_CONTENT) to study it"
        )


@exchange_app.command("import", rich_help_panel=PANEL)
def import_note(
    note: Annotated[Path, typer.Argument(metavar="NOTE", help="A study note (.md or .txt).")],
    deck: DeckOpt,
    out: OutOpt = None,
    force: ForceOpt = False,
    merge: MergeOpt = False,
) -> None:
    """Turn a study note into a deck of draft cards to edit (drafts are not reviewed)."""
    from studytool.exchange.notes import draft_from_file
    from studytool.exchange.yamlio import save_deck

    with clean_errors():
        draft = draft_from_file(note, deck)
        path = _target(deck, out, force, merge)
        saved = save_deck(draft.deck, path, merge=merge)
        _report_saved(saved, "draft cards", merge)
        typer.echo(f"from {safe_path(note)} ({draft.encoding}): {_counts_line(draft.counts)}")
        typer.echo("edit the cards, then remove 'draft: true' from each one to study it")


@exchange_app.command("import-csv", rich_help_panel=PANEL)
def import_csv_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV or TSV: front, back, tags.")],
    deck: DeckOpt,
    out: OutOpt = None,
    force: ForceOpt = False,
    merge: MergeOpt = False,
    title: Annotated[
        str | None,
        typer.Option("--title", help="Deck title (default: the file name).", show_default=False),
    ] = None,
) -> None:
    """Make a deck of basic cards from a CSV/TSV file (Anki text export, Quizlet export)."""
    from studytool.exchange.csvio import import_csv
    from studytool.exchange.yamlio import save_deck

    with clean_errors():
        result = import_csv(file, deck, title)
        path = _target(deck, out, force, merge)
        saved = save_deck(result.deck, path, merge=merge)
        _report_saved(saved, "cards", merge)
        skipped = f"; skipped {result.duplicates} repeated row(s)" if result.duplicates else ""
        typer.echo(f"from {safe_path(file)} ({result.encoding}): {result.rows} rows{skipped}")


@exchange_app.command("import-anki", rich_help_panel=PANEL)
def import_anki_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE.apkg", help="Anki package to read.")],
    deck: Annotated[
        str | None,
        typer.Option("--deck", "-d", help="Deck id of the new deck (default: from the file name)."),
    ] = None,
    out: OutOpt = None,
    force: ForceOpt = False,
    merge: MergeOpt = False,
    with_history: Annotated[
        bool,
        typer.Option(
            "--with-history", help="Also log the cards' Anki reviews, so scheduling continues."
        ),
    ] = False,
) -> None:
    """Make a deck of draft cards from an Anki package: Basic, reversed and Cloze notes."""
    import re

    from studytool.exchange.anki_import import read_apkg
    from studytool.exchange.yamlio import save_deck

    deck_id = deck or re.sub(r"[^a-z0-9_-]+", "-", file.stem.lower()).strip("-_") or "anki"
    with clean_errors():
        result = read_apkg(file, deck_id)
        path = _target(deck_id, out, force, merge)
        saved = save_deck(result.deck, path, merge=merge)
        _report_saved(saved, "draft cards", merge)
        typer.echo(
            f"from {safe_path(file)} ({result.format}): {_counts_line(dict(result.counts))} notes"
        )
        if result.unknown:
            kinds = ", ".join(f"{visible(name)} ({n})" for name, n in result.unknown.most_common())
            typer.echo(f"left out {sum(result.unknown.values())} notes of unknown types: {kinds}")
        if result.media:
            typer.echo(
                f"{len(result.media)} media file(s) referred to, not copied:"
                f" {visible(', '.join(result.media[:10]))}"
                f"{' ...' if len(result.media) > 10 else ''}"
            )
        if with_history:
            from studytool.store.repo import Store
            from studytool.store.transfer import replay_history

            with Store.open(get_settings()) as store:
                done = replay_history(
                    store, [(r.key, r.rating, r.time, r.duration_ms) for r in result.reviews]
                )
            typer.echo(f"logged {done.answers} Anki answers on {done.cards} card(s)")
            if done.skipped:
                typer.echo(f"kept {len(done.skipped)} card(s) with answers already as they were")
        typer.echo("edit the cards, then remove 'draft: true' from each one to study it")


def _pick_decks(ids: list[str] | None, every: bool) -> list[Deck]:
    if bool(ids) == every:
        fail("name the decks with --deck ID (repeatable), or use --all")
    library = get_library()
    if every:
        if library.broken:
            typer.echo(
                f"note: left out {len(library.broken)} deck(s) with errors"
                f" ({safe_path(', '.join(sorted(library.broken)))}): run studytool check",
                err=True,
            )
        if not library.decks:
            fail("there are no decks to export")
        return list(library.decks)
    from studytool.content.loader import suggest

    chosen = []
    for deck_id in dict.fromkeys(ids or []):
        deck = next((d for d in library.decks if d.id == deck_id), None)
        if deck is None and deck_id in library.broken:
            fail(f"deck '{deck_id}' has {library.broken[deck_id]} error(s): run studytool check")
        if deck is None:
            fail(f"no deck '{deck_id}'{suggest(deck_id, [d.id for d in library.decks])}")
        chosen.append(deck)
    return chosen


export_app = typer.Typer(help="Export decks to Anki or to CSV/TSV.", no_args_is_help=True)


@export_app.command("anki")
def export_anki_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE.apkg", help="Anki package to write.")],
    deck: DecksOpt = None,
    every: AllOpt = False,
    lang: AnkiLangOpt = "both",
    force: ReplaceOpt = False,
) -> None:
    """Write an Anki package; importing a newer one into Anki updates the notes."""
    from studytool.exchange.anki import export_anki

    if lang not in ("both", "en", "ko"):
        fail(f"--lang must be 'both', 'en' or 'ko', not '{lang}'")
    if str(file) == "-":
        fail("an Anki package is a binary file: give a FILE.apkg, not -")
    output_path(file, force=force)
    with clean_errors():
        decks = _pick_decks(deck, every)
        result = export_anki(decks, file, lang)
        kinds = ", ".join(f"{name} {n}" for name, n in result.notes.items())
        typer.echo(f"wrote {result.total} notes from {result.decks} deck(s) to {safe_path(file)}")
        typer.echo(f"{result.cards} cards, {len(result.notes)} note types: {kinds}")
        if result.drafts:
            typer.echo(f"left out {result.drafts} draft card(s)")


@export_app.command("csv")
def export_csv_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV (or TSV) file to write.")],
    deck: DecksOpt = None,
    every: AllOpt = False,
    tsv: Annotated[bool, typer.Option("--tsv", help="Separate columns with tabs.")] = False,
    lang: Lang = None,
    force: ReplaceOpt = False,
) -> None:
    """Write front, back, tags rows with Anki's headers; quiz choices go on the front.
    FILE `-` writes to standard output."""
    import sys
    import tempfile

    from studytool.exchange.csvio import export_csv

    to_stdout = str(file) == "-"
    if not to_stdout:
        output_path(file, force=force)
    with clean_errors():
        decks = _pick_decks(deck, every)
        if to_stdout:
            with tempfile.TemporaryDirectory() as tmp:
                staged = Path(tmp) / ("cards.tsv" if tsv else "cards.csv")
                result = export_csv(decks, staged, resolve_lang(lang), tsv=tsv)
                sys.stdout.write(staged.read_text(encoding="utf-8"))
            sys.stdout.flush()
        else:
            result = export_csv(decks, file, resolve_lang(lang), tsv=tsv)
        where = "standard output" if to_stdout else safe_path(file)
        typer.echo(f"wrote {result.rows} rows from {len(decks)} deck(s) to {where}", err=to_stdout)
        if result.drafts:
            typer.echo(f"left out {result.drafts} draft card(s)", err=to_stdout)


exchange_app.add_typer(export_app, name="export", rich_help_panel=PANEL)

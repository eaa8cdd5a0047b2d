"""`studytool sync [REMOTE]`: share progress between machines through any git remote."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from studytool.cli.common import clean_errors, emit_json, fail, get_settings
from studytool.config import Settings, default_config_path, write_settings
from studytool.textsafe import safe_path, visible

sync_app = typer.Typer()

_KEY = "sync.remote"


def _config_path(settings: Settings) -> Path:
    return settings.config_path or default_config_path()


@sync_app.command(rich_help_panel="Progress")
def sync(
    remote: Annotated[
        str | None,
        typer.Argument(
            help="A git remote: a folder (made a bare repository if empty), or an ssh/https"
            " URL. Remembered in config.toml; later syncs may leave it out.",
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        bool, typer.Option("--status", help="Show events, last sync and state hash only.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Commit this machine's review log, merge the others', push, and apply what came in."""
    from studytool.store.gitsync import sync as run_sync
    from studytool.store.gitsync import sync_status
    from studytool.store.repo import Store

    with clean_errors():
        settings = get_settings()
        with Store.open(settings) as store:
            if status:
                st = sync_status(store)
                if json_out:
                    emit_json(st.to_dict())
                else:
                    typer.echo(f"events: {st.events} ({st.bad_lines} damaged lines skipped)")
                    typer.echo(f"last sync: {st.last_sync or 'never'}")
                    typer.echo(f"state hash: {st.state_hash}")
                return
            config = _config_path(settings)
            target = remote or settings.sync_remote
            if not target:
                fail("no remote yet: run `studytool sync REMOTE` once (a folder or a git URL)")
            report = run_sync(store, target)
        if remote is not None and remote != settings.sync_remote:
            write_settings(config, {_KEY: remote})
    a = report.applied
    if json_out:
        emit_json(
            {
                "remote": report.remote,
                "committed": report.committed,
                "sent": report.sent,
                "pulled": report.pulled,
                "events": a.events,
                "new_events": a.new,
                "cards_updated": a.cards,
                "damaged_lines": list(a.bad),
                "state_hash": report.state_hash,
            }
        )
        return
    typer.echo(
        f"synced with {safe_path(report.remote)}: {a.new} new events applied ({a.cards} cards),"
        f" {a.events} in all; state {report.state_hash[:12]}"
    )
    for line in a.bad:
        typer.echo(f"skipped damaged line {visible(line)}", err=True)

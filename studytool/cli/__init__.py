"""The typer CLI: a root app with the global options, and one module per command group.

Each group module imports fast (no torch, no textual): what a command needs loads inside it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from studytool import __version__
from studytool.cli.common import CliState, get_settings, out, use_state
from studytool.cli.content import content_app
from studytool.cli.demo import demo_app
from studytool.cli.exchange import exchange_app
from studytool.cli.progress import progress_app
from studytool.cli.quiz import quiz_app
from studytool.cli.serve import serve_app
from studytool.cli.sync import sync_app
from studytool.config import default_config_path

app = typer.Typer(
    name="studytool",
    help="Flashcards, quizzes and live PyTorch demos for deep-learning basics.",
    epilog=f"Config file: {default_config_path()}",
    rich_markup_mode="rich",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# Groups added without a name put their commands at the top level (`studytool stats`).
app.add_typer(content_app)
app.add_typer(progress_app)
app.add_typer(exchange_app)
app.add_typer(serve_app)
app.add_typer(sync_app)
app.add_typer(quiz_app, name="quiz", rich_help_panel="Study")
app.add_typer(demo_app, name="demo", rich_help_panel="Demos")


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
    state = ctx.ensure_object(CliState)
    state.content = list(content or [])
    state.data = data
    use_state(ctx, state)
    if ctx.invoked_subcommand is None:
        from studytool.tui.app import run_app

        run_app(get_settings())

"""What every command group shares: the global options, settings and library, JSON output, the
one clean-error helper, the `--lang` option and the consoles.

Imports nothing from the group modules, so they can all import it."""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.segment import Segment

from studytool.config import ConfigError, Settings
from studytool.textsafe import visible

if TYPE_CHECKING:
    from studytool.content.model import Card, LoadResult


class SafeConsole(Console):
    """A console that never writes a control character from the text it prints: deck, note and
    CSV text is untrusted, and ESC or OSC sequences in it would reach the terminal. Rich's own
    styles and cursor moves (control segments, e.g. of `Live`) pass unchanged."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            seg if seg.control else Segment(visible(seg.text), seg.style) for seg in buffer
        )


out = SafeConsole(highlight=False, soft_wrap=True)
err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)
# C1 controls (U+0080..U+009F, e.g. CSI U+009B) that json.dumps leaves raw with ensure_ascii off
_JSON_C1 = re.compile(r"[\x7f-\x9f]")

LANGS = ("en", "ko")


def fail(message: str) -> NoReturn:
    """One clean line and exit 2 for every failure of a command: never a traceback."""
    typer.echo(f"studytool: {visible(message)}", err=True)
    raise typer.Exit(2)


def _ours(error: Exception) -> bool:
    """Our own errors (StoreError, ConfigError, ExprError...) already read as one sentence.

    Matched by module rather than by class so that catching them imports nothing heavy."""
    return type(error).__module__.startswith("studytool.")


@contextlib.contextmanager
def clean_errors() -> Iterator[None]:
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except OSError as e:
        fail(f"{e.filename or ''}: {e.strerror or e}".lstrip(": "))
    except KeyboardInterrupt:
        fail("interrupted")
    except Exception as e:
        fail(str(e) if _ours(e) else f"{type(e).__name__}: {e}")


@dataclass
class CliState:
    """The global options of one run. The root command takes it from the context's `obj` when
    one is given, so a test can run any command on its own settings and library:
    `CliRunner().invoke(app, args, obj=CliState(settings=..., library=...))`."""

    content: list[Path] = field(default_factory=list)
    data: Path | None = None
    settings: Settings | None = None  # given: used instead of loading the config
    library: LoadResult | None = None  # given: used instead of loading the decks


# Typer vendors its own click and has no public get_current_context(), so the running
# command's state is kept here, set by the root command for the length of the run.
_current: ContextVar[CliState | None] = ContextVar("studytool_cli_state", default=None)


def use_state(ctx: typer.Context, state: CliState) -> None:
    """Make `state` the one every command reads until `ctx` closes (the end of the run)."""
    token = _current.set(state)
    ctx.call_on_close(lambda: _current.reset(token))


def _state() -> CliState:
    """The running command's state; a group mounted without the root app gets the defaults."""
    state = _current.get()
    return state if state is not None else CliState()


def get_settings() -> Settings:
    state = _state()
    if state.settings is not None:
        return state.settings
    try:
        return Settings.load(content=state.content, data=state.data)
    except ConfigError as e:
        fail(str(e))


def get_library() -> LoadResult:
    state = _state()
    if state.library is not None:
        return state.library
    from studytool.content.library import load_library

    return load_library(get_settings().deck_dirs)


def get_cards() -> list[Card]:
    return [c for d in get_library().decks for c in d.cards]


def emit_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(_JSON_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def _check_lang(value: str | None) -> str | None:
    if value is not None and value not in LANGS:
        fail(f"--lang must be 'en' or 'ko', not '{value}'")
    return value


Lang = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language: en or ko (default: from config).",
        show_default=False,
        callback=_check_lang,
    ),
]


def resolve_lang(lang: str | None) -> str:
    """The language asked for, else the configured one (en when the config names another)."""
    if lang is not None:
        return lang
    configured = get_settings().lang
    return configured if configured in LANGS else "en"


def output_path(path: Path, *, force: bool) -> Path:
    """Where a command may write: never onto progress files or backups, never a device or a
    FIFO, and an existing file only with --force."""
    from studytool.store.files import is_protected_path

    if is_protected_path(path, get_settings().data_dir):
        fail(f"refusing to write {path}: it is part of the progress store")
    if path.exists() or path.is_symlink():
        if not path.is_file():
            fail(f"refusing to write {path}: not a regular file")
        if not force:
            fail(f"{path} exists; use --force to replace it")
    return path

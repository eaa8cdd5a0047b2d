"""One clean line and exit 2 for every failure of a command: never a traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import NoReturn

import typer


def fail(message: str) -> NoReturn:
    typer.echo(f"studytool: {message}", err=True)
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

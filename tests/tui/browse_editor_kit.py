"""Helpers for the Browse and Editor tests: the app on a tmp copy of the small fixture decks
(the editor writes to them), a fixed clock, and ways to read what a widget shows."""

from __future__ import annotations

import asyncio
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console, RenderableType
from textual.pilot import Pilot

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.tui.app import StudyApp

FIXTURES = Path(__file__).parent / "fixtures_browse"
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def copy_decks(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES, content)
    return content


def make_app(tmp_path: Path, lang: str = "en") -> StudyApp:
    """The app on a copy of the fixture decks; the store opens as it does for a user."""
    content = copy_decks(tmp_path)
    settings = Settings(content_dirs=(content,), data_dir=tmp_path / "data", lang=lang)
    library = load_library(settings.content_dirs, builtin=False)
    return StudyApp(settings, library=library, clock=lambda: NOW)


def only_user_decks(monkeypatch) -> None:
    """`reload_library` after a save reads the built-in decks too; keep the tests on the
    fixture decks alone."""
    monkeypatch.setattr(
        "studytool.tui.app.load_library", lambda dirs: load_library(dirs, builtin=False)
    )


async def settle(pilot: Pilot, delay: float = 0.0) -> None:
    """Let the store open, timers fire (validation is debounced) and workers finish."""
    await pilot.pause(delay)
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(renderable: RenderableType, width: int = 100) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def validated(pilot: Pilot, editor, timeout: float = 10.0) -> None:
    """Wait until the debounced validation has caught up with the buffer (slow CI machines)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        current = editor.validation
        if current is not None and current.text == editor.text_area.text:
            break
        await pilot.pause(0.05)
    await settle(pilot)

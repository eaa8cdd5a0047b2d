"""Helpers for the Browse and Editor tests: a tmp copy of the small fixture decks (the editor
writes to them) and waiting for the editor's debounced validation."""

from __future__ import annotations

import shutil
from pathlib import Path

from kit import settle, wait_for
from textual.pilot import Pilot

from studytool.content.library import load_library

FIXTURES = Path(__file__).parent / "fixtures_browse"


def copy_decks(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES, content)
    return content


def only_user_decks(monkeypatch) -> None:
    """`reload_library` after a save reads the built-in decks too; keep the tests on the
    fixture decks alone."""
    monkeypatch.setattr(
        "studytool.tui.app.load_library", lambda dirs: load_library(dirs, builtin=False)
    )


async def validated(pilot: Pilot, editor, timeout: float = 10.0) -> None:
    """Wait until the debounced validation has caught up with the buffer."""

    def caught_up() -> bool:
        current = editor.validation
        return current is not None and current.text == editor.text_area.text

    await wait_for(pilot, caught_up, timeout, "the editor's validation")
    await settle(pilot)

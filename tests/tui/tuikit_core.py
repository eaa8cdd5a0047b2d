"""Helpers for the core TUI tests: the app on the fixed test decks, a fixed clock, waiting for
the store to open (no fixtures here, so the other TUI test modules can share it)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.tui.app import StudyApp

DECKS = Path(__file__).parent / "fixtures" / "decks"
# noon UTC: the same study day in every time zone from UTC-7 to UTC+11
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def make_app(data: Path, decks: Path = DECKS, lang: str = "en", **kw: object) -> StudyApp:
    settings = Settings(content_dirs=(decks,), data_dir=data, lang=lang)
    library = load_library(settings.content_dirs, builtin=False)
    return StudyApp(settings, library=library, clock=lambda: NOW, **kw)  # type: ignore[arg-type]


async def settle(pilot: Pilot) -> None:
    """Let the store open (a thread after the first frame) and every worker finish."""
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()

"""The helpers every test folder shares: the fixed clock, the fixture decks, the app factory,
condition-based waits for Pilot and a way to read what a renderable shows. Plain functions
(the fixtures built on them are in conftest.py), so any test module can import them."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console, RenderableType
from textual.pilot import Pilot

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.content.model import Card
from studytool.demorun.runner import DemoRunner
from studytool.tui.app import StudyApp

TESTS = Path(__file__).parent
# the small decks of every card type the TUI and study tests run on
DECKS = TESTS / "tui" / "fixtures" / "decks"
# noon UTC: the same study day in every time zone from UTC-7 to UTC+11
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


class FakeTimer:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def fixture_cards(decks: Path = DECKS) -> list[Card]:
    library = load_library([decks], builtin=False)
    assert library.ok, library.problems
    return [c for d in library.decks for c in d.cards]


def make_app(
    data: Path,
    decks: Path = DECKS,
    lang: str = "en",
    *,
    open_store: bool = True,
    **settings: object,
) -> StudyApp:
    """The app on `decks` alone (no built-in decks) at `NOW`; the store opens as it does for a
    user unless `open_store` is false. `settings` are further `Settings` fields."""
    config = Settings(content_dirs=(decks,), data_dir=data, lang=lang, **settings)  # type: ignore[arg-type]
    library = load_library(config.content_dirs, builtin=False)
    return StudyApp(config, library=library, clock=lambda: NOW, open_store=open_store)


async def settle(pilot: Pilot) -> None:
    """Let the store open (a thread after the first frame), timers fire and workers finish."""
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for(
    pilot: Pilot, condition: Callable[[], object], timeout: float = 30.0, what: str = ""
) -> None:
    """Let the app run until `condition()` is true; fail after `timeout` seconds (a generous
    bound for slow CI machines, not a sleep: the wait ends as soon as the condition holds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        await pilot.pause(0.02)


def text_of(renderable: RenderableType, width: int = 100) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


class IdleRunner(DemoRunner):
    """A demo runner that starts no worker process (neither the prewarm nor a demo screen's
    preload): for tests that draw demo screens and run nothing."""

    def prewarm(self) -> None:
        pass

    def preload(self, demo: str, module: str | None = None) -> None:
        pass

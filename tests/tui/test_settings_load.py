"""The daily load on a fresh install, the settings screen, and the language kept in config.toml
across a restart."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

from kit import DECKS, NOW, make_app, settle
from rich.console import Console
from textual.widgets import Input, Select
from typer.testing import CliRunner

from studytool.cli import app as cli_app
from studytool.cli.common import CliState
from studytool.config import Settings
from studytool.content.library import load_library
from studytool.study.queue import Kind, build_queue
from studytool.tui.app import StudyApp
from studytool.tui.home import HomeScreen
from studytool.tui.settings import SettingsScreen
from studytool.tui.stats import StatsScreen, stats_table
from studytool.tui.widgets.deck_list import DeckList

CONFIG = """\
# my studytool settings
lang = "en"   # the language at start-up

[review]
day_start_hour = 4   # as in Anki
"""


def plain(renderable: object) -> str:
    console = Console(width=120, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _all_new(app: StudyApp) -> str:
    return app.screen.query_one("#decks", DeckList).row("__all__").counts[0].plain


async def test_a_fresh_install_offers_at_most_20_new_cards(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")  # the defaults, the shipped decks
    library = load_library(())
    cards = [c for d in library.decks for c in d.cards]
    assert sum(1 for c in cards if not c.draft) > 100  # far more than a day's worth
    app = StudyApp(settings, library=library, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.data is not None
        home_new = int(_all_new(app))
        assert home.data.counts.total.new == home_new
        assert f"{home_new} new" in home.today_text().plain
        store = app.store
        assert store is not None
        queue = build_queue(store, cards, NOW)
        queue_new = sum(1 for item in queue if item.kind is Kind.NEW)
        app.action_stats()
        await settle(pilot)
        stats_screen = app.screen
        assert isinstance(stats_screen, StatsScreen) and stats_screen.stats is not None
        stats_new = stats_screen.stats.new_available
        assert f"new left {stats_new}" in plain(stats_table(stats_screen.stats))
    result = CliRunner().invoke(
        cli_app, ["stats", "--json"], obj=CliState(settings=settings, library=library)
    )
    assert result.exit_code == 0, result.output
    cli_new = json.loads(result.stdout)["due_today"]["new_available"]
    assert home_new == queue_new == stats_new == cli_new == 20


async def test_the_settings_screen_changes_the_new_card_limit(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    app = make_app(tmp_path / "data")
    app.settings = replace(app.settings, config_path=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _all_new(app) == "12"
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        new_input = app.screen.query_one("#new-per-day", Input)
        assert new_input.value == "20"
        new_input.value = "5"
        app.screen.query_one("#theme", Select).value = "nord"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert _all_new(app) == "5"
        assert "5 new" in app.screen.today_text().plain
        assert app.store is not None and app.store.settings.new_per_day == 5
        assert app.theme == "nord"
    text = config.read_text(encoding="utf-8")
    assert "# my studytool settings" in text and "# as in Anki" in text
    saved = Settings.load(config=config)
    assert (saved.new_per_day, saved.theme) == (5, "nord")
    # the next start has the saved theme
    again = StudyApp(replace(app.settings, theme=saved.theme), library=app.library)
    assert again.theme == "nord"


async def test_a_wrong_value_is_refused(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_settings()
        await pilot.pause()
        app.screen.query_one("#retention", Input).value = "1.5"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert "between 0.7 and 0.99" in str(app.screen.query_one("#settings-status").render())
        assert app.settings.scheduler.desired_retention == 0.9


async def test_the_language_choice_survives_a_restart(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")

    def start() -> StudyApp:
        settings = Settings.load(content=[DECKS], data=tmp_path / "data", config=config)
        library = load_library(settings.content_dirs, builtin=False)
        return StudyApp(settings, library=library, clock=lambda: NOW)

    app = start()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert app.lang == "ko"
    assert 'lang = "ko"   # the language at start-up' in config.read_text(encoding="utf-8")
    again = start()
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.lang == "ko"
        label = again.screen.query_one("#decks", DeckList).row("basics").label.plain
        assert "기초" in label

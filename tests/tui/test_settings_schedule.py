"""Settings: the workload plot beside the desired retention, a new retention applied at once
(the cards in review rescheduled, the change logged), load balancing and easy days saved."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from kit import NOW, make_app, settle, wait_for
from textual.widgets import DataTable, Input, Switch
from textual_plotext import PlotextPlot
from typer.testing import CliRunner

from studytool.cli import app as cli_app
from studytool.cli.common import CliState
from studytool.config import Settings
from studytool.store.scheduler import Rating
from studytool.tui.home import HomeScreen
from studytool.tui.settings import SettingsScreen, easy_days_text, read_easy_days


def _plot_text(screen: SettingsScreen) -> str:
    widget = screen.query_one("#workload-plot", PlotextPlot)
    return str(widget.render())


async def test_a_new_retention_reschedules_and_the_plot_follows(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# mine\n", encoding="utf-8")
    app = make_app(tmp_path / "data")
    app.settings = replace(app.settings, config_path=config)
    async with app.run_test(size=(140, 60)) as pilot:
        await settle(pilot)
        store = app.store
        assert store is not None
        keys = sorted(store.records())[:6]
        for key in keys:
            store.grade(key, Rating.Easy, NOW)
        before = {k: store.card(k).state.due_ms for k in keys}  # type: ignore[union-attr]
        app.action_settings()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        await wait_for(pilot, lambda: screen.workload is not None, what="the simulation")
        await pilot.pause()
        plot = screen.query_one("#workload-plot", PlotextPlot)
        assert plot.region.width > 20 and plot.region.height > 5  # beside the table, drawn
        assert "Minutes a day by desired retention (▶ 0.90)" in _plot_text(screen)
        screen.query_one("#retention", Input).value = "0.8"
        await pilot.pause()
        assert "(▶ 0.80)" in _plot_text(screen)
        await pilot.press("l")
        await pilot.pause()
        assert "목표 기억률별 하루 학습 시간" in _plot_text(screen)
        await pilot.press("l")
        await pilot.pause()
        screen.query_one("#load-balance", Switch).value = False
        screen.query_one("#easy-days", Input).value = "sun=0.5, sat=0"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        # applied at once: the store schedules at 0.8 and the cards in review moved
        assert store.desired_retention == 0.8 and app.rescheduled == (0.8, len(keys))
        after = {k: store.card(k).state.due_ms for k in keys}  # type: ignore[union-attr]
        assert all(after[k] > before[k] for k in keys)  # type: ignore[operator]
        s = app.settings.scheduler
        assert not s.load_balance and s.easy_days == (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5)
        assert store.settings.scheduler == s
    saved = Settings.load(config=config).scheduler
    assert (saved.desired_retention, saved.load_balance, saved.easy_days) == (
        0.8,
        False,
        (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5),
    )
    assert config.read_text(encoding="utf-8").startswith("# mine")


async def test_bad_easy_days_are_refused_in_the_form(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(140, 60)) as pilot:
        await settle(pilot)
        app.action_settings()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        assert screen.query_one("#load-balance", Switch).value is True
        screen.query_one("#easy-days", Input).value = "sunday=0.5"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        status = str(screen.query_one("#settings-status").render())
        assert "Easy days: write day=share" in status and "'sunday'" in status
        assert app.settings.scheduler.easy_days == (1.0,) * 7


def test_the_easy_days_field_reads_and_shows_the_same_shares() -> None:
    shares = read_easy_days("sat=0 sun=0.5")
    assert shares == (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5)
    assert easy_days_text(shares) == "sat=0 sun=0.5"
    assert read_easy_days("") == (1.0,) * 7
    for bad in ("sun", "sun=half", "sun=2"):
        with pytest.raises(ValueError, match="쉬는 날: 요일=비율"):
            read_easy_days(bad, "ko")


async def test_the_settings_table_shows_what_plan_retention_prints(tmp_path: Path) -> None:
    """The same simulation behind `studytool plan retention --json` and the settings screen."""
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(140, 60)) as pilot:
        await settle(pilot)
        app.action_settings()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        await wait_for(pilot, lambda: screen.workload is not None, what="the simulation")
        await pilot.pause()
        table = screen.query_one("#workload", DataTable)
        shown = [table.get_row_at(i)[1:4] for i in range(table.row_count)]
    state = CliState(settings=app.settings, library=app.library)
    result = CliRunner().invoke(cli_app, ["plan", "retention", "--json"], obj=state)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert shown == [
        [
            f"{r['desired_retention']:.2f}",
            f"{r['reviews_per_day']:.1f}",
            f"{r['minutes_per_day']:.1f}",
        ]
        for r in rows
    ]

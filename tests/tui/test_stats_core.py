"""Stats: the numbers and the plots come from compute_stats; tabs switch with 1-4."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from kit import NOW, make_app, settle, text_of
from textual.widgets import Static, TabbedContent

from studytool.config import ExamSettings
from studytool.store.scheduler import Rating
from studytool.store.stats import compute_stats
from studytool.tui.home import HomeScreen
from studytool.tui.stats import StatsScreen, stats_table


async def test_stats_show_the_store_figures(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store = app.store
        assert store is not None
        month_ago = NOW - timedelta(days=30)
        store.grade("basics/sgd-update", Rating.Easy, month_ago)
        store.grade("basics/sgd-update", Rating.Good, NOW - timedelta(days=1))
        store.grade("basics/relu", Rating.Again, NOW)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.stats is not None
        stats = screen.stats
        assert stats.current_streak == 2 and stats.retention.reviews == 1
        text = text_of(stats_table(stats), 120)
        assert "Streak 2d" in text and "retention 100%" in text
        assert f"Due today {stats.due_today}" in text
        reviews = screen.query_one("#reviews-plot").plt.build()
        assert "Reviews per day: 3 in 90 days" in reviews
        retention = screen.query_one("#retention-plot").plt.build()
        assert "basics (1)" in retention
        tabs = screen.query_one("#plots", TabbedContent)
        for key, tab in (("2", "reviews"), ("3", "retention"), ("4", "quizzes"), ("1", "forecast")):
            await pilot.press(key)
            assert tabs.active == tab
        assert "No quizzes yet" in text_of(screen.query_one("#quiz-trends").render(), 120)
        await pilot.press("escape")
        assert not isinstance(app.screen, StatsScreen)


async def test_stats_without_a_database_say_why(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "progress.db").write_bytes(b"garbage" * 200)
    app = make_app(data)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.stats is None
        assert "progress database" in text_of(screen.query_one("#numbers").render(), 120)


async def test_stats_follow_an_active_exam_plan_as_home_does(tmp_path: Path) -> None:
    """With a plan on basics, the Stats screen's due and new counts are Home's (the plan's
    queue), not the deck limits', and a line says so, in both languages."""
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store = app.store
        assert store is not None
        store.grade("basics/sgd-update", Rating.Easy, NOW - timedelta(days=30))  # due
        store.grade("basics/relu", Rating.Easy, NOW - timedelta(days=1))  # not due
        exam = ExamSettings(NOW.date() + timedelta(days=4), ("basics",), 30, 0.97)
        app.apply_settings(replace(app.settings, exam=exam), exam.config_values())
        no_plan = compute_stats(store, app.all_cards(), NOW)
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.data is not None
        today = home.data.counts.total
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.stats is not None
        stats = screen.stats
        assert (stats.new_available, stats.due_review) == (today.new, today.due)
        assert (today.new, today.due) != (no_plan.new_available, no_plan.due_review)
        shown = screen.query_one("#numbers", Static)
        assert f"follow the exam plan until {exam.date}" in text_of(shown.content, 120)
        await pilot.press("l")
        await pilot.pause()
        assert "시험 계획을 따릅니다" in text_of(shown.content, 120)

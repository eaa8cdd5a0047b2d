"""Stats, tab 5: the learner's memory calibration (predicted recall against what happened)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kit import NOW, make_app, settle
from textual.widgets import TabbedContent

from studytool.store.history import recall_pairs
from studytool.store.scheduler import Rating
from studytool.tui.stats import StatsScreen


async def test_stats_calibration_tab(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store = app.store
        assert store is not None
        for key, late in (("basics/sgd-update", 3), ("basics/relu", 40)):
            store.grade(key, Rating.Easy, NOW - timedelta(days=60))
            store.grade(key, Rating.Good, NOW - timedelta(days=60 - late))
        store.grade("basics/relu", Rating.Good, NOW, mode="quiz")  # quiz: not a prediction
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.calibration is not None
        cal = screen.calibration
        assert cal.reviews == 2 == len(recall_pairs(store))
        assert sum(b.count for b in cal.bins) == 2 and cal.log_loss is not None
        await pilot.press("5")
        assert screen.query_one("#plots", TabbedContent).active == "calibration"
        plot = screen.query_one("#calibration-plot").plt.build()
        assert "Calibration over 2 reviews" in plot and f"{cal.log_loss:.3f}" in plot
        # `l`: the tab, its key and the plot's words in Korean
        await pilot.press("l")
        await pilot.pause()
        tabs = screen.query_one("#plots", TabbedContent)
        assert str(tabs.get_tab("calibration").label) == "기억 보정"
        plot = screen.query_one("#calibration-plot").plt.build()
        assert "복습 2번" in plot and "로그 손실" in plot and "Calibration" not in plot


async def test_stats_calibration_without_reviews(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.calibration is not None
        assert screen.calibration.reviews == 0
        plot = screen.query_one("#calibration-plot").plt.build()
        assert "no reviews a day or more after the previous one yet" in plot

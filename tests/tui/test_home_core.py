"""Home: counts per deck from the queue, the streak and heatmap after reviews, deck actions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kit import DECKS, NOW, make_app, settle, text_of
from textual.content import Content
from textual.widgets import Static

from studytool.config import Settings
from studytool.store.scheduler import Rating
from studytool.tui.home import HomeScreen
from studytool.tui.review import ReviewScreen
from studytool.tui.widgets.deck_list import DeckList
from studytool.tui.widgets.heatmap import LEVELS, LIGHT_LEVELS, Heatmap, level
from studytool.tui.widgets.keybar import KeyBar


async def test_counts_streak_and_heatmap_follow_the_reviews(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        deck_list = home.query_one("#decks", DeckList)
        assert [c.plain for c in deck_list.row("__all__").counts] == ["12", "0", "0"]
        assert "Streak 0 days" in text_of(home.today_text())
        # two grades yesterday and one today, straight through the store
        store = app.store
        assert store is not None
        yesterday = NOW - timedelta(days=1)
        store.grade("basics/sgd-update", Rating.Good, yesterday)
        store.grade("basics/relu", Rating.Easy, yesterday)
        store.grade("quizzes/bagging", Rating.Again, NOW)
        home.refresh_counts()
        await settle(pilot)
        counts = [c.plain for c in deck_list.row("quizzes").counts]
        assert counts == ["6", "1", "0"]  # bagging is learning now
        assert "Streak 2 days (best 2)" in text_of(home.today_text())
        assert home.data is not None
        per_day = dict(home.data.stats.reviews_per_day)
        assert per_day[home.data.stats.today] == 1
        assert per_day[home.data.stats.today - timedelta(days=1)] == 2


async def test_enter_reviews_the_selected_deck_and_c_crams_it(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")  # All -> Basics -> Quiz cards
        assert app.screen.query_one("#decks", DeckList).cursor_key == "quizzes"
        await pilot.press("enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.session.filters.decks == frozenset({"quizzes"}) and not review.session.cram
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # the summary goes back home
        await pilot.press("up", "c")
        await pilot.pause()
        cram = app.screen
        assert isinstance(cram, ReviewScreen) and cram.session.cram
        assert cram.session.filters.decks == frozenset({"basics"})


async def test_nothing_due_says_so_and_stays_home(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.store is not None
        for key in ("quizzes/blur-kernel", "quizzes/conv-effects"):
            app.store.suspend(key)
        app.store.bury(
            [k for c in app.all_cards() if c.deck == "quizzes" for k in c.review_keys()], NOW
        )
        app.action_review("quizzes")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("Nothing to review" in n.message for n in app._notifications)


def test_heatmap_levels_and_grid() -> None:
    assert [level(n, 8) for n in (0, 1, 2, 4, 8)] == [0, 1, 1, 2, 4]
    today = NOW.date()
    heatmap = Heatmap([(today, 3), (today - timedelta(days=7), 1)], today, weeks=4)
    grid = heatmap.grid()
    assert len(grid) == 7 and all(len(row) == 4 for row in grid)
    assert grid[today.weekday()][-1] == today  # today ends the last column
    assert all(d is None for d in (row[-1] for row in grid[today.weekday() + 1 :]))
    assert heatmap.total() == 4
    wide, narrow = text_of(heatmap, 80), text_of(heatmap, 8)
    assert "Mon ■ ■ ■ ■" in wide and "Mon ■■■■" in narrow
    assert len(LEVELS) == 5


async def test_the_heatmap_follows_a_light_theme(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert home.heatmap().levels == LEVELS
        app.theme = "textual-light"
        await pilot.pause()
        assert home.heatmap().levels == LIGHT_LEVELS


async def test_keys_and_actions_can_be_clicked(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        keybar = app.screen.query_one(KeyBar)
        line = keybar.keys_content(app.screen).plain
        await pilot.click(keybar, offset=(line.index("Stats"), 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "StatsScreen"
        await pilot.press("escape")
        await pilot.click("#actions", offset=(4, 1))  # the first action: review all
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_a_remapped_key_shows_in_the_actions_panel(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"home.browse" = "f"\n"decks.select" = "space"\n', "utf-8")
    app = make_app(tmp_path / "data")
    app.settings = Settings.load(content=[DECKS], data=tmp_path / "data", config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        actions = app.screen.query_one("#actions", Static).content
        assert isinstance(actions, Content)
        lines = actions.plain.splitlines()
        # the keys are right-aligned to the widest one
        assert "    f Browse and search" in lines
        assert "space Review the selected deck" in lines
        assert "    r Review all due cards" in lines
        await pilot.click("#actions", offset=(6, lines.index("    f Browse and search") + 1))
        await settle(pilot)
        assert type(app.screen).__name__ == "BrowseScreen"

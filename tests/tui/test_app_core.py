"""App-wide behaviour: a broken database, deck errors, the palette, keys help, reload, keymap,
the language switch, and the review's links to the editor and the demos."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kit import DECKS, make_app, settle, wait_for
from textual.command import CommandList
from textual.widgets import DataTable

from studytool.config import ConfigError, Settings
from studytool.content.library import load_library
from studytool.tui.app import StudyApp
from studytool.tui.help import HelpScreen
from studytool.tui.home import HomeScreen
from studytool.tui.review import ReviewScreen
from studytool.tui.stats import StatsScreen
from studytool.tui.widgets.deck_list import DeckList


def notes(app: StudyApp) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


async def test_a_corrupt_database_opens_read_only_with_a_clear_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "progress.db").write_bytes(b"this is not a database" * 100)
    app = make_app(data)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.store is None and app.store_error is not None
        assert str(data / "progress.db") in app.store_error
        assert any("Progress database unavailable" in n for n in notes(app))
        assert "Read-only" in str(app.screen.query_one("#today").render())
        await pilot.press("r")  # review needs the store: a notification, not a crash
        assert isinstance(app.screen, HomeScreen)
        assert any(n.startswith("Read-only") for n in notes(app))
        await pilot.press("b")  # browsing still works
        await pilot.pause()
        assert type(app.screen).__name__ == "BrowseScreen"
    # the damaged file was left as it was
    assert (data / "progress.db").read_bytes() == b"this is not a database" * 100


async def test_a_broken_deck_is_listed_with_its_errors_and_others_work(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    shutil.copytree(DECKS, decks)
    bad = "deck: bad\ntitle: Bad\ncards:\n  - id: x\n    type: basic\n    front: F\n"
    (decks / "bad.yaml").write_text(bad, "utf-8")
    app = make_app(tmp_path / "data", decks=decks)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any("Deck errors" in n for n in notes(app))
        deck_list = app.screen.query_one("#decks", DeckList)
        assert "1 error(s)" in deck_list.row("broken:bad").label.plain
        assert [c.plain for c in deck_list.row("basics").counts] == ["5", "0", "0"]
        app.action_review("basics")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_palette_runs_an_action(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"statistics")
        hits = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: hits.highlighted is not None, 10, "the palette's hits")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)


async def test_help_lists_the_keys_of_the_current_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_review("basics")
        await pilot.pause()
        await pilot.press("space", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = {
            str(table.get_row_at(i)[1]): str(table.get_row_at(i)[0]) for i in range(table.row_count)
        }
        assert rows["Again"] == "1" and rows["Undo"] == "u" and rows["Edit"] == "e"
        assert "Space shows the answer" in str(app.screen.query_one("#help-notes").render())
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_reload_picks_up_a_new_card_and_syncs_the_store(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    shutil.copytree(DECKS, decks)
    app = make_app(tmp_path / "data", decks=decks)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        deck_file = decks / "basics.yaml"
        deck_file.write_text(
            deck_file.read_text("utf-8")
            + "\n  - id: added\n    type: basic\n    front: New front\n    back: New back\n",
            "utf-8",
        )
        app.settings = Settings(content_dirs=(decks,), data_dir=app.settings.data_dir)
        app.library = load_library(app.settings.content_dirs, builtin=False)
        app.action_reload()
        await settle(pilot)
        assert app.store is not None and app.store.card("basics/added") is not None
        counts = app.screen.query_one("#decks", DeckList).row("basics").counts
        assert counts[0].plain == "6"


def test_keymap_is_read_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert Settings.load(config=config).keymap == ()
    config.write_text('[keymap]\n"review.again" = "j"\n', "utf-8")
    assert dict(Settings.load(config=config).keymap) == {"review.again": "j"}
    config.write_text('[keymap]\n"review.again" = "j"\n"review.good" = 3\n', "utf-8")
    with pytest.raises(ConfigError) as problem:
        Settings.load(config=config)
    assert "review.good" in str(problem.value)


async def test_a_remapped_key_grades(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"review.again" = "j"\n', "utf-8")
    settings = Settings.load(content=[DECKS], data=tmp_path / "data", config=config)
    app = make_app(tmp_path / "data")
    app.settings = settings
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_review("basics")
        await pilot.pause()
        await pilot.press("space", "j")
        row = app.store._read_one("SELECT rating FROM revlog")
        assert row == (1,)


async def test_language_switch_changes_card_text_not_the_ui(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        deck_list = app.screen.query_one("#decks", DeckList)
        assert "Basics" in deck_list.row("basics").label.plain
        await pilot.press("l")
        assert app.lang == "ko" and "기초" in deck_list.row("basics").label.plain
        app.action_review("basics")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.display_state is not None and screen.display_state.lang == "ko"
        await pilot.press("l")
        assert screen.display_state.lang == "en"
        await pilot.press("space")
        assert screen.display_state.revealed
        await pilot.press("l")  # switching keeps the answer side
        assert screen.display_state.lang == "ko" and screen.display_state.revealed


@pytest.mark.torch  # the demo screen starts a warm demo worker, which imports torch
async def test_edit_opens_the_editor_at_the_card_and_demo_opens_the_demo(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_review("basics")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        assert type(editor).__name__ == "EditorScreen"
        assert editor.path == DECKS / "basics.yaml" and editor.card_id == "sgd-update"
        app.pop_screen()
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        demo = app.screen
        assert type(demo).__name__ == "DemoScreen"
        assert demo.demo_name == "optimizers" and demo.card_id == "basics/sgd-update"

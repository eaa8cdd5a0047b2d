"""Browse: incremental search over both languages, tags and ids; filters; preview; suspend."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from browse_editor_kit import copy_decks, only_user_decks, validated
from kit import NOW, make_app, settle, text_of
from textual.widgets import Input, OptionList, Select

from studytool.store.scheduler import Rating
from studytool.tui.browse import BrowseScreen
from studytool.tui.editor import EditorScreen
from studytool.tui.widgets.card_list import CardTable


def listed(app) -> list[str]:
    return listed_on(app.screen)


def listed_on(screen) -> list[str]:
    table = screen.query_one(CardTable)
    return [table.index.cards[i].full_id for i in table.rows]


def preview(app) -> str:
    return text_of(app.screen.query_one("#browse-card").content)


async def open_browse(pilot) -> BrowseScreen:
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BrowseScreen)
    return pilot.app.screen


async def test_each_keystroke_narrows_the_list(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_browse(pilot)
        assert len(listed(app)) == 11
        seen = []
        for key in "adam":
            await pilot.press(key)
            seen.append(len(listed(app)))
        # "a" is everywhere; "adam" is in two ids and in a choice of optim/adaptive
        assert seen[0] > seen[-1]
        assert listed(app) == ["optim/adam-steps", "optim/adam-name", "optim/adaptive"]
        await pilot.press("space", "-", "t", "y", "p", "e", ":", "o")
        assert listed(app) == ["optim/adam-name", "optim/adaptive"]
        await pilot.press("escape")  # clears the search box first
        assert app.screen.query_one("#browse-search", Input).value == ""
        assert len(listed(app)) == 11


async def test_filters_preview_and_language(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_browse(pilot)
        screen.query_one("#filter-deck", Select).value = "optim"
        screen.query_one("#filter-type", Select).value = "numeric"
        await pilot.pause()
        assert listed(app) == ["optim/sgd-lr"]
        shown = preview(app)
        assert "A gradient of 2 with learning rate 0.1" in shown
        assert "0.2 ± 0.001" in shown  # the answer is in the preview
        assert "optim.yaml:" in shown
        await pilot.press("ctrl+r")
        assert len(listed(app)) == 11
        assert "A gradient of 2" in preview(app)  # the selection stays on the card
        await pilot.press("enter")  # from the search box into the list
        assert isinstance(app.focused, CardTable)
        await pilot.press("home", "down")
        assert "Scaled dot-product attention formula?" in preview(app)
        assert "softmax((QKᵀ)/√dₖ)V" in preview(app)  # the formula, rendered
        await pilot.press("r")
        assert r"\mathrm{softmax}" in preview(app)  # raw LaTeX
        await pilot.press("l")
        assert app.lang == "ko"
        assert "Scaled dot-product attention 수식은?" in preview(app)
        assert "d_k의 제곱근" in preview(app)


async def test_status_filters_and_suspend(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        store = app.store
        assert store is not None
        # reviewed four days ago with Good: due again by now
        store.grade("optim/sgd-lr", Rating.Good, NOW - timedelta(days=4))
        screen = await open_browse(pilot)
        screen.query_one("#filter-status", Select).value = "due"
        await pilot.pause()
        assert listed(app) == ["optim/sgd-lr"]
        assert "due" in preview(app)

        await pilot.press("ctrl+r")
        screen.query_one("#browse-search", Input).value = "attn-heads"
        await pilot.pause()
        await pilot.press("enter", "s")
        assert store.card("attention/attn-heads").suspended
        assert store.card("attention/attn-heads@rev").suspended  # both directions
        await pilot.press("slash")
        screen.query_one("#browse-search", Input).value = "is:susp"
        await pilot.pause()
        assert listed(app) == ["attention/attn-heads"]
        await pilot.press("enter", "s")
        assert not store.card("attention/attn-heads").suspended
        assert not store.card("attention/attn-heads@rev").suspended


async def test_edit_and_demo_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    demos: list[str] = []
    app.action_demo = demos.append  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browse(pilot)
        screen.query_one("#browse-search", Input).value = "adam-steps"
        await pilot.pause()
        await pilot.press("enter", "d")
        assert demos == ["optimizers"]
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        assert editor.path == tmp_path / "content" / "optim.yaml"
        row = editor.text_area.cursor_location[0]
        assert editor.text_area.document.get_line(row).strip() == "- id: adam-steps"

        # n: a new card of a chosen type in the deck of the highlighted card
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#type-picker-list", OptionList).highlighted = 5  # truefalse
        await pilot.press("enter")
        await settle(pilot)
        await validated(pilot, app.screen)
        editor = app.screen
        assert isinstance(editor, EditorScreen) and editor.path.name == "optim.yaml"
        row = editor.text_area.cursor_location[0]
        assert editor.text_area.document.get_line(row - 3) == "  - id: new-truefalse"


async def test_browse_without_a_store(tmp_path: Path) -> None:
    """A database that cannot be opened leaves browsing working; suspend says why not."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "progress.db").write_bytes(b"not a database" * 100)
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browse(pilot)
        assert app.store is None
        assert "no progress database" in str(screen.query_one("#browse-count").content)
        screen.query_one("#browse-search", Input).value = "softmax"
        await pilot.pause()
        assert len(listed(app)) == 2
        await pilot.press("enter", "s")
        await pilot.pause()
        assert any(n.severity == "error" for n in app._notifications)


async def test_browse_under_another_screen_catches_up_when_shown_again(
    tmp_path: Path, monkeypatch
) -> None:
    only_user_decks(monkeypatch)
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browse(pilot)
        assert len(listed(app)) == 11
        app.action_stats()
        await settle(pilot)
        deck_file = tmp_path / "content" / "optim.yaml"
        deck_file.write_text(
            deck_file.read_text("utf-8")
            + "\n  - id: added\n    type: basic\n    front: New front\n    back: New back\n",
            "utf-8",
        )
        app.reload_library()
        await settle(pilot)
        assert len(listed_on(screen)) == 11  # not redrawn while under Stats
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert "optim/added" in listed(app)


async def test_the_list_scrolls_with_the_cursor_and_clicks_hit_the_row(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    async with app.run_test(size=(100, 14)) as pilot:
        await open_browse(pilot)
        table = app.screen.query_one(CardTable)
        visible = table.scrollable_content_region.height - 1  # under the header line
        assert visible < len(table.rows) == 11
        await pilot.press("enter", *["down"] * 9)
        assert table.cursor == 9
        assert table.scroll_y == 9 - visible + 1  # the cursor's row is the last one shown
        await pilot.press("end")
        assert table.scroll_y == table.max_scroll_y == 11 - visible
        await pilot.click(CardTable, offset=(5, 2))  # the second row shown
        assert table.cursor == table.scroll_y + 1
        await pilot.press("home")
        assert (table.cursor, table.scroll_y) == (0, 0)


async def test_search_box_and_list_keys(tmp_path: Path) -> None:
    """Down and Tab leave the search box for the list; `/` comes back from anywhere; e, s, d
    act on the selected card from the list, while in the box they are text."""
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    demos: list[str] = []
    app.action_demo = demos.append  # type: ignore[method-assign]
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_browse(pilot)
        search = screen.query_one("#browse-search", Input)
        table = screen.query_one(CardTable)
        await pilot.press(*"sed")  # typed: the box has the focus
        assert search.value == "sed" and app.screen is screen and not demos
        search.value = "adam-steps"
        await pilot.pause()
        await pilot.press("down")
        assert app.focused is table and table.cursor == 0
        await pilot.press("slash")
        assert app.focused is search and search.value == "adam-steps"
        await pilot.press("tab")
        assert app.focused is table
        await pilot.press("d")
        assert demos == ["optimizers"]
        screen.query_one("#filter-tag", Select).focus()
        await pilot.press("slash")
        assert app.focused is search
        await pilot.press("tab", "s")
        assert app.store is not None and app.store.card("optim/adam-steps").suspended
        assert search.value == "adam-steps"
        search.value = "momentum-true"  # no demo: d says so
        await pilot.pause()
        await pilot.press("tab", "d")
        assert demos == ["optimizers"]
        assert any("has no demo" in str(n.message) for n in app._notifications)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)

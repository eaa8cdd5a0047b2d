"""Edits of a built-in deck go to the user's own copy when the decks are the installed
package's (an upgrade replaces them); in a checkout the deck file itself is edited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kit import NOW, settle
from typer.testing import CliRunner

from studytool import _paths
from studytool.cli import app as cli_app
from studytool.config import Settings
from studytool.tui.app import StudyApp
from studytool.tui.editor import EditorScreen

DECK = """\
deck: tiny
title: {en: Tiny, ko: 작은 덱}
cards:
  - id: one
    type: basic
    front: {en: Front, ko: 앞면}
    back: {en: Back, ko: 뒷면}
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed layout: site-packages/studytool/decks holds the built-in decks."""
    package = tmp_path / "site-packages" / "studytool"
    (package / "decks").mkdir(parents=True)
    (package / "decks" / "tiny.yaml").write_text(DECK, encoding="utf-8")
    monkeypatch.setattr(_paths, "PKG_DIR", package)
    assert _paths.decks_installed()
    return package / "decks"


def make_app(tmp_path: Path) -> StudyApp:
    # no content folder configured: the user's decks go to the data folder
    return StudyApp(Settings(data_dir=tmp_path / "data"), clock=lambda: NOW)


async def test_editing_an_installed_deck_edits_a_user_copy(tmp_path: Path, site: Path) -> None:
    shipped = site / "tiny.yaml"
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.library.decks[0].builtin
        app.open_editor(shipped, "one")
        await settle(pilot)
        editor = app.screen
        copy = tmp_path / "data" / "decks" / "tiny.yaml"
        assert isinstance(editor, EditorScreen) and editor.path == copy
        assert copy.read_text("utf-8") == DECK
        assert any("built-in deck" in str(n.message) for n in app._notifications)
        (deck,) = app.library.decks
        assert deck.path == copy and deck.overrides == shipped and not deck.builtin
        editor.text_area.insert("# mine\n", (0, 0))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert shipped.read_text("utf-8") == DECK
        assert copy.read_text("utf-8") == "# mine\n" + DECK

    # the CLI loads the copy too, and `decks` says which built-in deck it replaces
    runner = CliRunner()
    env = {"STUDYTOOL_DATA": str(tmp_path / "data"), "COLUMNS": "200"}
    table = runner.invoke(cli_app, ["decks"], env=env)
    assert "overrides built-in tiny.yaml" in table.stdout
    rows = json.loads(runner.invoke(cli_app, ["decks", "--json"], env=env).stdout)["decks"]
    assert [(r["id"], r["overrides"]) for r in rows] == [("tiny", str(shipped))]


async def test_a_second_edit_opens_the_copy_itself(tmp_path: Path, site: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_editor(site / "tiny.yaml")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        app.open_editor(app.library.decks[0].path)
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        assert app.screen.path == tmp_path / "data" / "decks" / "tiny.yaml"
        assert sorted(p.name for p in (tmp_path / "data" / "decks").iterdir()) == ["tiny.yaml"]


async def test_in_a_checkout_the_deck_file_is_edited(
    tmp_path: Path, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_paths, "decks_installed", lambda: False)
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_editor(site / "tiny.yaml", "one")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen) and app.screen.path == site / "tiny.yaml"
        assert not (tmp_path / "data" / "decks").exists()

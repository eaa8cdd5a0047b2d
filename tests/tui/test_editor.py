"""The editor: opened at a card, live validation with line:col, Save refused while invalid,
atomic byte-exact saves, new cards from templates, $EDITOR, unsaved changes, disk changes."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from browse_editor_kit import copy_decks, only_user_decks, validated
from kit import NOW, make_app, settle
from textual.widgets import OptionList, Static

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.store.scheduler import Rating
from studytool.tui.app import StudyApp
from studytool.tui.dialogs import ChoiceDialog
from studytool.tui.editor import EditorScreen


async def open_editor(pilot, card_id: str) -> EditorScreen:
    app = pilot.app
    await settle(pilot)
    deck = next(d for d in app.library.decks if d.card(card_id) is not None)
    app.open_editor(deck.path, card_id)
    await settle(pilot)
    assert isinstance(app.screen, EditorScreen)
    await validated(pilot, app.screen)
    return app.screen


def status(editor: EditorScreen) -> str:
    return str(editor.query_one("#editor-status", Static).content)


def problems(editor: EditorScreen) -> list[str]:
    options = editor.query_one("#editor-problems", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_invalid_then_valid_edit(tmp_path: Path, monkeypatch) -> None:
    only_user_decks(monkeypatch)
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    path = tmp_path / "content" / "attention.yaml"
    original = path.read_bytes()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.store is not None
        app.store.grade("attention/attn-heads", Rating.Good, app.clock())
        before = app.store.card("attention/attn-heads")
        editor = await open_editor(pilot, "attn-heads")
        ta = editor.text_area
        row = ta.cursor_location[0]
        assert ta.document.get_line(row) == "  - id: attn-heads"
        assert "✓ valid" in status(editor)

        # a typo in the type: reported at its line and column, and Save is refused
        assert ta.document.get_line(row + 1) == "    type: reversed"
        ta.move_cursor((row + 1, len("    type: reversed")))
        await pilot.press("x")
        await validated(pilot, editor)
        assert "✗ 1 problem" in status(editor)
        assert problems(editor) == [
            f"{row + 2}:11 unknown card type 'reversedx'; did you mean 'reversed'?"
            " (one of: basic, reversed, cloze, mcq, multi, truefalse, typed, numeric, order)"
        ]
        await pilot.press("ctrl+s")
        assert path.read_bytes() == original
        assert "●" in editor.sub_title

        # selecting the problem puts the cursor on it
        ta.move_cursor((0, 0))
        editor.query_one("#editor-problems", OptionList).highlighted = 0
        editor.query_one("#editor-problems", OptionList).action_select()
        await pilot.pause()
        assert ta.cursor_location == (row + 1, 10)

        # fix it and change the English front instead
        await pilot.press("end", "backspace")
        ta.move_cursor((row + 3, len('      en: "Multi-head attention')))
        for key in " (MHA)":
            await pilot.press("space" if key == " " else key)
        await validated(pilot, editor)
        assert "✓ valid" in status(editor)
        await pilot.press("ctrl+s")
        await settle(pilot)
        expected = original.replace(b'"Multi-head attention"', b'"Multi-head attention (MHA)"')
        assert path.read_bytes() == expected  # the rest of the file, byte for byte
        assert "●" not in editor.sub_title
        card = app.library.decks[0].card("attn-heads")
        assert card is not None and card.prompt.en == "Multi-head attention (MHA)"
        after = app.store.card("attention/attn-heads")
        assert after is not None and after.state == before.state and not after.orphaned
        assert not list(path.parent.glob(".*.tmp"))  # no temporary file left behind


async def test_new_card_from_a_template(tmp_path: Path, monkeypatch) -> None:
    only_user_decks(monkeypatch)
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    path = tmp_path / "content" / "optim.yaml"
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "sgd-lr")
        await pilot.press("ctrl+n")
        await pilot.pause()
        picker = app.screen.query_one("#type-picker-list", OptionList)
        picker.highlighted = 3  # mcq
        await pilot.press("enter")
        await validated(pilot, editor)
        assert app.screen is editor
        ta = editor.text_area
        row, col = ta.cursor_location
        assert ta.document.get_line(row) == '      en: ""'
        assert col == len('      en: "')  # between the quotes
        assert ta.document.get_line(row - 2) == "    type: mcq"
        assert ta.document.get_line(row - 3) == "  - id: new-mcq"
        assert ta.document.get_line(row - 4) == ""  # blank line between cards, like the others
        assert "✗" in status(editor)  # empty texts must be filled in before saving
        await pilot.press("W", "h", "y", "question_mark")
        assert ta.document.get_line(row) == '      en: "Why?"'
        await pilot.press("ctrl+s")
        assert b"new-mcq" not in path.read_bytes()

        ta.replace(ta.text.replace('""', '"x"'), (0, 0), ta.document.end)
        await pilot.press("ctrl+s")
        await settle(pilot)
        deck = next(d for d in app.library.decks if d.id == "optim")
        new = deck.card("new-mcq")
        assert new is not None and new.prompt.en == "Why?" and len(new.choices) == 4
        assert [c.id for c in deck.cards][-1] == "new-mcq"
        assert app.store is not None and app.store.card("optim/new-mcq") is not None


async def test_external_editor(tmp_path: Path, monkeypatch) -> None:
    """$EDITOR edits a copy; on return a valid result is saved, an invalid one is not."""
    only_user_decks(monkeypatch)
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[-1])\n"
        "old, new = pathlib.Path(sys.argv[1]).read_text().split('|')\n"
        "p.write_text(p.read_text().replace(old, new))\n"
    )
    change = tmp_path / "change.txt"
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script} {change}")
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    path = tmp_path / "content" / "optim.yaml"
    original = path.read_bytes()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "sgd-lr")
        change.write_text("answer: 0.2|answer: zero")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert path.read_bytes() == original
        assert "answer: zero" in editor.text_area.text
        assert "✗ 1 problem" in status(editor)
        assert "'answer' must be a number" in problems(editor)[0]

        change.write_text("answer: zero|answer: 0.25")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert path.read_bytes() == original.replace(b"answer: 0.2\n", b"answer: 0.25\n")
        card = next(d for d in app.library.decks if d.id == "optim").card("sgd-lr")
        assert card is not None and card.number == 0.25


async def test_unsaved_changes_and_changes_on_disk(tmp_path: Path, monkeypatch) -> None:
    only_user_decks(monkeypatch)
    app = make_app(tmp_path / "data", copy_decks(tmp_path))
    path = tmp_path / "content" / "optim.yaml"
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "adam-name")
        ta = editor.text_area
        ta.insert("# my note\n", (0, 0))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-cancel")
        await pilot.pause()
        assert app.screen is editor

        # another program changes the file meanwhile: saving asks first
        on_disk = path.read_bytes().replace(b"answers: [Adam]", b"answers: [Adam, adam]")
        path.write_bytes(on_disk)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-cancel")
        await pilot.pause()
        assert path.read_bytes() == on_disk
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.click("#choice-overwrite")
        await settle(pilot)
        assert path.read_bytes().startswith(b"# my note\ndeck: optim\n")
        assert b"answers: [Adam]\n" in path.read_bytes()

        ta.insert("# another\n", (0, 0))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#choice-discard")
        await pilot.pause()
        assert not isinstance(app.screen, EditorScreen)
        assert b"# another" not in path.read_bytes()


async def test_read_only_deck_is_saved_as_an_own_copy(tmp_path: Path, monkeypatch) -> None:
    """A deck that cannot be written (a built-in deck in a read-only install) is saved into the
    user's deck folder instead, where it overrides the original by its id."""
    only_user_decks(monkeypatch)
    from studytool.tui import editor as editor_module

    shipped = copy_decks(tmp_path)
    mine = tmp_path / "mine"
    real_write = editor_module.atomic_write

    def read_only(path: Path, data: bytes) -> None:
        if path.parent == shipped:
            raise PermissionError(13, "Permission denied")
        real_write(path, data)

    monkeypatch.setattr(editor_module, "atomic_write", read_only)
    settings = Settings(content_dirs=(mine,), data_dir=tmp_path / "data")
    app = StudyApp(settings, library=load_library([shipped], builtin=False), clock=lambda: NOW)
    original = (shipped / "optim.yaml").read_bytes()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "adam-name")
        editor.text_area.insert("# mine\n", (0, 0))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-copy")
        await settle(pilot)
        assert (shipped / "optim.yaml").read_bytes() == original
        assert (mine / "optim.yaml").read_bytes() == b"# mine\n" + original
        assert editor.path == mine / "optim.yaml"
        assert [d.path for d in app.library.decks] == [mine / "optim.yaml"]

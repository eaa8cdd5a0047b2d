"""The app opens on the deck list under run_test()."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.tui.app import StudyApp

DECK = """\
deck: mine
title: {en: My deck, ko: 내 덱}
cards:
  - id: one
    type: basic
    front: {en: Front, ko: 앞면}
    back: {en: Back, ko: 뒷면}
"""


async def test_app_lists_decks_with_counts(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(DECK, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("deck: broken\ntitle: T\ncards: 3\n", encoding="utf-8")
    settings = Settings.load(content=[tmp_path], data=tmp_path / "data")
    app = StudyApp(settings, library=load_library(settings.content_dirs, builtin=False))
    async with app.run_test() as pilot:
        table = app.query_one("#decks", DataTable)
        assert table.row_count == 2
        assert table.get_row("mine")[:3] == ["mine", "My deck", 1]
        assert "1 error(s)" in str(table.get_row("broken:broken")[1])
        await pilot.press("l")
        assert table.get_row("mine")[1] == "내 덱"

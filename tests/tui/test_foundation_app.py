"""The app opens on the deck list under run_test()."""

from __future__ import annotations

from pathlib import Path

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.tui.app import StudyApp
from studytool.tui.widgets.deck_list import DeckList

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
        for _ in range(2):
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one("#decks", DeckList)
        assert [r.key for r in table.rows] == ["__all__", "mine", "broken:broken"]
        mine = table.row("mine")
        assert "My deck" in mine.label.plain
        assert [c.plain for c in mine.counts] == ["1", "0", "0"]  # new, learning, due
        assert table.row("__all__").label.plain == "All decks"
        assert "1 error(s)" in table.row("broken:broken").label.plain
        await pilot.press("l")
        assert "내 덱" in table.row("mine").label.plain

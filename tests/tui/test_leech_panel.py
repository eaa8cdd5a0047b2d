"""A leech gets the intervention panel in the review after its 8th lapse; Browse finds it with
`is:leech`."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from kit import NOW, make_app, settle
from rich.console import Console
from textual.widgets import Input

from studytool.store.scheduler import Rating
from studytool.tui.browse import BrowseScreen
from studytool.tui.editor import EditorScreen
from studytool.tui.leech import LeechScreen
from studytool.tui.review import ReviewScreen
from studytool.tui.widgets.card_list import CardTable

KEY = "basics/sgd-update"


def plain(renderable: object) -> str:
    console = Console(width=100, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def test_a_leech_gets_the_intervention_panel_after_the_8th_lapse(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store = app.store
        assert store is not None
        # learnt long ago, then forgotten 7 times (relearnt each next day)
        t = NOW - timedelta(days=900)
        store.grade(KEY, Rating.Easy, t)
        for _ in range(7):
            t += timedelta(days=60)
            store.grade(KEY, Rating.Again, t)
            t += timedelta(days=1)
            store.grade(KEY, Rating.Good, t)
        record = store.card(KEY)
        assert record is not None and record.state.due is not None and record.state.due < NOW
        app.action_review("basics")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.card is not None and review.card.full_id == KEY  # due reviews first
        await pilot.press("space", "1")  # the 8th lapse
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, LeechScreen)
        assert panel.leech.lapses == 8 and panel.leech.suspended
        heading, body = plain(panel.heading()), plain(panel.body())
        assert "forgotten 8 times: suspended" in heading
        assert "The learning rate is the only hyperparameter" in body  # its explain
        assert "Move against the gradient" in body  # the answer
        assert panel.check_action("demo", ()) is True  # the card has a demo: d opens it
        record = store.card(KEY)
        assert record is not None and record.suspended
        # the review goes on without it
        await pilot.press("escape")
        await pilot.pause()
        assert review.card is not None and review.card.full_id != KEY
        assert isinstance(app.screen, ReviewScreen) and app.screen.card is review.card
        # undoing the lapse takes the leech back: the card is shown again, not suspended
        await pilot.press("u")
        await pilot.pause()
        assert review.card is not None and review.card.full_id == KEY
        record = store.card(KEY)
        assert record is not None and not record.suspended and store.lapses(KEY) == 7
        await pilot.press("space", "1")  # the 8th lapse again
        await pilot.pause()
        assert isinstance(app.screen, LeechScreen)
        await pilot.press("k")  # keep it in the reviews after all
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        record = store.card(KEY)
        assert record is not None and not record.suspended
        # Browse: is:leech lists it (a leech by its lapses, suspended or not)
        app.action_browse()
        await settle(pilot)
        browse = app.screen
        assert isinstance(browse, BrowseScreen)
        browse.query_one("#browse-search", Input).value = "is:leech"
        browse.apply_search()
        rows = browse.query_one(CardTable).rows
        assert [browse.index.cards[i].full_id for i in rows] == [KEY]


async def test_e_on_the_panel_opens_the_editor_at_the_card(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store = app.store
        assert store is not None
        store.settings = replace(store.settings, leech_threshold=1, leech_action="tag")
        store.grade(KEY, Rating.Easy, NOW - timedelta(days=300))
        app.action_review("basics")
        await pilot.pause()
        await pilot.press("space", "1")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, LeechScreen) and not panel.leech.suspended
        assert "tagged leech" in plain(panel.heading())
        assert panel.check_action("keep", ()) is False  # nothing to unsuspend
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        assert editor.card_id == "sgd-update" and editor.path.name == "basics.yaml"

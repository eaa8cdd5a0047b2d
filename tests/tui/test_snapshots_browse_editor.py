"""Snapshots of Browse and the Editor at 80x24 and 120x40 (fixed decks, clock and zone)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from browse_editor_kit import copy_decks, validated
from kit import NOW, make_app, settle
from textual.widgets import Input, TextArea

from studytool.store.scheduler import Rating


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch):
    """Due dates are shown in local time: make that UTC here."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def _history(pilot) -> None:
    """Some progress, so the status column shows every kind of state."""
    await settle(pilot)
    store = pilot.app.store
    store.grade("optim/sgd-lr", Rating.Good, NOW - timedelta(days=4))  # due again
    store.grade("attention/attn-what", Rating.Easy, NOW - timedelta(hours=1))  # days ahead
    store.grade("attention/attn-cloze", Rating.Again, NOW - timedelta(minutes=5))  # learning
    store.suspend(["optim/momentum-true"])


def _no_blink(pilot) -> None:
    for widget in pilot.app.screen.query("Input, TextArea"):
        assert isinstance(widget, Input | TextArea)
        widget.cursor_blink = False


async def _browse(pilot, *keys: str) -> None:
    await _history(pilot)
    await pilot.press("b")
    await settle(pilot)
    await pilot.press(*keys)
    _no_blink(pilot)
    await settle(pilot)


def test_browse_80x24(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await _browse(pilot, "enter", "down")  # into the list, on the formula card

    assert snap_compare(
        make_app(tmp_path / "data", copy_decks(tmp_path)),
        terminal_size=(80, 24),
        run_before=run_before,
    )


def test_browse_korean_120x40(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await _browse(pilot, "a", "t", "t", "n", "enter", "down", "down")

    app = make_app(tmp_path / "data", copy_decks(tmp_path), lang="ko")
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


async def _editor(pilot, card_id: str, typo: bool) -> None:
    await settle(pilot)
    app = pilot.app
    deck = next(d for d in app.library.decks if d.card(card_id) is not None)
    app.open_editor(deck.path, card_id)
    await settle(pilot)
    await validated(pilot, app.screen)
    if typo:
        ta = app.screen.query_one(TextArea)
        row = ta.cursor_location[0] + 1
        ta.move_cursor((row, len(ta.document.get_line(row))))
        await pilot.press("x")
    _no_blink(pilot)
    await validated(pilot, app.screen)


def test_editor_80x24(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await _editor(pilot, "attn-heads", typo=False)

    assert snap_compare(
        make_app(tmp_path / "data", copy_decks(tmp_path)),
        terminal_size=(80, 24),
        run_before=run_before,
    )


def test_editor_problem_120x40(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await _editor(pilot, "attn-softmax-axis", typo=True)

    assert snap_compare(
        make_app(tmp_path / "data", copy_decks(tmp_path)),
        terminal_size=(120, 40),
        run_before=run_before,
    )

"""Snapshots of Home, Review (question and answer sides, a Korean card, a formula card) and
Stats at 80x24 and 120x40, on the fixed test decks with a fixed clock.

Create or update them with `pytest tests/tui/test_snapshots_core.py --snapshot-update`, then
look at the SVGs in tests/tui/__snapshots__/.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from kit import make_app, settle
from textual.pilot import Pilot

from studytool.store.scheduler import Rating
from studytool.tui.app import StudyApp

SIZES = [(80, 24), (120, 40)]


def only(card_key: str) -> Callable[[Pilot], Awaitable[None]]:
    """Review with every other card suspended, so `card_key` is the one on screen."""

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, StudyApp) and app.store is not None
        others = [k for c in app.all_cards() for k in c.review_keys() if k != card_key]
        app.store.suspend(others)
        app.action_review("")
        await pilot.pause()

    return run_before


def answered(card_key: str, *keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run_before(pilot: Pilot) -> None:
        await only(card_key)(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, StudyApp) and app.store is not None
        for key in ("basics/sgd-update", "basics/relu", "quizzes/bagging"):
            app.store.grade(key, Rating.Good, app.clock())
        app.screen.refresh_counts()
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "data"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_review_question(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path / "data")
    assert snap_compare(app, terminal_size=size, run_before=only("basics/sgd-update"))


@pytest.mark.parametrize("size", SIZES)
def test_review_answer(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path / "data")
    assert snap_compare(app, terminal_size=size, run_before=answered("basics/sgd-update", "space"))


@pytest.mark.parametrize("size", SIZES)
def test_review_korean_card(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path / "data", lang="ko")
    # a wrong true/false answer: the result, the errata in Korean, Again proposed
    assert snap_compare(app, terminal_size=size, run_before=answered("quizzes/conv-flip", "t"))


@pytest.mark.parametrize("size", SIZES)
def test_review_formula_card(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path / "data")
    assert snap_compare(
        app, terminal_size=size, run_before=answered("basics/softmax-formula", "space")
    )


@pytest.mark.parametrize("size", SIZES)
def test_stats(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, StudyApp) and app.store is not None
        app.store.grade("basics/sgd-update", Rating.Good, app.clock())
        app.store.grade("quizzes/bagging", Rating.Again, app.clock())
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "data"), terminal_size=size, run_before=run_before)

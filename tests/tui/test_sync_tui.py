"""Sync from the TUI (issue 14): the palette runs `studytool sync` in a thread against a local
bare repository, the events of the other machine arrive, Home shows the last sync time; no
remote, an unreachable one and a cancelled sync each say so."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from kit import NOW, fixture_cards, make_app, settle, text_of, wait_for
from textual.command import CommandList

from studytool.config import Settings
from studytool.store import gitsync
from studytool.store.gitsync import SyncCancelled, sync
from studytool.store.repo import Store
from studytool.store.scheduler import Rating
from studytool.tui.app import StudyApp
from studytool.tui.home import HomeScreen

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git program")


def notes(app: StudyApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def grade_on(data: Path, keys: list[str]) -> None:
    with Store.open(Settings(data_dir=data), now=NOW) as store:
        store.sync(fixture_cards(), now=NOW)
        for key in keys:
            store.grade(key, Rating.Good, NOW)


def bare(tmp_path: Path) -> Path:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    return remote


async def test_the_palette_syncs_and_the_other_machines_events_arrive(tmp_path: Path) -> None:
    remote = bare(tmp_path)
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    grade_on(laptop, ["basics/relu", "basics/sgd-update"])
    grade_on(desktop, ["quizzes/bagging"])
    with Store.open(Settings(data_dir=laptop), now=NOW) as store:
        sync(store, str(remote))  # the laptop synced from its CLI
    app = make_app(desktop, sync_remote=str(remote))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert "Synced" not in text_of(home.today_text())  # never synced here
        await pilot.press("ctrl+p")
        await pilot.press(*"sync progress")
        hits = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: hits.highlighted is not None, 10, "the palette's hits")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.syncing, 60, "the sync")
        await settle(pilot)
        assert any("1 events sent, 2 received (2 cards updated)" in n for n in notes(app))
        assert app.store is not None
        reviewed = {k for k, (n, _) in app.store.answer_counts().items() if n}
        assert reviewed == {"basics/relu", "basics/sgd-update", "quizzes/bagging"}
        # Home counted again: the laptop's two cards are no longer new here
        assert "Synced <1m ago" in text_of(home.today_text(), width=160)
        assert home.data is not None and home.data.counts.total.new == 12 - 3
    # the desktop's grade reached the remote: the laptop gets it on its next sync
    with Store.open(Settings(data_dir=laptop), now=NOW) as store:
        assert sync(store, str(remote)).applied.new == 1


async def test_sync_without_a_remote_or_with_an_unreachable_one_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", lang="ko")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_sync()
        await pilot.pause()
        assert any("studytool sync REMOTE" in n and "원격" in n for n in notes(app))
        assert not app.syncing
    missing = (tmp_path / "nowhere" / "repo.git").as_uri()  # a URL: never created
    app = make_app(tmp_path / "data", sync_remote=missing)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_sync()
        await wait_for(pilot, lambda: not app.syncing, 60, "the sync")
        (failed,) = [n for n in notes(app) if n.startswith("Sync failed")]
        assert "cannot reach" in failed and "offline" in failed


def test_a_cancelled_sync_stops_and_the_next_completes_it(tmp_path: Path) -> None:
    remote = bare(tmp_path)
    grade_on(tmp_path / "a", ["basics/relu"])
    cancel = threading.Event()
    cancel.set()
    with Store.open(Settings(data_dir=tmp_path / "a"), now=NOW) as store:
        with pytest.raises(SyncCancelled):
            sync(store, str(remote), cancel)
        report = sync(store, str(remote))
    assert report.sent == 1
    grade_on(tmp_path / "b", [])
    with Store.open(Settings(data_dir=tmp_path / "b"), now=NOW) as store:
        assert sync(store, str(remote)).applied.new == 1


async def test_a_sync_stuck_on_a_slow_remote_is_cancelled_from_the_palette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git that never answers (a dead network): the UI stays live, and "Cancel sync" kills
    the git command and says so."""
    slow = tmp_path / "git"
    slow.write_text("#!/bin/sh\nexec sleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setattr(gitsync.shutil, "which", lambda _: str(slow))
    app = make_app(tmp_path / "data", sync_remote=str(tmp_path / "remote"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_sync()
        await pilot.pause(0.3)
        assert app.syncing
        await pilot.press("down")  # the app still answers keys while git hangs
        await pilot.press("ctrl+p")
        await pilot.press(*"cancel sync")
        hits = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: hits.highlighted is not None, 10, "the palette's hits")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.syncing, 20, "the cancelled sync")
        assert any("Sync cancelled" in n for n in notes(app))

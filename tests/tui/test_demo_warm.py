"""Warm start of demos: the app starts its demo worker after the first paint, a demo screen has
that worker import the demo's module while the user reads the form, and the next demo runs in
the same worker (the timings are benchmarks/bench_demo_start.py's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_kit import PACKAGE, WORKER_ENV, make_test_package, run_to_end
from kit import DECKS, NOW, wait_for
from textual.pilot import Pilot

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.demorun.runner import DemoRunner, WorkerPool
from studytool.tui.app import StudyApp
from studytool.tui.demo import DemoScreen

# a demo whose import leaves the importing process's id in a file
MARKED = """
import os
from pathlib import Path

from demos._base import Verdict
from studytool.demorun.params import DemoInfo, Param

Path(os.environ["PRELOAD_MARK"]).write_text(str(os.getpid()))

INFO = DemoInfo(
    name="marked", title_en="Marked", title_ko="표시", concept="warm start",
    claim="Its module was imported before its run.", params=(Param("seed", 0, "seed", min=0),),
)


def run(params, device, report):
    report.progress(1, 1)
    return Verdict(True, {}, "ran")
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    (tmp_path / "pkgs").mkdir()
    pkg = make_test_package(tmp_path / "pkgs")
    (pkg / "marked.py").write_text(MARKED)
    return pkg


def _app(tmp_path: Path, runner: DemoRunner | None, prewarm: bool) -> StudyApp:
    settings = Settings(content_dirs=(DECKS,), data_dir=tmp_path / "data")
    library = load_library(settings.content_dirs, builtin=False)
    return StudyApp(
        settings,
        library=library,
        clock=lambda: NOW,
        open_store=False,
        demo_runner=runner,
        prewarm_demos=prewarm,
    )


async def _open(pilot: Pilot, screen: DemoScreen) -> DemoScreen:
    pilot.app.push_screen(screen)
    await pilot.pause()
    return screen


async def test_the_app_prewarms_a_worker_after_first_paint_and_demos_reuse_it(
    tmp_path: Path, package: Path
) -> None:
    mark = tmp_path / "preloaded-by"
    env = {**WORKER_ENV, "PRELOAD_MARK": str(mark)}
    runner = DemoRunner(WorkerPool(extra_paths=[str(package.parent)], env=env), timeout=60)
    app = _app(tmp_path, runner, prewarm=True)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            assert runner.pool.idle_pids() == []  # nothing before the first paint
            await wait_for(pilot, runner.pool.idle_pids, 10, "the prewarmed worker")
            (warm,) = runner.pool.idle_pids()

            first = await _open(pilot, DemoScreen("marked", package_dir=package))
            # the screen had the idle worker import the demo before r
            await wait_for(pilot, mark.exists, 60, "the preloaded module")
            await wait_for(pilot, lambda: mark.read_text() == str(warm), 5, "the mark")
            await run_to_end(pilot, first)
            assert first.state is not None and first.state.verdict is not None
            assert first.state.pid == warm
            await pilot.press("escape")
            await pilot.pause()

            # a module that does not import: no answer, no stray event in the next run
            runner.preload("nope", module=f"{PACKAGE}.nope")
            second = await _open(pilot, DemoScreen("oracle", package_dir=package))
            await run_to_end(pilot, second)
            assert second.state is not None and second.state.verdict is not None
            assert second.state.error is None
            assert second.state.pid == warm  # the same process: no second torch import
            assert runner.pool.idle_pids() == [warm]  # kept warm after the run
    finally:
        runner.shutdown()


async def test_an_app_told_not_to_prewarm_starts_no_worker(tmp_path: Path) -> None:
    app = _app(tmp_path, None, prewarm=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.5)  # past the prewarm delay
        assert app._demo_runner is None

"""The demo screen: a real demo streamed from the worker, cancelling, a failing demo, parameter
checks, the demo list and the app's one runner (what the app process imports is checked by
test_startup.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from demo_kit import run_to_end, shown, skip_predictions
from kit import make_app, wait_for
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList, ProgressBar, Switch

from studytool.demorun import catalog
from studytool.tui.app import StudyApp
from studytool.tui.demo import DemoScreen
from studytool.tui.demo_list import DemoListScreen


async def _open(pilot, screen: DemoScreen) -> DemoScreen:
    pilot.app.push_screen(screen)
    await pilot.pause()
    return screen


async def _quick_on_cpu(pilot, screen: DemoScreen) -> None:
    screen.query_one("#quick", Switch).value = True
    screen.query_one("#device").value = "cpu"
    await pilot.pause()


async def test_a_quick_run_streams_into_the_screen(tmp_path: Path, runner) -> None:
    meta = catalog.get_demo("detection")
    app = make_app(tmp_path, open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open(pilot, DemoScreen("detection", "cv/nms", runner=runner))
        about = shown(screen, "#about")
        assert meta.title_en in about and "from card cv/nms" in about
        assert " ".join(meta.claim.split()[:8]) in " ".join(about.split())
        objects = screen.query_one("#param-objects", Input)
        assert objects.value == "6"
        await _quick_on_cpu(pilot, screen)
        assert objects.value == "4"  # the quick value replaces the default it showed
        await run_to_end(pilot, screen)

        state = screen.state
        assert state is not None and state.error is None, state.error
        assert state.device == "cpu" and state.pid != os.getpid()
        verdict = shown(screen, "#verdict")
        assert "claim HOLDS" in verdict and "on cpu" in verdict
        assert "kept_after_nms" in verdict and "objects_with_exactly" in verdict
        bar = screen.query_one("#progress", ProgressBar)
        assert bar.total == state.total > 0 and bar.progress == bar.total
        assert screen.query_one("#plot-box").display
        plot = screen.query_one("#plot").render().plain
        assert "kept_boxes" in plot and "IoU threshold" in plot
        assert "kept_boxes" in shown(screen, "#metrics")
        assert "before NMS" in shown(screen, "#images") and "▀" in shown(screen, "#images")
        assert "kept boxes" in shown(screen, "#tables")
        assert "device cpu" in shown(screen, "#status")

        # edit a parameter and run again: the new value reaches the demo, in the same warm worker
        objects.value = "3"
        await run_to_end(pilot, screen)
        assert screen.state.verdict is not None
        assert screen.state.verdict["numbers"]["objects"] == 3
        assert screen.state.pid == state.pid


async def test_escape_cancels_the_run_then_closes(tmp_path: Path, runner, package: Path) -> None:
    app = make_app(tmp_path, open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open(pilot, DemoScreen("sleepy", runner=runner, package_dir=package))
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.state is not None and screen.state.step >= 3)
        assert screen.running and "running" in shown(screen, "#status")
        proc = screen.demo_run.worker.proc
        assert proc.poll() is None

        t0 = time.monotonic()
        await pilot.press("escape")
        await wait_for(pilot, lambda: proc.poll() is not None, 3, "the worker to exit")
        assert time.monotonic() - t0 < 1.0
        await wait_for(pilot, lambda: screen.state.done)
        assert screen.state.cancelled and app.screen is screen
        assert "cancelled" in shown(screen, "#status")
        assert screen.query_one("#verdict").has_class("-cancelled")

        await pilot.press("escape")  # nothing runs now: Esc closes the screen
        await pilot.pause()
        assert not isinstance(app.screen, DemoScreen)


async def test_a_failing_demo_shows_its_error_and_the_screen_stays_usable(
    tmp_path: Path, runner, package: Path
) -> None:
    app = make_app(tmp_path, open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open(pilot, DemoScreen("boom", runner=runner, package_dir=package))
        await run_to_end(pilot, screen)
        assert app.is_running and app.screen is screen
        error = shown(screen, "#verdict")
        assert "ValueError: demo exploded" in error and "Traceback" in error
        assert screen.query_one("#verdict").has_class("-error")
        assert "failed" in shown(screen, "#status")

        explode = screen.query_one("#param-explode", Switch)
        explode.value = False
        await run_to_end(pilot, screen)
        assert "claim HOLDS" in shown(screen, "#verdict") and "defused" in shown(screen, "#verdict")
        assert screen.state.error is None


async def test_bad_parameters_are_refused_with_a_message(tmp_path: Path, runner) -> None:
    app = make_app(tmp_path, open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open(pilot, DemoScreen("detection", runner=runner))
        objects = screen.query_one("#param-objects", Input)
        objects.focus()
        await pilot.pause()
        assert "number of objects in the scene" in shown(screen, "#form-msg")  # its help
        objects.value = ""
        await pilot.press("a", "b", "c")
        assert objects.has_class("-invalid")
        assert "'abc' is not an integer" in shown(screen, "#form-msg")
        await pilot.press("enter")
        assert screen.demo_run is None and screen.state is None  # nothing started

        objects.value = "999"
        await pilot.pause()
        assert "above the maximum 20" in shown(screen, "#form-msg")
        await pilot.press("enter")
        assert screen.demo_run is None

        objects.value = "5"
        await pilot.pause()
        assert not objects.has_class("-invalid")
        assert "maximum" not in shown(screen, "#form-msg")


async def test_an_unknown_demo_says_so(tmp_path: Path, runner) -> None:
    app = make_app(tmp_path, open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _open(pilot, DemoScreen("resnett", runner=runner))
        assert "unknown demo 'resnett'; did you mean 'resnet'?" in shown(screen, "#about")
        await pilot.press("r")
        assert screen.state is None
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


async def test_demo_list_filters_and_opens(tmp_path: Path, runner) -> None:
    everything = catalog.list_demos()
    app = make_app(tmp_path, open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        listing = DemoListScreen(runner=runner)
        app.push_screen(listing)
        await pilot.pause()
        options = listing.query_one("#demo-list", OptionList)
        assert options.option_count == len(everything) >= 20

        await pilot.press(*"nms")
        assert [m.name for m in listing.shown] == ["detection"]
        assert options.option_count == 1
        await pilot.press(*"zzz")
        assert options.option_count == 0
        assert "no demo matches" in listing.query_one("#demo-list-box").border_subtitle
        listing.query_one("#demo-filter", Input).value = "convolution"
        await pilot.pause()
        names = [m.name for m in listing.shown]
        assert "conv_kernels" in names and "detection" not in names

        await pilot.press("down", "enter")  # the second match
        await pilot.pause()
        assert isinstance(app.screen, DemoScreen) and app.screen.demo_name == names[1]


async def test_the_app_opens_a_demo_in_its_language(tmp_path: Path, runner, monkeypatch) -> None:
    monkeypatch.setattr(StudyApp, "demo_runner", property(lambda _app: runner))
    meta = catalog.get_demo("resnet")
    app = make_app(tmp_path, open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        app.action_demo("resnet")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DemoScreen) and screen.runner is runner
        assert meta.title_en in shown(screen, "#about")
        await pilot.press("l")
        assert meta.title_ko in shown(screen, "#about")


async def test_the_app_owns_the_demo_runner_and_stops_its_worker_on_exit(tmp_path: Path) -> None:
    app = make_app(tmp_path, open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        runner = app.demo_runner
        assert app.demo_runner is runner  # one per app, made on first use
        app.action_demos()
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, DemoListScreen) and listing.runner is runner
        listing.open("resnet")
        await pilot.pause()
        assert isinstance(app.screen, DemoScreen) and app.screen.runner is runner
        runner.prewarm()
        (pid,) = runner.pool.idle_pids()
    assert runner.pool.idle_pids() == []
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped


async def test_the_plot_survives_redraws_and_skips_a_frame_plotext_cannot_draw(caplog) -> None:
    from studytool.demorun.reducer import MetricSeries, chart_groups
    from studytool.tui.widgets.demo_plot import MetricPlot

    metrics = MetricSeries()
    for step, loss in enumerate([100.0, 3.0, 0.01]):  # spans 10^4: a log axis
        metrics.add({"step": step, "values": {"loss": loss, "acc": None}})
    groups = chart_groups(metrics, {})

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield MetricPlot(id="plot")

    app = Host()
    async with app.run_test(size=(60, 16)) as pilot:
        plot = app.query_one(MetricPlot)
        plot.show(groups)
        await pilot.pause()
        first = plot.render().plain
        await pilot.resize_terminal(80, 20)  # plotext alone would take log10 twice here
        await pilot.pause()
        assert "loss" in first and "loss" in plot.render().plain
        assert plot.failed_frames == 0

        def broken() -> None:
            raise IndexError("list index out of range")  # as plotext's legend does

        plot.plt.build = broken  # type: ignore[method-assign]
        last_good = plot.render()
        assert plot.failed_frames == 1 and "loss" in last_good.plain
        assert "skipped a frame" in caplog.text and app.is_running


@pytest.mark.slow  # four demos run to the end, a minute or more
async def test_pressing_r_again_and_again_during_runs_never_crashes(tmp_path: Path, runner) -> None:
    """r while a run streams stops it and starts a new one; bursts of r, a cancel and resizes in
    the first second of a run (when plotext used to crash) leave the app running and the screen
    showing the last run only."""
    app = make_app(tmp_path, open_store=False)
    async with app.run_test(size=(100, 32)) as pilot:
        for name in ("param_count", "resnet", "attention", "optimizers"):
            screen = await _open(pilot, DemoScreen(name, runner=runner))
            await _quick_on_cpu(pilot, screen)
            await pilot.press("r")
            await skip_predictions(pilot)  # asked once: r with the same values does not ask again
            await wait_for(pilot, lambda s=screen: s.state is not None and bool(s.state.metrics))
            for size in ((72, 24), (120, 40)):
                await pilot.press("r")
                await pilot.pause(0.2)
                await pilot.resize_terminal(*size)
                await pilot.press("r", "r")
            await pilot.press("r")
            screen.action_cancel()  # Esc, unless the run has already ended (Esc would close)
            await pilot.press("r")
            last_run = screen.run_id
            await wait_for(pilot, lambda s=screen: s.state is not None and s.state.done, 90)
            await pilot.pause(0.3)
            assert app.is_running and app.screen is screen
            assert screen.run_id == last_run and screen.state.error is None
            assert screen.state.verdict is not None and "finished" in shown(screen, "#status")
            await pilot.resize_terminal(90, 30)  # a resize after the run (optimizers crashed)
            await pilot.pause()
            assert screen.query_one("#plot").render()
            await pilot.press("escape")
            await pilot.pause()
            assert app.is_running and app.screen is not screen

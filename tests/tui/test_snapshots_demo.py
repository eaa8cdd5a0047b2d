"""A snapshot of the demo screen after a finished quick run (100x32)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_kit import make_runner, run_to_end
from kit import make_app, wait_for
from textual.widgets import Input, Switch

from studytool.demorun.runner import DemoRun, DemoRunner
from studytool.tui.demo import DemoScreen


class FixedSeconds:
    """A run whose verdict reports 0.5 s: the only number that depends on the machine."""

    def __init__(self, run: DemoRun) -> None:
        self.inner = run

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for event in self.inner:
            yield {**event, "seconds": 0.5} if event["type"] == "verdict" else event

    def cancel(self) -> None:
        self.inner.cancel()


class FixedSecondsRunner(DemoRunner):
    def run(self, *args: Any, **kwargs: Any) -> DemoRun:
        return FixedSeconds(super().run(*args, **kwargs))  # type: ignore[return-value]


@pytest.fixture
def runner():
    base = make_runner()
    r = FixedSecondsRunner(base.pool, timeout=60)
    yield r
    r.shutdown()


def test_demo_screen_after_a_quick_run_100x32(snap_compare, tmp_path: Path, runner) -> None:
    async def run_before(pilot) -> None:
        screen = DemoScreen("detection", "cv/nms", runner=runner)
        pilot.app.push_screen(screen)
        await pilot.pause()
        for field in screen.query(Input):
            field.cursor_blink = False
        screen.query_one("#quick", Switch).value = True
        screen.query_one("#device").value = "cpu"
        await pilot.pause()
        await run_to_end(pilot, screen, timeout=60)
        assert screen.state is not None and screen.state.verdict is not None, screen.state
        # the plot's delayed redraw, when one was still pending
        await wait_for(pilot, lambda: not screen._plot_pending, 5, "the plot")
        await pilot.pause()

    app = make_app(tmp_path, open_store=False)
    assert snap_compare(app, terminal_size=(100, 32), run_before=run_before)

"""Helpers for the demo screen tests: a worker pool that also sees a package of test-only demos
(one that raises, one that runs until it is cancelled), and ways to wait for a run and read what
a widget shows (the waits and text_of are the shared ones of kit.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from kit import text_of, wait_for
from textual.pilot import Pilot
from textual.widgets import Static

from studytool.demorun.runner import DemoRunner, WorkerPool
from studytool.tui.demo import DemoScreen

# no warm-up step and one thread: the worker starts sooner and runs are reproducible
WORKER_ENV = {"STUDYTOOL_DEMO_WARMUP": "0", "STUDYTOOL_DEMO_THREADS": "1"}
PACKAGE = "tui_testdemos"
TEST_DEMOS = {
    "boom": """
        INFO = DemoInfo(
            name="boom", title_en="Boom", title_ko="폭발", concept="failure",
            claim="A demo that raises shows the error and leaves the screen usable.",
            params=(Param("seed", 0, "seed", min=0), Param("explode", True, "raise an error")),
        )

        def run(params, device, report):
            report.log("about to decide")
            if params["explode"]:
                raise ValueError("demo exploded")
            return Verdict(True, {"answer": 42.0}, "defused")
    """,
    "sleepy": """
        import time

        INFO = DemoInfo(
            name="sleepy", title_en="Sleepy", title_ko="졸림", concept="cancelling",
            claim="Esc stops a long run at once.",
            params=(Param("seed", 0, "seed", min=0),),
        )

        def run(params, device, report):
            for i in range(100_000):
                report.progress(i, 100_000)
                time.sleep(0.01)
            return Verdict(True, {}, "woke up")
    """,
}


def make_test_package(root: Path) -> Path:
    """Write the test demos as the package `tui_testdemos` under `root`; return its folder."""
    pkg = root / PACKAGE
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name, body in TEST_DEMOS.items():
        source = (
            "from demos._base import Verdict\n"
            "from studytool.demorun.params import DemoInfo, Param\n" + textwrap.dedent(body)
        )
        (pkg / f"{name}.py").write_text(source)
    return pkg


def make_runner(package_root: Path | None = None) -> DemoRunner:
    paths = [str(package_root)] if package_root is not None else []
    return DemoRunner(WorkerPool(extra_paths=paths, env=WORKER_ENV), timeout=60)


async def run_to_end(pilot: Pilot, screen: DemoScreen, timeout: float = 45.0) -> None:
    """Press r and wait until the run's last event has been drawn."""
    await pilot.press("r")
    await wait_for(pilot, lambda: screen.state is not None and screen.state.done, timeout)
    await pilot.pause()


def shown(screen: DemoScreen, selector: str) -> str:
    """The text a Static of the screen shows."""
    return text_of(screen.query_one(selector, Static).content)  # type: ignore[arg-type]

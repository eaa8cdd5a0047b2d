"""Helpers for the demo screen tests: a worker pool that also sees a package of test-only demos
(one that raises, one that runs until it is cancelled, one that asks predictions), and ways to
wait for a run and read what a widget shows (the waits and text_of are the shared ones of
kit.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from kit import text_of, wait_for
from textual.pilot import Pilot
from textual.widgets import Static

from studytool.demorun.runner import DemoRunner, WorkerPool
from studytool.tui.demo import DemoScreen
from studytool.tui.demo_predict import PredictScreen

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
    "oracle": """
        INFO = DemoInfo(
            name="oracle", title_en="Oracle", title_ko="신탁", concept="predicting",
            claim="The run reports the number of heads it was given.",
            params=(
                Param("seed", 0, "seed", min=0),
                Param("heads", 3, "heads out of 8 tosses", min=0, max=8),
                Param("explode", False, "raise an error instead of answering"),
            ),
            cards=("basics/sgd-update", "basics/relu"),
            predictions=(
                Prediction(
                    "side", "Which side comes up more often?", "어느 면이 더 자주 나올까?",
                    options_en=("heads", "tails"), options_ko=("앞면", "뒷면"),
                    card="basics/relu",
                ),
                Prediction(
                    "heads", "How many heads?", "앞면은 몇 번?", tolerance=1.0, unit="heads"
                ),
            ),
        )

        def run(params, device, report):
            if params["explode"]:
                raise ValueError("no answer today")
            heads = params["heads"]
            answers = {"side": 0 if heads > 4 else 1, "heads": float(heads)}
            return Verdict(True, {"heads": float(heads)}, f"{heads} heads", answers=answers)
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
            "from studytool.demorun.params import DemoInfo, Param, Prediction\n"
            + textwrap.dedent(body)
        )
        (pkg / f"{name}.py").write_text(source)
    return pkg


def make_runner(package_root: Path | None = None) -> DemoRunner:
    paths = [str(package_root)] if package_root is not None else []
    return DemoRunner(WorkerPool(extra_paths=paths, env=WORKER_ENV), timeout=60)


async def skip_predictions(pilot: Pilot) -> None:
    """Esc on the questions a demo asks before a run, if it asks any."""
    await pilot.pause()
    if isinstance(pilot.app.screen, PredictScreen):
        await pilot.press("escape")
        await pilot.pause()


async def run_to_end(pilot: Pilot, screen: DemoScreen, timeout: float = 45.0) -> None:
    """Press r (skipping the demo's questions) and wait until the run's last event has been
    drawn."""
    await pilot.press("r")
    await skip_predictions(pilot)
    await wait_for(pilot, lambda: screen.state is not None and screen.state.done, timeout)
    await pilot.pause()


def shown(screen: DemoScreen, selector: str) -> str:
    """The text a Static of the screen shows."""
    return text_of(screen.query_one(selector, Static).content)  # type: ignore[arg-type]

"""Demo start in the TUI, cold and warm, against stated budgets (issue 13 item 6).

Each run is a fresh app process (the real StudyApp, headless through Pilot, 120x40, its store in
a temporary data folder). After the app's first paint the script waits `--home` seconds (the
user on Home), opens the first demo's screen, waits `--read` seconds (the user reads the
form), presses r and then Esc on the prediction questions (a demo without questions starts on
r). The clock starts at the key that starts the run (that Esc, or r) and stops when the demo
screen's state first holds something it draws: a progress step, a metric, an image, a table or
the verdict (the screen redraws in the same message handler; the next refresh paints it).
Then the run finishes, Esc closes the screen and the second demo is timed the same way in the
same app: the warm case.

Cold includes whatever is left of the worker's torch import when the key comes: the app
starts the worker 0.3 s after its first paint (StudyApp.DEMO_PREWARM_DELAY), and with
`--home 0 --read 0` the key comes as early as it can (the worst case; torch's import is then
all in it). Budgets: cold <= 2.0 s, warm <= 0.3 s (medians). Exits 1 when over one.

`--no-prewarm` is the baseline: the app starts no worker after its first paint (the demo
screen starts one when it opens).

Run: python benchmarks/bench_demo_start.py [--runs N] [--demos first,second] [--home S] [--read S]
     [--no-prewarm]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLD_BUDGET, WARM_BUDGET = 2.0, 0.3

SCRIPT = r"""
import asyncio, json, sys, time

from studytool.config import Settings
from studytool.tui.app import StudyApp
from studytool.tui.demo import DemoScreen
from studytool.tui.demo_predict import PredictScreen

demos, home, read = sys.argv[1].split(","), float(sys.argv[2]), float(sys.argv[3])
prewarm = sys.argv[4] == "1"


def shows(state) -> bool:
    return state is not None and bool(
        state.total or state.metrics or state.images or state.tables or state.verdict
        or state.error
    )


async def time_demo(pilot, name: str) -> dict:
    screen = DemoScreen(name)
    pilot.app.push_screen(screen)
    await pilot.pause()
    await asyncio.sleep(read)
    pool = pilot.app.demo_runner.pool
    ready = any(w.ready.is_set() for w in pool._idle)
    if screen.meta.predictions:
        await pilot.press("r")
        while not isinstance(pilot.app.screen, PredictScreen):
            await asyncio.sleep(0.005)
        start = time.perf_counter()
        await pilot.press("escape")  # skip the questions: the run starts
    else:
        start = time.perf_counter()
        await pilot.press("r")
    while not shows(screen.state):
        await asyncio.sleep(0.005)
    seconds = time.perf_counter() - start
    while not screen.state.done:
        await asyncio.sleep(0.02)
    ok = screen.state.error is None
    spawn = next((w.ready_after for w in list(pool._all) if w.pid == screen.state.pid), None)
    await pilot.press("escape")
    await pilot.pause()
    return {"demo": name, "seconds": seconds, "worker_ready_at_key": ready, "ok": ok,
            "worker_ready_s": spawn}


async def main() -> None:
    app = StudyApp(Settings.load(), prewarm_demos=prewarm)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await asyncio.sleep(home)
        out = [await time_demo(pilot, name) for name in demos]
    print(json.dumps(out))


asyncio.run(main())
"""


def one_run(demos: str, home: float, read: float, prewarm: bool) -> list[dict]:
    data = tempfile.mkdtemp(prefix="studytool-bench-demo-")
    env = dict(
        os.environ,
        STUDYTOOL_DATA=data,
        STUDYTOOL_CONFIG=f"{data}/none.toml",
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, demos, str(home), str(read), str(int(prewarm))],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        sys.exit(f"bench run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="fresh app processes")
    parser.add_argument("--demos", default="optimizers,resnet", help="first,second demo")
    parser.add_argument("--home", type=float, default=1.0, help="seconds on Home first")
    parser.add_argument("--read", type=float, default=1.0, help="seconds on a demo's form")
    parser.add_argument(
        "--no-prewarm",
        action="store_true",
        help="the baseline: no worker after the first paint (the demo screen starts it)",
    )
    args = parser.parse_args()
    cold: list[float] = []
    warm: list[float] = []
    for i in range(args.runs):
        first, second = one_run(args.demos, args.home, args.read, not args.no_prewarm)
        for r in (first, second):
            if not r["ok"]:
                sys.exit(f"demo {r['demo']} failed in run {i}")
        cold.append(first["seconds"])
        warm.append(second["seconds"])
        print(
            f"run {i}: cold {first['seconds'] * 1000:6.0f} ms (worker ready at the key: "
            f"{first['worker_ready_at_key']}; torch imported {first['worker_ready_s']:.2f} s "
            f"after the worker started), warm {second['seconds'] * 1000:6.0f} ms"
        )
    c, w = statistics.median(cold), statistics.median(warm)
    first_name, second_name = args.demos.split(",")
    what = "no prewarm after the first paint" if args.no_prewarm else "prewarm after first paint"
    print(f"home {args.home:g} s, form {args.read:g} s, {what}, {os.cpu_count()} CPUs", end="")
    print(f", {args.runs} runs")
    print(f"cold  {first_name:<14} median {c * 1000:6.0f} ms   budget {COLD_BUDGET * 1000:.0f} ms")
    print(f"warm  {second_name:<14} median {w * 1000:6.0f} ms   budget {WARM_BUDGET * 1000:.0f} ms")
    over = c > COLD_BUDGET or w > WARM_BUDGET
    print("budgets: " + ("OVER" if over else "within"))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

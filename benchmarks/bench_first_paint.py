"""TUI first paint in a real terminal (tmux) against a minimal Textual app, as one ratio.

Each app starts in a tmux pane (COLS x ROWS); the clock runs from respawning the pane to the
first capture of the pane that shows MARKER: Home's first deck row for studytool (all built-in
decks), a Static with the same text for the floor app (Header, Static, Footer). Runs alternate
between the two apps so both see the same machine load; the ratio is of the medians. Both
include the same tmux overhead (respawn, a capture-pane every few milliseconds).

Budget (issue 11): studytool's first paint <= 1.25x the floor's. Exits 1 when over it.

Run: python benchmarks/bench_first_paint.py [--runs N]   (needs tmux)
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLS, ROWS = 100, 32
BUDGET = 1.25
SOCKET = "studytool-bench"  # a tmux server of its own, so a user's sessions are untouched
PANE = "bench"
MARKER = "All decks"

STUDYTOOL = """
from studytool.config import Settings
from studytool.tui.app import run_app
run_app(Settings.load())
"""
MINIMAL = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("All decks")
        yield Footer()
Minimal().run()
"""


def tmux(*args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["tmux", "-L", SOCKET, "-f", os.devnull, *args], check=check, capture_output=True, text=True
    )
    return done.stdout


def pane_dead() -> bool:
    return tmux("display-message", "-p", "-t", PANE, "#{pane_dead}").strip() == "1"


def first_paint(code: str, env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from starting `code` in the pane to MARKER on the pane; then quit it."""
    command = shlex.join(["env", *(f"{k}={v}" for k, v in env.items()), sys.executable, "-c", code])
    start = time.perf_counter()
    tmux("respawn-pane", "-k", "-t", PANE, command)
    while MARKER not in tmux("capture-pane", "-p", "-t", PANE):
        if time.perf_counter() - start > timeout:
            raise RuntimeError(f"no first paint within {timeout}s")
    seen = time.perf_counter() - start
    tmux("send-keys", "-t", PANE, "C-q")
    deadline = time.perf_counter() + timeout
    while not pane_dead():  # the next run starts on a clean pane
        if time.perf_counter() > deadline:
            raise RuntimeError("the app did not quit on ctrl+q")
        time.sleep(0.01)
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="runs of each app")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("bench_first_paint needs tmux (apt-get install tmux)")
    data = tempfile.mkdtemp(prefix="studytool-bench-")
    # An installed package has its bytecode cached; PYTHONDONTWRITEBYTECODE would make every
    # run of ours compile our modules while textual's come precompiled from pip.
    env = {
        "STUDYTOOL_DATA": data,
        "STUDYTOOL_CONFIG": f"{data}/none.toml",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "",
    }
    tmux("new-session", "-d", "-s", PANE, "-x", str(COLS), "-y", str(ROWS), "cat")
    try:
        tmux("set-option", "-t", PANE, "remain-on-exit", "on")
        first_paint(STUDYTOOL, env)  # warm the file, bytecode and deck caches; open the store
        first_paint(MINIMAL, env)
        ours: list[float] = []
        floor: list[float] = []
        for _ in range(args.runs):
            ours.append(first_paint(STUDYTOOL, env))
            floor.append(first_paint(MINIMAL, env))
    finally:
        tmux("kill-server", check=False)
    a, b = statistics.median(ours), statistics.median(floor)
    ratio = a / b
    what = f"first paint, tmux {COLS}x{ROWS}"
    print(f"{what:<30}{'studytool':>10}{'floor':>10}{'ratio':>8}")
    print(f"{'median of ' + str(args.runs):<30}{a * 1000:>8.0f}ms{b * 1000:>8.0f}ms{ratio:>8.2f}")
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"budget {BUDGET:.2f}x: {verdict}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())

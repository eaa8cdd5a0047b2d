"""Cold-start timings as ratios against their floors, measured in one run.

- `studytool decks --json` against a bare `python -c pass`;
- the TUI's first frame (headless, all built-in decks) against a minimal Textual app that exits
  on its first frame.

Run: python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

FIRST_FRAME = """
import sys
{setup}
async def first_frame(pilot):
    await pilot.pause()
    pilot.app.exit()
app.run(headless=True, auto_pilot=first_frame)
assert "torch" not in sys.modules
"""
MINIMAL = FIRST_FRAME.format(
    setup="from textual.app import App\nclass Minimal(App):\n    pass\napp = Minimal()"
)
STUDYTOOL = FIRST_FRAME.format(
    setup="from studytool.config import Settings\nfrom studytool.tui.app import StudyApp\n"
    "app = StudyApp(Settings.load())"
)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def median_of(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    timed(cmd, env)  # warm the file and bytecode caches; cold = a fresh interpreter
    return statistics.median(timed(cmd, env) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    import os

    data = tempfile.mkdtemp(prefix="studytool-bench-")
    env = dict(os.environ, STUDYTOOL_DATA=data, STUDYTOOL_CONFIG=f"{data}/none.toml")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # installed packages have their bytecode cached
    py = sys.executable
    pairs = [
        ("studytool decks --json", [py, "-m", "studytool", "decks", "--json"], [py, "-c", "pass"]),
        ("TUI first frame", [py, "-c", STUDYTOOL], [py, "-c", MINIMAL]),
    ]
    print(f"{'what':<24}{'studytool':>12}{'floor':>10}{'ratio':>8}")
    for name, cmd, floor in pairs:
        ours, base = median_of(cmd, args.runs, env), median_of(floor, args.runs, env)
        print(f"{name:<24}{ours * 1000:>10.0f}ms{base * 1000:>8.0f}ms{ours / base:>8.2f}")


if __name__ == "__main__":
    main()

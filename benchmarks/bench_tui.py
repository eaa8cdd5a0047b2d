"""TUI timings, each against its floor in the same run.

1. First frame. The app runs in a real pseudo-terminal (80x24) and the clock stops when its
   Home screen (the deck tree, all built-in decks) has been written to the terminal; the floor
   is a minimal Textual app showing one label, timed the same way. Both then quit with ctrl+q
   and report whether torch was imported (it must not be).
2. Review keypress-to-render, in Pilot: the time from a key event (Space to show the answer,
   3 to grade) to the first frame painted after the review screen has redrawn the card, over
   the built-in decks' new cards. Every grade is committed to SQLite before the next card is
   drawn, so that is included. (Pilot paints once more when a key press ends, whatever the
   key did; that frame is not the key's.)

Run: python benchmarks/bench_tui.py [--runs N] [--cards N]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLS, ROWS = 80, 24

STUDYTOOL = """
import sys
from studytool.config import Settings
from studytool.tui.app import StudyApp
StudyApp(Settings.load()).run()
print("torch imported" if "torch" in sys.modules else "torch-free")
"""
MINIMAL = """
import sys
from textual.app import App
from textual.widgets import Label
class Minimal(App):
    def compose(self):
        yield Label("All decks")
Minimal().run()
print("torch imported" if "torch" in sys.modules else "torch-free")
"""
MARKER = b"All decks"  # Home's first row; the floor app shows the same text


def first_frame(code: str, env: dict[str, str], timeout: float = 30.0) -> tuple[float, bool]:
    """Seconds from spawn to MARKER on the terminal, and whether the process stayed torch-free."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal of COLS x ROWS
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.execve(sys.executable, [sys.executable, "-c", code], env)
    out = b""
    seen: float | None = None
    deadline = start + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        if seen is None and MARKER in out:
            seen = time.perf_counter()
            os.write(fd, b"\x11")  # ctrl+q
    if seen is None:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    if seen is None:
        raise RuntimeError(f"no first frame within {timeout}s:\n{out[-2000:]!r}")
    return seen - start, b"torch-free" in out


def bench_first_frame(runs: int) -> None:
    data = tempfile.mkdtemp(prefix="studytool-bench-")
    env = dict(
        os.environ,
        STUDYTOOL_DATA=data,
        STUDYTOOL_CONFIG=f"{data}/none.toml",
        TERM="xterm-256color",
        PYTHONPATH=str(ROOT),
    )
    # An installed package has its bytecode cached; without this, every run of ours would
    # compile our modules from source while textual's come precompiled from pip.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    first_frame(STUDYTOOL, env)  # warm the file, bytecode and deck caches
    first_frame(MINIMAL, env)
    ours: list[float] = []
    floor: list[float] = []
    clean = True
    for _ in range(runs):  # interleaved, so both see the same machine load
        t, ok = first_frame(STUDYTOOL, env)
        ours.append(t)
        clean &= ok
        floor.append(first_frame(MINIMAL, env)[0])
    a, b = statistics.median(ours), statistics.median(floor)
    print(f"{'first frame (pty, 80x24)':<34}{a * 1000:>8.0f}ms{b * 1000:>8.0f}ms{a / b:>8.2f}")
    print(f"{'torch imported by the TUI':<34}{'no' if clean else 'YES':>8}")


async def keypress_to_render(cards: int) -> list[tuple[str, float]]:
    sys.path.insert(0, str(ROOT))
    from rich.console import RenderableType
    from textual.screen import Screen

    from studytool.config import Settings
    from studytool.content.library import load_library
    from studytool.study.cardtypes import Interaction
    from studytool.tui.app import StudyApp
    from studytool.tui.review import ReviewScreen

    class TimedApp(StudyApp):
        paints: list[float] = []

        def _display(self, screen: Screen, renderable: RenderableType | None) -> None:
            if renderable is not None:
                self.paints.append(time.perf_counter())
            super()._display(screen, renderable)

    redraws: list[float] = []
    redraw = ReviewScreen.redraw

    def timed_redraw(self: ReviewScreen) -> None:
        redraw(self)
        redraws.append(time.perf_counter())

    ReviewScreen.redraw = timed_redraw  # type: ignore[method-assign]

    data = Path(tempfile.mkdtemp(prefix="studytool-bench-"))
    settings = Settings(data_dir=data, new_per_day=1000, new_per_deck=1000)
    app = TimedApp(settings, library=load_library(()))
    samples: list[tuple[str, float]] = []
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        app.action_review("")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)

        async def timed(key: str, what: str) -> None:
            app.paints.clear()
            redraws.clear()
            start = time.perf_counter()
            await pilot.press(key)
            if redraws:
                painted = [t for t in app.paints if t > redraws[-1]]
                if painted:
                    samples.append((what, painted[0] - start))

        for _ in range(cards):
            state = screen.display_state
            if state is None or app.screen is not screen:
                break
            typing = state.attempt.interaction is Interaction.INPUT
            await timed("enter" if typing else "space", "show answer")
            await timed("3", "grade + next card")
    return samples


def bench_keypress(cards: int) -> None:
    samples = asyncio.run(keypress_to_render(cards))
    for what in ("show answer", "grade + next card"):
        times = [t for w, t in samples if w == what]
        print(
            f"{'review ' + what:<34}{statistics.median(times) * 1000:>8.1f}ms median"
            f"  (p90 {statistics.quantiles(times, n=10)[-1] * 1000:.1f}ms, n={len(times)})"
        )
    everything = [t for _, t in samples]
    print(f"{'review keypress-to-render':<34}{statistics.median(everything) * 1000:>8.1f}ms median")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="first-frame runs of each app")
    parser.add_argument("--cards", type=int, default=40, help="cards to review in Pilot")
    args = parser.parse_args()
    print(f"{'what':<34}{'studytool':>10}{'floor':>10}{'ratio':>8}")
    bench_first_frame(args.runs)
    bench_keypress(args.cards)


if __name__ == "__main__":
    main()

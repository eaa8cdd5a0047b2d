"""The start-up import budget, in one fresh interpreter: the commands and the TUI's first frame
load neither torch nor the demos, and opening a demo screen loads its plot library and still no
torch (the import-linter contracts in pyproject.toml forbid the imports; this checks what
actually loads, lazy imports and third-party imports included)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTE = "Momentum: keeps a running average of gradients\n2012 - AlexNet\n2017 - Transformer\n"
# loaded only by a demo worker, the optimizer or a demo screen
HEAVY = ("torch", "sklearn", "demos", "numpy", "fsrs.optimizer", "textual_plotext")

SCRIPT = """
import asyncio, json, sys
from pathlib import Path

from studytool.__main__ import main

tmp = Path(sys.argv[1])
HEAVY = {heavy!r}
loaded = {{}}


def heavy() -> list[str]:
    return sorted(m for m in HEAVY if m in sys.modules)


for phase, args in [
    ("decks", ["decks", "--json"]),
    ("import note", ["import", str(tmp / "week1.md"), "--deck", "w", "--out", str(tmp / "w.yaml")]),
    ("export", ["export", "anki", "--all", str(tmp / "all.apkg")]),
    ("demo list", ["demo", "list", "--json"]),
]:
    sys.argv = ["studytool", *args]
    try:
        main()
    except SystemExit as e:
        assert not e.code, (phase, e.code)
    loaded[phase] = heavy()
    if phase == "decks":  # listing decks needs neither the scheduler nor the UI
        loaded["decks: fsrs or textual"] = sorted({{"fsrs", "textual"}} & set(sys.modules))
loaded["cli: textual"] = "textual" in sys.modules

from studytool.config import Settings
from studytool.tui.app import StudyApp


async def first_frame() -> None:
    app = StudyApp(Settings.load())
    async with app.run_test() as pilot:
        await pilot.pause()
        loaded["tui first frame"] = heavy()
        from studytool.demorun.runner import DemoRunner, WorkerPool
        from studytool.tui.demo import DemoScreen

        # a stand-in worker: this checks the app process, not the child
        pool = WorkerPool(command=[sys.executable, "-c", "import sys; sys.stdin.read()"])
        app.push_screen(DemoScreen("resnet", runner=DemoRunner(pool)))
        await pilot.pause()
        loaded["demo screen"] = heavy()
        pool.shutdown()


asyncio.run(first_frame())
(tmp / "loaded.json").write_text(json.dumps(loaded))
"""


def test_commands_and_the_tui_first_frame_load_no_torch_and_no_demos(tmp_path: Path) -> None:
    (tmp_path / "week1.md").write_text(NOTE, encoding="utf-8")
    script = textwrap.dedent(SCRIPT).format(heavy=HEAVY)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads((tmp_path / "loaded.json").read_text())
    print(loaded)
    assert loaded == {
        "decks": [],
        "decks: fsrs or textual": [],
        "import note": [],
        "export": [],
        "demo list": [],
        "cli: textual": False,
        "tui first frame": [],
        "demo screen": ["textual_plotext"],  # the plot, and still no torch
    }

"""A non-editable install carries the decks and demos inside the studytool namespace."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_decks_and_demos(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("studytool-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    decks = {p.name for p in (ROOT / "content").glob("*.yaml")}
    demos = {p.name for p in (ROOT / "demos").glob("*.py")}
    assert decks and demos
    assert {f"studytool/decks/{d}" for d in decks} <= names
    assert {f"studytool/demos/{d}" for d in demos} <= names
    assert "studytool/content/deck.schema.json" in names
    assert "studytool/tui/app.tcss" in names
    # Never a top-level `demos` or `content` package in site-packages.
    assert not any(n.startswith(("demos/", "content/")) for n in names)
    assert not any(n.startswith("tests/") for n in names)
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
         str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    # the shipped demos import their parameter model from studytool, torch-free
    probe = (
        "import studytool.demos._base;"
        "from studytool._paths import content_dir, demos_dir, demos_package;"
        "from studytool.content.library import load_library;"
        "r = load_library();"
        "print(content_dir().parent.name, demos_dir().parent.name, demos_package(),"
        " len(r.decks) + len(r.broken))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {probe}"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.split()
    assert out == ["studytool", "studytool", "studytool.demos", str(len(decks))]

    # the worker child finds the shipped demos by itself: no checkout on any path
    run = (
        "from studytool.demorun.runner import DemoRunner, WorkerPool;"
        "r = DemoRunner(WorkerPool(keep_warm=False));"
        "run = r.run('param_count', quick=True, device='cpu'); run.collect(); r.shutdown();"
        "print(run.error, run.verdict['claim_holds'] if run.verdict else None)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(STUDYTOOL_DEMO_WARMUP="0", STUDYTOOL_DEMO_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {run}"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout.split()
    assert out == ["None", "True"], out

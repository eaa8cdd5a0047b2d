"""CLI wrappers: stats, doctor, optimize, progress export/import; clean errors with exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from storekit import NOW, make_card, make_deck
from typer.testing import CliRunner

from studytool.cli import app
from studytool.cli.common import CliState
from studytool.config import Settings
from studytool.content.model import Card, Deck, LoadResult, Text
from studytool.store.db import DB_NAME
from studytool.store.repo import Store
from studytool.store.scheduler import Rating

ROOT = Path(__file__).resolve().parents[2]


def state(data: Path, cards: list[Card]) -> CliState:
    """The settings and a library that holds just `cards`, for the real app to run on."""
    deck = Deck(id="test", title=Text("test", "test"), path=Path("test.yaml"), cards=tuple(cards))
    return CliState(settings=Settings(data_dir=data), library=LoadResult(decks=[deck]))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run(data: Path, cards: list[Card], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), obj=state(data, cards))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_stats_json_and_text(data: Path) -> None:
    cards = make_deck("d", 5)
    code, out, _ = run(data, cards, "stats", "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["due_today"]["new_available"] == 5
    assert len(stats["forecast"]) == 30 and len(stats["reviews_per_day"]) == 365
    code, out, _ = run(data, cards, "stats")
    assert code == 0 and "due today: 0" in out and "new available: 5" in out


def test_doctor_lists_orphans(data: Path) -> None:
    cards = make_deck("d", 3)
    with Store.open(Settings(data_dir=data)) as s:
        s.sync([*cards, make_card("d", "gone")])
        s.grade("d/gone", Rating.Good)
        s.sync(cards)
    code, out, _ = run(data, cards, "doctor")
    assert code == 0 and "d/gone (1 reviews)" in out and out.strip().endswith("ok")
    code, out, _ = run(data, cards, "doctor", "--json")
    report = json.loads(out)
    assert report["ok"] and "orphans" in {f["code"] for f in report["findings"]}


def test_optimize_below_threshold(data: Path) -> None:
    code, out, _ = run(data, [], "optimize", "--json")
    assert code == 0
    res = json.loads(out)
    assert res["optimized"] is False and res["reviews"] == 0 and res["threshold"] == 512
    code, out, _ = run(data, [], "optimize")
    assert code == 0 and "Keeping the default parameters" in out


def test_progress_export_import(data: Path, tmp_path: Path) -> None:
    cards = make_deck("d", 3)
    with Store.open(Settings(data_dir=data)) as s:
        s.sync(cards)
        s.grade("d/c001", Rating.Easy, NOW)
    f = tmp_path / "p.json"
    code, out, _ = run(data, cards, "progress", "export", str(f))
    assert code == 0 and "exported 3 cards and 1 reviews" in out
    other = tmp_path / "other"
    code, out, _ = run(other, cards, "progress", "import", str(f))
    assert code == 0 and "imported 3 cards and 1 reviews" in out
    code, out, err = run(other, cards, "progress", "import", str(tmp_path / "missing.json"))
    assert code == 2 and out == "" and err.startswith("studytool: cannot read")


def test_progress_export_never_overwrites_by_accident(data: Path, tmp_path: Path) -> None:
    cards = make_deck("d", 2)
    with Store.open(Settings(data_dir=data)) as s:
        s.sync(cards)
    f = tmp_path / "p.json"
    f.write_text("keep me")
    code, _, err = run(data, cards, "progress", "export", str(f))
    assert code == 2 and "exists; use --force" in err and f.read_text() == "keep me"
    assert run(data, cards, "progress", "export", "--force", str(f))[0] == 0
    assert f.read_text().startswith("{")
    before = (data / DB_NAME).read_bytes()
    code, _, err = run(data, cards, "progress", "export", "--force", str(data / DB_NAME))
    assert code == 2 and "part of the progress store" in err
    assert (data / DB_NAME).read_bytes() == before
    code, _, err = run(data, cards, "progress", "export", "--force", "/dev/null")
    assert code == 2 and "not a regular file" in err


def test_progress_restore_sets_the_current_database_aside(data: Path) -> None:
    cards = make_deck("d", 2)
    with Store.open(Settings(data_dir=data)) as s:
        s.sync(cards)
        s.grade("d/c001", Rating.Good, NOW)
    backups = sorted((data / "backups").glob("*"))
    assert backups
    code, out, err = run(data, cards, "progress", "restore", backups[-1].name)
    assert code == 0, err
    assert "restored" in out and "set aside:" in out
    code, _, err = run(data, cards, "progress", "restore", "no-such-backup.db")
    assert code == 2 and "Traceback" not in err


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
@pytest.mark.parametrize(
    "args", [["stats"], ["doctor", "--json"], ["optimize"], ["progress", "export", "x.json"]]
)
def test_damaged_database_exits_2_with_one_line(
    data: Path, tmp_path: Path, damage: str, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(Settings(data_dir=data)) as s:
        s.sync(make_deck("d", 300))
    path = data / DB_NAME
    raw = path.read_bytes()
    path.write_bytes(os.urandom(4096) if damage == "garbage" else raw[: len(raw) // 3])
    monkeypatch.chdir(tmp_path)
    code, out, err = run(data, [], *args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "newest backup" in lines[0]
    assert "Traceback" not in err


def test_exit_2_in_a_real_process(data: Path) -> None:
    data.mkdir(parents=True)
    (data / DB_NAME).write_bytes(b"\x00garbage" * 512)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "studytool", "--data", str(data), "stats", "--json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1
    assert "not a SQLite database" in proc.stderr

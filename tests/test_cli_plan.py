"""`studytool plan retention`: the simulator's table, as text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from kit import DECKS, fixture_cards
from typer.testing import CliRunner

from studytool.cli import app
from studytool.cli.common import CliState
from studytool.config import Settings
from studytool.content.library import load_library

runner = CliRunner()


def _state(tmp_path: Path) -> CliState:
    settings = Settings(content_dirs=(DECKS,), data_dir=tmp_path / "data")
    return CliState(settings=settings, library=load_library([DECKS], builtin=False))


def test_plan_retention_json(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["plan", "retention", "--days", "30", "--json"], obj=_state(tmp_path)
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    keys = {k for c in fixture_cards() if not c.draft for k in c.review_keys()}
    assert data["cards"] == data["new_cards"] == len(keys)
    assert data["days"] == 30 and data["parameters"] == "default"
    rows = data["rows"]
    assert [r["desired_retention"] for r in rows] == [0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97]
    assert all(len(r["daily_reviews"]) == 30 for r in rows)
    assert rows[-1]["reviews_per_day"] > rows[0]["reviews_per_day"] > 0


def test_plan_retention_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "retention"], obj=_state(tmp_path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "over 90 days, default parameters, 8.0 s per answer" in lines[0]
    assert lines[1].split() == ["desired", "reviews/day", "min/day", "recall", "memorized"]
    assert [ln.split()[0] for ln in lines[2:10]] == [
        "0.70",
        "0.75",
        "0.80",
        "0.85",
        "*",
        "0.93",
        "0.95",
        "0.97",
    ]
    assert lines[6].split()[1] == "0.90"  # the current setting is marked


def test_plan_retention_rejects_bad_days(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "retention", "--days", "0"], obj=_state(tmp_path))
    assert result.exit_code == 2

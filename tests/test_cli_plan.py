"""`studytool plan retention` and `plan exam`: as text and JSON, bad input in one line."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from kit import DECKS, fixture_cards
from typer.testing import CliRunner

from studytool.cli import app
from studytool.cli.common import CliState
from studytool.config import ExamSettings, Settings
from studytool.content.library import load_library
from studytool.store.scheduler import study_date, utc_now

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


def _exam_state(tmp_path: Path) -> CliState:
    settings = Settings(
        content_dirs=(DECKS,), data_dir=tmp_path / "data", config_path=tmp_path / "config.toml"
    )
    return CliState(settings=settings, library=load_library([DECKS], builtin=False))


def test_plan_exam_json_meets_the_goal(tmp_path: Path) -> None:
    when = (date.today() + timedelta(days=20)).isoformat()
    args = ["plan", "exam", "--date", when, "--minutes", "120", "--json"]
    result = runner.invoke(app, args, obj=_exam_state(tmp_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["exam_date"] == when and data["met"] is True and data["minutes_needed"] is None
    assert data["expected_recall"] >= 0.9 and data["active"] is False
    assert 19 <= len(data["days"]) <= 21  # the study day may still be yesterday's
    assert sum(d["new"] for d in data["days"]) == data["new_cards"] > 0
    assert not (tmp_path / "config.toml").exists()  # not activated: nothing saved


def test_plan_exam_warns_activates_and_clears(tmp_path: Path) -> None:
    state = _exam_state(tmp_path)
    # four study days from the study day (before the day-start hour it is still yesterday's,
    # so date.today() would give five between midnight and that hour)
    today = study_date(utc_now(), state.settings.day_start_hour)
    when = (today + timedelta(days=4)).isoformat()
    args = [
        "plan",
        "exam",
        "--date",
        when,
        "--minutes",
        "1",
        "--deck",
        "basics",
        "--deck",
        "quizzes",
        "--activate",
    ]
    result = runner.invoke(app, args, obj=state)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[1].split() == ["date", "new", "reviews", "minutes"]
    assert "Warning: " in out and "cards stay below 90%" in out
    assert "minutes a day would meet the goal (" in out and "with room for forgetting)." in out
    assert f"Plan activated: the review queue follows it until {when}." in out
    saved = Settings.load(config=tmp_path / "config.toml")
    assert saved.exam == ExamSettings(date.fromisoformat(when), ("basics", "quizzes"), 1, 0.9)
    # without --date: the active plan
    state.settings = saved
    result = runner.invoke(app, ["plan", "exam", "--json"], obj=state)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["active"] is True and data["minutes_per_day"] == 1
    assert data["met"] is False and data["minutes_needed"] > 1
    result = runner.invoke(app, ["plan", "exam", "--clear"], obj=state)
    assert result.exit_code == 0 and "Exam plan cleared." in result.stdout
    assert Settings.load(config=tmp_path / "config.toml").exam is None


def test_plan_exam_bad_input_is_one_line(tmp_path: Path) -> None:
    state = _exam_state(tmp_path)
    for args, message in (
        (["--date", "2026-13-01"], "is not a date (YYYY-MM-DD)"),
        (["--date", "2000-01-01"], "must be after today"),
        (["--date", "2999-01-01", "--deck", "nope"], "unknown deck 'nope'"),
        ([], "give the exam date"),
    ):
        result = runner.invoke(app, ["plan", "exam", *args], obj=state)
        assert result.exit_code == 2, args
        assert message in result.stderr and "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1
    # an active plan whose date has passed
    assert state.settings is not None
    state.settings = replace(state.settings, exam=ExamSettings(date(2000, 1, 1)))
    result = runner.invoke(app, ["plan", "exam"], obj=state)
    assert result.exit_code == 2 and "the exam plan for 2000-01-01 has ended" in result.stderr


def test_stats_counts_follow_an_active_plan(tmp_path: Path) -> None:
    """`stats` counts today's new cards as the queue does under the plan: basics' from the
    plan, quizzes' (not in scope) from its own limit."""
    state = _exam_state(tmp_path)
    assert state.settings is not None
    when = date.today() + timedelta(days=5)
    state.settings = replace(state.settings, exam=ExamSettings(when, ("basics",), 30, 0.9))
    result = runner.invoke(app, ["plan", "exam", "--json"], obj=state)
    assert result.exit_code == 0, result.output
    planned = json.loads(result.stdout)["days"][0]["new"]
    result = runner.invoke(app, ["stats", "--json"], obj=state)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    quizzes = sum(1 for c in fixture_cards() if c.deck == "quizzes" and not c.draft)
    assert data["due_today"]["new_available"] == planned + quizzes
    assert data["exam_plan"] == {"date": when.isoformat(), "decks": ["basics"]}
    basics = sum(1 for c in fixture_cards() if c.deck == "basics" and not c.draft)
    assert planned < basics  # the plan's number, not the deck's
    text = runner.invoke(app, ["stats"], obj=state).stdout.splitlines()[0]
    following = f"new available: {planned + quizzes} (following the exam plan for {when}: basics)"
    assert text.endswith(following)


def test_plan_exam_warns_when_it_leaves_no_room_for_forgetting(tmp_path: Path) -> None:
    when = (date.today() + timedelta(days=20)).isoformat()
    args = ["plan", "exam", "--date", when, "--minutes", "1"]
    result = runner.invoke(app, [*args, "--json"], obj=_exam_state(tmp_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["met"] is True and data["minutes_with_room"] == 2  # 1.25 x 1, rounded up
    out = runner.invoke(app, args, obj=_exam_state(tmp_path)).stdout.splitlines()
    assert out[-2:] == [
        "Every card reaches 90% by the date.",
        "Little room for forgetting: 2 minutes a day keep the outcome near this plan when you"
        " forget some cards.",
    ]

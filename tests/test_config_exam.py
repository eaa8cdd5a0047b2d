"""[exam] in config.toml: read and checked, written by `plan exam --activate` and removed by
`--clear` (write_settings with None), the rest of the file kept."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from studytool.config import ConfigError, ExamSettings, Settings, write_settings


def test_exam_round_trip_and_removal(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\nlang = "ko"\n\n[review]\nnew_per_day = 7\n', encoding="utf-8")
    assert Settings.load(config=path).exam is None
    exam = ExamSettings(date(2026, 12, 20), ("rnn", "optimizers"), 45, 0.92)
    write_settings(path, {"exam": None, **exam.config_values()})
    loaded = Settings.load(config=path)
    assert loaded.exam == exam and loaded.lang == "ko" and loaded.new_per_day == 7
    write_settings(path, {"exam": None})
    text = path.read_text(encoding="utf-8")
    assert "[exam]" not in text and text.startswith("# mine")
    assert Settings.load(config=path).exam is None


def test_a_toml_date_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[exam]\ndate = 2026-12-20\n", encoding="utf-8")
    assert Settings.load(config=path).exam == ExamSettings(date(2026, 12, 20))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('date = "soon"', "exam.date must be a date (YYYY-MM-DD)"),
        ("minutes = 30", "exam.date must be a date"),
        ("date = 2026-12-20T10:00:00", "exam.date must be a date"),
        ('date = "2026-12-20"\nminutes = 0', "exam.minutes must be in 1..600"),
        ('date = "2026-12-20"\ntarget = 1.5', "exam.target must be in 0.5..0.99"),
        ('date = "2026-12-20"\ndecks = [1]', "'decks' must be a list of str"),
    ],
)
def test_bad_exam_values_are_one_line(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[exam]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as e:
        Settings.load(config=path)
    assert "\n" not in str(e.value)

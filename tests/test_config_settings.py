"""config.toml: the daily load and leech keys, and `write_settings` keeping the file's comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from studytool.config import ConfigError, Settings, write_settings

CONFIG = """\
# my settings
content = ["~/decks"]   # my own decks
lang = "en"

[review]
day_start_hour = 5   # I study late

[keymap]
"review.again" = "j"
"""


def test_the_daily_load_and_leech_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    defaults = Settings.load(config=path)
    assert (defaults.new_per_day, defaults.new_per_deck, defaults.reviews_per_day) == (20, 20, 200)
    assert (defaults.leech_threshold, defaults.leech_action, defaults.theme) == (8, "suspend", "")
    path.write_text(
        "theme = 'nord'\n[review]\nnew_per_day = 30\nnew_per_deck = 10\nreviews_per_day = 0\n"
        "leech_threshold = 5\nleech_action = 'tag'\n",
        encoding="utf-8",
    )
    s = Settings.load(config=path)
    assert (s.new_per_day, s.new_per_deck, s.reviews_per_day) == (30, 10, 0)
    assert (s.leech_threshold, s.leech_action, s.theme) == (5, "tag", "nord")


@pytest.mark.parametrize(
    "review",
    ["new_per_day = -1", "reviews_per_day = -5", "leech_threshold = 0", "leech_action = 'delete'"],
)
def test_a_wrong_limit_is_refused(tmp_path: Path, review: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[review]\n{review}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=review.split()[0]):
        Settings.load(config=path)


def test_write_settings_keeps_comments_order_and_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    write_settings(
        path,
        {
            "lang": "ko",
            "review.new_per_day": 12,
            "scheduler.desired_retention": 0.85,
        },
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my settings\n")
    assert 'content = ["~/decks"]   # my own decks' in text
    assert "day_start_hour = 5   # I study late" in text
    assert '"review.again" = "j"' in text
    assert text.index("[review]") < text.index("[keymap]")  # the order is kept
    s = Settings.load(config=path)
    assert (s.lang, s.new_per_day, s.day_start_hour) == ("ko", 12, 5)
    assert s.scheduler.desired_retention == 0.85
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]  # no temp file left


def test_write_settings_makes_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    write_settings(path, {"review.reviews_per_day": 50, "lang": "ko"})
    s = Settings.load(config=path)
    assert (s.reviews_per_day, s.lang) == (50, "ko")


def test_write_settings_refuses_to_write_into_a_value(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('review = "oops"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a table"):
        write_settings(path, {"review.new_per_day": 5})
    assert path.read_text(encoding="utf-8") == 'review = "oops"\n'
    path.write_text("lang = [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        write_settings(path, {"lang": "ko"})

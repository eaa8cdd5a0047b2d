"""config.toml: every wrong value is one ConfigError naming the key, never a raw exception."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from studytool.config import ConfigError, Settings, key_problem, unknown_keymap_ids


def load(tmp_path: Path, text: str | bytes) -> Settings:
    config = tmp_path / "config.toml"
    if isinstance(text, str):
        text = text.encode("utf-8")
    config.write_bytes(text)
    return Settings.load(config=config)


BAD = [
    ("scheduler = 5\n", "[scheduler] must be a table, got 5"),
    ("review = []\n", "[review] must be a table, got []"),
    ('[scheduler]\nlearning_steps = ["a"]\n', "'scheduler.learning_steps' must be a list of"),
    ("[scheduler]\nlearning_steps = 3\n", "'scheduler.learning_steps' must be list, got 3"),
    ("[scheduler]\nrelearning_steps = [0]\n", "'scheduler.relearning_steps' must be a list of"),
    ("[scheduler]\nlearning_steps = [true]\n", "got True in it"),
    ("content = [1]\n", "'content' must be a list of str, got 1 in it"),
    ("content = 3\n", "'content' must be list, got 3"),
    ("[scheduler]\nmaximum_interval = -1\n", "scheduler.maximum_interval must be in 1..36500"),
    ("[scheduler]\nmaximum_interval = 1.5\n", "'scheduler.maximum_interval' must be int"),
    ("[scheduler]\ndesired_retention = nan\n", "'scheduler.desired_retention' must be a finite"),
    ('[scheduler]\ndesired_retention = "0.9"\n', "'scheduler.desired_retention' must be float"),
    ("[review]\nnew_per_day = -3\n", "review.new_per_day must be in 0..10000"),
    ('[review]\nday_start_hour = "4"\n', "'review.day_start_hour' must be int"),
    ("[quiz]\nfeedback = 1\n", "'quiz.feedback' must be str, got 1"),
    ('lang = ["en"]\n', "'lang' must be str, got ['en']"),
    ('[keymap]\n"review.again" = 3\n', "keymap 'review.again' must be a key name, got 3"),
    ('[keymap]\n"review.again" = "nonsense_key"\n', "'nonsense_key' is not a key name"),
    ('[keymap]\nquit = "f20"\n', "keymap 'quit': 'f20' is not a key name: quit must stay"),
    ('[keymap]\n"home.quit" = "hyper+q"\n', "'hyper+q' has a modifier other than"),
    ('[keymap]\nquit = "alt+q"\n', "'alt+q' has a modifier other than ctrl"),
    ("x = \n", "Invalid value"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[b[0].strip() for b in BAD])
def test_bad_value_is_a_config_error_naming_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert str(info.value).startswith(f"{tmp_path / 'config.toml'}: ")
    assert message in str(info.value)


def test_utf16_file_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(it looks like UTF-16\)"):
        load(tmp_path, 'lang = "ko"\n'.encode("utf-16"))


def test_a_fifo_or_device_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        Settings.load(config=fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        Settings.load(config=Path("/dev/zero"))


def test_good_values_load(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        "[scheduler]\nlearning_steps = [1, 2.5]\nmaximum_interval = 365\n"
        '[keymap]\n"review.again" = "j"\nquit = "ctrl+x"\n"home.quit" = "escape,q"\n'
        '"browse.search" = "question_mark"\n',
    )
    assert settings.scheduler.learning_steps_min == (1.0, 2.5)
    assert settings.scheduler.maximum_interval == 365
    assert dict(settings.keymap) == {
        "review.again": "j",
        "quit": "ctrl+x",
        "home.quit": "escape,q",
        "browse.search": "question_mark",
    }


def test_unknown_keymap_ids_are_reported(tmp_path: Path) -> None:
    settings = load(tmp_path, '[keymap]\n"review.again" = "j"\n"review.agian" = "k"\n')
    assert unknown_keymap_ids(settings, {"review.again", "quit"}) == ["review.agian"]


def test_key_names() -> None:
    assert key_problem("j") is None and key_problem("ctrl+shift+f5,escape") is None
    assert key_problem("\x1b") == "'\\x1b' is not a key name"  # shown, never sent raw
    assert key_problem("q", typeable=True) is None and key_problem("ctrl+q", typeable=True) is None
    assert key_problem("f13", typeable=True) == "'f13' is not a key name"

"""The foundation CLI: check, decks, show, schema, version; clean errors; no torch import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studytool import __version__
from studytool.cli import app
from studytool.content.schema import SCHEMA_PATH, schema_json

DECK = """\
# yaml-language-server: $schema=../studytool/content/deck.schema.json
deck: {deck}
title: {{en: Mine, ko: 내 덱}}
cards:
  - id: one
    type: basic
    front: {{en: Front, ko: 앞면}}
    back: {{en: Back, ko: 뒷면}}
    formula: '\\frac{{a+b}}{{c}}'
"""

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def user_deck(tmp_path: Path) -> Path:
    d = tmp_path / "decks"
    d.mkdir()
    (d / "mine.yaml").write_text(DECK.format(deck="mine"), encoding="utf-8")
    return d


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"studytool {__version__}"


def test_check_builtin_content_passes() -> None:
    result = run("check")
    assert result.exit_code == 0, result.stdout


def test_check_reports_located_errors_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(DECK.format(deck="bad").replace("type: basic", "type: basik"))
    result = run("check", str(bad))
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == (
        f"{bad}:6:11: unknown card type 'basik'; did you mean 'basic'? (one of: basic, reversed,"
        " cloze, mcq, multi, truefalse, typed, numeric, order)"
    )


def test_check_json(tmp_path: Path, user_deck: Path) -> None:
    result = run("check", "--json", str(user_deck))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == {
        "ok": True,
        "decks": 1,
        "cards": 1,
        "problems": [],
        "warnings": [],
        "rules": {},
    }


def test_check_missing_path(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stdout.strip() == f"{tmp_path / 'nope.yaml'}:1:1: no such file or directory"


def test_decks_json_lists_user_deck(user_deck: Path) -> None:
    result = run("--content", str(user_deck), "decks", "--json")
    assert result.exit_code == 0
    rows = {r["id"]: r for r in json.loads(result.stdout)["decks"]}
    assert rows["mine"]["cards"] == 1
    assert rows["mine"]["builtin"] is False


def test_user_deck_overrides_builtin(tmp_path: Path) -> None:
    from studytool.content.library import load_library

    builtin = load_library().decks
    assert builtin, "the shipped content has decks"
    target = builtin[0].id
    d = tmp_path / "over"
    d.mkdir()
    (d / "x.yaml").write_text(DECK.format(deck=target))
    env_result = runner.invoke(app, ["decks", "--json"], env={"STUDYTOOL_CONTENT": str(d)})
    rows = {r["id"]: r for r in json.loads(env_result.stdout)["decks"]}
    assert rows[target]["cards"] == 1
    assert rows[target]["overrides"] == str(builtin[0].path)
    table = runner.invoke(app, ["decks"], env={"STUDYTOOL_CONTENT": str(d), "COLUMNS": "200"})
    assert f"overrides built-in {builtin[0].path.name}" in table.stdout


def test_config_file_adds_content(tmp_path: Path, user_deck: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'content = ["{user_deck}"]\n')
    result = runner.invoke(app, ["decks", "--json"], env={"STUDYTOOL_CONFIG": str(config)})
    assert "mine" in {r["id"] for r in json.loads(result.stdout)["decks"]}


def test_bad_config_is_one_clean_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("content = 3\n")
    result = runner.invoke(app, ["decks"], env={"STUDYTOOL_CONFIG": str(config)})
    assert result.exit_code == 2
    assert result.stderr.strip() == f"studytool: {config}: 'content' must be list, got 3"


def test_show_renders_formula(user_deck: Path) -> None:
    result = run("--content", str(user_deck), "show", "mine/one", "--lang", "ko")
    assert result.exit_code == 0
    assert "앞면" in result.stdout and "뒷면" in result.stdout
    assert "(a+b)/c" in result.stdout
    data = json.loads(run("--content", str(user_deck), "show", "mine/one", "--json").stdout)
    assert data["formula_unicode"] == "(a+b)/c"
    assert data["prompt"] == "Front"


def test_show_prints_given_with_the_question_and_the_formula_with_the_answer(
    tmp_path: Path,
) -> None:
    d = tmp_path / "decks"
    d.mkdir()
    card = "  - {id: two, type: numeric, question: Q?, answer: 4, given: 'x^2', formula: 'y = 4'}\n"
    (d / "mine.yaml").write_text(DECK.format(deck="mine") + card, encoding="utf-8")
    out = run("--content", str(d), "show", "mine/two").stdout
    assert out.index("x²") < out.index("Answer") < out.index("y = 4")
    data = json.loads(run("--content", str(d), "show", "mine/two", "--json").stdout)
    assert (data["given"], data["formula"]) == ("x^2", "y = 4")


def test_lang_is_one_option_checked_alike_by_every_command(user_deck: Path) -> None:
    for args in (["decks"], ["show", "mine/one"], ["export", "csv", "--all", "x.csv"]):
        result = run("--content", str(user_deck), *args, "--lang", "fr")
        assert result.exit_code == 2, args
        assert result.stderr == "studytool: --lang must be 'en' or 'ko', not 'fr'\n", args


def test_lang_defaults_to_the_configured_language(tmp_path: Path, user_deck: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('lang = "ko"\n')
    env = {"STUDYTOOL_CONFIG": str(config), "COLUMNS": "200"}
    shown = runner.invoke(app, ["--content", str(user_deck), "show", "mine/one", "--json"], env=env)
    assert json.loads(shown.stdout)["prompt"] == "앞면"
    listed = runner.invoke(app, ["--content", str(user_deck), "decks"], env=env)
    assert "내 덱" in listed.stdout
    english = runner.invoke(app, ["--content", str(user_deck), "decks", "--lang", "en"], env=env)
    assert "내 덱" not in english.stdout and "Mine" in english.stdout


def test_global_options_last_one_run(user_deck: Path) -> None:
    def deck_ids(*args: str) -> set[str]:
        return {r["id"] for r in json.loads(run(*args, "decks", "--json").stdout)["decks"]}

    assert "mine" in deck_ids("-c", str(user_deck))
    assert "mine" not in deck_ids()


def test_show_unknown_card_suggests(user_deck: Path) -> None:
    result = run("--content", str(user_deck), "show", "mine/onee")
    assert result.exit_code == 2
    assert result.stderr.strip() == "studytool: no card 'onee' in deck 'mine'; did you mean 'one'?"


def test_schema_matches_committed_copy() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout == schema_json() == SCHEMA_PATH.read_text(encoding="utf-8")
    schema = json.loads(result.stdout)
    card_types = {v["properties"]["type"]["const"] for v in schema["$defs"]["card"]["oneOf"]}
    assert card_types == {
        "basic", "reversed", "cloze", "mcq", "multi", "truefalse", "typed", "numeric", "order"
    }  # fmt: skip


def test_every_shipped_deck_points_at_the_schema() -> None:
    from studytool._paths import content_dir

    for path in content_dir().glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../studytool/content/deck.schema.json", (
            path
        )


def _subprocess(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1]))
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "studytool", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def test_internal_error_is_one_clean_line(tmp_path: Path) -> None:
    code = (
        "import sys; import studytool.cli.content as c\n"
        "def boom(): raise RuntimeError('kaboom')\n"
        "c.get_library = boom\n"
        "sys.argv = ['studytool', 'decks']\n"
        "from studytool.__main__ import main; main()\n"
    )
    result = _subprocess(code=code)
    assert result.returncode == 2
    assert result.stderr == "studytool: internal error: RuntimeError: kaboom\n"


LONG = "word " * 40  # 200 characters on one line


def test_show_wraps_to_the_terminal_and_prints_whole_lines_when_piped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from studytool.cli import content

    d = tmp_path / "decks"
    d.mkdir()
    (d / "long.yaml").write_text(DECK.format(deck="long").replace("Back, ko", f"{LONG}end, ko"))
    piped = run("--content", str(d), "show", "long/one")
    assert piped.exit_code == 0
    assert f"Answer: {LONG}end" in piped.stdout  # one line, whole, no frame
    assert piped.stdout.startswith("long/one · basic\n")

    screen = io.StringIO()
    terminal = Console(
        file=screen, force_terminal=True, width=60, soft_wrap=True, color_system=None
    )
    monkeypatch.setattr(content, "out", terminal)
    assert run("--content", str(d), "show", "long/one").exit_code == 0
    lines = screen.getvalue().splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert sum("word" in line for line in lines) >= 4  # wrapped, not cut
    body = " ".join(line.strip("│ ") for line in lines)
    assert " ".join(f"Answer: {LONG}end".split()) in " ".join(body.split())

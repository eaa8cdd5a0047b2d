"""Break 1 and 2 of issue 16 on the CLI: deck text is printed literally (never as Rich markup)
and no control character from a deck reaches the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_kit import MARKUP, hostile_library, with_controls
from typer.testing import CliRunner

from studytool.cli import app
from studytool.cli.common import CliState
from studytool.config import Settings


def squash(text: str) -> str:
    return "".join(text.split())


def invoke(tmp_path: Path, *args: str, controls: bool = False) -> tuple[int, str]:
    library = hostile_library(tmp_path / "decks")
    state = CliState(
        settings=Settings(content_dirs=(tmp_path / "decks",), data_dir=tmp_path / "data"),
        library=with_controls(library) if controls else library,
    )
    result = CliRunner().invoke(app, list(args), obj=state)
    return result.exit_code, result.output


def test_decks_prints_a_markup_title_literally(tmp_path: Path) -> None:
    code, output = invoke(tmp_path, "decks")
    assert code == 0, output
    assert "MarkupError" not in output
    # the table may wrap the title: the words of the markup are all there, brackets included
    flat = " ".join(output.split())
    assert "[/b]" in flat and "[@click=app.quit]Q[/]" in flat


@pytest.mark.parametrize("card", ["basic-one", "mcq-one", "num-one", "typed-one"])
def test_show_prints_markup_literally(tmp_path: Path, card: str) -> None:
    code, output = invoke(tmp_path, "show", f"hostile/{card}", "--lang", "en")
    assert code == 0, output
    # the panel wraps long lines: compare without the border and the spacing
    assert squash(MARKUP) in squash(output.replace("│", ""))


@pytest.mark.parametrize(
    "args", [("decks",), ("show", "hostile/basic-one"), ("show", "hostile/mcq-one", "--json")]
)
def test_no_control_character_from_a_deck_reaches_the_terminal(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    code, output = invoke(tmp_path, *args, controls=True)
    assert code == 0, output
    assert "\x1b" not in output and "\x07" not in output and "\x9b" not in output
    # shown as visible escapes instead (JSON escapes them its own way)
    assert "\\x1b]52" in output or "\\u001b]52" in output


def test_a_failure_message_shows_control_characters_visibly(tmp_path: Path) -> None:
    code, output = invoke(tmp_path, "show", "hostile/nope\x1b]2;x\x07")
    assert code == 2
    assert "\x1b" not in output and "\\x1b]2;x\\x07" in output


def test_a_quiz_sheet_on_the_terminal_shows_control_characters_visibly(tmp_path: Path) -> None:
    code, output = invoke(tmp_path, "quiz", "sheet", "--deck", "hostile", controls=True)
    assert code == 0, output
    # Markdown escapes the brackets too
    assert "\x1b" not in output and "\x9b" not in output and "\\x1b\\]52" in output


def test_export_names_a_hostile_file_name_safely(tmp_path: Path) -> None:
    target = tmp_path / "out\x1b]2;pwned\x07.csv"
    code, output = invoke(tmp_path, "export", "csv", str(target), "--deck", "hostile")
    assert code == 0, output
    assert target.is_file()
    assert "\x1b" not in output and "out\\x1b]2;pwned\\x07.csv" in output


def test_progress_export_names_a_hostile_file_name_safely(tmp_path: Path) -> None:
    target = tmp_path / "p\x1b]2;pwned\x07.json"
    code, output = invoke(tmp_path, "progress", "export", str(target))
    assert code == 0, output
    assert target.is_file()
    assert "\x1b" not in output and "p\\x1b]2;pwned\\x07.json" in output

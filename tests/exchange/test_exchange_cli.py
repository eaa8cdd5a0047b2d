"""The exchange commands through the real app: what they write, and one clean line on bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studytool.cli import app as main_app
from studytool.cli.common import CliState
from studytool.config import Settings
from studytool.content.library import load_library
from studytool.content.loader import load_deck

NOTE = """\
Week 3
Momentum: 관성처럼 이전 gradient를 반영한다
Regularization
- Dropout - randomly zero neurons
- Early stopping
History:
2012 - AlexNet
2017 - Transformer
"""
runner = CliRunner()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return tmp_path / "decks"


@pytest.fixture
def cli(content: Path):
    settings = Settings(content_dirs=(content,), data_dir=content.parent / "data")

    def run(*args: str):
        result = runner.invoke(main_app, [str(a) for a in args], obj=CliState(settings=settings))
        assert "Traceback" not in result.output
        return result

    return run


@pytest.fixture
def note(tmp_path: Path) -> Path:
    path = tmp_path / "week3.md"
    path.write_text(NOTE, encoding="utf-8")
    return path


def clean_error(result, *parts: str) -> None:
    """Exit 2 with one `studytool: ...` line on stderr that says what went wrong."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("studytool: ")
    for part in parts:
        assert part in lines[0], lines[0]


def test_import_writes_a_draft_deck_that_passes_check(cli, content: Path, note: Path) -> None:
    result = cli("import", note, "--deck", "week3")
    assert result.exit_code == 0, result.output
    path = content / "week3.yaml"
    assert f"wrote 6 draft cards to {path}" in result.stdout
    assert (
        "definition 2 · key-points 1 · cloze 0 · formula 0 · qa 0 · timeline 2 · order 1"
        in result.stdout
    )
    assert "(UTF-8)" in result.stdout
    check = runner.invoke(main_app, ["check", str(path)])
    assert check.exit_code == 0, check.output
    deck, problems, _ = load_deck(path)
    assert problems == [] and deck is not None
    assert deck.review_cards == ()  # every card is a draft until the user checks it


def test_existing_deck_needs_force_or_merge(cli, content: Path, note: Path) -> None:
    assert cli("import", note, "--deck", "week3").exit_code == 0
    clean_error(cli("import", note, "--deck", "week3"), "already exists", "--merge", "--force")
    clean_error(cli("import", note, "--deck", "week3", "--force", "--merge"), "not both")

    same = cli("import", note, "--deck", "week3", "--merge")
    assert same.exit_code == 0
    assert "nothing new" in same.stdout

    note.write_text(NOTE + "Padding: extra border pixels\n", encoding="utf-8")
    more = cli("import", note, "--deck", "week3", "--merge")
    assert more.exit_code == 0
    assert f"added 1 new draft cards to {content / 'week3.yaml'}; kept the 6" in more.stdout

    forced = cli("import", note, "--deck", "week3", "--force")
    assert forced.exit_code == 0
    assert "wrote 7 draft cards" in forced.stdout


def test_builtin_deck_id_is_refused(cli, note: Path) -> None:
    builtin = load_library().decks[0].id
    clean_error(
        cli("import", note, "--deck", builtin), f"'{builtin}' is a built-in deck", "--force"
    )


def test_out_outside_content_dirs_says_how_to_load_it(cli, tmp_path: Path, note: Path) -> None:
    out = tmp_path / "elsewhere.yaml"
    result = cli("import", note, "--deck", "week3", "--out", out)
    assert result.exit_code == 0
    assert out.is_file()
    assert f"use --content {tmp_path}" in result.stdout


@pytest.mark.parametrize(
    ("data", "parts"),
    [
        (
            b"caf\xe9: coffee place\n",
            ("bad.md:1: not UTF-8 or CP949/EUC-KR text", "save it as UTF-8"),
        ),
        (b"\n  \n", ("bad.md is empty",)),
        (b"Just a sentence of prose.\n", ("found nothing to turn into cards in bad.md",)),
    ],
)
def test_bad_notes(cli, tmp_path: Path, data: bytes, parts: tuple[str, ...]) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(data)
    clean_error(cli("import", bad, "--deck", "bad"), *parts)


def test_unreadable_note_and_bad_id(cli, tmp_path: Path, note: Path) -> None:
    clean_error(cli("import", tmp_path / "nope.md", "--deck", "x"), "nope.md: no such file")
    clean_error(cli("import", tmp_path, "--deck", "x"), "is a directory")
    clean_error(cli("import", note, "--deck", "Week 3"), "'Week 3' is not a valid deck id")


def test_cp949_note_says_which_encoding(cli, tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("딥러닝: neural network를 사용하는 머신러닝\n".encode("cp949"))
    result = cli("import", legacy, "--deck", "legacy")
    assert result.exit_code == 0, result.output
    assert "(CP949/EUC-KR)" in result.stdout


def test_export_anki_and_csv(cli, content: Path, note: Path, tmp_path: Path) -> None:
    content.mkdir()
    (content / "mine.yaml").write_text(
        "deck: mine\ntitle: {en: Mine, ko: 내 덱}\ncards:\n"
        "  - {id: a, type: basic, front: Front, back: Back, tags: [x]}\n"
        "  - {id: b, type: basic, front: Draft, back: Later, draft: true}\n",
        encoding="utf-8",
    )
    apkg = tmp_path / "mine.apkg"
    result = cli("export", "anki", "--deck", "mine", apkg)
    assert result.exit_code == 0, result.output
    assert "wrote 1 notes from 1 deck(s)" in result.stdout
    assert "left out 1 draft card(s)" in result.stdout
    with zipfile.ZipFile(apkg) as z:
        assert "collection.anki2" in z.namelist()

    tsv = tmp_path / "mine.tsv"
    result = cli("export", "csv", "--deck", "mine", "--tsv", "--lang", "ko", tsv)
    assert result.exit_code == 0, result.output
    assert tsv.read_text(encoding="utf-8").splitlines()[-1] == "Front\tBack\tx"

    everything = cli("export", "csv", "--all", tmp_path / "all.csv")
    assert everything.exit_code == 0, everything.output
    assert "rows from" in everything.stdout


def test_export_errors(cli, tmp_path: Path) -> None:
    clean_error(cli("export", "anki", tmp_path / "x.apkg"), "--deck ID", "--all")
    clean_error(
        cli("export", "anki", "--deck", "nope-deck", tmp_path / "x.apkg"), "no deck 'nope-deck'"
    )
    builtin = load_library().decks[0].id
    clean_error(cli("export", "anki", "--deck", builtin, tmp_path / "x.zip"), "must end in .apkg")
    clean_error(
        cli("export", "csv", "--deck", builtin, tmp_path / "no" / "x.csv"), "does not exist"
    )
    clean_error(
        cli("export", "csv", "--deck", builtin, "--lang", "fr", tmp_path / "x.csv"), "'en' or 'ko'"
    )


def test_import_csv(cli, content: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "quizlet.txt"
    sheet.write_text(
        "Momentum\t관성\nAdam\tmomentum + RMSprop\nAdam\tmomentum + RMSprop\n", encoding="utf-8"
    )
    result = cli("import-csv", sheet, "--deck", "quiz", "--title", "Quizlet set")
    assert result.exit_code == 0, result.output
    assert f"wrote 2 cards to {content / 'quiz.yaml'}" in result.stdout
    assert "3 rows; skipped 1 repeated row(s)" in result.stdout
    assert runner.invoke(main_app, ["check", str(content / "quiz.yaml")]).exit_code == 0
    clean_error(cli("import-csv", sheet, "--deck", "quiz"), "already exists")
    again = cli("import-csv", sheet, "--deck", "quiz", "--merge")
    assert "nothing new" in again.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("front only\n", encoding="utf-8")
    clean_error(cli("import-csv", bad, "--deck", "b"), "bad.csv:1: a row needs a front and a back")


def mine(content: Path) -> None:
    content.mkdir(exist_ok=True)
    (content / "mine.yaml").write_text(
        "deck: week3\ntitle: Mine\ncards:\n  - {id: a, type: basic, front: Dropout, back: B}\n",
        encoding="utf-8",
    )


def test_exports_never_replace_a_file_by_accident(cli, content: Path, tmp_path: Path) -> None:
    mine(content)
    for kind, name in (("csv", "cards.csv"), ("anki", "cards.apkg")):
        target = tmp_path / name
        target.write_bytes(b"keep me")
        clean_error(cli("export", kind, target, "--deck", "week3"), "exists; use --force")
        assert target.read_bytes() == b"keep me"
        assert cli("export", kind, target, "--deck", "week3", "--force").exit_code == 0
        assert target.read_bytes() != b"keep me"
    data = content.parent / "data"
    data.mkdir(exist_ok=True)
    (data / "progress.db").write_bytes(b"not mine to replace")
    clean_error(cli("export", "csv", data / "progress.db", "--force"), "progress store")
    assert (data / "progress.db").read_bytes() == b"not mine to replace"
    clean_error(cli("export", "csv", "/dev/null", "--deck", "week3", "--force"), "regular file")
    clean_error(cli("export", "anki", "-", "--deck", "week3"), "binary file")


def test_export_csv_to_standard_output(cli, content: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    mine(content)
    result = cli("export", "csv", "-", "--deck", "week3")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("#separator:")
    assert "Dropout" in result.stdout and "wrote" in result.stderr
    assert not (tmp_path / "-").exists()


def test_import_never_writes_into_the_built_in_decks(cli, tmp_path: Path) -> None:
    from studytool._paths import content_dir

    shipped = content_dir() / "history.yaml"
    before = shipped.read_bytes()
    csv = tmp_path / "cards.csv"
    csv.write_text("front,back\nq,a\n", encoding="utf-8")
    for how in ("--force", "--merge"):
        result = cli("import-csv", csv, "--deck", "history", "--out", shipped, how)
        clean_error(result, "built-in decks")
    assert shipped.read_bytes() == before

"""`studytool quiz`, `quiz sheet` and `quiz history` through typer's CliRunner."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from quizkit import DECKS, quiz_cards
from typer.testing import CliRunner, Result

from studytool.cli.quiz import quiz_app
from studytool.config import Settings
from studytool.store import quizlog
from studytool.store.repo import Store
from studytool.study.quiz import AnswerError, Kind, Question, QuizSpec, draw_questions

app = typer.Typer()
app.add_typer(quiz_app, name="quiz")


@app.callback()
def _root() -> None:
    """The quiz group alone, as `studytool` mounts it."""


runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fixture_decks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYTOOL_CONTENT", str(DECKS))


def quiz(*args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, ["quiz", *args], input=stdin)


def clean_error(result: Result, text: str) -> None:
    assert result.exit_code == 2
    assert result.stderr.startswith("studytool: ") and text in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


# ---- sheets ------------------------------------------------------------------------------


def test_sheet_prints_numbered_questions_then_a_separate_key() -> None:
    result = quiz("sheet", "--deck", "five", "--n", "5", "--seed", "7")
    assert result.exit_code == 0, result.output
    sheet, key = result.stdout.split("\n---\n\n")
    assert sheet.startswith("# Five questions\n\n*5 questions · seed 7*")
    assert [f"**{i}.**" in sheet for i in range(1, 6)] == [True] * 5
    assert "- **a)**" in sheet and "☐ True    ☐ False" in sheet
    assert key.startswith("# Answer key: Five questions")
    assert key.count("*Why:*") == 5
    assert "cross-correlation" in key and "cross-correlation" not in sheet


def test_the_same_seed_gives_the_same_bytes_and_another_seed_another_sheet() -> None:
    args = ("sheet", "--deck", "five", "--deck", "mixed", "--n", "8", "--lang", "both")
    first = quiz(*args, "--seed", "7").stdout
    assert first == quiz(*args, "--seed", "7").stdout
    assert first != quiz(*args, "--seed", "8").stdout


def test_sheets_are_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    code = (
        "import typer\nfrom studytool.cli.quiz import quiz_app\n"
        "app = typer.Typer()\napp.add_typer(quiz_app, name='quiz')\n"
        "@app.callback()\ndef root() -> None: pass\napp()\n"
    )
    args = ["quiz", "sheet", "--deck", "mixed", "--deck", "five", "--n", "9", "--seed", "11"]
    outputs = []
    for hash_seed in ("1", "2", "random"):
        env = os.environ | {"PYTHONHASHSEED": hash_seed, "STUDYTOOL_CONTENT": str(DECKS)}
        env["STUDYTOOL_CACHE"] = str(tmp_path / f"cache-{hash_seed}")
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, env=env, cwd=REPO, check=True
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0].decode() == quiz(*args[1:]).stdout


def test_languages(tmp_path: Path) -> None:
    ko = quiz("sheet", "--deck", "five", "--n", "5", "--seed", "3", "--lang", "ko").stdout
    assert "# 다섯 문제" in ko and "5문제" in ko and "블러 처리하는" in ko and "Which 3×3" not in ko
    assert "*해설:*" in ko
    both = quiz("sheet", "--deck", "five", "--n", "5", "--seed", "3", "--lang", "both").stdout
    assert "# Five questions · 다섯 문제" in both
    assert "Which 3×3 kernel blurs an image?  \n이미지를 블러 처리하는" in both


def test_html_sheet_and_key_are_two_files_with_formulas_rendered(tmp_path: Path) -> None:
    out = tmp_path / "group.html"
    result = quiz(
        "sheet", "--deck", "generated", "--n", "20", "--seed", "1", "--format", "html",
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote {out}" in result.stderr and "group-answers.html" in result.stderr
    sheet = out.read_text(encoding="utf-8")
    key = (tmp_path / "group-answers.html").read_text(encoding="utf-8")
    assert sheet.startswith("<!DOCTYPE html>") and key.startswith("<!DOCTYPE html>")
    # a card's formula is part of the answer: it is printed in the key, not on the sheet
    assert '<p class="formula">(k · k · Cᵢₙ + 1) · Cₒᵤₜ</p>' in key
    assert "(k · k · Cᵢₙ + 1)" not in sheet
    assert "\\cdot" not in key and "\\frac" not in key
    assert sheet.count("<li>") >= 13 and "Generated practice" in sheet
    assert "<em>Why:</em> Each of the C_out filters" in key


def test_markdown_sheet_to_files(tmp_path: Path) -> None:
    out = tmp_path / "s.md"
    result = quiz("sheet", "--deck", "mixed", "--n", "3", "--seed", "5", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Mixed types")
    assert (tmp_path / "s-answers.md").read_text(encoding="utf-8").startswith("# Answer key")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "--format must be 'md' or 'html', not 'pdf'"),
        (["--lang", "fr"], "--lang must be 'en', 'ko' or 'both', not 'fr'"),
        (["--format", "html"], "--format html writes two pages: give --out FILE.html"),
        (["--deck", "fiv"], "no deck 'fiv'; did you mean 'five'?"),
        (["--tag", "nope"], "no card has the tag 'nope'"),
        (["--n", "0"], "--n must be between 1 and 200, not 0"),
        (["--out", "/nonexistent/dir/s.md"], "/nonexistent/dir/s.md: No such file or directory"),
    ],
)
def test_sheet_errors_are_one_clean_line(args: list[str], message: str) -> None:
    clean_error(quiz("sheet", "--deck", "five", "--seed", "1", *args), message)


# ---- taking a quiz at the prompt ---------------------------------------------------------


def typed_answer(q: Question, right: bool) -> str:
    match q.kind:
        case Kind.CHOICE:
            pos = q.right_options[0] if right else (q.right_options[0] + 1) % len(q.options)
            return "abcde"[pos]
        case Kind.MULTI:
            picks = q.right_options if right else q.right_options[:1]
            return " ".join("abcde"[p] for p in picks)
        case Kind.TRUEFALSE:
            return "t" if q.card.answer_bool == right else "f"
        case Kind.NUMERIC:
            return f"{q.answer_number:g}" if right else "-1"
        case Kind.ORDER:
            shown = {item: pos for pos, item in enumerate(q.options)}
            order = [shown[i] + 1 for i in range(len(q.options))]
            return " ".join(map(str, order if right else order[::-1]))
    raise AssertionError(q.kind)


def test_take_a_quiz_then_see_it_in_the_history(tmp_path: Path) -> None:
    spec = QuizSpec(decks=("five",), n=5, fresh=True, seed=3)
    questions = draw_questions(quiz_cards(), spec, random.Random(3))
    missed = questions[1]
    lines = [typed_answer(q, right=q is not missed) for q in questions]
    lines.insert(0, "zz")  # not an answer: asked again, nothing lost
    result = quiz(
        "--deck", "five", "--n", "5", "--seed", "3", "--fresh", "--timed", "20m",
        stdin="\n".join([*lines, "y"]) + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Quiz · Five questions — 5 questions, 20:00 (seed 3)" in out
    assert "1/5  ⏱ 20:00 left" in out
    with pytest.raises(AnswerError) as refused:
        questions[0].parse("zz")
    assert str(refused.value) in out
    score = 4 + missed.check(missed.parse(lines[2])).score
    assert f"Score {score:g} / 5 ({score * 20:.0f}%)" in out
    assert "Missed (1)" in out and missed.card.explain.en in out
    assert "1 card(s) will come first in your next review." in out

    with Store.open(Settings.load()) as store:
        [record] = quizlog.history(store)
        assert record.questions == 5 and record.answered == 5
        assert quizlog.flagged_keys(store, record.started) == [missed.key]

    history = quiz("history", "--json")
    assert history.exit_code == 0, history.output
    data = json.loads(history.stdout)
    assert [q["questions"] for q in data["quizzes"]] == [5]
    assert data["trends"]["quizzes"] == 1
    assert data["trends"]["most_missed"][0]["key"] == missed.key
    text = quiz("history").stdout
    assert "1 quizzes" in text and "five" in text and "Most missed" in text


def test_quitting_early_keeps_the_answers_given(tmp_path: Path) -> None:
    spec = QuizSpec(decks=("five",), n=5, fresh=True, seed=8)
    first = draw_questions(quiz_cards(), spec, random.Random(8))[0]
    result = quiz(
        "--deck", "five", "--n", "5", "--seed", "8", "--fresh", "--feedback", "end",
        stdin=f"{typed_answer(first, right=True)}\n/quit\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Quiz ended early." in result.stdout and "Score 1 / 5 (20%)" in result.stdout
    assert "✓ right" not in result.stdout.split("Results")[0]  # feedback at the end only
    assert "Nothing missed." in result.stdout
    history = json.loads(quiz("history", "--json").stdout)
    assert history["quizzes"][0]["answered"] == 1


def test_nothing_answered_saves_nothing() -> None:
    result = quiz("--deck", "five", "--n", "2", "--seed", "1", stdin="/quit\n")
    assert result.exit_code == 0
    assert "Nothing answered: the quiz was not saved." in result.stdout
    assert "No quizzes yet" in quiz("history").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timed", "20x"], "--timed: '20x' is not a duration: use e.g. 20m, 90s or 1h30m"),
        (["--feedback", "later"], "--feedback must be 'immediate' or 'end', not 'later'"),
        (["--lang", "de"], "--lang must be 'en' or 'ko', not 'de'"),
        (["--deck", "nope"], "no deck 'nope'"),
        (["--n", "500"], "--n must be between 1 and 200, not 500"),
    ],
)
def test_quiz_errors_are_one_clean_line(args: list[str], message: str) -> None:
    clean_error(quiz(*args), message)


def test_a_broken_database_is_one_clean_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "progress.db").write_bytes(b"not a database at all" * 10)
    monkeypatch.setenv("STUDYTOOL_DATA", str(data))
    clean_error(quiz("history"), "progress.db")

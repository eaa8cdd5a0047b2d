"""Predict, then run, in the TUI and the CLI: the demo screen asks a demo's questions before the
run, scores them against the run's answers, stores them (log and database) and shows them; r
with the same values does not ask again, Esc skips, a run without answers scores nothing.
`demo run --json --guess` and `demo list --json` expose the questions and the score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from demo_kit import WORKER_ENV, shown
from kit import DECKS, make_app, settle, text_of, wait_for
from textual.widgets import Input, Static
from typer.testing import CliRunner

from studytool.cli import app as cli_app
from studytool.cli.common import CliState
from studytool.config import Settings
from studytool.content.library import load_library
from studytool.demorun import catalog
from studytool.demorun import runner as runner_module
from studytool.store.predictions import ConceptAccuracy, accuracy_by_concept
from studytool.tui.demo import DemoScreen
from studytool.tui.demo_predict import PredictScreen

pytestmark = pytest.mark.torch


def prediction_lines(data: Path) -> list[dict[str, object]]:
    files = sorted((data / "progress" / "devices").glob("*/*.jsonl"))
    lines = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    return [e for e in lines if e["type"] == "prediction"]


@pytest.mark.tui
async def test_a_prediction_is_asked_answered_scored_and_stored(
    tmp_path: Path, runner, package: Path
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        assert app.store is not None
        screen = DemoScreen("oracle", "basics/sgd-update", runner=runner, package_dir=package)
        app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#param-heads", Input).value = "6"
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PredictScreen), 5, "the questions")
        assert screen.state is None  # nothing runs before the student commits
        ask = app.screen
        prompts = [text_of(w.content).strip() for w in ask.query(".predict-prompt").results(Static)]
        assert prompts == ["Which side comes up more often?", "How many heads?"]
        # side: b (tails), wrong at 6 heads of 8; heads: 5, right within the tolerance of 1
        await pilot.press("down", "enter")
        assert ask.choices == {"side": 1}
        await pilot.press("5", "enter")
        await wait_for(pilot, lambda: screen.state is not None and screen.state.done, 45)
        await wait_for(pilot, lambda: bool(screen.scored), 10, "the saved score")

        table = shown(screen, "#predictions")
        assert "b. tails" in table and "a. heads" in table  # the guess next to the run's answer
        assert "✗ wrong" in table and "✓ right" in table and "5 heads" in table
        assert "saved to basics/relu, basics/sgd-update" in table
        lines = prediction_lines(tmp_path)  # on disk before the score was shown
        assert {(e["key"], e["q"], e["correct"]) for e in lines} == {
            ("basics/relu", "side", False),
            ("basics/sgd-update", "heads", True),
        }
        assert all(e["demo"] == "oracle" and e["concept"] == "predicting" for e in lines)
        assert accuracy_by_concept(app.store) == [ConceptAccuracy("predicting", 2, 1)]
        card = app.store.card("basics/sgd-update")
        assert card is not None and card.state.is_new  # FSRS state untouched

        # r with the same values: no questions, nothing scored or stored twice
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is screen
        await wait_for(pilot, lambda: screen.state is not None and screen.state.done, 45)
        await pilot.pause()
        assert not screen.scored and not screen.query_one("#predictions").display
        assert len(prediction_lines(tmp_path)) == 2


@pytest.mark.tui
async def test_a_guess_that_is_not_a_number_is_refused_in_the_apps_language(
    tmp_path: Path, package: Path
) -> None:
    questions = catalog.get_demo("oracle", package).predictions
    app = make_app(tmp_path, open_store=False, lang="ko")
    async with app.run_test(size=(100, 36)) as pilot:
        ask = PredictScreen(questions, "ko")
        app.push_screen(ask)
        await pilot.pause()
        ask.query_one("#q-heads", Input).value = "넷"
        ask.submit()
        await pilot.pause()
        assert app.screen is ask  # still asking
        msg = text_of(ask.query_one("#predict-msg", Static).content).strip()
        assert msg == "heads: '넷'은(는) 숫자가 아님 (단위: heads)"


@pytest.mark.tui
async def test_esc_skips_the_questions_and_a_failed_run_scores_nothing(
    tmp_path: Path, runner, package: Path
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        screen = DemoScreen("oracle", runner=runner, package_dir=package)
        app.push_screen(screen)
        await pilot.pause()
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PredictScreen), 5, "the questions")
        await pilot.press("escape")  # skip: the run starts all the same
        await wait_for(pilot, lambda: screen.state is not None and screen.state.done, 45)
        assert screen.state.verdict is not None and not screen.scored

        # other values ask again; the run raises, so there is no answer to score against
        screen.query_one("#param-explode").value = True
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PredictScreen), 5, "the questions")
        await pilot.press("enter")  # a
        await pilot.press("enter")  # the empty number box: skipped; submits
        await wait_for(pilot, lambda: screen.state is not None and screen.state.done, 45)
        await wait_for(pilot, lambda: bool(screen.scored), 10, "the score")
        table = shown(screen, "#predictions")
        assert "no answer from the run" in table and "skipped" in table
        assert prediction_lines(tmp_path) == []


# ---- the CLI ----------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, package: Path, monkeypatch: pytest.MonkeyPatch):
    """`studytool demo ...` on the fixture decks, with the test package's demos in place of the
    shipped ones (the catalogue reads them; the worker imports them from the package)."""
    real_get, real_run = catalog.get_demo, runner_module.DemoRunner.run
    monkeypatch.setattr(catalog, "get_demo", lambda name, d=None: real_get(name, d or package))
    monkeypatch.setattr(
        catalog, "list_demos", lambda d=None, real=catalog.list_demos: real(d or package)
    )

    def run(self, demo, *args, **kw):
        return real_run(self, demo, *args, module=f"{package.name}.{demo}", **kw)

    monkeypatch.setattr(runner_module.DemoRunner, "run", run)
    real_pool = runner_module.WorkerPool.__init__

    def pool(self, **kw):
        real_pool(self, **kw, extra_paths=[str(package.parent)], env=WORKER_ENV)

    monkeypatch.setattr(runner_module.WorkerPool, "__init__", pool)
    settings = Settings(content_dirs=(DECKS,), data_dir=tmp_path)
    state = CliState(settings=settings, library=load_library((DECKS,), builtin=False))

    def invoke(*args: str):
        return CliRunner().invoke(cli_app, ["demo", *args], obj=state)

    return invoke


def test_cli_list_json_has_the_questions(cli) -> None:
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    oracle = next(d for d in json.loads(result.output) if d["name"] == "oracle")
    side, heads = oracle["predictions"]
    assert side["kind"] == "choice" and side["options_ko"] == ["앞면", "뒷면"]
    assert side["card"] == "basics/relu"
    assert heads["kind"] == "number" and heads["tolerance"] == 1.0 and heads["unit"] == "heads"


def test_cli_run_json_asks_first_and_scores_and_logs_the_guesses(cli, tmp_path: Path) -> None:
    result = cli(
        "run", "oracle", "--json", "-p", "heads=2", "--guess", "side=b", "--guess", "heads=4 heads"
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert events[0]["type"] == "predictions" and events[0]["demo"] == "oracle"
    assert [q["id"] for q in events[0]["questions"]] == ["side", "heads"]
    assert [e["type"] for e in events[-3:]] == ["verdict", "prediction", "done"]
    result_line = events[-2]
    assert result_line["logged"] == 2
    by_id = {r["id"]: r for r in result_line["results"]}
    assert by_id["side"]["correct"] is True and by_id["side"]["answer"] == 1
    assert by_id["heads"]["correct"] is False and by_id["heads"]["guess"] == 4.0
    assert {(e["key"], e["correct"]) for e in prediction_lines(tmp_path)} == {
        ("basics/relu", True),
        ("basics/sgd-update", False),
    }
    progress = CliState(settings=Settings(data_dir=tmp_path))
    stats = CliRunner().invoke(cli_app, ["stats", "--json"], obj=progress)
    assert json.loads(stats.output)["predictions"] == [
        {"concept": "predicting", "predictions": 2, "right": 1, "accuracy": 0.5}
    ]
    text = CliRunner().invoke(cli_app, ["stats"], obj=progress)
    assert "predictions before demos:\n  predicting: 1 of 2 right (50.0%)" in text.output


def test_cli_run_json_without_guesses_has_no_score_and_a_failed_run_logs_nothing(
    cli, tmp_path: Path
) -> None:
    plain = [json.loads(x) for x in cli("run", "oracle", "--json").output.splitlines()]
    assert plain[0]["type"] == "predictions" and "prediction" not in {e["type"] for e in plain}
    failed = cli("run", "oracle", "--json", "-p", "explode=true", "-g", "side=a")
    assert failed.exit_code == 3
    events = [json.loads(x) for x in failed.output.splitlines()]
    (scored,) = [e for e in events if e["type"] == "prediction"]
    assert scored["logged"] == 0
    assert [r["not_scored"] for r in scored["results"]] == ["no answer", "skipped"]
    assert prediction_lines(tmp_path) == []


@pytest.mark.parametrize(
    ("guess", "message"),
    [
        ("side=c", "side: 'c' is not an option: give 1-2 or a-b"),
        ("heads=four", "heads: 'four' is not a number (in heads)"),
        ("tails=1", "unknown question 'tails' (known: side, heads)"),
        ("side", "bad --guess 'side': use QUESTION=ANSWER"),
    ],
)
def test_cli_bad_guess_exits_2_with_one_line(cli, guess: str, message: str) -> None:
    result = cli("run", "oracle", "--json", "--guess", guess)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_run_live_shows_the_scored_table(cli) -> None:
    result = cli("run", "oracle", "-p", "heads=7", "-g", "side=1", "-g", "heads=7")
    assert result.exit_code == 0, result.output
    assert "your predictions" in result.output and result.output.count("right") >= 2


def test_cli_asks_on_a_terminal_and_enter_skips(
    package: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from studytool.cli.demo import _ask

    meta = catalog.get_demo("oracle", package)
    answers = iter(["c", "b", ""])  # c is no option: asked again
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    assert _ask(meta.predictions, "en") == {"side": 1.0, "heads": None}
    out = capsys.readouterr().out
    assert "Which side comes up more often?" in out and "b. tails" in out
    assert "'c' is not an option" in out

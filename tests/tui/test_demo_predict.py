"""Predict, then run, in the TUI: the demo screen asks a demo's questions before the run,
scores them against the run's answers, stores them (log and database) and shows them; r with
the same values does not ask again, Esc skips, a run without answers scores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from demo_kit import make_runner, make_test_package, shown
from kit import make_app, settle, text_of, wait_for
from textual.widgets import Input, Static

from studytool.store.predictions import ConceptAccuracy, accuracy_by_concept
from studytool.tui.demo import DemoScreen
from studytool.tui.demo_predict import PredictScreen

pytestmark = [pytest.mark.tui, pytest.mark.torch]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_test_package(tmp_path_factory.mktemp("predict_pkgs"))


@pytest.fixture(scope="module")
def runner(package: Path):
    r = make_runner(package.parent)
    r.prewarm()
    yield r
    r.shutdown()


def prediction_lines(data: Path) -> list[dict[str, object]]:
    files = sorted((data / "progress" / "devices").glob("*/*.jsonl"))
    lines = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    return [e for e in lines if e["type"] == "prediction"]


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

"""The Stats screen's table of predictions before demo runs, per concept (bilingual), hidden
until one is scored."""

from __future__ import annotations

from pathlib import Path

import pytest
from kit import make_app, settle, text_of
from textual.widgets import Static

from studytool.store.predictions import record_prediction
from studytool.tui.stats import StatsScreen

pytestmark = pytest.mark.tui


async def test_stats_show_prediction_accuracy_per_concept(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store = app.store
        assert store is not None
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert not screen.query_one("#prediction-accuracy").display  # none scored yet
        await pilot.press("escape")
        for i, (key, concept, right) in enumerate(
            [
                ("basics/sgd-update", "optimizers", True),
                ("basics/sgd-update", "optimizers", False),
                ("basics/relu", "optimizers", True),
                ("basics/relu", "activations", False),
            ]
        ):
            record_prediction(
                store, key=key, demo="d", concept=concept, question=f"q{i}",
                guess=1, answer=1 if right else 0, correct=right,
            )  # fmt: skip
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.stats is not None
        await pilot.press("4")
        box = screen.query_one("#prediction-accuracy", Static)
        assert box.display
        lines = text_of(box.content, 120).splitlines()  # type: ignore[arg-type]
        assert "Predictions before demos" in lines[0]
        row = next(line.split() for line in lines if "optimizers" in line)
        assert row == ["optimizers", "3", "2", "67%"]
        assert next(line.split() for line in lines if "activations" in line)[1:] == [
            "1", "0", "0%",
        ]  # fmt: skip
        assert screen.stats.retention.reviews == 0  # predictions are not reviews
        await pilot.press("l")  # the language key switches the table too
        await pilot.pause()
        ko = text_of(box.content, 120)  # type: ignore[arg-type]
        assert "데모 전 예측" in ko and "정확도" in ko

"""Memory calibration: the metrics, the (predicted R, passed) pairs from the log, and
`stats --json`."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import pytest
from fsrs import Card as FsrsCard
from fsrs import Scheduler, State
from storekit import NOW, make_deck
from typer.testing import CliRunner

from studytool.cli import app
from studytool.cli.common import CliState
from studytool.config import Settings
from studytool.content.model import LoadResult
from studytool.store.calibration import calibrate, log_loss, reliability, rmse_bins
from studytool.store.history import answer_seconds, recall_pairs
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import Rating


def test_metrics_by_hand() -> None:
    pairs = [(0.9, True), (0.9, False), (0.25, False), (0.95, True)]
    expected = -(math.log(0.9) + math.log(0.1) + math.log(0.75) + math.log(0.95)) / 4
    assert log_loss(pairs) == pytest.approx(expected)
    bins = reliability(pairs)
    assert [b.count for b in bins] == [0, 0, 1, 0, 0, 0, 0, 0, 0, 3]
    top = bins[9]
    assert top.predicted == pytest.approx(2.75 / 3) and top.actual == pytest.approx(2 / 3)
    assert (bins[2].predicted, bins[2].actual) == (0.25, 0.0)
    # weighted by count: the 0.9-bin is off by 0.25, the 0.2-bin by 0.25
    assert rmse_bins(pairs) == pytest.approx(math.sqrt((3 * 0.25**2 + 0.25**2) / 4))
    # a perfect forecaster of these outcomes
    assert rmse_bins([(1.0, True), (0.0, False)]) == 0.0
    empty = calibrate([])
    assert (empty.reviews, empty.log_loss, empty.rmse_bins) == (0, None, None)
    assert len(empty.bins) == 10 and calibrate(pairs).to_dict()["bins"][9]["count"] == 3


def test_recall_pairs_use_the_logged_before_state(store: Store) -> None:
    store.sync(make_deck("d", 3), now=NOW)
    t = NOW
    for rating in (Rating.Good, Rating.Good):  # learning steps: same day, not predictions
        store.grade("d/c000", rating, t, duration_ms=4000)
        t += timedelta(minutes=10)
    rec = store.card("d/c000")
    assert rec is not None and rec.state.stability is not None
    later = NOW + timedelta(days=5, hours=1)
    store.grade("d/c000", Rating.Again, later, duration_ms=90_000)
    store.grade("d/c001", Rating.Good, later, mode=Mode.QUIZ, duration_ms=6000)
    store.grade("d/c001", Rating.Good, later, mode=Mode.CRAM)
    pairs = recall_pairs(store)
    # fsrs's own retrievability of the card as it was before the lapse
    card = FsrsCard(
        state=State.Review,
        stability=rec.state.stability,
        difficulty=rec.state.difficulty,
        due=later,
        last_review=rec.state.last_review,
    )
    assert pairs == [(pytest.approx(Scheduler().get_card_retrievability(card, later)), False)]
    # seconds per review-mode answer, each capped at a minute; quiz answers left out
    assert answer_seconds(store) == pytest.approx((4 + 4 + 60) / 3)


def test_stats_json_has_the_calibration(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", content_dirs=())
    with Store.open(settings, now=NOW) as store:
        store.sync(make_deck("d", 2), now=NOW)
        for key in ("d/c000", "d/c001"):
            store.grade(key, Rating.Easy, NOW - timedelta(days=20))
            store.grade(key, Rating.Good, NOW - timedelta(days=1))
    state = CliState(settings=settings, library=LoadResult())
    result = CliRunner().invoke(app, ["stats", "--json"], obj=state)
    assert result.exit_code == 0, result.output
    cal = json.loads(result.stdout)["calibration"]
    assert cal["reviews"] == 2 and len(cal["bins"]) == 10
    assert sum(b["count"] for b in cal["bins"]) == 2 and cal["log_loss"] > 0
    text = CliRunner().invoke(app, ["stats"], obj=state)
    assert "memory calibration over 2 reviews: log loss" in text.stdout

"""The workload simulator: each vectorised step is fsrs's own, and the table behaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from studytool.config import SchedulerSettings, Settings
from studytool.content.model import Card, CardType, Text
from studytool.store.limits import DailyLimits
from studytool.store.repo import Store
from studytool.store.state import FsrsState
from studytool.study.simulate import (
    RETENTIONS,
    SimCard,
    _Fsrs,
    simulate,
    simulate_store,
)

T0 = datetime(2026, 1, 5, 12, tzinfo=UTC)
DAY_MS = 86_400_000
NOW_MS = int(T0.timestamp() * 1000)


def _scheduler(retention: float = 0.9) -> Scheduler:
    return Scheduler(desired_retention=retention, enable_fuzzing=False)


def _ours() -> _Fsrs:
    return _Fsrs(DEFAULT_PARAMETERS, SchedulerSettings(enable_fuzzing=False))


@pytest.mark.parametrize("rating", list(Rating))
@pytest.mark.parametrize(("s", "d", "elapsed"), [(0.5, 9.0, 1), (3.0, 5.0, 4), (40.0, 2.5, 90)])
def test_a_review_step_is_fsrs_review_card(
    rating: Rating, s: float, d: float, elapsed: int
) -> None:
    sched, ours = _scheduler(0.85), _ours()
    card = FsrsCard(state=State.Review, stability=s, difficulty=d, due=T0, last_review=T0)
    after, _ = sched.review_card(card, rating, T0 + timedelta(days=elapsed))
    if rating == Rating.Again:  # then Good through the one relearning step, the same day
        after, _ = sched.review_card(after, Rating.Good, after.due)
    r = ours.retrievability(np.array([float(elapsed)]), np.array([s]))
    rr = np.array([int(rating)])
    new_s = ours.next_stability(np.array([d]), np.array([s]), r, rr)
    new_d = ours.next_difficulty(np.array([d]), rr)
    new_s, new_d = ours.steps(new_s, new_d, np.array([1 if rating == Rating.Again else 0]))
    assert new_s[0] == pytest.approx(after.stability, rel=1e-12)
    assert new_d[0] == pytest.approx(after.difficulty, rel=1e-12)
    days = ours.interval(new_s, np.array([0.85]), None)[0]
    assert days == (after.due - after.last_review).days


@pytest.mark.parametrize("rating", list(Rating))
def test_a_new_card_through_its_learning_steps_is_fsrs(rating: Rating) -> None:
    sched, ours = _scheduler(), _ours()
    card, _ = sched.review_card(FsrsCard(), rating, T0)
    goods = 0
    while card.state != State.Review:  # Good through the remaining learning steps
        card, _ = sched.review_card(card, Rating.Good, card.due)
        goods += 1
    first = np.array([int(rating)])
    s, d = ours.steps(
        ours.initial_stability(first), ours.initial_difficulty(first, clamp=True), np.array([goods])
    )
    assert (s[0], d[0]) == (pytest.approx(card.stability), pytest.approx(card.difficulty))
    expected_goods = {Rating.Easy: 0, Rating.Good: 1}.get(rating, 2)  # two learning steps
    assert goods == expected_goods


@pytest.mark.parametrize("days", [1, 2, 3, 7, 30, 200])
def test_fuzz_is_fsrs_fuzz(days: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the same uniform draw, our fuzzed interval is fsrs's `_get_fuzzed_interval`."""
    import fsrs.scheduler

    ours = _Fsrs(DEFAULT_PARAMETERS, SchedulerSettings())
    sched = Scheduler()
    # the stability whose interval at 0.9 is `days` (at 0.9, the interval is the stability)
    draws = np.linspace(0, 0.999, 50)
    fuzzed = ours.interval(np.full(50, float(days)), np.array(0.9), draws)
    for u, got in zip(draws, fuzzed, strict=True):
        monkeypatch.setattr(fsrs.scheduler, "random", lambda u=u: u)
        assert got == sched._get_fuzzed_interval(interval=timedelta(days=days)).days
    assert (len(set(fuzzed)) > 1) == (days >= 3)  # no fuzz below 2.5 days


def _new_deck(n: int, deck: str = "d") -> list[SimCard]:
    return [SimCard(deck, FsrsState.NEW) for _ in range(n)]


def test_higher_retention_costs_more_and_keeps_more() -> None:
    sim = simulate(_new_deck(400), now_ms=NOW_MS, days=60)
    assert [r.desired for r in sim.rows] == list(RETENTIONS) and len(sim.rows) == 8
    work = [r.answers_per_day for r in sim.rows]
    kept = [r.retention for r in sim.rows]
    assert work == sorted(work) and work[-1] > 2 * work[0]
    assert kept == sorted(kept) and kept[0] is not None and 0.7 < kept[0] < kept[-1] < 1
    # 20 new cards a day for 20 days, then reviews only
    assert sim.new_cards == 400 and all(len(r.answers) == 60 for r in sim.rows)
    assert sim.rows[0].minutes[0] == pytest.approx(sim.rows[0].answers[0] * 8 / 60)


def test_daily_limits_hold() -> None:
    deck = _new_deck(30, "a") + _new_deck(30, "b")
    none = simulate(deck, now_ms=NOW_MS, days=10, limits=DailyLimits(0, 20, 200))
    assert all(sum(r.answers) == 0 and r.retention is None for r in none.rows)
    # every review card due today, and a cap of 25 reviews: the rest wait
    due = [SimCard("d", FsrsState.REVIEW, 5.0, 5.0, NOW_MS - DAY_MS, NOW_MS - 6 * DAY_MS)] * 300
    capped = simulate(due, now_ms=NOW_MS, days=5, limits=DailyLimits(0, 0, 25))
    for row in capped.rows:  # each review at most twice (a lapse relearns once)
        assert all(25 <= a <= 50 for a in row.answers)


def test_the_same_seed_gives_the_same_table() -> None:
    a = simulate(_new_deck(50), now_ms=NOW_MS, days=30, seed=3)
    b = simulate(_new_deck(50), now_ms=NOW_MS, days=30, seed=3)
    assert a == b


def _card(i: int) -> Card:
    return Card(
        deck="d", id=f"c{i}", type=CardType.BASIC, prompt=Text.plain("q"), back=Text.plain("a")
    )


def test_simulate_store_uses_the_learners_cards_and_durations(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Store.open(Settings(data_dir=tmp_path), now=T0, tz=UTC) as store:
        store.sync([_card(i) for i in range(40)], now=T0)
        for i in range(10):
            store.grade(f"d/c{i}", Rating.Easy, T0, duration_ms=12_000)
        store.grade("d/c10", Rating.Good, T0, duration_ms=600_000)  # capped at a minute
        store.suspend("d/c39")
        sim = simulate_store(store, T0 + timedelta(hours=1), days=20)
    assert sim.cards == 39 and sim.new_cards == 28  # c10 is in learning
    assert sim.seconds_per_answer == pytest.approx((10 * 12 + 60) / 11)
    assert not sim.personal and sim.current == 0.9
    data = sim.to_dict()
    assert data["parameters"] == "default" and len(data["rows"]) == 8
    assert len(data["rows"][4]["daily_reviews"]) == 20


def test_a_small_deck_is_averaged_over_copies() -> None:
    sim = simulate(_new_deck(12), now_ms=NOW_MS, days=30)
    assert (sim.cards, sim.new_cards) == (12, 12)
    for row in sim.rows:  # all 12 on day 0: one to three answers each (learning steps)
        assert 12 <= row.answers[0] <= 36 and row.memorized <= 12
    work = [r.answers_per_day for r in sim.rows]
    assert work == sorted(work)

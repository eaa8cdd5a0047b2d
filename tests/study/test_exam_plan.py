"""The exam-date plan: the predicted recall on the date reaches the target when the minutes
allow it, the shortfall and the minutes that would meet it when they don't."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from fsrs import Card as FsrsCard
from fsrs import Scheduler, State

from studytool.store.state import FsrsState
from studytool.study.exam import ROOM, ExamCard, ExamDateError, ExamPlan, plan_exam

TODAY = date(2026, 3, 2)
START = datetime(2026, 3, 2, 4, tzinfo=UTC)  # the study day starts at 4 am
START_MS = int(START.timestamp() * 1000)
DAY_MS = 86_400_000


def synthetic_deck(n_new: int = 200, n_review: int = 100, seed: int = 3) -> list[ExamCard]:
    """New cards, and cards in review with random stabilities, reviewed up to S days ago."""
    rng = np.random.default_rng(seed)
    out = [ExamCard(f"d/n{i}", "d") for i in range(n_new)]
    for i in range(n_review):
        s = float(rng.lognormal(2.0, 1.0))
        last = START_MS - int(rng.uniform(0, s) * DAY_MS)
        out.append(
            ExamCard(
                f"d/r{i}", "d", FsrsState.REVIEW, s, float(rng.uniform(2, 9)),
                last + int(s * DAY_MS), last,
            )
        )  # fmt: skip
    return out


def _reviewed(stability: float, last: datetime) -> ExamCard:
    """One card in review, last reviewed at `last`, due when FSRS's recall falls to 0.9."""
    ms = int(last.timestamp() * 1000)
    return ExamCard("d/a", "d", FsrsState.REVIEW, stability, 5.0, ms + int(stability * DAY_MS), ms)


def _plan(
    cards: list[ExamCard], days: int, minutes: int, target: float = 0.9, *, search: bool = True
) -> ExamPlan:
    return plan_exam(
        cards,
        today=TODAY,
        exam=TODAY + timedelta(days=days),
        day_start_ms=START_MS,
        minutes=minutes,
        target=target,
        search=search,
    )


def test_the_target_is_reached_when_the_minutes_allow_it() -> None:
    cards = synthetic_deck()
    plan = _plan(cards, 21, 45)
    assert plan.met and plan.below == 0 and plan.unstarted == 0
    assert plan.minutes_needed is None
    assert plan.expected_recall >= 0.9
    # the least minutes that meet the goal, and a quarter more for forgetting
    least = next(m for m in range(1, 46) if _plan(cards, 21, m, search=False).met)
    assert plan.minutes_room == math.ceil(least * ROOM) < 45 and not plan.tight
    assert _plan(cards, 21, least).tight
    assert len(plan.days) == 21 and plan.days[0].day == TODAY
    assert all(d.minutes <= 45 + 1e-6 for d in plan.days)  # within the cap, every day
    assert sum(d.new for d in plan.days) == 200  # every new card is introduced...
    assert all(d.new == 0 for d in plan.days[-5:])  # ...early: the last days are reviews only
    assert plan.days[-1].reviews > 0  # cards due after the date are pulled in before it
    # the first day's keys are what the queue gets
    assert (
        len(plan.today_new) == plan.days[0].new and len(plan.today_reviews) == plan.days[0].reviews
    )


def test_the_shortfall_and_the_minutes_that_would_meet_it() -> None:
    cards = synthetic_deck()
    plan = _plan(cards, 21, 4)
    assert not plan.met
    assert plan.below > 0 and plan.unstarted > 0 and plan.expected_recall < 0.9
    assert all(d.minutes <= 4 + 1e-6 for d in plan.days)
    needed = plan.minutes_needed
    assert needed is not None and needed > 4
    assert _plan(cards, 21, needed).met
    assert not _plan(cards, 21, needed - 1).met
    assert plan.minutes_room == math.ceil(needed * ROOM)
    data = plan.to_dict()
    assert data["met"] is False and data["minutes_needed"] == needed
    assert data["cards_below_target"] == plan.below and len(data["days"]) == 21


def test_a_goal_out_of_reach_says_so() -> None:
    # 3,000 new cards in one day: not even ten hours a day would do
    plan = _plan([ExamCard(f"d/n{i}", "d") for i in range(3000)], 1, 30)
    assert not plan.met and plan.minutes_needed is None


def test_the_prediction_is_fsrs_forgetting_curve() -> None:
    """A card that needs nothing before the date: its predicted recall is fsrs's own."""
    last = START - timedelta(days=3)
    card = _reviewed(40.0, last)
    plan = _plan([card], 10, 30)
    assert plan.met and sum(d.reviews for d in plan.days) == 0
    exam_time = START + timedelta(days=10, hours=12)
    fsrs_card = FsrsCard(state=State.Review, stability=40.0, difficulty=5.0, last_review=last)
    expected = Scheduler().get_card_retrievability(fsrs_card, exam_time)
    assert plan.expected_recall == pytest.approx(expected, abs=1e-9)


def test_a_card_due_after_the_date_is_pulled_in_when_its_recall_would_fall_short() -> None:
    last = START - timedelta(days=1)
    card = _reviewed(20.0, last)
    assert _plan([card], 10, 30, target=0.9).days[-1].reviews == 0  # 0.9 is reached anyway
    plan = _plan([card], 10, 30, target=0.95)
    assert sum(d.reviews for d in plan.days) >= 1 and plan.met


def test_the_date_must_be_after_today() -> None:
    with pytest.raises(ExamDateError, match="must be after today"):
        _plan(synthetic_deck(5, 5), 0, 30)

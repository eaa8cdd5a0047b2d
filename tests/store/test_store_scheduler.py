"""FSRS wrapper: UTC handling, the study day, previews that match grades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card as FsrsCard
from fsrs import Scheduler
from hypothesis import given, settings
from hypothesis import strategies as st
from storekit import NOW, make_card

from studytool.config import SchedulerSettings, Settings
from studytool.store.repo import Store
from studytool.store.scheduler import (
    CardState,
    Rating,
    StudyScheduler,
    as_utc,
    day_window,
    from_ms,
    study_date,
    to_ms,
)
from studytool.store.stats import compute_stats


def test_ms_round_trip_is_exact() -> None:
    dt = datetime(2026, 3, 2, 12, 0, 0, 123000, tzinfo=UTC)
    assert from_ms(to_ms(dt)) == dt
    assert to_ms(datetime(1970, 1, 1, tzinfo=UTC)) == 0


def test_as_utc_truncates_and_converts() -> None:
    seoul = timezone(timedelta(hours=9))
    dt = datetime(2026, 3, 2, 21, 0, 0, 123456, tzinfo=seoul)
    out = as_utc(dt)
    assert out.tzinfo is UTC and out == datetime(2026, 3, 2, 12, 0, 0, 123000, tzinfo=UTC)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        to_ms(datetime(2026, 1, 1))


def test_day_start_hour_decides_today() -> None:
    tz = ZoneInfo("Asia/Seoul")
    # 03:30 in Seoul is still yesterday's study day with a 4 am day start
    early = datetime(2026, 3, 2, 3, 30, tzinfo=tz)
    assert study_date(early, 4, tz).isoformat() == "2026-03-01"
    start, end = day_window(early, 4, tz)
    assert start == datetime(2026, 3, 1, 4, tzinfo=tz)
    assert end == datetime(2026, 3, 2, 4, tzinfo=tz)
    assert start.tzinfo is UTC


def test_day_window_across_dst_is_23_hours() -> None:
    tz = ZoneInfo("America/New_York")
    # DST starts on 2026-03-08 at 2 am, inside the study day that began on the 7th at 4 am
    start, end = day_window(datetime(2026, 3, 7, 12, tzinfo=tz), 4, tz)
    assert end - start == timedelta(hours=23)


def test_scheduler_uses_settings() -> None:
    s = SchedulerSettings(
        desired_retention=0.85,
        learning_steps_min=(2.0,),
        relearning_steps_min=(5.0, 15.0),
        maximum_interval=100,
        enable_fuzzing=False,
    )
    sched = StudyScheduler(s).fsrs
    assert sched.desired_retention == 0.85
    assert sched.learning_steps == (timedelta(minutes=2),)
    assert sched.relearning_steps == (timedelta(minutes=5), timedelta(minutes=15))
    assert sched.maximum_interval == 100
    assert sched.enable_fuzzing is False


def test_new_card_preview_is_the_learning_steps() -> None:
    p = StudyScheduler().preview(1, CardState.new(), NOW)
    assert p[Rating.Again] == timedelta(minutes=1)
    assert p[Rating.Hard] == timedelta(minutes=5, seconds=30)
    assert p[Rating.Good] == timedelta(minutes=10)
    assert p[Rating.Easy] >= timedelta(days=1)


def _reviewed(sched: StudyScheduler, ratings: list[Rating], card_id: int = 7) -> CardState:
    state = CardState.new()
    t = NOW
    for r in ratings:
        state = sched.review(card_id, state, r, t)
        assert state.due is not None
        t = max(state.due, t + timedelta(minutes=1))
    return state


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(list(Rating)), min_size=0, max_size=8),
    st.sampled_from(list(Rating)),
    st.integers(min_value=0, max_value=400),
)
def test_preview_equals_the_grade(history: list[Rating], rating: Rating, wait_days: int) -> None:
    """Fuzz is seeded per card and rating: the interval shown is the interval given."""
    sched = StudyScheduler()
    state = _reviewed(sched, history)
    now = (state.due or NOW) + timedelta(days=wait_days)
    preview = sched.preview(7, state, now)
    after = sched.review(7, state, rating, now)
    assert after.due == as_utc(now) + preview[rating]


def test_review_matches_plain_fsrs_without_fuzz() -> None:
    sched = StudyScheduler(SchedulerSettings(enable_fuzzing=False))
    ours = _reviewed(sched, [Rating.Good, Rating.Good, Rating.Hard, Rating.Again, Rating.Good])
    plain = Scheduler(enable_fuzzing=False)
    card = FsrsCard(card_id=7, due=NOW)
    t = NOW
    for r in [Rating.Good, Rating.Good, Rating.Hard, Rating.Again, Rating.Good]:
        card, _ = plain.review_card(card, r, t)
        t = max(card.due, t + timedelta(minutes=1))
    assert ours == CardState.from_fsrs(card)


def test_fuzz_leaves_the_global_random_state_alone() -> None:
    import random

    random.seed(123)
    expected = [random.random() for _ in range(3)]
    random.seed(123)
    StudyScheduler().review(1, _reviewed(StudyScheduler(), [Rating.Good] * 3), Rating.Good, NOW)
    assert [random.random() for _ in range(3)] == expected


def test_average_retrievability_matches_fsrs(tmp_path: Path) -> None:
    """stats computes retrievability in SQL; it must agree with fsrs's own formula."""
    with Store.open(Settings(data_dir=tmp_path), now=NOW, tz=UTC) as store:
        store.sync([make_card("d", "a")], now=NOW)
        for k in range(3):
            store.grade("d/a", Rating.Good, NOW + timedelta(days=k * 3))
        rec = store.card("d/a")
        assert rec is not None
        later = NOW + timedelta(days=17, hours=5)
        expected = store.scheduler.retrievability(rec.id, rec.state, later)
        assert compute_stats(store, None, later).average_retrievability == pytest.approx(
            expected, rel=1e-12
        )

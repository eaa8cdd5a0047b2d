"""Stats: due today, forecast, reviews per day, streaks, true retention, retrievability."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from storekit import NOW, make_card, make_deck

from studytool.config import Settings
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import Rating
from studytool.store.stats import _streaks, compute_stats


def test_empty_store(store: Store) -> None:
    s = compute_stats(store, [], NOW)
    assert s.due_today == 0 and s.new_available == 0
    assert len(s.forecast) == 30 and len(s.reviews_per_day) == 365
    assert s.reviews_per_day[-1][0].isoformat() == "2026-03-02"
    assert (s.current_streak, s.longest_streak) == (0, 0)
    assert s.retention.rate is None and s.average_retrievability is None
    json.dumps(s.to_dict())


def test_reviews_per_day_and_streaks(store: Store) -> None:
    cards = make_deck("d", 3)
    store.sync(cards, now=NOW)
    days = [-5, -4, -3, -1, 0]
    for d in days:
        store.grade("d/c000", Rating.Good, NOW + timedelta(days=d))
    store.grade("d/c001", Rating.Good, NOW, mode=Mode.CRAM)
    # 03:00 is before the 4 am day start: it belongs to the previous study day
    store.grade("d/c002", Rating.Good, NOW.replace(hour=3) - timedelta(days=7))
    s = compute_stats(store, cards, NOW)
    per_day = {d.isoformat(): n for d, n in s.reviews_per_day if n}
    assert per_day == {
        "2026-02-22": 1,
        "2026-02-25": 1,
        "2026-02-26": 1,
        "2026-02-27": 1,
        "2026-03-01": 1,
        "2026-03-02": 2,
    }
    assert s.current_streak == 2 and s.longest_streak == 3


def test_streak_counts_from_yesterday_until_today_ends() -> None:
    assert _streaks([1, 2, 3, 5, 6], today=7) == (2, 3)
    assert _streaks([1, 2, 3, 5, 6, 7], today=7) == (3, 3)
    assert _streaks([1, 2, 3], today=7) == (0, 3)
    assert _streaks([], today=7) == (0, 0)


def test_due_today_forecast_and_new(store: Store) -> None:
    cards = make_deck("d", 25)
    store.sync(cards, now=NOW)
    store.grade("d/c000", Rating.Again, NOW - timedelta(minutes=2))  # learning, due now
    r = store.grade("d/c001", Rating.Easy, NOW - timedelta(days=30))  # review, overdue
    assert r.after.due is not None and r.after.due < NOW
    r2 = store.grade("d/c002", Rating.Easy, NOW)  # review, due in some days
    s = compute_stats(store, cards, NOW)
    assert (s.due_learning, s.due_review) == (1, 1)
    # 2 first reviews today (c001's was 30 days ago): 18 more allowed, 22 exist
    assert s.new_available == 18
    forecast = dict(s.forecast)
    assert forecast[NOW.date()] == 2  # overdue and learning count today
    due2 = r2.after.due
    assert due2 is not None
    assert forecast[(due2 - timedelta(hours=4)).date()] == 1
    assert sum(forecast.values()) == 3
    assert s.counts == {
        "new": 22,
        "learning": 1,
        "review": 2,
        "relearning": 0,
        "suspended": 0,
        "orphaned": 0,
        "total": 25,
    }


def test_true_retention_per_deck(store: Store) -> None:
    cards = [make_card("a", "x"), make_card("a", "y"), make_card("b", "z")]
    store.sync(cards, now=NOW)
    t = NOW - timedelta(days=100)
    for key in ("a/x", "a/y", "b/z"):
        store.grade(key, Rating.Easy, t)  # new -> review: not counted (was not in review)
    store.grade("a/x", Rating.Good, t + timedelta(days=20))
    store.grade("a/y", Rating.Again, t + timedelta(days=20))  # a lapse
    store.grade("b/z", Rating.Hard, t + timedelta(days=20))
    store.grade("b/z", Rating.Again, t + timedelta(days=21), mode=Mode.CRAM)  # cram: ignored
    s = compute_stats(store, cards, NOW)
    assert s.deck_retention["a"].reviews == 2 and s.deck_retention["a"].rate == 0.5
    assert s.deck_retention["b"].rate == 1.0
    assert (s.retention.reviews, s.retention.passed) == (3, 2)
    assert s.average_retrievability is not None and 0 < s.average_retrievability < 1


def test_orphans_and_drafts_are_not_due(store: Store) -> None:
    cards = [make_card("d", "a"), make_card("d", "b", draft=True)]
    store.sync([*cards, make_card("d", "gone")], now=NOW)
    store.grade("d/gone", Rating.Again, NOW - timedelta(minutes=30))
    store.grade("d/b", Rating.Again, NOW - timedelta(minutes=30))
    store.sync(cards, now=NOW)
    s = compute_stats(store, cards, NOW)
    assert s.due_today == 0 and s.counts["orphaned"] == 1
    assert s.new_available == 1


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/New_York", "Asia/Kathmandu"])
def test_study_days_in_other_time_zones(settings: Settings, zone: str) -> None:
    tz = ZoneInfo(zone)
    with Store.open(settings, now=NOW, tz=tz) as store:
        store.sync([make_card("d", "a")], now=NOW)
        local_now = NOW.astimezone(tz).replace(hour=12, minute=0)
        # 04:10 local belongs to today; 03:50 local to yesterday
        store.grade("d/a", Rating.Good, local_now.replace(hour=4, minute=10).astimezone(UTC))
        store.grade("d/a", Rating.Good, local_now.replace(hour=3, minute=50).astimezone(UTC))
        s = compute_stats(store, None, local_now.astimezone(UTC))
        assert [n for _, n in s.reviews_per_day[-2:]] == [1, 1]
        assert s.reviews_per_day[-1][0] == local_now.date()


def _aggregates(store: Store) -> tuple[list[tuple], list[tuple]]:
    return (
        store._read("SELECT quarter, n FROM review_quarters ORDER BY quarter"),
        store._read("SELECT deck, reviews, passed FROM deck_retention WHERE reviews>0 ORDER BY 1"),
    )


def test_aggregates_follow_grades_and_undo(store: Store) -> None:
    cards = [make_card("a", "x"), make_card("b", "y")]
    store.sync(cards, now=NOW)
    store.grade("a/x", Rating.Easy, NOW - timedelta(days=40))
    store.grade("b/y", Rating.Easy, NOW - timedelta(days=40))
    before = _aggregates(store)
    store.grade("a/x", Rating.Again, NOW)
    store.grade("b/y", Rating.Good, NOW, mode=Mode.QUIZ)
    assert _aggregates(store) != before
    assert _aggregates(store)[1] == [("a", 1, 0)]
    store.undo()
    store.undo()
    assert _aggregates(store) == before


def test_review_log_is_append_only(store: Store) -> None:
    from studytool.store.errors import StoreError

    store.sync([make_card("d", "a")], now=NOW)
    store.grade("d/a", Rating.Good, NOW)
    with pytest.raises(StoreError, match="append-only"), store.transaction() as con:
        con.execute("UPDATE revlog SET rating=1")


def test_doctor_rebuilds_wrong_aggregates(store: Store) -> None:
    from studytool.store.doctor import run_doctor

    store.sync([make_card("d", "a")], now=NOW)
    store.grade("d/a", Rating.Easy, NOW - timedelta(days=30))
    store.grade("d/a", Rating.Good, NOW)
    good = _aggregates(store)
    with store.transaction() as con:
        con.execute("DELETE FROM review_quarters")
        con.execute("UPDATE deck_retention SET passed=0")
    report = run_doctor(store, None, NOW)
    assert "aggregates" in {f.code for f in report.findings} and report.ok
    assert _aggregates(store) == good
    assert "aggregates" not in {f.code for f in run_doctor(store, None, NOW).findings}


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"])
def test_days_are_exact_across_dst(settings: Settings, zone: str) -> None:
    """Per-day counts from the 15-minute aggregate agree with mapping every review by hand."""
    import random

    from studytool.store.scheduler import study_date

    tz = ZoneInfo(zone)
    rng = random.Random(zone)
    now = NOW + timedelta(days=200)
    with Store.open(settings, now=now, tz=tz) as store:
        cards = make_deck("d", 40)
        store.sync(cards, now=NOW)
        times = sorted(NOW + timedelta(minutes=rng.randrange(200 * 24 * 60)) for _ in range(400))
        expected: dict[object, int] = {}
        for k, t in enumerate(times):
            store.grade(cards[k % 40].full_id, Rating.Good, t, mode=Mode.QUIZ)
            d = study_date(t, 4, tz)
            expected[d] = expected.get(d, 0) + 1
        s = compute_stats(store, cards, now)
        got = {d: n for d, n in s.reviews_per_day if n}
        assert got == expected


def test_forecast_is_exact_across_dst(settings: Settings) -> None:
    import random

    from studytool.store.scheduler import from_ms, study_date, to_ms

    tz = ZoneInfo("America/New_York")  # DST starts on 2026-03-08
    now = NOW  # 2026-03-02
    rng = random.Random(7)
    with Store.open(settings, now=now, tz=tz) as store:
        cards = make_deck("d", 300)
        store.sync(cards, now=now)
        for c in cards:
            store.grade(c.full_id, Rating.Easy, now - timedelta(days=3))
        # due times all over the next 35 days, many of them right around 4 am local
        dues = []
        for i in range(300):
            base = now + timedelta(days=rng.randrange(-3, 35))
            local4 = base.astimezone(tz).replace(hour=4, minute=0)
            t = local4 + timedelta(minutes=rng.choice([-61, -59, -1, 0, 1, 59, 61, 600]))
            dues.append((to_ms(t), f"d/c{i:03d}"))
        with store.transaction() as con:
            con.executemany("UPDATE cards SET due_ms=? WHERE key=?", dues)
        today = study_date(now, 4, tz)
        expected = [0] * 30
        for ms, _ in dues:
            i = max(0, (study_date(from_ms(ms), 4, tz) - today).days)
            if i < 30:
                expected[i] += 1
        s = compute_stats(store, cards, now)
        assert [n for _, n in s.forecast] == expected
        assert [d for d, _ in s.forecast][7].isoformat() == "2026-03-09"


def test_the_25th_hour_of_a_dst_day_stays_in_that_day(settings: Settings) -> None:
    from datetime import datetime

    from studytool.store.scheduler import to_ms

    tz = ZoneInfo("America/New_York")
    # the study day from 2026-10-31 04:00 EDT to 2026-11-01 04:00 EST lasts 25 hours;
    # 03:30 EST on Nov 1 (08:30 UTC) is in its last hour
    late = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    with Store.open(settings, now=late, tz=tz) as store:
        cards = make_deck("d", 2)
        store.sync(cards, now=late)
        store.grade("d/c000", Rating.Good, late, mode=Mode.QUIZ)
        s = compute_stats(store, cards, datetime(2026, 11, 5, 17, tzinfo=UTC))
        assert {d.isoformat(): n for d, n in s.reviews_per_day if n} == {"2026-10-31": 1}
        store.grade("d/c001", Rating.Easy, late - timedelta(days=30))
        with store.transaction() as con:
            con.execute("UPDATE cards SET due_ms=? WHERE key='d/c001'", (to_ms(late),))
        s = compute_stats(store, cards, datetime(2026, 10, 28, 17, tzinfo=UTC))
        assert {d.isoformat(): n for d, n in s.forecast if n} == {"2026-10-31": 1}

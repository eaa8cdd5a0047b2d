"""Load balancing and easy days: a new interval goes to the least busy day of its fuzz range
(weighed by the weekday's share), never outside that range, and replays to the same day."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
from fsrs import Scheduler
from storekit import NOW, make_deck, make_settings

from studytool.config import ConfigError, SchedulerSettings, Settings
from studytool.store.balance import pick_day
from studytool.store.replay import rebuild, state_hash
from studytool.store.repo import Store
from studytool.store.scheduler import DAY_MS, CardState, Rating, StudyScheduler, fuzz_range
from studytool.store.state import FsrsState

CARDS = 1000
WEEK = 7


def test_pick_day_takes_the_least_loaded_day_and_keeps_fsrs_draw_on_ties() -> None:
    assert pick_day(5, 6, [3, 1, 2], [1.0] * 3) == 6
    assert pick_day(5, 7, [3, 1, 1], [1.0] * 3) == 7  # a tie: the day fsrs drew
    assert pick_day(5, 5, [0, 0, 0], [1.0] * 3) == 5  # an empty schedule: fsrs's own fuzz
    # a half day counts double; a day off is used only when every day is off
    assert pick_day(5, 5, [2, 3, 9], [0.5, 1.0, 1.0]) == 6
    assert pick_day(5, 5, [0, 3, 9], [0.0, 1.0, 1.0]) == 6
    assert pick_day(5, 6, [4, 3], [0.0, 0.0]) == 6


def test_fuzz_range_is_the_fsrs_one() -> None:
    """The range restated against fsrs itself: every interval fsrs draws lies inside it."""
    import random

    fsrs = Scheduler()
    rng = random.Random(1)
    for days in (3, 5, 8, 13, 21, 50, 120, 400):
        low, high = fuzz_range(days, 36500)
        drawn = set()
        for _ in range(300):
            random.seed(rng.random())
            drawn.add(fsrs._get_fuzzed_interval(interval=timedelta(days=days)).days)
        assert low <= days <= high
        # fsrs rounds `low + random() * (n + 1)`: its draws cover the range, and where the
        # rounding goes up, one day more (balancing never picks that day)
        assert set(range(low, high + 1)) <= drawn <= set(range(low, high + 2))
    assert fuzz_range(2, 36500) == (2, 2)
    assert fuzz_range(100, 101) == (93, 101)  # the maximum interval caps it


def _week(tmp_path: Path, scheduler: SchedulerSettings) -> tuple[Store, list[CardState]]:
    """1,000 new cards learnt over a week (143 a day at noon, UTC study days), each answered
    Easy: the store and each card's state after its answer."""
    store = Store.open(make_settings(tmp_path, scheduler=scheduler), now=NOW, tz=UTC)
    cards = make_deck("w", CARDS)
    store.sync(cards, now=NOW)
    afters = []
    for i, card in enumerate(cards):
        when = NOW + timedelta(days=i * WEEK // CARDS, seconds=i)
        afters.append(store.grade(card.review_keys()[0], Rating.Easy, when).after)
    return store, afters


def _daily_due(store: Store) -> dict[date, int]:
    out: dict[date, int] = {}
    for rec in store.records().values():
        assert rec.state.due is not None
        d = rec.state.due.date()
        out[d] = out.get(d, 0) + 1
    return out


def _inside_fuzz_range(afters: list[CardState], sched: StudyScheduler) -> None:
    for after in afters:
        assert after.state == FsrsState.REVIEW
        assert after.due_ms is not None and after.last_review_ms is not None
        days, rest = divmod(after.due_ms - after.last_review_ms, DAY_MS)
        assert rest == 0
        assert after.stability is not None
        low, high = fuzz_range(sched.fsrs._next_interval(stability=after.stability), 36500)
        assert low <= days <= high


@pytest.mark.slow
def test_a_week_of_1000_cards_is_flatter_with_balancing(tmp_path: Path) -> None:
    """The measure: the standard deviation of the daily due counts over the days that have
    any (and the busiest day against the mean), balancing on and off, the same answers."""
    plain, _ = _week(tmp_path / "off", SchedulerSettings(load_balance=False))
    balanced, balanced_after = _week(tmp_path / "on", SchedulerSettings())
    loads = {}
    for name, store in (("off", plain), ("on", balanced)):
        counts = list(_daily_due(store).values())
        assert sum(counts) == CARDS
        loads[name] = (statistics.pstdev(counts), max(counts) / statistics.mean(counts))
    print(f"daily due (std, max/mean): without {loads['off']}, with {loads['on']}")
    # measured: std 45.0 -> 28.1, max/mean 1.85 -> 1.24 (the answers and fuzz seeds are fixed)
    assert loads["on"][0] < 0.7 * loads["off"][0]
    assert loads["on"][1] < 0.8 * loads["off"][1]
    _inside_fuzz_range(balanced_after, balanced.scheduler)
    # the log holds the chosen days: a replay from it alone gives the same schedule
    want = state_hash(balanced)
    rebuild(balanced)
    assert state_hash(balanced) == want
    plain.close()
    balanced.close()


@pytest.mark.slow
def test_easy_days_get_their_share_and_intervals_stay_in_range(tmp_path: Path) -> None:
    # Sundays at half a day's load, Saturdays off
    shares = (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5)
    store, afters = _week(tmp_path, SchedulerSettings(easy_days=shares))
    _inside_fuzz_range(afters, store.scheduler)
    counts = _daily_due(store)
    # the days every card of the week could reach (the middle of the spread)
    first, last = min(counts), max(counts)
    middle = [first + timedelta(days=i) for i in range(3, (last - first).days - 2)]
    normal = [counts.get(d, 0) for d in middle if d.weekday() < 5]
    sundays = [counts.get(d, 0) for d in middle if d.weekday() == 6]
    assert normal and sundays
    assert not any(counts.get(d, 0) for d in counts if d.weekday() == 5)
    assert max(sundays) <= 0.7 * statistics.mean(normal)
    store.close()


def test_a_recorded_due_outside_the_fuzz_range_is_not_trusted(tmp_path: Path) -> None:
    """Replay keeps a logged `due` only inside the range of the interval it recomputes."""
    sched = StudyScheduler(SchedulerSettings())
    after = sched.review(1, CardState.new(), Rating.Easy, NOW)
    assert after.last_review_ms is not None and after.due_ms is not None
    window = sched.fuzz_window(after)
    assert window is not None
    low, high = window
    assert sched.allows_due(after, after.last_review_ms + low * DAY_MS)
    assert sched.allows_due(after, after.last_review_ms + high * DAY_MS)
    assert not sched.allows_due(after, after.last_review_ms + (high + 1) * DAY_MS)
    assert not sched.allows_due(after, after.last_review_ms + low * DAY_MS + 1)


def test_preview_shows_the_balanced_interval_that_grading_gives(tmp_path: Path) -> None:
    store = Store.open(make_settings(tmp_path), now=NOW, tz=UTC)
    cards = make_deck("p", 40)
    store.sync(cards, now=NOW)
    keys = [c.review_keys()[0] for c in cards]
    for key in keys[:-1]:
        store.grade(key, Rating.Easy, NOW)
    shown = store.preview(keys[-1], NOW)
    got = store.grade(keys[-1], Rating.Easy, NOW).after
    assert got.due == NOW + shown[Rating.Easy]
    store.close()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[scheduler]\neasy_days = { sunday = 0.5 }\n", "'sunday' is not one of mon, tue"),
        ("[scheduler]\neasy_days = { sun = 1.5 }\n", "easy_days.sun must be a share"),
        ('[scheduler]\neasy_days = { sun = "half" }\n', "easy_days.sun must be a share"),
        ("[scheduler]\nload_balance = 1\n", "'scheduler.load_balance' must be bool"),
    ],
)
def test_bad_easy_days_say_why(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=why):
        Settings.load(config=path)


def test_easy_days_are_read_monday_first(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[scheduler]\nload_balance = false\neasy_days = { sun = 0.5, mon = 0 }\n")
    s = Settings.load(config=path).scheduler
    assert s.easy_days == (0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5) and not s.load_balance
    assert s.easy_days_table() == {"mon": 0.0, "sun": 0.5}
    assert replace(s, easy_days=(1.0,) * 7).easy_days_table() == {}

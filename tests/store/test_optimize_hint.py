"""The optimize hint: suggested once 512 review-mode answers came since the last fit (adopted
or not, on this machine or, through a synced parameter file, on another), and at most
monthly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from storekit import make_deck

from studytool.store import optimize as optimize_mod
from studytool.store.optimize import HINT_ANSWERS, optimize, optimize_hint
from studytool.store.params import ParamsFile, write_params
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import Rating, to_ms

BASE = datetime(2025, 1, 1, 12, tzinfo=UTC)


def _answers(store: Store, keys: list[str], n: int, start: datetime) -> datetime:
    """`n` review-mode answers round the cards, a day apart per card; the time after them."""
    t = start
    for i in range(n):
        t = start + timedelta(days=i // len(keys) + 1, minutes=i % len(keys))
        store.grade(keys[i % len(keys)], Rating.Good, t)
    return t


@pytest.mark.slow  # about 1,300 grades and a fit
def test_the_hint_counts_review_answers_since_the_last_fit(store: Store) -> None:
    cards = make_deck("d", 100)
    store.sync(cards, now=BASE)
    keys = [c.full_id for c in cards]
    t = _answers(store, keys, HINT_ANSWERS - 1, BASE)
    store.grade(keys[0], Rating.Good, t, mode=Mode.CRAM)  # cram is not counted
    assert optimize_hint(store, t) is None
    t = _answers(store, keys, 300, t)
    assert optimize_hint(store, t) == HINT_ANSWERS - 1 + 300
    # a fit that is not adopted (the defaults again: not better) still counts as the last fit
    res = optimize(store, t, fit=lambda _train: list(DEFAULT_PARAMETERS))
    assert res.evidence is not None and not res.optimized
    assert optimize_hint(store, t) is None
    # 512 more within the month: not yet; a month after the fit: suggested
    t2 = _answers(store, keys, HINT_ANSWERS, t)
    assert t2 - t < timedelta(days=30)
    assert optimize_hint(store, t2) is None
    assert optimize_hint(store, t + timedelta(days=30)) == HINT_ANSWERS


def _fitted_elsewhere(store: Store, device: str, through: datetime) -> None:
    """A parameter file as another machine's adopted fit leaves it (synced here): fitted
    through the last logged event at or before `through`."""
    events = [e for e in store.log.read().sorted() if e["t"] <= to_ms(through)]
    params = ParamsFile(tuple(DEFAULT_PARAMETERS), len(events), events[-1]["id"], 0, "6", device)
    write_params(store.log.root, params)


def test_a_fit_synced_from_another_machine_counts_as_the_last_fit(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(optimize_mod, "HINT_ANSWERS", 10)  # a short history is enough here
    cards = make_deck("d", 5)
    store.sync(cards, now=BASE)
    keys = [c.full_id for c in cards]
    for day in range(1, 61):  # one review-mode answer a day for two months
        store.grade(keys[day % len(keys)], Rating.Good, BASE + timedelta(days=day))
    now = BASE + timedelta(days=61)
    assert optimize_hint(store, now) == 60  # never fitted anywhere
    # fitted elsewhere 41 days ago: a month has passed, the 40 answers since are counted
    _fitted_elsewhere(store, "laptop", BASE + timedelta(days=20))
    assert optimize_hint(store, now) == 40
    # fitted elsewhere 11 days ago (through the day-50 answer): too recent, though 10 came since
    _fitted_elsewhere(store, "desktop", BASE + timedelta(days=50))
    assert optimize_hint(store, now) is None
    assert optimize_hint(store, BASE + timedelta(days=80)) == 10  # a month after that fit

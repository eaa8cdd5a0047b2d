"""Leeches: lapses counted from the review log, the threshold, suspend or tag, `is:leech`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studytool.config import Settings
from studytool.content.model import Card, CardType, Deck, Text
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import Rating
from studytool.study.leech import after_grade, leech_due, leech_keys
from studytool.study.search import BrowseIndex, parse_query

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CARD = Card(
    deck="d",
    id="hard",
    type=CardType.BASIC,
    prompt=Text.plain("front"),
    back=Text.plain("back"),
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(Settings(data_dir=tmp_path / "data"), now=NOW, tz=UTC)
    s.sync([CARD], now=NOW)
    return s


def lapse_cycles(store: Store, n: int, start: datetime) -> datetime:
    """Learn the card, then forget it `n` (< threshold) times, each relearned the next day;
    returns a time when it is due again."""
    t = start
    store.grade("d/hard", Rating.Easy, t)
    for _ in range(n):
        t += timedelta(days=60)
        result = store.grade("d/hard", Rating.Again, t)
        assert after_grade(store, CARD, result) is None  # below the threshold: no panel
        t += timedelta(days=1)
        store.grade("d/hard", Rating.Good, t)
    return t + timedelta(days=60)


def test_the_intervention_comes_at_the_threshold_then_every_half() -> None:
    assert [n for n in range(1, 21) if leech_due(n, 8)] == [8, 12, 16, 20]
    assert [n for n in range(1, 6) if leech_due(n, 1)] == [1, 2, 3, 4, 5]


def test_the_eighth_lapse_suspends_the_card(store: Store) -> None:
    t = lapse_cycles(store, 7, NOW - timedelta(days=900))
    assert store.lapses("d/hard") == 7 and leech_keys(store) == frozenset()
    leech = after_grade(store, CARD, store.grade("d/hard", Rating.Again, t))
    assert leech is not None and leech.lapses == 8 and leech.suspended
    record = store.card("d/hard")
    assert record is not None and record.suspended
    assert leech_keys(store) == {"d/hard"}
    index = BrowseIndex([Deck(id="d", title=Text.plain("d"), path=Path("d.yaml"), cards=(CARD,))])
    assert index.search(parse_query("is:leech")) == []  # not read from the store yet
    index.leeches = leech_keys(store)
    assert index.search(parse_query("is:leech")) == [0]
    assert index.search(parse_query("-is:leech")) == []


def test_tag_only_leaves_the_card_in_the_reviews(store: Store) -> None:
    store.settings = replace(store.settings, leech_action="tag", leech_threshold=3)
    t = lapse_cycles(store, 2, NOW - timedelta(days=900))
    leech = after_grade(store, CARD, store.grade("d/hard", Rating.Again, t))
    assert leech is not None and not leech.suspended
    record = store.card("d/hard")
    assert record is not None and not record.suspended
    assert leech_keys(store) == {"d/hard"}


def test_only_forgetting_a_learnt_card_in_review_is_a_lapse(store: Store) -> None:
    store.settings = replace(store.settings, leech_threshold=1)
    # Again on a new card (a learning step), and Again in cram or a quiz: no lapse
    assert after_grade(store, CARD, store.grade("d/hard", Rating.Again, NOW)) is None
    store.grade("d/hard", Rating.Good, NOW + timedelta(minutes=1))
    store.grade("d/hard", Rating.Good, NOW + timedelta(minutes=15))
    later = NOW + timedelta(days=30)
    for mode in (Mode.CRAM, Mode.QUIZ):
        assert after_grade(store, CARD, store.grade("d/hard", 1, later, mode=mode)) is None
    assert store.lapses("d/hard") == 0
    # forgetting it in review is one
    assert after_grade(store, CARD, store.grade("d/hard", Rating.Again, later)) is not None
    assert store.lapses(["d/hard", "d/other"]) == 1 and store.lapse_counts() == {"d/hard": 1}

"""The daily load (Anki's model): a total of new cards across decks, per-deck sub-limits, a
review cap; the queue, the per-deck counts and the statistics count the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from storekit import NOW, make_deck

from studytool.store.repo import Store
from studytool.store.scheduler import Rating
from studytool.store.stats import compute_stats
from studytool.study.queue import Kind, QueueFilter, build_queue, queues_by_deck
from studytool.study.review import today_counts


def _new(items: list) -> list[str]:
    return [i.key for i in items if i.kind is Kind.NEW]


def test_new_cards_are_limited_in_total_across_decks(store: Store) -> None:
    cards = make_deck("a", 15) + make_deck("b", 15) + make_deck("c", 15)
    store.sync(cards, now=NOW)
    new = _new(build_queue(store, cards, NOW))
    # 20 in all, decks in content order: all of a, then the first 5 of b
    assert new == [f"a/c{i:03d}" for i in range(15)] + [f"b/c{i:03d}" for i in range(5)]
    for key in new[:12]:
        store.grade(key, Rating.Easy, NOW)
    assert len(_new(build_queue(store, cards, NOW))) == 8
    # reviewing one deck alone still counts against the total
    assert len(_new(build_queue(store, cards, NOW, QueueFilter.of(decks=["c"])))) == 8
    assert compute_stats(store, cards, NOW).new_available == 8


def test_the_deck_limit_is_a_sub_limit(store: Store) -> None:
    store.settings = replace(store.settings, new_per_day=50, new_per_deck=4)
    cards = make_deck("a", 10) + make_deck("b", 10)
    store.sync(cards, now=NOW)
    new = _new(build_queue(store, cards, NOW))
    assert new == [f"a/c{i:03d}" for i in range(4)] + [f"b/c{i:03d}" for i in range(4)]
    assert compute_stats(store, cards, NOW).new_available == 8


def test_home_counts_each_deck_as_reviewed_alone(store: Store) -> None:
    cards = make_deck("a", 15) + make_deck("b", 15)
    store.sync(cards, now=NOW)
    counts = today_counts(store, cards, NOW)
    # all decks: the total; each deck: what reviewing it alone would offer
    assert counts.total.new == 20 == len(build_queue(store, cards, NOW))
    assert counts.decks["a"].new == 15 and counts.decks["b"].new == 15
    for deck in ("a", "b"):
        alone = build_queue(store, cards, NOW, QueueFilter.of(decks=[deck]))
        assert counts.decks[deck].total == len(alone)
    for key in _new(build_queue(store, cards, NOW))[:10]:
        store.grade(key, Rating.Easy, NOW)
    counts = today_counts(store, cards, NOW)
    assert counts.total.new == 10 and counts.decks["b"].new == 10
    # learning and review cards too: each deck's count is its own queue's
    store.grade("b/c010", Rating.Again, NOW - timedelta(minutes=5))
    store.grade("b/c011", Rating.Easy, NOW - timedelta(days=90))
    store.grade("a/c012", Rating.Easy, NOW - timedelta(days=90))
    every, per_deck = queues_by_deck(store, cards, NOW)
    assert {i.key for i in every} == {i.key for i in build_queue(store, cards, NOW)}
    for deck in ("a", "b"):
        alone = build_queue(store, cards, NOW, QueueFilter.of(decks=[deck]))
        assert sorted(i.key for i in per_deck[deck]) == sorted(i.key for i in alone)
    counts = today_counts(store, cards, NOW)
    assert (counts.decks["b"].learning, counts.decks["b"].due) == (1, 1)
    assert (counts.total.learning, counts.total.due) == (1, 2)


def test_reviews_are_capped_per_day(store: Store) -> None:
    store.settings = replace(store.settings, reviews_per_day=3)
    cards = make_deck("d", 6)
    store.sync(cards, now=NOW)
    for i, card in enumerate(cards):  # reviewed long ago, all due (most overdue first)
        store.grade(card.full_id, Rating.Easy, NOW - timedelta(days=100 - i))
    queue = build_queue(store, cards, NOW, new_per_day=0)
    by_due = sorted(store.records().values(), key=lambda r: r.state.due_ms or 0)
    assert [i.key for i in queue] == [r.key for r in by_due[:3]]
    stats = compute_stats(store, cards, NOW)
    assert (stats.due_review, stats.due_review_all) == (3, 6)
    assert today_counts(store, cards, NOW).total.due == 3
    # a review done today uses the cap up, like a new card its limit
    store.grade(by_due[0].key, Rating.Good, NOW)
    assert [i.key for i in build_queue(store, cards, NOW)] == [r.key for r in by_due[1:3]]
    stats = compute_stats(store, cards, NOW)
    assert (stats.due_review, stats.reviews_today) == (2, 1)
    assert stats.to_dict()["limits"]["reviews_per_day"] == 3


def test_stats_text_names_the_limits(store: Store) -> None:
    from studytool.cli.progress import _stats_lines

    store.settings = replace(store.settings, reviews_per_day=1)
    cards = make_deck("d", 3)
    store.sync(cards, now=NOW)
    for card in cards:
        store.grade(card.full_id, Rating.Easy, NOW - timedelta(days=100))
    lines = _stats_lines(compute_stats(store, cards, NOW))
    assert "daily limits: 20 new (20 per deck), 1 reviews (0 done today; 2 more due wait)" in lines

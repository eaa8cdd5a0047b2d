"""Today's queue: order, per-deck new limits, sibling spacing, filters, bury/suspend, cram."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from storekit import NOW, make_card, make_deck

from studytool.store.repo import Mode, Store
from studytool.store.scheduler import Rating
from studytool.study.queue import (
    CardIndex,
    Kind,
    QueueFilter,
    QueueItem,
    build_cram_queue,
    build_queue,
    space_siblings,
)


def _keys(items: list[QueueItem]) -> list[str]:
    return [i.key for i in items]


def test_new_cards_in_content_order_limited_per_deck(store: Store) -> None:
    cards = make_deck("a", 30) + make_deck("b", 5)
    store.sync(cards, now=NOW)
    # a total above both decks: the per-deck sub-limit (20) is what counts here
    store.settings = replace(store.settings, new_per_day=100)
    q = build_queue(store, cards, NOW)
    assert [i.kind for i in q] == [Kind.NEW] * 25
    assert _keys(q)[:20] == [f"a/c{i:03d}" for i in range(20)]
    assert _keys(q)[20:] == [f"b/c{i:03d}" for i in range(5)]
    # five first reviews in deck a today leave room for 15 more
    for key in _keys(q)[:5]:
        store.grade(key, Rating.Easy, NOW)
    q = build_queue(store, cards, NOW)
    assert sum(1 for i in q if i.card.deck == "a") == 15
    # the next study day, the limit is fresh again
    q = build_queue(store, cards, NOW + timedelta(days=1))
    assert sum(1 for i in q if i.kind is Kind.NEW and i.card.deck == "a") == 20


def test_new_per_day_comes_from_settings(store: Store) -> None:
    cards = make_deck("a", 10)
    store.sync(cards, now=NOW)
    assert len(build_queue(store, cards, NOW, new_per_day=3)) == 3


def test_learning_first_then_review_then_new(store: Store) -> None:
    cards = make_deck("d", 6)
    store.sync(cards, now=NOW)
    earlier = NOW - timedelta(days=10)
    store.grade("d/c000", Rating.Easy, earlier)  # review, due long before NOW
    store.grade("d/c001", Rating.Again, NOW - timedelta(minutes=5))  # learning, due now
    store.grade("d/c002", Rating.Again, NOW - timedelta(seconds=30))  # learning, due in 30 s
    q = build_queue(store, cards, NOW)
    kinds = [(i.key, i.kind) for i in q]
    assert kinds[0] == ("d/c001", Kind.LEARNING)
    assert kinds[1] == ("d/c000", Kind.REVIEW)
    assert [k for k, kind in kinds if kind is Kind.NEW] == ["d/c003", "d/c004", "d/c005"]
    # learning due within the learn-ahead window comes last
    assert kinds[-1] == ("d/c002", Kind.LEARNING)
    q = build_queue(store, cards, NOW, learn_ahead=timedelta(0))
    assert "d/c002" not in _keys(q)


def test_reviews_due_later_today_are_included(store: Store) -> None:
    cards = make_deck("d", 1)
    store.sync(cards, now=NOW)
    res = store.grade("d/c000", Rating.Easy, NOW - timedelta(days=20))
    due = res.after.due
    assert due is not None
    # the study day that contains `due` shows it from its start
    day_start = due.replace(hour=4, minute=0, second=0, microsecond=0)
    day_start = day_start if due.hour >= 4 else day_start - timedelta(days=1)
    assert _keys(build_queue(store, cards, day_start + timedelta(minutes=1))) == ["d/c000"]
    assert build_queue(store, cards, day_start - timedelta(minutes=1)) == []


def test_siblings_are_never_back_to_back(store: Store) -> None:
    cards = [make_card("d", f"r{i}", reversed_=True) for i in range(4)]
    store.sync(cards, now=NOW)
    q = build_queue(store, cards, NOW)
    assert len(q) == 8
    for x, y in itertools.pairwise(q):
        assert x.card.sibling_key != y.card.sibling_key
    assert any(i.reverse for i in q) and not all(i.reverse for i in q)
    # `previous` keeps the sibling of the card just shown off the top
    q2 = build_queue(store, cards, NOW, previous="d/r0@rev")
    assert q2[0].card.sibling_key != "d/r0"


def test_concept_siblings(store: Store) -> None:
    cards = [
        make_card("d", "a", concept="adam"),
        make_card("d", "b", concept="adam"),
        make_card("d", "c"),
    ]
    store.sync(cards, now=NOW)
    assert _keys(build_queue(store, cards, NOW)) == ["d/a", "d/c", "d/b"]


def test_filters_by_deck_and_tag(store: Store) -> None:
    cards = [
        make_card("a", "x", tags=("cnn",)),
        make_card("a", "y"),
        make_card("b", "z", tags=("cnn", "rnn")),
    ]
    store.sync(cards, now=NOW)
    assert _keys(build_queue(store, cards, NOW, QueueFilter.of(decks=["a"]))) == ["a/x", "a/y"]
    assert _keys(build_queue(store, cards, NOW, QueueFilter.of(tags=["cnn"]))) == ["a/x", "b/z"]
    both = QueueFilter.of(decks=["b"], tags=["rnn"])
    assert _keys(build_queue(store, cards, NOW, both)) == ["b/z"]


def test_drafts_orphans_buried_and_suspended_are_left_out(store: Store) -> None:
    cards = [*make_deck("d", 4), make_card("d", "draft", draft=True)]
    store.sync([*cards, make_card("d", "gone")], now=NOW)
    store.sync(cards, now=NOW)  # d/gone becomes an orphan
    store.bury("d/c000", NOW)
    store.suspend("d/c001")
    assert _keys(build_queue(store, cards, NOW)) == ["d/c002", "d/c003"]
    assert "d/c000" in _keys(build_queue(store, cards, NOW + timedelta(days=1)))


def test_cram_shows_everything_now_weakest_first(store: Store) -> None:
    cards = make_deck("d", 4)
    store.sync(cards, now=NOW)
    long_ago = NOW - timedelta(days=60)
    store.grade("d/c000", Rating.Easy, long_ago)  # long interval: still strong
    store.grade("d/c001", Rating.Hard, long_ago)  # weak
    store.suspend("d/c003")
    q = build_cram_queue(store, cards, NOW)
    assert _keys(q) == ["d/c001", "d/c000", "d/c002"]
    assert all(i.kind is Kind.CRAM for i in q)
    before = store.card("d/c001").state  # type: ignore[union-attr]
    store.grade("d/c001", Rating.Again, NOW, mode=Mode.CRAM)
    assert store.card("d/c001").state == before  # type: ignore[union-attr]
    assert _keys(build_cram_queue(store, cards, NOW, include_new=False, limit=1)) == ["d/c001"]


def test_card_index_is_reused_for_the_same_list() -> None:
    cards = make_deck("d", 3)
    assert CardIndex.of(cards) is CardIndex.of(cards)
    assert CardIndex.of(list(cards)) is not CardIndex.of(cards)


def _item(sib: str, n: int) -> QueueItem:
    return QueueItem(f"d/{sib}-{n}", make_card("d", f"x{n}", concept=sib), Kind.NEW)


@given(st.lists(st.sampled_from("abc"), max_size=30))
def test_space_siblings_property(sibs: list[str]) -> None:
    items = [_item(s, i) for i, s in enumerate(sibs)]
    out = space_siblings(items)
    assert sorted(i.key for i in out) == sorted(i.key for i in items)
    # adjacent siblings only once nothing else is left to put between them
    for k in range(1, len(out)):
        if out[k].card.sibling_key == out[k - 1].card.sibling_key:
            rest = {i.card.sibling_key for i in out[k:]}
            assert rest == {out[k].card.sibling_key}

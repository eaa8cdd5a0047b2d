"""The review session without any UI: commit-before-next, undo, cram, bury/suspend, summary."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from kit import NOW, FakeTimer, fixture_cards

from studytool.config import Settings
from studytool.content.model import Card
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import Rating
from studytool.study.grading import Check
from studytool.study.queue import Kind, QueueFilter
from studytool.study.review import (
    MAX_DURATION_MS,
    ReviewSession,
    due_counts,
    propose_rating,
    shuffled_order,
)


@pytest.fixture
def cards() -> list[Card]:
    return fixture_cards()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", new_per_day=20)


def session_of(store: Store, cards: list[Card], **kw: object) -> ReviewSession:
    return ReviewSession(store, cards, lambda: NOW, rng=random.Random(7), **kw)  # type: ignore[arg-type]


def revlog(store: Store) -> list[tuple[str, int, str, int | None]]:
    return [
        (key, rating, mode, duration)
        for key, rating, mode, duration in store._read(
            "SELECT c.key, r.rating, r.mode, r.duration_ms FROM revlog r"
            " JOIN cards c ON c.id = r.card_id ORDER BY r.id"
        )
    ]


def test_grade_is_committed_before_the_next_card(store: Store, cards: list[Card]) -> None:
    timer = FakeTimer()
    session = session_of(store, cards, timer=timer)
    first = session.current
    assert first is not None and first.item.kind is Kind.NEW
    timer.t += 4.2
    answer = session.grade(Rating.Good)
    # in the database already, before next() is even called
    assert revlog(store) == [(first.item.key, int(Rating.Good), "review", 4200)]
    record = store.card(first.item.key)
    assert record is not None and record.state == answer.result.after
    assert not record.state.is_new
    nxt = session.next()
    assert nxt is not None and nxt.item.key != first.item.key


def test_duration_is_capped(store: Store, cards: list[Card]) -> None:
    timer = FakeTimer()
    session = session_of(store, cards, timer=timer)
    timer.t += 3 * 3600  # left open for hours
    assert session.grade(Rating.Good).duration_ms == MAX_DURATION_MS


def test_undo_restores_state_and_returns_to_the_card(store: Store, cards: list[Card]) -> None:
    session = session_of(store, cards)
    first = session.current
    assert first is not None
    before = store.card(first.item.key)
    session.grade(Rating.Easy)
    session.next()
    second_key = session.current.item.key if session.current else None
    session.grade(Rating.Again)
    session.next()
    assert len(revlog(store)) == 2

    showing = session.undo()
    assert showing is not None and showing.item.key == second_key
    assert session.current is showing
    assert [row[0] for row in revlog(store)] == [first.item.key]
    restored = store.card(second_key or "")
    assert restored is not None and restored.state.is_new

    assert session.undo() is not None  # the first grade too
    assert revlog(store) == []
    assert store.card(first.item.key) == before
    assert session.undo() is None  # nothing left in this session


def test_cram_logs_without_rescheduling_and_repeats_again_cards(
    store: Store, cards: list[Card]
) -> None:
    session = session_of(store, cards, cram=True, filters=QueueFilter.of(decks=["basics"]))
    keys = []
    while session.current is not None and len(keys) < 5:
        keys.append(session.current.item.key)
        before = store.card(session.current.item.key)
        rating = Rating.Again if len(keys) == 1 else Rating.Good
        result = session.grade(rating).result
        assert result.mode is Mode.CRAM and result.after == result.before
        assert store.card(keys[-1]) == before  # FSRS state untouched
        session.next()
    # basics has 5 review keys (the reversed card counts twice); the Again one comes back last
    while session.current is not None:
        keys.append(session.current.item.key)
        session.grade(Rating.Good)
        session.next()
    assert keys[-1] == keys[0] and len(keys) == 6
    assert {m for _, _, m, _ in revlog(store)} == {"cram"}
    summary = session.finish()
    assert summary.mode is Mode.CRAM and summary.reviewed == 6 and summary.cards == 5
    assert summary.passed == 5 and summary.ratings[Rating.Again] == 1


def test_bury_and_suspend_hide_both_directions(store: Store, cards: list[Card]) -> None:
    relu = next(c for c in cards if c.id == "relu")
    session = session_of(store, [relu])
    assert session.current is not None
    session.bury()
    assert session.current is None
    assert all(store.card(k).is_buried(NOW) for k in relu.review_keys())  # type: ignore[union-attr]
    store.unbury(relu.review_keys())
    session = session_of(store, [relu])
    session.suspend()
    assert session.current is None
    assert all(store.card(k).suspended for k in relu.review_keys())  # type: ignore[union-attr]


def test_summary_counts_accuracy_time_and_tomorrow(store: Store, cards: list[Card]) -> None:
    timer = FakeTimer()
    session = session_of(store, cards, timer=timer, filters=QueueFilter.of(decks=["quizzes"]))
    ratings = [Rating.Good, Rating.Again, Rating.Easy]
    for rating in ratings:
        timer.t += 10
        session.grade(rating, correct=rating is not Rating.Again)
        session.next()
    summary = session.finish()
    assert summary.reviewed == 3 and summary.passed == 2
    assert summary.accuracy == pytest.approx(2 / 3)
    assert summary.time_ms == 30_000
    # Good (a new card's learning step) and Again are due today; nothing reviewed is due tomorrow
    assert summary.due_tomorrow == 0
    ended = store._read_one("SELECT ended_ms FROM sessions WHERE id=?", (session.session_id,))
    assert ended is not None and ended[0] is not None


def test_due_counts_follow_the_queue(store: Store, cards: list[Card]) -> None:
    counts = due_counts(store, cards, NOW)
    assert counts["basics"].new == 5 and counts["quizzes"].new == 7
    session = session_of(store, cards, filters=QueueFilter.of(decks=["quizzes"]))
    session.grade(Rating.Again)
    counts = due_counts(store, cards, NOW)
    assert counts["quizzes"].new == 6 and counts["quizzes"].learning == 1
    # with one new card a day per deck, the one reviewed today uses it up
    capped = replace(store.settings, new_per_deck=1)
    store.settings = capped
    assert due_counts(store, cards, NOW)["quizzes"].new == 0
    assert due_counts(store, cards, NOW)["basics"].new == 1


def test_generated_cards_draw_fresh_numbers(store: Store, cards: list[Card]) -> None:
    joint = next(c for c in cards if c.id == "joint-params")
    session = session_of(store, [joint], cram=True)
    assert session.current is not None and session.current.instance is not None
    instance = session.current.instance
    n = instance.values["n"]
    assert instance.answer == 2**n - 1 and f"n = {n}" in instance.question("en")


def test_replace_cards_keeps_the_session(store: Store, cards: list[Card]) -> None:
    session = session_of(store, cards)
    assert session.current is not None
    key = session.current.item.key
    edited = [
        replace(c, explain=None) if c.full_id == session.current.item.card.full_id else c
        for c in cards
    ]
    session.replace_cards(edited)
    assert session.current.item.key == key and session.current.item.card.explain is None


def test_proposed_rating_and_shuffle() -> None:
    assert propose_rating(None) is Rating.Good
    assert propose_rating(Check(1.0, "x")) is Rating.Good
    assert propose_rating(Check(0.5, "x")) is Rating.Hard
    assert propose_rating(Check(0.0, "x")) is Rating.Again
    rng = random.Random(1)
    for n in range(2, 6):
        order = shuffled_order(n, rng)
        assert sorted(order) == list(range(n)) and order != list(range(n))
    assert shuffled_order(1, rng) == [0]


def test_learning_cards_come_back_in_the_same_session(store: Store, cards: list[Card]) -> None:
    only = [c for c in cards if c.id == "blur-kernel"]
    now = [NOW]
    session = ReviewSession(store, only, lambda: now[0])
    session.grade(Rating.Again)
    now[0] = NOW + timedelta(minutes=2)
    assert session.next() is not None  # the 1-minute learning step is due again
    assert session.current is not None and session.current.item.kind is Kind.LEARNING


def test_remaining_counts_the_queue_as_it_moves(store: Store, cards: list[Card]) -> None:
    session = session_of(store, cards, filters=QueueFilter.of(decks=["quizzes"]))
    assert session.remaining() == 7
    session.grade(Rating.Easy)
    session.next()
    assert session.remaining() == 6
    session.undo()
    assert session.remaining() == 7
    cram = session_of(store, cards, cram=True, filters=QueueFilter.of(decks=["basics"]))
    assert cram.remaining() == 5
    cram.grade(Rating.Good)
    cram.next()
    assert cram.remaining() == 4

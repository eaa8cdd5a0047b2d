"""Home (the queue's counts) and Stats (the screen and `studytool stats`: `queue_stats`)
count the same new cards, also with cards missed in a quiz and marked for review (which used
to come as one new card too many), and, while an exam plan is active, the same reviews and
new cards as the plan's queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studytool.config import ExamSettings, Settings
from studytool.content.library import load_library
from studytool.store import quizlog
from studytool.store.repo import Store
from studytool.store.scheduler import Rating
from studytool.store.stats import compute_stats
from studytool.study.exam import plan_store
from studytool.study.queue import Kind, build_queue, queue_stats
from studytool.study.review import today_counts

DECKS = Path(__file__).parents[1] / "tui" / "fixtures" / "decks"
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
LIMIT = 2


def counts(store: Store, cards: list) -> tuple[int, int, int]:
    """New cards per Home, per Stats, and in the queue."""
    home = today_counts(store, cards, NOW).total.new
    stats = queue_stats(store, cards, NOW).new_available
    assert stats == compute_stats(store, cards, NOW).new_available  # no plan: the same
    queue = sum(item.kind is Kind.NEW for item in build_queue(store, cards, NOW))
    return home, stats, queue


def test_marked_new_cards_stay_within_the_deck_limit(tmp_path: Path) -> None:
    settings = Settings(content_dirs=(DECKS,), data_dir=tmp_path / "data", new_per_deck=LIMIT)
    cards = [c for d in load_library([DECKS], builtin=False).decks for c in d.cards]
    quizzes = [c.full_id for c in cards if c.deck == "quizzes"]
    store = Store.open(settings, now=NOW)
    try:
        store.sync(cards, now=NOW)
        fresh = counts(store, cards)
        assert fresh[0] == fresh[1] == fresh[2] == 2 * LIMIT

        # a new card past the deck's limit, missed in a quiz: first, in place of another
        quizlog.flag(store, [quizzes[-1]], NOW)
        assert counts(store, cards) == fresh
        assert build_queue(store, cards, NOW)[0].key == quizzes[-1]

        # the deck's new cards for today are used up: the marked card waits for tomorrow
        for key in quizzes[:LIMIT]:
            store.grade(key, Rating.Easy, NOW)
        home, stats, queue = counts(store, cards)
        assert home == stats == queue == LIMIT  # the other deck's
        assert quizzes[-1] not in [item.key for item in build_queue(store, cards, NOW)]
    finally:
        store.close()


def test_a_marked_new_card_of_a_deck_left_out_by_the_total_takes_the_last_place(
    tmp_path: Path,
) -> None:
    settings = Settings(content_dirs=(DECKS,), data_dir=tmp_path / "data", new_per_day=LIMIT)
    cards = [c for d in load_library([DECKS], builtin=False).decks for c in d.cards]
    marked = next(c.full_id for c in cards if c.deck == "quizzes")
    store = Store.open(settings, now=NOW)
    try:
        store.sync(cards, now=NOW)
        fresh = counts(store, cards)
        assert fresh[0] == fresh[1] == fresh[2] == LIMIT  # all from the first deck, basics
        before = [item.key for item in build_queue(store, cards, NOW) if item.kind is Kind.NEW]
        assert all(key.startswith("basics/") for key in before)

        quizlog.flag(store, [marked], NOW)
        assert counts(store, cards) == fresh
        after = [item.key for item in build_queue(store, cards, NOW) if item.kind is Kind.NEW]
        assert after == [marked, *before[:-1]]

        # today's total is used up: the marked card waits
        for key in before:
            store.grade(key, Rating.Easy, NOW)
        assert counts(store, cards) == (0, 0, 0)
        assert marked not in [item.key for item in build_queue(store, cards, NOW)]
    finally:
        store.close()


def test_stats_home_and_the_queue_agree_while_an_exam_plan_is_active(tmp_path: Path) -> None:
    settings = Settings(content_dirs=(DECKS,), data_dir=tmp_path / "data", new_per_deck=LIMIT)
    cards = [c for d in load_library([DECKS], builtin=False).decks for c in d.cards]
    basics = [c.full_id for c in cards if c.deck == "basics"]
    quizzes = [c.full_id for c in cards if c.deck == "quizzes"]
    store = Store.open(settings, now=NOW)
    try:
        store.sync(cards, now=NOW)
        # reviewed cards of both decks: one due today, one not due before the exam
        for key in (basics[0], quizzes[0]):
            store.grade(key, Rating.Easy, NOW - timedelta(days=30))
        for key in (basics[1], quizzes[1]):
            store.grade(key, Rating.Easy, NOW - timedelta(days=1))
        no_plan = compute_stats(store, cards, NOW)
        assert no_plan.due_review == 2
        # a plan for basics: a 0.97 target pulls its reviewed card in before it is due, and
        # its new cards come in the plan's number, not the deck limit's
        exam = ExamSettings(NOW.date() + timedelta(days=4), ("basics",), 30, 0.97)
        store.settings = replace(store.settings, exam=exam)
        plan = plan_store(store, cards, NOW, exam)
        assert plan.today_reviews == (basics[0], basics[1]) and len(plan.today_new) != LIMIT

        def agree() -> tuple[int, int]:
            home = today_counts(store, cards, NOW).total
            stats = queue_stats(store, cards, NOW)
            queue = build_queue(store, cards, NOW)
            new = sum(item.kind is Kind.NEW for item in queue)
            due = sum(item.kind is Kind.REVIEW for item in queue)
            assert home.new == stats.new_available == new
            assert home.due == stats.due_review == due
            assert stats.due_today == stats.due_learning + due
            return new, due

        new, due = agree()
        assert new == len(plan.today_new) + LIMIT  # basics' plan and quizzes' own limit
        assert due == 3  # quizzes' due one, and basics' due one and pulled-in one
        assert queue_stats(store, cards, NOW).due_review_all == due
        # under a daily cap of 2 reviews, one of them waits (and Stats says so)
        store.settings = replace(store.settings, reviews_per_day=2)
        assert agree() == (new, 2) and queue_stats(store, cards, NOW).due_review_all == 3
        store.settings = replace(store.settings, reviews_per_day=settings.reviews_per_day)
        assert (new, due) != (no_plan.new_available, no_plan.due_review)
        # after a review and a new card of the plan's day, they still agree, one less each
        store.grade(basics[1], Rating.Good, NOW)
        store.grade(plan.today_new[0], Rating.Good, NOW)
        assert agree() == (new - 1, due - 1)
    finally:
        store.close()

"""Home (the queue's counts) and Stats (the screen and `studytool stats`: `compute_stats`)
count the same new cards, also with cards missed in a quiz and marked for review (which used
to come as one new card too many)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.store import quizlog
from studytool.store.repo import Store
from studytool.store.scheduler import Rating
from studytool.store.stats import compute_stats
from studytool.study.queue import Kind, build_queue
from studytool.study.review import today_counts

DECKS = Path(__file__).parents[1] / "tui" / "fixtures" / "decks"
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
LIMIT = 2


def counts(store: Store, cards: list) -> tuple[int, int, int]:
    """New cards per Home, per Stats, and in the queue."""
    home = today_counts(store, cards, NOW).total.new
    stats = compute_stats(store, cards, NOW).new_available
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

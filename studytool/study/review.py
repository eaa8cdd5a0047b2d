"""A review session: the queue, one card at a time, grades committed before the next card,
undo, and the end-of-session summary. Pure logic over the store: no UI.

    session = ReviewSession(store, cards, clock, QueueFilter.of(decks=["rnn"]))
    item = session.current            # None when nothing is due
    session.grade(Rating.Good)        # committed to SQLite before it returns
    session.next()                    # the next card (or None)
    session.undo()                    # back to the card just graded, its old state restored
    summary = session.finish()

Review mode reschedules with FSRS; cram mode (`cram=True`) logs the answers as cram and leaves
scheduling alone: it walks every matching card, weakest first, and puts Again cards at the end.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from studytool.content.model import Card
from studytool.store.repo import GradeResult, Mode
from studytool.store.scheduler import Rating
from studytool.store.state import FsrsState
from studytool.store.stats import compute_stats
from studytool.study import cardtypes
from studytool.study.cardtypes import Question, Response
from studytool.study.cardtypes import shuffled_order as shuffled_order
from studytool.study.generate import Instance
from studytool.study.grading import Check
from studytool.study.queue import (
    CardIndex,
    Kind,
    QueueFilter,
    QueueItem,
    build_cram_queue,
    build_queue,
    queues_by_deck,
)

if TYPE_CHECKING:
    from studytool.store.repo import Store

MAX_DURATION_MS = 5 * 60_000  # a card left open over lunch is not five hours of study


@dataclass(frozen=True, slots=True)
class DeckCounts:
    """What today's queue holds for one deck, as the review would show it."""

    new: int = 0
    learning: int = 0
    due: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.due


@dataclass(frozen=True, slots=True)
class TodayCounts:
    """Today's queue of all decks (`total`) and, per deck, of reviewing that deck alone."""

    total: DeckCounts
    decks: dict[str, DeckCounts]


def _count(items: Sequence[QueueItem]) -> DeckCounts:
    c = [0, 0, 0]
    for item in items:
        c[{Kind.NEW: 0, Kind.LEARNING: 1}.get(item.kind, 2)] += 1
    return DeckCounts(*c)


def today_counts(store: Store, cards: Sequence[Card], now: datetime) -> TodayCounts:
    """The counts Home shows, as the queue would: the total within the daily limits, and each
    deck within its own limit and what is left of the total (so the decks' counts may add up
    to more than the total, as in Anki's deck list)."""
    every, per_deck = queues_by_deck(store, cards, now)
    return TodayCounts(_count(every), {deck: _count(q) for deck, q in per_deck.items()})


def due_counts(store: Store, cards: Sequence[Card], now: datetime) -> dict[str, DeckCounts]:
    """Deck id -> counts of the queue of reviewing that deck today (limits applied)."""
    return today_counts(store, cards, now).decks


def propose_rating(check: Check | None) -> Rating:
    """The grade suggested after a checked answer: wrong -> Again, partly right -> Hard,
    right -> Good. Recall cards (no check) suggest Good."""
    if check is None or check.correct:
        return Rating.Good
    return Rating.Hard if check.score >= 0.5 else Rating.Again


@dataclass(frozen=True, slots=True)
class Answer:
    """One committed grade of this session."""

    item: QueueItem
    result: GradeResult
    duration_ms: int
    correct: bool | None  # the checked answer of an interactive card; None for recall cards
    question: Question | None = None  # as it was asked: undo shows it again the same way
    response: Response | None = None  # in the card's terms: its own choice or item indices
    buried: tuple[str, ...] = ()  # sibling keys this grade buried until the next day


@dataclass(frozen=True, slots=True)
class Summary:
    mode: Mode
    reviewed: int  # grades given (a card graded twice counts twice)
    cards: int  # distinct review keys
    passed: int  # grades other than Again
    ratings: dict[Rating, int]
    time_ms: int  # time spent on the cards, each capped at MAX_DURATION_MS
    due_tomorrow: int | None  # reviews due on the next study day (None: could not be read)

    @property
    def accuracy(self) -> float | None:
        return self.passed / self.reviewed if self.reviewed else None


@dataclass
class Showing:
    """The card on screen: its queue item, the question as asked (order items shuffled, a
    generated card's numbers drawn), and when it was shown (on the session's monotonic
    timer)."""

    item: QueueItem
    shown_at: float
    question: Question

    @property
    def instance(self) -> Instance | None:
        return self.question.instance


@dataclass
class ReviewSession:
    store: Store
    cards: Sequence[Card]
    clock: Callable[[], datetime]
    filters: QueueFilter = field(default_factory=QueueFilter)
    cram: bool = False
    rng: random.Random = field(default_factory=random.Random)
    timer: Callable[[], float] = time.monotonic
    answers: list[Answer] = field(default_factory=list)
    current: Showing | None = None
    session_id: int = 0
    finished: bool = False

    def __post_init__(self) -> None:
        self.index = CardIndex(self.cards)
        self._left = 0
        self.mode = Mode.CRAM if self.cram else Mode.REVIEW
        self.session_id = self.store.start_session(
            self.mode, self.clock(), decks=self.filters.decks, tags=self.filters.tags
        )
        self._cram_queue: list[QueueItem] = (
            build_cram_queue(self.store, self.index, self.clock(), self.filters)
            if self.cram
            else []
        )
        self.next()

    # ---- moving through the queue --------------------------------------------------------

    def remaining(self) -> int:
        """Cards left, the one on screen included (as of the last move through the queue)."""
        if self.cram:
            return len(self._cram_queue) + (self.current is not None)
        return self._left

    def _queue(self) -> list[QueueItem]:
        last = self.answers[-1].item.key if self.answers else None
        return build_queue(self.store, self.index, self.clock(), self.filters, previous=last)

    def next(self) -> Showing | None:
        """Show the next card (rebuilt from the store, so it reflects the grade just made)."""
        if self.cram:
            item = self._cram_queue.pop(0) if self._cram_queue else None
        else:
            queue = self._queue()
            item = queue[0] if queue else None
            self._left = len(queue)
        self.current = None if item is None else self._show(item)
        return self.current

    def _show(self, item: QueueItem, question: Question | None = None) -> Showing:
        """Show a queue item: asked afresh (choices shuffled again), or as `question`."""
        if question is None or question.card != item.card:
            question = cardtypes.ask(item.key, item.card, self.rng, quiz=False)
        return Showing(item, self.timer(), question)

    # ---- grading -------------------------------------------------------------------------

    def preview(self) -> dict[Rating, timedelta] | None:
        """The next interval of each rating for the current card (None in cram mode)."""
        if self.current is None or self.cram:
            return None
        return self.store.preview(self.current.item.key, self.clock())

    def grade(
        self, rating: Rating | int, correct: bool | None = None, response: Response | None = None
    ) -> Answer:
        """Commit a grade for the current card. `response` is the answer as shown (choices at
        their shuffled positions); the answer keeps it in the card's own terms. Call `next()`
        to move on."""
        if self.current is None:
            raise ValueError("no card to grade")
        showing = self.current
        duration = min(MAX_DURATION_MS, max(0, round((self.timer() - showing.shown_at) * 1000)))
        result = self.store.grade(
            showing.item.key,
            Rating(rating),
            self.clock,  # read under the write lock, so log times stay in order
            duration_ms=duration,
            mode=self.mode,
            session_id=self.session_id,
        )
        own = None if response is None else showing.question.card_response(response)
        buried = () if self.cram else self._bury_siblings(showing.item)
        answer = Answer(showing.item, result, duration, correct, showing.question, own, buried)
        self.answers.append(answer)
        if self.cram and result.rating is Rating.Again:
            self._cram_queue.append(showing.item)
        return answer

    def _bury_siblings(self, item: QueueItem) -> tuple[str, ...]:
        """Bury the other direction of a reversed card until the next day (Anki's default:
        the second direction would otherwise be answered from short-term memory). New and
        review siblings only: a card in learning keeps its steps."""
        if not self.store.settings.bury_siblings:
            return ()
        now = self.clock()
        keys = []
        for key in item.card.review_keys():
            rec = self.store.card(key) if key != item.key else None
            if rec is None or rec.suspended or rec.is_buried(now):
                continue
            if rec.state.is_new or rec.state.state is FsrsState.REVIEW:
                keys.append(key)
        if keys:
            self.store.bury(keys, now)
        return tuple(keys)

    def undo(self) -> Showing | None:
        """Take back the last grade of this session and show that card again."""
        if not self.answers:
            return None
        self.store.undo()
        answer = self.answers.pop()
        if answer.buried:
            self.store.unbury(answer.buried)
        if self.cram:
            if answer.result.rating is Rating.Again and answer.item in self._cram_queue:
                self._cram_queue.reverse()
                self._cram_queue.remove(answer.item)
                self._cram_queue.reverse()
            if self.current is not None:
                self._cram_queue.insert(0, self.current.item)
        # the same question again: choices in the order they were shown, the same numbers drawn
        self.current = self._show(answer.item, answer.question)
        if not self.cram:
            self._left = len(self._queue())
        return self.current

    def bury(self) -> None:
        """Hide the current card (both directions) until tomorrow, then move on."""
        if self.current is not None:
            self.store.bury(self.current.item.card.review_keys(), self.clock())
            self.next()

    def suspend(self) -> None:
        """Never show the current card (both directions) until unsuspended, then move on."""
        if self.current is not None:
            self.store.suspend(self.current.item.card.review_keys())
            self.next()

    def replace_cards(self, cards: Sequence[Card]) -> None:
        """The content changed (an edit): keep the session, use the new cards."""
        self.cards = cards
        self.index = CardIndex(cards)
        if self.current is not None:
            card = self.index.by_key.get(self.current.item.key)
            if card is None:
                self.next()
            else:
                old, asked = self.current.item, self.current.question
                fresh = self._show(QueueItem(old.key, card, old.kind, old.due))
                if len(fresh.question.options) == len(asked.options):
                    # an edit keeps the order on screen: keys still pick what they picked
                    fresh.question = replace(fresh.question, options=asked.options)
                self.current = fresh
        self._cram_queue = [
            QueueItem(it.key, self.index.by_key[it.key], it.kind, it.due)
            for it in self._cram_queue
            if it.key in self.index.by_key
        ]

    # ---- the end -------------------------------------------------------------------------

    def end(self) -> None:
        """Close the session in the store (once)."""
        if not self.finished:
            self.store.end_session(self.session_id, self.clock())
            self.finished = True

    def due_tomorrow(self) -> int | None:
        """Reviews due on the next study day. This reads the whole statistics: a screen calls
        it from a thread."""
        forecast = compute_stats(self.store, self.cards, self.clock()).forecast
        return forecast[1][1] if len(forecast) > 1 else None

    def finish(self, *, count_tomorrow: bool = True) -> Summary:
        """Close the session and sum it up; without `count_tomorrow` the summary leaves
        tomorrow's count out (None) for the caller to read with `due_tomorrow()`."""
        self.end()
        ratings = {r: 0 for r in Rating}
        for a in self.answers:
            ratings[a.result.rating] += 1
        return Summary(
            mode=self.mode,
            reviewed=len(self.answers),
            cards=len({a.item.key for a in self.answers}),
            passed=len(self.answers) - ratings[Rating.Again],
            ratings=ratings,
            time_ms=sum(a.duration_ms for a in self.answers),
            due_tomorrow=self.due_tomorrow() if count_tomorrow else None,
        )

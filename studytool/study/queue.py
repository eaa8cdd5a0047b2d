"""Today's review queue and the cram queue: pure session logic over the store. No UI.

    queue = build_queue(store, cards, now, QueueFilter.of(decks=["optimizers"]))
    item = queue[0]            # item.key, item.card, item.kind, item.reverse
    ...grade it, then rebuild with previous=item.key (a rebuild takes a few ms)

Order: cards missed in a quiz and sent to review (`store.quizlog.flag`, due or not), learning
cards due now, review cards due today (the most overdue first, at most `reviews_per_day` reviews
a study day), new cards (at most `new_per_day` first reviews a study day in all, and
`new_per_deck` in any deck; decks in content order), then learning cards due within
`learn_ahead`. While an exam plan is active (`study.exam`), the decks it covers take their
reviews (due or not) and their number of new cards from the plan's day instead. Siblings
(same `Card.sibling_key`, e.g. both directions of a reversed card) are never back to back
when another card can go between them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from studytool.content.model import REVERSE_SUFFIX, Card
from studytool.store.limits import DailyLimits
from studytool.store.scheduler import as_utc, from_ms
from studytool.store.state import FsrsState

if TYPE_CHECKING:
    from studytool.store.repo import QueueSnapshot, Store
    from studytool.store.stats import Stats

LEARN_AHEAD = timedelta(minutes=20)


class Kind(StrEnum):
    LEARNING = "learning"
    REVIEW = "review"
    NEW = "new"
    CRAM = "cram"


_STATE_KIND = {FsrsState.LEARNING: Kind.LEARNING, FsrsState.RELEARNING: Kind.LEARNING}


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Empty sets mean "all". A card matches when its deck is listed and it has any listed tag."""

    decks: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()

    @classmethod
    def of(cls, decks: Iterable[str] = (), tags: Iterable[str] = ()) -> QueueFilter:
        return cls(frozenset(decks), frozenset(tags))

    def matches(self, card: Card) -> bool:
        if self.decks and card.deck not in self.decks:
            return False
        return not self.tags or any(t in self.tags for t in card.tags)


@dataclass(frozen=True, slots=True)
class QueueItem:
    key: str  # the review key to grade: deck/card, or deck/card@rev for the back-to-front side
    card: Card
    kind: Kind
    due: datetime | None = None  # None for new cards
    sibling: str = ""  # card.sibling_key, precomputed by the queue builders ("" = compute it)

    @property
    def sibling_key(self) -> str:
        return self.sibling or self.card.sibling_key

    @property
    def reverse(self) -> bool:
        """Show the back and ask for the front."""
        return self.key.endswith(REVERSE_SUFFIX)


class CardIndex:
    """Review key -> Card for the non-draft cards, in content order.

    Building it for 50,000 cards costs tens of milliseconds, so `of()` reuses the index of the
    same list object. Pass a new list (not a mutated one) when the content changes.
    """

    _cached: tuple[object, int, CardIndex] | None = None

    def __init__(self, cards: Iterable[Card]) -> None:
        self.by_key: dict[str, Card] = {}
        self.sibling: dict[str, str] = {}  # key -> sibling key (computing it costs an f-string)
        self.deck_keys: dict[str, list[str]] = {}  # deck -> its keys, in content order
        for card in cards:
            if not card.draft:
                keys = self.deck_keys.setdefault(card.deck, [])
                sibling = card.sibling_key
                for key in card.review_keys():
                    self.by_key[key] = card
                    self.sibling[key] = sibling
                    keys.append(key)
        self.position: dict[str, int] = {k: i for i, k in enumerate(self.by_key)}

    @classmethod
    def of(cls, cards: Sequence[Card] | CardIndex) -> CardIndex:
        if isinstance(cards, CardIndex):
            return cards
        cached = cls._cached
        if cached is not None and cached[0] is cards and cached[1] == len(cards):
            return cached[2]
        index = cls(cards)
        cls._cached = (cards, len(cards), index)
        return index


def space_siblings(items: Iterable[QueueItem], previous: str | None = None) -> list[QueueItem]:
    """Reorder as little as possible so no item follows its sibling (nor the `previous`
    sibling key): each time, the earliest item that is not a sibling of the last one goes.
    When only siblings remain they go in order: there is nothing to put between them."""
    out: list[QueueItem] = []
    held: list[QueueItem] = []  # postponed; all of them are siblings of `last`
    last = previous

    def flush() -> None:
        nonlocal last
        while held:
            j = next((i for i, h in enumerate(held) if h.sibling_key != last), None)
            if j is None:
                return
            item = held.pop(j)
            out.append(item)
            last = item.sibling_key

    for item in items:
        if item.sibling_key == last:
            held.append(item)
            continue
        out.append(item)
        last = item.sibling_key
        if held:
            flush()
    while held:  # only siblings of one another are left
        item = held.pop(0)
        out.append(item)
        last = item.sibling_key
        flush()
    return out


def _previous_sibling(index: CardIndex, previous: str | None) -> str | None:
    return index.sibling.get(previous) if previous else None


@dataclass(frozen=True, slots=True)
class _ExamDay:
    """The active exam plan's part of today, as still to do."""

    decks: frozenset[str]  # in scope; empty: every deck
    reviews: list[tuple[str, int]]  # (key, due_ms): planned and not yet reviewed today
    new_left: int  # new cards in scope still planned today

    def covers(self, deck: str) -> bool:
        return not self.decks or deck in self.decks


@dataclass(frozen=True, slots=True)
class _Day:
    """What the queue of any filter is built from, read once."""

    snap: QueueSnapshot
    review_room: int  # reviews still allowed today
    flagged: list[str]  # keys sent to review from a quiz, in content
    exam: _ExamDay | None = None


def _read_day(store: Store, index: CardIndex, now: datetime, learn_ahead: timedelta) -> _Day:
    from studytool.store.quizlog import flagged_keys

    snap = store.queue_snapshot(as_utc(now), learn_ahead)
    reviewed = store.reviews_since(from_ms(snap.day_start_ms))
    room = DailyLimits.of(store.settings).reviews_left(reviewed)
    flagged = [k for k in flagged_keys(store, now) if k in index.by_key]
    return _Day(snap, room, flagged, _exam_day(store, index, now, snap))


def _exam_day(
    store: Store, index: CardIndex, now: datetime, snap: QueueSnapshot
) -> _ExamDay | None:
    """The plan's reviews not yet done today (nor suspended, buried or relearning) and the
    new cards it still allows; None without an active plan."""
    from studytool.study.exam import exam_today

    if store.settings.exam is None:
        return None
    plan = exam_today(store, index.by_key, now)
    if plan is None:
        return None
    records = store.records()
    reviews = []
    for key in plan.reviews:
        rec = records.get(key)
        if rec is None or rec.suspended or rec.orphaned or rec.is_buried(now):
            continue
        st = rec.state
        done = st.last_review_ms is not None and st.last_review_ms >= snap.day_start_ms
        if st.state == FsrsState.REVIEW and not done and st.due_ms is not None:
            reviews.append((key, st.due_ms))
    started = sum(n for deck, n in snap.new_today.items() if plan.covers(deck))
    return _ExamDay(plan.decks, reviews, max(0, plan.new - started))


def build_queue(
    store: Store,
    cards: Sequence[Card] | CardIndex,
    now: datetime,
    filters: QueueFilter | None = None,
    *,
    previous: str | None = None,
    learn_ahead: timedelta = LEARN_AHEAD,
    new_per_day: int | None = None,
) -> list[QueueItem]:
    """Today's queue at `now`. `previous` is the key just shown (keeps its sibling off the top).
    `new_per_day` overrides both new-card limits of the settings."""
    index = CardIndex.of(cards)
    f = filters or QueueFilter()
    limits = DailyLimits.of(store.settings, new_per_day)
    day = _read_day(store, index, now, learn_ahead)
    items = _flagged_first(store, index, f, day, limits, _collect(index, day, f, limits))
    return space_siblings(items, _previous_sibling(index, previous))


def queues_by_deck(
    store: Store, cards: Sequence[Card] | CardIndex, now: datetime
) -> tuple[list[QueueItem], dict[str, list[QueueItem]]]:
    """Today's queue of all decks, and per deck the queue of reviewing that deck alone (as
    Anki's deck list counts: each deck within its own and the total limits), from one read of
    the store. Unordered: for counting."""
    index = CardIndex.of(cards)
    limits = DailyLimits.of(store.settings)
    day = _read_day(store, index, now, LEARN_AHEAD)
    every = _collect(index, day, None, limits)
    every = _flagged_first(store, index, QueueFilter(), day, limits, every)
    # each deck's rows once, so a deck's queue reads only its own
    learning: dict[str, list[tuple[str, int]]] = {}
    review: dict[str, list[tuple[str, int]]] = {}
    for rows, by_deck in ((day.snap.learning, learning), (day.snap.review, review)):
        for key, due_ms in rows:
            if card := index.by_key.get(key):
                by_deck.setdefault(card.deck, []).append((key, due_ms))
    per_deck: dict[str, list[QueueItem]] = {}
    for deck in index.deck_keys:
        f = QueueFilter.of(decks=[deck])
        snap = replace(day.snap, learning=learning.get(deck, []), review=review.get(deck, []))
        items = _collect(index, replace(day, snap=snap), f, limits)
        items = _flagged_first(store, index, f, day, limits, items)
        if items:
            per_deck[deck] = items
    return every, per_deck


def queue_stats(store: Store, cards: Sequence[Card], now: datetime) -> Stats:
    """`compute_stats` for the Stats screen and `studytool stats`. While an exam plan is
    active, today's reviews and new cards are the queue's (the plan's reviews, due or not, and
    its new cards, for the decks it covers), so Stats, Home and the queue count the same;
    `store/` cannot ask the plan itself."""
    from studytool.store.stats import compute_stats

    stats = compute_stats(store, cards, now)
    if store.settings.exam is None:
        return stats
    index = CardIndex.of(cards)
    day = _read_day(store, index, now, LEARN_AHEAD)
    if day.exam is None:  # the plan has ended
        return stats
    limits = DailyLimits.of(store.settings)
    every = QueueFilter()
    items = _flagged_first(store, index, every, day, limits, _collect(index, day, None, limits))
    uncapped = replace(day, review_room=len(index.by_key))  # the reviews before the daily cap
    before_cap = _collect(index, uncapped, None, limits)
    before_cap = _flagged_first(store, index, every, uncapped, limits, before_cap)
    return replace(
        stats,
        due_review=sum(item.kind is Kind.REVIEW for item in items),
        new_available=sum(item.kind is Kind.NEW for item in items),
        due_review_all=sum(item.kind is Kind.REVIEW for item in before_cap),
    )


def _collect(
    index: CardIndex, day: _Day, f: QueueFilter | None, limits: DailyLimits
) -> list[QueueItem]:
    """Learning due now, reviews, new cards, learning due soon: for the filter, in limits."""
    snap = day.snap
    by_key, sib = index.by_key, index.sibling

    def pick_filtered(key: str) -> Card | None:
        card = by_key.get(key)
        return card if card is not None and f is not None and f.matches(card) else None

    filtering = f is not None and bool(f.decks or f.tags)
    pick: Callable[[str], Card | None] = pick_filtered if filtering else by_key.get
    decks = f.decks if f is not None else frozenset()
    learning_now: list[QueueItem] = []
    learning_ahead: list[QueueItem] = []
    for key, due_ms in snap.learning:
        if card := pick(key):
            target = learning_now if due_ms <= snap.now_ms else learning_ahead
            target.append(QueueItem(key, card, Kind.LEARNING, from_ms(due_ms), sib[key]))
    exam = day.exam
    reviews: list[QueueItem] = []
    for key, due_ms in snap.review:  # the most overdue first, up to the daily cap
        if len(reviews) >= day.review_room:
            break
        if (card := pick(key)) and not (exam and exam.covers(card.deck)):
            reviews.append(QueueItem(key, card, Kind.REVIEW, from_ms(due_ms), sib[key]))
    for key, due_ms in exam.reviews if exam else ():  # the plan's, in its order
        if len(reviews) >= day.review_room:
            break
        if card := pick(key):
            reviews.append(QueueItem(key, card, Kind.REVIEW, from_ms(due_ms), sib[key]))
    new: list[QueueItem] = []
    total_room = limits.new_left(snap.new_today)
    exam_room = exam.new_left if exam else 0
    for deck, keys in index.deck_keys.items():
        if decks and deck not in decks:
            continue
        if exam and exam.covers(deck):  # as many as the plan has for today, in content order
            for key in keys:
                if exam_room <= 0:
                    break
                if key in snap.new and (card := pick(key)):
                    new.append(QueueItem(key, card, Kind.NEW, None, sib[key]))
                    exam_room -= 1
            continue
        room = min(total_room, limits.deck_new_left(deck, snap.new_today))
        if room <= 0:
            continue
        for key in keys:  # content order; stops as soon as the deck's limit is reached
            if key in snap.new and (card := pick(key)):
                new.append(QueueItem(key, card, Kind.NEW, None, sib[key]))
                room -= 1
                total_room -= 1
                if room == 0:
                    break
    return learning_now + reviews + new + learning_ahead


def _flagged_first(
    store: Store,
    index: CardIndex,
    f: QueueFilter,
    day: _Day,
    limits: DailyLimits,
    items: list[QueueItem],
) -> list[QueueItem]:
    """Cards missed in a quiz and marked "add to review" come first, due or not, until they
    are reviewed (the mark lives in `store.quizlog`).

    A marked new card takes the place of a new card of the day, so the day's new cards stay
    within the limits and Home, Stats and the queue count the same: its deck's last one, or,
    while its deck is under its own limit, the queue's last one. With no new card left today,
    the marked one comes first on a later day."""
    if not day.flagged:
        return items
    queued = {item.key: item for item in items}
    marked = set(day.flagged)
    replaced: set[str] = set()
    deck_new = Counter(item.card.deck for item in items if item.kind is Kind.NEW)
    first: list[QueueItem] = []
    for key in day.flagged:
        card = index.by_key[key]
        if not f.matches(card):
            continue
        item = queued.get(key)
        if item is None:
            rec = store.card(key)
            if rec is None:
                continue
            if rec.state.is_new:
                spares = [
                    i
                    for i in items
                    if i.kind is Kind.NEW and i.key not in marked and i.key not in replaced
                ]
                own = [i for i in spares if i.card.deck == card.deck]
                room = limits.deck_new_left(card.deck, day.snap.new_today) - deck_new[card.deck]
                spare = own[-1] if own else spares[-1] if spares and room > 0 else None
                if spare is None:
                    continue
                replaced.add(spare.key)
                deck_new[spare.card.deck] -= 1
                deck_new[card.deck] += 1
            kind = Kind.NEW if rec.state.is_new else _STATE_KIND.get(rec.state.state, Kind.REVIEW)
            item = QueueItem(key, card, kind, rec.state.due)
        first.append(item)
    moved = {item.key for item in first} | replaced
    return first + [item for item in items if item.key not in moved]


def build_cram_queue(
    store: Store,
    cards: Sequence[Card] | CardIndex,
    now: datetime,
    filters: QueueFilter | None = None,
    *,
    limit: int | None = None,
    previous: str | None = None,
    include_new: bool = True,
) -> list[QueueItem]:
    """Every matching card now, due or not: the weakest (lowest retrievability) first, then
    new cards in content order. Suspended cards are left out. Grade these with mode="cram"."""
    index = CardIndex.of(cards)
    f = filters or QueueFilter()
    now = as_utc(now)
    records = store.records()
    scheduler = store.scheduler
    reviewed: list[tuple[float, int, QueueItem]] = []
    new: list[QueueItem] = []
    for pos, (key, card) in enumerate(index.by_key.items()):
        rec = records.get(key)
        if not f.matches(card) or (rec is not None and rec.suspended):
            continue
        item = QueueItem(key, card, Kind.CRAM, rec.state.due if rec else None, index.sibling[key])
        if rec is None or rec.state.is_new:
            if include_new:
                new.append(item)
        else:
            reviewed.append((scheduler.retrievability(rec.id, rec.state, now), pos, item))
    reviewed.sort(key=lambda t: (t[0], t[1]))
    items = [t[2] for t in reviewed] + new
    if limit is not None:
        items = items[:limit]
    return space_siblings(items, _previous_sibling(index, previous))

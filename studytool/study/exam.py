"""The exam-date plan: which cards to review and introduce each day so that, on the exam date,
every card in scope has a predicted recall R(t, S) of at least the target, within a daily
minutes cap.

    plan = plan_exam(cards, today=..., exam=..., day_start_ms=..., minutes=30, target=0.9)
    plan.days             # one PlanDay per study day before the exam: new, reviews, minutes
    plan.expected_recall  # mean predicted recall of the cards in scope on the date
    plan.minutes_needed   # when the goal is not met: the daily minutes that would meet it
    plan.minutes_room     # the daily minutes that also leave room for forgetting

Each card moves along its expected path with FSRS's own update rules (`simulate._Fsrs`): a
new card is answered Good through its learning steps, a review is answered Good (a recalled
card's expected rating), and the expected lapses cost their relearning answers
((1 - R) x the relearning steps). Each study day, in order, until the minutes run out:
  1. cards whose recall on the date would be below target and whose FSRS due date has come
     (or, for those not due before the exam, the last day before it);
  2. new cards, spread evenly over the first three quarters of the days left, so they have
     time to be reviewed before the exam (and the last days are left for reviews);
  3. of the cards below target that FSRS would not bring back before the exam, an even share
     of the days left, the most forgotten first: pulled in early, so they do not all land on
     the last day.
Cards whose recall on the date already reaches the target wait until after the exam.

The plan is the expected path, not a forecast of every roll: a card forgotten and relearned
comes back sooner than its Good path says, and its extra reviews take the minutes of cards
not yet started. Simulated with recall drawn at random (tests/study/test_exam_forgetting.py),
a plan at the least minutes that meet the goal ends well short of its promise; with ROOM
times those minutes, the mean recall on the date stays within a point of it (and a few cards,
forgotten in the last days, end below the target).

The plan holds no SQL: `plan_store` reads the cards' states and logged answer times from the
store and hands them over.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from fsrs.scheduler import DEFAULT_PARAMETERS

from studytool.config import EXAM_MINUTES, ExamSettings, SchedulerSettings
from studytool.store.state import FsrsState
from studytool.study.simulate import DAY_MS, DEFAULT_SECONDS, GOOD, _Fsrs

if TYPE_CHECKING:
    from datetime import datetime

    from numpy.typing import NDArray

    from studytool.content.model import Card
    from studytool.store.repo import Store

    # review key -> card in content order (the queue's CardIndex.by_key), or the cards
    Cards = Mapping[str, Card] | Sequence[Card]

DEFAULT_MINUTES = 30
DEFAULT_TARGET = 0.9
MAX_MINUTES = EXAM_MINUTES[1]  # the search for the minutes that meet the goal stops here
REVIEW_AT = 0.5  # planned answers happen mid-day; the exam too (whole days between them)
NEW_SHARE = 0.75  # new cards are introduced over this share of the days left
ROOM = 1.25  # daily minutes over the least that meet the goal, for forgetting (see above)


class ExamDateError(ValueError):
    """The exam date is not after the current study day."""


@dataclass(frozen=True, slots=True)
class ExamCard:
    """What the planner needs of one card: its key, deck and FSRS fields as stored."""

    key: str
    deck: str
    state: FsrsState = FsrsState.NEW
    stability: float | None = None
    difficulty: float | None = None
    due_ms: int | None = None
    last_review_ms: int | None = None


@dataclass(frozen=True, slots=True)
class PlanDay:
    day: date
    new: int
    reviews: int
    minutes: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "new": self.new,
            "reviews": self.reviews,
            "minutes": round(self.minutes, 1),
        }


@dataclass(frozen=True, slots=True)
class ExamPlan:
    exam: date
    today: date
    target: float
    minutes: int  # the daily cap
    seconds_per_answer: float
    personal: bool  # the learner's own parameters, else the defaults
    cards: int  # in scope
    new_cards: int  # of `cards`, never reviewed
    days: tuple[PlanDay, ...]
    expected_recall: float  # mean predicted recall on the date, of every card in scope
    below: int  # cards predicted below the target on the date (never introduced ones too)
    unstarted: int  # new cards the plan could not introduce in time
    minutes_needed: int | None  # daily minutes that meet the goal when these do not
    today_reviews: tuple[str, ...]  # the first day's reviews, in order
    today_new: tuple[str, ...]  # the first day's new cards, in order
    # ROOM x the least daily minutes that meet the goal: None when not searched or out of reach
    minutes_room: int | None = None

    @property
    def met(self) -> bool:
        return self.below == 0

    @property
    def tight(self) -> bool:
        """Met, but with less room for forgetting than `minutes_room`."""
        return self.met and self.minutes_room is not None and self.minutes < self.minutes_room

    @property
    def days_left(self) -> int:
        return (self.exam - self.today).days

    def to_dict(self) -> dict[str, Any]:
        return {
            "exam_date": self.exam.isoformat(),
            "today": self.today.isoformat(),
            "days_left": self.days_left,
            "target": self.target,
            "minutes_per_day": self.minutes,
            "seconds_per_answer": round(self.seconds_per_answer, 2),
            "parameters": "personal" if self.personal else "default",
            "cards": self.cards,
            "new_cards": self.new_cards,
            "expected_recall": round(self.expected_recall, 4),
            "met": self.met,
            "cards_below_target": self.below,
            "new_cards_not_started": self.unstarted,
            "minutes_needed": self.minutes_needed,
            "minutes_with_room": self.minutes_room,
            "days": [d.to_dict() for d in self.days],
        }


@dataclass(frozen=True, slots=True)
class _Run:
    days: tuple[PlanDay, ...]
    recall: NDArray[np.float64]  # per card, on the date (0 for cards never introduced)
    unstarted: int
    today_reviews: list[int]
    today_new: list[int]


class _Planner:
    """The cards as arrays and one plan per daily minutes cap (the search runs several)."""

    def __init__(
        self,
        cards: Sequence[ExamCard],
        fsrs: _Fsrs,
        *,
        today: date,
        days: int,
        day_start_ms: int,
        target: float,
        desired: float,
        seconds: float,
    ) -> None:
        self.fsrs, self.today, self.n_days, self.target = fsrs, today, days, target
        self.desired, self.seconds = desired, seconds
        self.is_new = np.array([c.state == FsrsState.NEW or c.stability is None for c in cards])
        self.s0 = np.array([c.stability or 1.0 for c in cards], np.float64)
        self.d0 = np.array([c.difficulty or 5.0 for c in cards], np.float64)
        # days from the start of today; a card due before today is due today
        self.last0 = np.array(
            [(c.last_review_ms or day_start_ms) - day_start_ms for c in cards], np.float64
        )
        self.last0 /= DAY_MS
        due = np.array([(c.due_ms or day_start_ms) - day_start_ms for c in cards], np.float64)
        self.due0 = np.maximum(np.floor(due / DAY_MS), 0)
        self.new_order = np.flatnonzero(self.is_new)  # the order given: content order
        steps = fsrs.learning_steps
        self.new_cost = max(1, steps)  # answers: Good through every learning step
        first = np.array([GOOD])
        s, d = fsrs.initial_stability(first), fsrs.initial_difficulty(first, clamp=True)
        s, d = fsrs.steps(s, d, np.array([max(steps - 1, 0)]))
        self.new_s, self.new_d = float(s[0]), float(d[0])
        self.new_ivl = float(fsrs.interval(s, np.array([desired]), None)[0])

    def recall_on_date(self, s: NDArray[np.float64], last: NDArray[np.float64]) -> Any:
        elapsed = np.floor(self.n_days + REVIEW_AT - last)
        return self.fsrs.retrievability(np.maximum(elapsed, 0), s)

    def run(self, minutes: float) -> _Run:
        fsrs, n_days = self.fsrs, self.n_days
        budget_per_day = minutes * 60 / self.seconds  # answers
        s, d, last, due = self.s0.copy(), self.d0.copy(), self.last0.copy(), self.due0.copy()
        started = ~self.is_new
        waiting = list(self.new_order)  # new cards not introduced yet, in order
        relearn = fsrs.relearning_steps
        new_until = max(1, math.ceil(n_days * NEW_SHARE))
        out: list[PlanDay] = []
        today_reviews: list[int] = []
        today_new: list[int] = []
        for day in range(n_days):
            now = day + REVIEW_AT
            budget = budget_per_day
            below = started & (self.recall_on_date(s, last) < self.target)
            recall_now = fsrs.retrievability(np.maximum(np.floor(now - last), 0), s)
            cost = 1 + (1 - recall_now) * relearn  # a lapse relearns the same day
            deadline = np.minimum(due, n_days - 1)

            must = np.flatnonzero(below & (deadline <= day))
            must = must[np.lexsort((recall_now[must], deadline[must]))]
            reviewed = [_prefix(must, cost, budget)]
            budget -= float(cost[reviewed[0]].sum())
            # new cards: an even share of those left over the days left for them
            quota = len(waiting)
            if day < new_until - 1:
                quota = math.ceil(len(waiting) / (new_until - day))
            fresh = min(quota, int((budget + 1e-9) // self.new_cost))
            intro = np.array(waiting[:fresh], dtype=np.int64)
            del waiting[:fresh]
            budget -= fresh * self.new_cost
            # pull in an even share of the cards FSRS would not bring back before the date
            late = np.flatnonzero(below & (due > n_days - 1) & (deadline > day))
            late = late[np.argsort(recall_now[late], kind="stable")]
            reviewed.append(_prefix(late[: math.ceil(late.size / (n_days - day))], cost, budget))
            rev = np.concatenate(reviewed)
            answers = float(cost[rev].sum()) + fresh * self.new_cost
            if rev.size:
                elapsed = np.floor(now - last[rev])
                r = recall_now[rev]
                new_s = np.where(
                    elapsed < 1,
                    fsrs.short_term_stability(s[rev], GOOD),
                    fsrs.next_stability(d[rev], s[rev], r, np.full(rev.size, GOOD)),
                )
                d[rev] = fsrs.next_difficulty(d[rev], GOOD)
                s[rev], last[rev] = new_s, now
                due[rev] = day + fsrs.interval(new_s, np.full(rev.size, self.desired), None)
            if intro.size:
                s[intro], d[intro], last[intro] = self.new_s, self.new_d, now
                due[intro] = day + self.new_ivl
                started[intro] = True
            if day == 0:
                today_reviews, today_new = rev.tolist(), intro.tolist()
            out.append(
                PlanDay(
                    self.today + timedelta(days=day),
                    int(intro.size),
                    int(rev.size),
                    answers * self.seconds / 60,
                )
            )
        recall = np.where(started, self.recall_on_date(s, last), 0.0)
        return _Run(tuple(out), recall, len(waiting), today_reviews, today_new)

    def meets(self, minutes: float) -> bool:
        return bool((self.run(minutes).recall >= self.target).all())


def _prefix(idx: NDArray[np.int64], cost: NDArray[np.float64], budget: float) -> Any:
    """The longest prefix of `idx` whose answers the budget still pays for."""
    fits = np.cumsum(cost[idx]) <= budget + 1e-9
    return idx if fits.all() else idx[: int(np.argmin(fits))]


def plan_exam(
    cards: Sequence[ExamCard],
    *,
    today: date,
    exam: date,
    day_start_ms: int,
    minutes: int = DEFAULT_MINUTES,
    target: float = DEFAULT_TARGET,
    parameters: Sequence[float] | None = None,
    settings: SchedulerSettings | None = None,
    seconds_per_answer: float = DEFAULT_SECONDS,
    search: bool = True,
) -> ExamPlan:
    """The plan from study day `today` (starting at `day_start_ms`) to the `exam` date.
    `search`: when the goal is not met, find the daily minutes that would meet it."""
    n_days = (exam - today).days
    if n_days < 1:
        raise ExamDateError(f"the exam date {exam.isoformat()} must be after today ({today})")
    settings = settings or SchedulerSettings()
    fsrs = _Fsrs(parameters if parameters is not None else DEFAULT_PARAMETERS, settings)
    planner = _Planner(
        cards,
        fsrs,
        today=today,
        days=n_days,
        day_start_ms=day_start_ms,
        target=target,
        desired=settings.desired_retention,
        seconds=seconds_per_answer,
    )
    run = planner.run(minutes)
    below = int((run.recall < target).sum())
    least = _least_minutes(planner, minutes, met=not below) if search else None
    room = None if least is None else min(math.ceil(least * ROOM), MAX_MINUTES)
    keys = [c.key for c in cards]
    return ExamPlan(
        exam=exam,
        today=today,
        target=target,
        minutes=minutes,
        seconds_per_answer=seconds_per_answer,
        personal=parameters is not None and tuple(parameters) != tuple(DEFAULT_PARAMETERS),
        cards=len(cards),
        new_cards=int(planner.is_new.sum()),
        days=run.days,
        expected_recall=float(run.recall.mean()) if len(cards) else 1.0,
        below=below,
        unstarted=run.unstarted,
        minutes_needed=least if below else None,
        today_reviews=tuple(keys[i] for i in run.today_reviews),
        today_new=tuple(keys[i] for i in run.today_new),
        minutes_room=room,
    )


def _least_minutes(planner: _Planner, minutes: int, *, met: bool) -> int | None:
    """The fewest whole minutes a day (in EXAM_MINUTES) whose plan meets the goal, knowing
    whether `minutes` does: doubling up when not, then bisection (more minutes never plan
    less). None: not even MAX_MINUTES."""
    low, high = EXAM_MINUTES[0] - 1, minutes  # low fails (or is below the range), high meets
    if not met:
        low, high = minutes, min(minutes * 2, MAX_MINUTES)
        while not planner.meets(high):
            if high >= MAX_MINUTES:
                return None
            low, high = high, min(high * 2, MAX_MINUTES)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if planner.meets(mid) else (mid, high)
    return high


def exam_cards(store: Store, cards: Cards, decks: Sequence[str]) -> list[ExamCard]:
    """The cards in scope (`decks`, or all when empty), in content order: not drafts,
    suspended or orphaned."""
    scope = set(decks)
    records = store.records()
    by_key = (
        cards
        if isinstance(cards, Mapping)
        else {k: c for c in cards if not c.draft for k in c.review_keys()}
    )
    out = []
    for key, card in by_key.items():
        rec = records.get(key)
        if rec is None or rec.suspended or rec.orphaned or (scope and card.deck not in scope):
            continue
        st = rec.state
        out.append(
            ExamCard(
                key, card.deck, st.state, st.stability, st.difficulty, st.due_ms, st.last_review_ms
            )
        )
    return out


def plan_store(
    store: Store,
    cards: Cards,
    now: datetime,
    exam: ExamSettings,
    *,
    search: bool = True,
) -> ExamPlan:
    """`plan_exam` for the learner's cards, parameters and settings, from the study day of
    `now`, with the seconds their answers took (8 s when none was logged)."""
    from studytool.store.history import answer_seconds
    from studytool.store.scheduler import study_date, to_ms

    start, _ = store.today(now)
    seconds = answer_seconds(store)
    return plan_exam(
        exam_cards(store, cards, exam.decks),
        today=study_date(now, store.settings.day_start_hour, store.tz),
        exam=exam.date,
        day_start_ms=to_ms(start),
        minutes=exam.minutes,
        target=exam.target,
        parameters=store.scheduler.parameters if store.scheduler.personal else None,
        settings=store.settings.scheduler,
        seconds_per_answer=DEFAULT_SECONDS if seconds is None else seconds,
        search=search,
    )


@dataclass(frozen=True, slots=True)
class ExamToday:
    """What the active plan asks of today's queue, computed once a study day."""

    decks: frozenset[str]  # in scope; empty: every deck
    reviews: tuple[str, ...]  # the day's planned reviews, due or not, in order
    new: int  # the day's new cards in scope

    def covers(self, deck: str) -> bool:
        return not self.decks or deck in self.decks


@dataclass(frozen=True, slots=True)
class ExamStatus:
    """What Home shows of the plan: the days left and the expected recall on the date."""

    exam: date
    days_left: int
    expected_recall: float | None  # None once the date has come (the plan has ended)
    target: float

    @property
    def ended(self) -> bool:
        return self.expected_recall is None


# the day's plan, per store, study day and plan settings: the queue is rebuilt after every
# grade, and planning again each time would cost more than the rest of the queue
_today: dict[tuple[object, ...], ExamToday] = {}


def exam_today(store: Store, cards: Cards, now: datetime) -> ExamToday | None:
    """Today's part of the active exam plan; None when there is none or it has ended."""
    from studytool.store.scheduler import study_date, to_ms

    exam = store.settings.exam
    if exam is None or study_date(now, store.settings.day_start_hour, store.tz) >= exam.date:
        return None
    start, _ = store.today(now)
    key = (id(store), store.path, to_ms(start), exam, store.scheduler.version, len(cards))
    found = _today.get(key)
    if found is None:
        plan = plan_store(store, cards, now, exam, search=False)
        found = ExamToday(frozenset(exam.decks), plan.today_reviews, len(plan.today_new))
        _today.clear()
        _today[key] = found
    return found


def exam_status(store: Store, cards: Cards, now: datetime) -> ExamStatus | None:
    """The active plan's days left and expected recall on the date, as of now."""
    from studytool.store.scheduler import study_date

    exam = store.settings.exam
    if exam is None:
        return None
    days_left = (exam.date - study_date(now, store.settings.day_start_hour, store.tz)).days
    if days_left <= 0:
        return ExamStatus(exam.date, days_left, None, exam.target)
    plan = plan_store(store, cards, now, exam, search=False)
    return ExamStatus(exam.date, days_left, plan.expected_recall, exam.target)

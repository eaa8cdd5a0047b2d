"""The workload of a desired retention: simulate the learner's cards for the next N days.

    sim = simulate(cards, parameters=..., settings=..., limits=..., now_ms=...)
    sim.rows      # one RetentionRow per desired retention (0.70 ... 0.97)

Every card of every retention value moves together in numpy arrays of shape (retentions,
cards), one day at a time, with FSRS's own update rules (the formulas of `fsrs.Scheduler`, its
constants imported from `fsrs.scheduler`; tests check each step against `review_card`). All
retention values see the same random draws, so their differences are the retention's, not
noise; a small deck is simulated as several independent copies whose results are averaged,
so its table is not one roll of the dice. New cards arrive under the daily limits; reviews
beyond the daily cap wait.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from fsrs.scheduler import (
    DEFAULT_PARAMETERS,
    FUZZ_RANGES,
    MAX_DIFFICULTY,
    MIN_DIFFICULTY,
    STABILITY_MIN,
)

from studytool.config import SchedulerSettings
from studytool.store.limits import DailyLimits
from studytool.store.state import FsrsState

if TYPE_CHECKING:
    from datetime import datetime

    from numpy.typing import NDArray

    from studytool.store.repo import Store

    Floats = NDArray[np.float64]

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97)
DEFAULT_DAYS = 90
DEFAULT_SECONDS = 8.0  # per answer, when the log has no durations
# Anki's simulator defaults (fsrs-rs): the first rating of a new card (Again, Hard, Good,
# Easy), and the rating of a recalled review card (Hard, Good, Easy)
FIRST_RATING_PROB = (0.24, 0.094, 0.495, 0.171)
RECALL_RATING_PROB = (0.224, 0.632, 0.144)
DAY_MS = 86_400_000
SAMPLE = 4000  # simulate at least this many cards: copies of a smaller deck, averaged
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class SimCard:
    """What the simulator needs of one card: its deck and its FSRS fields as stored."""

    deck: str
    state: FsrsState
    stability: float | None = None
    difficulty: float | None = None
    due_ms: int | None = None
    last_review_ms: int | None = None


@dataclass(frozen=True, slots=True)
class RetentionRow:
    desired: float
    answers: tuple[float, ...]  # per day: reviews, new cards and their same-day steps
    minutes: tuple[float, ...]  # per day
    retention: float | None  # mean predicted recall of the studied cards after the last day
    memorized: float  # the sum of those recalls: cards you would remember

    @property
    def answers_per_day(self) -> float:
        return sum(self.answers) / len(self.answers) if self.answers else 0.0

    @property
    def minutes_per_day(self) -> float:
        return sum(self.minutes) / len(self.minutes) if self.minutes else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "desired_retention": self.desired,
            "reviews_per_day": round(self.answers_per_day, 2),
            "minutes_per_day": round(self.minutes_per_day, 2),
            "retention": None if self.retention is None else round(self.retention, 4),
            "memorized": round(self.memorized, 1),
            "daily_reviews": [round(a, 2) for a in self.answers],
            "daily_minutes": [round(m, 2) for m in self.minutes],
        }


@dataclass(frozen=True, slots=True)
class Simulation:
    days: int
    cards: int
    new_cards: int  # of `cards`, never reviewed before day 0
    seconds_per_answer: float
    personal: bool  # the learner's own parameters, else the defaults
    current: float  # the desired retention set now
    rows: tuple[RetentionRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "cards": self.cards,
            "new_cards": self.new_cards,
            "seconds_per_answer": round(self.seconds_per_answer, 2),
            "parameters": "personal" if self.personal else "default",
            "current_retention": self.current,
            "rows": [r.to_dict() for r in self.rows],
        }


class _Fsrs:
    """FSRS-6's update rules on numpy arrays (fsrs.Scheduler's private methods, vectorised)."""

    def __init__(self, parameters: Sequence[float], settings: SchedulerSettings) -> None:
        w = self.w = tuple(float(p) for p in parameters)
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.learning_steps = len(settings.learning_steps_min)
        self.relearning_steps = len(settings.relearning_steps_min)
        self.maximum_interval = settings.maximum_interval
        self.fuzz = settings.enable_fuzzing

    def retrievability(self, elapsed: Floats, stability: Floats) -> Floats:
        return np.asarray((1 + self.factor * elapsed / stability) ** self.decay)

    def initial_stability(self, rating: NDArray[np.int64]) -> Floats:
        return np.maximum(np.asarray(self.w)[rating - 1], STABILITY_MIN)

    def initial_difficulty(self, rating: NDArray[np.int64] | int, *, clamp: bool) -> Floats:
        d = self.w[4] - np.exp(self.w[5] * (np.asarray(rating) - 1)) + 1
        return np.clip(d, MIN_DIFFICULTY, MAX_DIFFICULTY) if clamp else np.asarray(d)

    def next_difficulty(self, d: Floats, rating: NDArray[np.int64] | int) -> Floats:
        w = self.w
        delta = -(w[6] * (np.asarray(rating) - 3))
        damped = d + (10.0 - d) * delta / 9.0
        reverted = w[7] * self.initial_difficulty(EASY, clamp=False) + (1 - w[7]) * damped
        return np.clip(reverted, MIN_DIFFICULTY, MAX_DIFFICULTY)

    def short_term_stability(self, s: Floats, rating: NDArray[np.int64] | int) -> Floats:
        w = self.w
        rating = np.asarray(rating)
        increase = np.exp(w[17] * (rating - 3 + w[18])) * s ** -w[19]
        increase = np.where(rating > AGAIN, np.maximum(increase, 1.0), increase)
        return np.maximum(s * increase, STABILITY_MIN)

    def next_stability(self, d: Floats, s: Floats, r: Floats, rating: NDArray[np.int64]) -> Floats:
        w = self.w
        hard = np.where(rating == HARD, w[15], 1.0)
        easy = np.where(rating == EASY, w[16], 1.0)
        recall = s * (
            1 + math.exp(w[8]) * (11 - d) * s ** -w[9] * (np.exp((1 - r) * w[10]) - 1) * hard * easy
        )
        forget = np.minimum(
            w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * np.exp((1 - r) * w[14]),
            s / math.exp(w[17] * w[18]),
        )
        return np.maximum(np.where(rating == AGAIN, forget, recall), STABILITY_MIN)

    def steps(self, s: Floats, d: Floats, goods: NDArray[np.int64]) -> tuple[Floats, Floats]:
        """`goods` more same-day Good answers (the rest of the learning steps) per card."""
        for k in range(int(goods.max(initial=0))):
            more = goods > k
            s = np.where(more, self.short_term_stability(s, GOOD), s)
            d = np.where(more, self.next_difficulty(d, GOOD), d)
        return s, d

    def interval(self, s: Floats, desired: Floats, u: Floats | None) -> Floats:
        """Whole days to the next review (Scheduler._next_interval, then its fuzz)."""
        ivl = np.round(s / self.factor * (desired ** (1 / self.decay) - 1))
        ivl = np.clip(ivl, 1, self.maximum_interval)
        if u is None or not self.fuzz:
            return ivl
        delta = np.ones_like(ivl)
        for r in FUZZ_RANGES:
            delta += r["factor"] * np.maximum(np.minimum(ivl, r["end"]) - r["start"], 0.0)
        high = np.minimum(np.round(ivl + delta), self.maximum_interval)
        low = np.minimum(np.maximum(2, np.round(ivl - delta)), high)
        fuzzed = np.minimum(np.round(u * (high - low + 1) + low), self.maximum_interval)
        return np.where(ivl >= 2.5, fuzzed, ivl)


def _draw_rating(u: Floats, probs: Sequence[float], first: int) -> NDArray[np.int64]:
    """Ratings first, first+1, ... with the probabilities `probs`, for uniform draws `u`."""
    edges = np.cumsum(probs[:-1]) / sum(probs)
    return np.searchsorted(edges, u, side="right").astype(np.int64) + first


def _intro_days(decks: Sequence[str], limits: DailyLimits, days: int) -> NDArray[np.int64]:
    """The day each new card (in order) is first studied under the daily new-card limits;
    `days` for those left for later."""
    out = np.full(len(decks), days, dtype=np.int64)
    waiting: dict[str, list[int]] = {}
    for i, deck in enumerate(decks):
        waiting.setdefault(deck, []).append(i)
    for day in range(days):
        left = limits.new_total
        for queue in waiting.values():
            take = min(len(queue), limits.new_per_deck, left)
            for i in queue[:take]:
                out[i] = day
            del queue[:take]
            left -= take
            if left <= 0:
                break
    return out


def simulate(
    cards: Sequence[SimCard],
    *,
    parameters: Sequence[float] | None = None,
    settings: SchedulerSettings | None = None,
    limits: DailyLimits | None = None,
    now_ms: int = 0,
    days: int = DEFAULT_DAYS,
    retentions: Sequence[float] = RETENTIONS,
    seconds_per_answer: float = DEFAULT_SECONDS,
    seed: int = 0,
) -> Simulation:
    """Reviews, minutes and the expected retention for each desired retention over `days`."""
    settings = settings or SchedulerSettings()
    limits = limits or DailyLimits()
    fsrs = _Fsrs(parameters if parameters is not None else DEFAULT_PARAMETERS, settings)
    rng = np.random.default_rng(seed)
    copies = max(1, -(-SAMPLE // len(cards))) if cards else 1
    new_in_deck = [c for c in cards if c.state == FsrsState.NEW or c.stability is None]
    intro_one = _intro_days([c.deck for c in new_in_deck], limits, days)
    cards = list(cards) * copies
    limits = replace(limits, reviews=limits.reviews * copies)  # the cap of all copies
    n, k = len(cards), len(retentions)
    desired = np.asarray(retentions, dtype=np.float64)[:, None]

    is_new = np.array([c.state == FsrsState.NEW or c.stability is None for c in cards], bool)
    stored_s = np.array([c.stability or STABILITY_MIN for c in cards], np.float64)
    stored_d = np.array([c.difficulty or MIN_DIFFICULTY for c in cards], np.float64)
    # days relative to the start of day 0 (now); overdue cards are due on day 0
    last0 = np.array(
        [(c.last_review_ms if c.last_review_ms is not None else now_ms) for c in cards], float
    )
    last0 = (last0 - now_ms) / DAY_MS
    due0 = np.array([(c.due_ms if c.due_ms is not None else now_ms) for c in cards], float)
    due0 = np.maximum(np.floor((due0 - now_ms) / DAY_MS), 0)
    new_idx = np.flatnonzero(is_new)
    intro = np.full(n, -1, dtype=np.int64)
    intro[new_idx] = np.tile(intro_one, copies)  # each copy under the daily new-card limits

    s = np.tile(stored_s, (k, 1))
    d = np.tile(stored_d, (k, 1))
    last = np.tile(last0, (k, 1))
    due = np.where(is_new, np.inf, np.tile(due0, (k, 1)))
    answers = np.zeros((k, days), dtype=np.float64)
    rows = np.arange(k)[:, None]

    for day in range(days):
        u_first, u_pass, u_grade, u_fuzz = rng.random((4, n))
        # new cards: the first rating, then Good through the rest of the learning steps
        fresh = np.flatnonzero(intro == day)
        if fresh.size:
            first = _draw_rating(u_first[fresh], FIRST_RATING_PROB, AGAIN)
            steps = fsrs.learning_steps
            goods = np.where(first == EASY, 0, np.where(first == GOOD, steps - 1, steps))
            goods = np.maximum(goods, 0) if steps else np.zeros_like(first)
            s0, d0 = fsrs.steps(
                fsrs.initial_stability(first), fsrs.initial_difficulty(first, clamp=True), goods
            )
            s[:, fresh], d[:, fresh], last[:, fresh] = s0, d0, day
            due[:, fresh] = day + fsrs.interval(s[:, fresh], desired, u_fuzz[fresh])
            answers[:, day] += (1 + goods).sum()
        # reviews: those due, oldest first, up to the daily cap
        waiting = due <= day
        if limits.reviews < n and (waiting.sum(axis=1) > limits.reviews).any():
            order = np.argsort(np.where(waiting, due, np.inf), axis=1, kind="stable")
            capped = np.zeros_like(waiting)
            capped[rows, order[:, : limits.reviews]] = True
            waiting &= capped
        if not waiting.any():
            continue
        r_i, c_i = np.nonzero(waiting)
        cs, cd = s[r_i, c_i], d[r_i, c_i]
        elapsed = np.floor(day - last[r_i, c_i])
        recall = fsrs.retrievability(np.maximum(elapsed, 0), cs)
        passed = u_pass[c_i] < recall
        rating = np.where(passed, _draw_rating(u_grade[c_i], RECALL_RATING_PROB, HARD), AGAIN)
        new_s = np.where(
            elapsed < 1,
            fsrs.short_term_stability(cs, rating),
            fsrs.next_stability(cd, cs, recall, rating),
        )
        new_d = fsrs.next_difficulty(cd, rating)
        # a lapse relearns the same day: Good through the relearning steps
        relearn = np.where(passed, 0, fsrs.relearning_steps)
        new_s, new_d = fsrs.steps(new_s, new_d, relearn)
        s[r_i, c_i], d[r_i, c_i], last[r_i, c_i] = new_s, new_d, day
        due[r_i, c_i] = day + fsrs.interval(new_s, desired[r_i, 0], u_fuzz[c_i])
        answers[:, day] += np.bincount(r_i, weights=1 + relearn, minlength=k)

    studied = np.isfinite(due)
    end_recall = fsrs.retrievability(np.maximum(np.floor(days - last), 0), s)
    answers /= copies
    minutes = answers * seconds_per_answer / 60
    out = []
    for i, target in enumerate(retentions):
        known = end_recall[i][studied[i]]
        out.append(
            RetentionRow(
                desired=float(target),
                answers=tuple(float(a) for a in answers[i]),
                minutes=tuple(float(m) for m in minutes[i]),
                retention=float(known.mean()) if known.size else None,
                memorized=float(known.sum()) / copies,
            )
        )
    return Simulation(
        days=days,
        cards=n // copies,
        new_cards=int(is_new.sum()) // copies,
        seconds_per_answer=seconds_per_answer,
        personal=parameters is not None and tuple(parameters) != tuple(DEFAULT_PARAMETERS),
        current=settings.desired_retention,
        rows=tuple(out),
    )


def simulate_store(
    store: Store,
    now: datetime,
    *,
    days: int = DEFAULT_DAYS,
    drafts: Sequence[str] = (),
    seed: int = 0,
) -> Simulation:
    """`simulate` for the learner's cards (not suspended, orphaned or `drafts`), with their
    parameters, settings and daily limits and the seconds their answers took."""
    from studytool.store.history import answer_seconds
    from studytool.store.scheduler import as_utc, to_ms

    skip = set(drafts)
    cards = [
        SimCard(r.deck, r.state.state, *r.state.columns()[2:])
        for key, r in sorted(store.records().items())
        if not r.suspended and not r.orphaned and key not in skip
    ]
    seconds = answer_seconds(store)
    return simulate(
        cards,
        parameters=store.scheduler.parameters if store.scheduler.personal else None,
        settings=store.scheduler.settings,  # the desired retention in effect: the log's
        limits=DailyLimits.of(store.settings),
        now_ms=to_ms(as_utc(now)),
        days=days,
        seconds_per_answer=DEFAULT_SECONDS if seconds is None else seconds,
        seed=seed,
    )

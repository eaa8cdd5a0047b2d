"""Personal FSRS parameters that prove themselves: fit them on the older 80 % of the review
log (by time) in a child process, measure the current and the new parameters on the newest
20 %, and adopt the new ones only when both log loss and RMSE(bins) improve.

torch is imported only by the child (`studytool.store.optimize_worker`), never here.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsrs import Card as FsrsCard
from fsrs import Rating

import studytool
from studytool.store.calibration import log_loss, rmse_bins
from studytool.store.errors import StoreError
from studytool.store.scheduler import (
    CardState,
    StudyScheduler,
    as_utc,
    from_ms,
    fsrs_version,
    to_ms,
    utc_now,
)
from studytool.store.sql import SET_STATE

if TYPE_CHECKING:
    from studytool.store.repo import Store

# fsrs.optimizer.mini_batch_size: with fewer qualifying reviews, compute_optimal_parameters
# returns the defaults. Importing fsrs.optimizer to read it would import torch.
MIN_REVIEWS = 512
# fsrs.optimizer.max_seq_len: only the first 64 reviews of each card are used
MAX_SEQ_LEN = 64
DAY_MS = 86_400_000
HOLDOUT = 0.2  # the newest fifth of the qualifying reviews tests the fit
# the TUI suggests a fit once this many review-mode answers came since the last one (the
# fsrs threshold again), and at most this often
HINT_ANSWERS = MIN_REVIEWS
HINT_EVERY_MS = 30 * DAY_MS
META_LAST_FIT = "last_optimize"  # sync_meta: when the optimizer last fitted, adopted or not

Log = tuple[int, int, int, int | None]  # card_id, rating, time_ms, duration_ms
Fitter = Callable[[Sequence[Log]], Sequence[float]]


@dataclass(frozen=True, slots=True)
class Score:
    """How well parameters predict the held-out reviews (lower is better for both)."""

    log_loss: float
    rmse_bins: float

    def to_dict(self) -> dict[str, float]:
        return {"log_loss": self.log_loss, "rmse_bins": self.rmse_bins}


@dataclass(frozen=True, slots=True)
class Evidence:
    train_reviews: int  # qualifying reviews in the older part, what the fit saw
    test_reviews: int  # qualifying reviews in the newest part, what both are measured on
    current: Score
    new: Score
    candidate: tuple[float, ...]  # the fitted parameters, adopted or not

    @property
    def better(self) -> bool:
        return (
            self.new.log_loss < self.current.log_loss
            and self.new.rmse_bins < self.current.rmse_bins
        )

    def line(self) -> str:
        c, n = self.current, self.new
        return (
            f"fitted on the older {self.train_reviews} reviews, tested on the newest"
            f" {self.test_reviews}: log loss {c.log_loss:.4f} (current) vs {n.log_loss:.4f}"
            f" (new), RMSE(bins) {c.rmse_bins:.4f} vs {n.rmse_bins:.4f}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "train_reviews": self.train_reviews,
            "test_reviews": self.test_reviews,
            "current": self.current.to_dict(),
            "new": self.new.to_dict(),
            "candidate": list(self.candidate),
            "better": self.better,
        }


@dataclass(frozen=True, slots=True)
class OptimizeResult:
    reviews: int  # qualifying reviews: those at least a day after the card's previous one
    threshold: int  # qualifying reviews the fit needs in the older part
    optimized: bool  # new parameters were adopted
    parameters: tuple[float, ...]  # the parameters in use now
    params_id: int | None = None
    rescheduled: int = 0
    backup: Path | None = None
    evidence: Evidence | None = None  # None: too few reviews to fit
    needed: int = 0  # more qualifying reviews before a fit is possible
    personal: bool = False  # `parameters` are fitted ones, not the defaults

    @property
    def message(self) -> str:
        keeping = "your current parameters" if self.personal else "the default parameters"
        if self.evidence is None:
            return (
                f"{self.reviews} qualifying reviews; the optimizer needs at least "
                f"{self.threshold} in the older 80 % it fits on (each a day or more after the"
                f" card's previous review): {self.needed} more. Keeping {keeping}."
            )
        if not self.optimized:
            return f"{self.evidence.line()}. Not better on both: keeping {keeping}."
        return (
            f"{self.evidence.line()}. Both better: adopted the new parameters;"
            f" rescheduled {self.rescheduled} cards"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "threshold": self.threshold,
            "needed": self.needed,
            "optimized": self.optimized,
            "parameters": list(self.parameters),
            "params_id": self.params_id,
            "rescheduled": self.rescheduled,
            "backup": str(self.backup) if self.backup else None,
            "evidence": None if self.evidence is None else self.evidence.to_dict(),
            "message": self.message,
        }


def review_logs(store: Store) -> list[Log]:
    """(card_id, rating, time_ms, duration_ms) of every review-mode answer, per card in time
    order. Cram and quiz answers are not evidence of scheduled recall, so they are left out."""
    return [
        (r[0], r[1], r[2], r[3])
        for r in store._read(
            "SELECT card_id, rating, time_ms, duration_ms FROM revlog WHERE mode='review'"
            " ORDER BY card_id, time_ms, id"
        )
    ]


def count_qualifying(logs: Sequence[Log]) -> int:
    """What fsrs's optimizer counts against its threshold: within each card's first 64
    reviews, those made at least one whole day after the previous review."""
    n = 0
    card: int | None = None
    seen = 0
    prev = 0
    for card_id, _, time_ms, _ in logs:
        if card_id != card:
            card, seen, prev = card_id, 0, time_ms
        seen += 1
        if seen > MAX_SEQ_LEN:
            continue
        if seen > 1 and (time_ms - prev) // DAY_MS > 0:
            n += 1
        prev = time_ms
    return n


def split_by_time(logs: Sequence[Log]) -> tuple[list[Log], int | None]:
    """The reviews before the newest fifth of the qualifying ones (what the fit sees), and the
    time from which reviews are held out (None: nothing to hold out)."""
    times = sorted(_qualifying_times(logs))
    held = math.ceil(len(times) * HOLDOUT)
    if not held:
        return list(logs), None
    cutoff = times[-held]
    return [x for x in logs if x[2] < cutoff], cutoff


def _qualifying_times(logs: Sequence[Log]) -> list[int]:
    """The time of each review made a whole day or more after the card's previous one."""
    out: list[int] = []
    card: int | None = None
    prev = 0
    for card_id, _, time_ms, _ in logs:
        if card_id != card:
            card, prev = card_id, time_ms
            continue
        if (time_ms - prev) // DAY_MS > 0:
            out.append(time_ms)
        prev = time_ms
    return out


def predictions(
    logs: Sequence[Log], scheduler: StudyScheduler, since_ms: int
) -> list[tuple[float, bool]]:
    """(predicted recall, passed) of each review from `since_ms` on, a whole day or more after
    the card's previous one: each card's whole log replayed with fsrs (`review_card`) and the
    recall read with `get_card_retrievability`, as fsrs's optimizer scores its fit."""
    fsrs = scheduler.fsrs
    out: list[tuple[float, bool]] = []
    card: FsrsCard | None = None
    current: int | None = None
    for card_id, rating, time_ms, _ in logs:
        t = from_ms(time_ms)
        if card_id != current or card is None:
            current, card = card_id, FsrsCard(card_id=card_id, due=t)
        elif time_ms >= since_ms and card.last_review and (t - card.last_review).days > 0:
            out.append((float(fsrs.get_card_retrievability(card, t)), rating > 1))
        card, _ = fsrs.review_card(card, Rating(rating), t)
    return out


def score(logs: Sequence[Log], store: Store, parameters: Sequence[float], since_ms: int) -> Score:
    # no fuzz: replaying must not touch the global random state (and fuzz moves only due)
    settings = replace(store.scheduler.settings, enable_fuzzing=False)
    pairs = predictions(logs, StudyScheduler(settings, parameters), since_ms)
    return Score(log_loss(pairs) or 0.0, rmse_bins(pairs) or 0.0)


def needed_reviews(reviews: int, train_reviews: int) -> int:
    """About how many more qualifying reviews make the older 80 % reach the threshold."""
    short = MIN_REVIEWS - train_reviews
    if short <= 0:
        return 0
    return max(math.ceil(MIN_REVIEWS / (1 - HOLDOUT)) - reviews, math.ceil(short / (1 - HOLDOUT)))


def optimize_hint(store: Store, now: datetime) -> int | None:
    """Review-mode answers since the last fit when it is time to suggest another (at least
    HINT_ANSWERS of them, and a month since that fit), else None."""
    row = store._read_one(
        "SELECT max(coalesce((SELECT max(created_ms) FROM params), 0),"
        " coalesce((SELECT CAST(value AS INTEGER) FROM sync_meta WHERE name=?), 0))",
        (META_LAST_FIT,),
    )
    last = int(row[0]) if row else 0
    if last and to_ms(as_utc(now)) - last < HINT_EVERY_MS:
        return None
    count = store._read_one(
        "SELECT count(*) FROM revlog WHERE mode='review' AND time_ms>?", (last,)
    )
    n = int(count[0]) if count else 0
    return n if n >= HINT_ANSWERS else None


def _run_worker(
    logs: Sequence[Log],
    worker: Sequence[str] | None,
    timeout: float | None,
) -> list[float]:
    cmd = list(worker or [sys.executable, "-m", "studytool.store.optimize_worker"])
    env = dict(os.environ)
    # the child must import this same studytool, installed or not
    root = str(Path(studytool.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="studytool-optimize-") as tmp:
        path = Path(tmp) / "logs.json"
        path.write_text(json.dumps({"logs": [list(x) for x in logs]}), encoding="utf-8")
        try:
            proc = subprocess.run(
                [*cmd, str(path)],
                capture_output=True,
                text=True,
                env=env,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise StoreError(f"the optimizer did not finish within {timeout:g}s") from None
        except OSError as e:
            raise StoreError(f"cannot start the optimizer: {e}") from None
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        answer = {}
    if proc.returncode != 0 or "parameters" not in answer:
        detail = answer.get("error") or (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise StoreError(f"the optimizer failed: {detail}")
    return [float(p) for p in answer["parameters"]]


def optimize(
    store: Store,
    now: datetime | None = None,
    *,
    worker: Sequence[str] | None = None,
    timeout: float | None = None,
    on_fit: Callable[[int], None] | None = None,
    fit: Fitter | None = None,
) -> OptimizeResult:
    """Fit FSRS weights on the older 80 % of the review-mode log, score the current and the
    new weights on the newest 20 %, and when the new ones are better on both log loss and
    RMSE(bins), save them and reschedule every reviewed card with them (each card's log
    replayed by fsrs `reschedule_card`). Below the threshold nothing is fitted and the result
    says how many more reviews are needed. `on_fit(n)` is called just before the (slow) fit
    starts; `worker` replaces the child command, `fit` the whole child (tests)."""
    now = as_utc(now or utc_now())
    logs = review_logs(store)
    n = count_qualifying(logs)
    train, cutoff = split_by_time(logs)
    n_train = count_qualifying(train)
    current = store.scheduler.parameters
    personal = store.scheduler.params_id is not None
    if n_train < MIN_REVIEWS or cutoff is None:
        need = max(needed_reviews(n, n_train), 1)
        return OptimizeResult(n, MIN_REVIEWS, False, current, needed=need, personal=personal)
    if on_fit is not None:
        on_fit(n)
    params = list(fit(train) if fit is not None else _run_worker(train, worker, timeout))
    with store.transaction() as con:  # a fit that was not adopted still counts for the hint
        con.execute(
            "INSERT OR REPLACE INTO sync_meta (name, value) VALUES (?, ?)",
            (META_LAST_FIT, str(to_ms(now))),
        )
    try:
        StudyScheduler(store.scheduler.settings, params)
    except ValueError as e:
        raise StoreError(f"the optimizer returned unusable parameters: {e}") from None
    test_n = sum(1 for t in _qualifying_times(logs) if t >= cutoff)
    evidence = Evidence(
        n_train,
        test_n,
        score(logs, store, current, cutoff),
        score(logs, store, params, cutoff),
        tuple(params),
    )
    if not evidence.better:
        return OptimizeResult(n, MIN_REVIEWS, False, current, evidence=evidence, personal=personal)
    made = store.backup_now("pre-optimize", now)
    per_card: dict[int, list[tuple[int, int]]] = {}
    for card_id, rating, time_ms, _ in logs:
        per_card.setdefault(card_id, []).append((time_ms, rating))
    # replay outside the write lock (it can take seconds), so other windows keep grading
    sched = StudyScheduler(store.scheduler.settings, params)
    planned: dict[int, tuple[int | None, CardState]] = {}
    for card_id, card_logs in per_card.items():
        planned[card_id] = (card_logs[-1][0], sched.reschedule(card_id, CardState(), card_logs))
    with store.transaction() as con:
        con.execute("UPDATE params SET active=0")
        cur = con.execute(
            "INSERT INTO params (created_ms, parameters, reviews, fsrs_version, active)"
            " VALUES (?, ?, ?, ?, 1)",
            (to_ms(now), json.dumps(params), n, fsrs_version()),
        )
        params_id = int(cur.lastrowid or 0)
        rescheduled = 0
        for card_id, (last_ms, after) in planned.items():
            # compare-and-set: a card graded (or undone) meanwhile is replayed again here
            cur = con.execute(
                f"{SET_STATE} AND last_review_ms IS ?", (*after.columns(), card_id, last_ms)
            )
            if cur.rowcount == 0:
                fresh = con.execute(
                    "SELECT time_ms, rating FROM revlog WHERE card_id=? AND mode='review'"
                    " ORDER BY time_ms, id",
                    (card_id,),
                ).fetchall()
                redo = sched.reschedule(card_id, CardState(), fresh)
                con.execute(SET_STATE, (*redo.columns(), card_id))
            rescheduled += 1
    store.reload_scheduler()
    return OptimizeResult(
        n,
        MIN_REVIEWS,
        True,
        tuple(params),
        params_id,
        rescheduled,
        made,
        evidence=evidence,
        personal=True,
    )

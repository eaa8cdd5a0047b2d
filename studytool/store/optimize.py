"""Personal FSRS parameters that prove themselves: fit them on the older 80 % of the review
log (by time) in a child process, measure the current and the new parameters on the newest
20 %, and adopt the new ones only when both log loss and RMSE(bins) improve.

The fit is a function of the merged event log alone, so every machine with the same events
gets the same parameters: the reviews come from the log in (time, id) order with voided ones
left out (not from the cache, whose row ids differ between machines); card ids are given in
the order each card's history starts (what fsrs's optimizer sorts by); fsrs shuffles with its
own fixed seed (Random(42)); the child runs torch on one thread; no wall clock is read.
Adopted parameters go to this device's file in the progress repository (store/params.py),
which syncs; the cache is then rebuilt from the log with them (store/replay.py).

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
from studytool.store.eventlog import Event, LogRead
from studytool.store.params import ParamsFile, latest_fit_ms, write_params
from studytool.store.replay import rebuild
from studytool.store.scheduler import (
    StudyScheduler,
    as_utc,
    from_ms,
    fsrs_version,
    to_ms,
    utc_now,
)

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
    params_file: Path | None = None  # where adopted parameters were written
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
            "params_file": str(self.params_file) if self.params_file else None,
            "rescheduled": self.rescheduled,
            "backup": str(self.backup) if self.backup else None,
            "evidence": None if self.evidence is None else self.evidence.to_dict(),
            "message": self.message,
        }


def review_logs(store: Store, read: LogRead | None = None) -> list[Log]:
    """(card_id, rating, time_ms, duration_ms) of every review-mode answer in the event log,
    voided ones left out, per card in (time, id) order. Cram and quiz answers are not evidence
    of scheduled recall, so they are left out. card_id is 1, 2, ... in the order each card's
    history starts, the same on every machine (the cache's row ids are not)."""
    events = (read or store.log.read()).sorted()
    voided = {e["target"] for e in events if e["type"] == "void"}
    per_key: dict[str, list[Event]] = {}
    for e in events:
        if e["type"] == "review" and e["mode"] == "review" and e["id"] not in voided:
            per_key.setdefault(e["key"], []).append(e)
    order = sorted(per_key, key=lambda k: (per_key[k][0]["t"], per_key[k][0]["id"]))
    return [
        (i, e["rating"], e["t"], e.get("dur")) for i, k in enumerate(order, 1) for e in per_key[k]
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
    HINT_ANSWERS of them, and a month since that fit), else None. The last fit is the later
    of this machine's (adopted or not) and the newest parameter file's, which may have been
    fitted on another machine and synced here: its time is that of the last event it saw."""
    row = store._read_one(
        "SELECT max(coalesce((SELECT max(created_ms) FROM params), 0),"
        " coalesce((SELECT CAST(value AS INTEGER) FROM sync_meta WHERE name=?), 0))",
        (META_LAST_FIT,),
    )
    last = max(int(row[0]) if row else 0, latest_fit_ms(store.log.root))
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
    # torch on one thread: parallel sums may add in another order, and every machine must
    # get the same parameters from the same log (fsrs shuffles with its own fixed seed)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
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
    RMSE(bins), write them to this device's parameter file and rebuild the cache from the log
    with them. Below the threshold nothing is fitted and the result says how many more
    reviews are needed. `on_fit(n)` is called just before the (slow) fit starts; `worker`
    replaces the child command, `fit` the whole child (tests). `now` only dates the backup
    made before adopting."""
    now = as_utc(now or utc_now())
    read = store.log.read()
    logs = review_logs(store, read)
    n = count_qualifying(logs)
    train, cutoff = split_by_time(logs)
    n_train = count_qualifying(train)
    current = store.scheduler.parameters
    personal = store.scheduler.personal
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
    events = read.sorted()
    chosen = ParamsFile(
        tuple(params), len(events), events[-1]["id"], n, fsrs_version(), store.log.device
    )
    path = write_params(store.log.root, chosen)
    # every card folded again from the log with the new weights: the cache is what a replay
    # gives, on this machine and on every other once the file has synced
    store.reload_scheduler()
    rescheduled = rebuild(store).cards
    return OptimizeResult(
        n,
        MIN_REVIEWS,
        True,
        tuple(params),
        path,
        rescheduled,
        made,
        evidence=evidence,
        personal=True,
    )

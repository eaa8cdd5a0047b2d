"""Personal FSRS parameters: fit them to the review log in a child process, then reschedule.

torch is imported only by the child (`studytool.store.optimize_worker`), never here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import studytool
from studytool.store.errors import StoreError
from studytool.store.scheduler import (
    CardState,
    StudyScheduler,
    as_utc,
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


@dataclass(frozen=True, slots=True)
class OptimizeResult:
    reviews: int  # qualifying reviews: those at least a day after the card's previous one
    threshold: int
    optimized: bool
    parameters: tuple[float, ...]
    params_id: int | None = None
    rescheduled: int = 0
    backup: Path | None = None

    @property
    def message(self) -> str:
        if not self.optimized:
            return (
                f"{self.reviews} qualifying reviews; the optimizer needs at least "
                f"{self.threshold} (each a day or more after the card's previous review). "
                "Keeping the default parameters."
            )
        return (
            f"fitted personal parameters on {self.reviews} qualifying reviews; "
            f"rescheduled {self.rescheduled} cards"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "threshold": self.threshold,
            "optimized": self.optimized,
            "parameters": list(self.parameters),
            "params_id": self.params_id,
            "rescheduled": self.rescheduled,
            "backup": str(self.backup) if self.backup else None,
            "message": self.message,
        }


def review_logs(store: Store) -> list[tuple[int, int, int, int | None]]:
    """(card_id, rating, time_ms, duration_ms) of every review-mode answer, per card in time
    order. Cram and quiz answers are not evidence of scheduled recall, so they are left out."""
    return [
        (r[0], r[1], r[2], r[3])
        for r in store._read(
            "SELECT card_id, rating, time_ms, duration_ms FROM revlog WHERE mode='review'"
            " ORDER BY card_id, time_ms, id"
        )
    ]


def count_qualifying(logs: Sequence[tuple[int, int, int, int | None]]) -> int:
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


def _run_worker(
    logs: Sequence[tuple[int, int, int, int | None]],
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
) -> OptimizeResult:
    """Fit FSRS weights to the user's reviews and reschedule every reviewed card with them
    (each card's log replayed by fsrs `reschedule_card`). Below the optimizer's threshold
    nothing changes and the result says so. `on_fit(n)` is called just before the (slow) fit
    starts; `worker` replaces the child command (tests)."""
    now = as_utc(now or utc_now())
    logs = review_logs(store)
    n = count_qualifying(logs)
    if n < MIN_REVIEWS:
        return OptimizeResult(n, MIN_REVIEWS, False, store.scheduler.parameters)
    if on_fit is not None:
        on_fit(n)
    params = _run_worker(logs, worker, timeout)
    try:
        StudyScheduler(store.settings.scheduler, params)
    except ValueError as e:
        raise StoreError(f"the optimizer returned unusable parameters: {e}") from None
    made = store.backup_now("pre-optimize", now)
    per_card: dict[int, list[tuple[int, int]]] = {}
    for card_id, rating, time_ms, _ in logs:
        per_card.setdefault(card_id, []).append((time_ms, rating))
    # replay outside the write lock (it can take seconds), so other windows keep grading
    sched = StudyScheduler(store.settings.scheduler, params)
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
    return OptimizeResult(n, MIN_REVIEWS, True, tuple(params), params_id, rescheduled, made)

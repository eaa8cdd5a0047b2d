"""The values a card's FSRS state may hold. Out of range, they crash the scheduler or the
date arithmetic later (a due date of 2^62 ms is past datetime's year 9999), so a progress
import refuses them and `doctor` reports them in an existing database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from studytool.store.scheduler import to_ms
from studytool.store.state import FsrsState

# times: 1970 to the year 9000 leaves room for any interval fsrs adds (at most 100 years)
MAX_MS = to_ms(datetime(9000, 1, 1, tzinfo=UTC))
MAX_STEP = 1000  # index into the learning steps; fsrs treats any step past the end as done
MAX_STABILITY = 1e6  # days; fsrs caps intervals at 36500
DIFFICULTY = (1.0, 10.0)  # fsrs clamps difficulty to this range


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return (_is_int(v) or isinstance(v, float)) and math.isfinite(v)


def time_problem(name: str, value: Any) -> str | None:
    if value is None or (_is_int(value) and 0 <= value <= MAX_MS):
        return None
    return f"{name} must be a time in ms between 1970 and 9000 (got {value!r})"


def state_problem(cols: Sequence[Any], *, complete: bool = True) -> str | None:
    """What is wrong with (state, step, stability, difficulty, due_ms, last_review_ms), or
    None. `complete`: a reviewed card must have all its fields (doctor reports missing ones
    separately, so it passes False)."""
    state, step, stability, difficulty, due_ms, last_review_ms = cols
    if not _is_int(state) or state not in FsrsState.__members__.values():
        return f"state must be 0 (new) to 3 (relearning) (got {state!r})"
    if step is not None and not (_is_int(step) and 0 <= step <= MAX_STEP):
        return f"step must be a whole number from 0 to {MAX_STEP} (got {step!r})"
    if stability is not None and not (_is_num(stability) and 0 < stability <= MAX_STABILITY):
        return f"stability must be a number > 0 and <= {MAX_STABILITY:g} (got {stability!r})"
    lo, hi = DIFFICULTY
    if difficulty is not None and not (_is_num(difficulty) and lo <= difficulty <= hi):
        return f"difficulty must be a number from {lo:g} to {hi:g} (got {difficulty!r})"
    for name, value in (("due", due_ms), ("last review", last_review_ms)):
        problem = time_problem(name, value)
        if problem:
            return problem
    if complete and state != FsrsState.NEW:
        needed = {
            "stability": stability,
            "difficulty": difficulty,
            "due": due_ms,
            "last review": last_review_ms,
        }
        if state != FsrsState.REVIEW:
            needed["step"] = step
        missing = [name for name, value in needed.items() if value is None]
        if missing:
            return f"a reviewed card needs {', '.join(missing)}"
    return None

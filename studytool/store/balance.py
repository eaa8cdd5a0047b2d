"""Load balancing and easy days (Anki 24.11's rule): when FSRS gives a card in review its next
interval, the card goes to the day of the interval's fuzz range with the fewest reviews due,
each day's count weighed by its weekday's share of a normal day (`easy_days`). The day stays
inside the fuzz range, so the interval is one fsrs itself could have given, and retention stays
on target.

The chosen due is recorded in the review event (`due`): replay keeps it instead of counting
loads again, so every machine gets the same schedule (store/replay.py).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta, tzinfo

from studytool.config import SchedulerSettings
from studytool.store.scheduler import (
    DAY_MS,
    CardState,
    StudyScheduler,
    from_ms,
    local_instant,
    study_date,
    to_ms,
)
from studytool.store.state import FsrsState

# cards due for review in each [start, end) of a JSON list of pairs: what a day's load counts.
# One count per day, each a range of the cards_queue index (which holds every column used).
_LOADS = (
    "SELECT (SELECT count(*) FROM cards"
    f" WHERE state={FsrsState.REVIEW} AND due_ms>=json_extract(j.value, '$[0]')"
    " AND due_ms<json_extract(j.value, '$[1]')"
    " AND suspended=0 AND orphaned=0 AND key<>?) FROM json_each(?) j ORDER BY j.key"
)


def pick_day(low: int, fsrs_days: int, loads: Sequence[int], shares: Sequence[float]) -> int:
    """The interval (days) to give: of the days low, low+1, ... (loads[i] due on day low+i,
    whose weekday gets shares[i] of a normal day's reviews), the one whose load is the
    smallest part of its share; ties go to the day fsrs drew (its own fuzz), then the nearer
    one. Days with share 0 are used only when every day of the range has share 0."""
    days = range(low, low + len(loads))
    usable = [d for d in days if shares[d - low] > 0] or list(days)

    def score(d: int) -> tuple[float, int, int]:
        share = shares[d - low] or 1.0
        return loads[d - low] / share, abs(d - fsrs_days), d

    return min(usable, key=score)


def day_loads(
    con: sqlite3.Connection,
    dates: Sequence[date],
    day_start_hour: int,
    tz: tzinfo | None,
    skip_key: str,
) -> list[int]:
    """Reviews due on each study day of `dates` (consecutive), `skip_key` left out."""
    bounds = [
        to_ms(local_instant(d, day_start_hour, tz)) for d in (*dates, dates[-1] + timedelta(days=1))
    ]
    pairs = json.dumps(list(itertools.pairwise(bounds)))
    return [r[0] for r in con.execute(_LOADS, (skip_key, pairs))]


def balance(
    con: sqlite3.Connection,
    settings: SchedulerSettings,
    scheduler: StudyScheduler,
    day_start_hour: int,
    tz: tzinfo | None,
    key: str,
    after: CardState,
) -> CardState | None:
    """`after` (the card just reviewed) moved to the least busy day of its fuzz range, or
    None where there is nothing to balance (balancing off, learning steps, no fuzz)."""
    window = scheduler.fuzz_window(after) if settings.load_balance else None
    if window is None or after.last_review_ms is None or after.due_ms is None:
        return None
    low, high = window
    reviewed = after.last_review_ms
    dates = [
        study_date(from_ms(reviewed + d * DAY_MS), day_start_hour, tz) for d in range(low, high + 1)
    ]
    # a DST change can put two candidates on one study day: count each study day once
    span = [dates[0] + timedelta(days=i) for i in range((dates[-1] - dates[0]).days + 1)]
    per_day = dict(zip(span, day_loads(con, span, day_start_hour, tz, key), strict=True))
    loads = [per_day[d] for d in dates]
    shares = [settings.easy_days[d.weekday()] for d in dates]
    fsrs_days = (after.due_ms - reviewed) // DAY_MS
    days = pick_day(low, fsrs_days, loads, shares)
    return replace(after, due_ms=reviewed + days * DAY_MS)

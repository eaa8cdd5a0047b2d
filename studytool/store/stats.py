"""Study statistics: a pure function of the store (and optionally the loaded content).

    stats = compute_stats(store, cards, now)
    stats.to_dict()   # what `studytool stats --json` prints

Days are study days: they start at `day_start_hour` local time, like the queue's "today".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from studytool.store.limits import DailyLimits
from studytool.store.predictions import ConceptAccuracy, accuracy_by_concept
from studytool.store.scheduler import as_utc, from_ms, local_instant, study_date, to_ms
from studytool.store.sql import NEW_SINCE_BY_DECK, REVIEWS_SINCE, available
from studytool.store.state import FsrsState

if TYPE_CHECKING:
    from studytool.content.model import Card
    from studytool.store.repo import Store

QUARTER_MS = 900_000  # UTC offsets are whole quarter hours
DAY_MS = 86_400_000
FORECAST_DAYS = 30
HEATMAP_DAYS = 365
# IN, not state>0: the index on (state, due_ms, ...) then serves the due_ms range too
_REVIEWED = f"state IN ({FsrsState.LEARNING}, {FsrsState.REVIEW}, {FsrsState.RELEARNING})"


@dataclass(frozen=True, slots=True)
class Retention:
    """Reviews of cards in the Review state (mode review), and how many were not Again."""

    reviews: int = 0
    passed: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    def to_dict(self) -> dict[str, Any]:
        return {"reviews": self.reviews, "passed": self.passed, "retention": self.rate}


@dataclass(frozen=True, slots=True)
class Stats:
    now: datetime
    today: date  # the current study day
    due_learning: int  # learning/relearning cards due before the study day ends
    due_review: int  # capped by the reviews still allowed today, as the queue is
    new_available: int  # new cards the queue would still show today
    forecast: list[tuple[date, int]]  # reviews due per day, today (overdue included) first
    reviews_per_day: list[tuple[date, int]]  # the last 365 study days, oldest first
    current_streak: int
    longest_streak: int
    retention: Retention  # true retention, all decks
    deck_retention: dict[str, Retention]
    average_retrievability: float | None  # over reviewed cards, now
    counts: dict[str, int]
    limits: DailyLimits
    reviews_today: int  # reviews of Review-state cards so far today (the cap counts them)
    due_review_all: int  # review cards due today before the daily cap
    # scored predictions before demo runs, per concept (not reviews: no counts, streaks, FSRS)
    predictions: tuple[ConceptAccuracy, ...] = ()

    @property
    def due_today(self) -> int:
        return self.due_learning + self.due_review

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "today": self.today.isoformat(),
            "due_today": {
                "learning": self.due_learning,
                "review": self.due_review,
                "total": self.due_today,
                "new_available": self.new_available,
                "review_uncapped": self.due_review_all,
            },
            "limits": {
                "new_per_day": self.limits.new_total,
                "new_per_deck": self.limits.new_per_deck,
                "reviews_per_day": self.limits.reviews,
                "reviews_today": self.reviews_today,
            },
            "forecast": [{"date": d.isoformat(), "due": n} for d, n in self.forecast],
            "reviews_per_day": [
                {"date": d.isoformat(), "count": n} for d, n in self.reviews_per_day
            ],
            "streak": {"current": self.current_streak, "longest": self.longest_streak},
            "retention": {
                "overall": self.retention.to_dict(),
                "decks": {k: v.to_dict() for k, v in sorted(self.deck_retention.items())},
            },
            "average_retrievability": self.average_retrievability,
            "cards": self.counts,
            "predictions": [p.to_dict() for p in self.predictions],
        }


class _Days:
    """Study days from `first` to `last` as a table of their starts in UTC ms (DST included)."""

    def __init__(self, first: date, last: date, hour: int, tz: tzinfo | None) -> None:
        self.first = first
        n = (last - first).days + 2
        self.starts = [to_ms(local_instant(first + timedelta(days=i), hour, tz)) for i in range(n)]

    def index(self, ms: int) -> int:
        return bisect_right(self.starts, ms) - 1

    def segments(self) -> Iterator[tuple[int, int, int]]:
        """(first day index, start ms, end ms) of runs of 24-hour days; a DST day is alone.
        Within a run, SQL can find the day of an instant with one integer division."""
        starts = self.starts
        n = len(starts) - 1  # number of days
        i = 0
        while i < n:
            j = i + 1
            if starts[i + 1] - starts[i] == DAY_MS:
                while j < n and starts[j + 1] - starts[j] == DAY_MS:
                    j += 1
            yield i, starts[i], starts[j]
            i = j


def _divisor(seg_start: int, seg_end: int) -> int:
    """Divides an offset into a segment by this to get the day within it: a run of 24-hour
    days divides by a day; a lone DST day (23 or 25 hours) by its whole length, so all is 0."""
    length = seg_end - seg_start
    return DAY_MS if length % DAY_MS == 0 else length


def compute_stats(store: Store, cards: Iterable[Card] | None, now: datetime) -> Stats:
    """Everything the stats screen shows, for a synced store. `cards`, when given, leaves
    draft cards out of the due and new counts (the queue never shows them)."""
    now = as_utc(now)
    t = to_ms(now)
    hour = store.settings.day_start_hour
    tz = store.tz
    today = study_date(now, hour, tz)
    start, end = store.today(now)
    s_ms, e_ms = to_ms(start), to_ms(end)
    drafts = [k for c in cards if c.draft for k in c.review_keys()] if cards is not None else []
    avail = available()
    decay = -store.scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    fdays = _Days(today, today + timedelta(days=FORECAST_DAYS), hour, tz)
    with store.reading() as con:
        due_rows = con.execute(
            f"SELECT state={FsrsState.REVIEW}, count(*) FROM cards"
            f" WHERE {_REVIEWED} AND due_ms<? AND {avail} GROUP BY 1",
            (e_ms, t),
        ).fetchall()
        new_rows = con.execute(
            f"SELECT deck, count(*) FROM cards WHERE state={FsrsState.NEW} AND {avail}"
            " GROUP BY deck",
            (t,),
        ).fetchall()
        draft_rows: list[tuple[Any, ...]] = []
        for k in range(0, len(drafts), 500):
            chunk = drafts[k : k + 500]
            draft_rows += con.execute(
                f"SELECT deck, state, due_ms FROM cards WHERE {avail}"
                f" AND key IN ({', '.join('?' * len(chunk))})",
                (t, *chunk),
            ).fetchall()
        new_today = dict(con.execute(NEW_SINCE_BY_DECK, (s_ms,)).fetchall())
        reviews_today = con.execute(REVIEWS_SINCE, (s_ms,)).fetchone()[0]
        # the forecast: overdue counts as due today
        due_per_day = [0] * FORECAST_DAYS
        alive = f"{_REVIEWED} AND suspended=0 AND orphaned=0"
        due_per_day[0] = con.execute(
            f"SELECT count(*) FROM cards WHERE {alive} AND due_ms<?", (fdays.starts[0],)
        ).fetchone()[0]
        for i, seg_start, seg_end in fdays.segments():
            for d, n in con.execute(
                f"SELECT (due_ms - ?) / ?, count(*) FROM cards"
                f" WHERE {alive} AND due_ms>=? AND due_ms<? GROUP BY 1",
                (seg_start, _divisor(seg_start, seg_end), seg_start, seg_end),
            ):
                if i + d < FORECAST_DAYS:
                    due_per_day[i + d] += n
        # reviews per study day, from the 15-minute aggregate kept by triggers
        first_q = con.execute("SELECT min(quarter) FROM review_quarters").fetchone()[0]
        first_day = (
            today if first_q is None else study_date(from_ms(first_q * QUARTER_MS), hour, tz)
        )
        days = _Days(min(first_day, today), today, hour, tz)
        per_day: dict[int, int] = {}
        for i, seg_start, seg_end in days.segments():
            for d, n in con.execute(
                f"SELECT (quarter * {QUARTER_MS} - ?) / ?, sum(n) FROM review_quarters"
                " WHERE quarter>=? AND quarter<? GROUP BY 1",
                (
                    seg_start,
                    _divisor(seg_start, seg_end),
                    seg_start // QUARTER_MS,
                    seg_end // QUARTER_MS,
                ),
            ):
                per_day[i + d] = per_day.get(i + d, 0) + n
        retention_rows = con.execute(
            "SELECT deck, reviews, passed FROM deck_retention WHERE reviews>0"
        ).fetchall()
        # one pass over the cards: counts per state, and the average retrievability now with
        # FSRS's power forgetting curve over elapsed whole days, as
        # Scheduler.get_card_retrievability computes it, but in SQL: no 50,000 Card objects
        state_sums = "".join(f" sum(state={s} AND NOT orphaned)," for s in FsrsState)
        counted = con.execute(
            f"SELECT count(*), sum(orphaned),{state_sums} sum(suspended AND NOT orphaned),"
            f" avg(CASE WHEN state>{FsrsState.NEW} AND NOT orphaned AND NOT suspended"
            f" AND stability>0"
            f" THEN pow(1 + ? * max(0, (? - last_review_ms) / {DAY_MS}) / stability, ?) END)"
            " FROM cards NOT INDEXED",
            (factor, t, decay),
        ).fetchone()

    due = dict(due_rows)
    due_review, due_learning = due.get(1, 0), due.get(0, 0)
    new_per_deck = dict(new_rows)
    for deck, state, due_ms in draft_rows:  # drafts are never shown: take them out
        if state == FsrsState.NEW:
            new_per_deck[deck] -= 1
        elif due_ms is not None and due_ms < e_ms:
            due_review, due_learning = (
                (due_review - 1, due_learning)
                if state == FsrsState.REVIEW
                else (due_review, due_learning - 1)
            )
    limits = DailyLimits.of(store.settings)
    new_available = limits.new_offered(new_per_deck, new_today)
    due_review_all = due_review
    due_review = min(due_review, limits.reviews_left(reviews_today))

    today_i = days.index(t)
    heatmap = [
        (days.first + timedelta(days=i), per_day.get(i, 0))
        for i in range(today_i - HEATMAP_DAYS + 1, today_i + 1)
    ]
    current, longest = _streaks(sorted(i for i, n in per_day.items() if n > 0), today_i)
    forecast = [(today + timedelta(days=i), n) for i, n in enumerate(due_per_day)]

    deck_retention = {deck: Retention(int(n), int(p)) for deck, n, p in retention_rows}
    overall = Retention(
        sum(r.reviews for r in deck_retention.values()),
        sum(r.passed for r in deck_retention.values()),
    )

    total, orphaned, *per_state, suspended, avg_r = (x or 0 for x in counted)
    counts = dict(zip((s.label for s in FsrsState), per_state, strict=True))
    counts.update(suspended=suspended, orphaned=orphaned, total=total)

    return Stats(
        now=now,
        today=today,
        due_learning=due_learning,
        due_review=due_review,
        new_available=new_available,
        forecast=forecast,
        reviews_per_day=heatmap,
        current_streak=current,
        longest_streak=longest,
        retention=overall,
        deck_retention=deck_retention,
        average_retrievability=float(avg_r) if counted[-1] is not None else None,
        counts=counts,
        limits=limits,
        reviews_today=reviews_today,
        due_review_all=due_review_all,
        predictions=tuple(accuracy_by_concept(store)),
    )


def _streaks(days: list[int], today: int) -> tuple[int, int]:
    """Current streak (alive until today ends, so counting from yesterday is allowed) and
    the longest run of consecutive study days."""
    longest = run = 0
    prev: int | None = None
    for d in days:
        run = run + 1 if prev is not None and d == prev + 1 else 1
        longest = max(longest, run)
        prev = d
    present = set(days)
    cur = today if today in present else today - 1
    current = 0
    while cur in present:
        current += 1
        cur -= 1
    return current, longest

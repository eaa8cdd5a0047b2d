"""Store benchmark: 50,000 cards and 1,000,000 review-log rows (not run by pytest).

    python benchmarks/bench_store.py [--dir DIR] [--keep]

Targets: today's queue < 50 ms, one grade commit (WAL) < 5 ms median, stats < 300 ms.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studytool.config import Settings  # noqa: E402
from studytool.content.model import Card, CardType, Text  # noqa: E402
from studytool.store.db import AGGREGATES_REBUILD, SCHEMA, execute_script, statements  # noqa: E402
from studytool.store.repo import Store  # noqa: E402
from studytool.store.scheduler import Rating, to_ms  # noqa: E402
from studytool.store.stats import compute_stats  # noqa: E402
from studytool.study.queue import build_queue  # noqa: E402

N_CARDS = 50_000
N_REVLOG = 1_000_000
N_DECKS = 50
DAY_MS = 86_400_000
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def make_cards() -> list[Card]:
    per_deck = N_CARDS // N_DECKS
    return [
        Card(
            deck=f"deck{d:02d}",
            id=f"card{i:04d}",
            type=CardType.BASIC,
            prompt=Text.plain("q"),
            tags=(f"tag{i % 7}",),
            concept=f"concept{i // 3}" if i % 5 == 0 else None,
        )
        for d in range(N_DECKS)
        for i in range(per_deck)
    ]


def build(store: Store, cards: list[Card]) -> None:
    """Synthetic history: 10% new cards, the rest reviewed ~22 times over three years."""
    rng = random.Random(42)
    now = to_ms(NOW)
    store.sync(cards, now=NOW - timedelta(days=1100))
    ids = dict(store._read("SELECT key, id FROM cards"))
    reviewed = [c.full_id for c in cards if rng.random() >= 0.10]
    per_card = N_REVLOG // len(reviewed)
    extra = N_REVLOG - per_card * len(reviewed)
    card_rows = []
    log_rows = []
    for n, key in enumerate(reviewed):
        count = per_card + (1 if n < extra else 0)
        t = now - 1100 * DAY_MS + rng.randrange(DAY_MS * 30)
        state_before, stab, diff = 0, None, None
        last = t
        for _ in range(count):
            rating = 1 if rng.random() < 0.1 else rng.choice((2, 3, 3, 3, 4))
            mode = "cram" if rng.random() < 0.03 else "review"
            log_rows.append(
                (ids[key], t, rating, mode, 4000, "fsrs-6.3.2/default", None, state_before,
                 None, stab, diff, t, last if state_before else None)
            )  # fmt: skip
            if mode == "review":
                last = t
                state_before = 2
                stab = rng.uniform(1, 200)
                diff = rng.uniform(1, 10)
            t += rng.randrange(DAY_MS // 2, 90 * DAY_MS // (1 + count // 10))
            t = min(t, now - rng.randrange(DAY_MS))
        # about 3% of review cards due today (a normal day), learning cards around now
        roll = rng.random()
        state = 2 if roll < 0.98 else (1 if roll < 0.99 else 3)
        if state != 2:
            due = now + rng.randrange(-3_600_000, 3_600_000)
        elif rng.random() < 0.03:
            due = now - rng.randrange(10 * DAY_MS)
        else:
            due = now + rng.randrange(DAY_MS, 365 * DAY_MS)
        card_rows.append(
            (state, None if state == 2 else 0, rng.uniform(1, 300), rng.uniform(1, 10), due, last,
             ids[key])
        )  # fmt: skip
    # bulk load: drop the log's indexes and triggers, load, then rebuild them once
    revlog_ddl = [
        stmt
        for stmt in statements(SCHEMA)
        if re.match(r"CREATE (INDEX|TRIGGER) revlog_\w+", stmt) and "revlog_append_only" not in stmt
    ]
    with store.transaction() as con:
        for stmt in revlog_ddl:
            kind, name = re.match(r"CREATE (INDEX|TRIGGER) (\w+)", stmt).groups()  # type: ignore[union-attr]
            con.execute(f"DROP {kind} {name}")
        con.executemany(
            "UPDATE cards SET state=?, step=?, stability=?, difficulty=?, due_ms=?,"
            " last_review_ms=? WHERE id=?",
            card_rows,
        )
        con.executemany(
            "INSERT INTO revlog (card_id, time_ms, rating, mode, duration_ms, sched, session_id,"
            " state_before, step_before, stability_before, difficulty_before, due_before_ms,"
            " last_review_before_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            log_rows,
        )
        for stmt in revlog_ddl:
            con.execute(stmt)
        execute_script(con, AGGREGATES_REBUILD)
    store._read("PRAGMA wal_checkpoint(TRUNCATE)")
    store._read("ANALYZE")


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, ms: list[float], target: float | None = None) -> None:
    med = statistics.median(ms)
    p95 = sorted(ms)[max(0, int(len(ms) * 0.95) - 1)]
    verdict = "" if target is None else ("  OK" if med < target else f"  OVER {target:g} ms")
    print(f"{name:<38} median {med:8.2f} ms   p95 {p95:8.2f} ms   n={len(ms)}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, help="where to build the database (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="studytool-bench-"))
    settings = Settings(data_dir=root)
    cards = make_cards()
    try:
        t0 = time.perf_counter()
        with Store.open(settings, now=NOW, tz=UTC, backup=False) as store:
            if store._read("SELECT count(*) FROM revlog")[0][0] < N_REVLOG:
                build(store, cards)
        built = time.perf_counter() - t0
        size = (root / "progress.db").stat().st_size / 2**20
        print(f"built {N_CARDS:,} cards / {N_REVLOG:,} log rows in {built:.1f} s ({size:.0f} MiB)")

        opened = timed(lambda: Store.open(settings, now=NOW, tz=UTC, backup=False).close(), 5)
        report("open (validate, no backup)", opened)
        t0 = time.perf_counter()
        Store.open(settings, now=NOW + timedelta(days=1), tz=UTC).close()
        print(f"{'open with the daily backup':<38} {1000 * (time.perf_counter() - t0):8.0f} ms")

        store = Store.open(settings, now=NOW, tz=UTC, backup=False)
        report("sync 50,000 cards (nothing new)", timed(lambda: store.sync(cards, now=NOW), 5))
        first = timed(lambda: build_queue(store, cards, NOW), 1)
        report("today's queue, first (builds index)", first)
        report("today's queue", timed(lambda: build_queue(store, cards, NOW), 30), 50)
        queue = build_queue(store, cards, NOW)
        kinds = {k: sum(1 for i in queue if i.kind == k) for k in ("learning", "review", "new")}
        print(f"{'':<38} queue: {len(queue)} items {kinds}")

        keys = iter([i.key for i in queue] * 2)
        grade_ms = timed(lambda: store.grade(next(keys), Rating.Good, NOW, duration_ms=3000), 300)
        report("grade commit (log fsync, WAL synchronous=NORMAL)", grade_ms, 5)
        # load balancing (on above) against off: the cost of counting the fuzz range's days
        balanced = store.settings
        plain = replace(balanced.scheduler, load_balance=False)
        store.settings = replace(balanced, scheduler=plain)
        plain_ms = timed(lambda: store.grade(next(keys), Rating.Good, NOW, duration_ms=3000), 300)
        report("grade commit, load balancing off", plain_ms)
        ratio = statistics.median(grade_ms) / statistics.median(plain_ms)
        print(f"{'':<38} load balancing costs {ratio:.2f}x a plain grade (median)")
        store.settings = balanced
        report("undo", timed(lambda: store.undo(), 50))
        report("preview (4 intervals)", timed(lambda: store.preview(queue[-1].key, NOW), 50))

        report("stats", timed(lambda: compute_stats(store, cards, NOW), 7), 300)
        report("stats without content", timed(lambda: compute_stats(store, None, NOW), 7))
        store.close()
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

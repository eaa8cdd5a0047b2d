"""Event-log benchmark (issue 14; not run by pytest).

    python benchmarks/bench_sync.py [--events N]

Targets: one review appended to the log and the cache < 5 ms (median); 1,000 new events from
a sync applied < 1 s; the cache rebuilt from 100,000 events < 10 s. Wall and CPU times are
printed with the load average: on a shared machine the wall time is mostly the wait for a
core, the CPU time what the code costs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studytool.config import Settings  # noqa: E402
from studytool.content.model import Card, CardType, Text  # noqa: E402
from studytool.store.eventlog import DEVICES_DIR, encode, event_id  # noqa: E402
from studytool.store.replay import apply_log, rebuild  # noqa: E402
from studytool.store.repo import Store  # noqa: E402
from studytool.store.scheduler import Rating, to_ms  # noqa: E402

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY_MS = 86_400_000


def make_cards(n: int) -> list[Card]:
    return [
        Card(
            deck=f"deck{i % 20:02d}", id=f"card{i:05d}", type=CardType.BASIC, prompt=Text.plain("q")
        )
        for i in range(n)
    ]


def write_events(
    data: Path, device: str, keys: list[str], n: int, start_ms: int, seed: int
) -> None:
    """n review events from `device`, spread over the keys, in time order per key."""
    rng = random.Random(seed)
    per_key = max(1, n // len(keys))
    lines: dict[str, list[bytes]] = {}
    written = 0
    for key in keys:
        t = start_ms + rng.randint(0, DAY_MS)
        for _ in range(per_key):
            if written == n:
                break
            t += rng.randint(1, 20) * DAY_MS
            e = {
                "id": event_id(t, device),
                "t": t,
                "type": "review",
                "key": key,
                "rating": rng.choice((1, 2, 3, 3, 3, 4)),
                "mode": "review",
                "sched": "bench",
            }
            month = datetime.fromtimestamp(t / 1000, UTC).strftime("%Y-%m")
            lines.setdefault(month, []).append(encode(e))
            written += 1
    folder = data / "progress" / DEVICES_DIR / device
    folder.mkdir(parents=True, exist_ok=True)
    for month, chunk in lines.items():
        with (folder / f"{month}.jsonl").open("ab") as f:
            f.write(b"".join(chunk))


def bench_append(tmp: Path) -> tuple[float, float]:
    """Median wall ms of one grade, and mean CPU ms (the rest is fsync and, on a loaded
    machine, waiting for a core)."""
    cards = make_cards(2000)
    with Store.open(Settings(data_dir=tmp / "append"), now=NOW, backup=False) as store:
        store.sync(cards, now=NOW)
        times = []
        c0 = time.process_time()
        for i, card in enumerate(cards[:500]):
            t0 = time.perf_counter()
            store.grade(card.full_id, Rating.Good, NOW + timedelta(seconds=i))
            times.append(time.perf_counter() - t0)
        cpu = (time.process_time() - c0) / len(times)
    return statistics.median(times) * 1000, cpu * 1000


def bench_apply(tmp: Path, base: int) -> tuple[float, float, int]:
    data = tmp / "apply"
    cards = make_cards(5000)
    keys = [c.full_id for c in cards]
    write_events(data, "aaaaaaaaaaaa", keys, base, to_ms(NOW) - 400 * DAY_MS, 1)
    with Store.open(Settings(data_dir=data), now=NOW, backup=False) as store:
        store.sync(cards, now=NOW)
        # another device's 1,000 events arrive (what a sync's merge brings)
        write_events(data, "bbbbbbbbbbbb", keys[:500], 1000, to_ms(NOW) - 100 * DAY_MS, 2)
        t0, c0 = time.perf_counter(), time.process_time()
        result = apply_log(store)
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert result.new == 1000, result
    return took, cpu, result.cards


def bench_rebuild(tmp: Path, n: int) -> tuple[float, float]:
    data = tmp / "rebuild"
    cards = make_cards(5000)
    write_events(data, "cccccccccccc", [c.full_id for c in cards], n, to_ms(NOW) - 800 * DAY_MS, 3)
    with Store.open(Settings(data_dir=data), now=NOW, backup=False) as store:
        store.sync(cards, now=NOW)
        t0, c0 = time.perf_counter(), time.process_time()
        result = rebuild(store)
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert result.events == n, result
    return took, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to rebuild from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        ms, cpu_ms = bench_append(tmp)
        print(
            f"append a review (log + cache), median of 500: {ms:.2f} ms, {cpu_ms:.2f} ms CPU"
            " (target < 5 ms)"
        )
        took, cpu, cards = bench_apply(tmp, 10_000)
        print(
            f"apply 1,000 new events over a 10,000-event log ({cards} cards refolded):"
            f" {took:.2f} s, {cpu:.2f} s CPU (target < 1 s)"
        )
        took, cpu = bench_rebuild(tmp, args.events)
        print(
            f"rebuild the cache from {args.events:,} events: {took:.2f} s, {cpu:.2f} s CPU"
            " (target < 10 s)"
        )


if __name__ == "__main__":
    main()

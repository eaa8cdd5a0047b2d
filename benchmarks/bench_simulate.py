"""The workload simulator: 90 days of 5,000 cards at the 8 desired retentions (target < 5 s).

4,000 cards in review with random stabilities and due dates, 1,000 new ones arriving under the
default daily limits, and no review cap, so every due review is simulated.

Run: python benchmarks/bench_simulate.py [--cards N] [--days N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studytool.store.limits import DailyLimits  # noqa: E402
from studytool.store.state import FsrsState  # noqa: E402
from studytool.study.simulate import RETENTIONS, SimCard, simulate  # noqa: E402

TARGET_S = 5.0
DAY_MS = 86_400_000
NOW_MS = 1_767_225_600_000  # 2026-01-01


def cards(n: int, seed: int = 1) -> list[SimCard]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        deck = f"deck{i % 12}"
        if i % 5 == 4:
            out.append(SimCard(deck, FsrsState.NEW))
            continue
        s = float(rng.lognormal(2.0, 1.2))
        last = NOW_MS - int(rng.uniform(0, s) * DAY_MS)
        d = float(rng.uniform(1, 10))
        out.append(SimCard(deck, FsrsState.REVIEW, s, d, last + int(s * DAY_MS), last))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=5000)
    ap.add_argument("--days", type=int, default=90)
    args = ap.parse_args()
    deck = cards(args.cards)
    limits = DailyLimits(20, 20, 1_000_000)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        sim = simulate(deck, now_ms=NOW_MS, days=args.days, limits=limits)
        times.append(time.perf_counter() - start)
    best = min(times)
    print(
        f"simulate: {args.days} days x {args.cards} cards x {len(RETENTIONS)} retentions:"
        f" best {best:.3f} s of 3 (target < {TARGET_S:.0f} s)"
    )
    for row in sim.rows:
        print(
            f"  {row.desired:.2f}: {row.answers_per_day:7.1f} answers/day,"
            f" {row.minutes_per_day:6.1f} min/day, recall {row.retention:.3f}"
        )
    if best >= TARGET_S:
        raise SystemExit(f"too slow: {best:.2f} s")


if __name__ == "__main__":
    main()

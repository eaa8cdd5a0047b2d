"""Child process for the reliability tests (run as a script, not collected by pytest).

    python grader_child.py DATA_DIR N OFFSET_MS [--wait] [--clock] [--no-close]

Registers N cards, prints READY, (with --wait, waits for a line on stdin), then grades
d/c0000..d/c{N-1} in order, printing "ACK key revlog_id" after each grade returns.
--clock: the store reads the real clock (OFFSET_MS is ignored). --no-close: exit without
closing the store, as a crash would (the -wal file stays, not checkpointed).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studytool.config import Settings
from studytool.content.model import Card, CardType, Text
from studytool.store.repo import Store
from studytool.store.scheduler import Rating

BASE = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def main() -> None:
    data_dir, n, offset_ms = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    cards = [
        Card(deck="d", id=f"c{i:04d}", type=CardType.BASIC, prompt=Text.plain("q"))
        for i in range(n)
    ]
    store = Store.open(Settings(data_dir=data_dir), now=BASE, tz=UTC)
    store.sync(cards, now=BASE)
    print("READY", flush=True)
    if "--wait" in sys.argv:
        sys.stdin.readline()
    for i, card in enumerate(cards):
        now = None if "--clock" in sys.argv else BASE + timedelta(seconds=i, milliseconds=offset_ms)
        res = store.grade(card.full_id, Rating.Good, now, duration_ms=i)
        print(f"ACK {card.full_id} {res.revlog_id}", flush=True)
    if "--no-close" in sys.argv:
        os._exit(0)
    store.close()


if __name__ == "__main__":
    main()

"""The desired retention as part of the log: a change applies at once, on every machine.

A change is a `retention` event (key "*"). Replay folds every card through the retention events
in time order (store/replay.py): cards in review at that moment are due again at the new
retention's interval for their stability, fuzzed as fsrs fuzzes, seeded by the card and the
event; later reviews use the new retention. Applying the event here computes the same thing
for the cached cards directly instead of folding the whole log again.

config.toml (or the settings screen) is where the learner changes it: when the config's value
differs from the one this machine saw last time, that is a change, and it is logged. A value
that came from another machine through the log is kept: a config that did not change does
not undo it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

from studytool.store.eventlog import ALL_CARDS, Event
from studytool.store.replay import META_RETENTION, record, write_folded
from studytool.store.scheduler import (
    BASE_RETENTION,
    CardState,
    as_utc,
    fuzz_id,
    fuzz_session,
    to_ms,
    utc_now,
)
from studytool.store.sql import SET_STATE, STATE_COLS
from studytool.store.state import FsrsState

if TYPE_CHECKING:
    from studytool.store.repo import Store

META_CONFIG = "retention_config"  # the config's desired retention when last seen here


def in_effect(store: Store) -> float:
    """The desired retention the log sets now (BASE_RETENTION before its first change)."""
    row = store._read_one("SELECT value FROM sync_meta WHERE name=?", (META_RETENTION,))
    return float(row[0]) if row else BASE_RETENTION


def change(store: Store, retention: float, now: datetime | None = None) -> int:
    """Log a change of the desired retention and reschedule every card in review with it.
    Returns the cards rescheduled (0 when `retention` is already in effect)."""
    if retention == in_effect(store):
        return 0
    with store.transaction() as con:
        t = to_ms(as_utc(now or utc_now()))
        event: Event = {"type": "retention", "key": ALL_CARDS, "value": retention}
        record(store, con, t, [event])
        later = con.execute("SELECT 1 FROM events WHERE id>? LIMIT 1", (event["id"],)).fetchone()
        if later:  # events from a machine whose clock is ahead: fold everything again
            keys = {r[0] for r in con.execute("SELECT DISTINCT key FROM events")}
            n = write_folded(con, store.log.read().sorted(), store.scheduler, keys)
        else:
            scheduler = store.scheduler.with_retention(retention)
            rows = con.execute(
                f"SELECT id, key, {STATE_COLS} FROM cards WHERE state={FsrsState.REVIEW}"
            ).fetchall()
            with fuzz_session():
                updates = [
                    (
                        *scheduler.retarget(
                            fuzz_id(key), CardState.from_columns(cols), event["id"]
                        ).columns(),
                        card_id,
                    )
                    for card_id, key, *cols in rows
                ]
            con.executemany(SET_STATE, updates)
            con.execute(
                "INSERT OR REPLACE INTO sync_meta (name, value) VALUES (?, ?)",
                (META_RETENTION, repr(retention)),
            )
            n = len(updates)
        _remember_config(con, store.settings.scheduler.desired_retention)
    store.reload_scheduler()
    return n


def follow_config(store: Store, now: datetime | None = None) -> int:
    """On opening: a config value changed since this machine last saw it is logged as a
    change (the first time, a value other than the base, unless the log already set one)."""
    want = store.settings.scheduler.desired_retention
    row = store._read_one("SELECT value FROM sync_meta WHERE name=?", (META_CONFIG,))
    logged = store._read_one("SELECT 1 FROM sync_meta WHERE name=?", (META_RETENTION,))
    changed = float(row[0]) != want if row else logged is None and want != BASE_RETENTION
    if changed and want != in_effect(store):
        return change(store, want, now)
    if row is None or float(row[0]) != want:
        with store.transaction() as con:
            _remember_config(con, want)
    return 0


def _remember_config(con: sqlite3.Connection, value: float) -> None:
    con.execute(
        "INSERT OR REPLACE INTO sync_meta (name, value) VALUES (?, ?)", (META_CONFIG, repr(value))
    )

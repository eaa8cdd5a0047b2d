"""The database as a cache of the event log: fold, apply, rebuild, compare, state hash.

The log (store/eventlog.py) is the truth. A card's state is a fold of its events in (time, id)
order with voided events left out: FSRS reviews at their logged times (the fuzz seeded by the
key, see scheduler.fuzz_id; a load-balanced `due` kept while inside the fuzz range),
suspend/unsuspend, bury/unbury, and the `retention` events every card shares: the desired
retention starts at BASE_RETENTION and each one changes it, rescheduling cards in review.
Any card that gets new events is folded again from its whole history, so events that arrive
late (a sync) land in order.
Prediction events leave the card's state alone and become rows of `predictions`.
The `events` table lists what the cache reflects; whatever the log holds beyond it is new.
The FSRS weights are part of the fold: `sync_meta` names the ones the cache was folded with
(`params`), and when the progress repository's parameter files choose others (an `optimize`
here or on another machine, synced), the whole cache is folded again.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsrs import Card as FsrsCard

from studytool.store.db import ensure_indexes, log_indexes_off, log_triggers_off
from studytool.store.eventlog import ALL_CARDS, Event, EventLog, LogRead, event_id
from studytool.store.params import ParamsFile, active_params, write_params
from studytool.store.scheduler import (
    BASE_RETENTION,
    CardState,
    StudyScheduler,
    as_utc,
    from_ms,
    fsrs_version,
    fuzz_id,
    fuzz_session,
    to_ms,
    utc_now,
)
from studytool.store.sql import BEFORE_COLS, LAPSE

if TYPE_CHECKING:
    from studytool.store.repo import Store

FUTURE_SLACK = timedelta(minutes=5)
LOG_MIGRATED = "log_migrated"
META_RETENTION = "retention"  # the value of the log's last retention event
META_LAST_SYNC = "last_sync"
QUIZ_MIGRATED = "quiz_migrated"  # sync_meta: the quizzes of an older database are in the log


def quiz_row_id(event_id: str) -> int:
    """quizzes.id of the quiz logged as `event_id`: 48 bits of its hash, equal everywhere."""
    return int.from_bytes(hashlib.blake2b(event_id.encode(), digest_size=6).digest(), "big")


META_PARAMS = "params"  # the weights the cache was folded with: StudyScheduler.tag
DEFAULT_PARAMS = "default"


@dataclass
class Folded:
    """One card as its events leave it."""

    key: str
    state: CardState = field(default_factory=CardState.new)
    suspended: bool = False
    buried_until_ms: int | None = None
    reviews: list[tuple[Event, CardState]] = field(default_factory=list)  # with state before


def _order(e: Event) -> tuple[int, str]:
    return e["t"], e["id"]


def fold(key: str, events: Iterable[Event], voided: set[str], scheduler: StudyScheduler) -> Folded:
    """The card after `events` (its own and the retention events, in (time, id) order), with
    `scheduler`'s weights. Call inside fuzz_session()."""
    out = Folded(key)
    seed = fuzz_id(key)
    scheduler = scheduler.with_retention(BASE_RETENTION)
    card: FsrsCard | None = None  # the fsrs Card of out.state after a review, handed on
    for e in events:
        if e["id"] in voided:
            continue
        kind = e["type"]
        if kind == "review":
            before = out.state
            if e["mode"] == "review":
                cid = e.get("cid", seed)
                if card is not None and card.card_id != cid:
                    card = None
                after, card = scheduler.review_from(cid, before, card, e["rating"], from_ms(e["t"]))
                due = e.get("due")
                if due is not None and scheduler.allows_due(after, due):
                    after = replace(after, due_ms=due)
                    card = None  # its Card keeps fsrs's own due
                out.state = after
            out.reviews.append((e, before))
        elif kind == "retention":
            scheduler = scheduler.with_retention(e["value"])
            out.state = scheduler.retarget(seed, out.state, e["id"])
            card = None  # a new due (and scheduler): made again from out.state
        elif kind == "suspend":
            out.suspended = True
        elif kind == "unsuspend":
            out.suspended = False
        elif kind == "bury":
            out.buried_until_ms = e["until"]
        elif kind == "unbury":
            out.buried_until_ms = None
    return out


def _by_key(events: Sequence[Event]) -> tuple[dict[str, list[Event]], set[str], list[Event]]:
    """Each card's events, the voided ids, and the events every card shares (retention)."""
    groups: dict[str, list[Event]] = {}
    voided: set[str] = set()
    shared: list[Event] = []
    for e in events:
        if e["type"] == "void":
            voided.add(e["target"])
        if e["key"] == ALL_CARDS:
            shared.append(e)
        elif e["key"]:  # "": a quiz record, not a card's event (apply_quiz_events)
            groups.setdefault(e["key"], []).append(e)
    return groups, voided, shared


def _with_shared(own: list[Event], shared: list[Event]) -> Iterable[Event]:
    return heapq.merge(own, shared, key=_order) if shared else own


def retention_of(events: Iterable[Event], voided: set[str]) -> float | None:
    """The desired retention the log's last retention event set (None: there is none)."""
    values = [e["value"] for e in events if e["type"] == "retention" and e["id"] not in voided]
    return values[-1] if values else None


def _card_ids(
    con: sqlite3.Connection, keys: Iterable[str], first_t: dict[str, int]
) -> dict[str, int]:
    """cards.id of each key; a key this machine's content never had gets an orphaned row
    (the next content sync brings it back if its deck is here)."""
    ids = dict(con.execute("SELECT key, id FROM cards").fetchall())
    missing = [k for k in keys if k not in ids]
    con.executemany(
        "INSERT INTO cards (key, deck, added_ms, orphaned) VALUES (?, ?, ?, 1)",
        [(k, k.split("/", 1)[0], first_t[k]) for k in missing],
    )
    if missing:
        ids = dict(con.execute("SELECT key, id FROM cards").fetchall())
    return ids


def write_folded(
    con: sqlite3.Connection,
    events: Sequence[Event],
    scheduler: StudyScheduler,
    keys: set[str] | None = None,
) -> int:
    """Fold the cards of `keys` (None: all) from the sorted `events` and write them into the
    cache: card state, their revlog rows and their `events` rows. Returns cards written."""
    groups, voided, shared = _by_key(events)
    if keys is not None:
        groups = {k: v for k, v in groups.items() if k in keys}
    ids = _card_ids(con, sorted(groups), {k: v[0]["t"] for k, v in groups.items()})
    if keys is not None:
        con.executemany("DELETE FROM revlog WHERE card_id=?", [(ids[k],) for k in groups])
        con.executemany("DELETE FROM events WHERE key=?", [(k,) for k in groups])
    # explicit row ids, so the rows go in with one executemany; AUTOINCREMENT's sequence
    # follows them, and ids stay unused after an undo
    row = con.execute(
        "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name='revlog'), 0),"
        " coalesce((SELECT max(id) FROM revlog), 0))"
    ).fetchone()
    next_id = int(row[0]) + 1
    cards: list[tuple[Any, ...]] = []
    event_rows: list[tuple[str, str, int | None]] = []
    revlog_rows: list[tuple[Any, ...]] = []
    with fuzz_session():
        for key in sorted(groups):
            card_id = ids[key]
            f = fold(key, _with_shared(groups[key], shared), voided, scheduler)
            revlog: dict[str, int] = {}
            for e, before in f.reviews:
                revlog[e["id"]] = next_id
                revlog_rows.append(
                    (
                        next_id,
                        card_id,
                        e["t"],
                        e["rating"],
                        e["mode"],
                        e.get("dur"),
                        e.get("sched", "?"),
                        *before.columns(),
                    )
                )
                next_id += 1
            event_rows.extend((e["id"], key, revlog.get(e["id"])) for e in groups[key])
            cards.append((*f.state.columns(), int(f.suspended), f.buried_until_ms, card_id))
    con.executemany(
        "INSERT INTO revlog (id, card_id, time_ms, rating, mode, duration_ms, sched,"
        f" {BEFORE_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        revlog_rows,
    )
    # in key order, as B-trees fill fastest
    cards.sort(key=lambda row: row[-1])
    con.executemany(
        "UPDATE cards SET state=?, step=?, stability=?, difficulty=?, due_ms=?,"
        " last_review_ms=?, suspended=?, buried_until_ms=? WHERE id=?",
        cards,
    )
    event_rows.extend((e["id"], ALL_CARDS, None) for e in shared)
    event_rows.sort()
    con.executemany("INSERT OR REPLACE INTO events (id, key, revlog_id) VALUES (?,?,?)", event_rows)
    write_prediction_rows(con, groups, voided, replace=keys is not None)
    retention = retention_of(shared, voided)
    if retention is not None:
        con.execute(
            "INSERT OR REPLACE INTO sync_meta (name, value) VALUES (?, ?)",
            (META_RETENTION, repr(retention)),
        )
    elif shared:  # every change was voided (a restored backup): the base retention again
        con.execute("DELETE FROM sync_meta WHERE name=?", (META_RETENTION,))
    return len(cards)


PREDICTION_INSERT = (
    "INSERT OR REPLACE INTO predictions (event_id, key, time_ms, demo, concept, question,"
    " guess, answer, correct) VALUES (?,?,?,?,?,?,?,?,?)"
)


def prediction_row(e: Event) -> tuple[Any, ...]:
    """The `predictions` row of a prediction event (store/predictions.py writes them)."""
    return (
        e["id"],
        e["key"],
        e["t"],
        e["demo"],
        e["concept"],
        e["q"],
        float(e["guess"]),
        float(e["answer"]),
        int(bool(e["correct"])),
    )


def write_prediction_rows(
    con: sqlite3.Connection,
    groups: dict[str, list[Event]],
    voided: set[str],
    replace: bool,
) -> None:
    """The cache rows of the prediction events of `groups` (key -> its events), voided ones
    left out; `replace`: drop those keys' rows first (a card folded again)."""
    if replace:
        con.executemany("DELETE FROM predictions WHERE key=?", [(k,) for k in groups])
    con.executemany(
        PREDICTION_INSERT,
        [
            prediction_row(e)
            for events in groups.values()
            for e in events
            if e["type"] == "prediction" and e["id"] not in voided
        ],
    )


@dataclass(frozen=True, slots=True)
class ApplyResult:
    events: int  # events in the log
    new: int  # of them not in the cache before
    cards: int  # cards folded again
    bad: tuple[str, ...]  # damaged lines, "file:line: why"


def apply_log(store: Store, read: LogRead | None = None) -> ApplyResult:
    """Bring the cache up to the log: every card with events the cache lacks is folded again."""
    read = read or store.log.read()
    events = read.sorted()
    with store.transaction() as con:
        known = {r[0] for r in con.execute("SELECT id FROM events")}
        new = [e for e in events if e["id"] not in known]
        keys = {e["key"] for e in new if e["key"]}
        if ALL_CARDS in keys:  # a new retention event: every card is folded again
            keys = {e["key"] for e in events if e["key"]}
        n = write_folded(con, events, store.scheduler, keys) if keys else 0
        apply_quiz_events(con, events, {e["id"] for e in new})
    if ALL_CARDS in keys:
        store.reload_scheduler()
    return ApplyResult(len(events), len(new), n, tuple(read.bad))


def _params_now(store: Store) -> str:
    return store.scheduler.tag or DEFAULT_PARAMS


def cache_params(store: Store) -> str:
    """The tag of the weights the cache was folded with."""
    row = store._read_one("SELECT value FROM sync_meta WHERE name=?", (META_PARAMS,))
    return str(row[0]) if row else DEFAULT_PARAMS


def refresh(store: Store) -> ApplyResult:
    """After the log or the parameter files changed (a sync): use the parameters every machine
    uses now; if the cache was folded with other ones, fold it all again, else apply what is
    new."""
    store.reload_scheduler()
    if cache_params(store) != _params_now(store):
        return rebuild(store)
    return apply_log(store)


def rebuild(store: Store) -> ApplyResult:
    """Throw the derived state away and fold every card from the log alone, with the
    scheduler's current weights, and the quiz history from its events. Sessions are kept (the
    log does not hold them)."""
    read = store.log.read()
    events = read.sorted()
    with store.transaction() as con, log_triggers_off(con), log_indexes_off(con):
        con.execute(
            "INSERT OR REPLACE INTO sync_meta (name, value) VALUES (?, ?)",
            (META_PARAMS, _params_now(store)),
        )
        con.execute("DELETE FROM revlog")
        con.execute("DELETE FROM events")
        con.execute("DELETE FROM predictions")
        con.execute("DELETE FROM sync_meta WHERE name=?", (META_RETENTION,))
        con.execute(
            "UPDATE cards SET state=0, step=NULL, stability=NULL, difficulty=NULL, due_ms=NULL,"
            " last_review_ms=NULL, suspended=0, buried_until_ms=NULL"
        )
        n = write_folded(con, events, store.scheduler)
        apply_quiz_events(con, events, None)
    store.reload_scheduler()
    return ApplyResult(len(events), len(events), n, tuple(read.bad))


# ---- the Store's writes ----------------------------------------------------------------------


def record(
    store: Store,
    con: sqlite3.Connection,
    t: int,
    events: list[Event],
    revlog_id: int | None = None,
) -> bool:
    """Append events at time `t` to the log (fsynced) and mark them applied in the cache,
    inside the caller's transaction: a failed append rolls the change back, and a failed
    commit voids them again (`void_unsaved`).

    A card that already has later events (synced from a device whose clock is ahead) is
    folded again from the log, so the cache is what a replay gives; returns True then."""
    if not events:
        return False
    for e in events:
        e["id"] = event_id(t, store.log.device)
        e["t"] = t
        e["sched"] = store.scheduler.version
    store.log.append(events)
    store._appended.extend(events)
    con.executemany(
        "INSERT INTO events (id, key, revlog_id) VALUES (?, ?, ?)",
        [(e["id"], e["key"], revlog_id) for e in events],
    )
    # ids start with the time: a greater id of the same card is a later event
    late = {
        e["key"]
        for e in events
        if e["key"]
        and con.execute(
            "SELECT 1 FROM events WHERE key=? AND id>? LIMIT 1", (e["key"], e["id"])
        ).fetchone()
    }
    if late:
        write_folded(con, store.log.read().sorted(), store.scheduler, late)
    return bool(late)


def void_unsaved(store: Store, done: list[Event]) -> None:
    """The transaction that logged `done` failed (say, the disk filled up before its commit):
    take them back in the log too, so the change stays unsaved everywhere. If even that
    fails, the next open applies them: the log stays the truth."""
    if not done:
        return
    t = max(e["t"] for e in done)  # the same month's file: no new file on a full disk
    voids: list[Event] = [
        {
            "id": event_id(t, store.log.device),
            "t": t,
            "type": "void",
            "key": e["key"],
            "target": e["id"],
            "sched": store.scheduler.version,
        }
        for e in done
    ]
    with contextlib.suppress(OSError):
        store.log.append(voids)


# ---- the state hash ---------------------------------------------------------------------------

_HASH_SQL = (
    "SELECT c.key, c.due_ms, c.stability, c.difficulty,"
    f" (SELECT count(*) FROM revlog r WHERE r.card_id=c.id AND {LAPSE}),"
    " (SELECT count(*) FROM revlog r WHERE r.card_id=c.id AND r.mode='review'),"
    " c.state, c.suspended, c.buried_until_ms FROM cards c"
    " WHERE c.key IN (SELECT key FROM events) ORDER BY c.key"
)


def state_rows(store: Store) -> list[tuple[Any, ...]]:
    """(key, due, stability, difficulty, lapses, reps, state, suspended, buried) of every
    card with events, sorted by key."""
    return store._read(_HASH_SQL)


def state_hash(store: Store) -> str:
    """SHA-256 of the derived state: equal on every machine that applied the same events."""
    rows = [[repr(v) if isinstance(v, float) else v for v in row] for row in state_rows(store)]
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()


# ---- doctor -----------------------------------------------------------------------------------


@dataclass
class LogCheck:
    bad_lines: list[str] = field(default_factory=list)
    future: list[str] = field(default_factory=list)  # event ids dated > 5 min ahead
    unapplied: int = 0  # log events the cache lacks
    not_in_log: int = 0  # cache events the log lacks (lines lost)
    differ: list[str] = field(default_factory=list)  # keys whose cached state is not the fold
    # keys whose `predictions` rows are not those of their log's prediction events
    predictions_differ: list[str] = field(default_factory=list)


def check_log(store: Store, now: datetime | None = None) -> LogCheck:
    """Compare the cache with a fresh fold of the log (read-only)."""
    now = as_utc(now or utc_now())
    read = store.log.read()
    events = read.sorted()
    out = LogCheck(bad_lines=list(read.bad))
    limit = to_ms(now + FUTURE_SLACK)
    out.future = [e["id"] for e in events if e["t"] > limit]
    ids = {e["id"] for e in events}
    known = {r[0] for r in store._read("SELECT id FROM events")}
    out.unapplied = len(ids - known)
    out.not_in_log = len(known - ids)
    groups, voided, shared = _by_key(events)
    cached = {
        r[0]: (CardState.from_columns(r[1:7]), bool(r[7]), r[8], r[9])
        for r in store._read(
            "SELECT c.key, c.state, c.step, c.stability, c.difficulty, c.due_ms,"
            " c.last_review_ms, c.suspended, c.buried_until_ms,"
            " (SELECT count(*) FROM revlog r WHERE r.card_id=c.id) FROM cards c"
        )
    }
    with fuzz_session():
        for key in sorted(groups):
            f = fold(key, _with_shared(groups[key], shared), voided, store.scheduler)
            want = (f.state, f.suspended, f.buried_until_ms, len(f.reviews))
            if cached.get(key) != want:
                out.differ.append(key)
    out.predictions_differ = _predictions_differ(store, events, voided)
    return out


def _predictions_differ(store: Store, events: list[Event], voided: set[str]) -> list[str]:
    """Keys whose cached prediction rows (missing, extra or changed) are not the log's."""
    want = {
        e["id"]: prediction_row(e)
        for e in events
        if e["type"] == "prediction" and e["id"] not in voided
    }
    have = {
        r[0]: tuple(r)
        for r in store._read(
            "SELECT event_id, key, time_ms, demo, concept, question, guess, answer, correct"
            " FROM predictions"
        )
    }
    return sorted(
        {
            (want.get(i) or have[i])[1]
            for i in want.keys() | have.keys()
            if want.get(i) != have.get(i)
        }
    )


def void_after_restore(data_dir: Path, db: Path) -> int:
    """A restored backup takes progress back to its day: log events that it does not reflect
    are voided (kept in the history, left out of every replay), else the next open would
    apply them again. Returns how many. A backup from before the log (no `events` table)
    voids nothing."""
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        kept = {r[0] for r in con.execute("SELECT id FROM events")} if "events" in tables else None
    finally:
        con.close()
    if kept is None:
        return 0
    log = EventLog(data_dir)
    events = log.read().sorted()
    voided = {e["target"] for e in events if e["type"] == "void"}
    drop = [e for e in events if e["id"] not in kept | voided and e["type"] != "void"]
    if drop:
        t = max(to_ms(utc_now()), drop[-1]["t"])
        log.append(
            {
                "id": event_id(t, log.device),
                "t": t,
                "type": "void",
                "key": e["key"],
                "target": e["id"],
                "sched": "restore",
            }
            for e in drop
        )
    return len(drop)


# ---- the old revlog moves into the log, once ----------------------------------------------------


def first_open(store: Store) -> None:
    """On opening: move an old revlog into the log (once), and apply log lines the database
    lacks (a new database next to an existing log, grades lost with a -wal file, a crash
    between the append and the commit). Counting lines is cheap; parsing is done only then."""
    if not store._read_one("SELECT 1 FROM sqlite_master WHERE name='events_key'"):
        with store.transaction() as con:
            ensure_indexes(con)
    migrate_revlog(store)
    migrate_quizzes(store)
    migrate_params(store)
    if cache_params(store) != _params_now(store):
        rebuild(store)
        return
    lines = 0
    for path in store.log.files():
        with contextlib.suppress(OSError):
            lines += path.read_bytes().count(b"\n")
    row = store._read_one("SELECT count(*) FROM events")
    if lines > (row[0] if row else 0):
        apply_log(store)


def migrate_params(store: Store) -> bool:
    """Personal parameters that an older version kept in the database (`params` table) move to
    this device's parameter file, once: only while the repository has none. Dated before any
    fit made from the log (no events), so the next fit anywhere takes over."""
    if active_params(store.log.root) is not None:
        return False
    row = store._read_one(
        "SELECT parameters, reviews, fsrs_version FROM params WHERE active=1"
        " ORDER BY id DESC LIMIT 1"
    )
    if row is None:
        return False
    try:
        params = tuple(float(p) for p in json.loads(row[0]))
        StudyScheduler(store.settings.scheduler, params)
    except (ValueError, TypeError):
        return False  # unusable: the defaults stay
    old = ParamsFile(params, 0, "", int(row[1]), str(row[2] or fsrs_version()), store.log.device)
    write_params(store.log.root, old)
    store.reload_scheduler()
    return True


def migrate_revlog(store: Store) -> int:
    """Write the database's history as events when the log does not have it yet (the first
    start after this change). Returns the events written. Idempotent: review events get ids
    made from their revlog row, so a start that crashed halfway writes only what is missing."""
    if store._read_one("SELECT 1 FROM sync_meta WHERE name=?", (LOG_MIGRATED,)):
        return 0
    now_ms = to_ms(utc_now())
    rows = store._read(
        "SELECT r.id, c.id, c.key, r.time_ms, r.rating, r.mode, r.duration_ms, r.sched"
        " FROM revlog r JOIN cards c ON c.id=r.card_id ORDER BY r.time_ms, r.id"
    )
    marked = store._read(
        "SELECT key, suspended, buried_until_ms FROM cards"
        " WHERE suspended=1 OR buried_until_ms IS NOT NULL ORDER BY key"
    )
    # a fresh database has nothing to move (and needs no device id yet)
    device = store.log.device if rows or marked else ""
    have = {e["id"] for e in store.log.read().events} if rows else set()
    events: list[Event] = []
    links: list[tuple[str, str, int | None]] = []
    for rid, cid, key, t, rating, mode, dur, sched in rows:
        # cid: the fuzz seed these reviews were scheduled with
        e: Event = {
            "id": f"{t:013d}-{device}-r{rid:010d}",
            "t": t,
            "type": "review",
            "key": key,
            "rating": rating,
            "mode": mode,
            "sched": sched,
            "cid": cid,
        }
        if dur is not None:
            e["dur"] = dur
        events.append(e)
        links.append((e["id"], key, rid))
    for key, suspended, buried in marked:
        for kind, extra in (("suspend", suspended), ("bury", buried)):
            if extra:
                e = {
                    "id": f"{now_ms:013d}-{device}-{kind[0]}{len(links):010d}",
                    "t": now_ms,
                    "type": kind,
                    "key": key,
                }
                if kind == "bury":
                    e["until"] = buried
                events.append(e)
                links.append((e["id"], key, None))
    store.log.append(e for e in events if e["id"] not in have)
    with store.transaction() as con:
        con.executemany("INSERT OR REPLACE INTO events (id, key, revlog_id) VALUES (?,?,?)", links)
        con.execute(
            "INSERT OR REPLACE INTO sync_meta (name, value) VALUES (?, ?)",
            (LOG_MIGRATED, str(now_ms)),
        )
    return len(events)


# ---- quizzes and marks (store/quizlog.py writes them) ------------------------------------


def insert_quiz(
    con: sqlite3.Connection,
    quiz_id: int,
    e: Event,
    expected: Sequence[str] | None,
    session_id: int | None,
) -> None:
    """The rows of a quiz event (unless they are there already)."""
    questions = e["questions"]
    con.execute(
        "INSERT OR IGNORE INTO quizzes (id, started_ms, duration_ms, decks, tags, settings,"
        " questions, answered, score, session_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            quiz_id,
            e["started"],
            e["dur"],
            json.dumps(e["decks"]),
            json.dumps(e["tags"]),
            e["settings"],
            len(questions),
            sum(q[2] is not None for q in questions),
            e["score"],
            session_id,
        ),
    )
    con.executemany(
        "INSERT OR IGNORE INTO quiz_questions (quiz_id, position, key, kind, score,"
        " duration_ms, answer, expected) VALUES (?,?,?,?,?,?,?,?)",
        [
            (quiz_id, i, *q, expected[i] if expected is not None else "")
            for i, q in enumerate(questions)
        ],
    )


FLAG_SQL = (
    "INSERT INTO quiz_flags (key, flagged_ms, quiz_id) VALUES (?,?,?)"
    " ON CONFLICT (key) DO UPDATE SET flagged_ms=excluded.flagged_ms, quiz_id=excluded.quiz_id"
    " WHERE excluded.flagged_ms >= quiz_flags.flagged_ms"
)


def apply_quiz_events(
    con: sqlite3.Connection, events: Sequence[Event], new: set[str] | None
) -> None:
    """Bring the quiz tables up to the sorted `events`: those whose ids are in `new`, or all
    of them (None: a rebuild, which first drops every quiz and mark the log does not hold).
    A voided quiz is removed; a later mark of a card replaces an earlier one."""
    voided = {e["target"] for e in events if e["type"] == "void"}
    if new is None:
        logged = {quiz_row_id(e["id"]) for e in events if e["type"] == "quiz"} - {
            quiz_row_id(v) for v in voided
        }
        stale = [r for r in con.execute("SELECT id FROM quizzes") if r[0] not in logged]
        con.executemany("DELETE FROM quizzes WHERE id=?", stale)  # questions cascade
        con.execute("DELETE FROM quiz_flags")
    todo = [e for e in events if new is None or e["id"] in new]
    con.executemany(
        "INSERT OR IGNORE INTO events (id, key, revlog_id) VALUES (?, '', NULL)",
        [(e["id"],) for e in todo if not e["key"]],
    )
    for e in todo:
        kind = e["type"]
        if kind == "quiz" and e["id"] not in voided:
            insert_quiz(con, quiz_row_id(e["id"]), e, None, None)
        elif kind == "void" and not e["key"]:  # a quiz taken back (a restored backup)
            con.execute("DELETE FROM quizzes WHERE id=?", (quiz_row_id(e["target"]),))
        elif kind == "flag" and e["id"] not in voided:
            con.execute(FLAG_SQL, (e["key"], e["t"], e.get("quiz")))


def migrate_quizzes(store: Store) -> int:
    """Quizzes and marks an older version kept only in the database go to the log, once; their
    rows take the ids of their events. Idempotent like `migrate_revlog`: event ids are made
    from the row ids, so a start that crashed halfway writes only what is missing."""
    if store._read_one("SELECT 1 FROM sync_meta WHERE name=?", (QUIZ_MIGRATED,)):
        return 0
    quizzes = store._read(
        "SELECT id, started_ms, duration_ms, decks, tags, settings, score FROM quizzes ORDER BY id"
    )
    flags = store._read("SELECT key, flagged_ms, quiz_id FROM quiz_flags ORDER BY key")
    device = store.log.device if quizzes or flags else ""
    events: list[Event] = []
    renumber: dict[int, int] = {}
    for qid, started, dur, decks, tags, settings, score in quizzes:
        rows = store._read(
            "SELECT key, kind, score, duration_ms, answer FROM quiz_questions"
            " WHERE quiz_id=? ORDER BY position",
            (qid,),
        )
        t = started + dur
        e: Event = {
            "id": f"{t:013d}-{device}-z{qid:010d}",
            "t": t,
            "type": "quiz",
            "key": "",
            "started": started,
            "dur": dur,
            "decks": json.loads(decks),
            "tags": json.loads(tags),
            "settings": settings,
            "score": score,
            "questions": [list(r) for r in rows],
            "sched": "migrated",
        }
        renumber[qid] = quiz_row_id(e["id"])
        events.append(e)
    for n, (key, flagged, qid) in enumerate(flags):
        f: Event = {
            "id": f"{flagged:013d}-{device}-f{n:010d}",
            "t": flagged,
            "type": "flag",
            "key": key,
            "sched": "migrated",
        }
        if qid is not None:
            f["quiz"] = renumber.get(qid, qid)
        events.append(f)
    if events:
        have = {e["id"] for e in store.log.read().events}
        store.log.append(e for e in events if e["id"] not in have)
    with store.transaction() as con:
        con.execute("PRAGMA defer_foreign_keys=ON")  # ids change in three tables at once
        for old, new in renumber.items():
            con.execute("UPDATE quizzes SET id=? WHERE id=?", (new, old))
            con.execute("UPDATE quiz_questions SET quiz_id=? WHERE quiz_id=?", (new, old))
            con.execute("UPDATE quiz_flags SET quiz_id=? WHERE quiz_id=?", (new, old))
        con.executemany(
            "INSERT OR REPLACE INTO events (id, key, revlog_id) VALUES (?, ?, NULL)",
            [(e["id"], e["key"]) for e in events],
        )
        con.execute(
            "INSERT OR REPLACE INTO sync_meta (name, value) VALUES (?, ?)", (QUIZ_MIGRATED, "1")
        )
    return len(events)

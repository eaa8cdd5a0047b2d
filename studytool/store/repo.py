"""The progress store: FSRS state per review key, the review log, sessions, undo.

Usage (the TUI's whole contract):

    store = Store.open(settings)              # validates, backs up once a day, migrates
    store.sync(cards)                         # register new keys, mark/unmark orphans
    store.preview(key, now)                   # {Rating: timedelta} for the four buttons
    store.grade(key, Rating.Good, now, duration_ms=4200, session_id=sid)  # committed on return
    store.undo()                              # the last grade made through this Store
    store.bury([key], now); store.suspend([key]); store.unsuspend([key])

All times are aware datetimes (any zone; stored as UTC ms). Every write is one
`BEGIN IMMEDIATE` transaction, so two windows never overwrite each other's grades.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studytool.store import retention
from studytool.store.backup import daily_backup, event_backup
from studytool.store.balance import balance
from studytool.store.db import (
    DB_NAME,
    SCHEMA_VERSION,
    migrate,
    open_database,
    read_only_error,
    sqlite_errors,
)
from studytool.store.errors import StoreError, UnknownCardError
from studytool.store.eventlog import Event, EventLog
from studytool.store.files import Ack, companion, file_id, write_ack
from studytool.store.params import active_params
from studytool.store.records import (
    CardRecord,
    GradeResult,
    Mode,
    QueueSnapshot,
    SyncResult,
    UndoResult,
)
from studytool.store.replay import first_open, record, void_unsaved
from studytool.store.scheduler import (
    CardState,
    Rating,
    StudyScheduler,
    as_utc,
    day_window,
    from_ms,
    fuzz_id,
    study_date,
    to_ms,
    utc_now,
)
from studytool.store.sql import (
    BEFORE_COLS,
    LAPSE,
    NEW_SINCE_BY_DECK,
    REVIEWS_SINCE,
    SET_STATE,
    STATE_COLS,
    available,
)
from studytool.store.state import LEARNING_STATES, FsrsState

if TYPE_CHECKING:
    from studytool.config import Settings
    from studytool.content.model import Card

_UNDO_DEPTH = 1000


def deck_of(key: str) -> str:
    return key.split("/", 1)[0]


def _keys(keys: str | Iterable[str]) -> list[str]:
    return [keys] if isinstance(keys, str) else list(keys)


class Store:
    """One connection to progress.db. Not for sharing across processes; safe across threads."""

    def __init__(
        self,
        con: sqlite3.Connection,
        path: Path,
        settings: Settings,
        tz: tzinfo | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        self._con = con
        self._lock = threading.RLock()
        self._undo: list[str] = []  # event ids: revlog rows are renumbered by a replay
        self.path = path
        # the files this connection has open; see _check_files
        self._ids = (file_id(path), file_id(companion(path, "-wal")))
        self.read_only = read_only  # the folder is not writable: every write is refused
        self.settings = settings
        self.tz = tz  # None: the system's local time decides the study day
        self.backup: Path | None = None  # the daily backup made when opening, if any
        # the source of truth: this database is a cache of it (store/replay.py)
        self.log = EventLog(path.parent)
        self.scheduler = self._load_scheduler()
        self._appended: list[Event] = []  # logged by the open transaction

    # ---- opening -----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        path: Path | None = None,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        backup: bool = True,
    ) -> Store:
        """Open `settings.data_dir/progress.db`, creating it if missing.

        A damaged file raises StoreError naming it and the newest backup; it is never
        recreated. Older schemas are backed up, then migrated forward. In a folder that is
        not writable the database opens read-only (`read_only`): reads work, writes raise.
        """
        path = path or Path(settings.data_dir) / DB_NAME
        now = as_utc(now or utc_now())
        try:
            con, version, read_only = open_database(path)
        except OSError as e:
            raise StoreError(f"{path}: cannot open the progress database ({e})") from None
        try:
            with sqlite_errors(path, opening=True):
                made = None
                if read_only and version < SCHEMA_VERSION:
                    raise read_only_error(path.parent, f"{path.name} needs an upgrade")
                if backup and not read_only:
                    today = study_date(now, settings.day_start_hour, tz)
                    made = daily_backup(con, path, today)
                if version < SCHEMA_VERSION:
                    if made is None:
                        event_backup(con, path, f"pre-v{SCHEMA_VERSION}", now)
                    migrate(con)
                store = cls(con, path, settings, tz, read_only=read_only)
                if not read_only:
                    first_open(store)
                    retention.follow_config(store, now)
        except BaseException:
            con.close()
            raise
        store.backup = made
        return store

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _load_scheduler(self) -> StudyScheduler:
        """With the personal parameters of the progress repository (store/params.py), the
        same on every machine once synced (the defaults without any), and the desired
        retention of the log (store/retention.py), not the config's."""
        settings = dataclasses.replace(
            self.settings.scheduler, desired_retention=retention.in_effect(self)
        )
        chosen = active_params(self.log.root)
        if chosen is not None:
            with contextlib.suppress(ValueError):
                return StudyScheduler(settings, chosen.parameters, chosen.tag)
        return StudyScheduler(settings)

    def reload_scheduler(self) -> None:
        """Pick up parameters saved by `optimize` or brought by a sync."""
        self.scheduler = self._load_scheduler()

    @property
    def desired_retention(self) -> float:
        """The desired retention in effect: the log's last change (see store/retention.py)."""
        return self.scheduler.settings.desired_retention

    def set_desired_retention(self, value: float, now: datetime | None = None) -> int:
        """Change the desired retention: logged, and every card in review is rescheduled
        with it at once. Returns the cards rescheduled."""
        return retention.change(self, value, now)

    def _balanced(self, con: sqlite3.Connection, key: str, after: CardState) -> CardState | None:
        """`after` on the least busy day of its fuzz range (store/balance.py), or None."""
        return balance(
            con,
            self.settings.scheduler,
            self.scheduler,
            self.settings.day_start_hour,
            self.tz,
            key,
            after,
        )

    # ---- low-level access (for the other modules of this package) ------------------------

    def _guard(self) -> contextlib.AbstractContextManager[None]:
        return sqlite_errors(self.path)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: takes the write lock first (BEGIN IMMEDIATE), so a
        read-modify-write never works from a stale read. Committed when the block ends."""
        if self.read_only:
            raise read_only_error(self.path.parent, "changes cannot be saved")
        with self._lock, self._guard():
            con = self._con
            con.execute("BEGIN IMMEDIATE")
            self._appended = []
            try:
                self._check_files()
                yield con
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        con.execute("ROLLBACK")
                done, self._appended = self._appended, []
                void_unsaved(self, done)
                raise

    def _check_files(self) -> None:
        """Before each write: is the path still the file we have open? SQLite would go on
        committing to a deleted (or replaced) file, and the grades would be lost with it."""
        db_id, wal_id = self._ids
        if file_id(self.path) != db_id:
            raise StoreError(
                f"{self.path} was deleted or replaced while studytool was running; this change"
                " was NOT saved. Quit and restart studytool (if the file is gone, restore a"
                " backup with `studytool progress restore`)"
            )
        wal = companion(self.path, "-wal")
        if wal_id is not None and file_id(wal) != wal_id:
            raise StoreError(
                f"{wal} was deleted or replaced while studytool was running; this change was"
                " NOT saved. Quit and restart studytool, then run `studytool doctor`"
            )

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several queries see one snapshot (WAL: never blocks writers)."""
        with self._lock, self._guard():
            con = self._con
            con.execute("BEGIN")
            try:
                yield con
            finally:
                if con.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        con.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one query. Code outside the store calls typed methods instead."""
        with self._lock, self._guard():
            return self._con.execute(sql, params).fetchall()

    def _read_one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self._lock, self._guard():
            return self._con.execute(sql, params).fetchone()

    def backup_now(self, reason: str, now: datetime | None = None) -> Path:
        """A consistent copy in the backups folder, e.g. before an import (kept: the last 7)."""
        with self._lock, self._guard():
            return event_backup(self._con, self.path, reason, as_utc(now or utc_now()))

    # ---- time ----------------------------------------------------------------------------

    def today(self, now: datetime) -> tuple[datetime, datetime]:
        """[start, end) of the study day of `now`, in UTC (day_start_hour, local time)."""
        return day_window(now, self.settings.day_start_hour, self.tz)

    # ---- content lifecycle ---------------------------------------------------------------

    def sync(
        self,
        cards: Iterable[Card],
        *,
        skip_decks: Iterable[str] = (),
        now: datetime | None = None,
    ) -> SyncResult:
        """Register the review keys of `cards`; mark keys no longer in content as orphans
        (history kept) and bring back orphans that reappear. Decks in `skip_decks` (say, a
        file that failed to load) keep their cards as they are. A read-only store only
        reports what would change."""
        content: dict[str, None] = {}
        for card in cards:
            for key in card.review_keys():
                content[key] = None
        skip = set(skip_decks)
        added_ms = to_ms(as_utc(now or utc_now()))

        def diff(con: sqlite3.Connection) -> SyncResult:
            known = {r[0] for r in con.execute("SELECT key FROM cards")}
            orphans = {r[0] for r in con.execute("SELECT key FROM cards WHERE orphaned=1")}
            gone = known.difference(content, orphans)
            return SyncResult(
                added=tuple(k for k in content if k not in known),
                orphaned=tuple(sorted(k for k in gone if deck_of(k) not in skip)),
                restored=tuple(sorted(orphans.intersection(content))),
            )

        # the usual case changes nothing: find out without taking the write lock
        with self.reading() as con:
            result = diff(con)
        if self.read_only or not (result.added or result.orphaned or result.restored):
            return result
        with self.transaction() as con:
            result = diff(con)  # again, under the lock: another window may have synced
            con.executemany(
                "INSERT INTO cards (key, deck, added_ms) VALUES (?, ?, ?)",
                [(k, deck_of(k), added_ms) for k in result.added],
            )
            con.executemany(
                "UPDATE cards SET orphaned=1 WHERE key=?", [(k,) for k in result.orphaned]
            )
            con.executemany(
                "UPDATE cards SET orphaned=0 WHERE key=?", [(k,) for k in result.restored]
            )
        return result

    # ---- reading cards -------------------------------------------------------------------

    _RECORD_SQL = (
        f"SELECT id, key, deck, {STATE_COLS}, buried_until_ms, suspended, orphaned, added_ms"
        " FROM cards"
    )

    @staticmethod
    def _record(row: tuple[Any, ...]) -> CardRecord:
        return CardRecord(
            id=row[0],
            key=row[1],
            deck=row[2],
            state=CardState.from_columns(row[3:9]),
            buried_until_ms=row[9],
            suspended=bool(row[10]),
            orphaned=bool(row[11]),
            added_ms=row[12],
        )

    def card(self, key: str) -> CardRecord | None:
        row = self._read_one(f"{self._RECORD_SQL} WHERE key=?", (key,))
        return None if row is None else self._record(row)

    def records(self) -> dict[str, CardRecord]:
        """Every card the store knows, orphans included."""
        return {r[1]: self._record(r) for r in self._read(self._RECORD_SQL)}

    def _require(self, key: str) -> CardRecord:
        rec = self.card(key)
        if rec is None:
            raise UnknownCardError(f"unknown card {key!r}: sync the content first")
        return rec

    def orphans(self) -> list[tuple[str, int]]:
        """(key, number of logged reviews) of every orphaned card."""
        return [
            (k, n)
            for k, n in self._read(
                "SELECT c.key, (SELECT count(*) FROM revlog r WHERE r.card_id=c.id)"
                " FROM cards c WHERE c.orphaned=1 ORDER BY c.key"
            )
        ]

    def deck_keys(self, deck: str) -> list[str]:
        """Every review key the store has for `deck`, orphans included."""
        return [r[0] for r in self._read("SELECT key FROM cards WHERE deck=?", (deck,))]

    def answer_counts(self) -> dict[str, tuple[int, int]]:
        """Review key -> (answers logged in any mode, of them rated Again)."""
        return {
            key: (total, again)
            for key, total, again in self._read(
                "SELECT c.key, count(*), sum(r.rating = 1) FROM revlog r"
                " JOIN cards c ON c.id = r.card_id GROUP BY c.key"
            )
        }

    def retrievability(self, key: str, now: datetime) -> float:
        rec = self._require(key)
        return self.scheduler.retrievability(rec.id, rec.state, now)

    # ---- grading -------------------------------------------------------------------------

    def preview(self, key: str, now: datetime | None = None) -> dict[Rating, timedelta]:
        """The interval each rating would give now (Again, Hard, Good, Easy), fuzz included:
        grading at the same moment gives exactly these."""
        rec = self._require(key)
        now = as_utc(now or utc_now())
        if not self.settings.scheduler.load_balance:
            return self.scheduler.preview(fuzz_id(key), rec.state, now)
        out: dict[Rating, timedelta] = {}
        with self.reading() as con:
            for rating in Rating:
                after = self.scheduler.review(fuzz_id(key), rec.state, rating, now)
                after = self._balanced(con, key, after) or after
                assert after.due_ms is not None
                out[rating] = from_ms(after.due_ms) - now
        return out
        with self.reading() as con:
            for rating, interval in out.items():
                after = self.scheduler.review(fuzz_id(key), rec.state, rating, now)
                moved = self._balanced(con, key, after)
                if moved is not None and moved.due_ms is not None:
                    out[rating] = from_ms(moved.due_ms) - now
                else:
                    out[rating] = interval
        return out

    def grade(
        self,
        key: str,
        rating: Rating | int,
        now: datetime | Callable[[], datetime] | None = None,
        *,
        duration_ms: int | None = None,
        mode: Mode | str = Mode.REVIEW,
        session_id: int | None = None,
    ) -> GradeResult:
        """Log one answer and (in review mode) reschedule the card with FSRS.

        Committed before it returns. Cram and quiz answers are logged but leave FSRS state alone.
        `now` may be a clock (a function): like the system clock when `now` is None, it is
        read under the write lock, so the review times of several windows grading at once
        follow the order of their log lines.
        """
        rating = Rating(rating)
        mode = Mode(mode)
        with self.transaction() as con:
            now = as_utc(now() if callable(now) else now or utc_now())
            t = to_ms(now)
            row = con.execute(f"SELECT id, {STATE_COLS} FROM cards WHERE key=?", (key,)).fetchone()
            if row is None:
                raise UnknownCardError(f"unknown card {key!r}: sync the content first")
            card_id = row[0]
            before = CardState.from_columns(row[1:])
            after = (
                self.scheduler.review(fuzz_id(key), before, rating, now)
                if mode is Mode.REVIEW
                else before
            )
            moved = self._balanced(con, key, after) if mode is Mode.REVIEW else None
            after = moved or after
            cur = con.execute(
                "INSERT INTO revlog (card_id, time_ms, rating, mode, duration_ms, sched,"
                f" session_id, {BEFORE_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    card_id,
                    t,
                    int(rating),
                    mode.value,
                    duration_ms,
                    self.scheduler.version,
                    session_id,
                    *before.columns(),
                ),
            )
            if mode is Mode.REVIEW:
                con.execute(SET_STATE, (*after.columns(), card_id))
            revlog_id = int(cur.lastrowid or 0)
            event: Event = {"type": "review", "key": key, "rating": int(rating), "mode": mode.value}
            if duration_ms is not None:
                event["dur"] = duration_ms
            if moved is not None:
                event["due"] = moved.due_ms  # replay keeps the day balancing chose
            if record(self, con, t, [event], revlog_id):
                # folded in among later events from another device: read the outcome back
                row = con.execute(
                    f"SELECT e.revlog_id, {STATE_COLS} FROM events e"
                    " JOIN cards c ON c.key = e.key WHERE e.id=?",
                    (event["id"],),
                ).fetchone()
                revlog_id = row[0]
                after = CardState.from_columns(row[1:]) if mode is Mode.REVIEW else before
        write_ack(self.path, Ack(revlog_id, t))
        self._undo.append(event["id"])
        del self._undo[:-_UNDO_DEPTH]
        return GradeResult(key, rating, mode, revlog_id, now, before, after)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> UndoResult | None:
        """Take back the last grade made through this Store: the card gets back the exact
        state logged before it, and the log line goes. None when there is nothing to undo."""
        if not self._undo:
            return None
        target = self._undo[-1]
        with self.transaction() as con:
            row = con.execute(
                f"SELECT r.id, r.card_id, c.key, r.rating, r.mode, r.time_ms, {BEFORE_COLS}"
                " FROM events e JOIN revlog r ON r.id = e.revlog_id"
                " JOIN cards c ON c.id = r.card_id WHERE e.id=?",
                (target,),
            ).fetchone()
            if row is None:
                self._undo.pop()
                raise StoreError("the review to undo is no longer in the log")
            revlog_id, card_id, key, rating, mode, t = row[:6]
            restored = CardState.from_columns(row[6:])
            if mode == Mode.REVIEW:
                later = con.execute(
                    "SELECT 1 FROM revlog WHERE card_id=? AND mode='review'"
                    " AND (time_ms>? OR (time_ms=? AND id>?)) LIMIT 1",
                    (card_id, t, t, revlog_id),
                ).fetchone()
                if later:
                    raise StoreError(
                        f"cannot undo: {key} was reviewed again since (another window)"
                    )
                con.execute(SET_STATE, (*restored.columns(), card_id))
            con.execute("DELETE FROM revlog WHERE id=?", (revlog_id,))
            con.execute("UPDATE events SET revlog_id=NULL WHERE id=?", (target,))
            void: Event = {"type": "void", "key": key, "target": target}
            record(self, con, max(to_ms(utc_now()), t), [void])
        self._undo.pop()
        return UndoResult(key, revlog_id, Rating(rating), Mode(mode), restored)

    # ---- bury and suspend ----------------------------------------------------------------

    def _set(
        self, kind: Event, sql: str, keys: str | Iterable[str], *args: Any, t: int | None = None
    ) -> int:
        """Change cards and log one `kind` event per known key (at `t`, default now), in one
        transaction."""
        wanted = _keys(keys)
        with self.transaction() as con:
            known = {r[0] for r in con.execute("SELECT key FROM cards")} if wanted else set()
            before = con.total_changes
            con.executemany(sql, [(*args, k) for k in wanted])
            changed = con.total_changes - before
            events = [{**kind, "key": k} for k in wanted if k in known]
            record(self, con, to_ms(utc_now()) if t is None else t, events)
            return changed

    def bury(self, keys: str | Iterable[str], now: datetime | None = None) -> int:
        """Hide until the next study day starts. Returns how many cards changed."""
        now = as_utc(now or utc_now())
        until = to_ms(self.today(now)[1])
        event = {"type": "bury", "until": until}
        sql = "UPDATE cards SET buried_until_ms=? WHERE key=?"
        return self._set(event, sql, keys, until, t=to_ms(now))

    def unbury(self, keys: str | Iterable[str]) -> int:
        event = {"type": "unbury"}
        return self._set(event, "UPDATE cards SET buried_until_ms=NULL WHERE key=?", keys)

    def suspend(self, keys: str | Iterable[str]) -> int:
        """Never shown until unsuspended; FSRS state is kept as it is."""
        return self._set({"type": "suspend"}, "UPDATE cards SET suspended=1 WHERE key=?", keys)

    def unsuspend(self, keys: str | Iterable[str]) -> int:
        return self._set({"type": "unsuspend"}, "UPDATE cards SET suspended=0 WHERE key=?", keys)

    # ---- sessions ------------------------------------------------------------------------

    def start_session(
        self,
        mode: Mode | str = Mode.REVIEW,
        now: datetime | None = None,
        *,
        decks: Iterable[str] = (),
        tags: Iterable[str] = (),
    ) -> int:
        filt = json.dumps({"decks": sorted(decks), "tags": sorted(tags)})
        t = to_ms(as_utc(now or utc_now()))
        with self.transaction() as con:
            cur = con.execute(
                "INSERT INTO sessions (started_ms, mode, filter) VALUES (?, ?, ?)",
                (t, Mode(mode).value, filt),
            )
            return int(cur.lastrowid or 0)

    def end_session(self, session_id: int, now: datetime | None = None) -> None:
        t = to_ms(as_utc(now or utc_now()))
        with self.transaction() as con:
            con.execute("UPDATE sessions SET ended_ms=? WHERE id=?", (t, session_id))

    # ---- queue data ----------------------------------------------------------------------

    def queue_snapshot(
        self, now: datetime, learn_ahead: timedelta = timedelta(minutes=20)
    ) -> QueueSnapshot:
        now = as_utc(now)
        start, end = self.today(now)
        t, s, e = to_ms(now), to_ms(start), to_ms(end)
        avail = available()
        learning_in = ", ".join(map(str, LEARNING_STATES))
        with self.reading() as con:
            learning = con.execute(
                f"SELECT key, due_ms FROM cards WHERE state IN ({learning_in}) AND due_ms<=?"
                f" AND {avail} ORDER BY due_ms",
                (t + learn_ahead // timedelta(milliseconds=1), t),
            ).fetchall()
            review = con.execute(
                f"SELECT key, due_ms FROM cards WHERE state={FsrsState.REVIEW} AND due_ms<?"
                f" AND {avail} ORDER BY due_ms",
                (e, t),
            ).fetchall()
            new = {
                r[0]
                for r in con.execute(
                    f"SELECT key FROM cards WHERE state={FsrsState.NEW} AND {avail}", (t,)
                )
            }
            new_today = dict(con.execute(NEW_SINCE_BY_DECK, (s,)).fetchall())
        return QueueSnapshot(t, s, e, learning, review, new, new_today)

    # ---- daily limits and leeches --------------------------------------------------------

    def reviews_since(self, since: datetime) -> int:
        """Reviews of cards in the Review state since `since` (the daily review cap counts
        these)."""
        row = self._read_one(REVIEWS_SINCE, (to_ms(as_utc(since)),))
        return int(row[0]) if row else 0

    def lapses(self, keys: str | Iterable[str]) -> int:
        """Lapses logged for `keys` together (both directions of a reversed card)."""
        wanted = _keys(keys)
        if not wanted:
            return 0
        row = self._read_one(
            f"SELECT count(*) FROM revlog r JOIN cards c ON c.id = r.card_id WHERE {LAPSE}"
            f" AND c.key IN ({', '.join('?' * len(wanted))})",
            wanted,
        )
        return int(row[0]) if row else 0

    def lapse_counts(self) -> dict[str, int]:
        """Review key -> lapses logged, for the keys that have any."""
        return dict(
            self._read(
                f"SELECT c.key, count(*) FROM revlog r JOIN cards c ON c.id = r.card_id"
                f" WHERE {LAPSE} GROUP BY c.key"
            )
        )

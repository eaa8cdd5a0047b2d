"""The SQLite file: creation, validation, connection settings and forward migrations.

Schema history (`PRAGMA user_version`):
  1. cards(key, card JSON, orphaned) and revlog(id = review ms, key, rating, duration_ms).
  2. one column per FSRS field, state before each review in the revlog (exact undo), review
     mode and scheduler version, sessions, personal parameters, bury and suspend.
  3. the quiz tables (quizzes, quiz_questions, quiz_flags). Before v3 they were created on a
     quiz's first write, so a v2 file may already have them.
  4. the tables that tie the cache to the event log (progress/devices/*.jsonl): `events`
     (every log event the cache reflects) and `sync_meta`. Index `events_key` came after the
     first v4 files: `ensure_indexes` adds it to those on opening.
  5. `predictions`: the student's scored guesses before demo runs (replayed from the log).
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from studytool.fsio import atomic_path
from studytool.store.backup import backups_dir, corrupt_error, list_backups
from studytool.store.errors import StoreError
from studytool.store.files import DB_NAME as DB_NAME
from studytool.store.files import companion, dir_writable, drop_ack
from studytool.store.scheduler import CardState, from_ms, to_ms
from studytool.store.sql import DECK_RETENTION_FROM_LOG, REVIEW_QUARTERS_FROM_LOG
from studytool.store.state import FsrsState

SCHEMA_VERSION = 5
BUSY_TIMEOUT_S = 10.0
_MAGIC = b"SQLite format 3\x00"

# the v2 tables; a fresh database gets QUIZ_SCHEMA too
SCHEMA = """
CREATE TABLE cards (
    id INTEGER PRIMARY KEY,            -- the fsrs card_id
    key TEXT NOT NULL UNIQUE,          -- review key: deck/card or deck/card@rev
    deck TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),  -- 0 = new, else fsrs.State
    step INTEGER,
    stability REAL,
    difficulty REAL,
    due_ms INTEGER,                    -- UTC epoch ms; NULL while new
    last_review_ms INTEGER,
    buried_until_ms INTEGER,
    suspended INTEGER NOT NULL DEFAULT 0,
    orphaned INTEGER NOT NULL DEFAULT 0,  -- gone from the content; history kept
    added_ms INTEGER NOT NULL
);
-- covers the queue and stats queries: they never touch the table rows
CREATE INDEX cards_queue ON cards(state, due_ms, suspended, orphaned, buried_until_ms, deck, key);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_ms INTEGER NOT NULL,
    ended_ms INTEGER,
    mode TEXT NOT NULL,
    filter TEXT                        -- JSON: {"decks": [...], "tags": [...]}
);

CREATE TABLE params (
    id INTEGER PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    parameters TEXT NOT NULL,          -- JSON list of the 21 FSRS weights
    reviews INTEGER NOT NULL,          -- qualifying reviews they were fitted on
    fsrs_version TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE revlog (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after an undo
    card_id INTEGER NOT NULL REFERENCES cards(id),
    time_ms INTEGER NOT NULL,          -- review time, UTC epoch ms
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    mode TEXT NOT NULL CHECK (mode IN ('review', 'cram', 'quiz')),
    duration_ms INTEGER,
    sched TEXT NOT NULL,               -- scheduler version, e.g. fsrs-6.3.2/default
    session_id INTEGER REFERENCES sessions(id),
    -- the card exactly as it was before this review: undo restores it
    state_before INTEGER NOT NULL,
    step_before INTEGER,
    stability_before REAL,
    difficulty_before REAL,
    due_before_ms INTEGER,
    last_review_before_ms INTEGER
);
CREATE INDEX revlog_card ON revlog(card_id, time_ms);
CREATE INDEX revlog_time ON revlog(time_ms);

-- Aggregates kept by triggers, so stats never scan a million log rows. They are derived:
-- doctor rebuilds them if they ever disagree with the log; exports leave them out.
CREATE TABLE review_quarters (
    quarter INTEGER PRIMARY KEY,       -- time_ms / 900000: every UTC offset is a multiple of 15 min
    n INTEGER NOT NULL
);
CREATE TABLE deck_retention (
    deck TEXT PRIMARY KEY,             -- reviews of Review-state cards in review mode
    reviews INTEGER NOT NULL,
    passed INTEGER NOT NULL            -- not rated Again
);
CREATE TRIGGER revlog_insert AFTER INSERT ON revlog BEGIN
    INSERT INTO review_quarters (quarter, n) VALUES (NEW.time_ms / 900000, 1)
        ON CONFLICT (quarter) DO UPDATE SET n = n + 1;
    INSERT INTO deck_retention (deck, reviews, passed)
        SELECT deck, 1, NEW.rating > 1 FROM cards
        WHERE id = NEW.card_id AND NEW.state_before = 2 AND NEW.mode = 'review'
        ON CONFLICT (deck) DO UPDATE
        SET reviews = reviews + 1, passed = passed + excluded.passed;
END;
CREATE TRIGGER revlog_delete AFTER DELETE ON revlog BEGIN
    UPDATE review_quarters SET n = n - 1 WHERE quarter = OLD.time_ms / 900000;
    DELETE FROM review_quarters WHERE quarter = OLD.time_ms / 900000 AND n <= 0;
    UPDATE deck_retention SET reviews = reviews - 1, passed = passed - (OLD.rating > 1)
        WHERE OLD.state_before = 2 AND OLD.mode = 'review'
        AND deck = (SELECT deck FROM cards WHERE id = OLD.card_id);
END;
-- the log is history: lines are added (and removed by undo), never rewritten
CREATE TRIGGER revlog_append_only BEFORE UPDATE ON revlog BEGIN
    SELECT RAISE(ABORT, 'the review log is append-only');
END;
"""

# v3. Rows name cards by review key, not by `cards.id`, so a progress import (which rewrites
# the cards table) leaves the history readable. IF NOT EXISTS: v2 files may have them already.
QUIZ_SCHEMA = """
CREATE TABLE IF NOT EXISTS quizzes (
    id INTEGER PRIMARY KEY,
    started_ms INTEGER NOT NULL,       -- UTC epoch ms
    duration_ms INTEGER NOT NULL,
    decks TEXT NOT NULL,               -- JSON list; [] = all decks
    tags TEXT NOT NULL,                -- JSON list
    settings TEXT NOT NULL,            -- JSON: n, time limit, fresh, seed, feedback, lang
    questions INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    score REAL NOT NULL,               -- sum of the question scores (partial credit included)
    session_id INTEGER                 -- sessions.id of its revlog lines (no FK: imports rewrite)
);
CREATE INDEX IF NOT EXISTS quizzes_started ON quizzes(started_ms);
CREATE TABLE IF NOT EXISTS quiz_questions (
    quiz_id INTEGER NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,         -- 0-based, in the order asked
    key TEXT NOT NULL,                 -- review key
    kind TEXT NOT NULL,                -- choice, multi, truefalse, typed, numeric, order, self
    score REAL,                        -- 0..1; NULL when not answered
    duration_ms INTEGER,
    answer TEXT,                       -- the user's answer as written ("b", "a, c", "3 1 2")
    expected TEXT NOT NULL,
    PRIMARY KEY (quiz_id, position)
);
CREATE INDEX IF NOT EXISTS quiz_questions_key ON quiz_questions(key);
CREATE TABLE IF NOT EXISTS quiz_flags (
    key TEXT PRIMARY KEY,              -- missed in a quiz: the review queue shows it first
    flagged_ms INTEGER NOT NULL,       -- cleared by any review-mode grade at or after this time
    quiz_id INTEGER
);
"""

# v4: the database is a cache of the event log (store/replay.py keeps them in step)
SYNC_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,               -- every log event this cache reflects
    key TEXT NOT NULL,                 -- review key
    revlog_id INTEGER                  -- the revlog row of a review that is not voided
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_revlog ON events(revlog_id);
CREATE INDEX IF NOT EXISTS events_key ON events(key, id);  -- a card's events, in time order
CREATE TABLE IF NOT EXISTS sync_meta (
    name TEXT PRIMARY KEY,             -- log_migrated, last_sync
    value TEXT NOT NULL
);
"""

# v5: predictions made before demo runs, a cache of the log's `prediction` events. Kept out of
# the revlog on purpose: nothing that schedules, trains or evaluates FSRS reads this table.
PREDICT_SCHEMA = """
CREATE TABLE IF NOT EXISTS predictions (
    event_id TEXT PRIMARY KEY,         -- the log event
    key TEXT NOT NULL,                 -- review key of the linked card
    time_ms INTEGER NOT NULL,          -- UTC epoch ms
    demo TEXT NOT NULL,
    concept TEXT NOT NULL,             -- the demo's concept when it was run
    question TEXT NOT NULL,            -- the prediction id within the demo
    guess REAL NOT NULL,               -- option index or number
    answer REAL NOT NULL,              -- the run's answer, same kind
    correct INTEGER NOT NULL CHECK (correct IN (0, 1))
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS predictions_key ON predictions(key);
"""

AGGREGATES_REBUILD = f"""
DELETE FROM review_quarters;
DELETE FROM deck_retention;
INSERT INTO review_quarters (quarter, n) {REVIEW_QUARTERS_FROM_LOG};
INSERT INTO deck_retention (deck, reviews, passed) {DECK_RETENTION_FROM_LOG};
"""

V1_TABLES = ("cards", "revlog")
V2_TABLES = ("cards", "deck_retention", "params", "review_quarters", "revlog", "sessions")
QUIZ_TABLES = ("quizzes", "quiz_questions", "quiz_flags")
SYNC_TABLES = ("events", "sync_meta")
PREDICT_TABLES = ("predictions",)
TABLES = (*V2_TABLES, *QUIZ_TABLES, *SYNC_TABLES, *PREDICT_TABLES)
TABLES_OF = {
    1: V1_TABLES,
    2: V2_TABLES,
    3: (*V2_TABLES, *QUIZ_TABLES),
    4: (*V2_TABLES, *QUIZ_TABLES, *SYNC_TABLES),
    5: TABLES,
}


def check_header(path: Path) -> None:
    """Reject garbage and truncated files before SQLite sees them.

    SQLite happily opens a truncated file and only fails on the first missing page,
    so compare the size with the page count that the header records. Not while a -wal file
    holds data: a checkpoint that ran out of disk space leaves a short file whose missing
    pages are still in the WAL, and SQLite completes it on the next open.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(100)
    except OSError as e:
        raise corrupt_error(path, f"cannot read the progress database ({e.strerror})") from None
    if size == 0 or len(head) < 100 or not head.startswith(_MAGIC):
        raise corrupt_error(path, "not a SQLite database (garbage or truncated file)")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    # the page count is only valid when its version stamp matches the change counter
    if pages and head[24:28] == head[92:96] and size < pages * page_size and not _has_wal(path):
        raise corrupt_error(
            path, f"the database file is truncated ({size} of {pages * page_size} bytes)"
        )


def _has_wal(path: Path) -> bool:
    try:
        return companion(path, "-wal").stat().st_size > 0
    except OSError:
        return False


def configure(con: sqlite3.Connection, *, read_only: bool = False) -> None:
    # WAL lets the TUI read while another window writes. NORMAL: a commit survives a crash of
    # the process but not a power loss, which may take the last commits back. Progress is
    # safe anyway: each change is in the event log, fsynced before the commit, and the next
    # open applies log lines the database lacks (store/replay.py first_open). A second fsync
    # per grade (FULL) would double its time on a disk where one costs ~4 ms.
    if not read_only:  # a read-only connection cannot switch modes (a v3 file is WAL already)
        mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"cannot switch the database to WAL mode (got {mode})")
        con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    try:
        con.execute("SELECT pow(2.0, 0.5)")
    except sqlite3.OperationalError:
        # SQLite built without math functions: stats need pow() for retrievability
        con.create_function("pow", 2, math.pow, deterministic=True)


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open an existing file. isolation_level=None: we issue BEGIN/COMMIT ourselves.

    `read_only`: for a folder we cannot write in, where SQLite cannot create the -wal and
    -shm files. Without a -wal file nobody has the database open for writing (a writer would
    have created it), so the file is read as immutable; otherwise through the existing -shm.
    """
    target: str | Path = path
    if read_only:
        immutable = "" if companion(path, "-wal").exists() else "&immutable=1"
        target = f"{path.resolve().as_uri()}?mode=ro{immutable}"
    return sqlite3.connect(
        target,
        timeout=BUSY_TIMEOUT_S,
        isolation_level=None,
        check_same_thread=False,
        uri=read_only,
    )


def read_only_error(directory: Path, detail: str) -> StoreError:
    return StoreError(f"progress directory is read-only: {directory} ({detail})")


def create(path: Path) -> None:
    """Build a fresh database next to `path`, then link it into place.

    An existing file is never overwritten: if another process created it first, we keep
    theirs. A crash mid-creation leaves only the temporary file, never a half-made progress.db.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, replace=False) as tmp:
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.executescript(
                f"BEGIN;{SCHEMA}{QUIZ_SCHEMA}{SYNC_SCHEMA}{PREDICT_SCHEMA}"
                f"PRAGMA user_version={SCHEMA_VERSION};COMMIT;"
            )
            # WAL is a property of the file: set it now, so no first opener has to switch it
            con.execute("PRAGMA journal_mode=WAL")
        finally:
            con.close()


def open_database(path: Path) -> tuple[sqlite3.Connection, int, bool]:
    """Open (creating if missing) and validate; returns the connection, its schema version
    and whether it is read-only (the folder is not writable).

    Raises StoreError for anything unreadable. A damaged file is never replaced, and a
    missing one is not recreated while backups exist: that is a restore, not a fresh start.
    """
    read_only = path.parent.is_dir() and not dir_writable(path.parent)
    if not path.exists():
        _refuse_fresh_start(path)
        if read_only:
            raise read_only_error(path.parent, f"cannot create {path.name}")
        try:
            create(path)
        except (OSError, sqlite3.Error) as e:
            if isinstance(e, OSError) and e.errno in _READ_ONLY_ERRNOS:
                raise read_only_error(path.parent, f"cannot create {path.name}") from None
            raise StoreError(f"{path}: cannot create the progress database ({e})") from None
        drop_ack(path)
    check_header(path)
    con = connect(path, read_only=read_only)
    try:
        with sqlite_errors(path, opening=True):
            configure(con, read_only=read_only)
            version = con.execute("PRAGMA user_version").fetchone()[0]
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{path}: schema version {version} is newer than this studytool understands"
                    f" ({SCHEMA_VERSION}); upgrade studytool"
                )
            if version == 0 and not names and not read_only:
                # a valid but empty SQLite file (e.g. made by `sqlite3 progress.db ""`)
                with _transaction(con):
                    execute_script(con, SCHEMA + QUIZ_SCHEMA + SYNC_SCHEMA + PREDICT_SCHEMA)
                    con.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                version = SCHEMA_VERSION
                names = set(TABLES)
        expected = TABLES_OF.get(version)  # None: 0 (no schema) or a negative version
        if expected is None or not set(expected) <= names:
            raise corrupt_error(path, "not a studytool progress database (tables are missing)")
    except BaseException:
        con.close()
        raise
    return con, version, read_only


_READ_ONLY_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS)


def _refuse_fresh_start(path: Path) -> None:
    """progress.db is gone: deleted by hand, or moved while studytool ran. With backups (or a
    WAL of the old file) around, an empty database would hide the loss."""
    try:
        backups = list_backups(backups_dir(path))
    except OSError:
        backups = []
    if backups:
        raise StoreError(
            f"{path} is missing, but {len(backups)} backups exist in {backups_dir(path)};"
            f" restore the newest with `studytool progress restore {backups[-1]}`, or move the"
            " backups folder away to start with empty progress"
        )
    wal = companion(path, "-wal")
    if wal.exists():
        raise StoreError(
            f"{path} is missing, but its {wal.name} file is still there: move {wal.name} away"
            " to start with empty progress"
        )


@contextlib.contextmanager
def sqlite_errors(path: Path, *, opening: bool = False) -> Iterator[None]:
    """The one translation of sqlite3 errors into one-line StoreErrors that name the file.

    A busy database says so; a full disk or an I/O error says the change was not saved (a
    failed write leaves the file as it was, and what was committed stays in the -wal file);
    a read-only file or folder says so; a damaged database names the newest backup; anything
    else (a broken constraint) is SQLite's own message. While `opening`, a file SQLite
    cannot read at all is reported as damaged.
    """
    try:
        yield
    except sqlite3.OperationalError as e:
        code = getattr(e, "sqlite_errorcode", 0) & 0xFF  # unset on errors made by hand
        if is_busy(e):
            raise StoreError(
                f"{path}: still locked by another studytool after {BUSY_TIMEOUT_S:g}s; try again"
            ) from None
        if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and not opening):
            raise StoreError(
                f"{path}: could not write ({e}); the last change was NOT saved. Everything"
                f" saved before is safe (keep {path.name}-wal). Free some disk space and"
                " restart studytool"
            ) from None
        if code == sqlite3.SQLITE_READONLY:
            raise read_only_error(path.parent, str(e)) from None
        if opening:
            raise corrupt_error(path, f"cannot read the progress database ({e})") from None
        raise StoreError(f"{path}: {e}") from None
    except sqlite3.IntegrityError as e:
        raise StoreError(f"{path}: {e}") from None
    except sqlite3.DatabaseError as e:
        raise corrupt_error(path, f"the progress database is corrupt ({e})") from None


def migrate(con: sqlite3.Connection) -> int:
    """Apply forward migrations; returns the final version. Safe if two processes race."""
    version = con.execute("PRAGMA user_version").fetchone()[0]
    while version < SCHEMA_VERSION:
        step = MIGRATIONS[version]
        # foreign_keys cannot change inside a transaction, and tables are rebuilt here
        con.execute("PRAGMA foreign_keys=OFF")
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                # re-read under the write lock: another process may have migrated meanwhile
                current = con.execute("PRAGMA user_version").fetchone()[0]
                if current == version:
                    step(con)
                    con.execute(f"PRAGMA user_version={version + 1}")
                    bad = con.execute("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise StoreError(f"migration to v{version + 1} broke references: {bad}")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.execute("PRAGMA foreign_keys=ON")
        version = con.execute("PRAGMA user_version").fetchone()[0]
    return version


def ensure_indexes(con: sqlite3.Connection) -> None:
    """Indexes added to a schema version after files of it were made (IF NOT EXISTS: a
    no-op on the others). Inside the caller's write transaction."""
    con.execute("CREATE INDEX IF NOT EXISTS events_key ON events(key, id)")


def _migrate_1_to_2(con: sqlite3.Connection) -> None:
    """v1 kept fsrs Card JSON per key and a bare log; rebuild both tables column by column.

    v1 stored no state before each review: replaying each card's log with the default
    scheduler recovers it (fsrs is deterministic apart from fuzz, which only moves `due`).
    """
    con.execute("ALTER TABLE cards RENAME TO cards_v1")
    con.execute("ALTER TABLE revlog RENAME TO revlog_v1")
    execute_script(con, SCHEMA)
    sched = Scheduler(enable_fuzzing=False)
    used: set[int] = set()
    ids: dict[str, int] = {}
    now_ms = to_ms(datetime.now().astimezone())
    rows = con.execute("SELECT key, card, orphaned FROM cards_v1 ORDER BY rowid").fetchall()
    for key, card_json, orphaned in rows:
        # parse by hand: Card.from_dict would turn a stability of 0.0 into None
        d = json.loads(card_json)
        card_id = int(d["card_id"])
        while card_id in used:
            card_id += 1
        used.add(card_id)
        ids[key] = card_id
        last = d.get("last_review")
        state = int(d["state"]) if last else FsrsState.NEW
        con.execute(
            "INSERT INTO cards (id, key, deck, state, step, stability, difficulty, due_ms,"
            " last_review_ms, orphaned, added_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                card_id,
                key,
                key.split("/", 1)[0],
                state,
                d.get("step") if state else None,
                d.get("stability") if state else None,
                d.get("difficulty") if state else None,
                to_ms(datetime.fromisoformat(d["due"])) if state else None,
                to_ms(datetime.fromisoformat(last)) if last else None,
                int(orphaned),
                card_id if card_id > 0 else now_ms,
            ),
        )
    logs = con.execute(
        "SELECT id, key, rating, duration_ms FROM revlog_v1 ORDER BY key, id"
    ).fetchall()
    current_key: str | None = None
    card = FsrsCard(card_id=0)
    before = CardState.new()
    for time_ms, key, rating, duration_ms in logs:
        if key not in ids:
            raise StoreError(f"migration: review of unknown card {key!r}")
        if key != current_key:
            current_key = key
            card = FsrsCard(card_id=ids[key], due=from_ms(time_ms))
            before = CardState.new()
        con.execute(
            "INSERT INTO revlog (card_id, time_ms, rating, mode, duration_ms, sched,"
            " state_before, step_before, stability_before, difficulty_before,"
            " due_before_ms, last_review_before_ms) VALUES (?,?,?,'review',?,'v1',?,?,?,?,?,?)",
            (ids[key], time_ms, rating, duration_ms, *before.columns()),
        )
        card, _ = sched.review_card(card, Rating(rating), from_ms(time_ms))
        before = CardState.from_fsrs(card)
    con.execute("DROP TABLE revlog_v1")
    con.execute("DROP TABLE cards_v1")


def _migrate_2_to_3(con: sqlite3.Connection) -> None:
    """The quiz tables join the schema (a v2 file has them if it ever recorded a quiz)."""
    execute_script(con, QUIZ_SCHEMA)


def _migrate_3_to_4(con: sqlite3.Connection) -> None:
    """The event-log tables. The revlog itself moves into the log when a Store first opens
    the file (store/replay.py `migrate_revlog`), outside this transaction."""
    execute_script(con, SYNC_SCHEMA)


def _migrate_4_to_5(con: sqlite3.Connection) -> None:
    """The predictions table. Prediction events that a newer device already put in the log
    were skipped by this version (an unknown type), so they are not in `events`: the apply of
    the log that follows the open sees them as new and fills the table."""
    execute_script(con, PREDICT_SCHEMA)


MIGRATIONS = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
    4: _migrate_4_to_5,
}


@contextlib.contextmanager
def _transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def statements(script: str) -> list[str]:
    """Split a script into complete SQL statements (triggers included)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


_LOG_TRIGGERS = ("revlog_insert", "revlog_delete")


@contextlib.contextmanager
def log_triggers_off(con: sqlite3.Connection) -> Iterator[None]:
    """For bulk changes to the log inside a transaction (import): no per-row trigger work;
    the aggregates are rebuilt once at the end. DDL is transactional, so a rollback
    brings the triggers back too."""
    ddl = [st for st in statements(SCHEMA) if st.split()[2:3] in ([n] for n in _LOG_TRIGGERS)]
    for name in _LOG_TRIGGERS:
        con.execute(f"DROP TRIGGER {name}")
    yield
    for st in ddl:
        con.execute(st)
    execute_script(con, AGGREGATES_REBUILD)


_BULK_INDEXES = ("revlog_card", "revlog_time", "events_revlog", "events_key", "predictions_key")
_INDEX_NAME = re.compile(r"CREATE INDEX (?:IF NOT EXISTS )?(\w+)")


@contextlib.contextmanager
def log_indexes_off(con: sqlite3.Connection) -> Iterator[None]:
    """For refilling revlog, events and predictions inside a transaction (a rebuild from the
    event log): an index made once after the rows costs less than one kept up row by row."""
    ddl = [
        st
        for st in statements(SCHEMA + SYNC_SCHEMA + PREDICT_SCHEMA)
        if (m := _INDEX_NAME.search(st)) and m.group(1) in _BULK_INDEXES
    ]
    for name in _BULK_INDEXES:
        con.execute(f"DROP INDEX IF EXISTS {name}")
    yield
    for st in ddl:
        con.execute(st)


def execute_script(con: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: executescript() would COMMIT the open transaction first."""
    for stmt in statements(script):
        con.execute(stmt)


def is_busy(e: sqlite3.Error) -> bool:
    text = str(e).lower()
    return "locked" in text or "busy" in text

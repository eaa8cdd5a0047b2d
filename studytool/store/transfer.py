"""Progress export and import as JSON: every row of every table, so a round trip is exact.

The file holds one JSON object; each table is {"columns": [...], "rows": [[...], ...]} with
one row per line. Import replaces the whole progress (after a backup) in one transaction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studytool.fsio import InputFileError, atomic_path, read_limited
from studytool.store.db import SCHEMA_VERSION, log_triggers_off
from studytool.store.errors import StoreError
from studytool.store.ranges import state_problem, time_problem
from studytool.store.replay import LOG_MIGRATED, migrate_revlog
from studytool.store.scheduler import as_utc, to_ms, utc_now
from studytool.store.sql import BEFORE_COLS, STATE_COLS
from studytool.textsafe import safe_path

if TYPE_CHECKING:
    from studytool.store.repo import Store

FORMAT = "studytool-progress"
MAX_IMPORT_BYTES = 512 * 2**20  # a year of daily study exports to a few MB
FORMAT_VERSION = 1
# parents before children, so foreign keys hold at every insert
TABLE_ORDER = ("cards", "sessions", "params", "revlog")
# schema versions whose exports this one reads: v3, v4 and v5 only added tables not exported
READS_SCHEMAS = (2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class TransferResult:
    path: Path
    counts: dict[str, int]  # rows per table
    backup: Path | None = None  # import only: the copy taken before replacing


def _columns(store: Store) -> dict[str, list[tuple[str, str]]]:
    """(name, declared type) of each table's columns, in table order."""
    return {
        table: [(r[1], r[2].upper()) for r in store._read(f"PRAGMA table_info({table})")]
        for table in TABLE_ORDER
    }


def export_progress(store: Store, dest: Path, now: datetime | None = None) -> TransferResult:
    """Write all progress to `dest` (through a temporary file, so a crash leaves no half file)."""
    now = as_utc(now or utc_now())
    cols = _columns(store)
    counts: dict[str, int] = {}
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(dest) as tmp, store.reading() as con, tmp.open("w", encoding="utf-8") as f:
            f.write("{\n")
            f.write(f'"format": "{FORMAT}",\n"version": {FORMAT_VERSION},\n')
            f.write(f'"schema": {SCHEMA_VERSION},\n"exported_at": "{now.isoformat()}",\n')
            f.write('"tables": {\n')
            for t_i, table in enumerate(TABLE_ORDER):
                names = [n for n, _ in cols[table]]
                f.write(f'"{table}": {{"columns": {json.dumps(names)}, "rows": [')
                n = 0
                cur = con.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid")
                for row in cur:
                    f.write(",\n" if n else "\n")
                    f.write(json.dumps(list(row), ensure_ascii=False, allow_nan=False))
                    n += 1
                counts[table] = n
                f.write("\n]}" + (",\n" if t_i < len(TABLE_ORDER) - 1 else "\n"))
            f.write("}\n}\n")
    except OSError as e:
        raise StoreError(f"cannot write {dest}: {e.strerror or e}") from None
    return TransferResult(dest, counts)


def _check_value(table: str, column: str, kind: str, value: Any) -> None:
    ok = value is None
    if not ok and kind.startswith("INT"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif not ok and kind == "REAL":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    elif not ok and kind == "TEXT":
        ok = isinstance(value, str)
    if not ok:
        raise StoreError(f"invalid progress file: {table}.{column} cannot be {value!r}")


def read_progress_file(store: Store, src: Path) -> dict[str, list[list[Any]]]:
    """Parse and validate an export; returns rows per table in the store's column order."""
    try:
        data = json.loads(read_limited(src, MAX_IMPORT_BYTES).decode("utf-8"))
    except InputFileError as e:
        raise StoreError(f"cannot read {safe_path(src)}: {e}") from None
    except OSError as e:
        raise StoreError(f"cannot read {safe_path(src)}: {e.strerror or e}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise StoreError(f"{src}: not a JSON progress file ({e})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError(f"{src}: not a studytool progress export")
    if data.get("version") != FORMAT_VERSION or data.get("schema") not in READS_SCHEMAS:
        raise StoreError(
            f"{src}: export format {data.get('version')} / schema {data.get('schema')} is not"
            f" supported (expected {FORMAT_VERSION} / {' or '.join(map(str, READS_SCHEMAS))})"
        )
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise StoreError(f"{src}: 'tables' is missing")
    out: dict[str, list[list[Any]]] = {}
    for table, cols in _columns(store).items():
        entry = tables.get(table)
        names = [n for n, _ in cols]
        if not isinstance(entry, dict) or entry.get("columns") != names:
            raise StoreError(f"{src}: table {table!r} is missing or has other columns")
        rows = entry.get("rows")
        if not isinstance(rows, list):
            raise StoreError(f"{src}: table {table!r} has no rows list")
        for row in rows:
            if not isinstance(row, list) or len(row) != len(names):
                raise StoreError(f"{src}: a {table} row has the wrong shape: {row!r}")
            for (name, kind), value in zip(cols, row, strict=True):
                _check_value(table, name, kind, value)
        out[table] = rows
    _check_ranges(src, {t: [n for n, _ in c] for t, c in _columns(store).items()}, out)
    return out


_STATE = [c.strip() for c in STATE_COLS.split(",")]
_BEFORE = [c.strip() for c in BEFORE_COLS.split(",")]


def _check_ranges(src: Path, names: dict[str, list[str]], rows: dict[str, list[list[Any]]]) -> None:
    """Values of the right type can still be out of range (a stability of 0, a due date past
    the year 9999, an unknown state): refuse them here, naming the card, rather than crash
    the scheduler later."""
    keys: dict[Any, str] = {}
    for row in rows["cards"]:
        card = dict(zip(names["cards"], row, strict=True))
        keys[card["id"]] = key = str(card["key"])
        problem = state_problem([card[c] for c in _STATE]) or time_problem(
            "added", card["added_ms"]
        )
        if problem:
            raise StoreError(f"{src}: card {key!r}: {problem}")
    for row in rows["revlog"]:
        log = dict(zip(names["revlog"], row, strict=True))
        before = state_problem([log[c] for c in _BEFORE])
        problem = time_problem("time", log["time_ms"]) or (
            before and f"the state before it: {before}"
        )
        if problem:
            card = keys.get(log["card_id"], log["card_id"])
            raise StoreError(f"{src}: review {log['id']} of card {card!r}: {problem}")


def import_progress(store: Store, src: Path, now: datetime | None = None) -> TransferResult:
    """Replace all progress with the file's. A backup of the current progress comes first."""
    now = as_utc(now or utc_now())
    rows = read_progress_file(store, src)
    cols = _columns(store)
    made = store.backup_now("pre-import", now)
    try:
        with store.transaction() as con, log_triggers_off(con):
            for table in reversed(TABLE_ORDER):
                con.execute(f"DELETE FROM {table}")
            # the imported history joins the event log (migrate_revlog below)
            con.execute("DELETE FROM events")
            con.execute("DELETE FROM sync_meta WHERE name=?", (LOG_MIGRATED,))
            for table in TABLE_ORDER:
                names = [n for n, _ in cols[table]]
                marks = ", ".join("?" * len(names))
                con.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows[table]
                )
    except StoreError as e:
        raise StoreError(f"{src}: import failed, nothing was changed ({e})") from None
    store.reload_scheduler()
    migrate_revlog(store)
    return TransferResult(src, {t: len(r) for t, r in rows.items()}, made)


@dataclass(frozen=True, slots=True)
class HistoryResult:
    cards: int  # review keys whose answers were logged
    answers: int
    skipped: tuple[str, ...]  # keys that had answers already: left alone
    backup: Path | None


def replay_history(
    store: Store,
    answers: Iterable[tuple[str, int, datetime, int | None]],
    now: datetime | None = None,
) -> HistoryResult:
    """Log answers given elsewhere (key, rating 1-4, time, duration in ms), oldest first, as
    reviews graded here, so FSRS schedules the cards from that history. Keys the store lacks
    are registered; a key that already has answers is skipped, so a second import of the same
    history does not double it. A backup comes first when anything is logged."""
    from studytool.store.repo import deck_of

    now = as_utc(now or utc_now())
    todo = sorted(answers, key=lambda a: as_utc(a[2]))
    counts = store.answer_counts()
    skipped = tuple(sorted({a[0] for a in todo if a[0] in counts}))
    todo = [a for a in todo if a[0] not in counts]
    if not todo:
        return HistoryResult(0, 0, skipped, None)
    made = store.backup_now("pre-history-import", now)
    first: dict[str, datetime] = {}
    for key, _, when, _ in todo:
        first.setdefault(key, as_utc(when))
    with store.transaction() as con:
        con.executemany(
            "INSERT OR IGNORE INTO cards (key, deck, added_ms) VALUES (?, ?, ?)",
            [(k, deck_of(k), to_ms(t)) for k, t in first.items()],
        )
    for key, rating, when, duration_ms in todo:
        store.grade(key, rating, as_utc(when), duration_ms=duration_ms)
    return HistoryResult(len(first), len(todo), skipped, made)

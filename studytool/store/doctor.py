"""`studytool doctor`: orphans and other inconsistencies between the store and the content."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from studytool.store.backup import backups_dir, list_backups
from studytool.store.db import AGGREGATES_REBUILD, SCHEMA_VERSION, execute_script
from studytool.store.files import read_ack
from studytool.store.ranges import state_problem
from studytool.store.replay import check_log
from studytool.store.scheduler import as_utc, from_ms, to_ms, utc_now
from studytool.store.sql import (
    BEFORE_COLS,
    DECK_RETENTION_FROM_LOG,
    REVIEW_QUARTERS_FROM_LOG,
    STATE_COLS,
)
from studytool.store.state import LEARNING_STATES, FsrsState

if TYPE_CHECKING:
    from studytool.content.model import Card
    from studytool.store.repo import Store

ERROR = "error"
WARNING = "warning"
INFO = "info"
_SHOWN = 20  # keys listed per finding in text output


@dataclass(frozen=True, slots=True)
class Finding:
    level: str  # error | warning | info
    code: str
    message: str
    keys: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "keys": list(self.keys),
        }


@dataclass(slots=True)
class DoctorReport:
    path: str
    schema: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors (warnings such as orphans are expected after content edits)."""
        return not any(f.level == ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "schema": self.schema,
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
        }

    def lines(self) -> list[str]:
        out = [f"database: {self.path} (schema v{self.schema})"]
        for f in self.findings:
            out.append(f"{f.level}: {f.message}")
            out += [f"  {k}" for k in f.keys[:_SHOWN]]
            if len(f.keys) > _SHOWN:
                out.append(f"  ... and {len(f.keys) - _SHOWN} more")
        out.append("ok" if self.ok else "problems found")
        return out


def _keys(store: Store, sql: str, params: tuple[Any, ...] = ()) -> tuple[str, ...]:
    return tuple(r[0] for r in store._read(sql, params))


def _aggregates_match(store: Store) -> bool:
    quarters = set(store._read(REVIEW_QUARTERS_FROM_LOG))
    decks = set(store._read(DECK_RETENTION_FROM_LOG))
    return quarters == set(store._read("SELECT quarter, n FROM review_quarters")) and decks == set(
        store._read("SELECT deck, reviews, passed FROM deck_retention WHERE reviews > 0")
    )


def _lost_grades(store: Store) -> Finding | None:
    """The -ack sidecar names the last grade a Store acknowledged; revlog ids are never
    reused, so a database whose id sequence ends before it lost committed grades (a deleted
    or damaged -wal file, or a copy of progress.db made without it)."""
    ack = read_ack(store.path)
    if ack is None:
        return None
    row = store._read("SELECT seq FROM sqlite_sequence WHERE name='revlog'")
    last = int(row[0][0]) if row else 0
    if ack.revlog_id <= last:
        return None
    return Finding(
        ERROR,
        "lost-grades",
        f"grades are missing: review {ack.revlog_id} (at {from_ms(ack.time_ms).isoformat()})"
        f" was saved, but the review log ends at {last}. The {store.path.name}-wal file was"
        " probably deleted or damaged: put it back if you still have it, else restore a backup",
    )


def _out_of_range(store: Store) -> tuple[str, ...]:
    """Cards, or review log lines (the state undo would restore), holding values the
    scheduler cannot use. Missing fields have their own check."""
    found = [
        row[0]
        for row in store._read(f"SELECT key, {STATE_COLS} FROM cards ORDER BY key")
        if state_problem(row[1:], complete=False)
    ]
    found += [
        f"{row[0]} (review {row[1]})"
        for row in store._read(
            f"SELECT c.key, r.id, {BEFORE_COLS} FROM revlog r JOIN cards c ON c.id = r.card_id"
            " ORDER BY r.id"
        )
        if state_problem(row[2:], complete=False)
    ]
    return tuple(found)


def _log_findings(store: Store, now: datetime, add: Callable[[Finding], None]) -> None:
    """The database against the event log it is a cache of."""
    log = check_log(store, now)
    if log.bad_lines:
        n = len(log.bad_lines)
        add(
            Finding(
                WARNING, "log-damaged", f"{n} damaged event-log lines skipped", tuple(log.bad_lines)
            )
        )
    if log.future:
        n = len(log.future)
        add(
            Finding(
                WARNING,
                "log-future",
                f"{n} events are dated more than 5 minutes in the future (a device's clock?)",
                tuple(log.future),
            )
        )
    if log.not_in_log:
        add(
            Finding(
                ERROR,
                "log-missing",
                f"{log.not_in_log} events in the database are missing from the event log"
                f" ({store.log.root})",
            )
        )
    if log.unapplied:
        add(
            Finding(
                WARNING,
                "log-unapplied",
                f"{log.unapplied} event-log lines are not in the database yet; `studytool sync`"
                " or `studytool doctor --rebuild` applies them",
            )
        )
    if log.differ:
        add(
            Finding(
                WARNING,
                "log-mismatch",
                f"{len(log.differ)} cards differ from a replay of their event log;"
                " `studytool doctor --rebuild` rebuilds them from the log",
                tuple(log.differ),
            )
        )
    if log.predictions_differ:
        add(
            Finding(
                WARNING,
                "predictions-mismatch",
                f"the predictions of {len(log.predictions_differ)} cards differ from their event"
                " log; `studytool doctor --rebuild` rebuilds them from the log",
                tuple(log.predictions_differ),
            )
        )


def run_doctor(
    store: Store, cards: Iterable[Card] | None, now: datetime | None = None
) -> DoctorReport:
    """Checks (read-only, except that derived stats aggregates are rebuilt if wrong).
    `cards` (the loaded content) enables the content comparisons."""
    now = as_utc(now or utc_now())
    schema = int(store._read("PRAGMA user_version")[0][0])
    report = DoctorReport(str(store.path), schema)
    add = report.findings.append

    integrity = [r[0] for r in store._read("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        add(Finding(ERROR, "integrity", "integrity check failed: " + "; ".join(integrity[:5])))
    if store._read("PRAGMA foreign_key_check"):
        add(Finding(ERROR, "foreign-keys", "review log lines point at missing cards or sessions"))
    if schema != SCHEMA_VERSION:
        add(Finding(ERROR, "schema", f"schema v{schema}, expected v{SCHEMA_VERSION}"))
    lost = _lost_grades(store)
    if lost:
        add(lost)
    bad = _out_of_range(store)
    if bad:
        add(
            Finding(
                ERROR,
                "out-of-range",
                f"{len(bad)} cards or review log lines hold impossible FSRS values (state,"
                " step, stability, difficulty or a date)",
                bad,
            )
        )

    orphans = store.orphans()
    if orphans:
        add(
            Finding(
                WARNING,
                "orphans",
                f"{len(orphans)} cards are gone from the content; their history is kept and"
                " comes back if they return",
                tuple(f"{k} ({n} reviews)" for k, n in orphans),
            )
        )
    new, review = FsrsState.NEW, FsrsState.REVIEW
    learning = ", ".join(map(str, LEARNING_STATES))
    checks = [
        (
            "missing-fields",
            "reviewed cards without due date, stability or difficulty",
            f"SELECT key FROM cards WHERE state>{new} AND (due_ms IS NULL OR last_review_ms IS NULL"
            " OR stability IS NULL OR difficulty IS NULL)",
        ),
        (
            "new-with-history",
            "cards marked new although the log has reviews for them",
            f"SELECT c.key FROM cards c WHERE c.state={new} AND EXISTS"
            " (SELECT 1 FROM revlog r WHERE r.card_id=c.id AND r.mode='review')",
        ),
        (
            "reviewed-without-history",
            "cards with FSRS state but no review in the log",
            f"SELECT c.key FROM cards c WHERE c.state>{new} AND NOT EXISTS"
            " (SELECT 1 FROM revlog r WHERE r.card_id=c.id AND r.mode='review')",
        ),
        (
            "last-review-mismatch",
            "cards whose last review differs from the newest review in the log",
            f"SELECT c.key FROM cards c WHERE c.state>{new} AND c.last_review_ms IS NOT"
            " (SELECT max(r.time_ms) FROM revlog r WHERE r.card_id=c.id AND r.mode='review')",
        ),
        (
            "bad-step",
            "learning cards without a step, or review cards with one",
            f"SELECT key FROM cards WHERE (state IN ({learning}) AND step IS NULL)"
            f" OR (state={review} AND step IS NOT NULL)",
        ),
    ]
    for code, message, sql in checks:
        keys = _keys(store, sql)
        if keys:
            add(Finding(ERROR, code, f"{len(keys)} {message}", keys))
    if not _aggregates_match(store):
        if store.read_only:
            add(Finding(WARNING, "aggregates", "stats aggregates disagree with the log"))
        else:
            # derived data: rebuilding from the log is always safe
            with store.transaction() as con:
                execute_script(con, AGGREGATES_REBUILD)
            add(Finding(WARNING, "aggregates", "stats aggregates disagreed with the log; rebuilt"))
    future = store._read(
        "SELECT count(*) FROM revlog WHERE time_ms>?", (to_ms(now + timedelta(days=1)),)
    )[0][0]
    if future:
        add(
            Finding(WARNING, "future-reviews", f"{future} reviews are dated in the future (clock?)")
        )

    _log_findings(store, now, add)

    if cards is not None:
        content = {k: c for c in cards for k in c.review_keys()}
        known = dict(store._read("SELECT key, orphaned FROM cards"))
        unsynced = tuple(k for k in content if k not in known)
        if unsynced:
            add(
                Finding(
                    INFO,
                    "unsynced",
                    f"{len(unsynced)} content cards not yet in the store",
                    unsynced,
                )
            )
        back = tuple(k for k, o in known.items() if o and k in content)
        if back:
            add(Finding(INFO, "returning", f"{len(back)} orphans are back in the content", back))
        gone = tuple(k for k, o in known.items() if not o and k not in content)
        if gone:
            add(Finding(WARNING, "unmarked-orphans", f"{len(gone)} cards left the content", gone))
        drafts = set(_keys(store, f"SELECT c.key FROM cards c WHERE c.state>{new}"))
        with_progress = tuple(k for k, c in content.items() if c.draft and k in drafts)
        if with_progress:
            add(
                Finding(
                    INFO,
                    "draft-with-progress",
                    f"{len(with_progress)} draft cards have progress (hidden until published)",
                    with_progress,
                )
            )
    n_backups = len(list_backups(backups_dir(store.path)))
    add(Finding(INFO, "backups", f"{n_backups} backups in {backups_dir(store.path)}"))
    return report

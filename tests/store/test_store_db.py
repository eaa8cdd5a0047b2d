"""The database file: creation, v1 migration, corrupt and truncated files, backups."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from storekit import NOW, make_card, make_deck

from studytool.config import Settings
from studytool.store import backup as backups
from studytool.store.db import DB_NAME, SCHEMA_VERSION
from studytool.store.doctor import run_doctor
from studytool.store.errors import StoreError
from studytool.store.repo import Store
from studytool.store.scheduler import CardState, to_ms

V1_SQL = (Path(__file__).parent / "v1_schema.sql").read_text()


def _db(settings: Settings) -> Path:
    return Path(settings.data_dir) / DB_NAME


def make_v1(path: Path) -> dict[str, FsrsCard]:
    """A v1 database written the way v1 did: fsrs Card JSON plus a bare log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.executescript(V1_SQL)
    sched = Scheduler(enable_fuzzing=False)
    cards: dict[str, FsrsCard] = {}
    plan = {
        "d/a": [Rating.Good, Rating.Good, Rating.Again, Rating.Good],
        "d/b": [],
        "d/c@rev": [Rating.Easy],
        "gone/x": [Rating.Hard],
    }
    for n, (key, ratings) in enumerate(plan.items()):
        card = FsrsCard(card_id=1_700_000_000_000 + n, due=NOW - timedelta(days=50))
        t = NOW - timedelta(days=40, minutes=n)  # v1 ids are review ms: keep them unique
        for r in ratings:
            card, log = sched.review_card(card, r, t)
            con.execute(
                "INSERT INTO revlog VALUES (?, ?, ?, ?)",
                (to_ms(log.review_datetime), key, int(r), 1500),
            )
            t = max(card.due, t + timedelta(minutes=1)) + timedelta(hours=1)
        con.execute(
            "INSERT INTO cards VALUES (?, ?, ?)", (key, card.to_json(), int(key == "gone/x"))
        )
        cards[key] = card
    con.commit()
    con.close()
    return cards


def test_fresh_database_has_the_current_schema(store: Store) -> None:
    assert store._read("PRAGMA user_version") == [(SCHEMA_VERSION,)]
    names = {r[0] for r in store._read("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"cards", "revlog", "sessions", "params"} <= names


def test_v1_database_migrates_forward(settings: Settings) -> None:
    v1 = make_v1(_db(settings))
    with Store.open(settings, now=NOW, tz=UTC) as store:
        assert store._read("PRAGMA user_version") == [(SCHEMA_VERSION,)]
        a = store.card("d/a")
        assert a is not None and a.id == v1["d/a"].card_id
        assert a.state == CardState.from_fsrs(v1["d/a"])
        b = store.card("d/b")
        assert b is not None and b.state.is_new
        gone = store.card("gone/x")
        assert gone is not None and gone.orphaned
        logs = store._read(
            "SELECT rating, mode, duration_ms, state_before, last_review_before_ms FROM revlog"
            " WHERE card_id=? ORDER BY time_ms",
            (a.id,),
        )
        assert [r[0] for r in logs] == [3, 3, 1, 3]
        assert {r[1] for r in logs} == {"review"} and {r[2] for r in logs} == {1500}
        # the state before each review was rebuilt by replaying the log
        assert logs[0][3] == 0 and logs[1][3] == 1 and logs[2][3] == 2 and logs[3][3] == 3
        report = run_doctor(store, [make_card("d", "a"), make_card("d", "b")], NOW)
        assert report.ok, report.lines()
        store.grade("d/a", Rating.Good, NOW)
    # the v1 file was backed up before the migration
    backup = backups.newest_backup(backups.backups_dir(_db(settings)))
    assert backup is not None
    con = sqlite3.connect(backup)
    assert con.execute("PRAGMA user_version").fetchone() == (1,)
    con.close()


def test_newer_schema_is_refused(settings: Settings) -> None:
    path = _db(settings)
    path.parent.mkdir(parents=True)
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version=99")
    con.execute("CREATE TABLE x (y)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(settings, now=NOW, tz=UTC)


def _with_backup(settings: Settings) -> Path:
    """A real database with a daily backup, closed and checkpointed."""
    with Store.open(settings, now=NOW, tz=UTC) as s:
        s.sync(make_deck("d", 200), now=NOW)
        for i in range(50):
            s.grade(f"d/c{i:03d}", Rating.Good, NOW)
    return _db(settings)


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncated", "empty", "header-only", "zeroed-pages", "scribbled-pages"],
)
def test_damaged_files_give_a_clean_error_naming_file_and_backup(
    settings: Settings, damage: str
) -> None:
    path = _with_backup(settings)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "header-only":
        path.write_bytes(data[:60])
    elif damage == "zeroed-pages":  # keep the header, wipe the schema page
        path.write_bytes(data[:100] + b"\x00" * (len(data) - 100))
    else:  # same size, valid header and schema: only the integrity check can tell
        page = 4096
        path.write_bytes(data[: 3 * page] + os.urandom(len(data) - 3 * page))
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        Store.open(settings, now=NOW + timedelta(days=1), tz=UTC)
    msg = str(err.value)
    assert str(path) in msg and "progress-2026-03-02.db" in msg and "\n" not in msg
    assert path.read_bytes() == before  # never recreated or "repaired"


def test_damage_without_backup_says_so(settings: Settings) -> None:
    path = _db(settings)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="no backup found"):
        Store.open(settings, now=NOW, tz=UTC)


def test_not_a_studytool_database(settings: Settings) -> None:
    path = _db(settings)
    path.parent.mkdir(parents=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE other (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a studytool"):
        Store.open(settings, now=NOW, tz=UTC)


def test_daily_backup_once_a_day_keeps_seven(settings: Settings) -> None:
    path = _db(settings)
    for day in range(10):
        with Store.open(settings, now=NOW + timedelta(days=day), tz=UTC) as s:
            assert s.backup is not None
            s.sync([make_card("d", f"c{day}")], now=NOW)
        with Store.open(settings, now=NOW + timedelta(days=day, hours=1), tz=UTC) as s:
            assert s.backup is None  # already made today
    names = [p.name for p in backups.list_backups(backups.backups_dir(path))]
    assert len(names) == 7
    assert names[-1] == "progress-2026-03-11.db" and "progress-2026-03-04.db" not in names
    # a backup is a complete, consistent database
    con = sqlite3.connect(backups.backups_dir(path) / "progress-2026-03-11.db")
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT count(*) FROM cards").fetchone() == (9,)
    con.close()


def test_event_backups_do_not_push_out_daily_ones(store: Store) -> None:
    for i in range(9):
        store.backup_now("pre-import", NOW + timedelta(seconds=i))
    names = [p.name for p in backups.list_backups(backups.backups_dir(store.path))]
    assert "progress-2026-03-02.db" in names
    assert sum("pre-import" in n for n in names) == 7


def test_doctor_reports_inconsistencies(store: Store) -> None:
    cards = make_deck("d", 3)
    store.sync([*cards, make_card("d", "gone")], now=NOW)
    store.grade("d/gone", Rating.Good, NOW)
    store.grade("d/c000", Rating.Good, NOW)
    store.sync(cards, now=NOW)
    report = run_doctor(store, cards, NOW)
    codes = {f.code for f in report.findings}
    assert "orphans" in codes and report.ok
    with store.transaction() as con:
        con.execute("UPDATE cards SET state=0 WHERE key='d/c000'")
    report = run_doctor(store, cards, NOW)
    assert not report.ok
    assert "new-with-history" in {f.code for f in report.findings}
    assert any("d/gone (1 reviews)" in line for line in report.lines())


def test_unwritable_data_dir_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot create"):
        Store.open(Settings(data_dir=blocker / "data"), now=NOW, tz=UTC)


def test_new_database_is_created_in_wal_mode(settings: Settings) -> None:
    Store.open(settings, now=NOW, tz=UTC).close()
    con = sqlite3.connect(_db(settings))
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    con.close()

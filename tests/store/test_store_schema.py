"""Schema v3 (the quiz tables as a migration), the state enum, the error translator and the
light package import."""

from __future__ import annotations

import importlib
import sqlite3
import subprocess
import sys
from datetime import UTC, timedelta
from pathlib import Path

import fsrs
import pytest
from storekit import NOW, make_card

from studytool.config import Settings
from studytool.store import backup as backups
from studytool.store import quizlog
from studytool.store.db import DB_NAME, QUIZ_SCHEMA, QUIZ_TABLES, SCHEMA_VERSION, sqlite_errors
from studytool.store.doctor import run_doctor
from studytool.store.errors import StoreError
from studytool.store.replay import quiz_row_id
from studytool.store.repo import Store
from studytool.store.scheduler import CardState, Rating, to_ms
from studytool.store.state import FsrsState

V2_SQL = (Path(__file__).parent / "v2_schema.sql").read_text()
T = to_ms(NOW - timedelta(days=2))


def _db(settings: Settings) -> Path:
    return Path(settings.data_dir) / DB_NAME


def make_v2(path: Path, *, quizzes: bool) -> None:
    """A v2 database: one card reviewed once (Easy: straight to Review), one new. With
    `quizzes`, the quiz tables as v2's quiz log created them on its first write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.executescript(V2_SQL)
    con.execute(
        "INSERT INTO cards (id, key, deck, state, step, stability, difficulty, due_ms,"
        " last_review_ms, added_ms) VALUES (1, 'd/a', 'd', 2, NULL, 8.3, 1.0, ?, ?, ?),"
        " (2, 'd/b', 'd', 0, NULL, NULL, NULL, NULL, NULL, ?)",
        (T + 8 * 86_400_000, T, T - 1000, T - 1000),
    )
    con.execute(
        "INSERT INTO sessions VALUES (1, ?, ?, 'review', '{\"decks\": [], \"tags\": []}')",
        (T, T + 5000),
    )
    con.execute(
        "INSERT INTO revlog (card_id, time_ms, rating, mode, duration_ms, sched, session_id,"
        " state_before) VALUES (1, ?, 4, 'review', 2100, 'fsrs-6.3.2/default', 1, 0)",
        (T,),
    )
    if quizzes:
        con.executescript(QUIZ_SCHEMA)
        con.execute(
            "INSERT INTO quizzes VALUES (1, ?, 60000, '[\"d\"]', '[]', '{}', 2, 2, 1.0, NULL)",
            (T,),
        )
        con.execute("INSERT INTO quiz_questions VALUES (1, 0, 'd/b', 'typed', 0.0, 900, 'x', 'y')")
        con.execute("INSERT INTO quiz_flags VALUES ('d/b', ?, 1)", (T,))
    con.commit()
    con.close()


def _schema(con: sqlite3.Connection) -> set[tuple[str, str, str]]:
    rows = con.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    return {(kind, name, " ".join(sql.split())) for kind, name, sql in rows}


def test_fresh_database_is_v5_with_the_quiz_tables(store: Store) -> None:
    assert SCHEMA_VERSION == 5  # v5: the demo predictions
    assert store._read("PRAGMA user_version") == [(5,)]
    names = {r[0] for r in store._read("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(QUIZ_TABLES) <= names


@pytest.mark.parametrize("quizzes", [False, True], ids=["no-quiz-tables", "quiz-tables"])
def test_v2_database_migrates_to_v5(settings: Settings, tmp_path: Path, quizzes: bool) -> None:
    path = _db(settings)
    make_v2(path, quizzes=quizzes)
    with Store.open(settings, now=NOW, tz=UTC) as store:
        assert store._read("PRAGMA user_version") == [(5,)]
        a = store.card("d/a")
        assert a is not None
        assert a.state == CardState(FsrsState.REVIEW, None, 8.3, 1.0, T + 8 * 86_400_000, T)
        assert isinstance(a.state.state, FsrsState)
        assert store.card("d/b") is not None and store.card("d/b").state.is_new  # type: ignore[union-attr]
        report = run_doctor(store, [make_card("d", "a"), make_card("d", "b")], NOW)
        assert report.ok, report.lines()
        # v2's quiz history is kept (moved into the event log, its id now the hash of its
        # event's); without it the tables start empty, and both work on
        kept = quizlog.history(store)
        assert len(kept) == (1 if quizzes else 0)
        ids = [quiz_row_id(str(e["id"])) for e in quiz_events(store)]
        assert [q.id for q in kept] == ids
        assert quizlog.flagged_keys(store, NOW) == (["d/b"] if quizzes else [])
        quizlog.flag(store, ["d/a"], NOW)
        assert quizlog.flagged_keys(store, NOW)[-1] == "d/a"
        store.grade("d/b", Rating.Good, NOW)
    # the migrated file has exactly the schema of a fresh one
    fresh = Store.open(Settings(data_dir=tmp_path / "fresh"), now=NOW, tz=UTC)
    fresh.close()
    a_con = sqlite3.connect(path)
    b_con = sqlite3.connect(fresh.path)
    assert _schema(a_con) == _schema(b_con)
    a_con.close()
    b_con.close()
    # the v2 file was backed up before the migration
    backup = backups.newest_backup(backups.backups_dir(path))
    assert backup is not None
    con = sqlite3.connect(backup)
    assert con.execute("PRAGMA user_version").fetchone() == (2,)
    con.close()


def test_fsrs_state_matches_fsrs() -> None:
    assert {s.name.upper(): int(s) for s in fsrs.State} == {
        s.name: int(s) for s in FsrsState if s is not FsrsState.NEW
    }
    assert FsrsState.NEW == 0 and FsrsState.RELEARNING.label == "relearning"
    assert CardState.from_fsrs(fsrs.Card(card_id=1)).state is FsrsState.LEARNING


@pytest.mark.parametrize(
    ("error", "opening", "expected"),
    [
        (sqlite3.OperationalError("database is locked"), False, "still locked by another"),
        (sqlite3.OperationalError("no such table: x"), False, ": no such table: x$"),
        (sqlite3.OperationalError("disk I/O error"), True, "cannot read .*no backup found"),
        (sqlite3.IntegrityError("CHECK constraint failed"), False, ": CHECK constraint failed$"),
        (sqlite3.DatabaseError("file is not a database"), False, "corrupt .*no backup found"),
    ],
)
def test_sqlite_errors_become_one_line_store_errors(
    tmp_path: Path, error: sqlite3.Error, opening: bool, expected: str
) -> None:
    path = tmp_path / DB_NAME
    with pytest.raises(StoreError, match=expected) as err, sqlite_errors(path, opening=opening):
        raise error
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_store_errors_pass_through_the_translator(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"^mine$"), sqlite_errors(tmp_path):
        raise StoreError("mine")


def test_importing_the_errors_module_loads_no_store_and_no_fsrs() -> None:
    code = (
        "import sys, studytool.store.errors, studytool.store.state\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('fsrs', 'studytool.store.')))\n"
        "print(loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['studytool.store.errors', 'studytool.store.state']"


def test_the_package_names_load_on_first_use() -> None:
    importlib.import_module("studytool.store.optimize")  # a submodule must not hide a name
    package = importlib.import_module("studytool.store")
    for name in package.__all__:
        assert getattr(package, name).__name__ == name
    from studytool.store import Store as Lazy

    assert Lazy is Store
    with pytest.raises(AttributeError, match="no attribute 'read'"):
        _ = package.read


def quiz_events(store: Store) -> list[dict[str, object]]:
    return [e for e in store.log.read().sorted() if e["type"] == "quiz"]

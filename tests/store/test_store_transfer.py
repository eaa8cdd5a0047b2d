"""Progress export/import: exact round trip, validation, backup before replacing."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from storekit import NOW, make_card, make_deck, make_settings

from studytool.config import Settings
from studytool.store.errors import StoreError
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import Rating
from studytool.store.transfer import export_progress, import_progress


def _fill(store: Store) -> None:
    cards = [*make_deck("d", 10), make_card("e", "r", reversed_=True)]
    store.sync([*cards, make_card("d", "gone")], now=NOW)
    sid = store.start_session(Mode.REVIEW, NOW, decks=["d"])
    t = NOW - timedelta(days=30)
    for i, key in enumerate(["d/c000", "d/c001", "e/r", "e/r@rev", "d/gone"]):
        for k in range(4):
            rating = [Rating.Good, Rating.Again, Rating.Hard, Rating.Easy][(i + k) % 4]
            store.grade(
                key,
                rating,
                t + timedelta(days=5 * k, minutes=i),
                duration_ms=1234 + k,
                session_id=sid,
            )
    store.grade("d/c002", Rating.Again, NOW, mode=Mode.CRAM)
    store.end_session(sid, NOW)
    store.bury("d/c003", NOW)
    store.suspend("d/c004")
    store.sync(cards, now=NOW)  # d/gone becomes an orphan
    with store.transaction() as con:  # personal parameters, as optimize would save them
        con.execute(
            "INSERT INTO params (created_ms, parameters, reviews, fsrs_version, active)"
            " VALUES (1, ?, 600, '6.3.2', 0)",
            (json.dumps([0.1] * 21),),
        )


def _dump(store: Store) -> dict[str, list[tuple]]:
    return {
        t: store._read(f"SELECT * FROM {t} ORDER BY rowid")
        for t in ("cards", "revlog", "sessions", "params")
    }


def test_round_trip_is_exact(store: Store, tmp_path: Path) -> None:
    _fill(store)
    out = tmp_path / "progress.json"
    res = export_progress(store, out, NOW)
    assert res.counts["revlog"] == 21 and res.counts["cards"] == 13
    with Store.open(make_settings(tmp_path / "other"), now=NOW, tz=UTC) as other:
        imported = import_progress(other, out, NOW)
        assert imported.counts == res.counts and imported.backup is not None
        assert _dump(other) == _dump(store)
        # derived stats aggregates are not exported: the triggers rebuilt them on import
        for table in ("review_quarters", "deck_retention"):
            sql = f"SELECT * FROM {table} ORDER BY 1"
            assert other._read(sql) == store._read(sql) != []
        out2 = tmp_path / "again.json"
        export_progress(other, out2, NOW)
        assert out2.read_text() == out.read_text()
        # the imported store schedules like the original
        assert other.preview("d/c000", NOW) == store.preview("d/c000", NOW)


def test_import_replaces_after_backup(store: Store, tmp_path: Path) -> None:
    _fill(store)
    empty = tmp_path / "empty.json"
    with Store.open(make_settings(tmp_path / "blank"), now=NOW, tz=UTC) as blank:
        export_progress(blank, empty, NOW)
    res = import_progress(store, empty, NOW)
    assert store._read("SELECT count(*) FROM revlog") == [(0,)]
    assert res.backup is not None and res.backup.exists()
    # the backup still has everything
    import sqlite3

    con = sqlite3.connect(res.backup)
    assert con.execute("SELECT count(*) FROM revlog").fetchone() == (21,)
    con.close()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("not json", "not a JSON"),
        ("[]", "not a studytool"),
        ('{"format": "studytool-progress", "version": 9, "schema": 2}', "not supported"),
    ],
)
def test_bad_files_are_refused(store: Store, tmp_path: Path, content: str, match: str) -> None:
    f = tmp_path / "bad.json"
    f.write_text(content)
    with pytest.raises(StoreError, match=match):
        import_progress(store, f, NOW)


def test_a_schema_2_export_still_imports(store: Store, tmp_path: Path) -> None:
    """v3, v4 and v5 only added tables that exports leave out, so files written by v2 read the
    same."""
    _fill(store)
    out = tmp_path / "p.json"
    export_progress(store, out, NOW)
    before = _dump(store)
    data = json.loads(out.read_text())
    assert data["schema"] == 5
    data["schema"] = 2
    out.write_text(json.dumps(data))
    with Store.open(make_settings(tmp_path / "other"), now=NOW, tz=UTC) as other:
        import_progress(other, out, NOW)
        assert _dump(other) == before
    data["schema"] = 1
    out.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="not supported"):
        import_progress(store, out, NOW)


def test_bad_values_change_nothing(store: Store, tmp_path: Path) -> None:
    _fill(store)
    out = tmp_path / "p.json"
    export_progress(store, out, NOW)
    before = _dump(store)
    data = json.loads(out.read_text())
    data["tables"]["revlog"]["rows"][0][3] = 9  # rating 9 breaks a CHECK constraint
    out.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="nothing was changed"):
        import_progress(store, out, NOW)
    data["tables"]["revlog"]["rows"][0][3] = "3"  # wrong type
    out.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="cannot be"):
        import_progress(store, out, NOW)
    assert _dump(store) == before


def test_missing_file(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot read"):
        import_progress(store, tmp_path / "nope.json", NOW)


def test_import_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    with Store.open(Settings(data_dir=tmp_path / "data")) as s, pytest.raises(StoreError) as e:
        import_progress(s, fifo)
    assert "not a regular file" in str(e.value) or "pipe" in str(e.value)

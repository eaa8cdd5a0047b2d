"""Out-of-range FSRS values (issue 16, break 15): refused by `progress import` with the card
named, reported by `doctor` in an existing database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from storekit import NOW, make_deck

from studytool.store.doctor import run_doctor
from studytool.store.errors import StoreError
from studytool.store.repo import Store
from studytool.store.scheduler import Rating
from studytool.store.transfer import export_progress, import_progress

# (column, bad value, words the message must contain)
BAD_CARD_VALUES: list[tuple[str, Any, str]] = [
    ("stability", 0.0, "stability must be a number > 0"),
    ("stability", -3.5, "stability must be a number > 0"),
    ("difficulty", 11.0, "difficulty must be a number from 1 to 10"),
    ("due_ms", 2**62, "due must be a time"),
    ("last_review_ms", -1, "last review must be a time"),
    ("step", -1, "step must be a whole number"),
    ("state", 7, "state must be 0 (new) to 3"),
]


def _graded(store: Store) -> None:
    store.sync(make_deck("d", 3), now=NOW)
    store.grade("d/c001", Rating.Again, NOW)  # learning: has a step


def _export_with(store: Store, tmp_path: Path, column: str, value: Any) -> Path:
    out = tmp_path / "p.json"
    export_progress(store, out, NOW)
    data = json.loads(out.read_text())
    cards = data["tables"]["cards"]
    i = cards["columns"].index(column)
    for row in cards["rows"]:
        if row[1] == "d/c001":
            row[i] = value
    out.write_text(json.dumps(data))
    return out


@pytest.mark.parametrize(("column", "value", "words"), BAD_CARD_VALUES)
def test_import_refuses_out_of_range_values_naming_the_card(
    store: Store, tmp_path: Path, column: str, value: Any, words: str
) -> None:
    _graded(store)
    before = store.records()
    src = _export_with(store, tmp_path, column, value)
    with pytest.raises(StoreError) as err:
        import_progress(store, src, NOW)
    msg = str(err.value)
    assert "card 'd/c001'" in msg and words in msg and "\n" not in msg
    assert store.records() == before


def test_import_refuses_nan_and_a_bad_state_before_a_review(store: Store, tmp_path: Path) -> None:
    _graded(store)
    src = _export_with(store, tmp_path, "stability", float("nan"))  # json writes NaN
    with pytest.raises(StoreError, match="stability cannot be nan"):
        import_progress(store, src, NOW)
    out = tmp_path / "p.json"
    export_progress(store, out, NOW)
    data = json.loads(out.read_text())
    log = data["tables"]["revlog"]
    log["rows"][0][log["columns"].index("state_before")] = 9
    out.write_text(json.dumps(data))
    with pytest.raises(StoreError, match=r"review 1 of card 'd/c001': the state before it"):
        import_progress(store, out, NOW)


def test_import_refuses_a_reviewed_card_without_its_fields(store: Store, tmp_path: Path) -> None:
    _graded(store)
    src = _export_with(store, tmp_path, "due_ms", None)
    with pytest.raises(StoreError, match=r"card 'd/c001': a reviewed card needs due"):
        import_progress(store, src, NOW)


@pytest.mark.parametrize(("column", "value", "words"), BAD_CARD_VALUES[:-1])
def test_doctor_flags_out_of_range_values(
    store: Store, column: str, value: Any, words: str
) -> None:
    _graded(store)
    assert run_doctor(store, None, NOW).ok
    with store.transaction() as con:
        con.execute(f"UPDATE cards SET {column}=? WHERE key='d/c001'", (value,))
    report = run_doctor(store, None, NOW)
    assert not report.ok
    found = [f for f in report.findings if f.code == "out-of-range"]
    assert found and found[0].keys == ("d/c001",), report.lines()

"""Anki's own Python library (`pip install anki`) imports the bilingual package we write."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import genanki
import pytest

from studytool.content.library import load_library
from studytool.exchange.anki import BILINGUAL, export_anki
from tests.exchange.test_exchange_anki import sample_deck

collection = pytest.importorskip(
    "anki.collection", reason="Anki's Python library is not installed (pip install anki)"
)
from anki.import_export_pb2 import ImportAnkiPackageOptions  # noqa: E402


def import_into(apkg: Path, col: Any) -> None:
    options = ImportAnkiPackageOptions(with_scheduling=False, merge_notetypes=True)
    col.import_anki_package(
        collection.ImportAnkiPackageRequest(package_path=str(apkg), options=options)
    )


@pytest.fixture
def col(tmp_path: Path) -> Any:
    (tmp_path / "anki").mkdir()
    c = collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield c
    c.close()


def note_of(col: Any, full_id: str) -> Any:
    # a genanki GUID may hold search syntax (":", "*"): look it up, not search for it
    by_guid = {note.guid: note for note in map(col.get_note, col.find_notes(""))}
    return by_guid[genanki.guid_for(full_id)]


def test_anki_reads_both_languages_and_cloze(col: Any, tmp_path: Path) -> None:
    apkg = tmp_path / "opt.apkg"
    result = export_anki([sample_deck()], apkg, "both")
    import_into(apkg, col)

    assert col.note_count() == result.total == 10
    assert col.card_count() == result.cards == 12  # reversed 2, cloze c1+c2 2, 8 others
    basic = note_of(col, "opt/basic")
    assert basic.note_type()["name"] == BILINGUAL["basic"]
    assert (basic["Front_en"], basic["Front_ko"]) == ("What is SGD?", "SGD란?")
    assert basic["Back_ko"] == "gradient 반대 방향으로 이동"
    assert r"\[W_{t+1} = W_t - \eta g_t\]" in basic["Formula"]
    assert basic["Explain_ko"].endswith("이유")
    assert set(basic.tags) == {"sgd", "first_tag", "optim"}

    cloze = note_of(col, "opt/cloze")
    assert cloze.note_type()["type"] == 1  # Anki's cloze kind
    assert cloze["Text_ko"] == "{{c1::Adam}}은 {{c2::moment}}"
    cards = sorted(cloze.cards(), key=lambda c: c.ord)
    assert [c.ord for c in cards] == [0, 1]
    question = cards[0].question()
    en, ko = (
        re.sub("<[^>]+>", "", re.search(rf"<div class=st-{x}>(.*?)</div>", question)[1])
        for x in ("en", "ko")
    )
    assert "Adam" not in en and "[...]" in en and "moments" in en  # c1 hidden, c2 shown
    assert "Adam" not in ko and "[...]" in ko and "moment" in ko
    assert "studytoolLang" in question  # the tap-to-switch script

    tf = note_of(col, "opt/tf")
    assert tf.note_type()["name"] == BILINGUAL["quiz"]
    assert (tf["Back_en"], tf["Back_ko"]) == ("False", "거짓 (X)")
    mcq = note_of(col, "opt/mcq")
    assert "<li>Adam</li>" in mcq["Front_ko"] and mcq["Back_en"] == "2. Adam"
    assert len(note_of(col, "opt/rev").cards()) == 2


def test_second_export_updates_not_duplicates(col: Any, tmp_path: Path) -> None:
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    export_anki([sample_deck()], first, "both")
    import_into(first, col)
    guids = sorted(col.get_note(n).guid for n in col.find_notes(""))
    export_anki([sample_deck()], second, "both")
    import_into(second, col)
    assert sorted(col.get_note(n).guid for n in col.find_notes("")) == guids
    assert col.note_count() == 10


def test_shipped_decks_nearly_all_bilingual(col: Any, tmp_path: Path) -> None:
    decks = load_library().decks
    cards = [c for d in decks for c in d.cards if not c.draft]
    apkg = tmp_path / "all.apkg"
    result = export_anki(decks, apkg, "both")
    import_into(apkg, col)
    notes = [col.get_note(n) for n in col.find_notes("")]
    assert len(notes) == result.total >= 0.95 * len(cards)
    korean = [n for n in notes if any(v.strip() for k, v in n.items() if k.endswith("_ko"))]
    assert len(korean) >= 0.95 * len(notes)
    assert any(n.note_type()["type"] == 1 for n in notes)

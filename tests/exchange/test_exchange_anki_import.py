"""Anki package import: our own exports read back, and packages made by Anki's own library
(modern zstd `collection.anki21b` and legacy) with review history that scheduling continues."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import genanki
import pytest
from typer.testing import CliRunner

from studytool.cli import app as main_app
from studytool.cli.common import CliState
from studytool.config import Settings
from studytool.content.model import REVERSE_SUFFIX, CardType, Text
from studytool.exchange.anki import export_anki, stable_id
from studytool.exchange.anki_import import field_text, read_apkg
from studytool.exchange.textio import ExchangeError
from studytool.store.repo import Store
from studytool.store.transfer import replay_history
from tests.exchange.test_exchange_anki import sample_deck

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def by_prompt(cards: Any, first_line: str) -> Any:
    (card,) = [c for c in cards if c.prompt.en.split("\n")[0] == first_line]
    return card


def test_field_text() -> None:
    assert field_text(r"loss \(L = \frac{1}{n}\)<br>and \[x^2\]") == (
        "loss $L = \\frac{1}{n}$\nand $$x^2$$"
    )
    assert field_text("[latex]a &lt; b[/latex]&nbsp;<b>bold</b>") == "$a < b$ bold"
    assert field_text('<div>pic</div><img src="cat.jpg"> [sound:hi.mp3]') == (
        "pic\n[image: cat.jpg] [sound: hi.mp3]"
    )
    assert field_text("<ul><li>one</li><li>two</li></ul>") == "- one\n- two"


def test_our_bilingual_export_reads_back(tmp_path: Path) -> None:
    apkg = tmp_path / "opt.apkg"
    export_anki([sample_deck()], apkg, "both")
    result = read_apkg(apkg, "back")
    assert result.format == "collection.anki2"
    assert dict(result.counts) == {"basic": 8, "reversed": 1, "cloze": 1}  # quiz cards are basic
    assert not result.unknown and not result.reviews
    cards = result.deck.cards
    assert all(c.draft and c.deck == "back" for c in cards)
    basic = by_prompt(cards, "What is SGD?")
    assert (basic.type, basic.prompt, basic.back) == (
        CardType.BASIC,
        Text("What is SGD?", "SGD란?"),
        Text("Step against the gradient", "gradient 반대 방향으로 이동"),
    )
    assert basic.formula == r"W_{t+1} = W_t - \eta g_t"
    assert basic.explain == Text("why <b>", "이유")
    assert basic.tags == ("sgd", "first_tag", "optim")
    assert by_prompt(cards, "Adam").type is CardType.REVERSED
    # one card per Anki cloze card, each asking only its own number
    c1, c2 = sorted((c for c in cards if c.type is CardType.CLOZE), key=lambda c: c.id)
    assert c1.id.endswith("-c1") and c2.id.endswith("-c2")
    assert c1.prompt == Text("{{c1::Adam}} uses moments of $g_t$", "{{c1::Adam}}은 moment")
    assert c2.prompt.ko == "Adam은 {{c2::moment}}"
    assert c1.back == Text("extra", "추가")
    mcq = by_prompt(cards, "Which uses momentum?")
    assert mcq.prompt.en == "Which uses momentum?\n- SGD\n- Adam"
    assert mcq.back == Text.plain("2. Adam")  # the same in both languages: one text
    # ids are stable: importing the same package again gives the same cards
    assert [c.id for c in read_apkg(apkg, "back").deck.cards] == [c.id for c in cards]


def test_unknown_note_types_are_reported(tmp_path: Path) -> None:
    three = genanki.Model(
        stable_id("three"),
        "Three ways",
        fields=[{"name": n} for n in ("A", "B", "C")],
        templates=[
            {"name": f"Card {i}", "qfmt": "{{" + n + "}}", "afmt": "{{FrontSide}}"}
            for i, n in enumerate("ABC")
        ],
    )
    deck = genanki.Deck(stable_id("d"), "d")
    deck.add_note(genanki.Note(model=three, fields=["a", "b", "c"]))
    deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=["front", "back"]))
    apkg = tmp_path / "mixed.apkg"
    genanki.Package(deck).write_to_file(str(apkg))
    result = read_apkg(apkg, "mixed")
    assert dict(result.unknown) == {"Three ways": 1}
    assert [(c.prompt.en, c.back.en) for c in result.deck.cards] == [("front", "back")]


def test_bad_packages(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match="does not exist"):
        read_apkg(tmp_path / "none.apkg", "x")
    (tmp_path / "not.apkg").write_text("hello")
    with pytest.raises(ExchangeError, match="not a readable Anki package"):
        read_apkg(tmp_path / "not.apkg", "x")
    with zipfile.ZipFile(tmp_path / "empty.apkg", "w") as z:
        z.writestr("media", "{}")
    with pytest.raises(ExchangeError, match="no collection inside"):
        read_apkg(tmp_path / "empty.apkg", "x")
    with pytest.raises(ExchangeError, match="not a valid deck id"):
        read_apkg(tmp_path / "empty.apkg", "Bad Id")


# ---- packages made by Anki's own library -----------------------------------------------------


@pytest.fixture
def anki_package(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Basic, reversed and cloze notes and one of an unknown type, with a review history:
    the basic card Good x3 over ten days, the cloze c1 card Good then Again."""
    collection = pytest.importorskip(
        "anki.collection", reason="Anki's Python library is not installed (pip install anki)"
    )
    from anki.import_export_pb2 import ExportAnkiPackageOptions

    (tmp_path / "anki").mkdir()
    col = collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    deck_id = col.decks.id("Physics")

    def add(model: str, **fields: str) -> Any:
        note = col.new_note(col.models.by_name(model))
        for name, value in fields.items():
            note[name] = value
        col.add_note(note, deck_id)
        return note

    basic = add("Basic", Front="What is <b>momentum</b>?", Back=r"\(p = mv\)")
    add("Basic (and reversed card)", Front="force", Back="Kraft")
    add("Basic (optional reversed card)", Front="mass", Back="Masse")  # no reverse asked
    cloze = add("Cloze", Text="{{c1::Newton}} wrote {{c2::Principia}}", **{"Back Extra": "1687"})
    edited = add("Cloze", Text="{{c1::Kepler}} and {{c2::Brahe}}")
    edited["Text"] = "{{c1::Kepler}} and Brahe"  # Anki keeps the c2 card, now empty
    col.update_note(edited)
    assert len(edited.cards()) == 2
    add(
        "Image Occlusion",
        Occlusion="{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.2}}",
        Image='<img src="atom.png">',
    )
    rows = [
        (T0, basic.cards()[0].id, 3),
        (T0 + timedelta(days=2), basic.cards()[0].id, 3),
        (T0 + timedelta(days=10), basic.cards()[0].id, 3),
        (T0 + timedelta(minutes=1), cloze.cards()[0].id, 3),
        (T0 + timedelta(days=3), cloze.cards()[0].id, 1),
        (T0 + timedelta(days=3, minutes=1), cloze.cards()[0].id, 0),  # a manual reschedule
    ]
    for when, cid, ease in rows:
        col.db.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (?, ?, -1, ?, 1, 0, 2500, 6000, ?)",
            int(when.timestamp() * 1000),
            cid,
            ease,
            4 if ease == 0 else 1,
        )
    out = tmp_path / "physics.apkg"
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=request.param)
    col.export_anki_package(out_path=str(out), options=options, limit=None)
    col.close()
    with zipfile.ZipFile(out) as z:
        assert ("collection.anki21b" in z.namelist()) is not request.param
    yield out


@pytest.mark.parametrize("anki_package", [False, True], ids=["anki21b", "legacy"], indirect=True)
def test_anki_package_with_history(anki_package: Path, tmp_path: Path) -> None:
    result = read_apkg(anki_package, "physics")
    with zipfile.ZipFile(anki_package) as z:
        modern = "collection.anki21b" in z.namelist()
    assert result.format == ("collection.anki21b" if modern else "collection.anki21")
    assert dict(result.counts) == {"basic": 2, "reversed": 1, "cloze": 2}
    assert dict(result.unknown) == {"Image Occlusion": 1}
    cards = result.deck.cards
    basic = by_prompt(cards, "What is momentum?")
    assert basic.back == Text.plain("$p = mv$")
    assert by_prompt(cards, "force").type is CardType.REVERSED
    assert by_prompt(cards, "mass").type is CardType.BASIC
    c1 = by_prompt(cards, "{{c1::Newton}} wrote Principia")
    assert c1.back == Text.plain("1687")
    kepler = by_prompt(cards, "{{c1::Kepler}} and Brahe")  # one card: c2 has no text left
    assert not kepler.id.endswith("-c1")
    assert len(cards) == 6  # two basic, reversed, cloze c1 and c2, the edited cloze

    assert [(r.key, r.rating) for r in result.reviews] == [
        (basic.full_id, 3),
        (c1.full_id, 3),
        (basic.full_id, 3),
        (c1.full_id, 1),
        (basic.full_id, 3),
    ]
    assert result.reviews[0].time == T0 and result.reviews[0].duration_ms == 6000

    settings = Settings(content_dirs=(), data_dir=tmp_path / "data")
    with Store.open(settings, now=T0, tz=UTC) as store:
        done = replay_history(
            store, [(r.key, r.rating, r.time, r.duration_ms) for r in result.reviews]
        )
        assert (done.cards, done.answers, done.skipped) == (2, 5, ())
        b, c = store.card(basic.full_id), store.card(c1.full_id)
        assert b is not None and c is not None
        assert b.state.last_review == T0 + timedelta(days=10)
        assert c.state.last_review == T0 + timedelta(days=3)
        # three Goods push the basic card far out; a lapse brings the cloze back within a day
        assert b.state.due is not None and c.state.due is not None
        assert b.state.due - b.state.last_review > timedelta(days=5)
        assert c.state.due - c.state.last_review < timedelta(days=1)
        assert store.answer_counts() == {basic.full_id: (3, 0), c1.full_id: (2, 1)}
        # importing the same history again does not double it
        again = replay_history(store, [(r.key, r.rating, r.time, None) for r in result.reviews])
        assert (again.answers, again.skipped) == (0, tuple(sorted((basic.full_id, c1.full_id))))
        assert store.card(basic.full_id + REVERSE_SUFFIX) is None


@pytest.mark.parametrize("anki_package", [False], indirect=True)
def test_import_anki_command(anki_package: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    settings = Settings(content_dirs=(content,), data_dir=tmp_path / "data")
    result = CliRunner().invoke(
        main_app,
        ["import-anki", str(anki_package), "--with-history"],
        obj=CliState(settings=settings),
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"wrote 6 draft cards to {content / 'physics.yaml'}" in out
    assert "basic 2 · reversed 1 · cloze 2 notes" in out
    assert "left out 1 notes of unknown types: Image Occlusion (1)" in out
    assert "logged 5 Anki answers on 2 card(s)" in out
    assert "draft: true" in (content / "physics.yaml").read_text(encoding="utf-8")

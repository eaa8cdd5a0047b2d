"""Anki export: the .apkg is a zip holding an SQLite collection; check its notes and models."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import genanki
import pytest

from studytool.content.model import Card, CardType, Deck, Errata, GenVar, Text
from studytool.exchange.anki import BASIC, BILINGUAL, CLOZE, REVERSED, export_anki, stable_id
from studytool.exchange.textio import ExchangeError

T = Text


def sample_deck() -> Deck:
    cards = (
        Card(
            "opt",
            "basic",
            CardType.BASIC,
            T("What is SGD?", "SGD란?"),
            back=T("Step against the gradient", "gradient 반대 방향으로 이동"),
            formula=r"W_{t+1} = W_t - \eta g_t",
            explain=T("why <b>", "이유"),
            tags=("sgd", "first tag"),
        ),
        Card(
            "opt",
            "rev",
            CardType.REVERSED,
            T("Adam", "Adam"),
            back=T("RMSprop + momentum", "둘의 결합"),
        ),
        Card(
            "opt",
            "cloze",
            CardType.CLOZE,
            T("{{c1::Adam}} uses {{c2::moments}} of $g_t$", "{{c1::Adam}}은 {{c2::moment}}"),
            back=T("extra", "추가"),
        ),
        Card(
            "opt",
            "mcq",
            CardType.MCQ,
            T("Which uses momentum?", "momentum을 쓰는 것은?"),
            choices=(T.plain("SGD"), T.plain("Adam")),
            answer_index=1,
        ),
        Card(
            "opt",
            "multi",
            CardType.MULTI,
            T("Adaptive ones?", "적응형?"),
            choices=(T.plain("Adagrad"), T.plain("SGD"), T.plain("Adam")),
            answer_indices=(0, 2),
        ),
        Card(
            "opt",
            "tf",
            CardType.TRUEFALSE,
            T("Adam has no learning rate.", "Adam에는 학습률이 없다."),
            answer_bool=False,
            errata=Errata("Adam has no lr", T("It has one.", "있다."), "Kingma & Ba"),
        ),
        Card(
            "opt",
            "typed",
            CardType.TYPED,
            T("Optimizer with moments?", "moment 쓰는 optimizer?"),
            answers=(T.plain("Adam"), T.plain("AdamW")),
        ),
        Card("opt", "num", CardType.NUMERIC, T("Default beta1?", "beta1 기본값?"), number=0.9),
        Card(
            "opt",
            "gen",
            CardType.NUMERIC,
            T("Params of {k}x{k} conv?", "{k}x{k} conv의 parameter?"),
            compute="k*k",
            variables=(GenVar("k", values=(3,)),),
            unit="weights",
        ),
        Card(
            "opt",
            "order",
            CardType.ORDER,
            T("Order by year", "연도순"),
            items=(T.plain("SGD"), T.plain("Adagrad"), T.plain("Adam")),
        ),
        Card(
            "opt",
            "draft",
            CardType.BASIC,
            T.plain("draft"),
            back=T.plain("not exported"),
            draft=True,
        ),
    )
    return Deck(
        "opt", T("Optimizers", "옵티마이저"), Path("opt.yaml"), tags=("optim",), cards=cards
    )


def open_package(path: Path, tmp_path: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(path) as z:
        assert "collection.anki2" in z.namelist()
        z.extract("collection.anki2", tmp_path)
    return sqlite3.connect(tmp_path / "collection.anki2")


def notes(db: sqlite3.Connection) -> dict[str, dict]:
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    names = {int(k): m["name"] for k, m in models.items()}
    out = {}
    for guid, mid, flds, tags in db.execute("SELECT guid, mid, flds, tags FROM notes"):
        out[guid] = {"model": names[mid], "fields": flds.split("\x1f"), "tags": tags.split()}
    return out


def by_card(db: sqlite3.Connection, card_id: str) -> dict:
    return notes(db)[genanki.guid_for(f"opt/{card_id}")]


def test_package_holds_the_notes(tmp_path: Path) -> None:
    out = tmp_path / "opt.apkg"
    result = export_anki([sample_deck()], out, "en")
    assert (result.total, result.drafts, result.decks) == (10, 1, 1)
    db = open_package(out, tmp_path)

    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    kinds = {m["name"]: (m["type"], [f["name"] for f in m["flds"]]) for m in models.values()}
    assert kinds == {
        BASIC: (0, ["Front", "Back", "Extra"]),
        REVERSED: (0, ["Front", "Back", "Extra"]),
        CLOZE: (1, ["Text", "Back Extra"]),
    }
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    assert "studytool::Optimizers" in {d["name"] for d in decks.values()}

    all_notes = notes(db)
    assert len(all_notes) == 10
    assert genanki.guid_for("opt/draft") not in all_notes

    basic = by_card(db, "basic")
    assert basic["model"] == BASIC
    assert basic["fields"][:2] == ["What is SGD?", "Step against the gradient"]
    assert r"\[W_{t+1} = W_t - \eta g_t\]" in basic["fields"][2]  # MathJax
    assert "why &lt;b&gt;" in basic["fields"][2]  # note text is escaped, not HTML
    assert basic["tags"] == ["sgd", "first_tag", "optim"]  # spaces sanitised, deck tags kept

    assert by_card(db, "rev")["model"] == REVERSED
    cloze = by_card(db, "cloze")
    assert cloze["model"] == CLOZE
    assert cloze["fields"][0] == r"{{c1::Adam}} uses {{c2::moments}} of \(g_t\)"
    assert cloze["fields"][1].startswith("extra")

    mcq = by_card(db, "mcq")
    assert mcq["model"] == BASIC
    assert (
        mcq["fields"][0] == "Which uses momentum?<ol class=choices><li>SGD</li><li>Adam</li></ol>"
    )
    assert mcq["fields"][1] == "2. Adam"
    assert by_card(db, "multi")["fields"][1] == "1. Adagrad<br>3. Adam"
    tf = by_card(db, "tf")
    assert tf["fields"][1] == "False"
    assert "Kingma &amp; Ba" in tf["fields"][2]
    assert by_card(db, "typed")["fields"][1] == "Adam / AdamW"
    assert by_card(db, "num")["fields"][1] == "0.9"
    gen = by_card(db, "gen")
    assert gen["fields"][:2] == ["Params of 3x3 conv?", "9 weights"]
    order = by_card(db, "order")
    assert order["fields"][1] == "1. SGD<br>2. Adagrad<br>3. Adam"
    assert "<li>SGD</li><li>Adagrad</li><li>Adam</li>" not in order["fields"][0]  # shuffled

    # reversed: two cards; cloze with c1 and c2: two cards; the other 8 notes: one each
    assert db.execute("SELECT count(*) FROM cards").fetchone()[0] == 12


def test_korean_export(tmp_path: Path) -> None:
    out = tmp_path / "ko.apkg"
    export_anki([sample_deck()], out, "ko")
    db = open_package(out, tmp_path)
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    assert "studytool::옵티마이저" in {d["name"] for d in decks.values()}
    assert by_card(db, "basic")["fields"][0] == "SGD란?"
    assert by_card(db, "tf")["fields"][1] == "거짓 (X)"


def test_ids_are_stable_so_reimport_updates(tmp_path: Path) -> None:
    a, b = tmp_path / "a.apkg", tmp_path / "b.apkg"
    export_anki([sample_deck()], a)
    export_anki([sample_deck()], b)
    ids = []
    for path, sub in ((a, tmp_path / "x"), (b, tmp_path / "y")):
        sub.mkdir()
        db = open_package(path, sub)
        models = sorted(
            int(k) for k in json.loads(db.execute("SELECT models FROM col").fetchone()[0])
        )
        decks = sorted(
            int(k) for k in json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
        )
        ids.append((models, decks, sorted(notes(db))))
    assert ids[0] == ids[1]
    assert stable_id(BASIC) in ids[0][0]
    assert stable_id("studytool::Optimizers") in ids[0][1]


def test_bad_targets(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match=r"must end in \.apkg"):
        export_anki([sample_deck()], tmp_path / "deck.zip")
    drafts = Deck(
        "d",
        T.plain("D"),
        Path("d.yaml"),
        cards=(Card("d", "x", CardType.BASIC, T.plain("a"), back=T.plain("b"), draft=True),),
    )
    with pytest.raises(ExchangeError, match="only draft cards"):
        export_anki([drafts], tmp_path / "d.apkg")
    with pytest.raises(ExchangeError, match="does not exist"):
        export_anki([sample_deck()], tmp_path / "missing" / "d.apkg")
    assert list(tmp_path.iterdir()) == []


def test_bilingual_package(tmp_path: Path) -> None:
    out = tmp_path / "both.apkg"
    deck = sample_deck()
    english_only = Card("opt", "plain", CardType.BASIC, T.plain("Loss"), back=T.plain("Error"))
    deck = Deck(deck.id, deck.title, deck.path, tags=deck.tags, cards=(*deck.cards, english_only))
    result = export_anki([deck], out, "both")
    assert (result.total, result.cards, result.drafts) == (11, 13, 1)
    assert result.notes == {
        BILINGUAL["basic"]: 2,
        BILINGUAL["reversed"]: 1,
        BILINGUAL["cloze"]: 1,
        BILINGUAL["quiz"]: 7,
    }
    db = open_package(out, tmp_path)
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    kinds = {m["name"]: (m["type"], [f["name"] for f in m["flds"]]) for m in models.values()}
    extras = ["Formula", "Explain_en", "Explain_ko", "Errata_en", "Errata_ko", "Source"]
    assert kinds[BILINGUAL["basic"]] == (0, ["Front_en", "Front_ko", "Back_en", "Back_ko", *extras])
    assert kinds[BILINGUAL["cloze"]] == (1, ["Text_en", "Text_ko", "Back_en", "Back_ko", *extras])
    for m in models.values():  # every side switches language with a tap, no add-on
        assert all("studytoolLang" in t["qfmt"] + t["afmt"] for t in m["tmpls"])
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    assert "studytool::Optimizers" in {d["name"] for d in decks.values()}  # as the en export

    basic = by_card(db, "basic")  # the GUID is the one-language export's: Anki updates it
    assert basic["model"] == BILINGUAL["basic"]
    assert basic["fields"][:4] == [
        "What is SGD?",
        "SGD란?",
        "Step against the gradient",
        "gradient 반대 방향으로 이동",
    ]
    assert basic["fields"][4] == r"<div class=formula>\[W_{t+1} = W_t - \eta g_t\]</div>"
    assert basic["fields"][5:7] == ["<b>Why:</b> why &lt;b&gt;", "<b>해설:</b> 이유"]
    cloze = by_card(db, "cloze")
    assert cloze["fields"][:2] == [
        r"{{c1::Adam}} uses {{c2::moments}} of \(g_t\)",
        "{{c1::Adam}}은 {{c2::moment}}",
    ]
    tf = by_card(db, "tf")
    assert (tf["model"], tf["fields"][2:4]) == (BILINGUAL["quiz"], ["False", "거짓 (X)"])
    assert "Kingma &amp; Ba" in tf["fields"][7] and "있다." in tf["fields"][8]
    assert by_card(db, "plain")["fields"][:4] == ["Loss", "", "Error", ""]  # no Korean to show
    assert db.execute("SELECT count(*) FROM cards").fetchone()[0] == 13


def test_export_command_says_what_it_wrote(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from studytool.cli import app
    from studytool.cli.common import CliState
    from studytool.config import Settings

    content = tmp_path / "content"
    content.mkdir()
    (content / "mine.yaml").write_text(
        "deck: mine\ntitle: {en: Mine, ko: 내 덱}\ncards:\n"
        "  - {id: a, type: basic, front: {en: Front, ko: 앞}, back: Back}\n"
        "  - {id: r, type: reversed, front: Up, back: Down}\n",
        encoding="utf-8",
    )
    state = CliState(settings=Settings(content_dirs=(content,), data_dir=tmp_path / "data"))

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, list(args), obj=state)

    apkg = str(tmp_path / "mine.apkg")
    result = run("export", "anki", "--deck", "mine", apkg)
    assert result.exit_code == 0, result.output
    assert "wrote 2 notes from 1 deck(s)" in result.stdout
    assert "3 cards, 2 note types" in result.stdout
    assert BILINGUAL["reversed"] in result.stdout  # --lang both is the default
    bad = run("export", "anki", "--deck", "mine", "--lang", "fr", apkg)
    assert bad.exit_code == 2
    assert "--lang must be 'both', 'en' or 'ko', not 'fr'" in bad.output

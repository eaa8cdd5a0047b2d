"""CSV/TSV export and import: front, back, tags; a round trip of basic cards loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studytool.content.model import Card, CardType, Deck, GenVar, Text
from studytool.exchange.csvio import export_csv, import_csv
from studytool.exchange.textio import ExchangeError
from studytool.exchange.yamlio import save_deck

T = Text
_TEXT = st.text(
    alphabet=st.sampled_from([*"abcXYZ 019,;:|\"'#\t\n-{}[]*&<>", "딥", "러", "닝", "é"]),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip())
_TAGS = st.lists(st.text(alphabet="abcxyz019_-", min_size=1, max_size=6), max_size=3, unique=True)


def basic_deck(rows: list[tuple[str, str, tuple[str, ...]]]) -> Deck:
    cards = tuple(
        Card("d", f"c{i}", CardType.BASIC, T.plain(f), back=T.plain(b), tags=tags)
        for i, (f, b, tags) in enumerate(rows)
    )
    return Deck("d", T.plain("D"), Path("d.yaml"), cards=cards)


def rows_of(deck: Deck) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.prompt.en, c.back.en, c.tags) for c in deck.cards]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(_TEXT, _TEXT, _TAGS.map(tuple)), min_size=1, max_size=6, unique_by=lambda r: r[0]
    ),
    tsv=st.booleans(),
)
def test_roundtrip_of_basic_cards_loses_nothing(
    tmp_path_factory: pytest.TempPathFactory, rows: list, tsv: bool
) -> None:
    path = tmp_path_factory.mktemp("rt") / ("deck.tsv" if tsv else "deck.csv")
    deck = basic_deck(rows)
    assert export_csv([deck], path, tsv=tsv).rows == len(rows)
    back = import_csv(path, "back")
    assert rows_of(back.deck) == rows
    assert back.duplicates == 0


def test_roundtrip_writes_a_valid_deck(tmp_path: Path) -> None:
    deck = basic_deck([("#hashtag front", "b, with comma", ("x",)), ("q\nmulti", "a\tb", ())])
    export_csv([deck], tmp_path / "d.csv")
    imported = import_csv(tmp_path / "d.csv", "imp", title="Imported")
    saved = save_deck(imported.deck, tmp_path / "imp.yaml")
    assert saved.added == 2
    assert imported.deck.title.en == "Imported"
    assert all(c.type is CardType.BASIC and not c.draft for c in imported.deck.cards)


def test_export_writes_anki_headers_and_lists_choices(tmp_path: Path) -> None:
    cards = (
        Card(
            "d",
            "m",
            CardType.MCQ,
            T("Pick one", "고르세요"),
            choices=(T.plain("SGD"), T.plain("Adam")),
            answer_index=1,
            tags=("a b",),
        ),
        Card(
            "d",
            "c",
            CardType.CLOZE,
            T("{{c1::Adam}} adapts", "{{c1::Adam}}은 적응"),
            back=T.plain("extra"),
        ),
        Card(
            "d",
            "g",
            CardType.NUMERIC,
            T("{k} squared?", "{k}의 제곱?"),
            compute="k*k",
            variables=(GenVar("k", values=(4,)),),
        ),
        Card("d", "x", CardType.BASIC, T.plain("draft"), back=T.plain("skip"), draft=True),
    )
    path = tmp_path / "d.tsv"
    result = export_csv([Deck("d", T.plain("D"), Path("d.yaml"), cards=cards)], path, lang="ko")
    assert (result.rows, result.drafts) == (3, 1)
    assert path.read_text(encoding="utf-8") == (
        "#separator:tab\n#html:false\n#tags column:3\n#columns:Front\tBack\tTags\n"
        '"고르세요\n1. SGD\n2. Adam"\t2. Adam\ta_b\n'
        '[...]은 적응\t"Adam은 적응\nextra"\t\n'
        "4의 제곱?\t16\t\n"
    )


def test_quizlet_export_without_header(tmp_path: Path) -> None:
    path = tmp_path / "quizlet.txt"
    path.write_text("Momentum\t관성을 주는 방법\nAdam\tmomentum + RMSprop\n", encoding="utf-8")
    imported = import_csv(path, "q")
    assert rows_of(imported.deck) == [
        ("Momentum", "관성을 주는 방법", ()),
        ("Adam", "momentum + RMSprop", ()),
    ]


def test_header_row_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Tags,Front,Back\nconv cnn,stride,step size\n", encoding="utf-8")
    assert rows_of(import_csv(path, "s").deck) == [("stride", "step size", ("conv", "cnn"))]
    path.write_text("Term,Definition\nstride,step size\n", encoding="utf-8")
    assert rows_of(import_csv(path, "s").deck) == [("stride", "step size", ())]


def test_anki_plain_text_export_with_meta_columns(tmp_path: Path) -> None:
    path = tmp_path / "anki.txt"
    path.write_text(
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
        "#tags column:6\n"
        "abc123\tBasic\tDL\tWhat is <b>SGD</b>?\tone<br>two &amp; three\tsgd optim\n",
        encoding="utf-8",
    )
    assert rows_of(import_csv(path, "a").deck) == [
        ("What is SGD?", "one\ntwo & three", ("sgd", "optim"))
    ]


def test_cp949_csv_from_korean_excel(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("앞면,뒷면\n딥러닝,신경망을 쓰는 머신러닝\n".encode("cp949"))
    imported = import_csv(path, "x")
    assert imported.encoding == "CP949/EUC-KR"
    assert rows_of(imported.deck) == [("딥러닝", "신경망을 쓰는 머신러닝", ())]


def test_repeated_rows_are_skipped_and_twins_kept(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,1\na,1\na,2\n", encoding="utf-8")
    imported = import_csv(path, "dup")
    assert (imported.rows, imported.duplicates) == (3, 1)
    ids = [c.id for c in imported.deck.cards]
    assert len(set(ids)) == 2
    assert all(i.startswith("csv-a-") for i in ids)
    again = import_csv(path, "dup")
    assert [c.id for c in again.deck.cards] == ids  # stable: re-importing merges cleanly


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("front only\n", r"bad\.csv:1: a row needs a front and a back"),
        ('ok,fine\n\n"open quote,never closed\n', r"bad\.csv:3: (not valid CSV|a row needs)"),
        ("#separator:comma\n", r"bad\.csv has no rows"),
        ("", r"bad\.csv has no rows"),
    ],
)
def test_bad_csv_is_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExchangeError, match=message):
        import_csv(path, "b")


def test_export_of_drafts_only_is_refused(tmp_path: Path) -> None:
    deck = Deck(
        "d",
        T.plain("D"),
        Path("d.yaml"),
        cards=(Card("d", "x", CardType.BASIC, T.plain("a"), back=T.plain("b"), draft=True),),
    )
    with pytest.raises(ExchangeError, match="only draft cards"):
        export_csv([deck], tmp_path / "d.csv")
    assert not (tmp_path / "d.csv").exists()

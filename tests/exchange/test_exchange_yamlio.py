"""Decks written as YAML load back to the same deck; nothing that would not load is written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from studytool.content.library import deck_files
from studytool.content.loader import load_deck
from studytool.content.model import Card, CardType, Deck, Errata, GenVar, Source, Text
from studytool.content.schema import SCHEMA_PATH
from studytool.exchange.textio import ExchangeError
from studytool.exchange.yamlio import dump_deck, save_deck

CONTENT = Path(__file__).resolve().parents[2] / "content"
TRICKY = [
    "key: value # not a comment",
    "{en: not, ko: a mapping}",
    "[not, a, list]",
    "yes",
    "null",
    "2014",
    "1.5e3",
    "'quoted' and \"double\"",
    "- starts like a list item",
    "  leading and trailing spaces  ",
    "line one\nline two:\n  indented # line",
    "trailing newline\n",
    "탭\t문자와 한국어",
    "@at and `backtick` and %percent and &anchor *alias !tag",
    "ends with a colon:",
]


def roundtrip(deck: Deck, tmp_path: Path) -> Deck:
    path = tmp_path / f"{deck.id}.yaml"
    path.write_text(dump_deck(deck), encoding="utf-8")
    loaded, problems, _ = load_deck(path)
    assert problems == []
    assert loaded is not None
    return loaded


def same(a: Deck, b: Deck) -> None:
    assert replace(a, path=b.path, cards=()) == replace(b, cards=())
    unplaced = [[replace(c, line=0, col=0) for c in d.cards] for d in (a, b)]
    assert unplaced[0] == unplaced[1]


def test_first_line_points_editors_at_the_schema() -> None:
    deck = Deck(
        "d",
        Text.plain("D"),
        Path("d.yaml"),
        cards=(Card("d", "a", CardType.BASIC, Text.plain("f"), back=Text.plain("b")),),
    )
    first = dump_deck(deck).splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCHEMA_PATH.as_uri()}"
    assert Path(first.split("file://", 1)[1]).is_file()


def test_tricky_strings_survive(tmp_path: Path) -> None:
    cards = tuple(
        Card(
            "d",
            f"c{i}",
            CardType.BASIC,
            Text(text, text + " ko") if i % 2 else Text.plain(text),
            back=Text.plain(text),
            tags=("tag with space", "2014"),
            source=Source("note.md", text, i + 1),
        )
        for i, text in enumerate(TRICKY)
    )
    deck = Deck("d", Text("Title: with colon", "제목"), Path("d.yaml"), cards=cards)
    same(deck, roundtrip(deck, tmp_path))


def test_every_card_type_and_field_survives(tmp_path: Path) -> None:
    t = Text("en text", "한국어")
    cards = (
        Card(
            "d",
            "basic",
            CardType.BASIC,
            t,
            back=t,
            formula=r"\frac{a}{b}",
            explain=t,
            demo="optimizers",
            concept="x",
            draft=True,
            errata=Errata("quote", t, "ref", "note"),
        ),
        Card("d", "rev", CardType.REVERSED, t, back=t),
        Card("d", "cloze", CardType.CLOZE, Text("a {{c1::b}}", "가 {{c1::나}}"), back=t),
        Card("d", "mcq", CardType.MCQ, t, choices=(t, Text.plain("two")), answer_index=1),
        Card("d", "multi", CardType.MULTI, t, choices=(t, t, t), answer_indices=(0, 2)),
        Card("d", "tf", CardType.TRUEFALSE, t, answer_bool=False),
        Card("d", "typed", CardType.TYPED, t, answers=(Text.plain("x"), t), case_sensitive=True),
        Card("d", "num", CardType.NUMERIC, t, number=2.5, tolerance=0.1, unit="GB"),
        Card(
            "d",
            "gen",
            CardType.NUMERIC,
            t,
            compute="k*k + c",
            variables=(GenVar("k", values=(1, 3)), GenVar("c", low=1, high=9)),
        ),
        Card("d", "order", CardType.ORDER, t, items=(t, Text.plain("b"), Text.plain("c"))),
        Card("d", "src", CardType.BASIC, t, back=t, source=Source("only-note.md")),
    )
    deck = Deck("d", t, Path("d.yaml"), description=t, tags=("a",), source=("n.md",), cards=cards)
    same(deck, roundtrip(deck, tmp_path))


@pytest.mark.parametrize("path", deck_files([CONTENT])[0], ids=lambda p: p.name)
def test_builtin_decks_roundtrip(tmp_path: Path, path: Path) -> None:
    deck, problems, _ = load_deck(path)
    assert deck is not None, "\n".join(map(str, problems))
    same(deck, roundtrip(deck, tmp_path))


def test_a_deck_that_would_not_load_is_never_written(tmp_path: Path) -> None:
    bad = Deck(
        "d",
        Text.plain("D"),
        Path("d.yaml"),
        cards=(Card("d", "c", CardType.CLOZE, Text.plain("no blanks here")),),
    )
    path = tmp_path / "d.yaml"
    with pytest.raises(ExchangeError, match="cloze card has no cloze"):
        save_deck(bad, path)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_merge_into_a_flow_style_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "deck: d\ntitle: D\ncards: [{id: a, type: basic, front: f, back: b}]\n", encoding="utf-8"
    )
    deck = Deck(
        "d",
        Text.plain("D"),
        Path("d.yaml"),
        cards=(Card("d", "new", CardType.BASIC, Text.plain("f2"), back=Text.plain("b2")),),
    )
    with pytest.raises(ExchangeError, match="not a block list"):
        save_deck(deck, path, merge=True)


def test_merge_after_a_block_scalar_and_a_trailing_comment(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    original = (
        "deck: d\n"
        "cards:\n"
        "    -   id: a\n"
        "        type: basic\n"
        "        front: f\n"
        "        back: |\n"
        "          two\n"
        "          lines\n"
        "\n"
        "# the end\n"
        "title: D\n"
    )
    path.write_text(original, encoding="utf-8")
    deck = Deck(
        "d",
        Text.plain("D"),
        Path("d.yaml"),
        cards=(Card("d", "b", CardType.BASIC, Text.plain("f2"), back=Text.plain("b2")),),
    )
    result = save_deck(deck, path, merge=True)
    assert (result.added, result.kept) == (1, 1)
    loaded, problems, _ = load_deck(path)
    assert problems == []
    assert [c.id for c in loaded.cards] == ["a", "b"]
    assert loaded.cards[0].back.en == "two\nlines\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original[: original.index("\n# the end")])
    assert text.endswith("# the end\ntitle: D\n")

"""Editing deck text: validating unsaved text and new-card templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from studytool.content.edit import TemplateError, card_row, new_card, validate_text
from studytool.content.library import demo_names, load_library
from studytool.content.loader import load_deck, parse_deck_text
from studytool.content.model import CardType

FIXTURES = Path(__file__).parents[1] / "tui" / "fixtures_browse"

ATTENTION = (FIXTURES / "attention.yaml").read_text(encoding="utf-8")


def insert(text: str, plan, newline: str = "\n") -> str:
    lines = text.split(newline)
    row, col = plan.location
    offset = sum(len(ln) + len(newline) for ln in lines[:row]) + col
    return text[:offset] + plan.snippet + text[offset:]


@pytest.mark.parametrize(
    "text",
    [
        ATTENTION,
        ATTENTION.replace("type: mcq", "type: mqc"),
        ATTENTION.replace("    answer: 0", "    answer: 7"),
        ATTENTION.replace("  - id: attn-heads", "  -id: attn-heads"),  # invalid YAML
        "",
    ],
)
def test_text_is_checked_like_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "attention.yaml"
    path.write_text(text, encoding="utf-8")
    demos = demo_names()
    on_disk = load_deck(path, demos)
    unsaved = parse_deck_text(text, tmp_path / "elsewhere" / "attention.yaml", demos)
    assert [(p.line, p.col, p.message) for p in unsaved[1]] == [
        (p.line, p.col, p.message) for p in on_disk[1]
    ]
    assert all(p.path == tmp_path / "elsewhere" / "attention.yaml" for p in unsaved[1])
    assert (unsaved[0] is None) == (on_disk[0] is None)
    if on_disk[0] is not None:
        assert unsaved[0] is not None and unsaved[0].cards == on_disk[0].cards


@pytest.mark.parametrize("card_type", list(CardType))
def test_every_template_becomes_a_valid_card(card_type: CardType, tmp_path: Path) -> None:
    plan = new_card(ATTENTION, card_type)
    text = insert(ATTENTION, plan)
    lines = text.split("\n")
    row, col = plan.cursor
    assert lines[row][col - 1 : col + 1] == '""'  # the cursor sits in the first empty text
    empty = parse_deck_text(text, tmp_path / "attention.yaml")
    assert empty[0] is None and all("is empty" in p.message for p in empty[1])
    fill = '"{{c1::x}}"' if card_type is CardType.CLOZE else '"x"'
    deck, problems, _ = parse_deck_text(text.replace('""', fill), tmp_path / "attention.yaml")
    assert problems == []
    assert deck is not None
    assert deck.cards[-1].id == f"new-{card_type.value}"
    assert deck.cards[-1].type is card_type
    # the original text is untouched around the insertion
    assert text.replace(plan.snippet, "", 1) == ATTENTION


def test_new_card_ids_are_fresh() -> None:
    once = insert(ATTENTION, new_card(ATTENTION, CardType.BASIC))
    twice = new_card(once, CardType.BASIC)
    assert twice.card_id == "new-basic-2"
    # ids the progress database still remembers are avoided too
    assert new_card(once, CardType.BASIC, avoid={"new-basic-2"}).card_id == "new-basic-3"


def test_new_card_at_the_end_of_a_file_without_final_newline(tmp_path: Path) -> None:
    text = "deck: d\ntitle: T\ncards:\n- id: a\n  type: truefalse\n  question: Q\n  answer: true"
    plan = new_card(text, CardType.TRUEFALSE)
    out = insert(text, plan)
    assert out.startswith(text + "\n- id: new-truefalse\n  type: truefalse\n")
    assert not out.endswith("\n")
    deck, problems, _ = parse_deck_text(out.replace('""', '"x"'), tmp_path / "d.yaml")
    assert problems == [] and deck is not None and len(deck.cards) == 2


def test_new_card_keeps_crlf_and_what_follows_the_list(tmp_path: Path) -> None:
    text = (
        "deck: d\r\ntitle: T\r\ncards:\r\n    -   id: a\r\n        type: truefalse\r\n"
        "        question: Q\r\n        answer: true\r\n# the end\r\ntags: [x]\r\n"
    )
    plan = new_card(text, CardType.TRUEFALSE, newline="\r\n")
    out = insert(text, plan, "\r\n")
    assert "\n" not in out.replace("\r\n", "")
    assert "\r\n    -   id: new-truefalse\r\n        type: truefalse\r\n" in out
    assert out.endswith("# the end\r\ntags: [x]\r\n")
    deck, problems, _ = parse_deck_text(out.replace('""', '"x"'), tmp_path / "d.yaml")
    assert problems == [] and deck is not None and deck.tags == ("x",)


def test_new_card_into_an_empty_list(tmp_path: Path) -> None:
    text = "deck: d\ntitle: T\ncards:\n"
    out = insert(text, new_card(text, CardType.BASIC)).replace('""', '"x"')
    deck, problems, _ = parse_deck_text(out, tmp_path / "d.yaml")
    assert problems == [] and deck is not None and deck.cards[0].id == "new-basic"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("deck: d\ncards: [\n", "fix the YAML error at 3:1 first"),
        ("deck: d\ntitle: T\n", "the file has no 'cards:' list"),
        ("deck: d\ncards: []\n", "'cards' is not a block list"),
        ("- a\n- b\n", "the file is not a deck"),
    ],
)
def test_new_card_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message.replace("[", r"\[")):
        new_card(text, CardType.BASIC)


def test_card_row() -> None:
    assert card_row(ATTENTION, "attn-cloze") == ATTENTION.split("\n").index("  - id: attn-cloze")
    assert card_row("cards:\n  - type: basic\n    id: 'q1'  # note\n", "q1") == 2
    assert card_row(ATTENTION, "attn") is None


def test_validation_sees_the_other_decks_and_warns_about_ids(tmp_path: Path) -> None:
    library = load_library([FIXTURES], builtin=False)
    path = FIXTURES / "attention.yaml"
    saved = next(d for d in library.decks if d.id == "attention")
    same = validate_text(ATTENTION, path, None, library, saved)
    assert same.ok and same.warnings == []

    clash = validate_text(ATTENTION.replace("deck: attention", "deck: optim"), path, None, library)
    assert not clash.ok
    assert [(p.line, p.col) for p in clash.problems] == [(2, 7)]
    assert "duplicate deck id 'optim'" in clash.problems[0].message

    renamed = validate_text(
        ATTENTION.replace("id: attn-cloze", "id: attn-cloze-2"), path, None, library, saved
    )
    assert renamed.ok  # allowed, but the user is told where the progress stays
    assert [w.message for w in renamed.warnings] == [
        "card 'attn-cloze' removed or renamed: its progress stays with the old id"
    ]


def test_card_quality_warnings_show_live_beside_the_errors(tmp_path: Path) -> None:
    text = (
        "deck: lint-live\ntitle: Lint\ncards:\n"
        "  - id: tf-abs\n    type: truefalse\n"
        "    question: {en: Dropout always helps., ko: 드롭아웃은 항상 좋다.}\n"
        "    answer: false\n"
    )
    result = validate_text(text, tmp_path / "lint.yaml", None)
    assert result.ok, result.problems  # warnings never block saving
    found = [w for w in result.warnings if "tf-absolute-word" in w.message]
    assert len(found) == 2  # the English and the Korean statement
    assert {(w.line, w.col) for w in found} == {(4, 5)}

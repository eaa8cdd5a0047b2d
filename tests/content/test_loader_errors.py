"""Bad input: each case asserts the exact message with its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from studytool.content.library import load_paths
from studytool.content.loader import MAX_BYTES, load_deck

HEAD = "deck: d\ntitle: {en: T, ko: 티}\ncards:\n"
BASIC = "  - id: a\n    type: basic\n    front: {en: F, ko: 앞}\n    back: {en: B, ko: 뒤}\n"


def problems(tmp_path: Path, text: str | bytes, demos: set[str] | None = None) -> list[str]:
    path = tmp_path / "deck.yaml"
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    deck, found, _ = load_deck(path, demos if demos is not None else {"resnet"})
    assert (deck is None) == bool(found)
    assert all(p.path == path for p in found)
    return [f"{p.line}:{p.col}: {p.message}" for p in found]


CASES = [
    (
        "duplicate card id",
        HEAD + BASIC + BASIC,
        ["8:9: duplicate card id 'a' (first on line 4)"],
    ),
    (
        "mcq answer out of range",
        HEAD + "  - id: q\n    type: mcq\n    question: Q\n    choices: [x, y, z]\n    answer: 3\n",
        ["8:13: 'answer' is 3 but there are 3 choices (0-based: use 0 to 2)"],
    ),
    (
        "negative mcq answer",
        HEAD + "  - id: q\n    type: mcq\n    question: Q\n    choices: [x, y]\n    answer: -1\n",
        ["8:13: 'answer' is -1 but there are 2 choices (0-based: use 0 to 1)"],
    ),
    (
        "multi answer out of range",
        HEAD
        + "  - id: q\n    type: multi\n    question: Q\n    choices: [x, y]\n    answers: [0, 5]\n",
        ["8:18: 'answers[1]' is 5 but there are 2 choices (0-based: use 0 to 1)"],
    ),
    (
        "multi answer listed twice",
        HEAD
        + "  - id: q\n    type: multi\n    question: Q\n    choices: [x, y]\n    answers: [1, 1]\n",
        ["8:14: 'answers' lists the same choice twice"],
    ),
    (
        "cloze without cloze",
        HEAD + "  - id: c\n    type: cloze\n    text: {en: no blank here, ko: 빈칸 없음}\n",
        ["6:11: cloze card has no cloze in 'text.en': mark one like {{c1::answer}}"],
    ),
    (
        "cloze numbers differ",
        HEAD
        + "  - id: c\n    type: cloze\n    text: {en: '{{c1::a}} {{c2::b}}', ko: '{{c1::a}}'}\n",
        ["6:11: cloze numbers differ between languages: en has c1, c2, ko has c1"],
    ),
    (
        "empty korean text",
        HEAD + "  - id: a\n    type: basic\n    front: {en: F, ko: ''}\n    back: B\n",
        ["6:24: 'front.ko' is empty"],
    ),
    (
        "missing korean text",
        HEAD + "  - id: a\n    type: basic\n    front: {en: F}\n    back: B\n",
        ["6:12: 'front' is missing its 'ko' text"],
    ),
    (
        "unknown language",
        HEAD + "  - id: a\n    type: basic\n    front: {en: F, kr: 앞, ko: 앞}\n    back: B\n",
        ["6:20: unknown language 'kr' in 'front': use 'en' and 'ko'"],
    ),
    (
        "empty plain text",
        HEAD + "  - id: a\n    type: basic\n    front: ''\n    back: B\n",
        ["6:12: 'front' is empty"],
    ),
    (
        "wrong card type",
        HEAD + "  - id: a\n    type: flashcard\n    front: F\n    back: B\n",
        [
            "5:11: unknown card type 'flashcard' (one of: basic, reversed, cloze, mcq, multi,"
            " truefalse, typed, numeric, order)"
        ],
    ),
    (
        "misspelt card type",
        HEAD + "  - id: a\n    type: cloz\n    text: '{{c1::x}}'\n",
        [
            "5:11: unknown card type 'cloz'; did you mean 'cloze'? (one of: basic, reversed,"
            " cloze, mcq, multi, truefalse, typed, numeric, order)"
        ],
    ),
    (
        "unknown key with suggestion",
        HEAD + "  - id: a\n    type: basic\n    front: F\n    back: B\n    explian: E\n",
        ["8:5: unknown key 'explian' in a basic card; did you mean 'explain'?"],
    ),
    (
        "key of another card type",
        HEAD + "  - id: a\n    type: basic\n    front: F\n    back: B\n    choices: [x, y]\n",
        ["8:5: 'choices' is not used by a basic card"],
    ),
    (
        "card with only an id",
        HEAD + "  - id: lonely\n",
        ["4:5: a card is missing 'type'"],
    ),
    (
        "missing required key",
        HEAD + "  - id: a\n    type: basic\n    front: F\n",
        ["4:5: a basic card is missing 'back'"],
    ),
    (
        "unknown demo",
        HEAD + BASIC + "    demo: resnett\n",
        ["8:11: unknown demo 'resnett'; did you mean 'resnet'?"],
    ),
    (
        "wrong value type",
        HEAD + "  - id: a\n    type: truefalse\n    question: Q\n    answer: 'yes'\n",
        ["7:13: 'answer' must be true or false, got a string"],
    ),
    (
        "numeric answer not a number",
        HEAD + "  - id: n\n    type: numeric\n    question: Q\n    answer: [1]\n",
        ["7:13: 'answer' must be a number, got a list"],
    ),
    (
        "negative tolerance",
        HEAD + "  - id: n\n    type: numeric\n    question: Q\n    answer: 1\n    tolerance: -2\n",
        ["8:16: 'tolerance' must not be negative"],
    ),
    (
        "bad card id",
        HEAD + "  - id: Bad Id\n    type: basic\n    front: F\n    back: B\n",
        ["4:9: 'id' value 'Bad Id' is not a valid id: use lowercase letters, digits, '-' and '_'"],
    ),
    (
        "duplicate key",
        HEAD + "  - id: a\n    type: basic\n    front: F\n    front: G\n    back: B\n",
        ["7:5: duplicate key 'front' (first on line 6)"],
    ),
    (
        "tab indentation",
        HEAD + "  - id: a\n\ttype: basic\n",
        ["5:1: invalid YAML: tab character: YAML must be indented with spaces"],
    ),
    (
        "unclosed flow mapping",
        HEAD + "  - id: a\n    type: basic\n    front: {en: F, ko: 앞\n    back: B\n",
        ["7:9: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping)"],
    ),
    (
        "python object tag",
        HEAD + "  - id: a\n    type: basic\n    front: !!python/object/apply:os.system [ls]\n"
        "    back: B\n",
        ["6:12: 'front' must be a mapping, got a list"],
    ),
    (
        "python name tag on a scalar",
        HEAD + "  - id: a\n    type: basic\n    front: !!python/name:os.system ''\n    back: B\n",
        ["6:12: tag '!!python/name:os.system' is not allowed; quote the value if it is text"],
    ),
    (
        "cards not a list",
        "deck: d\ntitle: T\ncards: {a: 1}\n",
        ["3:8: 'cards' must be a list, got a mapping"],
    ),
    (
        "empty cards",
        "deck: d\ntitle: T\ncards: []\n",
        ["3:8: 'cards' is an empty list: a deck needs at least one card"],
    ),
    (
        "top level is a list",
        "- a\n- b\n",
        ["1:1: a deck file must be a mapping, got a list"],
    ),
    (
        "missing deck keys",
        "title: T\ncards:\n" + BASIC,
        ["1:1: the deck is missing 'deck'"],
    ),
    (
        "order with one item",
        HEAD + "  - id: o\n    type: order\n    question: Q\n    items: [only]\n",
        ["7:12: 'items' needs at least 2 entries"],
    ),
    (
        "generated card with unknown name",
        HEAD + "  - id: g\n    type: numeric\n    question: Q\n    vars: {k: [1, 3]}\n"
        "    compute: k*c\n",
        ["8:14: 'compute' uses 'c', which is not in 'vars'"],
    ),
    (
        "generated card with a call",
        HEAD + "  - id: g\n    type: numeric\n    question: Q\n    vars: {k: [1, 3]}\n"
        "    compute: __import__('os')\n",
        ["8:14: 'compute': calls are not allowed except min(), max() and abs()"],
    ),
    (
        "generated card with an answer",
        HEAD + "  - id: g\n    type: numeric\n    question: Q\n    answer: 3\n"
        "    vars: {k: [1, 3]}\n    compute: k\n",
        ["7:13: a generated card takes 'vars' and 'compute', not 'answer'"],
    ),
    (
        "errata without reference",
        HEAD + BASIC + "    errata: {quote: 'x', correction: {en: y, ko: 와이}}\n",
        ["8:13: 'errata' is missing 'reference'"],
    ),
    (
        "timestamp value",
        HEAD + "  - id: a\n    type: basic\n    front: 2014-01-01\n    back: B\n",
        ["6:12: tag '!!timestamp' is not allowed; quote the value if it is text"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_deck(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert problems(tmp_path, text) == expected


def test_all_problems_in_one_run(tmp_path: Path) -> None:
    text = (
        HEAD
        + "  - id: a\n    type: basic\n    front: F\n"
        + "  - id: q\n    type: mcq\n    question: Q\n    choices: [x, y]\n    answer: 9\n"
        + "  - id: c\n    type: cloze\n    text: none\n"
    )
    assert problems(tmp_path, text) == [
        "4:5: a basic card is missing 'back'",
        "11:13: 'answer' is 9 but there are 2 choices (0-based: use 0 to 1)",
        "14:11: cloze card has no cloze in 'text': mark one like {{c1::answer}}",
    ]


def test_not_utf8(tmp_path: Path) -> None:
    data = (HEAD + BASIC).encode().replace(b"F, ko", b"\xff\xfe, ko")
    assert problems(tmp_path, data) == [
        "6:17: file is not UTF-8 (byte 0xff): save it as UTF-8",
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    assert problems(tmp_path, text) == [
        "1:1: file is empty: a deck needs 'deck', 'title' and 'cards'"
    ]


def test_very_large_file_is_rejected_without_parsing(tmp_path: Path) -> None:
    text = HEAD + BASIC.replace("id: a", "id: a{}") * 1
    big = text + "# " + "x" * (10 * 1024 * 1024) + "\n"
    assert len(big) > MAX_BYTES
    assert problems(tmp_path, big) == [
        "1:1: file is 10.0 MB; a deck may be at most 2 MB: split it into several decks"
    ]


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    bomb = "\n".join(lines) + "\ndeck: d\ntitle: *a8\ntags: *a8\ncards: [*a8]\n"
    # 10**9 nodes if expanded; the validator never expands what it does not expect.
    found = problems(tmp_path, bomb)
    assert "1:1: unknown key 'a0' in the deck" in found
    assert any(p.endswith("'title' must be a mapping, got a list") for p in found)
    assert len(found) < 40


def test_duplicate_deck_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(HEAD + BASIC)
    (tmp_path / "two.yaml").write_text(HEAD + BASIC)
    result = load_paths([tmp_path])
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'two.yaml'}:1:7: duplicate deck id 'd' (also in {tmp_path / 'one.yaml'})"
    ]
    assert [d.id for d in result.decks] == ["d"]


def test_valid_deck_builds_cards(tmp_path: Path) -> None:
    text = (
        HEAD
        + BASIC
        + "  - id: r\n    type: reversed\n    front: {en: F, ko: 앞}\n    back: {en: B, ko: 뒤}\n"
        + "    concept: pair\n"
        + "  - id: g\n    type: numeric\n    question: Q\n"
        + "    vars: {k: [1, 3], c: {min: 1, max: 4}}\n"
        + "    compute: (k*k*c + 1)*c\n"
    )
    path = tmp_path / "deck.yaml"
    path.write_text(text)
    deck, found, _ = load_deck(path, set())
    assert found == []
    assert deck is not None
    assert [c.full_id for c in deck.cards] == ["d/a", "d/r", "d/g"]
    assert deck.cards[1].review_keys() == ("d/r", "d/r@rev")
    assert deck.cards[1].sibling_key == "d/pair"
    assert deck.cards[0].prompt.get("ko") == "앞"
    assert deck.cards[2].compute == "(k*k*c + 1)*c"
    assert [v.name for v in deck.cards[2].variables] == ["k", "c"]
    assert deck.cards[0].line == 4

"""Hostile decks (issue 16): control characters, huge numbers, tagged collections, id tricks.

Each case asserts the exact located message; none may end in an internal error."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from studytool.content.library import load_paths
from studytool.content.loader import load_deck
from studytool.content.model import Problem
from studytool.fsio import InputFileError, InputTooLarge, read_limited

HEAD = "deck: d\ntitle: {en: T, ko: 티}\ncards:\n"
BASIC = "  - id: a\n    type: basic\n    front: {en: F, ko: 앞}\n    back: {en: B, ko: 뒤}\n"
NUMERIC = "  - id: n\n    type: numeric\n    question: Q\n"


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "deck.yaml"
    path.write_text(text, encoding="utf-8")
    deck, found, _ = load_deck(path, set())
    assert (deck is None) == bool(found)
    return [f"{p.line}:{p.col}: {p.message}" for p in found]


CONTROL = "the control character \\x1b (U+001B): remove it"
CASES = [
    (
        "escape in a title",
        'deck: d\ntitle: "\\e]2;pwned\\a"\ncards:\n' + BASIC,
        [f"2:8: 'title' contains {CONTROL} (only newlines and tabs are allowed in deck text)"],
    ),
    (
        "OSC 52 in a card's back",
        HEAD + "  - id: a\n    type: basic\n    front: F\n"
        '    back: {en: "\\x1b]52;c;eA==\\x07", ko: b}\n',
        [f"7:16: 'back.en' contains {CONTROL} (only newlines and tabs are allowed in deck text)"],
    ),
    (
        "C1 CSI in a choice",
        HEAD + '  - id: q\n    type: mcq\n    question: Q\n    choices: [x, "\\u009b2J"]\n'
        "    answer: 0\n",
        [
            "7:18: 'choices[1]' contains the control character \\x9b (U+009B): remove it"
            " (only newlines and tabs are allowed in deck text)"
        ],
    ),
    (
        "bell in an id",
        HEAD + '  - id: "a\\a"\n    type: basic\n    front: F\n    back: B\n',
        [
            "4:9: 'id' contains the control character \\x07 (U+0007): remove it"
            " (only newlines and tabs are allowed in deck text)"
        ],
    ),
    (
        "id ending in a newline",
        'deck: "d\\n"\ntitle: T\ncards:\n' + BASIC,
        ["1:7: 'deck' value 'd\\n' is not a valid id: use lowercase letters, digits, '-' and '_'"],
    ),
    (
        "5000-digit integer",
        HEAD + NUMERIC + "    answer: " + "9" * 5000 + "\n",
        ["7:13: 'answer' is a number of 5000 characters: at most 40 are allowed"],
    ),
    (
        "5000-digit index",
        HEAD + "  - id: q\n    type: mcq\n    question: Q\n    choices: [x, y]\n"
        "    answer: " + "1" * 5000 + "\n",
        ["8:13: 'answer' is a number of 5000 characters: at most 40 are allowed"],
    ),
    (
        "integer beyond 2**53",
        HEAD + NUMERIC + "    answer: 90071992547409930\n",
        ["7:13: 'answer' is too large (at most 9007199254740992 in size)"],
    ),
    (
        "float overflow",
        HEAD + NUMERIC + "    answer: 1.0e+400\n",
        ["7:13: 'answer' must be a finite number"],
    ),
    (
        "absurd float",
        HEAD + NUMERIC + "    answer: 1.0e+200\n",
        ["7:13: 'answer' is too large (at most 1e+100 in size)"],
    ),
    (
        "infinite variable value",
        HEAD + NUMERIC + "    vars: {x: [1, .inf]}\n    compute: x\n",
        ["7:19: 'vars.x' must be a finite number"],
    ),
    (
        "huge variable range bound",
        HEAD + NUMERIC + "    vars: {x: {min: 1, max: " + "9" * 60 + "}}\n    compute: x\n",
        ["7:29: 'max' is a number of 60 characters: at most 40 are allowed"],
    ),
    (
        "custom-tagged cards list",
        "deck: d\ntitle: T\ncards: !custom\n" + BASIC,
        ["3:8: 'cards' is tagged '!custom': tags are not allowed, remove it"],
    ),
    (
        "custom-tagged choices list",
        HEAD + "  - id: q\n    type: mcq\n    question: Q\n    choices: !x [a, b]\n    answer: 0\n",
        ["7:14: 'choices' is tagged '!x': tags are not allowed, remove it"],
    ),
    (
        "custom-tagged card mapping",
        HEAD + "  - !card {id: a, type: basic, front: F, back: B}\n",
        ["4:5: a card is tagged '!card': tags are not allowed, remove it"],
    ),
    (
        "integer answer in exponent notation",
        HEAD + "  - id: q\n    type: mcq\n    question: Q\n    choices: [x, y]\n    answer: 1e0\n",
        ["8:13: 'answer' must be an integer, got 1e0, a number in exponent notation"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_deck(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert problems(tmp_path, text) == expected


def test_yaml_11_exponent_floats_are_numbers(tmp_path: Path) -> None:
    path = tmp_path / "deck.yaml"
    path.write_text(
        HEAD + NUMERIC + "    answer: 6e23\n    tolerance: 1e21\n"
        "  - id: g\n    type: numeric\n    question: Q\n    vars: {x: [2e3, 3]}\n    compute: x\n",
        encoding="utf-8",
    )
    deck, found, _ = load_deck(path, set())
    assert found == [] and deck is not None
    assert (deck.cards[0].number, deck.cards[0].tolerance) == (6e23, 1e21)
    assert deck.cards[1].variables[0].values == (2000.0, 3)


def test_text_that_only_looks_like_a_number_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "deck.yaml"
    path.write_text(
        "deck: d\ntitle: T\ncards:\n  - id: 1e5\n    type: basic\n    front: 6e23\n    back: B\n",
        encoding="utf-8",
    )
    deck, found, _ = load_deck(path, set())
    assert found == [] and deck is not None
    assert (deck.cards[0].id, deck.cards[0].prompt.en) == ("1e5", "6e23")


def test_tab_and_newline_stay_allowed(tmp_path: Path) -> None:
    path = tmp_path / "deck.yaml"
    path.write_text(HEAD + '  - id: a\n    type: basic\n    front: "a\\tb\\nc"\n    back: B\n')
    deck, found, _ = load_deck(path, set())
    assert found == [] and deck is not None and deck.cards[0].prompt.en == "a\tb\nc"


def test_file_names_in_problems_are_printed_safely(tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b]2;x\x07\n.yaml"
    path.write_text("deck: [\n", encoding="utf-8")
    result = load_paths([tmp_path], set())
    [line] = [str(p) for p in result.problems]
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line
    assert line.startswith(f"{tmp_path}/evil\\x1b]2;x\\x07\\x0a.yaml:")
    assert str(Problem(Path("a\nb"), 1, 2, "m")) == "a\\x0ab:1:2: m"


def test_deck_from_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "deck.yaml"
    os.mkfifo(fifo)
    # Nothing ever writes, so a reader that opens the FIFO blocking would hang the test.
    deck, found, _ = load_deck(fifo, set())
    assert deck is None
    assert [p.message for p in found] == [
        "cannot read file: it is not a regular file (a pipe or a device): save it as a file"
    ]


def test_read_limited_refuses_devices_and_counts_bytes_read(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not a regular file"):
        read_limited(Path("/dev/zero"), 1024)
    with pytest.raises(InputFileError, match="is a directory"):
        read_limited(tmp_path, 1024)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(InputTooLarge) as info:
        read_limited(big, 1024)
    assert info.value.size == 2000
    assert read_limited(big, 2000) == b"x" * 2000


def test_fifo_with_a_writer_is_refused_too(tmp_path: Path) -> None:
    fifo = tmp_path / "note.md"
    os.mkfifo(fifo)

    def write() -> None:
        # Opening the write end blocks until a reader opens, so give up after a while.
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK) if _has_reader(fifo) else None
        if fd is not None:
            os.close(fd)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    with pytest.raises(InputFileError, match="not a regular file"):
        read_limited(fifo, 1024)
    writer.join(timeout=5)


def _has_reader(fifo: Path) -> bool:
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        return False
    return True


def test_duplicate_deck_message_prints_both_file_names_safely(tmp_path: Path) -> None:
    deck = "deck: d\ntitle: T\ncards:\n" + BASIC
    (tmp_path / "a\x1b[2J.yaml").write_text(deck, encoding="utf-8")
    (tmp_path / "b\x07.yaml").write_text(deck, encoding="utf-8")
    [line] = [str(p) for p in load_paths([tmp_path], set()).problems]
    assert line == (
        f"{tmp_path}/b\\x07.yaml:1:7: duplicate deck id 'd' (also in {tmp_path}/a\\x1b[2J.yaml)"
    )


def test_numeric_card_without_question_or_answer_is_located(tmp_path: Path) -> None:
    # Found by the hostile fuzz: this raised KeyError('question') inside the loader.
    assert problems(tmp_path, HEAD + "  - id: n\n    type: numeric\n") == [
        "4:5: a numeric card is missing 'question'",
        "5:11: a numeric card is missing 'answer' (or 'vars' and 'compute')",
    ]

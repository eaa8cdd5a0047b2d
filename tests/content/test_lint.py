"""The card-quality linter: one bad and one good card per rule, suppression, and `check`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studytool.cli import app
from studytool.content import spec
from studytool.content.lint import CARD_RULES, Finding, lint_deck, lint_library, question_side
from studytool.content.loader import parse_deck_text
from studytool.content.model import Deck

HEAD = "deck: {deck}\ntitle: {{en: T, ko: 티}}\ncards:\n"
runner = CliRunner()


def deck(cards: str, deck_id: str = "d") -> Deck:
    """A deck of `cards` (YAML list items indented by two spaces); it must load cleanly."""
    text = HEAD.format(deck=deck_id) + cards
    loaded, problems, _ = parse_deck_text(text, Path(f"{deck_id}.yaml"))
    assert problems == [] and loaded is not None
    return loaded


def found(cards: str) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in lint_deck(deck(cards))]


def rules(cards: str) -> list[str]:
    return [rule for rule, _ in found(cards)]


NUMERIC = """\
  - id: n
    type: numeric
    question: "Bias 0.3, variance 0.05, noise 0.1: expected squared error?"
    answer: 0.24
    given: {formula}
"""
CLOZE = """\
  - id: c
    type: cloze
    text: "{text}"
"""
TYPED = """\
  - id: t
    type: typed
    question: "{question}"
    answers: [bagging, 배깅]
"""
MCQ = """\
  - id: m
    type: mcq
    question: "{question}"
    choices: [{choices}]
    answer: 0
"""
ORDER = """\
  - id: o
    type: order
    question: Put these in chronological order.
    items: [{items}]
"""
TF = """\
  - id: f
    type: truefalse
    question: {{en: "{en}", ko: "{ko}"}}
    answer: {answer}
"""
BASIC = """\
  - id: {id}
    type: basic
    front: {front}
    back: {back}
"""


def test_every_rule_id_has_a_check() -> None:
    assert set(spec.LINT_RULES) == set(CARD_RULES) | {"duplicate-question"}


def test_question_side_shows_the_given_formula_and_never_the_answer_formula() -> None:
    d = deck(
        NUMERIC.format(formula="'E = 0.24'")
        + BASIC.format(id="b", front="F", back="B")
        + "    formula: 'x^2'\n"
        + NUMERIC.replace("id: n", "id: n2").replace("given:", "formula:").format(formula="'y'")
    )
    numeric, basic, with_formula = d.cards
    assert question_side(numeric, "en").splitlines() == [numeric.prompt.en, "E = 0.24"]
    assert question_side(basic, "en") == "F"
    assert question_side(with_formula, "en") == with_formula.prompt.en


# -- answer-on-question-side ------------------------------------------------------------------


def test_numeric_answer_worked_out_in_the_formula() -> None:
    assert found(NUMERIC.format(formula="'0.3^2 + 0.05 + 0.1 = 0.24'")) == [
        ("answer-on-question-side", "the answer 0.24 is shown as a result on the question side")
    ]


@pytest.mark.parametrize(
    "formula",
    [
        "'E = b^2 + v + \\sigma^2'",  # no number at all
        "'x = 0.3 + 0.05 = 10.24'",  # 0.24 only as part of another number
        "'s = 0.24'",  # a name's value is a given, not a result
    ],
)
def test_numeric_answer_not_shown(formula: str) -> None:
    assert rules(NUMERIC.format(formula=formula)) == []


def test_numbers_match_as_numbers_not_digits() -> None:
    card = NUMERIC.replace("answer: 0.24", "answer: 3").format(formula="'(7 - 1)/2 = 30'")
    assert rules(card) == []
    card = NUMERIC.replace("answer: 0.24", "answer: 3").format(formula="'(7 - 1)/2 = 3'")
    assert rules(card) == ["answer-on-question-side"]


def test_cloze_deletion_in_the_given_formula() -> None:
    card = CLOZE.format(text="Output size: {{c1::floor((n + 2p − k) / s) + 1}}.")
    tex = "'\\operatorname{floor}\\left(\\frac{n+2p-k}{s}\\right) + 1'\n"
    assert rules(card + "    given: " + tex) == ["answer-on-question-side"]
    assert rules(card + "    given: 'o = \\frac{n}{s}'\n") == []
    # the card's formula is on the answer side: it gives nothing away
    assert rules(card + "    formula: " + tex) == []


def test_typed_answer_in_the_question() -> None:
    assert found(TYPED.format(question="Is a random forest bagging or boosting?")) == [
        ("answer-on-question-side", "the answer 'bagging' is shown on the question side")
    ]
    # Inside a longer word it is not the answer.
    assert rules(TYPED.format(question="Which ensemble method do baggings use?")) == []


def test_mcq_key_in_the_given_formula() -> None:
    card = MCQ.format(question="Which activation has range (−1, 1)?", choices="tanh, sigmoid, ReLU")
    assert found(card + "    given: '\\tanh(x) = \\frac{e^x - e^{-x}}{e^x + e^{-x}}'\n") == [
        ("answer-on-question-side", "the key 'tanh' is shown on the question side")
    ]
    assert rules(card + "    given: 'f(x) \\in (-1, 1)'\n") == []


def test_mcq_naming_every_option_singles_none_out() -> None:
    card = MCQ.format(question="Which is adaptive, Adam or SGD?", choices="Adam, SGD")
    assert rules(card) == []


# -- cloze-text-unblanked ---------------------------------------------------------------------


def test_cloze_deletion_stands_unblanked_in_the_text() -> None:
    card = CLOZE.format(text="A CNN has {{c1::convolution}} layers. Convolution extracts features.")
    assert found(card) == [
        ("cloze-text-unblanked", "cloze c1 'convolution' also stands unblanked in the text")
    ]


def test_cloze_deletion_only_inside_a_longer_word_is_fine() -> None:
    card = CLOZE.format(
        text="A CNN has {{c1::convolution}} layers; convolutional nets share weights."
    )
    assert rules(card) == []


def test_cloze_filled_deletion_gives_another_away() -> None:
    # Asking c2 fills c1 in: 'key' is then shown beside the blank.
    card = CLOZE.format(text="A {{c1::key}} matches a query; d_k is the {{c2::key}} size.")
    assert rules(card) == ["cloze-text-unblanked", "cloze-text-unblanked"]


# -- order-sortable ---------------------------------------------------------------------------


def test_order_items_with_years_in_order() -> None:
    card = ORDER.format(items="AlexNet (2012), VGG (2014), ResNet (2015)")
    assert found(card) == [
        ("order-sortable", "the items' years (2012, 2014, 2015) give the order away")
    ]


@pytest.mark.parametrize(
    "items",
    [
        "AlexNet, VGG, ResNet",  # no numbers
        "VGG-16, ResNet-152, AlexNet-8",  # numbers that do not sort them
        "AlexNet (2012), ResNet (2015)",  # two items sort one way or the other anyway
    ],
)
def test_order_items_not_sortable(items: str) -> None:
    assert rules(ORDER.format(items=items)) == []


# -- mcq-key-longest --------------------------------------------------------------------------


def test_mcq_key_much_longer_than_every_distractor() -> None:
    card = MCQ.format(
        question="Why does Adam divide by the root of v?",
        choices="'To scale each weight by its recent gradient size', Speed, Memory",
    )
    assert found(card) == [
        (
            "mcq-key-longest",
            "the key has 48 characters, 8.0x the longest distractor (6); make the distractors"
            " as specific",
        )
    ]


def test_mcq_key_about_as_long_as_a_distractor() -> None:
    card = MCQ.format(
        question="Why does Adam divide by the root of v?",
        choices="'To scale each weight by its gradient size', 'To make every step the same size'",
    )
    assert rules(card) == []


# -- tf-absolute-word -------------------------------------------------------------------------


def test_false_statement_with_an_absolute_word() -> None:
    card = TF.format(en="More data always helps.", ko="데이터가 많으면 항상 좋다.", answer="false")
    assert found(card) == [
        (
            "tf-absolute-word",
            "a false statement says 'always'; reword it without the absolute (en)",
        ),
        ("tf-absolute-word", "a false statement says '항상'; reword it without the absolute (ko)"),
    ]


@pytest.mark.parametrize(
    ("en", "ko", "answer"),
    [
        ("More data always helps.", "데이터가 많으면 항상 좋다.", "true"),  # a true one may
        ("ReLU's output is non-negative.", "ReLU의 출력은 절대값이 아니다.", "false"),
    ],
)
def test_statement_without_a_give_away(en: str, ko: str, answer: str) -> None:
    assert rules(TF.format(en=en, ko=ko, answer=answer)) == []


# -- answer-too-long --------------------------------------------------------------------------


def test_answer_over_45_words() -> None:
    card = BASIC.format(id="b", front="Q?", back=" ".join(["word"] * 46))
    assert found(card) == [
        (
            "answer-too-long",
            "the answer has 46 words (at most 45): split the card or move detail to 'explain'",
        )
    ]


def test_korean_words_counted_by_whitespace() -> None:
    back = "{en: Short., ko: " + " ".join(["단어"] * 46) + "}"
    assert rules(BASIC.format(id="b", front="Q?", back=back)) == ["answer-too-long"]
    assert rules(BASIC.format(id="b", front="Q?", back=" ".join(["word"] * 45))) == []


# -- duplicate-question -----------------------------------------------------------------------


def test_near_duplicate_question_across_decks() -> None:
    one = deck(BASIC.format(id="a", front="What does Adam's v track?", back="B"), "one")
    two = deck(BASIC.format(id="b", front="what does  ADAM'S v track", back="C"), "two")
    findings = lint_library([one, two])
    assert [(f.card, f.rule, f.message) for f in findings] == [
        ("two/b", "duplicate-question", "same question as one/a (one.yaml:4)")
    ]


def test_same_stem_with_other_choices_is_another_question() -> None:
    cards = MCQ.format(question="Which is true?", choices="A, B") + MCQ.replace(
        "id: m", "id: m2"
    ).format(question="Which is true?", choices="C, D")
    assert rules(cards) == []


# -- suppression ------------------------------------------------------------------------------


def test_a_card_can_ignore_a_rule_with_a_reason() -> None:
    card = TF.format(en="More data always helps.", ko="항상 좋다.", answer="false")
    assert rules(card) == ["tf-absolute-word", "tf-absolute-word"]
    ignore = '    lint: {ignore: [tf-absolute-word], reason: "the absolute is the point"}\n'
    assert rules(card + ignore) == []
    assert deck(card + ignore).cards[0].lint_ignore == ("tf-absolute-word",)


@pytest.mark.parametrize(
    ("lint", "message"),
    [
        (
            "{ignore: [tf-absolut-word], reason: r}",
            "8:21: unknown lint rule 'tf-absolut-word'; did you mean 'tf-absolute-word'?",
        ),
        ("{ignore: [tf-absolute-word]}", "8:11: 'lint' is missing 'reason'"),
        ("{ignore: [order-sortable], reason: r, why: x}", "8:49: unknown key 'why' in 'lint'"),
    ],
)
def test_bad_suppression_is_a_located_error(lint: str, message: str) -> None:
    text = HEAD.format(deck="d") + TF.format(en="E", ko="K", answer="true") + f"    lint: {lint}\n"
    loaded, problems, _ = parse_deck_text(text, Path("d.yaml"))
    assert loaded is None
    assert [f"{p.line}:{p.col}: {p.message}" for p in problems] == [message]


# -- the check command ------------------------------------------------------------------------

BAD_TF = TF.format(en="Dropout always helps.", ko="Dropout은 항상 도움이 된다.", answer="false")


@pytest.fixture
def warned(tmp_path: Path) -> Path:
    path = tmp_path / "w.yaml"
    path.write_text(HEAD.format(deck="w") + BASIC.format(id="ok", front="F", back="B") + BAD_TF)
    return path


def test_check_warns_and_passes_without_strict(warned: Path) -> None:
    result = runner.invoke(app, ["check", str(warned)])
    assert result.exit_code == 0
    # The card starts at line 8, column 5 (its first key, after "  - ").
    assert result.stdout.splitlines() == [
        f"{warned}:8:5: warning[tf-absolute-word]: a false statement says 'always';"
        " reword it without the absolute (en)",
        f"{warned}:8:5: warning[tf-absolute-word]: a false statement says '항상';"
        " reword it without the absolute (ko)",
    ]


def test_check_strict_makes_warnings_errors_exit_1(warned: Path) -> None:
    result = runner.invoke(app, ["check", "--strict", str(warned)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{warned}:8:5: error[tf-absolute-word]: ")


def test_check_load_errors_exit_2_even_with_strict(warned: Path) -> None:
    warned.write_text(warned.read_text().replace("type: basic", "type: basik"))
    assert runner.invoke(app, ["check", "--strict", str(warned)]).exit_code == 2


def test_check_json_lists_findings(warned: Path) -> None:
    result = runner.invoke(app, ["check", "--json", "--strict", str(warned)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["problems"] == []
    assert data["rules"] == {"tf-absolute-word": 2}
    assert data["warnings"][0] == {
        "path": str(warned),
        "line": 8,
        "col": 5,
        "rule": "tf-absolute-word",
        "message": "a false statement says 'always'; reword it without the absolute (en)",
        "card": "w/f",
    }


FINDING = re.compile(r"^(.+):(\d+):(\d+): error\[([a-z-]+)\]: .+$")


def test_check_strict_runs_on_the_shipped_content() -> None:
    """The content issue brings the count to zero; here: it runs and every finding is sound."""
    result = runner.invoke(app, ["check", "--strict"])
    assert result.exit_code in (0, 1)
    lines = result.stdout.splitlines()
    assert all(FINDING.match(line) for line in lines), lines[:3]
    data = json.loads(runner.invoke(app, ["check", "--json"]).stdout)
    assert data["problems"] == [] and len(data["warnings"]) == len(lines)
    assert sum(data["rules"].values()) == len(lines)
    assert set(data["rules"]) <= set(spec.LINT_RULES)
    for w in data["warnings"]:
        assert w["rule"] in spec.LINT_RULES and w["message"]
        text = Path(w["path"]).read_text(encoding="utf-8").splitlines()
        # line:col is the card's first key; its id is among the keys that follow
        assert text[w["line"] - 1][: w["col"] - 1].endswith("- ")
        block = text[w["line"] - 1 : w["line"] + 30]
        end = next((i for i, ln in enumerate(block[1:], 1) if ln.lstrip().startswith("- id:")), 31)
        assert f"id: {w['card'].split('/')[1]}" in "\n".join(block[:end])


def test_finding_prints_like_a_compiler() -> None:
    f = Finding(Path("d.yaml"), 3, 5, "answer-too-long", "too long", "d/c")
    assert str(f) == "d.yaml:3:5: warning[answer-too-long]: too long"
    assert f.format("error") == "d.yaml:3:5: error[answer-too-long]: too long"

"""Study notes to draft decks: each heuristic on small hand-written notes, in English and Korean,
stable ids, --merge, encodings; whole notes in the course notes' style (tests/fixtures/notes)
and, where they are beside the checkout, the five course notes themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from studytool.content.loader import load_deck
from studytool.content.model import Card, CardType
from studytool.exchange.notes import KINDS, NoteDraft, draft_deck, draft_from_file
from studytool.exchange.textio import ExchangeError
from studytool.exchange.yamlio import save_deck


def draft(text: str, deck: str = "t") -> NoteDraft:
    return draft_deck(text, "note.md", deck)


def kind(d: NoteDraft, name: str) -> list[Card]:
    return [c for c in d.deck.cards if c.tags == (name,)]


def only(d: NoteDraft, name: str) -> Card:
    cards = kind(d, name)
    assert len(cards) == 1, [(c.id, c.prompt) for c in d.deck.cards]
    return cards[0]


def saved_ok(d: NoteDraft, tmp_path: Path) -> list[Card]:
    """Write the draft and load it back: it must be a valid deck."""
    path = tmp_path / f"{d.deck.id}.yaml"
    save_deck(d.deck, path)
    deck, problems, _ = load_deck(path)
    assert problems == []
    assert deck is not None
    return list(deck.cards)


# -- definitions ---------------------------------------------------------------------------


def test_term_colon_definition_english_and_korean() -> None:
    d = draft(
        "Momentum: keeps a running average of gradients\n"
        "모멘텀: 관성처럼 이전 gradient를 반영한다\n"
    )
    en, ko = kind(d, "definition")
    assert (en.type, en.prompt.en, en.back.en) == (
        CardType.BASIC,
        "What is Momentum?",
        "keeps a running average of gradients",
    )
    assert en.prompt.ko == "Momentum(이)란 무엇인가요?"
    assert ko.prompt.ko == "모멘텀이란 무엇인가요?"  # 텀 ends on a consonant: 이란
    assert ko.back.en == ko.back.ko == "관성처럼 이전 gradient를 반영한다"
    assert (ko.source.note, ko.source.line, ko.source.quote) == (
        "note.md",
        2,
        "모멘텀: 관성처럼 이전 gradient를 반영한다",
    )


def test_term_dash_definition_bullets() -> None:
    d = draft(
        "- Dropout - randomly zeroes neurons\n- 드롭아웃 - 뉴런을 임의로 끈다\n- 배치 - 묶음\n"
    )
    fronts = {c.prompt.ko: c.back.en for c in kind(d, "definition")}
    assert fronts == {
        "Dropout(이)란 무엇인가요?": "randomly zeroes neurons",
        "드롭아웃이란 무엇인가요?": "뉴런을 임의로 끈다",
        "배치란 무엇인가요?": "묶음",  # 치 has no final consonant: 란
    }


def test_a_dash_in_prose_or_a_url_is_no_definition() -> None:
    d = draft(
        "- This is called an autoregressive model - it depends on the past\n"
        "https://example.com/a-b\n"
        "10:30 lecture\n"
        "Stride: step of the window\n"
    )
    assert [c.prompt.en for c in kind(d, "definition")] == ["What is Stride?"]


def test_definition_list_lines_and_a_single_sub_bullet() -> None:
    d = draft(
        "stride\n\n: how far the window moves\n\nOverfitting\n  - 과적합. test에서 성능이 낮다\n"
    )
    cards = {c.prompt.en: c.back.en for c in kind(d, "definition")}
    assert cards == {
        "What is stride?": "how far the window moves",
        "What is Overfitting?": "과적합. test에서 성능이 낮다",
    }


def test_a_term_under_a_heading_names_its_context() -> None:
    d = draft(
        "LSTM\n- forget gate: decides what to throw away\n- input gate: decides what to store\n"
    )
    forget = next(c for c in kind(d, "definition") if "forget" in c.prompt.en)
    assert forget.prompt.en == "What is forget gate? (LSTM)"


# -- headings and cloze --------------------------------------------------------------------


def test_heading_with_bullets_becomes_key_points() -> None:
    d = draft(
        "Regularization\n- Dropout\n- Early stopping\n- Weight decay\n\n"
        "정규화 기법:\n- 드롭아웃\n- 조기 종료\n"
    )
    en, ko = kind(d, "key-points")
    assert en.prompt.en == "What are the key points of Regularization?"
    assert en.back.en == "- Dropout\n- Early stopping\n- Weight decay"
    assert ko.prompt.ko == "정규화 기법의 핵심 내용은 무엇인가요?"
    assert ko.back.ko == "- 드롭아웃\n- 조기 종료"


def test_markdown_heading_and_nested_bullets() -> None:
    d = draft("# Optimizers\n\n- SGD\n- Adam\n  - momentum\n  - adaptive learning rate\n")
    points = {c.prompt.en: c.back.en for c in kind(d, "key-points")}
    assert points == {
        "What are the key points of Optimizers?": "- SGD\n- Adam",
        "What are the key points of Adam?": "- momentum\n- adaptive learning rate",
    }


def test_a_sentence_followed_by_bullets_is_no_heading() -> None:
    d = draft("오늘은 정말 많은 것을 배웠다.\n- 첫째\n- 둘째\n배운 것\n- 첫째\n- 둘째\n")
    assert [c.prompt.ko for c in kind(d, "key-points")] == ["배운 것의 핵심 내용은 무엇인가요?"]


def test_bold_terms_become_cloze() -> None:
    d = draft("## Optimizers\n- **Adam** combines momentum and RMSprop\n- plain bullet here\n")
    card = only(d, "cloze")
    assert card.type is CardType.CLOZE
    assert card.prompt.en == "{{c1::Adam}} combines momentum and RMSprop"


def test_heading_and_defined_terms_become_cloze_in_english_and_korean() -> None:
    d = draft(
        "Bootstrapping: sampling with replacement\n"
        "Bagging\n"
        "- each model is trained on a Bootstrapping sample\n"
        "- predictions of the models are averaged\n"
        "부트스트랩\n"
        "- 복원 추출로 표본을 만드는 방법을 부트스트랩이라고 한다\n"
        "- 통계학에서 쓰는 기법\n"
    )
    texts = sorted(c.prompt.en for c in kind(d, "cloze"))
    assert texts == [
        "each model is trained on a {{c1::Bootstrapping}} sample",
        "복원 추출로 표본을 만드는 방법을 {{c1::부트스트랩}}이라고 한다",
    ]


def test_cloze_blanks_whole_words_only() -> None:
    d = draft("CNN: a convolutional network\nDetection\n- R-CNN uses region proposals\n- YOLO\n")
    assert kind(d, "cloze") == []  # CNN inside R-CNN is not the term CNN


# -- formulas ------------------------------------------------------------------------------


def test_inline_equation_becomes_formula_card() -> None:
    d = draft(
        "Probability\n- Chain rule: $p(x, y) = p(x) p(y|x)$\n- sum $\\sum_{i=1}^n x_i$ only\n"
    )
    card = only(d, "formula")
    assert card.formula == "p(x, y) = p(x) p(y|x)"
    assert card.prompt.en == "What is the formula for Chain rule? (Probability)"
    assert card.back.en == "Chain rule: p(x, y) = p(x) p(y|x)"  # rendered, readable


def test_display_formula_block_belongs_to_its_bullet() -> None:
    d = draft(
        "최적화\n"
        "  1. 경사하강법\n"
        "    - 가장 기본적인 방법\n"
        "    - 학습률을 쓴다\n"
        "$$\n"
        "\\begin{aligned}\n"
        "W_{t+1} &\\leftarrow W_{t} - \\gamma g_{t}\n"
        "\\end{aligned}\n"
        "$$\n"
    )
    card = only(d, "formula")
    assert card.prompt.ko == "경사하강법의 수식은 무엇인가요? (최적화)"
    assert card.formula.startswith("\\begin{aligned}")
    assert card.back.en == "Wₜ₊₁ ← Wₜ − γ gₜ"
    assert (card.source.line, card.source.quote) == (
        7,
        "W_{t+1} &\\leftarrow W_{t} - \\gamma g_{t}",
    )


def test_a_formula_on_its_own_is_named_by_the_line_before_it() -> None:
    d = draft("Energy:\n$$E = mc^2$$\n")
    card = only(d, "formula")
    assert (card.prompt.en, card.back.en, card.formula) == (
        "What is the formula for Energy?",
        "E = mc²",
        "E = mc^2",
    )


def test_symbols_and_subscripts_are_no_equations() -> None:
    d = draft("Data $(x_i, y_i)^{N}_{i=1}$ is given\n$\\gamma$ : learning rate\n")
    assert kind(d, "formula") == []
    assert only(d, "definition").prompt.en == "What is γ?"


# -- questions -----------------------------------------------------------------------------


def test_q_and_a_pairs() -> None:
    d = draft(
        "Q. What is overfitting?\n"
        "A. Fitting the noise of the training data.\n"
        "Q1. 과적합을 막는 방법은?\n"
        "A. 조기 종료, 드롭아웃\n"
        "Q. 논문은 어떻게 읽나요?\n"
        "Introduction을 먼저 읽는다.\n"
    )
    cards = {c.prompt.en: c.back.en for c in kind(d, "qa")}
    assert cards == {
        "What is overfitting?": "Fitting the noise of the training data.",
        "과적합을 막는 방법은?": "조기 종료, 드롭아웃",
        "논문은 어떻게 읽나요?": "Introduction을 먼저 읽는다.",
    }
    assert kind(d, "definition") == []


def test_question_bullets_with_their_answers() -> None:
    d = draft(
        "Peer session\n"
        "  - Time series에 k-fold CV를 써도 될까요?\n"
        "    - nested CV\n"
        "  - Is an autoencoder a generative model?\n"
        "  - No: it cannot sample new data.\n"
    )
    cards = {c.prompt.en: c.back.en for c in kind(d, "qa")}
    assert cards == {
        "Time series에 k-fold CV를 써도 될까요?": "- nested CV",
        "Is an autoencoder a generative model?": "No: it cannot sample new data.",
    }


# -- timelines -----------------------------------------------------------------------------


def test_timeline_becomes_year_cards_and_an_order_card() -> None:
    d = draft("History:\n2012 - AlexNet\n2014 - Adam\n2014 - GAN\n2017 - Transformer\n")
    years = {c.prompt.en: c.back.en for c in kind(d, "timeline")}
    assert years["In which year did Adam appear? (History)"] == "2014"
    assert len(years) == 4
    order = only(d, "order")
    assert order.type is CardType.ORDER
    assert order.prompt.en == "Put these in chronological order: History"
    assert [i.en for i in order.items] == ["AlexNet", "Adam / GAN", "Transformer"]


def test_korean_timeline_out_of_order_with_descriptions() -> None:
    d = draft(
        "딥러닝의 흐름\n2015 - ResNet\n깊은 네트워크를 가능하게 함\n2012 - AlexNet\nImageNet 우승\n"
    )
    order = only(d, "order")
    assert order.prompt.ko == "딥러닝의 흐름: 시간 순서대로 나열하세요."
    assert [i.ko for i in order.items] == ["AlexNet", "ResNet"]
    resnet = next(c for c in kind(d, "timeline") if c.back.en == "2015")
    assert resnet.prompt.ko == "ResNet은(는) 몇 년에 나왔나요? (딥러닝의 흐름)"
    assert resnet.explain is not None and resnet.explain.en == "깊은 네트워크를 가능하게 함"
    assert kind(d, "definition") == []


# -- every card, ids, merging --------------------------------------------------------------

MIXED = """\
# Week 2

Generalization: how well a model does on unseen data
Regularization
- Dropout - randomly zero neurons
- Early stopping
$$W_{t+1} = W_t - \\eta g_t$$
History:
2012 - AlexNet
2017 - Transformer
Q. Why normalize?
A. Faster training.
"""


def test_every_card_is_a_located_draft(tmp_path: Path) -> None:
    d = draft(MIXED)
    lines = MIXED.splitlines()
    assert {c.tags[0] for c in d.deck.cards} == set(KINDS) - {"cloze"}
    for card in d.deck.cards:
        assert card.draft is True
        assert card.source is not None and card.source.note == "note.md"
        assert card.source.quote == lines[card.source.line - 1].strip()
    assert d.counts == {k: len(kind(d, k)) for k in KINDS}
    cards = saved_ok(d, tmp_path)
    assert [c.id for c in cards] == [c.id for c in d.deck.cards]
    assert all(c.draft for c in cards)


def test_ids_are_stable_and_content_derived() -> None:
    first = [c.id for c in draft(MIXED).deck.cards]
    assert first == [c.id for c in draft(MIXED).deck.cards]
    assert len(set(first)) == len(first)
    # Editing a definition or adding lines elsewhere keeps the other ids.
    edited = MIXED.replace("on unseen data", "on data it never saw").replace(
        "# Week 2\n", "# Week 2\nBatch: a subset of the data\n"
    )
    second = {c.id for c in draft(edited).deck.cards}
    assert set(first) < second
    assert next(i for i in first if i.startswith("def-generalization-")) in second


def test_a_repeated_line_yields_one_card() -> None:
    d = draft("Stride: step of the window\nStride: step of the window\n")
    assert len(d.deck.cards) == 1


def test_merge_keeps_edits_and_appends_only_new_cards(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    first = save_deck(draft(MIXED).deck, path)
    assert (first.added, first.kept) == (len(draft(MIXED).deck.cards), 0)
    text = path.read_text(encoding="utf-8")
    text = text.replace("back: how well a model does on unseen data", "back: MY OWN WORDS  # mine")
    text = text.replace("    draft: true\n", "", 1)
    path.write_text(text, encoding="utf-8")

    again = save_deck(draft(MIXED).deck, path, merge=True)
    assert (again.added, again.kept) == (0, len(first_cards := draft(MIXED).deck.cards))
    assert path.read_text(encoding="utf-8") == text  # nothing new: the file is untouched

    more = draft(MIXED + "Padding: extra border pixels\n").deck
    merged = save_deck(more, path, merge=True)
    assert (merged.added, merged.kept) == (1, len(first_cards))
    new_text = path.read_text(encoding="utf-8")
    assert new_text.startswith(text.rstrip("\n"))  # the user's file, byte for byte, then more
    deck, problems, _ = load_deck(path)
    assert problems == [] and deck is not None
    assert len(deck.cards) == len(first_cards) + 1
    generalization = next(c for c in deck.cards if c.id.startswith("def-generalization-"))
    assert generalization.back.en == "MY OWN WORDS"
    assert not deck.cards[0].draft  # the flag the user removed stays removed
    assert deck.cards[-1].back.en == "extra border pixels"


def test_merge_refuses_a_broken_or_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("deck: t\ntitle: x\ncards: []\n", encoding="utf-8")
    with pytest.raises(ExchangeError, match=r"cannot merge into .*t\.yaml: it has 1 problem"):
        save_deck(draft(MIXED).deck, path, merge=True)
    save_deck(draft(MIXED, deck="other").deck, path, merge=False)
    with pytest.raises(ExchangeError, match="holds deck 'other', not 't'"):
        save_deck(draft(MIXED).deck, path, merge=True)


# -- bad input -----------------------------------------------------------------------------


def test_encodings(tmp_path: Path) -> None:
    note = "딥러닝: neural network를 사용하는 머신러닝\n"
    cp949 = tmp_path / "cp949.txt"
    cp949.write_bytes(note.encode("cp949"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + note.encode("utf-8"))
    plain = tmp_path / "plain.md"
    plain.write_text(note, encoding="utf-8")
    results = {p.name: draft_from_file(p, "t") for p in (cp949, bom, plain)}
    assert {k: r.encoding for k, r in results.items()} == {
        "cp949.txt": "CP949/EUC-KR",
        "bom.txt": "UTF-8 with BOM",
        "plain.md": "UTF-8",
    }
    backs = {r.deck.cards[0].back.en for r in results.values()}
    assert backs == {"neural network를 사용하는 머신러닝"}
    assert results["bom.txt"].deck.cards[0].source.quote.startswith("딥러닝")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"caf\xe9: a place for coffee\n",
            r"bad.txt:1: not UTF-8 or CP949/EUC-KR text \(byte 0xe9\)",
        ),
        (b"   \n\n", "bad.txt is empty"),
        (b"just some prose without structure.\n", "found nothing to turn into cards"),
        (b"\x00\x01\x02", "looks like a binary file"),
    ],
)
def test_bad_notes_are_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(ExchangeError, match=message):
        draft_from_file(bad, "t")


def test_missing_note_and_bad_deck_id(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match="no such file"):
        draft_from_file(tmp_path / "nope.md", "t")
    with pytest.raises(ExchangeError, match="is a directory"):
        draft_from_file(tmp_path, "t")
    with pytest.raises(ExchangeError, match="'My Deck' is not a valid deck id"):
        draft_deck("A: b c\n", "n.md", "My Deck")


# -- whole notes ---------------------------------------------------------------------------

# small notes written for these tests in the style of the course notes (mixed Korean and
# English, blog headers and footers, bullets of every kind); they ship with the tests
NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"
# the five course notes themselves, beside the checkout (CI has them; a fresh clone may not)
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# (note, fewest cards, most cards, heuristics that must find something)
NOTE_EXPECTATIONS = [
    ("week1_history.txt", 8, 14, {"definition", "key-points", "timeline", "order"}),
    ("week2_review.txt", 12, 20, {"definition", "key-points", "formula", "qa"}),
    ("week3_rnn.md", 10, 16, {"definition", "key-points", "cloze", "formula", "qa"}),
]
SEED_EXPECTATIONS = [
    ("000_8754e3a3a8811bec.txt", 60, 120, {"definition", "key-points", "timeline", "order"}),
    ("001_d24e08787af8eb5b.txt", 45, 100, {"definition", "key-points", "formula", "qa"}),
    ("002_66baef4439076c3b.txt", 60, 120, {"definition", "key-points", "formula", "qa", "cloze"}),
    ("003_9936537cd00a6f6c.txt", 25, 60, {"definition", "key-points", "qa"}),
    ("004_33d96d31a5583db2.txt", 12, 30, {"definition", "key-points", "timeline", "order"}),
]


def check_note(note: Path, low: int, high: int, found: set[str], tmp_path: Path) -> None:
    """A whole note drafts a valid deck of located draft cards with every heuristic expected."""
    d = draft_from_file(note, "seed")
    print(f"{note.name}: {len(d.deck.cards)} cards {d.counts}")
    assert low <= len(d.deck.cards) <= high
    assert {k for k, n in d.counts.items() if n} >= found
    cards = saved_ok(d, tmp_path)
    assert len(cards) == len(d.deck.cards)
    assert all(c.draft and c.source and c.source.note == note.name for c in cards)
    lines = note.read_text(encoding="utf-8").splitlines()
    for card in cards:
        assert card.source.line is not None
        assert lines[card.source.line - 1].strip().startswith(card.source.quote[:20])


@pytest.mark.parametrize(("note", "low", "high", "found"), NOTE_EXPECTATIONS)
def test_course_style_note_yields_valid_draft_deck(
    tmp_path: Path, note: str, low: int, high: int, found: set[str]
) -> None:
    check_note(NOTES / note, low, high, found, tmp_path)


def test_course_style_notes_yield_the_cards_a_student_would_write() -> None:
    history = draft_from_file(NOTES / "week1_history.txt", "w1")
    order = only(history, "order")
    assert order.prompt.ko == "딥러닝의 흐름: 시간 순서대로 나열하세요."
    assert [i.en for i in order.items] == [
        "AlexNet",
        "Adam Optimizer",
        "Residual Networks",
        "Transformer",
    ]
    resnet = next(c for c in kind(history, "timeline") if c.back.en == "2015")
    assert resnet.explain is not None and resnet.explain.en == "Network를 깊게 쌓을 수 있게 해줌"
    defs = {c.prompt.en: c.back.en for c in kind(history, "definition")}
    assert defs["What is Activation function?"] == "층 사이의 nonlinear 변환"

    review = draft_from_file(NOTES / "week2_review.txt", "w2")
    defs = {c.prompt.en: c.back.en for c in kind(review, "definition")}
    assert defs["What is Overfitting? (Overfitting & Underfitting)"].startswith("과적합.")
    qa = {c.prompt.en: c.back.en for c in kind(review, "qa")}
    assert qa["Is dropout used at test time?"].startswith("No: every neuron is kept")
    assert only(review, "formula").formula == "W_{t+1} = W_t - \\eta g_t"

    rnn = draft_from_file(NOTES / "week3_rnn.md", "w3")
    clozes = sorted(c.prompt.en for c in kind(rnn, "cloze"))
    assert clozes == [
        "{{c1::Hidden state}} carries what the network has seen so far",
        "각 단어는 {{c1::Query}}, Key, Value 벡터를 가진다",
    ]
    cell = only(rnn, "formula")
    assert cell.prompt.en == "What is the formula for Cell state update? (LSTM)"
    assert cell.back.en == "cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ c̃ₜ"
    qa = {c.prompt.en: c.back.en for c in kind(rnn, "qa")}
    assert qa["RNN의 단점은 무엇인가요?"] == "먼 과거의 데이터가 반영되지 못한다."


@pytest.mark.seeds
@pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"the five course notes are not in {SEEDS} (a checkout without ../shared/seeds/)",
)
@pytest.mark.parametrize(("seed", "low", "high", "found"), SEED_EXPECTATIONS)
def test_seed_note_yields_valid_draft_deck(
    tmp_path: Path, seed: str, low: int, high: int, found: set[str]
) -> None:
    check_note(SEEDS / seed, low, high, found, tmp_path)

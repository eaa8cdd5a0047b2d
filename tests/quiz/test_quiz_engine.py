"""The quiz engine: every question kind's scoring, the draw, timing, saving, review marks."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from kit import NOW, FakeTimer
from quizkit import card, quiz_cards

from studytool.content.model import Card, CardType, Text
from studytool.store import quizlog
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import Rating
from studytool.study.queue import build_queue
from studytool.study.quiz import (
    AnswerError,
    Kind,
    Question,
    QuizRun,
    QuizSpec,
    Response,
    TimeUp,
    add_missed_to_review,
    alternatives,
    draw_questions,
    make_question,
    parse_duration,
    save_result,
    weakness_weights,
)
from studytool.study.text import clock_text, format_number


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return quiz_cards()


def question(cards: list[Card], key: str, seed: int = 1) -> Question:
    return make_question(key, card(cards, key.removesuffix("@rev")), random.Random(seed))


# ---- scoring every kind ------------------------------------------------------------------


def test_choice_is_shuffled_and_scored_by_shown_position(cards: list[Card]) -> None:
    orders = {question(cards, "five/blur", seed).options for seed in range(20)}
    assert len(orders) > 1  # the seed shuffles the choices
    q = question(cards, "five/blur", 3)
    assert q.kind is Kind.CHOICE
    right = q.right_options[0]  # where "All entries 1/9" is shown
    assert q.option_texts("en")[right].startswith("All entries 1/9")
    assert q.parse("abc"[right]) == right == q.parse(str(right + 1))
    assert q.check(right).correct
    assert not q.check((right + 1) % 3).correct
    assert q.expected("ko").endswith("모든 값이 1/9 (box filter)")


def test_multi_gives_partial_credit(cards: list[Card]) -> None:
    q = question(cards, "five/effects")
    right = q.right_options
    wrong = next(p for p in range(4) if p not in right)
    assert q.kind is Kind.MULTI and len(right) == 3
    assert q.check(tuple(right)).score == 1.0
    assert q.check((right[0],)).score == pytest.approx(1 / 3)
    assert q.check((right[0], right[1])).score == pytest.approx(2 / 3)
    assert q.check((right[0], wrong)).score == 0.0  # a wrong pick cancels a right one
    letters = " ".join("abcd"[p] for p in right)
    assert q.parse(letters) == tuple(sorted(right))
    assert q.parse("1,3") == (0, 2)


@pytest.mark.parametrize(
    ("text", "value"),
    [("f", False), ("FALSE", False), ("x", False), ("거짓", False), ("t", True), ("o", True),
     ("참", True)],
)  # fmt: skip
def test_truefalse_reads_english_and_korean(cards: list[Card], text: str, value: bool) -> None:
    q = question(cards, "five/flip")
    assert q.parse(text) is value
    assert q.check(q.parse(text)).correct is (not value)  # the statement is false


@pytest.mark.parametrize(
    ("given", "ok"),
    [("bagging", True), ("  BAGGING ", True), ("ｂａｇｇｉｎｇ", True), ("배깅", True),
     ("배 깅", True), ("boosting", False)],
)  # fmt: skip
def test_typed_normalises_case_width_space_and_korean(
    cards: list[Card], given: str, ok: bool
) -> None:
    q = question(cards, "mixed/bagging")
    assert q.kind is Kind.TYPED
    assert q.check(q.parse(given)).correct is ok


@pytest.mark.parametrize(
    ("given", "ok"),
    [("0.5108", True), ("0.511", True), ("0.5108 nats", True), ("0.52", False),
     ("0.5108 bits", False), ("０.５１０８", True)],
)  # fmt: skip
def test_numeric_uses_tolerance_and_unit(cards: list[Card], given: str, ok: bool) -> None:
    q = question(cards, "mixed/kl-nats")
    assert q.kind is Kind.NUMERIC
    assert q.check(q.parse(given)).correct is ok
    assert q.expected("en") == "0.5108 ± 0.001 nats"
    assert q.instruction("en") == "Type a number (nats)"


def test_numeric_refuses_text_that_is_not_a_number(cards: list[Card]) -> None:
    q = question(cards, "mixed/kl-nats")
    with pytest.raises(AnswerError, match="type a number"):
        q.parse("about a half")


def test_generated_numeric_draws_numbers_into_both_languages(cards: list[Card]) -> None:
    for seed in range(10):
        q = question(cards, "five/conv-params", seed)
        v = q.instance.values
        answer = (v["k"] * v["k"] * v["c_in"] + 1) * v["c_out"]
        assert q.answer_number == answer
        assert f"nn.Conv2d({v['c_in']}, {v['c_out']}, {v['k']})" in q.question("en")
        assert f"nn.Conv2d({v['c_in']}, {v['c_out']}, {v['k']})" in q.question("ko")
        assert q.check(f"{answer:,}").correct and not q.check(str(answer + 1)).correct


def test_order_scores_the_share_in_place(cards: list[Card]) -> None:
    q = question(cards, "five/rcnn")
    assert q.kind is Kind.ORDER
    assert list(q.options) != [0, 1, 2]  # shown shuffled
    shown = {item: pos for pos, item in enumerate(q.options)}
    right = tuple(shown[i] for i in range(3))  # positions to press, oldest first
    assert q.check(right).score == 1.0
    swapped = (right[1], right[0], right[2])
    assert q.check(swapped).score == pytest.approx(1 / 3)
    assert q.parse(" ".join(str(p + 1) for p in right)) == right
    with pytest.raises(AnswerError, match="all 3 item numbers once each"):
        q.parse("1 1 2")


def test_parse_errors_say_what_an_answer_looks_like(cards: list[Card]) -> None:
    with pytest.raises(AnswerError, match="a-c or 1-3"):
        question(cards, "five/blur").parse("z")
    with pytest.raises(AnswerError, match="pick one choice"):
        question(cards, "five/blur").parse("a b")
    with pytest.raises(AnswerError, match="t or f"):
        question(cards, "five/flip").parse("maybe")
    with pytest.raises(AnswerError, match="empty"):
        question(cards, "mixed/bagging").parse("   ")


# ---- recall cards become questions -------------------------------------------------------


def test_reversed_back_to_front_is_typed_with_korean_and_acronym_alternatives(
    cards: list[Card],
) -> None:
    q = question(cards, "mixed/overfitting@rev")
    assert q.kind is Kind.TYPED and q.reverse
    assert q.question("en").startswith("Fitting the training data")
    for given in ("overfitting", "과적합", "Overfitting (과적합)"):
        assert q.check(given).correct, given
    assert q.expected("ko") == "Overfitting (과적합)"
    rnn = question(cards, "mixed/rnn-term@rev")
    for given in ("RNN", "recurrent neural network", "Recurrent-Neural Network"):
        assert rnn.check(given).correct, given
    assert not rnn.check("LSTM").correct


def test_front_to_back_and_formula_answers_are_self_graded(cards: list[Card]) -> None:
    forward = question(cards, "mixed/overfitting")
    assert forward.kind is Kind.SELF
    assert forward.expected("en").startswith("Fitting the training data")
    assert forward.parse("y") is True and forward.check(True).score == 1.0
    assert forward.check(False).score == 0.0
    assert question(cards, "mixed/mse").kind is Kind.SELF
    residual = question(cards, "mixed/residual")
    assert residual.kind is Kind.SELF and residual.expected("en") == "F(x) + x"
    with pytest.raises(AnswerError, match="y or n"):
        forward.parse("perhaps")


def test_cloze_with_a_short_answer_is_typed(cards: list[Card]) -> None:
    q = question(cards, "mixed/year")
    assert q.kind is Kind.TYPED
    assert q.question("en") == "The Transformer was published in [...]."
    assert q.question("ko") == "Transformer는 [...]년에 발표되었습니다."
    assert q.check("2017").correct and not q.check("2018").correct


def test_a_cloze_with_several_blanks_asks_one_and_fills_the_others() -> None:
    cloze = Card(
        deck="d",
        id="c",
        type=CardType.CLOZE,
        prompt=Text(
            "{{c1::Adam}} uses {{c2::momentum}}.", "{{c1::Adam}}은 {{c2::momentum}}을 씁니다."
        ),
    )
    asked = {make_question("d/c", cloze, random.Random(s)).question("en") for s in range(20)}
    assert asked == {"[...] uses momentum.", "Adam uses [...]."}


@pytest.mark.parametrize(
    ("term", "accepted", "refused"),
    [
        ("ReLU (rectified linear unit)", ["ReLU", "rectified linear unit"], []),
        ("BERT (2018)", ["BERT"], ["2018"]),
        ("Out-of-distribution (OOD) / novelty detection",
         ["OOD", "out-of-distribution", "novelty detection"], []),
        ("Growth rate k (DenseNet)", ["Growth rate k"], ["DenseNet"]),
    ],
)  # fmt: skip
def test_alternatives_of_a_term(term: str, accepted: list[str], refused: list[str]) -> None:
    alts = [a.casefold() for a in alternatives(term)]
    assert all(a.casefold() in alts for a in accepted), alts
    assert not any(r.casefold() in alts for r in refused), alts


def test_a_korean_aside_that_glosses_an_english_aside_is_not_an_answer() -> None:
    sgd = Card(
        deck="d",
        id="sgd",
        type=CardType.REVERSED,
        prompt=Text("Stochastic gradient descent (in the strict sense)", "SGD (좁은 의미)"),
        back=Text("One sample per update.", "업데이트마다 sample 하나."),
    )
    q = make_question("d/sgd@rev", sgd, random.Random(1))
    assert q.check("stochastic gradient descent").correct
    assert not q.check("좁은 의미").correct


# ---- drawing -----------------------------------------------------------------------------


def test_the_same_seed_draws_the_same_quiz(cards: list[Card]) -> None:
    spec = QuizSpec(n=6, fresh=True)

    def snapshot(seed: int) -> list[tuple]:
        qs = draw_questions(cards, spec, random.Random(seed))
        return [(q.key, q.options, q.question("en")) for q in qs]

    assert snapshot(5) == snapshot(5)
    assert snapshot(5) != snapshot(6)


def test_one_question_per_card_drafts_left_out_and_filters(cards: list[Card]) -> None:
    qs = draw_questions(cards, QuizSpec(n=100, fresh=True), random.Random(1))
    ids = [q.card.full_id for q in qs]
    assert len(ids) == len(set(ids)) == len([c for c in cards if not c.draft])
    assert "mixed/unfinished" not in ids
    five = draw_questions(cards, QuizSpec(decks=("five",), n=3), random.Random(1))
    assert len(five) == 3 and {q.card.deck for q in five} == {"five"}
    tagged = draw_questions(cards, QuizSpec(tags=("generalization",), n=10), random.Random(1))
    assert {q.card.full_id for q in tagged} == {"mixed/overfitting", "mixed/kl-nats"}


def test_kinds_alternate_when_they_can() -> None:
    def tf(i: int) -> Card:
        return Card("d", f"tf{i}", CardType.TRUEFALSE, Text.plain(f"s{i}"), answer_bool=True)

    def mcq(i: int) -> Card:
        choices = (Text.plain("x"), Text.plain("y"))
        return Card("d", f"m{i}", CardType.MCQ, Text.plain(f"q{i}"), choices=choices,
                    answer_index=0)  # fmt: skip

    pool = [tf(0), tf(1), mcq(0), mcq(1)]
    for seed in range(20):
        kinds = [q.kind for q in draw_questions(pool, QuizSpec(n=4), random.Random(seed))]
        assert all(a is not b for a, b in itertools.pairwise(kinds)), kinds


def test_the_draw_favours_weak_cards_unless_fresh(cards: list[Card]) -> None:
    keys = [k for c in cards if not c.draft for k in c.review_keys()]
    weights = dict.fromkeys(keys, 1.0) | {"five/flip": 60.0}
    spec = QuizSpec(n=1)
    weighted = Counter(
        draw_questions(cards, spec, random.Random(s), weights)[0].key for s in range(300)
    )
    fresh = Counter(
        draw_questions(cards, replace(spec, fresh=True), random.Random(s), weights)[0].key
        for s in range(300)
    )
    assert weighted["five/flip"] > 200  # 60 / (60 + 11) of the draws, about 250
    assert fresh["five/flip"] < 60  # uniform: 1 in 12, about 25


def test_weakness_weights_from_retrievability_and_misses(store: Store, cards: list[Card]) -> None:
    store.grade("five/blur", Rating.Again, NOW - timedelta(days=3))
    store.grade("five/flip", Rating.Easy, NOW - timedelta(days=3))
    store.grade("mixed/bagging", Rating.Good, NOW, mode=Mode.QUIZ)
    store.grade("mixed/bagging", Rating.Again, NOW, mode=Mode.QUIZ)
    w = weakness_weights(store, cards, NOW)
    assert w["five/effects"] == 2.0  # never reviewed
    assert w["five/blur"] > w["five/flip"]  # forgotten vs known
    assert w["five/blur"] > 1 + 4 * 0.5  # low retrievability plus a full share of Again
    assert w["mixed/bagging"] == pytest.approx(2.0 + 4 * 0.5)  # new, half its answers wrong


# ---- taking and saving a quiz ------------------------------------------------------------


def run_of(cards: list[Card], spec: QuizSpec, timer: FakeTimer) -> QuizRun:
    qs = draw_questions(cards, spec, random.Random(spec.seed))
    return QuizRun(qs, spec, clock=lambda: NOW, timer=timer)


def right_answer(q: Question) -> Response:
    match q.kind:
        case Kind.CHOICE:
            return q.right_options[0]
        case Kind.MULTI:
            return tuple(q.right_options)
        case Kind.TRUEFALSE:
            return bool(q.card.answer_bool)
        case Kind.NUMERIC:
            return str(q.answer_number)
        case Kind.ORDER:
            shown = {item: pos for pos, item in enumerate(q.options)}
            return tuple(shown[i] for i in range(len(q.options)))
    raise AssertionError(q.kind)


def test_a_run_times_each_question_and_counts_the_rest_as_unanswered(cards: list[Card]) -> None:
    timer = FakeTimer()
    run = run_of(cards, QuizSpec(decks=("five",), n=5, seed=4), timer)
    first = run.current
    timer.t += 7.5
    done = run.answer(right_answer(first))
    assert done.correct and done.duration_ms == 7500
    timer.t += 30  # reading the feedback does not count toward the next question
    run.next()
    timer.t += 2
    assert run.skip().duration_ms == 2000
    run.next()
    result = run.finish()
    assert [a.answered for a in result.answers] == [True, False, False, False, False]
    assert result.score == 1.0 and result.total == 5 and result.percent == 20.0
    assert result.missed == [] and len(result.unanswered) == 4
    assert result.duration_ms == 39500 and not result.timed_out
    assert run.current is None and run.finish() is result


def test_a_timed_run_refuses_answers_after_the_limit(cards: list[Card]) -> None:
    timer = FakeTimer()
    run = run_of(cards, QuizSpec(decks=("five",), n=5, seed=4, time_limit_s=60), timer)
    timer.t += 59
    assert run.time_left() == pytest.approx(1.0)
    run.answer(right_answer(run.current))
    run.next()
    timer.t += 2
    assert run.expired and run.time_left() == 0.0
    with pytest.raises(TimeUp):
        run.answer(right_answer(run.current))
    result = run.finish()
    assert result.timed_out and sum(a.answered for a in result.answers) == 1


def test_saving_logs_quiz_answers_without_touching_fsrs(store: Store, cards: list[Card]) -> None:
    store.grade("five/flip", Rating.Good, NOW - timedelta(days=2))
    before = {k: store.card(k).state for k in ("five/flip", "five/blur", "five/effects")}
    timer = FakeTimer()
    run = run_of(cards, QuizSpec(decks=("five",), n=5, seed=9), timer)
    wanted = {}
    while (q := run.current) is not None:
        if q.kind is Kind.MULTI:
            response = (q.right_options[0],)  # a third right: Again
        elif q.kind is Kind.TRUEFALSE:
            response = True  # wrong
        else:
            response = right_answer(q)
        timer.t += 3
        wanted[q.key] = run.answer(response)
        run.next()
    result = run.finish()
    quiz_id = save_result(store, result)

    logged = store._read(
        "SELECT c.key, r.rating, r.mode, r.duration_ms FROM revlog r JOIN cards c"
        " ON c.id = r.card_id WHERE r.mode = 'quiz' ORDER BY r.id"
    )
    assert [row[0] for row in logged] == [q.key for q in run.questions]
    ratings = {key: rating for key, rating, _, _ in logged}
    assert ratings["five/effects"] == Rating.Again and ratings["five/flip"] == Rating.Again
    assert ratings["five/blur"] == Rating.Good
    assert all(row[3] == 3000 for row in logged)
    for key, state in before.items():
        assert store.card(key).state == state  # quiz answers never reschedule

    [record] = quizlog.history(store)
    assert record.id == quiz_id and record.questions == 5 and record.answered == 5
    assert record.score == pytest.approx(3 + 1 / 3)
    assert record.decks == ("five",) and record.settings["seed"] == 9
    rows = quizlog.questions(store, quiz_id)
    assert [r.key for r in rows] == [q.key for q in run.questions]
    flip = next(r for r in rows if r.key == "five/flip")
    assert (flip.score, flip.answer, flip.expected) == (0.0, "true", "False")
    mode = store._read("SELECT mode FROM sessions WHERE id = (SELECT session_id FROM quizzes)")
    assert mode == [("quiz",)]


def test_missed_cards_come_first_in_the_next_review_until_reviewed(
    store: Store, cards: list[Card]
) -> None:
    # a card reviewed well: not due for days, so normally not in today's queue
    store.grade("five/flip", Rating.Easy, NOW - timedelta(hours=1))
    assert "five/flip" not in [i.key for i in build_queue(store, cards, NOW)]

    run = run_of(cards, QuizSpec(decks=("five",), n=5, seed=2), FakeTimer())
    while (q := run.current) is not None:
        run.answer(True if q.kind is Kind.TRUEFALSE else right_answer(q))  # flip is missed
        run.next()
    result = run.finish()
    assert [a.question.key for a in result.missed] == ["five/flip"]
    quiz_id = save_result(store, result)
    assert add_missed_to_review(store, result, quiz_id, NOW) == 1

    queue = build_queue(store, cards, NOW + timedelta(minutes=5))
    assert queue[0].key == "five/flip"
    assert store.card("five/flip").state.due > NOW + timedelta(days=1)  # the mark is all

    store.grade("five/flip", Rating.Good, NOW + timedelta(minutes=6))
    later = build_queue(store, cards, NOW + timedelta(minutes=7))
    assert "five/flip" not in [i.key for i in later]
    store.undo()  # the review is taken back: the card is marked again
    assert build_queue(store, cards, NOW + timedelta(minutes=7))[0].key == "five/flip"
    store.suspend("five/flip")
    assert quizlog.flagged_keys(store, NOW) == []


def test_trends_compare_recent_quizzes_and_list_the_most_missed(store: Store) -> None:
    def record(percent: float, decks: tuple[str, ...], minute: int, missed: str) -> None:
        rows = [
            quizlog.QuestionRow(missed, "typed", 0.0, 1000, "x", "y"),
            quizlog.QuestionRow("five/blur", "choice", 1.0, 1000, "a", "a) box"),
        ]
        quizlog.record_quiz(
            store,
            started_ms=1_700_000_000_000 + minute * 60_000,
            duration_ms=60_000,
            decks=decks,
            tags=(),
            settings="{}",
            score=percent / 50,
            questions=rows,
        )

    assert quizlog.trends(store).quizzes == 0  # no tables yet: no history, no error
    for i, p in enumerate([50, 50, 100, 100]):
        record(p, ("five",) if i % 2 else (), i, "mixed/bagging" if i < 3 else "five/flip")
    t = quizlog.trends(store)
    assert t.quizzes == 4 and t.average == 75.0 and t.best == 100.0
    assert t.change == 50.0  # the last two average 100, the two before 50
    assert [p for _, p in t.recent] == [50.0, 50.0, 100.0, 100.0]
    assert {(s.scope, s.quizzes) for s in t.scopes} == {("all", 2), ("five", 2)}
    assert t.most_missed[0] == ("mixed/bagging", 3, 3)
    assert [r.percent for r in quizlog.history(store, limit=2)] == [100.0, 100.0]
    assert t.to_dict()["most_missed"][1] == {"key": "five/flip", "missed": 1, "asked": 1}


# ---- small helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"), [("20m", 1200), ("90s", 90), ("1h30m", 5400), ("15", 900), ("2M", 120)]
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "20x", "m", "0", "25h", "-5m"])
def test_parse_duration_refuses_bad_input(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|between"):
        parse_duration(text)


def test_clock_and_number_formats() -> None:
    assert clock_text(1200) == "20:00" and clock_text(59.2) == "1:00"
    assert clock_text(3725) == "1:02:05"
    assert format_number(262144.0) == "262,144" and format_number(0.5108) == "0.5108"
    assert format_number(3_000_000.0) == "3,000,000"

"""Quizzes: draw N mixed questions, check the answers, time them, save the result. No UI.

    questions = draw_questions(cards, spec, random.Random(spec.seed), weights)
    run = QuizRun(questions, spec, clock=utc_now)
    q = run.current                      # None once every question is done
    run.answer(q.parse("b"))             # AnswerError for input that is not an answer
    run.next()                           # the next question starts its timer
    result = run.finish()
    quiz_id = save_result(store, result) # history, and each answer in the revlog as quiz mode

Every card type becomes a question. mcq, multi, truefalse, typed, numeric and order cards are
asked as they are (choices and order items shuffled by the quiz's seed; generated numeric cards
get fresh numbers). Recall cards are turned into a question that can be checked when their answer
is short and plain: the back-to-front side of a reversed card ("which term is defined as ...?")
and a cloze with one blank are typed when the answer is a term of at most 5 words and 40
characters without formula symbols; alternatives in parentheses count ("Overfitting (과적합)"
accepts "overfitting" and "과적합"). Everything else (definitions, formulas) is self-graded: the
answer is revealed and the user says whether they knew it.

The draw is weighted toward weak cards: weight = 1 + 4·(1 − retrievability) (2 for a card never
reviewed) + 4·(share of its answers rated Again), halved for self-graded questions so that most
of a quiz is checked. `fresh` draws uniformly. The same seed and weights give the same quiz.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from studytool.content.model import Card
from studytool.study import cardtypes

# the quiz's public names that live in the card-type model
from studytool.study.cardtypes import AnswerError as AnswerError
from studytool.study.cardtypes import Kind, Question, Response
from studytool.study.cardtypes import alternatives as alternatives
from studytool.study.grading import Check

if TYPE_CHECKING:
    from studytool.store.repo import Store

MAX_QUESTIONS = 200
FEEDBACK = ("immediate", "end")

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


class TimeUp(Exception):
    """The quiz's time limit has passed: no more answers."""


def parse_duration(text: str) -> int:
    """'20m', '90s', '1h30m' or a bare number of minutes -> seconds."""
    raw = text.strip().lower().replace(" ", "")
    if raw.isdigit():
        seconds = int(raw) * 60
    else:
        m = _DURATION.match(raw)
        if not raw or m is None:
            raise ValueError(f"'{text}' is not a duration: use e.g. 20m, 90s or 1h30m")
        h, mins, s = (int(g or 0) for g in m.groups())
        seconds = h * 3600 + mins * 60 + s
    if not 0 < seconds <= 24 * 3600:
        raise ValueError(f"'{text}': a quiz lasts between 1 second and 24 hours")
    return seconds


def make_question(key: str, card: Card, rng: random.Random) -> Question:
    """One quiz question for a review key. Uses `rng` for shuffles, drawn numbers and the
    blank."""
    return cardtypes.ask(key, card, rng)


# ---- drawing a quiz ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuizSpec:
    """What the user asked for. Empty decks/tags mean all; a card matches any listed tag."""

    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    n: int = 10
    time_limit_s: int | None = None
    fresh: bool = False
    seed: int | None = None
    feedback: str = "immediate"  # or "end"
    lang: str = "en"

    def matches(self, card: Card) -> bool:
        if card.draft or (self.decks and card.deck not in self.decks):
            return False
        return not self.tags or any(t in self.tags for t in card.tags)

    def to_dict(self) -> dict[str, object]:
        return {
            "decks": list(self.decks),
            "tags": list(self.tags),
            "n": self.n,
            "time_limit_s": self.time_limit_s,
            "fresh": self.fresh,
            "seed": self.seed,
            "feedback": self.feedback,
            "lang": self.lang,
        }


def weakness_weights(store: Store, cards: Iterable[Card], now: datetime) -> dict[str, float]:
    """Review key -> draw weight: low retrievability and many Again answers weigh more."""
    records = store.records()
    again = store.answer_counts()
    weights: dict[str, float] = {}
    for card in cards:
        for key in card.review_keys():
            rec = records.get(key)
            if rec is None or rec.state.is_new:
                weight = 2.0
            else:
                weight = 1.0 + 4.0 * (1.0 - store.scheduler.retrievability(rec.id, rec.state, now))
            total, wrong = again.get(key, (0, 0))
            if total:
                weight += 4.0 * wrong / total
            weights[key] = weight
    return weights


def draw_questions(
    cards: Iterable[Card],
    spec: QuizSpec,
    rng: random.Random,
    weights: Mapping[str, float] | None = None,
) -> list[Question]:
    """Up to `spec.n` questions from the matching cards, at most one per card, ordered so
    that the same kind of question rarely comes twice in a row. Without `weights` (or with
    `spec.fresh`) every card is as likely; otherwise weighted sampling without replacement."""
    pool = sorted((c for c in cards if spec.matches(c)), key=lambda c: c.full_id)
    uniform = spec.fresh or weights is None
    scored: list[tuple[float, str, Question]] = []
    for card in pool:
        keys = card.review_keys()
        if len(keys) > 1 and not uniform:
            assert weights is not None
            best = max(weights.get(k, 1.0) for k in keys)
            keys = tuple(k for k in keys if weights.get(k, 1.0) == best)
        key = rng.choice(keys)
        question = make_question(key, card, rng)
        weight = 1.0 if uniform else weights.get(key, 1.0)  # type: ignore[union-attr]
        if question.kind == Kind.SELF and not uniform:
            weight /= 2
        # Efraimidis-Spirakis: the n largest u^(1/w) are a weighted sample without replacement
        scored.append((rng.random() ** (1.0 / weight), key, question))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return _mix([q for _, _, q in scored[: spec.n]])


def _mix(questions: list[Question]) -> list[Question]:
    """Keep the drawn order, but take the next question of another kind (and concept) when
    one is left."""
    out: list[Question] = []
    left = list(questions)
    while left:
        last = out[-1] if out else None
        pick = 0
        if last is not None:
            pick = next(
                (
                    i
                    for i, q in enumerate(left)
                    if q.kind != last.kind and q.card.sibling_key != last.card.sibling_key
                ),
                0,
            )
        out.append(left.pop(pick))
    return out


# ---- taking a quiz -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answered:
    question: Question
    response: Response | None  # None: skipped, or not reached before the time ran out
    check: Check | None
    duration_ms: int
    at: datetime | None = None  # when it was answered
    overruled: bool = False  # the user said it was right after all ("I was right")

    @property
    def answered(self) -> bool:
        return self.response is not None

    @property
    def score(self) -> float:
        return self.check.score if self.check is not None else 0.0

    @property
    def correct(self) -> bool:
        return self.check is not None and self.check.correct

    def response_text(self) -> str | None:
        return None if self.response is None else self.question.response_text(self.response)


@dataclass(frozen=True, slots=True)
class QuizResult:
    spec: QuizSpec
    started_at: datetime
    duration_ms: int
    answers: tuple[Answered, ...]
    timed_out: bool = False

    @property
    def total(self) -> int:
        return len(self.answers)

    @property
    def score(self) -> float:
        return sum(a.score for a in self.answers)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.total if self.total else 0.0

    @property
    def missed(self) -> list[Answered]:
        """Answered, but not fully right."""
        return [a for a in self.answers if a.answered and not a.correct]

    @property
    def unanswered(self) -> list[Answered]:
        return [a for a in self.answers if not a.answered]


@dataclass
class QuizRun:
    """A quiz being taken: one question at a time, each timed on a monotonic timer."""

    questions: Sequence[Question]
    spec: QuizSpec
    clock: Callable[[], datetime]
    timer: Callable[[], float] = time.monotonic
    answers: list[Answered] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.started_at = self.clock()
        self._t0 = self.timer()
        self._shown_at = self._t0
        self._finished: QuizResult | None = None

    @property
    def index(self) -> int:
        """Position of the current question (answered or not)."""
        return min(len(self.answers), len(self.questions))

    @property
    def current(self) -> Question | None:
        """The question to answer now; None after the last one is answered."""
        if self._finished is not None or len(self.answers) >= len(self.questions):
            return None
        return self.questions[len(self.answers)]

    def elapsed_s(self) -> float:
        return self.timer() - self._t0

    def time_left(self) -> float | None:
        """Seconds left (never negative), or None for an untimed quiz."""
        if self.spec.time_limit_s is None:
            return None
        return max(0.0, self.spec.time_limit_s - self.elapsed_s())

    @property
    def expired(self) -> bool:
        left = self.time_left()
        return left is not None and left <= 0

    def _record(self, response: Response | None) -> Answered:
        question = self.current
        if question is None:
            raise ValueError("no question to answer")
        if self.expired:
            raise TimeUp("time is up")
        check = None if response is None else question.check(response)
        duration = max(0, round((self.timer() - self._shown_at) * 1000))
        done = Answered(question, response, check, duration, self.clock())
        self.answers.append(done)
        return done

    def answer(self, response: Response) -> Answered:
        """Check and record an answer to the current question. Call `next()` to go on."""
        return self._record(response)

    def skip(self) -> Answered:
        return self._record(None)

    def overrule(self) -> Answered:
        """The user says "I was right": the last answer counts as right after all (an
        equivalent answer the check did not know), like changing the proposed grade in review.
        It is saved as right, and logged as Good."""
        if not self.answers or not self.answers[-1].answered:
            raise ValueError("no answer to overrule")
        last = self.answers[-1]
        expected = last.check.expected if last.check else last.question.expected("en")
        fixed = replace(last, check=Check(1.0, expected, "marked right by you"), overruled=True)
        self.answers[-1] = fixed
        return fixed

    def next(self) -> Question | None:
        """Start the clock of the next question (after any feedback was read)."""
        self._shown_at = self.timer()
        return self.current

    def finish(self) -> QuizResult:
        """End the quiz (early, or when the time ran out): questions not reached count as
        unanswered. Idempotent."""
        if self._finished is None:
            timed_out = self.expired
            rest = [Answered(q, None, None, 0) for q in self.questions[len(self.answers) :]]
            self._finished = QuizResult(
                spec=self.spec,
                started_at=self.started_at,
                duration_ms=max(0, round(self.elapsed_s() * 1000)),
                answers=tuple(self.answers + rest),
                timed_out=timed_out and bool(rest),
            )
        return self._finished


# ---- saving ------------------------------------------------------------------------------


def save_result(store: Store, result: QuizResult) -> int:
    """Store the quiz in the history and log each answer in the revlog as quiz mode (right ->
    Good, partly right -> Hard, wrong -> Again); FSRS state is left alone. Returns the quiz id."""
    from studytool.store import quizlog
    from studytool.store.repo import Mode
    from studytool.store.scheduler import to_ms
    from studytool.study.review import propose_rating

    spec = result.spec
    session = store.start_session(Mode.QUIZ, result.started_at, decks=spec.decks, tags=spec.tags)
    for a in result.answers:
        if a.answered:
            store.grade(
                a.question.key,
                propose_rating(a.check),
                a.at,
                duration_ms=a.duration_ms,
                mode=Mode.QUIZ,
                session_id=session,
            )
    rows = [
        quizlog.QuestionRow(
            key=a.question.key,
            kind=str(a.question.kind),
            score=a.score if a.answered else None,
            duration_ms=a.duration_ms if a.answered else None,
            answer=a.response_text(),
            expected=a.question.expected(spec.lang),
        )
        for a in result.answers
    ]
    quiz_id = quizlog.record_quiz(
        store,
        started_ms=to_ms(result.started_at),
        duration_ms=result.duration_ms,
        decks=spec.decks,
        tags=spec.tags,
        settings=json.dumps(spec.to_dict(), sort_keys=True),
        score=result.score,
        questions=rows,
        session_id=session,
    )
    store.end_session(session, result.started_at + timedelta(milliseconds=result.duration_ms))
    return quiz_id


def add_missed_to_review(store: Store, result: QuizResult, quiz_id: int, now: datetime) -> int:
    """Mark the missed questions' cards so the next review session shows them first (until
    they are reviewed). Returns how many keys were marked."""
    from studytool.store import quizlog

    keys = list(dict.fromkeys(a.question.key for a in result.missed))
    return quizlog.flag(store, keys, now, quiz_id)

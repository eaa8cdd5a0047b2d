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
from enum import StrEnum
from typing import TYPE_CHECKING

from studytool.content.model import CLOZE_RE, REVERSE_SUFFIX, Card, CardType, Text
from studytool.render import LABELS, cloze_back
from studytool.study import grading
from studytool.study.generate import Instance, draw
from studytool.study.grading import Check

if TYPE_CHECKING:
    from studytool.store.repo import Store

MAX_QUESTIONS = 200
MAX_TYPED_CHARS = 40
MAX_TYPED_WORDS = 5
LETTERS = "abcdefghijklmnopqrstuvwxyz"
FEEDBACK = ("immediate", "end")

# a term the user can type: letters, digits, Hangul, spaces and light punctuation, no formulas
_PLAIN = re.compile(r"^[A-Za-z0-9\uac00-\ud7a3\u3131-\u318e '’/.,&+×−–-]+$")
_PAREN = re.compile(r"(\s*)[(（]([^()（）]*)[)）]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_WORD_SPLIT = re.compile(r"[\s\-]+")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_TRUE = {"t", "true", "o", "y", "yes", "참", "맞다", "맞음", "예", "네"}
_FALSE = {"f", "false", "x", "n", "no", "거짓", "틀리다", "틀림", "아니오", "아니요"}


class Kind(StrEnum):
    """How a question is answered."""

    CHOICE = "choice"
    MULTI = "multi"
    TRUEFALSE = "truefalse"
    TYPED = "typed"
    NUMERIC = "numeric"
    ORDER = "order"
    SELF = "self"  # recall: the answer is revealed and the user says whether they knew it


INSTRUCTIONS = {
    Kind.CHOICE: ("Pick one", "하나를 고르세요"),
    Kind.MULTI: ("Pick all that apply", "해당하는 것을 모두 고르세요"),
    Kind.TRUEFALSE: ("True or false?", "참인가요, 거짓인가요?"),
    Kind.TYPED: ("Type the answer", "답을 입력하세요"),
    Kind.NUMERIC: ("Type a number", "숫자를 입력하세요"),
    Kind.ORDER: ("Put the items in order", "순서대로 나열하세요"),
    Kind.SELF: ("Answer in your head, then check", "머릿속으로 답한 뒤 확인하세요"),
}

Response = int | bool | str | tuple[int, ...]


class AnswerError(ValueError):
    """The text typed is not an answer to this question (the message says what is)."""


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


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    minutes, s = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{s:02d}" if hours else f"{minutes}:{s:02d}"


def label(i: int) -> str:
    """Display label of the i-th choice: a, b, c, ..."""
    return LETTERS[i] if i < len(LETTERS) else str(i + 1)


def format_number(x: float) -> str:
    """262144 -> '262,144' (never '2.6e+05'); 0.001 -> '0.001'."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.6g}"


# ---- questions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Question:
    key: str  # review key: deck/card, or deck/card@rev for the back-to-front side
    card: Card
    kind: Kind
    prompt: Text  # what is asked (numbers drawn, one cloze blanked, or the other side)
    options: tuple[int, ...] = ()  # mcq/multi: card choice shown at each position; order: item
    accepted: tuple[Text, ...] = ()  # typed: accepted answers (any of en/ko matches)
    reveal: Text | None = None  # self-graded and converted questions: the answer side
    instance: Instance | None = None  # generated numeric: the drawn numbers and answer

    @property
    def reverse(self) -> bool:
        return self.key.endswith(REVERSE_SUFFIX)

    def question(self, lang: str) -> str:
        return self.prompt.get(lang)

    def instruction(self, lang: str) -> str:
        en, ko = INSTRUCTIONS[self.kind]
        text = ko if lang == "ko" else en
        if self.kind is Kind.NUMERIC and self.card.unit:
            text += f" ({self.card.unit})"
        return text

    def option_texts(self, lang: str) -> list[str]:
        """Choices (mcq/multi) or order items, in the order they are shown."""
        source = self.card.items if self.kind is Kind.ORDER else self.card.choices
        return [source[i].get(lang) for i in self.options]

    @property
    def right_options(self) -> list[int]:
        """Positions of the right choices as shown (mcq/multi)."""
        right = (
            {self.card.answer_index} if self.kind is Kind.CHOICE else set(self.card.answer_indices)
        )
        return [pos for pos, i in enumerate(self.options) if i in right]

    @property
    def answer_number(self) -> float | None:
        return self.instance.answer if self.instance is not None else self.card.number

    def expected(self, lang: str) -> str:
        """The right answer as one line of text."""
        match self.kind:
            case Kind.CHOICE | Kind.MULTI:
                texts = self.option_texts(lang)
                return "; ".join(f"{label(p)}) {texts[p]}" for p in self.right_options)
            case Kind.TRUEFALSE:
                return LABELS[lang]["true" if self.card.answer_bool else "false"]
            case Kind.TYPED:
                return self.accepted[0].get(lang) if self.accepted else ""
            case Kind.NUMERIC:
                value = self.answer_number
                tol = f" ± {format_number(self.card.tolerance)}" if self.card.tolerance else ""
                unit = f" {self.card.unit}" if self.card.unit else ""
                return f"{format_number(value)}{tol}{unit}" if value is not None else ""
            case Kind.ORDER:
                shown = {item: pos for pos, item in enumerate(self.options)}
                return " → ".join(
                    f"{shown[i] + 1}) {it.get(lang)}" for i, it in enumerate(self.card.items)
                )
            case Kind.SELF:
                return self.reveal.get(lang) if self.reveal else ""
        return ""

    # ---- answers -------------------------------------------------------------------------

    def parse(self, text: str) -> Response:
        """Read a typed answer: "b" or "2" for a choice, "a c" for multi, t/f (o/x, 참/거짓),
        "3 1 2" for an order (the shown numbers, first to last), y/n for a self-graded one."""
        raw = text.strip()
        if not raw:
            raise AnswerError("empty answer")
        match self.kind:
            case Kind.CHOICE:
                picks = self._picks(raw, len(self.options))
                if len(picks) != 1:
                    raise AnswerError(f"pick one choice: {self._range(len(self.options))}")
                return picks[0]
            case Kind.MULTI:
                return tuple(sorted(set(self._picks(raw, len(self.options)))))
            case Kind.TRUEFALSE | Kind.SELF:
                word = raw.casefold()
                if word in _TRUE:
                    return True
                if word in _FALSE:
                    return False
                hint = "t or f (o/x, 참/거짓)" if self.kind is Kind.TRUEFALSE else "y or n"
                raise AnswerError(f"answer {hint}")
            case Kind.ORDER:
                n = len(self.options)
                picks = [int(p) - 1 for p in re.findall(r"\d+", raw)]
                if sorted(picks) != list(range(n)):
                    example = " ".join(str(i) for i in range(n, 0, -1))
                    raise AnswerError(
                        f"list all {n} item numbers once each, first to last, e.g. {example}"
                    )
                return tuple(picks)
            case Kind.NUMERIC:
                if grading.parse_number(raw) is None:
                    unit = f" (in {self.card.unit})" if self.card.unit else ""
                    raise AnswerError(f"type a number{unit}, e.g. 1024 or 0.5")
        return raw

    def _picks(self, raw: str, n: int) -> list[int]:
        tokens = re.findall(r"\d+|[A-Za-z]", raw)
        if not tokens or re.sub(r"[\d A-Za-z,;/]", "", raw):
            raise AnswerError(f"answer with {self._range(n)}")
        out = []
        for tok in tokens:
            i = int(tok) - 1 if tok.isdigit() else LETTERS.index(tok.lower())
            if not 0 <= i < n:
                raise AnswerError(f"'{tok}' is not a choice: {self._range(n)}")
            out.append(i)
        return out

    @staticmethod
    def _range(n: int) -> str:
        return f"a-{label(n - 1)} or 1-{n}"

    def check(self, response: Response) -> Check:
        """Score an answer with the shared grading rules (partial credit for multi and order)."""
        card = self.card
        match self.kind:
            case Kind.CHOICE:
                assert isinstance(response, int)
                check = grading.check_choice(card, self.options[response])
            case Kind.MULTI:
                assert isinstance(response, tuple)
                check = grading.check_multi(card, [self.options[i] for i in response])
            case Kind.TRUEFALSE:
                check = grading.check_truefalse(card, bool(response))
            case Kind.TYPED:
                typed = (
                    card
                    if card.type is CardType.TYPED
                    else replace(card, type=CardType.TYPED, answers=self.accepted)
                )
                check = grading.check_typed(typed, str(response))
            case Kind.NUMERIC:
                check = grading.check_numeric(card, str(response), self.answer_number)
            case Kind.ORDER:
                assert isinstance(response, tuple)
                check = grading.check_order(card, [self.options[i] for i in response])
            case _:
                check = Check(float(bool(response)), "", "self-graded")
        return replace(check, expected=self.expected("en"))

    def response_text(self, response: Response) -> str:
        """An answer as the user would write it: "b", "a, c", "true", "3 1 2", the text."""
        match self.kind:
            case Kind.CHOICE:
                return label(int(response))  # type: ignore[arg-type]
            case Kind.MULTI:
                return ", ".join(label(i) for i in response) or "-"  # type: ignore[union-attr]
            case Kind.TRUEFALSE:
                return "true" if response else "false"
            case Kind.SELF:
                return "knew it" if response else "did not know"
            case Kind.ORDER:
                return " ".join(str(i + 1) for i in response)  # type: ignore[union-attr]
        return str(response)


def _asides(text: str) -> tuple[str, list[str], list[str]]:
    """Split off parenthesised asides: ('Overfitting (과적합)') -> ('Overfitting', [], ['과적합']).
    Returns the bare text, the acronym asides and the other asides. A group is an aside when a
    space comes before it, or it is Korean, or an acronym of the rest (or the rest of it);
    'Pr(Object)' and 'F(x)' are not asides but part of a formula."""
    acronyms: list[str] = []
    others: list[str] = []

    def cut(m: re.Match[str]) -> str:
        inner = m.group(2).strip()
        rest = (text[: m.start()] + text[m.end() :]).strip()
        if _acronym_of(inner, rest) or _acronym_of(rest, inner):
            acronyms.append(inner)
            return ""
        if m.group(1) or _HANGUL.search(inner):
            others.append(inner)
            return ""
        return m.group(0)

    return _PAREN.sub(cut, text).strip(), acronyms, others


def alternatives(text: str, korean_asides: bool = True) -> list[str]:
    """Accepted spellings of a term: the whole text, the text without its asides, acronyms
    ('Recurrent neural network (RNN)' accepts 'RNN', 'ReLU (rectified linear unit)' accepts the
    expansion), and, when `korean_asides`, a Korean aside ('Overfitting (과적합)' accepts
    '과적합'). 'A / B' accepts each side."""
    out: list[str] = []
    parts = [text, *text.split(" / ")] if " / " in text else [text]
    for part in parts:
        bare, acronyms, others = _asides(part)
        out += [part.strip(), bare, *acronyms]
        if korean_asides:
            out += [a for a in others if _HANGUL.search(a)]
    return [s for s in dict.fromkeys(out) if s]


def _acronym_of(short: str, long: str) -> bool:
    words = [w for w in _WORD_SPLIT.split(long) if w]
    capitals = "".join(ch for ch in short if ch.isupper())
    return (
        len(words) >= 2
        and len(capitals) == len(words)
        and capitals == "".join(w[0] for w in words).upper()
    )


def _typeable(text: str) -> bool:
    """A short plain term (no formula) once its asides are removed."""
    bare = _asides(text)[0]
    return (
        bool(bare)
        and len(bare) <= MAX_TYPED_CHARS
        and len(bare.split()) <= MAX_TYPED_WORDS
        and bool(_PLAIN.match(bare))
    )


def _typed_or_self(card: Card, key: str, prompt: Text, answer: Text) -> Question:
    """Typed when the answer is a short plain term in English; the Korean side's spellings
    count too when they are plain. Self-graded otherwise."""
    if not _typeable(answer.en):
        return Question(key, card, Kind.SELF, prompt, reveal=answer)
    accepted = alternatives(answer.en)
    if _typeable(answer.ko):
        # a Korean aside translates the term only when the English has no aside of its own
        plain_en = not any(_asides(answer.en)[1:])
        accepted += alternatives(answer.ko, korean_asides=plain_en)
    else:
        accepted.append(answer.ko)
    texts = [answer, *(Text.plain(a) for a in dict.fromkeys(accepted))]
    return Question(key, card, Kind.TYPED, prompt, accepted=tuple(texts), reveal=answer)


def _cloze_numbers_once(text: str) -> set[int]:
    seen: dict[int, int] = {}
    for m in CLOZE_RE.finditer(text):
        n = int(m.group(1))
        seen[n] = seen.get(n, 0) + 1
    return {n for n, count in seen.items() if count == 1}


def _blank_one(text: str, number: int) -> str:
    """The cloze text with deletion `number` blanked ([...] or its hint) and the rest filled."""
    return CLOZE_RE.sub(
        lambda m: f"[{m.group(3) or '...'}]" if int(m.group(1)) == number else m.group(2), text
    )


def _deletion(text: str, number: int) -> str:
    return next((m.group(2) for m in CLOZE_RE.finditer(text) if int(m.group(1)) == number), "")


def _blank_all(text: str) -> str:
    return CLOZE_RE.sub(lambda m: f"[{m.group(3) or '...'}]", text)


def make_question(key: str, card: Card, rng: random.Random) -> Question:
    """One question for a review key. Uses `rng` for shuffles, drawn numbers and the blank."""
    prompt = card.prompt
    match card.type:
        case CardType.MCQ | CardType.MULTI:
            options = list(range(len(card.choices)))
            rng.shuffle(options)
            kind = Kind.CHOICE if card.type is CardType.MCQ else Kind.MULTI
            return Question(key, card, kind, prompt, options=tuple(options))
        case CardType.ORDER:
            options = list(range(len(card.items)))
            while len(options) > 1 and options == sorted(options):
                rng.shuffle(options)
            return Question(key, card, Kind.ORDER, prompt, options=tuple(options))
        case CardType.TRUEFALSE:
            return Question(key, card, Kind.TRUEFALSE, prompt)
        case CardType.TYPED:
            return Question(key, card, Kind.TYPED, prompt, accepted=card.answers)
        case CardType.NUMERIC:
            if card.compute:
                instance = draw(card, rng)
                filled = Text(instance.question_en, instance.question_ko, prompt.bilingual)
                return Question(key, card, Kind.NUMERIC, filled, instance=instance)
            return Question(key, card, Kind.NUMERIC, prompt)
        case CardType.CLOZE:
            once = sorted(_cloze_numbers_once(prompt.en) & _cloze_numbers_once(prompt.ko))
            if not once:
                filled = Text(cloze_back(prompt.en), cloze_back(prompt.ko), prompt.bilingual)
                blanked = Text(_blank_all(prompt.en), _blank_all(prompt.ko), prompt.bilingual)
                return Question(key, card, Kind.SELF, blanked, reveal=filled)
            n = rng.choice(once)
            blanked = Text(_blank_one(prompt.en, n), _blank_one(prompt.ko, n), prompt.bilingual)
            answer = Text(_deletion(prompt.en, n), _deletion(prompt.ko, n), prompt.bilingual)
            return _typed_or_self(card, key, blanked, answer)
    back = card.back or Text.plain("")
    if key.endswith(REVERSE_SUFFIX):
        return _typed_or_self(card, key, back, prompt)
    return _typed_or_self(card, key, prompt, back)


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
        if question.kind is Kind.SELF and not uniform:
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
                    if q.kind is not last.kind and q.card.sibling_key != last.card.sibling_key
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
            kind=a.question.kind.value,
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

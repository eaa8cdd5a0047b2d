"""Quiz mode: the setup form, the quiz itself (counter, countdown, answer keys) and the results.

QuizSetupScreen (decks, tags, number of questions, time limit, feedback, fresh draw) switches to
QuizScreen, which switches to QuizResultsScreen when the last question is answered, the time
runs out or the user ends the quiz. The quiz is saved (history + revlog in quiz mode) before
the results appear; "add missed to review" marks the missed cards for the next review session.

`quiz_trends_table(trends)` renders the quiz history for the Stats screen.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, cast

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Input,
    Label,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)

from studytool.latex import render as latex
from studytool.render import LABELS, notes_renderables
from studytool.store.errors import StoreError
from studytool.study.quiz import (
    FEEDBACK,
    MAX_QUESTIONS,
    Answered,
    Kind,
    Question,
    QuizResult,
    QuizRun,
    QuizSpec,
    Response,
    TimeUp,
    add_missed_to_review,
    clock_text,
    draw_questions,
    parse_duration,
    save_result,
    weakness_weights,
)
from studytool.tui.messages import ProgressChanged
from studytool.tui.screens import StudyScreen
from studytool.tui.summary import format_duration
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from studytool.store.quizlog import QuizTrends

CHOICE_KEYS = "abcde"
INPUT_KINDS = (Kind.TYPED, Kind.NUMERIC)


def parse_time_limit(text: str) -> int | None:
    """'' -> untimed; '20m', '90s', '1h30m' or minutes -> seconds. ValueError if bad."""
    return parse_duration(text) if text.strip() else None


# ---- setup ---------------------------------------------------------------------------------


class QuizSetupScreen(StudyScreen[None]):
    CSS_PATH = "quiz.tcss"
    TITLE_TEXT = "Quiz setup"
    HELP = (
        "Pick decks (none = all), optional tags, the number of questions, an optional time "
        "limit (20m, 90s, 1h30m) and when to see whether you were right."
    )
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", id="quiz-setup.start", priority=True),
        Binding("escape", "app.pop_screen", "Back", id="quiz-setup.back"),
    ]

    def __init__(self, deck: str | None = None) -> None:
        super().__init__()
        self.deck = deck

    def compose(self) -> ComposeResult:
        app = self.study_app
        yield TitleBar()
        with Horizontal(id="setup-main"):
            decks = SelectionList[str](
                *((d.title.get(app.lang), d.id, d.id == self.deck) for d in app.library.decks),
                id="setup-decks",
            )
            decks.border_title = "Decks (none = all)"
            yield decks
            with VerticalScroll(id="setup-options"):
                yield Label("Tags (comma-separated, any)")
                yield Input(placeholder="e.g. attention, cnn", id="setup-tags")
                with Horizontal(classes="setup-row"):
                    with Vertical():
                        yield Label("Questions")
                        yield Input("10", type="integer", id="setup-n")
                    with Vertical():
                        yield Label("Time limit")
                        yield Input(placeholder="none, or 20m", id="setup-time")
                yield Label("Feedback")
                with RadioSet(id="setup-feedback"):
                    for mode in FEEDBACK:
                        yield RadioButton(
                            "after each answer" if mode == "immediate" else "at the end",
                            value=mode == app.settings.quiz_feedback,
                            name=mode,
                        )
                yield Checkbox("Fresh: uniform, ignore progress", id="setup-fresh")
                yield Static(id="setup-error")
                yield Button("Start quiz (ctrl+s)", id="setup-start", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Quiz"
        self.query_one("#setup-decks", SelectionList).focus()

    @on(Button.Pressed, "#setup-start")
    @on(Input.Submitted)
    def _start(self) -> None:
        self.action_start()

    def error(self, message: str) -> None:
        self.query_one("#setup-error", Static).update(Text(message, style="bold red"))

    def spec(self) -> QuizSpec | None:
        """The form as a QuizSpec, or None after showing what is wrong."""
        decks = tuple(self.query_one("#setup-decks", SelectionList).selected)
        raw_tags = self.query_one("#setup-tags", Input).value
        tags = tuple(dict.fromkeys(t.strip() for t in raw_tags.split(",") if t.strip()))
        known = {t for c in self.study_app.all_cards() for t in c.tags}
        unknown = [t for t in tags if t not in known]
        if unknown:
            self.error(f"No card has the tag '{unknown[0]}'.")
            return None
        try:
            n = int(self.query_one("#setup-n", Input).value or "0")
        except ValueError:
            n = 0
        if not 1 <= n <= MAX_QUESTIONS:
            self.error(f"Questions: a number from 1 to {MAX_QUESTIONS}.")
            return None
        try:
            limit = parse_time_limit(self.query_one("#setup-time", Input).value)
        except ValueError as e:
            self.error(f"Time limit: {e}.")
            return None
        pressed = self.query_one("#setup-feedback", RadioSet).pressed_button
        feedback = pressed.name if pressed is not None and pressed.name else "immediate"
        return QuizSpec(
            decks=decks,
            tags=tags,
            n=n,
            time_limit_s=limit,
            fresh=self.query_one("#setup-fresh", Checkbox).value,
            seed=random.SystemRandom().randrange(1, 1_000_000),
            feedback=feedback,
            lang=self.study_app.lang,
        )

    def action_start(self) -> None:
        app = self.study_app
        spec = self.spec()
        if spec is None:
            return
        store = app.require_store()
        if store is None:
            return
        cards = app.all_cards()
        try:
            weights = None if spec.fresh else weakness_weights(store, cards, app.clock())
        except StoreError as e:
            self.error(str(e))
            return
        questions = draw_questions(cards, spec, random.Random(spec.seed), weights)
        if not questions:
            self.error("No cards match these decks and tags.")
            return
        titles = [d.title.get(app.lang) for d in app.library.decks if d.id in spec.decks]
        title = ", ".join(titles) or "all decks"
        run = QuizRun(questions, spec, clock=app.clock)
        app.switch_screen(QuizScreen(run, title=title))


# ---- the quiz ------------------------------------------------------------------------------


def _click(action: str) -> Style:
    return Style(meta={"@click": action})


def _verdict(a: Answered) -> Text:
    if not a.answered:
        return Text("– no answer", style="dim")
    if a.correct:
        return Text("✓ right", style="bold green")
    if a.score > 0:
        return Text(f"◐ {a.score:.0%}", style="bold yellow")
    return Text("✗ wrong", style="bold red")


def _positions(answered: Answered) -> list[int]:
    """The choices or order positions an answer picked, as shown."""
    response = answered.response
    if isinstance(response, tuple):
        return list(response)
    return [response] if isinstance(response, int) and not isinstance(response, bool) else []


class QuizScreen(StudyScreen[None]):
    CSS_PATH = "quiz.tcss"
    AUTO_FOCUS = ""
    TITLE_TEXT = "Quiz"
    HELP = (
        "Choices: 1-9 or a-e (several answers: toggle, then Enter). True/false: t / f. Typed and "
        "numeric: type, then Enter (empty Enter skips). Order: press the item numbers first to "
        "last, backspace takes one back, Enter checks. Self-graded: space shows the answer, then "
        "y (knew it) or n. s skips; Enter or space goes on after feedback; escape ends the quiz."
    )
    BINDINGS = [
        *(
            Binding(
                str(i + 1), f"pick({i})", f"Choice {i + 1}", show=False, id=f"quiz.pick-{i + 1}"
            )
            for i in range(9)
        ),
        *(
            Binding(c, f"pick({i})", f"Choice {c}", show=False, id=f"quiz.pick-{c}")
            for i, c in enumerate(CHOICE_KEYS)
        ),
        Binding("t", "truefalse(1)", "True", id="quiz.true"),
        Binding("f", "truefalse(0)", "False", id="quiz.false"),
        Binding("space", "reveal", "Show / next", id="quiz.reveal"),
        Binding("y", "self_grade(1)", "Knew it", id="quiz.knew"),
        Binding("n", "self_grade(0)", "Did not", id="quiz.not-knew"),
        Binding("enter", "confirm", "Check / next", id="quiz.confirm"),
        Binding("backspace", "unpick", "Take back", show=False, id="quiz.unpick"),
        Binding("s", "skip", "Skip", id="quiz.skip"),
        Binding("escape", "end", "End quiz", id="quiz.end"),
    ]

    def __init__(self, run: QuizRun, *, title: str = "") -> None:
        super().__init__()
        self.run = run
        self.heading = title
        self.picked: set[int] = set()  # multi: toggled choices
        self.sequence: list[int] = []  # order: positions pressed so far
        self.revealed = False  # self-graded: the answer is shown
        self.feedback: Answered | None = None  # the answer whose feedback is on screen
        self.done = False

    @property
    def lang(self) -> str:
        return self.study_app.lang

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="quiz-status")
        with VerticalScroll(id="quiz-scroll", can_focus=False):
            yield Static(id="quiz-question")
        yield Input(id="quiz-response")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Quiz · {self.heading}" if self.heading else "Quiz"
        self.watch(self.app, "lang", lambda _lang: self.redraw(), init=False)
        if self.run.spec.time_limit_s is not None:
            self.set_interval(1.0, self._tick)
        self.show_question()

    # ---- drawing -------------------------------------------------------------------------

    def show_question(self) -> None:
        question = self.run.current
        if question is None:
            self.finish()
            return
        self.picked = set()
        self.sequence = []
        self.revealed = False
        self.feedback = None
        response = self.query_one("#quiz-response", Input)
        response.value = ""
        response.disabled = False
        response.display = question.kind in INPUT_KINDS
        response.placeholder = (
            "A number, then Enter (empty Enter skips)"
            if question.kind is Kind.NUMERIC
            else "Your answer, then Enter (empty Enter skips)"
        )
        if question.kind in INPUT_KINDS:
            response.focus()
        else:
            self.set_focus(None)
        self.query_one("#quiz-scroll", VerticalScroll).scroll_home(animate=False)
        self.redraw()

    def redraw(self) -> None:
        self.update_status()
        question = self.run.current if self.feedback is None else self.feedback.question
        if question is not None:
            self.query_one("#quiz-question", Static).update(self.render_question())
        self.refresh_bindings()

    def update_status(self) -> None:
        run = self.run
        total = len(run.questions)
        shown = min(run.index + (0 if self.feedback is not None else 1), total)
        status = Text.assemble(
            (f" Question {max(shown, 1)} of {total} ", "bold reverse blue"),
        )
        if run.spec.feedback == "immediate" and run.answers:
            score = sum(a.score for a in run.answers)
            status.append(f"  ·  score {score:g} / {len(run.answers)}", style="bold")
        left = run.time_left()
        if left is not None:
            style = "bold red" if left < 60 else "bold"
            status.append("  ·  ⏱ ", style="dim")
            status.append(f"{clock_text(left)} left", style=style)
        self.query_one("#quiz-status", Static).update(status)

    def render_question(self) -> RenderableType:
        answered = self.feedback
        question = answered.question if answered is not None else self.run.current
        assert question is not None
        lang = self.lang
        parts: list[RenderableType] = [
            Text(question.instruction(lang), style="dim italic"),
            Text(question.question(lang), style="bold"),
        ]
        if question.card.formula and question.kind is not Kind.SELF:
            parts.append(
                Text.assemble(
                    (f"{LABELS[lang]['formula']}: ", "dim"),
                    (latex(question.card.formula), "bold cyan"),
                )
            )
        parts.append(Text())
        match question.kind:
            case Kind.CHOICE | Kind.MULTI:
                parts += self._choices(question, answered)
            case Kind.ORDER:
                parts += self._order(question, answered)
            case Kind.TRUEFALSE if answered is None:
                parts.append(
                    Text.assemble(
                        ("  t ", "dim"),
                        (LABELS[lang]["true"], _click("screen.truefalse(1)") + Style(bold=True)),
                        ("     f ", "dim"),
                        (LABELS[lang]["false"], _click("screen.truefalse(0)") + Style(bold=True)),
                    )
                )
            case Kind.SELF if answered is None:
                if self.revealed:
                    parts.append(
                        Text.assemble(
                            (f"{LABELS[lang]['answer']}: ", "bold green"), question.expected(lang)
                        )
                    )
                    parts.append(Text("\ny: I knew it    n: I did not", style="bold"))
                else:
                    parts.append(Text("space: show the answer", style="dim"))
            case _:
                pass
        if answered is not None:
            parts += self._feedback(answered)
        return Group(*parts)

    def _choices(self, question: Question, answered: Answered | None) -> list[RenderableType]:
        right = set(question.right_options)
        chosen = self.picked if answered is None else _positions(answered)
        multi = question.kind is Kind.MULTI
        rows: list[RenderableType] = []
        for pos, text in enumerate(question.option_texts(self.lang)):
            key = f"{pos + 1}/{CHOICE_KEYS[pos]}" if pos < len(CHOICE_KEYS) else f"{pos + 1}"
            picked = pos in chosen
            mark = ("☑" if picked else "☐") if multi else ("●" if picked else "○")
            style, suffix = ("bold" if picked else ""), ""
            if answered is not None:
                if pos in right:
                    style, suffix = "bold green", "  ✓"
                elif picked:
                    style, suffix = "red strike", "  ✗"
                else:
                    style = "dim"
            line = Text.assemble((f" {key:>4} ", "dim"), (f"{mark} {text}{suffix}", style))
            if answered is None:
                line.stylize(_click(f"screen.pick({pos})"))
            rows.append(line)
        return rows

    def _order(self, question: Question, answered: Answered | None) -> list[RenderableType]:
        texts = question.option_texts(self.lang)
        rows: list[RenderableType] = []
        for pos, text in enumerate(texts):
            placed = pos in self.sequence
            line = Text.assemble((f"  {pos + 1}. ", "bold"), (text, "dim" if placed else ""))
            if answered is None:
                line.stylize(_click(f"screen.pick({pos})"))
            rows.append(line)
        sequence = self.sequence if answered is None else _positions(answered)
        chosen = " → ".join(str(p + 1) for p in sequence) or "press the numbers, first to last"
        rows += [Text(), Text.assemble(("Your order: ", "bold"), chosen)]
        return rows

    def _feedback(self, answered: Answered) -> list[RenderableType]:
        lang = self.lang
        question = answered.question
        line = _verdict(answered)
        said = answered.response_text()
        if said and question.kind in (Kind.TYPED, Kind.NUMERIC, Kind.TRUEFALSE):
            line.append(f"   you said: {said}", style="dim")
        if answered.check is not None and answered.check.detail and 0 < answered.score < 1:
            line.append(f"   {answered.check.detail}", style="yellow")
        parts: list[RenderableType] = [Text(), line]
        if question.kind not in (Kind.CHOICE, Kind.MULTI) or not answered.answered:
            parts.append(
                Text.assemble(
                    (f"{LABELS[lang]['answer']}: ", "bold green"), question.expected(lang)
                )
            )
        parts += notes_renderables(question.card, lang)
        parts.append(Text("\nEnter: next question", style="dim"))
        return parts

    # ---- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.done:
            return False
        if action == "end":
            return True
        if self.feedback is not None:  # reading the feedback: Enter or space goes on
            return action in ("confirm", "reveal")
        question = self.run.current
        if question is None:
            return False
        kind = question.kind
        match action:
            case "pick":
                index = cast(int, parameters[0])
                choosing = kind in (Kind.CHOICE, Kind.MULTI, Kind.ORDER)
                return choosing and index < len(question.options)
            case "truefalse":
                return kind is Kind.TRUEFALSE
            case "reveal":
                return kind is Kind.SELF and not self.revealed
            case "self_grade":
                return kind is Kind.SELF and self.revealed
            case "confirm":
                return kind in (Kind.MULTI, Kind.ORDER)
            case "unpick":
                return kind is Kind.ORDER and bool(self.sequence)
        return True

    def action_pick(self, index: int) -> None:
        question = self.run.current
        if question is None or self.feedback is not None or index >= len(question.options):
            return
        match question.kind:
            case Kind.CHOICE:
                self.submit(index)
            case Kind.MULTI:
                self.picked ^= {index}
                self.redraw()
            case Kind.ORDER:
                if index not in self.sequence:
                    self.sequence.append(index)
                    self.redraw()

    def action_unpick(self) -> None:
        if self.sequence:
            self.sequence.pop()
            self.redraw()

    def action_truefalse(self, value: int) -> None:
        question = self.run.current
        if question is not None and question.kind is Kind.TRUEFALSE and self.feedback is None:
            self.submit(bool(value))

    def action_reveal(self) -> None:
        if self.feedback is not None:
            self.next_question()
            return
        question = self.run.current
        if question is not None and question.kind is Kind.SELF:
            self.revealed = True
            self.redraw()

    def action_self_grade(self, knew: int) -> None:
        question = self.run.current
        if question is not None and question.kind is Kind.SELF and self.revealed:
            self.submit(bool(knew))

    def action_confirm(self) -> None:
        if self.feedback is not None:
            self.next_question()
            return
        question = self.run.current
        if question is None:
            return
        if question.kind is Kind.MULTI:
            self.submit(tuple(sorted(self.picked)))
        elif question.kind is Kind.ORDER:
            if len(self.sequence) != len(question.options):
                self.notify(
                    f"Place all {len(question.options)} items first ({len(self.sequence)} so far).",
                    severity="warning",
                    timeout=3,
                )
                return
            self.submit(tuple(self.sequence))

    @on(Input.Submitted, "#quiz-response")
    def _submitted(self, event: Input.Submitted) -> None:
        question = self.run.current
        if question is None or self.feedback is not None:
            return
        text = event.value.strip()
        if not text:
            self.action_skip()
            return
        from studytool.study.quiz import AnswerError

        try:
            response = question.parse(text)
        except AnswerError as e:
            self.notify(str(e), severity="warning", timeout=4)
            return
        self.submit(response)

    def action_skip(self) -> None:
        if self.feedback is not None or self.run.current is None:
            return
        try:
            self.run.skip()
        except TimeUp:
            self.finish()
            return
        self.run.next()
        self.show_question()

    def submit(self, response: Response) -> None:
        try:
            answered = self.run.answer(response)
        except TimeUp:
            self.finish()
            return
        if self.run.spec.feedback == "immediate" or answered.question.kind is Kind.SELF:
            self.show_feedback(answered)
        else:
            self.run.next()
            self.show_question()

    def show_feedback(self, answered: Answered) -> None:
        self.feedback = answered
        response = self.query_one("#quiz-response", Input)
        response.disabled = True
        self.set_focus(None)
        self.redraw()

    def next_question(self) -> None:
        self.run.next()
        self.show_question()

    def _tick(self) -> None:
        if self.done:
            return
        if self.run.expired:
            self.notify("Time is up.", title="Quiz", severity="warning")
            self.finish()
            return
        self.update_status()

    def action_end(self) -> None:
        if isinstance(self.focused, Input):
            self.set_focus(None)
            return
        self.finish()

    def finish(self) -> None:
        """Save the quiz and show the results (once)."""
        if self.done:
            return
        self.done = True
        result = self.run.finish()
        quiz_id: int | None = None
        store = self.study_app.store
        if store is not None and any(a.answered for a in result.answers):
            try:
                quiz_id = save_result(store, result)
            except StoreError as e:
                self.notify(f"Not saved: {e}", title="Quiz", severity="error")
            else:
                self.post_message(ProgressChanged())
        self.app.switch_screen(QuizResultsScreen(result, quiz_id))


# ---- results -------------------------------------------------------------------------------


class QuizResultsScreen(StudyScreen[None]):
    CSS_PATH = "quiz.tcss"
    TITLE_TEXT = "Quiz results"
    BINDINGS = [
        Binding("m", "add_missed", "Add missed to review", id="quiz-results.add-missed"),
        Binding("r", "again", "New quiz", id="quiz-results.again"),
        # priority: the results table would take Enter for itself
        Binding("enter,escape,q", "app.pop_screen", "Home", id="quiz-results.home", priority=True),
    ]

    def __init__(self, result: QuizResult, quiz_id: int | None) -> None:
        super().__init__()
        self.result = result
        self.quiz_id = quiz_id
        self.added = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(self.score_text(), id="results-score")
        yield DataTable(id="results-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="results-missed") as missed:
            missed.border_title = f"Missed ({len(self.result.missed)})"
            yield Static(self.missed_renderable(), id="results-missed-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Quiz results"
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self.fill_table()

    def _lang_changed(self, _lang: str) -> None:
        self.fill_table()
        self.query_one("#results-missed-text", Static).update(self.missed_renderable())

    def score_text(self) -> Text:
        r = self.result
        style = (
            "bold green" if r.percent >= 80 else "bold yellow" if r.percent >= 50 else "bold red"
        )
        text = Text.assemble(
            ("Score ", "bold"),
            (f"{r.score:g} / {r.total}", style),
            (f"  ({r.percent:.0f}%)", style),
            ("   time ", "dim"),
            format_duration(r.duration_ms),
        )
        answered = [a for a in r.answers if a.answered]
        if answered:
            per = sum(a.duration_ms for a in answered) // len(answered)
            text.append("   per question ", style="dim")
            text.append(format_duration(per))
        if r.timed_out:
            text.append("   time ran out", style="bold red")
        if self.quiz_id is None:
            text.append("   not saved", style="bold red")
        return text

    def fill_table(self) -> None:
        lang = self.study_app.lang
        table = self.query_one("#results-table", DataTable)
        table.clear(columns=True)
        table.add_columns("#", "Question", "You", "Result", "Time")
        width = max(20, self.app.size.width - 44)  # room for the other columns
        for i, a in enumerate(self.result.answers, 1):
            question = a.question.question(lang)
            table.add_row(
                str(i),
                question if len(question) <= width else question[: width - 1] + "…",
                a.response_text() or "",
                _verdict(a),
                format_duration(a.duration_ms) if a.answered else "",
                key=str(i),
            )

    def missed_renderable(self) -> RenderableType:
        lang = self.study_app.lang
        missed = self.result.missed
        if not missed:
            return Text("Nothing missed.", style="green")
        parts: list[RenderableType] = []
        for a in missed:
            q = a.question
            parts += [
                Text(q.question(lang), style="bold"),
                Text.assemble(
                    ("you: ", "dim"),
                    a.response_text() or "",
                    ("   right: ", "dim"),
                    (q.expected(lang), "green"),
                ),
            ]
            if q.card.explain is not None:
                parts.append(Text(q.card.explain.get(lang), style="italic"))
            parts.append(Text())
        if not self.added and self.quiz_id is not None:
            parts.append(Text("m: add the missed cards to your next review", style="bold"))
        return Group(*parts)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_missed":
            return bool(self.result.missed) and self.quiz_id is not None and not self.added
        return True

    def action_add_missed(self) -> None:
        app = self.study_app
        store = app.store
        if store is None or self.quiz_id is None or self.added:
            return
        try:
            count = add_missed_to_review(store, self.result, self.quiz_id, app.clock())
        except StoreError as e:
            self.notify(str(e), severity="error")
            return
        self.added = True
        self.post_message(ProgressChanged())
        self.query_one("#results-missed-text", Static).update(self.missed_renderable())
        self.refresh_bindings()
        self.notify(f"{count} card(s) will come first in your next review.", title="Review")

    def action_again(self) -> None:
        spec = self.result.spec
        self.app.switch_screen(QuizSetupScreen(spec.decks[0] if len(spec.decks) == 1 else None))


# ---- for the Stats screen ------------------------------------------------------------------

_SPARK = "▁▂▃▄▅▆▇█"


def quiz_trends_table(trends: QuizTrends) -> RenderableType:
    """Quiz history for the Stats screen: totals, recent scores, per scope, most missed."""
    if not trends.quizzes:
        return Text("No quizzes yet: press t on Home to take one.", style="dim")
    table = Table.grid(padding=(0, 3))
    table.add_column(style="dim", justify="right")
    table.add_column()
    change = "—" if trends.change is None else f"{trends.change:+.0f} pts"
    table.add_row(
        "Quizzes",
        Text.assemble(
            (f"{trends.quizzes}", "bold"),
            ("  average ", "dim"),
            (f"{trends.average or 0:.0f}%", "bold"),
            ("  best ", "dim"),
            (f"{trends.best or 0:.0f}%", "bold"),
            ("  last 5 vs 5 before ", "dim"),
            (change, "bold green" if (trends.change or 0) >= 0 else "bold red"),
        ),
    )
    spark = "".join(_SPARK[min(7, int(p / 100 * 8))] for _, p in trends.recent)
    table.add_row("Recent", Text(spark + "  (oldest → newest)", style="cyan"))
    for s in trends.scopes[:8]:
        scope_change = "" if s.change is None else f"  {s.change:+.0f}"
        table.add_row(
            s.scope,
            f"{s.quizzes} quizzes · average {s.average:.0f}% · last {s.last:.0f}%{scope_change}",
        )
    if trends.most_missed:
        missed = ", ".join(f"{k} ({m}/{n})" for k, m, n in trends.most_missed[:5])
        table.add_row("Most missed", Text(missed, style="yellow"))
    return table

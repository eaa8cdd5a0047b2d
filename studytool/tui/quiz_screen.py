"""The quiz itself: one question at a time with a counter and a countdown, answered with the
answer widget that Review uses, feedback after each answer (or none until the end).

The quiz is saved (history + revlog in quiz mode) before the results appear.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from studytool.content.model import Text as Bilingual
from studytool.latex import render as latex
from studytool.render import notes_renderables
from studytool.store.errors import StoreError
from studytool.study.cardtypes import AnswerError, Interaction, Response
from studytool.study.quiz import Answered, Kind, QuizRun, TimeUp, save_result
from studytool.study.text import LABELS, clock_text, t
from studytool.textsafe import visible
from studytool.tui.messages import ProgressChanged
from studytool.tui.quiz_results import QuizResultsScreen, verdict
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.answer import CHOICE_KEYS, CHOOSING, AnswerView, Attempt, typed_diff
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    pass


def _formula_line(tex: str, lang: str) -> Text:
    return Text.assemble((f"{LABELS[lang]['formula']}: ", "dim"), (latex(tex), "bold cyan"))


class QuizScreen(StudyScreen[None]):
    CSS_PATH = "quiz.tcss"
    AUTO_FOCUS = ""
    TITLE_TEXT = "Quiz"
    HELP = "help.quiz"  # a CHROME key: the help screen shows it in the app's language
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
        Binding("t", "answer_bool(1)", "True", id="quiz.true"),
        Binding("f", "answer_bool(0)", "False", id="quiz.false"),
        Binding("space", "reveal", "Show / next", id="quiz.reveal"),
        Binding("y", "self_grade(1)", "Knew it", id="quiz.knew"),
        Binding("n", "self_grade(0)", "Did not", id="quiz.not-knew"),
        Binding("enter", "confirm", "Check / next", id="quiz.confirm"),
        Binding("up", "order_move_cursor(-1)", "Up", show=False, id="quiz.order-up"),
        Binding("down", "order_move_cursor(1)", "Down", show=False, id="quiz.order-down"),
        Binding("shift+up,left_square_bracket", "order_move(-1)", "Move up", id="quiz.move-up"),
        Binding(
            "shift+down,right_square_bracket", "order_move(1)", "Move down", id="quiz.move-down"
        ),
        Binding("s", "skip", "Skip", id="quiz.skip"),
        Binding("i", "overrule", "I was right", id="quiz.overrule"),
        Binding("escape", "end", "End quiz", id="quiz.end"),
    ]

    def __init__(self, run: QuizRun, *, title: Bilingual | None = None) -> None:
        super().__init__()
        self.run = run
        self.heading = title  # the decks, in both languages: `l` switches them
        self.attempt: Attempt | None = None  # the answer to the question on screen
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
            yield AnswerView(input_id="quiz-response", empty_enter="skips", id="quiz-answer")
            yield Static(id="quiz-feedback")
        yield KeyBar()  # its key names follow `l`

    def on_mount(self) -> None:
        self.show_title()
        self.watch(self.app, "lang", self._lang_changed, init=False)
        if self.run.spec.time_limit_s is not None:
            self.set_interval(1.0, self._tick)
        self.show_question()

    # ---- drawing -------------------------------------------------------------------------

    def _lang_changed(self, _lang: str) -> None:
        self.show_title()
        self.redraw()

    def show_title(self) -> None:
        lang = self.lang
        heading = self.heading
        self.title = (
            t("title_quiz_of", lang, deck=heading.get(lang)) if heading else t("title_quiz", lang)
        )

    def show_question(self) -> None:
        question = self.run.current
        if question is None:
            self.finish()
            return
        self.attempt = Attempt.start(question)
        self.revealed = False
        self.feedback = None
        self.query_one("#quiz-answer", AnswerView).start(self.attempt)
        self.query_one("#quiz-scroll", VerticalScroll).scroll_home(animate=False)
        self.redraw()

    def redraw(self) -> None:
        self.update_status()
        if self.attempt is not None:
            self.query_one("#quiz-question", Static).update(self.render_question())
            self.query_one("#quiz-answer", AnswerView).show(self.lang, self.feedback is not None)
            after = self.render_after()
            feedback = self.query_one("#quiz-feedback", Static)
            feedback.update(after)
            feedback.display = bool(after.renderables)
        self.refresh_bindings()

    def update_status(self) -> None:
        run = self.run
        total = len(run.questions)
        shown = min(run.index + (0 if self.feedback is not None else 1), total)
        status = Text.assemble(
            (f" {t('question_of', self.lang, i=max(shown, 1), n=total)} ", "bold reverse blue"),
        )
        if run.spec.feedback == "immediate" and run.answers:
            score = sum(a.score for a in run.answers)
            status.append(
                f"  ·  {t('score', self.lang)} {score:g} / {len(run.answers)}", style="bold"
            )
        left = run.time_left()
        if left is not None:
            style = "bold red" if left < 60 else "bold"
            status.append("  ·  ⏱ ", style="dim")
            status.append(t("time_left", self.lang, t=clock_text(left)), style=style)
        self.query_one("#quiz-status", Static).update(status)

    def render_question(self) -> RenderableType:
        """The instruction, the question and the formula it gives (`given`)."""
        assert self.attempt is not None
        question, lang = self.attempt.question, self.lang
        parts: list[RenderableType] = [
            Text(question.instruction(lang), style="dim italic"),
            Text(visible(question.question(lang)), style="bold"),
        ]
        if question.given:
            parts.append(_formula_line(question.given, lang))
        return Group(*parts)

    def render_after(self) -> Group:
        """Below the answer: a self-graded answer once shown, or the feedback."""
        assert self.attempt is not None
        question, lang = self.attempt.question, self.lang
        parts: list[RenderableType] = []
        if self.feedback is not None:
            parts += self._feedback(self.feedback)
        elif question.interaction is Interaction.SELF:
            parts.append(Text())
            if self.revealed:
                answer = Text.assemble(
                    (f"{LABELS[lang]['answer']}: ", "bold green"), question.expected(lang)
                )
                parts.append(answer)
                if question.answer_formula:
                    parts.append(_formula_line(question.answer_formula, lang))
                parts.append(Text("\n" + t("knew_prompt", lang), style="bold"))
            else:
                parts.append(Text(t("space_shows", lang), style="dim"))
        return Group(*parts)

    def _feedback(self, answered: Answered) -> list[RenderableType]:
        lang = self.lang
        question = answered.question
        line = verdict(answered, lang)
        said = answered.response_text()
        if said and question.interaction in (Interaction.INPUT, Interaction.BOOL):
            line.append(f"   {t('you_said', lang)}: {said}", style="dim")
        if answered.check is not None and answered.check.detail and 0 < answered.score < 1:
            line.append(f"   {answered.check.detail}", style="yellow")
        parts: list[RenderableType] = [Text(), line]
        if diff := typed_diff(question, answered.response, lang):
            parts.append(diff)
        # choices and the arrangement show the right answer in their rows
        shown = question.interaction in (*CHOOSING, Interaction.ARRANGE)
        if not shown or not answered.answered:
            parts.append(
                Text.assemble(
                    (f"{LABELS[lang]['answer']}: ", "bold green"), question.expected(lang)
                )
            )
        if question.answer_formula:
            parts.append(_formula_line(question.answer_formula, lang))
        parts += notes_renderables(question.card, lang)
        overrule = f"    {t('i_was_right', lang)}" if self._can_overrule() else ""
        parts.append(Text(f"\n{t('enter_next', lang)}{overrule}", style="dim"))
        return parts

    # ---- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.done:
            return False
        if action == "end":
            return True
        if self.feedback is not None:  # reading the feedback: Enter or space goes on
            if action == "overrule":
                return self._can_overrule()
            return action in ("confirm", "reveal")
        if action == "overrule":
            return False
        if self.attempt is None or self.run.current is None:
            return False
        question, interaction = self.attempt.question, self.attempt.interaction
        match action:
            case "pick":
                index = cast(int, parameters[0])
                return interaction in CHOOSING and index < len(question.options)
            case "answer_bool":
                return interaction is Interaction.BOOL
            case "order_move_cursor" | "order_move":
                return interaction is Interaction.ARRANGE
            case "reveal":
                return interaction is Interaction.SELF and not self.revealed
            case "self_grade":
                return interaction is Interaction.SELF and self.revealed
            case "confirm":
                return interaction in (Interaction.TOGGLE, Interaction.ARRANGE)
        return True

    def _answering(self, *interactions: Interaction) -> Attempt | None:
        """The attempt when the question on screen takes one of these interactions."""
        attempt = self.attempt
        if attempt is None or self.feedback is not None or self.run.current is None:
            return None
        return attempt if attempt.interaction in interactions else None

    def action_pick(self, index: int) -> None:
        attempt = self._answering(*CHOOSING)
        if attempt is None or index >= len(attempt.question.options):
            return
        attempt.pick(index)
        if attempt.interaction is Interaction.PICK:
            self.submit(index)
        else:
            self.redraw()

    def action_answer_bool(self, value: int) -> None:
        if self._answering(Interaction.BOOL):
            self.submit(bool(value))

    def action_order_move_cursor(self, step: int) -> None:
        if attempt := self._answering(Interaction.ARRANGE):
            attempt.move_cursor(step)
            self.redraw()

    def action_order_select(self, position: int) -> None:
        if attempt := self._answering(Interaction.ARRANGE):
            attempt.select(position)
            self.redraw()

    def action_order_move(self, step: int) -> None:
        if attempt := self._answering(Interaction.ARRANGE):
            attempt.move(step)
            self.redraw()

    def action_reveal(self) -> None:
        if self.feedback is not None:
            self.next_question()
        elif self._answering(Interaction.SELF):
            self.revealed = True
            self.redraw()

    def action_self_grade(self, knew: int) -> None:
        if self._answering(Interaction.SELF) and self.revealed:
            self.submit(bool(knew))

    def action_confirm(self) -> None:
        if self.feedback is not None:
            self.next_question()
        elif attempt := self._answering(Interaction.TOGGLE, Interaction.ARRANGE):
            response = attempt.current()
            if response is not None:
                self.submit(response)

    @on(Input.Submitted, "#quiz-response")
    def _submitted(self, event: Input.Submitted) -> None:
        attempt = self._answering(Interaction.INPUT)
        if attempt is None:
            return
        text = event.value.strip()
        if not text:
            self.action_skip()
            return
        try:
            response = attempt.question.parse(text)
        except AnswerError as e:
            self.notify(str(e), severity="warning", timeout=4)
            return
        attempt.text = text
        self.submit(response)

    def _can_overrule(self) -> bool:
        a = self.feedback
        return a is not None and a.answered and not a.correct and a.question.kind != Kind.SELF

    def action_overrule(self) -> None:
        """The user says "I was right": the answer on screen counts as right (saved so)."""
        if not self._can_overrule():
            return
        self.feedback = self.run.overrule()
        if self.attempt is not None:
            self.attempt.check = self.feedback.check
        self.redraw()

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
        if self.attempt is not None:
            self.attempt.response, self.attempt.check = response, answered.check
        if self.run.spec.feedback == "immediate" or answered.question.kind == Kind.SELF:
            self.show_feedback(answered)
        else:
            self.run.next()
            self.show_question()

    def show_feedback(self, answered: Answered) -> None:
        self.feedback = answered
        self.query_one("#quiz-answer", AnswerView).close()
        self.set_focus(None)
        self.redraw()

    def next_question(self) -> None:
        self.run.next()
        self.show_question()

    def _tick(self) -> None:
        if self.done:
            return
        if self.run.expired:
            self.notify(
                t("time_up", self.lang), title=t("title_quiz", self.lang), severity="warning"
            )
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
                lang = self.lang
                self.notify(
                    t("not_saved_why", lang, why=e), title=t("title_quiz", lang), severity="error"
                )
            else:
                self.post_message(ProgressChanged())
        self.app.switch_screen(QuizResultsScreen(result, quiz_id))

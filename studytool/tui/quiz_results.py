"""Quiz results: the score, every question with the answer given, and the missed ones, which
can be added to the next review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from studytool.store.errors import StoreError
from studytool.study.quiz import Answered, QuizResult, add_missed_to_review
from studytool.study.text import format_duration
from studytool.textsafe import rich_text
from studytool.tui.messages import ProgressChanged
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    pass


def verdict(a: Answered) -> Text:
    if not a.answered:
        return Text("– no answer", style="dim")
    if a.correct:
        return Text("✓ right", style="bold green")
    if a.score > 0:
        return Text(f"◐ {a.score:.0%}", style="bold yellow")
    return Text("✗ wrong", style="bold red")


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
                rich_text(question if len(question) <= width else question[: width - 1] + "…"),
                rich_text(a.response_text() or ""),
                verdict(a),
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
        # through the app, which owns the setup screen: this module stays below it
        spec = self.result.spec
        self.app.pop_screen()
        self.study_app.action_quiz(spec.decks[0] if len(spec.decks) == 1 else "")

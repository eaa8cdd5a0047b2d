"""Quiz results: the score, every question with the answer given, and the missed ones, which
can be added to the next review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from studytool.store.errors import StoreError
from studytool.study.quiz import Answered, QuizResult, add_missed_to_review
from studytool.study.text import format_duration, t
from studytool.textsafe import rich_text
from studytool.tui.messages import ProgressChanged
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    pass


def verdict(a: Answered, lang: str = "en") -> Text:
    if not a.answered:
        return Text(t("no_answer", lang), style="dim")
    if a.overruled:
        return Text(t("right_overruled", lang), style="bold green")
    if a.correct:
        return Text(t("right", lang), style="bold green")
    if a.score > 0:
        return Text(f"◐ {a.score:.0%}", style="bold yellow")
    return Text(t("wrong_short", lang), style="bold red")


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
        with VerticalScroll(id="results-missed"):
            yield Static(self.missed_renderable(), id="results-missed-text")
        yield KeyBar()  # its key names follow `l`

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self._lang_changed(self.study_app.lang)

    def _lang_changed(self, lang: str) -> None:
        self.title = t("quiz_results", lang)
        missed = self.query_one("#results-missed")
        missed.border_title = t("missed", lang, n=len(self.result.missed))
        self.query_one("#results-score", Static).update(self.score_text())
        self.fill_table()
        self.query_one("#results-missed-text", Static).update(self.missed_renderable())

    def score_text(self) -> Text:
        r, lang = self.result, self.study_app.lang
        style = (
            "bold green" if r.percent >= 80 else "bold yellow" if r.percent >= 50 else "bold red"
        )
        text = Text.assemble(
            (f"{t('score_label', lang)} ", "bold"),
            (f"{r.score:g} / {r.total}", style),
            (f"  ({r.percent:.0f}%)", style),
            (f"   {t('time_lc', lang)} ", "dim"),
            format_duration(r.duration_ms),
        )
        answered = [a for a in r.answers if a.answered]
        if answered:
            per = sum(a.duration_ms for a in answered) // len(answered)
            text.append(f"   {t('per_question', lang)} ", style="dim")
            text.append(format_duration(per))
        if r.timed_out:
            text.append(f"   {t('time_ran_out', lang)}", style="bold red")
        if self.quiz_id is None:
            text.append(f"   {t('not_saved', lang)}", style="bold red")
        return text

    def fill_table(self) -> None:
        lang = self.study_app.lang
        table = self.query_one("#results-table", DataTable)
        table.clear(columns=True)
        table.add_columns(
            "#", *(t(key, lang) for key in ("col_question", "col_you", "col_result", "col_time"))
        )
        width = max(20, self.app.size.width - 44)  # room for the other columns
        for i, a in enumerate(self.result.answers, 1):
            question = a.question.question(lang)
            table.add_row(
                str(i),
                rich_text(question if len(question) <= width else question[: width - 1] + "…"),
                rich_text(a.response_text() or ""),
                verdict(a, lang),
                format_duration(a.duration_ms) if a.answered else "",
                key=str(i),
            )

    def missed_renderable(self) -> RenderableType:
        lang = self.study_app.lang
        missed = self.result.missed
        if not missed:
            return Text(t("nothing_missed", lang), style="green")
        parts: list[RenderableType] = []
        for a in missed:
            q = a.question
            parts += [
                Text(q.question(lang), style="bold"),
                Text.assemble(
                    (f"{t('you', lang)}: ", "dim"),
                    a.response_text() or "",
                    (f"   {t('right_answer', lang)}: ", "dim"),
                    (q.expected(lang), "green"),
                ),
            ]
            if q.card.explain is not None:
                parts.append(Text(q.card.explain.get(lang), style="italic"))
            parts.append(Text())
        if not self.added and self.quiz_id is not None:
            parts.append(Text(t("add_missed_hint", lang), style="bold"))
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
        lang = app.lang
        self.notify(t("missed_added", lang, n=count), title=t("review", lang))

    def action_again(self) -> None:
        # through the app, which owns the setup screen: this module stays below it
        spec = self.result.spec
        self.app.pop_screen()
        self.study_app.action_quiz(spec.decks[0] if len(spec.decks) == 1 else "")

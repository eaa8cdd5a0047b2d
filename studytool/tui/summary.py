"""The end of a review session: cards reviewed, accuracy, time, and tomorrow's due (counted in
a thread: it reads the whole statistics)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Static

from studytool.store.errors import StoreError
from studytool.store.repo import Mode
from studytool.store.scheduler import Rating
from studytool.study.review import Summary
from studytool.study.text import format_duration, t
from studytool.tui.screens import GuardedScreen
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from studytool.tui.app import StudyApp

RATING_STYLE = {
    Rating.Again: "red",
    Rating.Hard: "yellow",
    Rating.Good: "green",
    Rating.Easy: "cyan",
}


def summary_table(summary: Summary, counting: bool = False, lang: str = "en") -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", justify="right")
    table.add_column()
    table.add_row(t("cards_reviewed", lang), Text(f"{summary.cards}", style="bold"))
    if summary.reviewed != summary.cards:
        table.add_row(t("answers", lang), t("came_back", lang, n=summary.reviewed))
    accuracy = summary.accuracy
    not_again = t("not_again", lang, passed=summary.passed, n=summary.reviewed)
    table.add_row(
        t("accuracy", lang),
        Text("—")
        if accuracy is None
        else Text.assemble(
            (f"{accuracy:.0%}", "bold green" if accuracy >= 0.8 else "bold yellow"),
            (f"  {not_again}", "dim"),
        ),
    )
    table.add_row(t("time", lang), Text(format_duration(summary.time_ms), style="bold"))
    if summary.reviewed:
        per = format_duration(summary.time_ms // summary.reviewed)
        table.add_row(t("per_answer", lang), per)
    ratings = Text()
    for rating, n in summary.ratings.items():
        name = t(rating.name.lower(), lang)
        ratings.append(f"{name} {n}  ", style=RATING_STYLE[rating] if n else "dim")
    table.add_row(t("grades", lang), ratings)
    tomorrow = (
        "…" if counting else "—" if summary.due_tomorrow is None else f"{summary.due_tomorrow}"
    )
    table.add_row(t("due_tomorrow", lang), Text(tomorrow, style="bold"))
    if summary.mode is Mode.CRAM:
        table.add_row("", Text(t("cram_unchanged", lang), style="magenta"))
    return table


class SummaryScreen(GuardedScreen[None]):
    CSS_PATH = "summary.tcss"
    TITLE_TEXT = "Session summary"
    BINDINGS = [
        Binding("enter,escape,q", "app.pop_screen", "Home", id="summary.home"),
        Binding("r", "again", "Review more", id="summary.review-more"),
    ]

    def __init__(
        self, summary: Summary, count_tomorrow: Callable[[], int | None] | None = None
    ) -> None:
        super().__init__()
        self.summary = summary
        self.count_tomorrow = count_tomorrow  # fills in tomorrow's count, off the UI thread

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Center(), Vertical(id="summary-box"):
            yield Static(id="summary-table")
            yield Static(id="summary-hint")
        yield KeyBar()

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._show, init=False)
        self._show()
        if self.count_tomorrow is not None:
            self._count(self.count_tomorrow)

    @work(thread=True, exclusive=True)
    def _count(self, count: Callable[[], int | None]) -> None:
        try:
            tomorrow = count()
        except StoreError:
            tomorrow = None
        self.app.call_from_thread(self._counted, tomorrow)

    def _show(self) -> None:
        lang = self.lang
        self.title = t("session_summary", lang)
        done = "session_complete" if self.summary.reviewed else "session_ended"
        self.query_one("#summary-box").border_title = t(done, lang)
        table = summary_table(self.summary, self.count_tomorrow is not None, lang)
        self.query_one("#summary-table", Static).update(table)
        self.query_one("#summary-hint", Static).update(Text(t("summary_hint", lang), style="dim"))

    def _counted(self, tomorrow: int | None) -> None:
        self.summary = replace(self.summary, due_tomorrow=tomorrow)
        self.count_tomorrow = None
        if self.is_attached:
            self._show()

    def action_again(self) -> None:
        app = cast("StudyApp", self.app)
        app.pop_screen()
        app.action_review("")

"""Statistics: today's numbers, the 30-day due forecast, reviews per day and retention per deck.

The plots use textual-plotext, imported here only: the app imports this module when the
Stats screen opens, so start-up never pays for it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from studytool.study.text import t
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from textual_plotext.plot import Plot

    from studytool.store.calibration import Calibration
    from studytool.store.quizlog import QuizTrends
    from studytool.store.stats import Stats

REVIEW_DAYS = 90  # the reviews plot shows the last 90 study days; Home's heatmap shows 26 weeks


def _tick_labels(days: list[date], every: int) -> tuple[list[float], list[str]]:
    # plotext types tick positions as floats; whole numbers keep the labels whole
    ticks: list[float] = [*range(0, len(days), every)]
    return ticks, [days[i].strftime("%b %d") for i in range(0, len(days), every)]


def _count_axis(plt: Plot, counts: list[int]) -> None:
    """Whole-number y ticks from 0: these are counts of cards and reviews."""
    top = max(1, *counts)
    step = max(1, -(-top // 5))
    ticks: list[float] = [*range(0, top + step, step)]
    plt.ylim(0, ticks[-1])
    plt.yticks(ticks)


def stats_table(stats: Stats, lang: str = "en") -> Table:
    table = Table.grid(padding=(0, 3))
    for _ in range(4):
        table.add_column()
    retention = stats.retention.rate
    avg_r = stats.average_retrievability
    c = stats.counts

    def label(key: str) -> tuple[str, str]:
        return f"{t(key, lang)} ", "dim"

    table.add_row(
        Text.assemble(label("due_today"), (f"{stats.due_today}", "bold")),
        Text.assemble(label("learning"), (f"{stats.due_learning}", "bold red")),
        Text.assemble(label("reviewing"), (f"{stats.due_review}", "bold green")),
        Text.assemble(label("new_left"), (f"{stats.new_available}", "bold blue")),
    )
    table.add_row(
        Text.assemble(label("streak"), (f"{stats.current_streak}d", "bold yellow")),
        Text.assemble(label("longest"), (f"{stats.longest_streak}d", "bold")),
        Text.assemble(
            label("retention"), ("—" if retention is None else f"{retention:.0%}", "bold")
        ),
        Text.assemble(label("recall_now"), ("—" if avg_r is None else f"{avg_r:.0%}", "bold")),
    )
    table.add_row(
        Text.assemble(label("cards"), (f"{c['total'] - c['orphaned']}", "bold")),
        Text.assemble(label("new"), f"{c['new']}"),
        Text.assemble(label("learning"), f"{c['learning'] + c['relearning']}"),
        Text.assemble(
            label("reviewing"),
            f"{c['review']}",
            (f"  {t('suspended', lang)} ", "dim"),
            f"{c['suspended']}",
        ),
    )
    return table


def numbers(stats: Stats, lang: str, exam: date | None = None) -> RenderableType:
    """The table and, while an exam plan steers today's queue, a line saying so."""
    table = stats_table(stats, lang)
    if exam is None:
        return table
    return Group(table, Text(t("stats_exam", lang, date=exam.isoformat()), style="dim italic"))


def prediction_table(stats: Stats, lang: str = "en") -> Table:
    """Predictions before demo runs: how many and how many right, per concept."""
    table = Table(title=t("prediction_accuracy", lang), title_justify="left", box=None)
    table.add_column(t("concept", lang))
    table.add_column(t("predicted", lang), justify="right")
    table.add_column(t("predicted_right", lang), justify="right")
    table.add_column(t("accuracy", lang), justify="right")
    for p in stats.predictions:
        table.add_row(Text(p.concept), str(p.predictions), str(p.right), f"{p.accuracy:.0%}")
    return table


class StatsScreen(StudyScreen[None]):
    CSS_PATH = "stats.tcss"
    TITLE_TEXT = "Statistics"
    HELP = (
        "1-5 switch between the due forecast, reviews per day, retention per deck, the quiz "
        "history (with your predictions before demo runs, per concept) and your memory "
        "calibration (predicted recall against what happened)."
    )
    BINDINGS = [
        Binding("1", "tab('forecast')", "Forecast", id="stats.forecast"),
        Binding("2", "tab('reviews')", "Reviews", id="stats.reviews"),
        Binding("3", "tab('retention')", "Retention", id="stats.retention"),
        Binding("4", "tab('quizzes')", "Quizzes", id="stats.quizzes"),
        Binding("5", "tab('calibration')", "Calibration", id="stats.calibration"),
        Binding("escape,q", "app.pop_screen", "Back", id="stats.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.stats: Stats | None = None
        self.calibration: Calibration | None = None
        self.exam: date | None = None  # the active plan's date, when today's counts are its

    def compose(self) -> ComposeResult:
        yield TitleBar()
        lang = self.study_app.lang
        yield Static(Text(t("computing", lang), style="dim"), id="numbers")
        with TabbedContent(initial="forecast", id="plots"):
            with TabPane(t("tab_forecast", lang), id="forecast"):
                yield PlotextPlot(id="forecast-plot")
            with TabPane(t("tab_reviews", lang, n=REVIEW_DAYS), id="reviews"):
                yield PlotextPlot(id="reviews-plot")
            with TabPane(t("tab_retention", lang), id="retention"):
                yield PlotextPlot(id="retention-plot")
            with TabPane(t("tab_quizzes", lang), id="quizzes"):
                yield Static(id="quiz-trends")
                yield Static(id="prediction-accuracy")
            with TabPane(t("tab_calibration", lang), id="calibration"):
                yield PlotextPlot(id="calibration-plot")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = t("statistics", self.study_app.lang)
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self.load()
        # under another screen, Stats catches up when it is shown again (on_screen_resume)
        app = self.study_app
        for signal in (app.store_ready, app.progress_changed, app.library_changed):
            self.follow(signal, self.load, catch_up=False)

    def _lang_changed(self, lang: str) -> None:
        self.title = t("statistics", lang)
        tabs = self.query_one("#plots", TabbedContent)
        for pane, key in (
            ("forecast", "tab_forecast"),
            ("reviews", "tab_reviews"),
            ("retention", "tab_retention"),
            ("quizzes", "tab_quizzes"),
            ("calibration", "tab_calibration"),
        ):
            tabs.get_tab(pane).label = t(key, lang, n=REVIEW_DAYS)
        if self.stats is not None:
            self.query_one("#numbers", Static).update(numbers(self.stats, lang, self.exam))
            self.query_one("#prediction-accuracy", Static).update(
                prediction_table(self.stats, lang)
            )
            self.plot_forecast(self.stats)
            self.plot_reviews(self.stats)
            self.plot_retention(self.stats)
        if self.calibration is not None:
            self.plot_calibration(self.calibration)

    def action_tab(self, tab: str) -> None:
        self.query_one("#plots", TabbedContent).active = tab

    # ---- data ----------------------------------------------------------------------------

    def load(self) -> None:
        app = self.study_app
        if app.store is None:
            why = "still opening" if app.store_pending else (app.store_error or "not available")
            self.query_one("#numbers", Static).update(
                Text(f"No statistics: the progress database is {why}.", style="bold red")
            )
            return
        self.compute()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def compute(self) -> None:
        from studytool.store.errors import StoreError
        from studytool.study.queue import queue_stats

        app = self.study_app
        store = app.store
        if store is None:
            return
        from studytool.store import quizlog
        from studytool.store.calibration import calibrate
        from studytool.store.history import recall_pairs

        try:
            stats = queue_stats(store, app.all_cards(), app.clock())
            trends = quizlog.trends(store)
            calibration = calibrate(recall_pairs(store))
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), severity="error")
            return
        plan = store.settings.exam
        exam = plan.date if plan is not None and plan.date > stats.today else None
        app.call_from_thread(self.show_stats, stats, trends, calibration, exam)

    def show_stats(
        self, stats: Stats, trends: QuizTrends, calibration: Calibration, exam: date | None
    ) -> None:
        from studytool.tui.widgets.trends import quiz_trends_table

        self.stats = stats
        self.calibration = calibration
        self.exam = exam
        self.query_one("#numbers", Static).update(numbers(stats, self.study_app.lang, exam))
        self.query_one("#quiz-trends", Static).update(quiz_trends_table(trends))
        predictions = self.query_one("#prediction-accuracy", Static)
        predictions.display = bool(stats.predictions)  # shown once a demo prediction is scored
        predictions.update(prediction_table(stats, self.study_app.lang))
        self.plot_forecast(stats)
        self.plot_reviews(stats)
        self.plot_retention(stats)
        self.plot_calibration(calibration)

    # ---- plots ---------------------------------------------------------------------------

    def plot_forecast(self, stats: Stats) -> None:
        widget = self.query_one("#forecast-plot", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        days = [d for d, _ in stats.forecast]
        counts = [n for _, n in stats.forecast]
        plt.bar(list(range(len(days))), counts, color="green", width=0.6)
        _count_axis(plt, counts)
        plt.xticks(*_tick_labels(days, 7))
        lang = self.study_app.lang
        plt.title(t("plot_forecast", lang))
        plt.ylabel(t("unit_cards", lang))
        widget.refresh()

    def plot_reviews(self, stats: Stats) -> None:
        widget = self.query_one("#reviews-plot", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        recent = stats.reviews_per_day[-REVIEW_DAYS:]
        days = [d for d, _ in recent]
        counts = [n for _, n in recent]
        plt.bar(list(range(len(days))), counts, color="cyan", width=0.6)
        _count_axis(plt, counts)
        plt.xticks(*_tick_labels(days, 14))
        total = sum(n for _, n in recent)
        lang = self.study_app.lang
        plt.title(t("plot_reviews", lang, total=total, n=REVIEW_DAYS))
        plt.ylabel(t("unit_reviews", lang))
        widget.refresh()

    def plot_retention(self, stats: Stats) -> None:
        widget = self.query_one("#retention-plot", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        rows = [(deck, r) for deck, r in sorted(stats.deck_retention.items()) if r.rate is not None]
        if not rows:
            plt.title(t("plot_no_retention", self.study_app.lang))
            widget.refresh()
            return
        names = [f"{deck} ({r.reviews})" for deck, r in rows]
        values = [round(100 * (r.rate or 0.0), 1) for _, r in rows]
        plt.bar(names, values, orientation="horizontal", color="orange", width=0.5)
        plt.xlim(0, 100)
        plt.title(t("plot_retention", self.study_app.lang))
        widget.refresh()

    def plot_calibration(self, calibration: Calibration) -> None:
        """The reliability diagram: the pass rate of each bin of predicted recall against its
        mean prediction; on the diagonal, your memory is as FSRS predicts it."""
        widget = self.query_one("#calibration-plot", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        lang = self.study_app.lang
        filled = [b for b in calibration.bins if b.count]
        if not filled or calibration.log_loss is None or calibration.rmse_bins is None:
            plt.title(t("plot_no_calibration", lang))
            widget.refresh()
            return
        plt.plot([0, 100], [0, 100], color="gray", label=t("cal_as_predicted", lang))
        xs = [round(100 * (b.predicted or 0.0), 1) for b in filled]
        ys = [round(100 * (b.actual or 0.0), 1) for b in filled]
        plt.plot(xs, ys, marker="dot", color="orange", label=t("cal_you", lang))
        plt.xlim(0, 100)
        plt.ylim(0, 100)
        counts = " ".join(str(b.count) for b in filled)
        plt.xlabel(t("cal_predicted", lang, counts=counts))
        plt.ylabel(t("cal_recalled", lang))
        plt.title(
            t(
                "plot_calibration",
                lang,
                n=calibration.reviews,
                log_loss=f"{calibration.log_loss:.3f}",
                rmse=f"{calibration.rmse_bins:.3f}",
            )
        )
        widget.refresh()

    # ---- refresh triggers ----------------------------------------------------------------

    def on_screen_resume(self) -> None:
        if self.stats is not None:
            self.load()

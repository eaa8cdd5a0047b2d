"""Statistics: today's numbers, the 30-day due forecast, reviews per day and retention per deck.

The plots use textual-plotext, imported here only: the app imports this module when the
Stats screen opens, so start-up never pays for it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

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


def stats_table(stats: Stats) -> Table:
    table = Table.grid(padding=(0, 3))
    for _ in range(4):
        table.add_column()
    retention = stats.retention.rate
    avg_r = stats.average_retrievability
    c = stats.counts
    table.add_row(
        Text.assemble(("Due today ", "dim"), (f"{stats.due_today}", "bold")),
        Text.assemble(("learning ", "dim"), (f"{stats.due_learning}", "bold red")),
        Text.assemble(("review ", "dim"), (f"{stats.due_review}", "bold green")),
        Text.assemble(("new left ", "dim"), (f"{stats.new_available}", "bold blue")),
    )
    table.add_row(
        Text.assemble(("Streak ", "dim"), (f"{stats.current_streak}d", "bold yellow")),
        Text.assemble(("longest ", "dim"), (f"{stats.longest_streak}d", "bold")),
        Text.assemble(
            ("retention ", "dim"), ("—" if retention is None else f"{retention:.0%}", "bold")
        ),
        Text.assemble(("recall now ", "dim"), ("—" if avg_r is None else f"{avg_r:.0%}", "bold")),
    )
    table.add_row(
        Text.assemble(("Cards ", "dim"), (f"{c['total'] - c['orphaned']}", "bold")),
        Text.assemble(("new ", "dim"), f"{c['new']}"),
        Text.assemble(("learning ", "dim"), f"{c['learning'] + c['relearning']}"),
        Text.assemble(
            ("review ", "dim"), f"{c['review']}", ("  suspended ", "dim"), f"{c['suspended']}"
        ),
    )
    return table


class StatsScreen(StudyScreen[None]):
    CSS_PATH = "stats.tcss"
    TITLE_TEXT = "Statistics"
    HELP = (
        "1-5 switch between the due forecast, reviews per day, retention per deck, the quiz "
        "history and your memory calibration (predicted recall against what happened)."
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

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text("Computing…", style="dim"), id="numbers")
        with TabbedContent(initial="forecast", id="plots"):
            with TabPane("Due forecast · 30 days", id="forecast"):
                yield PlotextPlot(id="forecast-plot")
            with TabPane(f"Reviews per day · {REVIEW_DAYS} days", id="reviews"):
                yield PlotextPlot(id="reviews-plot")
            with TabPane("Retention per deck", id="retention"):
                yield PlotextPlot(id="retention-plot")
            with TabPane("Quizzes", id="quizzes"):
                yield Static(id="quiz-trends")
            with TabPane("Calibration", id="calibration"):
                yield PlotextPlot(id="calibration-plot")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "Statistics"
        self.load()
        # under another screen, Stats catches up when it is shown again (on_screen_resume)
        app = self.study_app
        for signal in (app.store_ready, app.progress_changed, app.library_changed):
            self.follow(signal, self.load, catch_up=False)

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
        from studytool.store.stats import compute_stats

        app = self.study_app
        store = app.store
        if store is None:
            return
        from studytool.store import quizlog
        from studytool.store.calibration import calibrate
        from studytool.store.history import recall_pairs

        try:
            stats = compute_stats(store, app.all_cards(), app.clock())
            trends = quizlog.trends(store)
            calibration = calibrate(recall_pairs(store))
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), severity="error")
            return
        app.call_from_thread(self.show_stats, stats, trends, calibration)

    def show_stats(self, stats: Stats, trends: QuizTrends, calibration: Calibration) -> None:
        from studytool.tui.widgets.trends import quiz_trends_table

        self.stats = stats
        self.calibration = calibration
        self.query_one("#numbers", Static).update(stats_table(stats))
        self.query_one("#quiz-trends", Static).update(quiz_trends_table(trends))
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
        plt.title("Reviews due per day (today includes overdue)")
        plt.ylabel("cards")
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
        plt.title(f"Reviews per day: {total} in {REVIEW_DAYS} days")
        plt.ylabel("reviews")
        widget.refresh()

    def plot_retention(self, stats: Stats) -> None:
        widget = self.query_one("#retention-plot", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        rows = [(deck, r) for deck, r in sorted(stats.deck_retention.items()) if r.rate is not None]
        if not rows:
            plt.title("Retention per deck: no reviews of mature cards yet")
            widget.refresh()
            return
        names = [f"{deck} ({r.reviews})" for deck, r in rows]
        values = [round(100 * (r.rate or 0.0), 1) for _, r in rows]
        plt.bar(names, values, orientation="horizontal", color="orange", width=0.5)
        plt.xlim(0, 100)
        plt.title("Retention per deck: % of reviews not Again (number of reviews)")
        widget.refresh()

    def plot_calibration(self, calibration: Calibration) -> None:
        """The reliability diagram: the pass rate of each bin of predicted recall against its
        mean prediction; on the diagonal, your memory is as FSRS predicts it."""
        widget = self.query_one("#calibration-plot", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        filled = [b for b in calibration.bins if b.count]
        if not filled or calibration.log_loss is None or calibration.rmse_bins is None:
            plt.title("Calibration: no reviews a day or more after the previous one yet")
            widget.refresh()
            return
        plt.plot([0, 100], [0, 100], color="gray", label="as predicted")
        xs = [round(100 * (b.predicted or 0.0), 1) for b in filled]
        ys = [round(100 * (b.actual or 0.0), 1) for b in filled]
        plt.plot(xs, ys, marker="dot", color="orange", label="you")
        plt.xlim(0, 100)
        plt.ylim(0, 100)
        plt.xlabel(
            "predicted recall % (reviews per bin: " + " ".join(str(b.count) for b in filled) + ")"
        )
        plt.ylabel("recalled %")
        plt.title(
            f"Calibration over {calibration.reviews} reviews: log loss"
            f" {calibration.log_loss:.3f}, RMSE(bins) {calibration.rmse_bins:.3f}"
        )
        widget.refresh()

    # ---- refresh triggers ----------------------------------------------------------------

    def on_screen_resume(self) -> None:
        if self.stats is not None:
            self.load()

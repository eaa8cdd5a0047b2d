"""Settings: the daily limits, the desired retention, load balancing and easy days, the
language and the theme.

Beside the desired retention, a table and a plot show what each retention costs and keeps: the
workload simulator (`study.simulate`) run on the learner's cards in a thread, so the form never
waits. Saving writes them to config.toml (comments and the other keys kept,
`config.write_settings`) and applies them at once: Home counts with the new limits when it is
shown again, and a new desired retention reschedules the cards in review (the app asks the
store, which logs the change).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, Select, Static, Switch
from textual_plotext import PlotextPlot

from studytool.config import WEEKDAYS, ConfigError, Settings, easy_days
from studytool.study.text import t
from studytool.textsafe import safe_path, visible
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from studytool.study.simulate import Simulation

LANGS = (("English", "en"), ("한국어", "ko"))
RETENTION_RANGE = (0.7, 0.99)  # as config.py accepts
# each field's label: the row of the field with this id, and the label's key (study.text)
LABELLED = (
    ("new-per-day", "set_new_label"),
    ("reviews-per-day", "set_reviews_label"),
    ("retention", "set_retention_label"),
    ("load-balance", "set_balance_label"),
    ("easy-days", "set_easy_label"),
    ("lang", "set_lang_label"),
    ("theme", "set_theme_label"),
)


@dataclass(frozen=True, slots=True)
class Choices:
    """What the form holds, checked."""

    new_per_day: int
    reviews_per_day: int
    desired_retention: float
    lang: str
    theme: str
    load_balance: bool = True
    easy_days: tuple[float, ...] = (1.0,) * 7

    def config_values(self) -> dict[str, object]:
        """The config.toml keys these set (dotted: in a table)."""
        return {
            "review.new_per_day": self.new_per_day,
            "review.reviews_per_day": self.reviews_per_day,
            "scheduler.desired_retention": self.desired_retention,
            "scheduler.load_balance": self.load_balance,
            "scheduler.easy_days": {
                d: f for d, f in zip(WEEKDAYS, self.easy_days, strict=True) if f != 1.0
            },
            "lang": self.lang,
            "theme": self.theme,
        }

    def apply(self, settings: Settings) -> Settings:
        scheduler = replace(
            settings.scheduler,
            desired_retention=self.desired_retention,
            load_balance=self.load_balance,
            easy_days=self.easy_days,
        )
        return replace(
            settings,
            new_per_day=self.new_per_day,
            reviews_per_day=self.reviews_per_day,
            scheduler=scheduler,
            lang=self.lang,
            theme=self.theme,
        )


def read_form(
    new_per_day: str,
    reviews_per_day: str,
    retention: str,
    lang: str,
    theme: str,
    shown_in: str = "en",
    *,
    load_balance: bool = True,
    easy: str = "",
) -> Choices:
    """The form's text checked; ValueError says (in `shown_in`) which field is wrong and why."""

    def count(text: str, what: str) -> int:
        try:
            n = int(text.strip())
        except ValueError:
            raise ValueError(t("set_whole", shown_in, what=t(what, shown_in))) from None
        if n < 0:
            raise ValueError(t("set_not_negative", shown_in, what=t(what, shown_in)))
        return n

    field = t("set_retention", shown_in)
    try:
        r = float(retention.strip())
    except ValueError:
        raise ValueError(t("set_a_number", shown_in, what=field)) from None
    low, high = RETENTION_RANGE
    if not low <= r <= high:
        raise ValueError(t("set_between", shown_in, what=field, low=low, high=high))
    return Choices(
        count(new_per_day, "set_new"),
        count(reviews_per_day, "set_reviews"),
        r,
        lang,
        theme,
        load_balance,
        read_easy_days(easy, shown_in),
    )


def read_easy_days(text: str, shown_in: str = "en") -> tuple[float, ...]:
    """ "sun=0.5 sat=0" (commas or spaces between) -> the share of each weekday, Monday
    first; ValueError says (in `shown_in`) what is wrong."""
    table: dict[str, object] = {}
    what = t("set_easy_days", shown_in)
    for item in text.replace(",", " ").split():
        day, sep, share = item.partition("=")
        try:
            table[day.strip().lower()] = float(share) if sep else None
        except ValueError:
            table[day.strip().lower()] = share
    try:
        return easy_days(table, what)
    except ConfigError as e:
        why = str(e).split(": ", 2)[-1]
        raise ValueError(t("set_easy_bad", shown_in, what=what, error=why)) from None


def easy_days_text(shares: tuple[float, ...]) -> str:
    """The weekdays that are not normal days, as the form shows them: "sat=0 sun=0.5"."""
    return " ".join(f"{d}={f:g}" for d, f in zip(WEEKDAYS, shares, strict=True) if f != 1.0)


class SettingsScreen(StudyScreen[None]):
    CSS_PATH = "settings.tcss"
    TITLE_TEXT = "Settings"
    HELP = "help.settings"  # a CHROME key: the help screen shows it in the app's language
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save", priority=True),
        Binding("escape", "app.pop_screen", "Back", id="settings.back"),
    ]

    refused = False  # the status line shows why the last save was refused

    def __init__(self) -> None:
        super().__init__()
        self.workload: Simulation | None = None  # the simulator's table, once computed
        self.workload_note: tuple[str, dict[str, object]] = ("set_simulating", {})

    def compose(self) -> ComposeResult:
        app = self.study_app
        s = app.settings
        themes = sorted(app.available_themes)
        theme = s.theme if s.theme in themes else app.theme
        # the retention in effect is the log's (a change may have come from another machine)
        retention = (
            s.scheduler.desired_retention if app.store is None else app.store.desired_retention
        )
        fields = {
            "new-per-day": Input(str(s.new_per_day), id="new-per-day", type="integer"),
            "reviews-per-day": Input(str(s.reviews_per_day), id="reviews-per-day", type="integer"),
            "retention": Input(str(retention), id="retention", type="number"),
            "load-balance": Switch(s.scheduler.load_balance, id="load-balance"),
            "easy-days": Input(easy_days_text(s.scheduler.easy_days), id="easy-days"),
            "lang": Select(LANGS, value=app.lang, allow_blank=False, id="lang"),
            "theme": Select(((n, n) for n in themes), value=theme, allow_blank=False, id="theme"),
        }
        yield TitleBar()
        with VerticalScroll(id="settings-form"):
            for name, _key in LABELLED:
                with Horizontal(classes="settings-row"):
                    yield Label(id=f"label-{name}", classes="settings-label")
                    yield fields[name]
                if name == "new-per-day":
                    yield Static(id="new-per-deck", classes="settings-hint")
                elif name == "retention":
                    yield Static(id="workload-caption", classes="settings-hint")
                    table: DataTable[str] = DataTable(
                        id="workload", show_cursor=False, zebra_stripes=True
                    )
                    table.can_focus = False  # Tab moves between the fields only
                    plot = PlotextPlot(id="workload-plot")
                    plot.can_focus = False
                    with Horizontal(id="workload-row"):
                        yield table
                        yield plot
                elif name in ("load-balance", "easy-days"):
                    yield Static(id=f"{name}-hint", classes="settings-hint")
            yield Static(id="settings-status")
            with Horizontal(id="settings-buttons"):
                yield Button("", id="settings-save", variant="primary")
                yield Button("", id="settings-cancel")
        yield KeyBar()  # its key names follow `l`

    def on_mount(self) -> None:
        # `l` switches (and saves) the language here too: the form and its words follow it
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self.label(self.study_app.lang)
        self.follow(self.study_app.store_ready, self.simulate_workload)
        self.simulate_workload()

    @work(thread=True, exclusive=True, group="settings-workload", exit_on_error=False)
    def simulate_workload(self) -> None:
        from studytool.store.errors import StoreError
        from studytool.study.simulate import simulate_store

        app = self.study_app
        store = app.store
        if store is None:
            why = "set_no_workload_opening" if app.store_pending else "set_no_workload"
            app.call_from_thread(self._caption, why)
            return
        drafts = [k for c in app.all_cards() if c.draft for k in c.review_keys()]
        try:
            sim = simulate_store(store, app.clock(), drafts=drafts)
        except StoreError as e:
            app.call_from_thread(self._caption, "set_workload_error", error=visible(str(e)))
            return
        app.call_from_thread(self.show_workload, sim)

    def _caption(self, key: str, **values: object) -> None:
        """The line above the workload table: the label `key` (kept so `l` can redo it)."""
        self.workload_note = (key, values)
        text = t(key, self.study_app.lang, **values)
        self.query_one("#workload-caption", Static).update(Text(text, style="dim"))

    def show_workload(self, sim: Simulation) -> None:
        self.workload = sim
        lang = self.study_app.lang
        self._caption(
            "set_workload",
            days=sim.days,
            cards=sim.cards,
            source=t("set_personal" if sim.personal else "set_default_params", lang),
            seconds=f"{sim.seconds_per_answer:.0f}",
        )
        self._fill_workload()

    def _fill_workload(self) -> None:
        sim = self.workload
        if sim is None:
            return
        try:
            typed = float(self.query_one("#retention", Input).value)
        except ValueError:
            typed = sim.current
        lang = self.study_app.lang
        table = self.query_one("#workload", DataTable)
        table.clear(columns=True)  # the headers follow `l` too
        table.add_columns(
            "", *(t(k, lang) for k in ("wl_desired", "wl_reviews", "wl_minutes", "wl_recall"))
        )
        for row in sim.rows:
            mark = "▶" if abs(row.desired - typed) < 0.005 else ""
            recall = "–" if row.retention is None else f"{row.retention:.1%}"
            table.add_row(
                mark,
                f"{row.desired:.2f}",
                f"{row.answers_per_day:.1f}",
                f"{row.minutes_per_day:.1f}",
                recall,
            )
        self._plot_workload(sim, typed, lang)

    def _plot_workload(self, sim: Simulation, typed: float, lang: str) -> None:
        """Minutes a day against the desired retention, the typed value marked."""
        widget = self.query_one("#workload-plot", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        xs = [row.desired for row in sim.rows]
        ys = [round(row.minutes_per_day, 1) for row in sim.rows]
        plt.plot(xs, ys, marker="dot", color="cyan")
        low, high = RETENTION_RANGE
        if low <= typed <= high:
            plt.vline(typed, color="orange")
        plt.xlim(xs[0], xs[-1])
        plt.ylim(0, max(1.0, *ys) * 1.1)
        plt.title(t("plot_workload", lang, now=typed))
        plt.ylabel(t("wl_minutes", lang))
        widget.refresh()

    @on(Input.Changed, "#retention")
    def _retention_typed(self) -> None:
        self._fill_workload()

    def _lang_changed(self, lang: str) -> None:
        self.query_one("#lang", Select).value = lang
        self.label(lang)

    def label(self, lang: str) -> None:
        """The screen's words in `lang`."""
        self.title = t("settings", lang)
        for name, key in LABELLED:
            self.query_one(f"#label-{name}", Label).update(t(key, lang))
        n = self.study_app.settings.new_per_deck
        self.query_one("#new-per-deck", Static).update(t("set_new_hint", lang, n=n))
        self.query_one("#load-balance-hint", Static).update(t("set_balance_hint", lang))
        self.query_one("#easy-days-hint", Static).update(t("set_easy_hint", lang))
        if self.workload is not None:
            self.show_workload(self.workload)  # the caption's source and the headers
        else:
            key, values = self.workload_note
            self._caption(key, **values)
        if not self.refused:  # a refusal stays until the next save
            self.query_one("#settings-status", Static).update(self._where(lang))
        self.query_one("#settings-save", Button).label = t("save", lang)
        self.query_one("#settings-cancel", Button).label = t("cancel", lang)

    def _where(self, lang: str) -> Text:
        path = self.study_app.settings.config_path
        if path is None:
            return Text(t("set_no_config", lang), style="dim")
        return Text(t("set_saved_to", lang, path=safe_path(path)), style="dim")

    def choices(self) -> Choices:
        """The form, checked (ValueError when a field is wrong)."""
        lang = self.query_one("#lang", Select).value
        theme = self.query_one("#theme", Select).value
        return read_form(
            self.query_one("#new-per-day", Input).value,
            self.query_one("#reviews-per-day", Input).value,
            self.query_one("#retention", Input).value,
            lang if isinstance(lang, str) else self.study_app.lang,
            theme if isinstance(theme, str) else self.app.theme,
            self.study_app.lang,
            load_balance=self.query_one("#load-balance", Switch).value,
            easy=self.query_one("#easy-days", Input).value,
        )

    def action_save(self) -> None:
        status = self.query_one("#settings-status", Static)
        try:
            choices = self.choices()
        except ValueError as e:
            self.refused = True
            status.update(Text(visible(str(e)), style="bold red"))
            return
        try:
            app = self.study_app
            app.apply_settings(choices.apply(app.settings), choices.config_values())
        except ConfigError as e:
            self.refused = True
            status.update(Text(visible(str(e)), style="bold red"))
            return
        lang = self.study_app.lang
        moved = app.rescheduled
        if moved is not None:
            value, n = moved
            self.notify(t("set_rescheduled", lang, value=value, n=n), timeout=5)
        self.notify(t("settings_saved", lang), timeout=3)
        self.app.pop_screen()

    @on(Button.Pressed, "#settings-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#settings-cancel")
    def _cancel_pressed(self) -> None:
        self.app.pop_screen()

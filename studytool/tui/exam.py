"""The exam-date plan: a date, the minutes a day and the recall to reach, and the plan per
day (`study.exam`), computed in a thread. The decks in scope are chosen in a list (none
chosen: every deck; it starts with the active plan's). Activate saves it to config.toml
([exam]) and the review queue follows it; Clear stops that."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from studytool.config import EXAM_MINUTES, EXAM_TARGET, ConfigError, ExamSettings
from studytool.study.text import t
from studytool.textsafe import rich_text, visible
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from studytool.study.exam import ExamPlan

FIELDS = (
    ("exam-date", "exam_date_label"),
    ("exam-minutes", "exam_minutes_label"),
    ("exam-target", "exam_target_label"),
)
DEFAULT_DAYS = 14  # the date offered when no plan is active


def read_exam_form(
    when: str, minutes: str, target: str, decks: tuple[str, ...], today: date, lang: str
) -> ExamSettings:
    """The form checked; ValueError says (in `lang`) which field is wrong."""
    try:
        day = date.fromisoformat(when.strip())
    except ValueError:
        raise ValueError(t("exam_bad_date", lang)) from None
    if day <= today:
        raise ValueError(t("exam_bad_date", lang))
    low, high = EXAM_MINUTES
    try:
        m = int(minutes.strip())
    except ValueError:
        m = 0
    if not low <= m <= high:
        raise ValueError(t("exam_bad_minutes", lang, low=low, high=high))
    low_r, high_r = EXAM_TARGET
    try:
        r = float(target.strip())
    except ValueError:
        r = 0.0
    if not low_r <= r <= high_r:
        raise ValueError(t("exam_bad_target", lang, low=low_r, high=high_r))
    return ExamSettings(day, decks, m, r)


class ExamScreen(StudyScreen[None]):
    CSS_PATH = "exam.tcss"
    TITLE_TEXT = "Exam plan"
    HELP = "help.exam"  # a CHROME key: the help screen shows it in the app's language
    BINDINGS = [
        Binding("ctrl+r", "plan", "Plan", id="exam.plan", priority=True),
        Binding("escape", "app.pop_screen", "Back", id="exam.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: ExamPlan | None = None  # the last plan computed
        self.note: tuple[str, dict[str, object]] = ("exam_planning", {})

    def compose(self) -> ComposeResult:
        app = self.study_app
        active = app.settings.exam
        today = self.today()
        when = active.date if active else today + timedelta(days=DEFAULT_DAYS)
        values = {
            "exam-date": when.isoformat(),
            "exam-minutes": str(active.minutes if active else 30),
            "exam-target": str(active.target if active else 0.9),
        }
        yield TitleBar()
        with VerticalScroll(id="exam-form"):
            for name, _key in FIELDS:
                with Horizontal(classes="exam-row"):
                    yield Label(id=f"label-{name}", classes="exam-label")
                    yield Input(values[name], id=name)
            chosen = set(active.decks) if active else set()
            yield SelectionList[str](
                *(
                    Selection(rich_text(d.title.get(app.lang)), d.id, d.id in chosen, id=d.id)
                    for d in app.library.decks
                ),
                id="exam-decks",
            )
            with Horizontal(id="exam-buttons"):
                yield Button("", id="exam-plan", variant="primary")
                yield Button("", id="exam-activate", variant="success")
                yield Button("", id="exam-clear")
            yield Static(id="exam-state")
            yield Static(id="exam-summary")
            table: DataTable[str] = DataTable(id="exam-days", show_cursor=False, zebra_stripes=True)
            table.can_focus = False
            yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self.label, init=False)
        self.label(self.study_app.lang)
        self.follow(self.study_app.store_ready, self.action_plan)
        self.action_plan()

    def today(self) -> date:
        """The study day now (it starts at the day-start hour, local time), as the plan's."""
        from studytool.store.scheduler import study_date

        app = self.study_app
        return study_date(app.clock(), app.settings.day_start_hour)

    def decks(self) -> tuple[str, ...]:
        """The decks chosen, in library order; none: every deck."""
        chosen = set(self.query_one("#exam-decks", SelectionList).selected)
        return tuple(d.id for d in self.study_app.library.decks if d.id in chosen)

    def goal(self) -> ExamSettings:
        app = self.study_app
        return read_exam_form(
            self.query_one("#exam-date", Input).value,
            self.query_one("#exam-minutes", Input).value,
            self.query_one("#exam-target", Input).value,
            self.decks(),
            self.today(),
            app.lang,
        )

    def action_plan(self) -> None:
        try:
            goal = self.goal()
        except ValueError as e:
            self.summary("", error=str(e))
            return
        self.summary("exam_planning")
        self.compute(goal)

    @work(thread=True, exclusive=True, group="exam-plan", exit_on_error=False)
    def compute(self, goal: ExamSettings) -> None:
        from studytool.store.errors import StoreError
        from studytool.study.exam import plan_store

        app = self.study_app
        store = app.store
        if store is None:
            app.call_from_thread(self.summary, "exam_no_store")
            return
        try:
            plan = plan_store(store, app.all_cards(), app.clock(), goal)
        except (StoreError, ValueError) as e:
            app.call_from_thread(self.summary, "", error=str(e))
            return
        app.call_from_thread(self.show_plan, plan)

    def summary(
        self, key: str, values: dict[str, object] | None = None, *, error: str = ""
    ) -> None:
        """The line above the table: a label (kept so `l` can redo it), or an error."""
        values = values or {}
        self.note = (key, values)
        widget = self.query_one("#exam-summary", Static)
        if error:
            widget.update(Text(visible(error), style="bold red"))
        elif key:
            widget.update(Text(t(key, self.study_app.lang, **values), style="dim"))

    def show_plan(self, plan: ExamPlan) -> None:
        self.plan = plan
        lang = self.study_app.lang
        values: dict[str, object] = {
            "cards": plan.cards,
            "days": plan.days_left,
            "recall": f"{plan.expected_recall:.1%}",
            "date": plan.exam.isoformat(),
            "target": f"{plan.target:.0%}",
        }
        if plan.met:
            text = Text(t("exam_met", lang, **values), style="bold green")
            if plan.tight:
                text.append(" " + t("exam_tight", lang, minutes=plan.minutes_room), "yellow")
        else:
            values |= {"below": plan.below, "unstarted": plan.unstarted}
            text = Text(t("exam_short", lang, **values), style="bold yellow")
            if plan.minutes_needed is not None:
                needed, room = plan.minutes_needed, plan.minutes_room
                text.append(" " + t("exam_needed", lang, minutes=needed, room=room))
            else:
                text.append(" " + t("exam_out_of_reach", lang, minutes=EXAM_MINUTES[1]))
        self.note = ("", {})
        self.query_one("#exam-summary", Static).update(text)
        table = self.query_one("#exam-days", DataTable)
        table.clear(columns=True)
        cols = ("exam_col_date", "exam_col_new", "exam_col_reviews", "exam_col_minutes")
        table.add_columns(*(t(c, lang) for c in cols))
        for day in plan.days:
            table.add_row(day.day.isoformat(), str(day.new), str(day.reviews), f"{day.minutes:.1f}")

    def label(self, lang: str) -> None:
        """The screen's words in `lang`."""
        app = self.study_app
        self.title = t("exam", lang)
        for name, key in FIELDS:
            self.query_one(f"#label-{name}", Label).update(t(key, lang))
        active = app.settings.exam
        decks = self.query_one("#exam-decks", SelectionList)
        decks.border_title = t("exam_decks", lang)
        listed = {decks.get_option_at_index(i).id for i in range(decks.option_count)}
        for deck in app.library.decks:  # those listed when the screen opened (by id)
            if deck.id in listed:
                decks.replace_option_prompt(deck.id, rich_text(deck.title.get(lang)))
        state = t("exam_active", lang, date=active.date) if active else t("exam_none", lang)
        self.query_one("#exam-state", Static).update(Text(state, style="dim"))
        self.query_one("#exam-plan", Button).label = t("exam_plan", lang)
        self.query_one("#exam-activate", Button).label = t("exam_activate", lang)
        self.query_one("#exam-clear", Button).label = t("exam_clear", lang)
        if self.plan is not None:
            self.show_plan(self.plan)
        elif self.note[0]:
            self.summary(*self.note)

    def activate(self, goal: ExamSettings | None) -> None:
        """Save the plan (None: clear it) and use it at once."""
        app = self.study_app
        values: dict[str, object] = {"exam": None}
        if goal is not None:
            values |= goal.config_values()
        try:
            app.apply_settings(replace(app.settings, exam=goal), values)
        except ConfigError as e:
            self.summary("", error=str(e))
            return
        self.notify(t("exam_activated" if goal else "exam_cleared", app.lang), timeout=3)
        self.label(app.lang)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_plan()

    @on(SelectionList.SelectedChanged, "#exam-decks")
    def _decks_changed(self) -> None:
        self.action_plan()

    @on(Button.Pressed, "#exam-plan")
    def _plan_pressed(self) -> None:
        self.action_plan()

    @on(Button.Pressed, "#exam-activate")
    def _activate_pressed(self) -> None:
        try:
            goal = self.goal()
        except ValueError as e:
            self.summary("", error=str(e))
            return
        self.activate(goal)
        self.compute(goal)

    @on(Button.Pressed, "#exam-clear")
    def _clear_pressed(self) -> None:
        self.activate(None)

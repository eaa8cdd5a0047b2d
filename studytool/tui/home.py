"""Home: the deck tree with today's counts, the streak, the review heatmap and the actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from studytool.study.text import format_interval, t
from studytool.textsafe import visible
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.deck_list import DeckList, DeckRow
from studytool.tui.widgets.heatmap import Heatmap
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from studytool.store.stats import Stats
    from studytool.study.exam import ExamStatus
    from studytool.study.review import TodayCounts

ALL = "__all__"
PANEL_TITLES = (
    ("#decks", "panel_decks"),
    ("#heatmap", "panel_heatmap"),
    ("#actions", "panel_actions"),
    ("#deck-info", "panel_deck"),
)
STORE_DELAY = 0.05  # seconds after the first paint
BROKEN = "broken:"
# the Actions panel: a binding id and the CHROME key of what it does. The keys are read from
# the bindings (with the [keymap] of config.toml applied), so a remapped key shows up here too
ACTIONS = (
    ("home.review-all", "act_review_all"),
    ("decks.select", "act_review_deck"),
    ("home.cram", "act_cram"),
    ("home.quiz", "act_quiz"),
    ("home.browse", "act_browse"),
    ("home.demos", "act_demos"),
    ("home.stats", "act_stats"),
    ("help", "act_keys"),
)
DECK_HEADERS = ("col_deck", "col_new", "col_learn", "col_due")


def actions_content(screen: Screen[Any]) -> Content:
    """The actions with the keys bound to them now; a click presses the key."""
    lang = getattr(screen.app, "lang", "en")
    keys: dict[str, tuple[str, str]] = {}  # binding id -> (key, how it is shown)
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.id is not None and binding.id not in keys:
            keys[binding.id] = (key, screen.app.get_key_display(binding))
    shown = [keys.get(binding_id, ("", "")) for binding_id, _ in ACTIONS]
    width = max(2, *(cell_len(display) for _, display in shown))
    lines = []
    for (key, display), (_, label) in zip(shown, ACTIONS, strict=True):
        pad = " " * (width - cell_len(display))
        line = Content.assemble((f"{pad}{display} ", "bold $accent"), t(label, lang))
        if key:
            line = line.stylize_before(f"@click=app.simulate_key({key!r})")
        lines.append(line)
    return Content("\n").join(lines)


def exam_text(exam: ExamStatus, lang: str) -> Text:
    """The active exam plan's line: the days left and the expected recall on the date, or
    that the plan has ended."""
    when = exam.exam.isoformat()
    if exam.expected_recall is None:
        return Text(t("exam_home_ended", lang, date=when), style="dim italic")
    recall = exam.expected_recall
    text = t(
        "exam_home",
        lang,
        date=when,
        days=exam.days_left,
        recall=f"{recall:.0%}",
        target=f"{exam.target:.0%}",
    )
    return Text(text, style="bold green" if recall >= exam.target else "bold yellow")


@dataclass(frozen=True, slots=True)
class HomeData:
    counts: TodayCounts  # all decks within the daily limits, and each deck reviewed alone
    stats: Stats
    last_sync: datetime | None = None  # None: this data dir never synced
    exam: ExamStatus | None = None  # the active exam plan's days left and expected recall
    optimize_hint: int | None = None  # new review answers when a fit is worth suggesting


class HomeScreen(StudyScreen[None]):
    # home.tcss is in StudyApp.CSS_PATH
    AUTO_FOCUS = "#decks"
    BINDINGS = [
        Binding("r", "app.review('')", "Review all", id="home.review-all"),
        Binding("c", "cram_selected", "Cram", id="home.cram"),
        Binding("t", "quiz_selected", "Quiz", id="home.quiz"),
        Binding("b", "app.browse", "Browse", id="home.browse"),
        Binding("d", "app.demos", "Demos", id="home.demos"),
        Binding("s", "app.stats", "Stats", id="home.stats"),
        Binding("o", "app.settings", "Settings", id="home.settings", show=False),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: HomeData | None = None
        self.hinted = False  # the optimize hint is shown once a run

    def compose(self) -> ComposeResult:
        # every widget starts with its content, so the first frame is laid out only once
        yield TitleBar()
        yield Static(self.today_text(), id="today")
        with Horizontal(id="main"):
            lang = self.study_app.lang
            decks = DeckList([t(key, lang) for key in DECK_HEADERS], id="decks")
            decks.border_title = t("panel_decks", lang)
            decks.set_rows(self.deck_rows())
            yield decks
            with Vertical(id="side"):
                heatmap = Static(self.heatmap(), id="heatmap")
                heatmap.border_title = t("panel_heatmap", lang)
                yield heatmap
                actions = Static(actions_content(self), id="actions")
                actions.border_title = t("panel_actions", lang)
                yield actions
                info = Static(self.deck_info(ALL), id="deck-info")
                info.border_title = t("panel_deck", lang)
                yield info
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.bindings_updated_signal.subscribe(self, self._bindings_changed)
        # under another screen, Home catches up when it is shown again (on_screen_resume)
        app = self.study_app
        self.follow(app.store_ready, self.refresh_counts, catch_up=False)
        self.follow(app.progress_changed, self.refresh_counts, catch_up=False)
        self.follow(app.library_changed, self._library_changed, catch_up=False)
        self.follow(app.card_edited, self._library_changed, catch_up=False)
        if self.study_app.store is not None:
            self.load_counts()
        # the store (fsrs, SQLite, a backup) opens after the first frame: a moment after it is
        # painted, so the thread does not take the GIL while the frame is written out
        self.call_after_refresh(self.set_timer, STORE_DELAY, self.study_app.open_store)

    def _bindings_changed(self, _screen: Screen[Any]) -> None:
        # the same number of lines: no layout
        self.query_one("#actions", Static).update(actions_content(self), layout=False)

    def _theme_changed(self, _theme: str) -> None:
        self.query_one("#heatmap", Static).update(self.heatmap())

    def _lang_changed(self, lang: str) -> None:
        for panel, key in PANEL_TITLES:
            self.query_one(panel).border_title = t(key, lang)
        decks = self.query_one("#decks", DeckList)
        decks.headers = tuple(t(key, lang) for key in DECK_HEADERS)
        self.query_one("#actions", Static).update(actions_content(self), layout=False)
        self.fill_decks()
        self.show_today()  # the exam plan's line

    # ---- data ----------------------------------------------------------------------------

    def refresh_counts(self) -> None:
        if self.study_app.store is not None:
            self.load_counts()
        self.show_today()

    @work(thread=True, exclusive=True, group="home-counts", exit_on_error=False)
    def load_counts(self) -> None:
        from studytool.store.errors import StoreError
        from studytool.store.gitsync import last_sync
        from studytool.store.optimize import optimize_hint
        from studytool.store.stats import compute_stats
        from studytool.study.review import today_counts

        app = self.study_app
        store = app.store
        if store is None:
            return
        cards = app.all_cards()
        now = app.clock()
        exam: ExamStatus | None = None
        try:
            if store.settings.exam is not None:  # the planner imports numpy: only for a plan
                from studytool.study.exam import exam_status

                exam = exam_status(store, cards, now)
            data = HomeData(
                today_counts(store, cards, now),
                compute_stats(store, cards, now),
                last_sync(store),
                exam,
                None if self.hinted else optimize_hint(store, now),
            )
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), severity="error")
            return
        app.call_from_thread(self._show_data, data)

    def _show_data(self, data: HomeData) -> None:
        self.data = data
        self.fill_decks()
        self.show_today()
        if data.optimize_hint is not None and not self.hinted:
            self.hinted = True
            hint = t("optimize_hint", self.study_app.lang, n=data.optimize_hint)
            self.notify(hint, timeout=15)

    def show_today(self) -> None:
        self.query_one("#today", Static).update(self.today_text())
        self.query_one("#heatmap", Static).update(self.heatmap())

    def heatmap(self) -> RenderableType:
        app = self.study_app
        if app.store is None and not app.store_pending:
            return Text(t("home_no_progress", app.lang), style="dim")
        if self.data is None:  # the empty grid until the numbers come: same size, no re-layout
            local = app.clock().astimezone() - timedelta(hours=app.settings.day_start_hour)
            return Heatmap([], local.date(), dark=self.app.current_theme.dark, lang=app.lang)
        stats = self.data.stats
        return Heatmap(
            stats.reviews_per_day, stats.today, dark=self.app.current_theme.dark, lang=app.lang
        )

    def today_text(self) -> Text:
        app = self.study_app
        lang = app.lang
        if app.store is None:
            if app.store_pending:
                return Text(t("home_opening", lang), style="dim")
            return Text.assemble(
                (t("home_read_only", lang), "bold red"), t("home_read_only_why", lang)
            )
        if self.data is None:
            return Text(t("home_counting", lang), style="dim")
        stats = self.data.stats
        today = self.data.counts.total
        total, new, learning, due = today.total, today.new, today.learning, today.due
        streak = stats.current_streak
        line = Text.assemble(
            (t("home_today", lang), "bold"),
            (f"{total}", "bold"),
            t("home_to_study", lang),
            (t("home_new", lang, n=new), "bold blue"),
            " · ",
            (t("home_learning", lang, n=learning), "bold red"),
            " · ",
            (t("home_due", lang, n=due), "bold green"),
            "   ",
            (t("home_streak", lang), "bold"),
            (
                t("home_days" if streak != 1 else "home_day", lang, n=streak),
                "bold yellow" if streak else "dim",
            ),
            (t("home_best", lang, n=stats.longest_streak), "dim"),
        )
        if total == 0:
            line.append(t("home_all_done", lang), style="green")
        if self.data.last_sync is not None:  # shown once this machine syncs
            ago = format_interval(app.clock() - self.data.last_sync)
            line.append(f"   {t('last_sync', lang, ago=ago)}", style="dim")
        exam = self.data.exam
        if exam is not None:
            line.append("\n")
            line.append(exam_text(exam, app.lang))
        return line

    # ---- the deck tree -------------------------------------------------------------------

    def fill_decks(self) -> None:
        deck_list = self.query_one("#decks", DeckList)
        deck_list.set_rows(self.deck_rows(), keep=deck_list.cursor_key)
        self.show_deck_info(deck_list.cursor_key or ALL)

    def deck_rows(self) -> list[DeckRow]:
        app = self.study_app
        counts = self.data.counts.decks if self.data else {}
        known = self.data is not None

        def num(n: int, style: str) -> Text:
            if not known:
                return Text("·", style="dim")
            return Text(str(n), style=style if n else "dim")

        decks = app.library.decks
        broken = list(app.library.broken.items())
        today = self.data.counts.total if self.data else None
        totals = [today.new, today.learning, today.due] if today else [0, 0, 0]
        rows = [
            DeckRow(
                ALL,
                Text(t("home_all_decks", app.lang), style="bold"),
                (
                    num(totals[0], "bold blue"),
                    num(totals[1], "bold red"),
                    num(totals[2], "bold green"),
                ),
            )
        ]
        for i, deck in enumerate(decks):
            last = i == len(decks) - 1 and not broken
            label = Text("└ " if last else "├ ", style="dim")
            label.append(visible(deck.title.get(app.lang)))
            if not deck.builtin:
                label.append(" ✎", style="dim italic")
            c = counts.get(deck.id)
            rows.append(
                DeckRow(
                    deck.id,
                    label,
                    (
                        num(c.new if c else 0, "blue"),
                        num(c.learning if c else 0, "red"),
                        num(c.due if c else 0, "green"),
                    ),
                )
            )
        for i, (name, errors) in enumerate(broken):
            label = Text("└ " if i == len(broken) - 1 else "├ ", style="dim")
            label.append(
                f"⚠ {visible(name)} · {t('home_errors', app.lang, n=errors)}", style="bold red"
            )
            rows.append(DeckRow(BROKEN + name, label))
        return rows

    def selected_deck(self) -> str:
        """The deck id under the cursor, "" for all decks."""
        key = self.query_one("#decks", DeckList).cursor_key
        return "" if key in (None, ALL) or key.startswith(BROKEN) else key

    # ---- actions -------------------------------------------------------------------------

    @on(DeckList.Selected, "#decks")
    def _deck_selected(self, event: DeckList.Selected) -> None:
        if event.key.startswith(BROKEN):
            self.show_problems(event.key.removeprefix(BROKEN))
        else:
            self.study_app.action_review("" if event.key == ALL else event.key)

    @on(DeckList.Highlighted, "#decks")
    def _deck_highlighted(self, event: DeckList.Highlighted) -> None:
        self.show_deck_info(event.key)

    def show_deck_info(self, key: str) -> None:
        self.query_one("#deck-info", Static).update(self.deck_info(key))

    def deck_info(self, key: str) -> Text:
        app = self.study_app
        lang = app.lang
        if key.startswith(BROKEN):
            name = key.removeprefix(BROKEN)
            problems = [p for p in app.library.problems if p.path.stem == name]
            text = Text(t("home_file_errors", lang, name=visible(name)) + "\n", style="bold red")
            for p in problems[:6]:
                text.append(visible(f"{p.path.name}:{p.line}:{p.col}: {p.message}\n"), style="red")
            return text
        deck = app.deck(key)
        if deck is None:
            decks = app.library.decks
            return Text.assemble(
                (t("home_n_decks", lang, n=len(decks)), "bold"),
                " · ",
                t("home_n_cards", lang, n=sum(len(d.review_cards) for d in decks)),
                " · ",
                (t("home_yours", lang, n=sum(1 for d in decks if not d.builtin)), "dim"),
                "\n" + t("home_all_hint", lang),
            )
        by_type: dict[str, int] = {}
        for card in deck.review_cards:
            by_type[card.type.value] = by_type.get(card.type.value, 0) + 1
        text = Text.assemble((visible(deck.title.get(lang)), "bold"), (f"  {deck.id}", "dim"))
        if deck.description:
            text.append("\n" + visible(deck.description.get(lang)))
        kinds = ", ".join(f"{n} {t}" for t, n in sorted(by_type.items(), key=lambda x: -x[1]))
        cards = t("home_deck_cards", lang, n=len(deck.review_cards), kinds=kinds)
        text.append(f"\n{cards}", style="dim")
        if deck.tags:
            text.append(
                visible("\n" + t("home_tags", lang, tags=", ".join(deck.tags))), style="dim"
            )
        replaces = deck.overrides and t("home_replaces", lang, name=deck.overrides.name)
        where = f"\n{deck.path}" + (f" ({replaces})" if replaces else "")
        text.append(visible(where), style="dim italic")
        return text

    def action_cram_selected(self) -> None:
        self.study_app.action_cram(self.selected_deck())

    def action_quiz_selected(self) -> None:
        self.study_app.action_quiz(self.selected_deck())

    def show_problems(self, name: str) -> None:
        """A broken deck: list its first problems and open its file in the editor."""
        problems = self.study_app.library.problems
        mine = [p for p in problems if p.path.stem == name] or [
            p for p in problems if name in p.message
        ]
        shown = "\n".join(f"{p.path.name}:{p.line}:{p.col}: {p.message}" for p in mine[:4])
        lang = self.study_app.lang
        more = "\n" + t("home_and_more", lang, n=len(mine) - 4) if len(mine) > 4 else ""
        self.notify(
            (shown or t("home_run_check", lang)) + more,
            title=t("home_deck_has_errors", lang, name=name),
            severity="error",
            timeout=12,
        )
        if mine:
            self.study_app.open_editor(mine[0].path)

    # ---- refresh triggers ----------------------------------------------------------------

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.fill_decks()
            self.refresh_counts()

    def _library_changed(self) -> None:
        self.fill_decks()
        self.refresh_counts()

"""Concept demos in the TUI: the demo list and the screen that runs one demo live.

`DemoScreen` shows a demo's title, concept and claim, a form of its parameters (checked with
the demos' own rules, `studytool.demorun.params`, before anything starts), and a run streamed
from a worker process (`studytool.demorun.runner`): progress, a plot of the metric series, the
latest metrics, half-block images, the demo's tables and the verdict. This process never imports
torch; a crash, a timeout or a bad parameter in the child becomes an error shown on the screen.
Esc cancels a run (the child is killed at once), a second Esc closes the screen; r during a run
stops it and starts a new one with the form's values (events of the old run are ignored).

Predict, then run: a demo with questions asks them (`PredictScreen`, Esc skips) before its first
run with a set of parameters; r again with the same parameters, quick and device runs without
asking and without scoring again (the same seed gives the same run: a second score would count
one prediction twice). After the verdict each guess is scored against the run's own answer,
logged in the progress store (fsynced) and then shown next to what happened.

`DemoListScreen` lists every demo of the catalogue, filtered as you type; Enter opens one.

Every demo screen uses the app's runner (`StudyApp.demo_runner`: one warm worker process kept
between runs, started after the app's first paint, stopped when the app exits) unless it is
given its own; on opening, the screen has that worker import the demo's module.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    Button,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    Switch,
)
from textual.worker import get_current_worker

from studytool.demorun import catalog
from studytool.demorun.params import DemoParamError, Param
from studytool.demorun.predict import Scored, log_scored, logged_card, score_all
from studytool.demorun.protocol import error_event
from studytool.demorun.reducer import RunView
from studytool.demorun.render import table_renderable
from studytool.demorun.runner import DemoRun, DemoRunner
from studytool.study.text import t
from studytool.tui.demo_predict import Guesses, PredictScreen, scored_table
from studytool.tui.screens import GuardedScreen
from studytool.tui.widgets.demo_output import image_grid, latest_metrics, verdict_view
from studytool.tui.widgets.demo_plot import CHART_ROWS, MetricPlot
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda")
PLOT_DELAY = 0.15  # seconds: redraw the plot at most this often while a run streams


def app_runner(app: App[Any]) -> DemoRunner:
    """The host app's demo runner (`StudyApp.demo_runner`)."""
    runner = getattr(app, "demo_runner", None)
    if not isinstance(runner, DemoRunner):
        raise TypeError(f"{type(app).__name__} has no demo_runner: pass a runner to the screen")
    return runner


def app_lang(widget: Widget) -> str:
    return getattr(widget.app, "lang", "en")


def demo_title(meta: catalog.DemoMeta, lang: str) -> str:
    return meta.title_ko if lang == "ko" else meta.title_en


def _show(value: Any) -> str:
    """A parameter value as the form shows it (floats in full: the run gets what it shows)."""
    return repr(value) if isinstance(value, float) else str(value)


def _range(p: Param) -> str:
    if p.kind not in ("int", "float"):
        return ""

    def bound(x: float | None) -> str | None:
        if x is None:
            return None
        return str(int(x)) if p.kind == "int" else f"{x:g}"

    lo, hi = bound(p.min), bound(p.max)
    if lo is not None and hi is not None:
        return f"{lo}…{hi}"
    if lo is not None:
        return f"≥ {lo}"
    return f"≤ {hi}" if hi is not None else ""


@dataclass
class DemoEventsWaiting(Message):
    """The run's worker thread left events in the screen's inbox."""


# ---- the demo screen ---------------------------------------------------------------------


class DemoScreen(GuardedScreen[None]):
    CSS_PATH = "demo.tcss"
    AUTO_FOCUS = "#run"
    TITLE_TEXT = "Demo"
    HELP = "help.demo"  # a CHROME key: the help screen shows it in the app's language
    # one key, two meanings: check_action enables the cancel binding only while a run goes
    BINDINGS: ClassVar = [
        Binding("r,enter", "run", "Run", id="demo.run"),
        Binding("escape", "cancel", "Cancel run", id="demo.cancel"),
        Binding("escape", "close", "Close", id="demo.close"),
    ]

    def __init__(
        self,
        name: str,
        card_id: str | None = None,
        *,
        runner: DemoRunner | None = None,
        package_dir: Path | None = None,
    ) -> None:
        """`package_dir`: an importable package of demo modules on the worker's path, read
        instead of the shipped demos (its runner's pool must put its parent on the path)."""
        super().__init__()
        self.demo_name = name
        self.card_id = card_id
        self._runner = runner
        self.module = f"{package_dir.name}.{name}" if package_dir is not None else None
        self.meta: catalog.DemoMeta | None = None
        self.load_error = ""
        try:
            self.meta = catalog.get_demo(name, package_dir)
        except catalog.UnknownDemoError as exc:
            self.load_error = str(exc)
        self.demo_run: DemoRun | None = None
        self.state: RunView | None = None
        self.run_id = 0  # the run whose events are shown; a stale run's events are dropped
        self.cancelling = False
        self.param_errors: dict[str, str] = {}
        self._inbox: list[tuple[int, dict[str, Any]]] = []
        self._inbox_lock = threading.Lock()
        self._plot_pending = False
        self._ticker: Timer | None = None
        self.asked_for: tuple[Any, ...] | None = None  # the form values last predicted for
        self.guesses: Guesses | None = None  # of the run shown; None: none to score
        self.scored: list[Scored] = []
        self.saved_note = ""  # where the scored predictions went, or why not
        self.saving = False  # scored guesses on their way to the store

    @property
    def runner(self) -> DemoRunner:
        if self._runner is None:
            self._runner = app_runner(self.app)
        return self._runner

    # ---- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="about")
        if self.meta is None:
            yield KeyBar()
            return
        with Horizontal(id="main"):
            with VerticalScroll(id="form"):
                lang = app_lang(self)
                yield Button(t("demo_run_button", lang), id="run", variant="primary", compact=True)
                for p in self.meta.params:
                    yield from self._field(p)
                yield Label("quick", classes="param-label")
                with Horizontal(classes="switch-row"):
                    yield Switch(False, id="quick", animate=False)
                    yield Label(t("demo_quick_help", lang), id="quick-help", classes="muted")
                yield Label("device", classes="param-label")
                yield Select(
                    [(d, d) for d in DEVICES],
                    value="auto",
                    allow_blank=False,
                    id="device",
                    compact=True,
                )
                yield Static(id="form-msg")
            with VerticalScroll(id="output"):
                yield Static(id="status")
                yield ProgressBar(total=None, show_eta=False, id="progress")
                yield Static(id="verdict")
                yield Static(id="predictions")
                # PlotextPlot draws over its own border: the border goes on a box around it
                with Vertical(id="plot-box") as plot_box:
                    plot_box.border_title = t("charts", app_lang(self))
                    yield MetricPlot(id="plot")
                yield Static(id="metrics")
                yield Static(id="images")
                yield Static(id="tables")
                yield Static(id="log")
        yield KeyBar()

    def _field(self, p: Param) -> ComposeResult:
        label = Text(p.name)
        if _range(p):
            label.append(f"  {_range(p)}", style="dim")
        yield Label(label, classes="param-label")
        wid = f"param-{p.name}"
        if p.kind == "bool":
            with Horizontal(classes="switch-row"):
                yield Switch(bool(p.default), id=wid, animate=False, tooltip=Text(p.help))
                yield Label(Text(p.help), classes="muted")
        elif p.choices:
            yield Select(
                [(Text(c), c) for c in p.choices],
                value=str(p.default),
                allow_blank=False,
                id=wid,
                tooltip=Text(p.help),
                compact=True,
            )
        else:
            yield Input(_show(p.default), id=wid, tooltip=Text(p.help), compact=True)

    def on_mount(self) -> None:
        self.title = t("demo", app_lang(self))
        self.sub_title = self.demo_name
        if hasattr(self.app, "lang"):
            self.watch(self.app, "lang", self._show_about, init=False)
        self._show_about()
        if self.meta is None:
            return
        for widget in self.query("#output > *"):
            widget.display = widget.id in ("status", "log")
        self._show_status()
        self._show_form_message()
        self._ticker = self.set_interval(0.5, self._show_status, pause=True)
        # the warm worker (started now if the app has none) imports this demo's module while
        # the user reads the claim
        self.run_worker(
            partial(self.runner.preload, self.meta.name, self.module),
            thread=True,
            group="demo-prewarm",
            exit_on_error=False,
        )

    def _show_about(self, _new_lang: str | None = None) -> None:
        about = self.query_one("#about", Static)
        if self.meta is None:
            about.update(
                Text.assemble(
                    ("⚠ ", "bold red"),
                    self.load_error,
                    (f"   {t('help_close', app_lang(self))}", "dim"),
                )
            )
            return
        m, lang = self.meta, app_lang(self)
        self.title = t("demo", lang)
        self.query_one("#plot-box").border_title = t("charts", lang)
        self.query_one("#run", Button).label = t("demo_run_button", lang)
        self.query_one("#quick-help", Label).update(t("demo_quick_help", lang))
        head = Text.assemble((demo_title(m, lang), "bold"), ("  ·  ", "dim"), (m.name, "dim"))
        concept = Text.assemble((f"{t('concept', lang)} ", "dim"), m.concept)
        if self.card_id:
            concept.append(f"   {t('from_card', lang, card=self.card_id)}", style="dim")
        claim = Text.assemble((f"{t('claim', lang)} ", "dim"), (m.claim, "italic"))
        self._show_status()
        about.update(Group(head, concept, claim))

    # ---- the form ------------------------------------------------------------------------

    def _param_of(self, widget: Widget | None) -> Param | None:
        if self.meta is None or widget is None or not (widget.id or "").startswith("param-"):
            return None
        return self.meta.param((widget.id or "").removeprefix("param-"))

    def _value(self, p: Param) -> Any:
        widget = self.query_one(f"#param-{p.name}")
        if isinstance(widget, Input):
            return widget.value.strip()
        assert isinstance(widget, Switch | Select)
        return widget.value

    @property
    def quick(self) -> bool:
        return self.query_one("#quick", Switch).value

    def read_form(self) -> tuple[dict[str, Any], bool, str]:
        """(params, quick, device) from the form; raises the demo API's DemoParamError."""
        assert self.meta is not None
        given = {p.name: self._value(p) for p in self.meta.params}
        quick = self.quick
        self.meta.resolve_params(given, quick)
        return given, quick, str(self.query_one("#device", Select).value)

    def _check_field(self, p: Param) -> None:
        assert self.meta is not None
        widget = self.query_one(f"#param-{p.name}")
        try:
            self.meta.resolve_params({p.name: self._value(p)}, self.quick)
        except DemoParamError as exc:
            self.param_errors[p.name] = str(exc)
        else:
            self.param_errors.pop(p.name, None)
        widget.set_class(p.name in self.param_errors, "-invalid")
        self._show_form_message()

    def _show_form_message(self) -> None:
        msg = self.query_one("#form-msg", Static)
        if self.param_errors:
            msg.update(Text(next(iter(self.param_errors.values())), style="bold red"))
            return
        p = self._param_of(self.focused)
        msg.update(Text(p.help if p else t("tab_fields", app_lang(self)), style="dim"))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        p = self._param_of(event.input)
        if p is not None:
            self._check_field(p)

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    @on(Button.Pressed, "#run")
    def _run_pressed(self) -> None:
        self.action_run()

    @on(Switch.Changed, "#quick")
    def _quick_changed(self, event: Switch.Changed) -> None:
        """Move the fields that show the other mode's value to this mode's value; values the
        user typed stay as they are."""
        assert self.meta is not None
        for p in self.meta.params:
            if p.quick is None:
                continue
            old, new = (p.default, p.quick) if event.value else (p.quick, p.default)
            widget = self.query_one(f"#param-{p.name}")
            if isinstance(widget, Input) and widget.value.strip() == _show(old):
                widget.value = _show(new)
            elif isinstance(widget, Switch | Select) and widget.value == old:
                widget.value = new

    @on(events.DescendantFocus)
    def _focus_moved(self) -> None:
        if self.meta is not None:
            self._show_form_message()

    # ---- running -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.state is not None and not self.state.done

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return self.meta is not None
        if action == "cancel":
            return self.running and not self.cancelling
        if action == "close":
            return not self.running or self.cancelling
        return True

    def action_run(self) -> None:
        assert self.meta is not None  # check_action: no run without a demo
        try:
            params, quick, device = self.read_form()
        except DemoParamError as exc:
            self.query_one("#form-msg", Static).update(Text(str(exc), style="bold red"))
            self.notify(str(exc), title=t("demo_bad_param", app_lang(self)), severity="error")
            return
        asked = (tuple(sorted((k, str(v)) for k, v in params.items())), quick, device)
        if self.meta.predictions and asked != self.asked_for:
            self.asked_for = asked
            self.app.push_screen(
                PredictScreen(self.meta.predictions, app_lang(self)),
                partial(self._start, params, quick, device),
            )
            return
        self._start(params, quick, device, None)

    def _start(
        self, params: dict[str, Any], quick: bool, device: str, guesses: Guesses | None
    ) -> None:
        """Start a run; `guesses` (None: skipped or not asked) are scored after its verdict."""
        assert self.meta is not None
        self.guesses = guesses
        self.scored = []
        self.saved_note = ""
        self.saving = False
        if self.running:  # r again: this run makes way for one with the form's values
            self._stop(self.demo_run)
        self.run_id += 1
        self.state = RunView()
        self.cancelling = False
        self.demo_run = self.runner.run(
            self.meta.name, params, device=device, quick=quick, module=self.module
        )
        self._draw(reset=True)
        if self._ticker is not None:
            self._ticker.resume()
        self.refresh_bindings()
        self.stream(self.demo_run, self.run_id)

    @work(thread=True, exclusive=True, group="demo")
    def stream(self, run: DemoRun, run_id: int) -> None:
        worker = get_current_worker()
        try:
            for event in run:
                if worker.is_cancelled:
                    run.cancel()
                    return
                self._deliver(run_id, event)
        except Exception as exc:  # the runner turns failures into events; this is the backstop
            self._deliver(run_id, error_event(f"{type(exc).__name__}: {exc}", "crash"))
            self._deliver(run_id, {"type": "done"})

    def _deliver(self, run_id: int, event: dict[str, Any]) -> None:
        """Called from the worker thread. One message per burst: while the UI is busy, events
        pile up in the inbox and are drawn together."""
        with self._inbox_lock:
            self._inbox.append((run_id, event))
            first = len(self._inbox) == 1
        if first:
            self.post_message(DemoEventsWaiting())

    @on(DemoEventsWaiting)
    def _events_waiting(self) -> None:
        with self._inbox_lock:
            batch, self._inbox = self._inbox, []
        state = self.state
        fresh = [event for run_id, event in batch if run_id == self.run_id]
        if state is None or not fresh:
            return
        for event in fresh:
            state.apply(event)
        if state.done:
            if self._ticker is not None:
                self._ticker.pause()
            self.cancelling = False
            self.refresh_bindings()
            if self.guesses is not None:
                self._score(self.run_id, self.guesses, state.verdict)
        self._draw(images=any(e.get("type") == "image" for e in fresh))

    # ---- predictions -----------------------------------------------------------------------

    def _score(self, run_id: int, guesses: Guesses, verdict: dict[str, Any] | None) -> None:
        """Score the run's guesses; the scored ones are saved (in a thread: fsync) before
        they are shown."""
        assert self.meta is not None
        scored = score_all(self.meta.predictions, guesses, verdict)
        self.guesses = None  # scored once
        if not any(s.right is not None for s in scored):
            self._show_scored(run_id, scored, "")
            return
        self.saving = True
        self.query_one("#predictions", Static).update(
            Text(t("predict_saving", app_lang(self)), style="dim")
        )
        self._guarded(self._show_predictions)
        self.run_worker(
            partial(self._save_scored, run_id, scored),
            thread=True,
            group="demo-predict",
            exit_on_error=False,
        )

    def _save_scored(self, run_id: int, scored: list[Scored]) -> None:
        assert self.meta is not None
        lang = app_lang(self)
        store = getattr(self.app, "store", None)
        if store is None:
            note = t("predict_not_saved", lang, why=t("predict_no_db", lang))
        else:
            try:
                log_scored(store, self.meta, scored)
            except Exception as exc:  # a full disk, a locked file: the score still shows
                log.warning("demo screen: predictions not saved", exc_info=True)
                note = t("predict_not_saved", lang, why=f"{type(exc).__name__}: {exc}")
            else:
                cards = sorted({logged_card(self.meta, s.question) for s in scored})
                note = t("predict_saved", lang, card=", ".join(cards))
        self.app.call_from_thread(self._show_scored, run_id, scored, note)

    def _show_scored(self, run_id: int, scored: list[Scored], note: str) -> None:
        if run_id != self.run_id:
            return  # a newer run started meanwhile
        self.saving = False
        self.scored = scored
        self.saved_note = note
        self._guarded(self._show_predictions)

    def _show_predictions(self) -> None:
        box = self.query_one("#predictions", Static)
        box.display = bool(self.scored) or self.saving
        if not self.scored:
            return
        lang = app_lang(self)
        box.border_title = t("predictions", lang)
        box.update(scored_table(self.scored, lang, self.saved_note))

    @staticmethod
    def _stop(run: DemoRun | None) -> None:
        # kill() waits for the child to go (up to a fraction of a second): not on the UI thread
        if run is not None:
            threading.Thread(target=run.cancel, name="demo-cancel", daemon=True).start()

    def action_cancel(self) -> None:
        if not self.running:
            return
        self.cancelling = True
        self.refresh_bindings()
        self._show_status()
        self._stop(self.demo_run)

    def action_close(self) -> None:
        self.dismiss()

    def on_unmount(self) -> None:
        if self.running:
            self._stop(self.demo_run)

    # ---- drawing a run -------------------------------------------------------------------

    def _guarded(self, draw: Callable[[], None]) -> None:
        """Run one drawing step; one that fails (odd data from a demo, a widget gone while
        the screen closes) is logged and skipped: a frame is never worth the app."""
        try:
            draw()
        except Exception:
            log.warning("demo screen: skipped drawing %s", draw.__name__, exc_info=True)

    def _draw(self, *, reset: bool = False, images: bool = False) -> None:
        if self.state is None:
            return
        self._guarded(self._show_status)
        self._guarded(self._show_progress if not reset else self._reset_progress)
        self._guarded(self._show_verdict)
        self._guarded(self._show_predictions)
        self._guarded(self._show_metrics)
        if images or reset:
            self._guarded(self._show_images)
        self._guarded(self._show_tables_and_log)
        if self.state.done or reset:
            self._guarded(self._draw_plot)
        elif not self._plot_pending:
            self._plot_pending = True
            self.set_timer(PLOT_DELAY, partial(self._guarded, self._draw_plot))

    def _reset_progress(self) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True

    def _show_progress(self) -> None:
        state = self.state
        assert state is not None
        bar = self.query_one("#progress", ProgressBar)
        if state.total:
            done = state.total if state.verdict is not None else min(state.step, state.total)
            bar.update(total=state.total, progress=done)
        elif state.done:  # a demo that reported no progress: stop the waiting animation
            bar.update(total=1, progress=1 if state.verdict is not None else 0)
        bar.display = True

    def _show_tables_and_log(self) -> None:
        state = self.state
        assert state is not None
        tables = self.query_one("#tables", Static)
        tables.display = bool(state.tables)
        tables.update(Group(*(table_renderable(tb) for tb in state.tables.values())))
        self.query_one("#log", Static).update(Text("\n".join(state.logs[-6:]), style="dim"))

    def _show_status(self) -> None:
        state, lang = self.state, app_lang(self)
        if state is None:  # before the first run
            self.query_one("#status", Static).update(Text(t("demo_ready", lang), style="dim"))
            return
        parts: list[str | tuple[str, str]] = []
        if state.device:
            parts += [(f"{t('device', lang)} ", "dim"), (state.device, "bold"), "   "]
        if state.verdict is not None:
            parts.append((t("finished", lang), "bold green"))
        elif state.cancelled:
            parts.append((t("cancelled", lang), "bold yellow"))
        elif state.error is not None:
            parts.append((t("failed", lang), "bold red"))
        elif self.cancelling:
            parts.append((t("cancelling", lang), "bold yellow"))
        else:
            what = t("running" if state.device else "starting", lang)
            parts += [(what, "bold"), f" {state.elapsed:.1f} s"]
            if state.total:
                parts.append((f"   {t('step', lang)} ", "dim"))
                parts.append(f"{state.step}/{state.total}")
        self.query_one("#status", Static).update(Text.assemble(*parts))

    def _show_verdict(self) -> None:
        box = self.query_one("#verdict", Static)
        box.remove_class("-holds", "-fails", "-na", "-error", "-cancelled")
        claim = self.meta.claim if self.meta is not None else ""
        lang = app_lang(self)
        view = verdict_view(self.state, lang, claim) if self.state is not None else None
        box.display = view is not None
        if view is not None:
            box.add_class(view.css_class)
            box.border_title = view.title
            box.update(view.body)

    def _show_metrics(self) -> None:
        box = self.query_one("#metrics", Static)
        box.display = self.state is not None and bool(self.state.metrics)
        if self.state is not None and box.display:
            box.border_title, table = latest_metrics(self.state, app_lang(self))
            box.update(table)

    def _show_images(self) -> None:
        box = self.query_one("#images", Static)
        box.display = self.state is not None and bool(self.state.images)
        if self.state is not None and box.display:
            # the output pane's width less the box's border and padding
            width = max(20, self.query_one("#output").scrollable_content_region.width - 4)
            box.update(image_grid(self.state.images, width))

    def _draw_plot(self) -> None:
        self._plot_pending = False
        box = self.query_one("#plot-box")
        groups = self.state.chart_groups() if self.state is not None else []
        box.display = bool(groups)
        plot = self.query_one("#plot", MetricPlot)
        if groups:
            box.styles.height = CHART_ROWS * len(groups) + 2  # + the box's border
            plot.show(groups)
        else:
            plot.clear()

    def on_resize(self) -> None:
        if self.meta is not None and self.state is not None:
            self._guarded(self._show_images)

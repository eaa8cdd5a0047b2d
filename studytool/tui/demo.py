"""Concept demos in the TUI: the demo list and the screen that runs one demo live.

`DemoScreen` shows a demo's title, concept and claim, a form of its parameters (checked with
the demo API's own rules before anything starts), and a run streamed from a worker process
(`studytool.demorun.runner`): progress, a plot of the metric series (textual-plotext, imported
when the screen is composed), the latest metrics, half-block images, the demo's tables and the
verdict. This process never imports torch; a crash, a timeout or a bad parameter in the child
becomes an error shown on the screen. Esc cancels a run (the child is killed at once), a second
Esc closes the screen.

`DemoListScreen` lists every demo of the catalogue, filtered as you type; Enter opens one.

The warm worker process is shared by every demo screen of the app; the app stops it on exit with
`shutdown_workers()`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    ProgressBar,
    Select,
    Static,
    Switch,
)
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from studytool.demorun import catalog
from studytool.demorun.protocol import error_event
from studytool.demorun.render import MetricSeries, image_text, numbers_table, table_renderable
from studytool.demorun.runner import DemoRun, DemoRunner
from studytool.tui.widgets.keybar import KeyBar
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual_plotext import PlotextPlot

DEVICES = ("auto", "cpu", "cuda")
MAX_SERIES = 8  # more lines than this make the plot unreadable
PLOT_DELAY = 0.15  # seconds: redraw the plot at most this often while a run streams

_runner: DemoRunner | None = None


def shared_runner() -> DemoRunner:
    """The runner of every demo screen in this process (one warm worker, kept between runs)."""
    global _runner
    if _runner is None:
        _runner = DemoRunner()
    return _runner


def shutdown_workers() -> None:
    """Stop the demo worker processes (the app calls this when it exits)."""
    global _runner
    if _runner is not None:
        _runner.shutdown()
        _runner = None


def _app_lang(widget: Widget) -> str:
    return getattr(widget.app, "lang", "en")


def _title(meta: catalog.DemoMeta, lang: str) -> str:
    return meta.title_ko if lang == "ko" else meta.title_en


def _show(value: Any) -> str:
    """A parameter value as the form shows it (floats in full: the run gets what it shows)."""
    return repr(value) if isinstance(value, float) else str(value)


def _range(p: catalog.ParamMeta) -> str:
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


def _colormap(image_name: str) -> str:
    # the CLI's rule: pictures of the data in gray, everything else (maps, weights) in viridis
    return "gray" if image_name.lower().startswith(("digit", "input", "image")) else "viridis"


# ---- the state of one run ----------------------------------------------------------------


@dataclass
class RunState:
    """What the events of one run have said so far."""

    run_id: int
    started: float = field(default_factory=time.monotonic)
    device: str = ""
    pid: int | None = None
    step: int = 0
    total: int = 0
    metrics: MetricSeries = field(default_factory=MetricSeries)
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)
    verdict: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    done: bool = False

    @property
    def cancelled(self) -> bool:
        return self.error is not None and self.error.get("kind") == "cancelled"

    def apply(self, event: dict[str, Any]) -> None:
        match event["type"]:
            case "start":
                self.device = str(event["device"])
                self.pid = event.get("pid")
            case "progress":
                self.step, self.total = int(event["step"]), int(event["total"])
            case "metric":
                self.metrics.add(event)
            case "image":
                self.images[event["name"]] = event
            case "table":
                self.tables[event["name"]] = event
            case "log":
                self.logs.append(str(event["message"]))
            case "verdict":
                self.verdict = event
            case "error":
                self.error = event
            case "done":
                self.done = True


@dataclass
class DemoEventsWaiting(Message):
    """The run's worker thread left events in the screen's inbox."""


# ---- the demo screen ---------------------------------------------------------------------


class DemoScreen(Screen[None]):
    CSS_PATH = "demo.tcss"
    AUTO_FOCUS = "#run"
    TITLE_TEXT = "Demo"
    HELP = (
        "Edit the parameters on the left (Tab moves between them), then r or Enter runs the "
        "demo in a worker process. Esc cancels a running demo; Esc again closes the screen.\n"
        "Quick switches the parameters to their small, fast values; device auto picks cuda, "
        "then mps, then cpu."
    )
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
        self.runner = runner or shared_runner()
        self.module = f"{package_dir.name}.{name}" if package_dir is not None else None
        self.meta: catalog.DemoMeta | None = None
        self.load_error = ""
        try:
            self.meta = catalog.get_demo(name, package_dir)
        except catalog.UnknownDemoError as exc:
            self.load_error = str(exc)
        self.demo_run: DemoRun | None = None
        self.state: RunState | None = None
        self.cancelling = False
        self.param_errors: dict[str, str] = {}
        self._run_ids = 0
        self._inbox: list[tuple[int, dict[str, Any]]] = []
        self._inbox_lock = threading.Lock()
        self._plot_pending = False
        self._ticker: Timer | None = None

    # ---- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="about")
        if self.meta is None:
            yield KeyBar()
            return
        from textual_plotext import PlotextPlot  # only a demo screen pays for plotext

        with Horizontal(id="main"):
            with VerticalScroll(id="form"):
                yield Button("▶ Run", id="run", variant="primary", compact=True)
                for p in self.meta.params:
                    yield from self._field(p)
                yield Label("quick", classes="param-label")
                with Horizontal(classes="switch-row"):
                    yield Switch(False, id="quick", animate=False)
                    yield Label("small, fast settings", classes="muted")
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
                # PlotextPlot draws over its own border: the border goes on a box around it
                with Vertical(id="plot-box") as plot_box:
                    plot_box.border_title = "Metrics"
                    yield PlotextPlot(id="plot")
                yield Static(id="metrics")
                yield Static(id="images")
                yield Static(id="tables")
                yield Static(id="log")
        yield KeyBar()

    def _field(self, p: catalog.ParamMeta) -> ComposeResult:
        label = Text(p.name)
        if _range(p):
            label.append(f"  {_range(p)}", style="dim")
        yield Label(label, classes="param-label")
        wid = f"param-{p.name}"
        if p.kind == "bool":
            with Horizontal(classes="switch-row"):
                yield Switch(bool(p.default), id=wid, animate=False, tooltip=p.help)
                yield Label(p.help, classes="muted")
        elif p.choices:
            yield Select(
                [(c, c) for c in p.choices],
                value=str(p.default),
                allow_blank=False,
                id=wid,
                tooltip=p.help,
                compact=True,
            )
        else:
            yield Input(_show(p.default), id=wid, tooltip=p.help, compact=True)

    def on_mount(self) -> None:
        self.title = "Demo"
        self.sub_title = self.demo_name
        if hasattr(self.app, "lang"):
            self.watch(self.app, "lang", self._show_about, init=False)
        self._show_about()
        if self.meta is None:
            return
        for widget in self.query("#output > *"):
            widget.display = widget.id in ("status", "log")
        self.query_one("#status", Static).update(
            Text("Ready: r or Enter runs the demo.", style="dim")
        )
        self._show_form_message()
        self._ticker = self.set_interval(0.5, self._show_status, pause=True)
        # start the worker (it imports torch) now, while the user reads the claim
        self.run_worker(self.runner.prewarm, thread=True, group="demo-prewarm", exit_on_error=False)

    def _show_about(self, _new_lang: str | None = None) -> None:
        about = self.query_one("#about", Static)
        if self.meta is None:
            about.update(
                Text.assemble(("⚠ ", "bold red"), self.load_error, ("   esc to close", "dim"))
            )
            return
        m = self.meta
        head = Text.assemble(
            (_title(m, _app_lang(self)), "bold"), ("  ·  ", "dim"), (m.name, "dim")
        )
        concept = Text.assemble(("Concept ", "dim"), m.concept)
        if self.card_id:
            concept.append(f"   from card {self.card_id}", style="dim")
        claim = Text.assemble(("Claim ", "dim"), (m.claim, "italic"))
        about.update(Group(head, concept, claim))

    # ---- the form ------------------------------------------------------------------------

    def _param_of(self, widget: Widget | None) -> catalog.ParamMeta | None:
        if self.meta is None or widget is None or not (widget.id or "").startswith("param-"):
            return None
        return self.meta.param((widget.id or "").removeprefix("param-"))

    def _value(self, p: catalog.ParamMeta) -> Any:
        widget = self.query_one(f"#param-{p.name}", Input | Switch | Select)
        return widget.value.strip() if isinstance(widget, Input) else widget.value

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

    def _check_field(self, p: catalog.ParamMeta) -> None:
        assert self.meta is not None
        widget = self.query_one(f"#param-{p.name}")
        try:
            self.meta.resolve_params({p.name: self._value(p)}, self.quick)
        except catalog.param_error_type() as exc:
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
        msg.update(Text(p.help if p else "Tab moves between the fields.", style="dim"))

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
        if self.running:
            self.notify("A demo is running: Esc cancels it.", severity="warning")
            return
        try:
            params, quick, device = self.read_form()
        except catalog.param_error_type() as exc:
            self.query_one("#form-msg", Static).update(Text(str(exc), style="bold red"))
            self.notify(str(exc), title="Bad parameter", severity="error")
            return
        self._run_ids += 1
        self.state = RunState(self._run_ids)
        self.cancelling = False
        self.demo_run = self.runner.run(
            self.meta.name, params, device=device, quick=quick, module=self.module
        )
        self._show_run(reset=True)
        if self._ticker is not None:
            self._ticker.resume()
        self.refresh_bindings()
        self.stream(self.demo_run, self.state.run_id)

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
        if state is None:
            return
        for run_id, event in batch:
            if run_id == state.run_id:
                state.apply(event)
        if state.done:
            if self._ticker is not None:
                self._ticker.pause()
            self.cancelling = False
            self.refresh_bindings()
        self._show_run(images=any(e["type"] == "image" for _, e in batch))

    def action_cancel(self) -> None:
        run = self.demo_run
        if run is None or not self.running:
            return
        self.cancelling = True
        self.refresh_bindings()
        self._show_status()
        # kill() waits for the child to go (up to a fraction of a second): not on the UI thread
        threading.Thread(target=run.cancel, name="demo-cancel", daemon=True).start()

    def action_close(self) -> None:
        self.dismiss()

    def on_unmount(self) -> None:
        run = self.demo_run
        if run is not None and self.running:
            threading.Thread(target=run.cancel, name="demo-cancel", daemon=True).start()

    # ---- drawing a run -------------------------------------------------------------------

    def _show_run(self, *, reset: bool = False, images: bool = False) -> None:
        state = self.state
        if state is None:
            return
        self._show_status()
        bar = self.query_one("#progress", ProgressBar)
        if reset:
            bar.update(total=None, progress=0)
        elif state.total:
            done = state.total if state.verdict is not None else min(state.step, state.total)
            bar.update(total=state.total, progress=done)
        elif state.done:  # a demo that reported no progress: stop the waiting animation
            bar.update(total=1, progress=1 if state.verdict is not None else 0)
        bar.display = True
        self._show_verdict()
        self._show_metrics()
        if images or reset:
            self._show_images()
        tables = self.query_one("#tables", Static)
        tables.display = bool(state.tables)
        tables.update(Group(*(table_renderable(t) for t in state.tables.values())))
        log = self.query_one("#log", Static)
        log.update(Text("\n".join(state.logs[-6:]), style="dim"))
        if state.done or reset:
            self._draw_plot()
        elif not self._plot_pending:
            self._plot_pending = True
            self.set_timer(PLOT_DELAY, self._draw_plot)

    def _show_status(self) -> None:
        state = self.state
        if state is None:
            return
        parts: list[str | tuple[str, str]] = []
        if state.device:
            parts += [("device ", "dim"), (state.device, "bold"), "   "]
        if state.verdict is not None:
            parts.append(("finished", "bold green"))
        elif state.cancelled:
            parts.append(("cancelled", "bold yellow"))
        elif state.error is not None:
            parts.append(("failed", "bold red"))
        elif self.cancelling:
            parts.append(("cancelling…", "bold yellow"))
        else:
            what = "running" if state.device else "starting the worker"
            parts += [(what, "bold"), f" {time.monotonic() - state.started:.1f} s"]
            if state.total:
                parts.append(("   step ", "dim"))
                parts.append(f"{state.step}/{state.total}")
        self.query_one("#status", Static).update(Text.assemble(*parts))

    def _show_verdict(self) -> None:
        state = self.state
        box = self.query_one("#verdict", Static)
        box.remove_class("-holds", "-fails", "-error", "-cancelled")
        if state is None or (state.verdict is None and state.error is None):
            box.display = False
            return
        box.display = True
        if state.verdict is not None:
            v = state.verdict
            holds = bool(v["claim_holds"])
            box.add_class("-holds" if holds else "-fails")
            box.border_title = "Verdict"
            word = (
                Text(" claim HOLDS ", style="bold black on green")
                if holds
                else Text(" claim DOES NOT HOLD ", style="bold white on red")
            )
            head = Text.assemble(word, f"  in {float(v.get('seconds', 0.0)):.2f} s")
            if state.device:
                head.append(f" on {state.device}")
            box.update(Group(head, Text(str(v.get("summary", "")), style="italic"), _numbers(v)))
        elif state.cancelled:
            box.add_class("-cancelled")
            box.border_title = "Cancelled"
            box.update(Text("The demo was stopped. r runs it again.", style="dim"))
        else:
            err = state.error or {}
            box.add_class("-error")
            box.border_title = f"Error · {err.get('kind', 'error')}"
            body: list[RenderableType] = [Text(str(err.get("message", "")), style="bold red")]
            trace = str(err.get("traceback") or "").strip()
            if trace:
                body.append(Text("\n".join(trace.splitlines()[-8:]), style="dim"))
            body.append(Text("Edit the parameters and press r to run it again.", style="dim"))
            box.update(Group(*body))

    def _show_metrics(self) -> None:
        state = self.state
        box = self.query_one("#metrics", Static)
        if state is None or not state.metrics:
            box.display = False
            return
        latest = {}
        last_step = 0
        for name, (steps, vals) in state.metrics.series.items():
            latest[name] = vals[-1]
            last_step = max(last_step, steps[-1])
        box.display = True
        box.border_title = f"Latest metrics · step {last_step}"
        box.update(numbers_table(latest))

    def _show_images(self) -> None:
        state = self.state
        box = self.query_one("#images", Static)
        if state is None or not state.images:
            box.display = False
            return
        box.display = True
        # the output pane's width less the box's border and padding
        width = max(20, self.query_one("#output").scrollable_content_region.width - 4)
        cells = []
        for name, event in state.images.items():
            picture = image_text(
                event["pixels"], max_width=min(width, 64), max_rows=12, colormap=_colormap(name)
            )
            caption = Text(str(event.get("caption", "")), style="dim")
            columns = max(cell_len(line) for line in picture.plain.split("\n"))
            cells.append((columns, Group(Text(name, style="bold"), picture, caption)))
        column = min(width, max(20, max(w for w, _ in cells)))
        per_row = max(1, (width + 2) // (column + 2))
        grid = Table.grid(padding=(0, 2))
        for _ in range(per_row):
            grid.add_column(width=column)
        for i in range(0, len(cells), per_row):
            grid.add_row(*(c for _, c in cells[i : i + per_row]))
        box.update(grid)

    def _draw_plot(self) -> None:
        self._plot_pending = False
        state = self.state
        box = self.query_one("#plot-box")
        if state is None or not state.metrics:
            box.display = False
            return
        box.display = True
        plot: PlotextPlot = self.query_one("#plot")  # type: ignore[assignment]
        plt = plot.plt
        plt.clear_figure()
        series = list(state.metrics.series.items())[:MAX_SERIES]
        values = [v for _, (_, vals) in series for v in vals if v is not None]
        # the same rule as the CLI's chart: a log axis when positive values span 100x
        if values and min(values) > 0 and max(values) / min(values) > 100:
            plt.yscale("log")
        plt.xlabel("step")
        for name, (steps, vals) in series:
            pts = [(s, v) for s, v in zip(steps, vals, strict=True) if v is not None]
            if pts:
                plt.plot([s for s, _ in pts], [v for _, v in pts], label=name, marker="braille")
        plot.refresh()

    def on_resize(self) -> None:
        if self.meta is not None and self.state is not None:
            self._show_images()


def _numbers(verdict: dict[str, Any]) -> RenderableType:
    """The verdict's numbers in two columns of name/value."""
    items = list(verdict.get("numbers", {}).items())
    half = (len(items) + 1) // 2
    grid = Table.grid(padding=(0, 4))
    grid.add_row(numbers_table(dict(items[:half])), numbers_table(dict(items[half:])))
    return grid


# ---- the demo list -----------------------------------------------------------------------


def _matches(meta: catalog.DemoMeta, words: list[str]) -> bool:
    text = " ".join((meta.name, meta.title_en, meta.title_ko, meta.concept, meta.claim)).casefold()
    return all(w in text for w in words)


class DemoListScreen(Screen[None]):
    CSS_PATH = "demo.tcss"
    AUTO_FOCUS = "#demo-filter"
    TITLE_TEXT = "Demos"
    HELP = "Type to filter (name, title, concept, claim); up/down choose; Enter opens the demo."
    BINDINGS: ClassVar = [
        Binding("escape", "close", "Back", id="demos.back"),
        Binding("down", "move(1)", "Next", show=False, id="demos.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="demos.previous"),
    ]

    def __init__(
        self, *, runner: DemoRunner | None = None, package_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.runner = runner or shared_runner()
        self.package_dir = package_dir
        self.demos = catalog.list_demos(package_dir)
        self.shown: list[catalog.DemoMeta] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="demo-list-box"):
            yield Input(placeholder="Filter demos…", id="demo-filter")
            yield OptionList(id="demo-list")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "Demos"
        if hasattr(self.app, "lang"):
            self.watch(self.app, "lang", lambda _lang: self.fill(), init=False)
        self.fill()
        self.run_worker(self.runner.prewarm, thread=True, group="demo-prewarm", exit_on_error=False)

    def fill(self) -> None:
        words = self.query_one("#demo-filter", Input).value.casefold().split()
        self.shown = [m for m in self.demos if _matches(m, words)]
        options = self.query_one("#demo-list", OptionList)
        options.clear_options()
        lang = _app_lang(self)
        for m in self.shown:
            prompt = Text.assemble(
                (m.name, "bold cyan"),
                "  ",
                (_title(m, lang), "bold"),
                "\n",
                (m.concept, "italic"),
                (" — ", "dim"),
                (m.claim, "dim"),
            )
            options.add_option(Option(prompt, id=m.name))
        if self.shown:
            options.highlighted = 0
        box = self.query_one("#demo-list-box")
        box.border_title = f"Demos · {len(self.shown)} of {len(self.demos)}"
        box.border_subtitle = (
            "↑↓ choose · Enter opens" if self.shown else "no demo matches the filter"
        )

    @on(Input.Changed, "#demo-filter")
    def _filter_changed(self) -> None:
        self.fill()

    @on(Input.Submitted, "#demo-filter")
    def _filter_submitted(self) -> None:
        options = self.query_one("#demo-list", OptionList)
        if options.highlighted is not None and self.shown:
            self.open(self.shown[options.highlighted].name)

    @on(OptionList.OptionSelected, "#demo-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open(event.option.id)

    def open(self, name: str) -> None:
        self.app.push_screen(DemoScreen(name, runner=self.runner, package_dir=self.package_dir))

    def action_move(self, delta: int) -> None:
        options = self.query_one("#demo-list", OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss()

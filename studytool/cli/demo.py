"""``studytool demo``: list the concept demos and run one live in the terminal.

Imports fast and never imports torch: demos run in a worker child process
(``studytool.demorun``).  Exit status of ``demo run``: 0 the claim holds, 1 it does not,
2 bad arguments (unknown demo, bad param, unknown device, bad guess), 3 the demo failed
(crash, exception, timeout), 4 the claim does not apply at these parameters (a precondition
failed), 130 interrupted.

Predict, then run: a demo's questions are asked before it runs on a terminal (``--no-predict``
skips them; Enter skips one), or given with ``--guess ID=ANSWER``; after the verdict each is
scored against the run's own answer and the scored ones are logged as reviews in predict mode
of the question's card (``studytool stats`` shows accuracy per concept).
"""

from __future__ import annotations

import json
import sys
import threading
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console, Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from studytool.cli.common import SafeConsole, clean_errors, emit_json, fail, get_cards, get_settings
from studytool.demorun import catalog
from studytool.demorun.params import DemoParamError, Prediction, parse_param_args
from studytool.demorun.predict import (
    GuessError,
    Scored,
    log_scored,
    parse_guess,
    parse_guess_args,
    question_json,
    score_all,
    show_value,
)
from studytool.demorun.reducer import RunView, verdict_state

demo_app = typer.Typer(
    help="Concept demos: small PyTorch experiments that show a claim from the notes, live.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_HOLDS, EXIT_FAILS, EXIT_USAGE, EXIT_ERROR, EXIT_NOT_APPLICABLE = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


def _out() -> Console:
    return SafeConsole(highlight=False)


def _meta_json(meta: catalog.DemoMeta) -> dict[str, Any]:
    return {
        "name": meta.name,
        "title_en": meta.title_en,
        "title_ko": meta.title_ko,
        "concept": meta.concept,
        "claim": meta.claim,
        "cards": list(meta.cards),
        "params": [
            {
                "name": p.name,
                "type": p.kind,
                "default": p.default,
                "quick": p.quick,
                "min": p.min,
                "max": p.max,
                "choices": list(p.choices),
                "help": p.help,
            }
            for p in meta.params
        ],
        "predictions": [question_json(q) for q in meta.predictions],
    }


@demo_app.command("list")
def list_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the demos (name, concept, claim)."""
    metas = catalog.list_demos()
    if as_json:
        emit_json([_meta_json(m) for m in metas])
        return
    table = Table(title="demos  (run one: studytool demo run NAME [--quick])", title_justify="left")
    table.add_column("name", style="bold cyan", no_wrap=True)
    table.add_column("concept")
    table.add_column("claim", overflow="fold")
    table.add_column("params", style="dim", overflow="fold")
    for m in metas:
        ps = ", ".join(f"{p.name}={p.default}" for p in m.params if p.name != "seed")
        table.add_row(Text(m.name), Text(m.concept), Text(m.claim), Text(ps))
    out = _out()
    out.print(table)
    for problem in catalog.catalog_errors():
        SafeConsole(stderr=True).print(
            Text.assemble(("warning:", "yellow"), f" {problem}"), highlight=False
        )


class LiveView:
    """The state of one run, drawn with rich.  The live frame fits ``height`` rows (charts
    share what the header leaves; the latest image only where it fits); the final frame,
    printed once into the scrollback, shows everything.  Events arrive on the main thread
    while rich's refresh thread draws: a lock keeps the two apart."""

    def __init__(self, meta: catalog.DemoMeta, width: int, height: int = 40) -> None:
        self.meta = meta
        self.width = width
        self.height = height
        self.run = RunView()
        self.images: dict[str, tuple[Text, str]] = {}  # drawn once, when the image arrives
        self._lock = threading.Lock()

    def handle(self, event: dict[str, Any]) -> None:
        from studytool.demorun.render import image_text

        with self._lock:
            self.run.apply(event)
            if event["type"] == "image":
                cmap = (
                    "gray"
                    if event["name"].lower().startswith(("digit", "input", "image"))
                    else "viridis"
                )
                txt = image_text(
                    event["pixels"],
                    max_width=min(self.width - 4, 96),
                    colormap=cmap,
                    lines=bool(event.get("lines")),
                )
                self.images[event["name"]] = (txt, event.get("caption", ""))

    def renderable(self, final: bool = False) -> RenderableType:
        with self._lock:
            return self._renderable(final)

    def _rows(self, text: str) -> int:
        """Rows ``text`` takes at this width (wrapped)."""
        return sum(max(1, -(-len(line) // max(1, self.width))) for line in text.split("\n"))

    def _renderable(self, final: bool) -> RenderableType:
        from studytool.demorun.render import metric_charts, table_renderable, verdict_panel

        run = self.run
        claim = str((run.verdict or {}).get("claim") or self.meta.claim)
        parts: list[RenderableType] = [
            Text.assemble((self.meta.title_en, "bold"), "  ", (self.meta.title_ko, "dim")),
            Text(claim, style="italic"),
        ]
        used = 1 + self._rows(claim)
        if run.params:
            ps = f"device {run.device}   " + "  ".join(f"{k}={v}" for k, v in run.params.items())
            parts.append(Text(ps, style="dim"))
            used += self._rows(ps)
        if not final and not run.device and not run.done:
            parts.append(Text(f"starting (loading torch)… {run.elapsed:.1f} s", style="bold"))
            used += 1
        elif not final or run.total:
            total = run.total or 1
            bar = ProgressBar(total=total, completed=min(run.step, total), width=40)
            secs = run.elapsed
            parts.append(
                Group(bar, Text(f"{run.step}/{run.total or '?'}   {secs:.1f} s", style="dim"))
            )
            used += 2
        logs = run.logs[-(12 if final else 3) :]
        if not final:
            used += sum(self._rows(line) for line in logs) + 1  # + rich's last line
        groups = run.chart_groups()
        images = list(self.images.items())
        if final:
            if groups:
                parts.append(metric_charts(groups, width=min(self.width - 2, 100), height=15))
            for name, (txt, caption) in images:
                parts += [Text.assemble((name, "bold"), "  ", (caption, "dim")), txt]
            parts.extend(table_renderable(t) for t in run.tables.values())
        else:
            left = self.height - used
            picture: list[RenderableType] = []
            if images:  # the latest image, if it leaves the charts 8 rows each
                name, (txt, caption) = images[-1]
                rows = len(txt.plain.split("\n")) + self._rows(f"{name}  {caption}")
                if left - rows >= 8 * len(groups):
                    picture = [Text.assemble((name, "bold"), "  ", (caption, "dim")), txt]
                    left -= rows
            per = min(15, left // len(groups)) if groups else 0
            if per >= 8:  # each chart's rows, its title row included
                width = min(self.width - 2, 100)
                parts.append(metric_charts(groups, width=width, height=per - 1))
            parts += picture
        if logs:
            parts.append(Text("\n".join(logs), style="dim"))
        if final:
            parts.append(verdict_panel(self.meta.claim, run.verdict, run.error, run.device))
        return Group(*parts)


def _exit_code(verdict: dict[str, Any] | None, error: dict[str, Any] | None) -> int:
    if verdict is not None:
        return {"holds": EXIT_HOLDS, "does_not_apply": EXIT_NOT_APPLICABLE}.get(
            verdict_state(verdict), EXIT_FAILS
        )
    if error is not None and error.get("kind") == "param":
        return EXIT_USAGE
    if error is not None and error.get("kind") == "cancelled":
        return EXIT_INTERRUPTED
    return EXIT_ERROR


@demo_app.command("run")
def run_cmd(
    name: Annotated[str, typer.Argument(help="Demo name (see 'demo list').")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Set a parameter: NAME=VALUE (repeatable)."),
    ] = None,
    device: Annotated[Device, typer.Option(help="Where to run: auto, cpu or cuda.")] = Device.auto,
    quick: Annotated[bool, typer.Option("--quick", help="Small, fast settings.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Stream the events as JSON lines.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.", min=1)] = 600.0,
    guess: Annotated[
        list[str] | None,
        typer.Option(
            "--guess",
            "-g",
            help="Answer a prediction question before the run: ID=ANSWER (option number or"
            " letter, or a number); repeatable. Scored and logged after the verdict.",
        ),
    ] = None,
    no_predict: Annotated[
        bool, typer.Option("--no-predict", help="Do not ask the prediction questions.")
    ] = False,
) -> None:
    """Run one demo in a worker process and show it live; exit 0 if its claim holds, 1 if not."""
    try:
        meta = catalog.get_demo(name)
    except catalog.UnknownDemoError as exc:
        fail(str(exc))
    try:
        given = parse_param_args(param or [])
        meta.resolve_params(given, quick)
        guesses: dict[str, float | None] = dict(parse_guess_args(meta.predictions, guess or []))
    except (DemoParamError, GuessError) as exc:
        fail(str(exc))
    ask = (
        not guesses
        and not as_json
        and not no_predict
        and bool(meta.predictions)
        and sys.stdin.isatty()
        and sys.stdout.isatty()
    )
    if ask:
        try:
            guesses = _ask(meta.predictions, get_settings().lang)
        except (KeyboardInterrupt, EOFError):
            raise typer.Exit(EXIT_INTERRUPTED) from None

    from studytool.demorun.runner import DemoRunner, WorkerPool

    pool = WorkerPool(keep_warm=False)
    runner = DemoRunner(pool, timeout=timeout)
    run = runner.run(name, given, device=device.value, quick=quick)
    try:
        if as_json:
            code = _run_json(run, meta, guesses if guess else None)
        else:
            code = _run_live(run, meta)
            if guesses and code != EXIT_USAGE:
                _show_scored(meta, guesses, run.verdict)
    except KeyboardInterrupt:
        run.cancel()
        code = EXIT_INTERRUPTED
    finally:
        pool.shutdown()
    if code == EXIT_USAGE and run.error is not None:
        fail(run.error["message"])
    raise typer.Exit(code)


def _ask(questions: tuple[Prediction, ...], lang: str) -> dict[str, float | None]:
    """Ask each question on the terminal; Enter skips one, a bad answer asks again."""
    out = _out()
    ko = lang == "ko"
    out.print(Text("Predict first (Enter skips a question):", style="bold"))
    guesses: dict[str, float | None] = {}
    for q in questions:
        out.print(Text(q.prompt_ko if ko else q.prompt_en))
        for i, option in enumerate(q.options_ko if ko else q.options_en):
            out.print(Text(f"  {chr(ord('a') + i)}. {option}"))
        hint = (
            "a letter or number"
            if q.kind == "choice"
            else f"a number{' in ' + q.unit if q.unit else ''}"
        )
        while True:
            text = input(f"  your guess ({hint}): ").strip()
            if not text:
                guesses[q.id] = None
                break
            try:
                guesses[q.id] = parse_guess(q, text)
                break
            except GuessError as exc:
                out.print(Text(str(exc), style="red"))
    return guesses


def _score_and_log(
    meta: catalog.DemoMeta, guesses: dict[str, float | None], verdict: dict[str, Any] | None
) -> tuple[list[Scored], int]:
    """Score the guesses against the run and log the scored ones (durable when it returns)."""
    from studytool.store.repo import Store

    scored = score_all(meta.predictions, guesses, verdict)
    if not any(s.right is not None for s in scored):
        return scored, 0
    with clean_errors():
        cards = get_cards()
        with Store.open(get_settings()) as store:
            store.sync(cards)
            return scored, log_scored(store, meta, scored)


def _run_json(run: Any, meta: catalog.DemoMeta, guesses: dict[str, float | None] | None) -> int:
    def line(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n")
        sys.stdout.flush()

    line(
        {
            "type": "predictions",
            "demo": meta.name,
            "questions": [question_json(q) for q in meta.predictions],
        }
    )
    for event in run:
        if event.get("type") == "done" and guesses is not None:
            scored, logged = _score_and_log(meta, guesses, run.verdict)
            line({"type": "prediction", "results": [s.to_json() for s in scored], "logged": logged})
        line(event)
    return _exit_code(run.verdict, run.error)


def _show_scored(
    meta: catalog.DemoMeta, guesses: dict[str, float | None], verdict: dict[str, Any] | None
) -> None:
    scored, _ = _score_and_log(meta, guesses, verdict)
    ko = get_settings().lang == "ko"
    table = Table(title="your predictions", title_justify="left")
    for col in ("question", "your guess", "the run", ""):
        table.add_column(col, overflow="fold")
    for s in scored:
        q = s.question
        lang = "ko" if ko else "en"
        mark = (
            Text("right", style="bold green")
            if s.right
            else Text("wrong", style="bold red")
            if s.right is False
            else Text(f"not scored ({s.why_not_scored})", style="dim")
        )
        table.add_row(
            Text(q.prompt_ko if ko else q.prompt_en),
            Text(show_value(q, s.guess, lang)),
            Text(show_value(q, s.answer, lang)),
            mark,
        )
    _out().print(table)


def _run_live(run: Any, meta: catalog.DemoMeta) -> int:
    from rich.live import Live

    out = _out()
    view = LiveView(meta, out.width, out.height)
    # rich redraws 4 times a second from its own thread: the elapsed time moves while torch
    # loads and no event comes
    with Live(
        get_renderable=view.renderable,
        console=out,
        refresh_per_second=4,
        transient=True,
    ):
        for event in run:
            view.handle(event)
    error = view.run.error
    if error is not None and error.get("kind") == "param":
        return EXIT_USAGE  # one line from fail(), not a panel and then the same error
    out.print(view.renderable(final=True))
    if error is not None and error.get("traceback"):
        SafeConsole(stderr=True).print(Text(error["traceback"], style="dim"))
    return _exit_code(view.run.verdict, error)

"""The demo API shared by every ``demos/<name>.py`` module: running, reporting, seeding.

A demo module defines a literal ``INFO = DemoInfo(...)`` (the parameter model lives in
``studytool.demorun.params``; the catalogue reads INFO with ``ast``, so only literals and
``Param(...)`` calls are allowed) and ``run(params, device, report) -> Verdict``.  ``report``
is a :class:`Reporter`; each call emits one JSON-serialisable event dict (schema:
``studytool/demorun/protocol.py``).

torch and numpy are imported lazily inside the functions that need them.

Entry points:

* :func:`execute` - the single code path that resolves params, seeds, emits ``start``,
  runs the demo and emits ``verdict``/``error`` and ``done``.  Used by the worker process,
  :func:`main` and :func:`run_inline`.
* :func:`main` - ``python -m demos.<name> [--quick] [--device D] [--json] [--param k=v]``.
* :func:`run_inline` - run a demo in this process and collect its events (tests).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import random
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from studytool.demorun.params import (
    DemoError,
    DemoInfo,
    DemoParamError,
    parse_param_args,
    resolve_params,
)

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "CUBLAS_WORKSPACE",
    "RecordingReporter",
    "Reporter",
    "Verdict",
    "deterministic_on",
    "execute",
    "jsonable",
    "main",
    "prepare_cuda_env",
    "resolve_device",
    "run_inline",
    "seed_everything",
]


@dataclass
class Verdict:
    """What a run showed.  Three states: the claim holds, it does not hold, or it does not
    apply: a precondition of the claim failed at these parameters (``reason`` says which), so
    the numbers neither support nor refute it; ``claim_holds`` is then False."""

    claim_holds: bool
    numbers: dict[str, float]  # the measured numbers behind the verdict
    summary: str  # one line
    applies: bool = True
    reason: str = ""  # why the claim does not apply (empty when it does)
    claim: str = ""  # the claim as run, built from the parameters ("" = INFO.claim)
    caveats: tuple[str, ...] = ()  # what the run does not show (read before trusting it)
    # the right answer to each of INFO.predictions, by id, from this run's own numbers:
    # an option index for a choice question, a number for a number question
    answers: dict[str, float] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """``holds``, ``fails`` or ``does_not_apply`` (the verdict event's ``status``)."""
        if not self.applies:
            return "does_not_apply"
        return "holds" if self.claim_holds else "fails"

    @classmethod
    def does_not_apply(
        cls,
        reason: str,
        numbers: dict[str, float],
        summary: str,
        *,
        claim: str = "",
        caveats: tuple[str, ...] = (),
        answers: dict[str, float] | None = None,
    ) -> Verdict:
        return cls(False, numbers, summary, False, reason, claim, caveats, dict(answers or {}))

    @classmethod
    def from_checks(
        cls,
        checks: Mapping[str, bool],
        numbers: dict[str, float],
        measured: str,
        *,
        claim: str = "",
        caveats: tuple[str, ...] = (),
        answers: dict[str, float] | None = None,
    ) -> Verdict:
        """The verdict of a demo judged by named pass/fail ``checks``: the claim holds when
        every check passed.  The summary is ``measured``, then ``"; failed: "`` and the failed
        checks' names in order when any failed, then a full stop."""
        failed = [name for name, ok in checks.items() if not ok]
        summary = measured + (f"; failed: {', '.join(failed)}" if failed else "") + "."
        return cls(
            not failed, numbers, summary, claim=claim, caveats=caveats, answers=dict(answers or {})
        )


# --------------------------------------------------------------------------- JSON helpers


def _round(x: float, digits: int) -> float | None:
    """``x`` to ``digits`` significant digits; NaN/inf -> None (JSON has no NaN)."""
    if not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}") + 0.0  # + 0.0: no "-0.0"


def jsonable(obj: Any) -> Any:
    """Turn ``obj`` into plain JSON types: tensors/arrays -> lists, NaN/inf -> None."""
    if obj is None or isinstance(obj, bool | str | int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "detach"):  # torch tensor
        obj = obj.detach().cpu()
        obj = obj.tolist() if obj.dim() else obj.item()
        return jsonable(obj)
    if hasattr(obj, "tolist"):  # numpy array or scalar
        return jsonable(obj.tolist())
    if hasattr(obj, "item"):
        return jsonable(obj.item())
    return str(obj)


MAX_IMAGE_SIDE = 192  # larger images are average-pooled down (a terminal shows far less)


def _image_pixels(name: str, pixels: Any, lines: bool = False) -> tuple[list[int], list]:
    """Array-like (tensor, ndarray, nested list) HxW / HxWx1 / HxWx3 -> (shape, nested lists).

    Average-pools (max-pools with ``lines``) so that no side exceeds ``MAX_IMAGE_SIDE``;
    grayscale is rounded to 4 significant digits of its largest magnitude, RGB clipped to 0..1
    and rounded to 3 decimals; NaN/inf become None."""
    import torch  # only reached from demos, which run where torch is available

    if hasattr(pixels, "detach"):
        t = pixels.detach().to("cpu", torch.float32)
    else:
        t = torch.as_tensor(
            pixels if not hasattr(pixels, "tolist") else pixels.tolist(), dtype=torch.float32
        )
    if t.dim() == 3 and t.shape[2] == 1:
        t = t[..., 0]
    if not (t.dim() == 2 or (t.dim() == 3 and t.shape[2] == 3)) or t.numel() == 0:
        raise ValueError(f"image {name!r}: expected HxW or HxWx3 pixels, got {list(t.shape)}")
    if max(t.shape[:2]) > MAX_IMAGE_SIDE:
        h, w = t.shape[:2]
        scale = MAX_IMAGE_SIDE / max(h, w)
        size = (max(1, round(h * scale)), max(1, round(w * scale)))
        x = t[None, None] if t.dim() == 2 else t.permute(2, 0, 1)[None]
        pool = (
            torch.nn.functional.adaptive_max_pool2d
            if lines
            else torch.nn.functional.adaptive_avg_pool2d
        )
        x = pool(x, size)[0]
        t = x[0] if t.dim() == 2 else x.permute(1, 2, 0)
    bad = ~torch.isfinite(t)
    if t.dim() == 3:
        t = torch.round(t.nan_to_num(0.0).clamp(0, 1).double() * 1000) / 1000
        return list(t.shape), t.tolist()
    finite = t[~bad]
    top = float(finite.abs().max()) if finite.numel() else 0.0
    decimals = 4 - math.ceil(math.log10(top)) if top > 0 else 4
    scale = 10.0 ** max(-30, min(30, decimals))
    t = torch.round(t.nan_to_num(0.0).double() * scale) / scale
    nested = t.tolist()
    if bad.any():
        for r, c in bad.nonzero().tolist():
            nested[r][c] = None
    return list(t.shape), nested


# --------------------------------------------------------------------------- reporter


class Reporter:
    """Passed to ``run()``; each call emits one JSON-serialisable event dict."""

    def __init__(
        self,
        emit: Callable[[dict[str, Any]], None] | None = None,
        cancel_check: Callable[[], bool] | None = None,
    ) -> None:
        self._emit_fn = emit or (lambda event: None)
        self._cancel_check = cancel_check
        self._cancelled = False

    # -- plumbing
    def emit(self, event: dict[str, Any]) -> None:
        self._emit_fn(event)

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        """Demos check this in their loops and return early when it is True."""
        if not self._cancelled and self._cancel_check is not None and self._cancel_check():
            self._cancelled = True
        return self._cancelled

    # -- the API used by demos
    def progress(self, step: int, total: int) -> None:
        self.emit({"type": "progress", "step": int(step), "total": int(total)})

    def chart(
        self, name: str, *, x: str, y: str, series: Sequence[str], log_y: bool | None = None
    ) -> None:
        """Declare a chart before its metrics: axis titles (with units) and the series on it.

        One quantity per chart: series with different units go on different charts."""
        event: dict[str, Any] = {
            "type": "chart",
            "name": str(name),
            "x": str(x),
            "y": str(y),
            "series": [str(s) for s in series],
        }
        if log_y is not None:
            event["log_y"] = bool(log_y)
        self.emit(event)

    def metric(self, step: int, *, at: float | None = None, **values: float) -> None:
        """Values of some series at ``step``; ``at`` is their x value when the chart's x axis
        is not the step (a width, a threshold)."""
        vals = {k: _round(float(v), 6) for k, v in values.items()}
        event: dict[str, Any] = {"type": "metric", "step": int(step), "values": vals}
        if at is not None:
            event["x"] = _round(float(at), 6)
        self.emit(event)

    def image(self, name: str, pixels: Any, *, caption: str = "", lines: bool = False) -> None:
        """``lines``: the picture's point is thin lines (box outlines, curves): shrink it by
        keeping the most distinctive pixel of each block, not the block's mean."""
        shape, nested = _image_pixels(name, pixels, lines)
        event: dict[str, Any] = {
            "type": "image",
            "name": str(name),
            "shape": shape,
            "pixels": nested,
            "caption": str(caption),
        }
        if lines:
            event["lines"] = True
        self.emit(event)

    def table(self, name: str, rows: list[dict[str, Any]]) -> None:
        clean = []
        for row in rows:
            r = {}
            for k, v in row.items():
                v = jsonable(v)
                if isinstance(v, float):
                    v = _round(v, 6)
                r[str(k)] = v
            clean.append(r)
        self.emit({"type": "table", "name": str(name), "rows": clean})

    def log(self, message: str) -> None:
        self.emit({"type": "log", "message": str(message)})


class RecordingReporter(Reporter):
    """A reporter that keeps every event in ``self.events`` (tests, run_inline)."""

    def __init__(self, cancel_check: Callable[[], bool] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        super().__init__(self.events.append, cancel_check)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]


# --------------------------------------------------------------------------- params


# --------------------------------------------------------------------------- device / seed


def resolve_device(name: str) -> torch.device:
    """``"auto"`` -> cuda, then mps, then cpu; otherwise the given device (checked)."""
    import torch

    name = (name or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(name)
    except (RuntimeError, ValueError):
        raise DemoParamError(f"unknown device {name!r} (use cpu, cuda or auto)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise DemoParamError(f"device {name!r} is not available on this machine (use cpu or auto)")
    if dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise DemoParamError(f"device {name!r} is not available on this machine")
    return dev


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (all devices)."""
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % (2**32))
    except ImportError:  # pragma: no cover
        pass
    import torch

    torch.manual_seed(seed)


# cuBLAS picks deterministic kernels only with a fixed workspace, read when CUDA initialises
CUBLAS_WORKSPACE = ":4096:8"


def prepare_cuda_env() -> None:
    """Set CUBLAS_WORKSPACE_CONFIG (unless the user did) before torch touches CUDA: the worker
    and ``python -m demos.<name>`` call it before they import torch."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE)


@contextlib.contextmanager
def deterministic_on(dev: torch.device) -> Iterator[None]:
    """On a CUDA device, deterministic algorithms where torch has them (``warn_only``: an op
    without one still runs, with a warning) and cuDNN's autotuner off, so a seed repeats its run
    on a GPU as on the CPU; torch's previous settings come back afterwards. Other devices run
    as they are (the CPU kernels the demos use are deterministic already)."""
    if dev.type != "cuda":
        yield
        return
    import torch

    prepare_cuda_env()
    before = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        torch.backends.cudnn.benchmark,
        torch.backends.cudnn.deterministic,
    )
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    try:
        yield
    finally:
        enabled, warn_only, benchmark, deterministic = before
        torch.use_deterministic_algorithms(enabled, warn_only=warn_only)
        torch.backends.cudnn.benchmark = benchmark
        torch.backends.cudnn.deterministic = deterministic


# --------------------------------------------------------------------------- running


RunFn = Callable[[dict[str, Any], "torch.device", Reporter], Verdict]


def execute(
    info: DemoInfo,
    run: RunFn,
    given: dict[str, Any] | None,
    *,
    device: str = "auto",
    quick: bool = False,
    emit: Callable[[dict[str, Any]], None],
    cancel_check: Callable[[], bool] | None = None,
    reraise: bool = False,
) -> Verdict | None:
    """Run one demo, emitting ``start``, the demo's own events, ``verdict`` (or ``error``)
    and ``done``.  Returns the verdict, or None after an error (re-raised if ``reraise``)."""
    reporter = Reporter(emit, cancel_check)
    try:
        params = resolve_params(info, given, quick)
        dev = resolve_device(device)
        t0 = time.perf_counter()  # after the (possibly first) torch import in resolve_device
        emit(
            {
                "type": "start",
                "demo": info.name,
                "device": str(dev),
                "params": jsonable(params),
                "quick": bool(quick),
            }
        )
        with deterministic_on(dev):
            if "seed" in params:
                seed_everything(int(params["seed"]))
            verdict = run(params, dev, reporter)
        if not isinstance(verdict, Verdict):
            raise DemoError(f"demo {info.name!r} returned {type(verdict).__name__}, not a Verdict")
        seconds = time.perf_counter() - t0
        emit(
            {
                "type": "verdict",
                "status": verdict.status,
                "claim_holds": bool(verdict.claim_holds and verdict.applies),
                "claim": str(verdict.claim or info.claim),
                "reason": str(verdict.reason),
                "caveats": [str(c) for c in verdict.caveats],
                "numbers": {str(k): _round(float(v), 6) for k, v in verdict.numbers.items()},
                "summary": str(verdict.summary),
                "answers": {str(k): _round(float(v), 6) for k, v in verdict.answers.items()},
                "seconds": round(seconds, 3),
                "cancelled": reporter.cancelled,
            }
        )
        return verdict
    except BaseException as exc:  # everything becomes an error event
        if isinstance(exc, DemoParamError):
            kind, message, tb = "param", str(exc), ""
        elif isinstance(exc, KeyboardInterrupt | SystemExit):
            kind, message, tb = "interrupted", f"{type(exc).__name__}: {exc}", ""
        else:
            kind, message, tb = "exception", f"{type(exc).__name__}: {exc}", traceback.format_exc()
        emit({"type": "error", "message": message, "kind": kind, "traceback": tb})
        if reraise or kind == "interrupted":
            raise
        return None
    finally:
        emit({"type": "done"})


def run_inline(
    name: str,
    quick: bool = True,
    params: dict[str, Any] | None = None,
    device: str = "cpu",
) -> tuple[list[dict[str, Any]], Verdict]:
    """Run demo ``name`` in this process; return ``(events, verdict)``.

    Exceptions from the demo propagate (after the ``error`` event is recorded)."""
    module = importlib.import_module(f"{__package__}.{name}")
    events: list[dict[str, Any]] = []
    verdict = execute(
        module.INFO,
        module.run,
        params,
        device=device,
        quick=quick,
        emit=events.append,
        reraise=True,
    )
    assert verdict is not None
    return events, verdict


_VERDICT_WORDS = {"holds": "HOLDS", "fails": "DOES NOT HOLD", "does_not_apply": "DOES NOT APPLY"}


def _print_plain(event: dict[str, Any]) -> None:
    """Plain-text rendering used by ``python -m demos.<name>`` without --json."""
    t = event["type"]
    if t == "start":
        print(f"== {event['demo']} on {event['device']}  params: {event['params']}")
    elif t == "metric":
        vals = "  ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in event["values"].items()
        )
        print(f"  step {event['step']:>5}  {vals}")
    elif t == "image":
        print(f"  [image {event['name']} {'x'.join(map(str, event['shape']))}] {event['caption']}")
    elif t == "table":
        print(f"  table {event['name']}:")
        for row in event["rows"]:
            print("    " + "  ".join(f"{k}={v}" for k, v in row.items()))
    elif t == "log":
        print(f"  {event['message']}")
    elif t == "verdict":
        word = _VERDICT_WORDS.get(event.get("status", ""), "DOES NOT HOLD")
        print(f"== claim {word} ({event['seconds']:.2f} s): {event['claim']}")
        if event.get("reason"):
            print(f"   because {event['reason']}")
        print(f"   {event['summary']}")
        for k, v in event["numbers"].items():
            print(f"     {k} = {v}")
        for caveat in event.get("caveats", []):
            print(f"   caveat: {caveat}")
    elif t == "error":
        print(f"error: {event['message']}", file=sys.stderr)
        if event.get("traceback"):
            print(event["traceback"], file=sys.stderr)


def default_threads() -> int:
    """Half the logical CPUs (about the physical cores), 1 to 8.

    The demos are small: their ops are short, so more threads mostly add synchronisation,
    and on a busy machine an OpenMP barrier waiting for a descheduled thread can make a
    training loop 20x slower (measured on a loaded 2-core machine: 100 steps of the
    attention demo took 0.7 s with 1 thread and 16 s with 2)."""
    return max(1, min(8, (os.cpu_count() or 2) // 2))


def set_threads(torch: Any) -> None:
    """The thread policy of every demo process: STUDYTOOL_DEMO_THREADS, else default_threads()."""
    env = os.environ.get("STUDYTOOL_DEMO_THREADS")
    try:
        n = int(env) if env else default_threads()
    except ValueError:
        n = default_threads()
    torch.set_num_threads(max(1, n))
    with contextlib.suppress(RuntimeError):  # already set / parallel work started
        torch.set_num_interop_threads(1)


def main(info: DemoInfo, run: RunFn, argv: list[str] | None = None) -> None:
    """``python -m demos.<name> [--quick] [--device cpu|cuda|auto] [--json] [--param k=v]``.

    Exit status: 0 the claim holds, 1 it does not, 2 bad params/device, 3 the demo crashed,
    4 the claim does not apply at these parameters."""
    import argparse

    ap = argparse.ArgumentParser(prog=f"python -m demos.{info.name}", description=info.claim)
    ap.add_argument("--quick", action="store_true", help="small, fast settings")
    ap.add_argument("--device", default="auto", help="cpu, cuda or auto (default)")
    ap.add_argument("--json", action="store_true", help="print JSON-line events")
    ap.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="K=V",
        help="set a parameter (repeatable)",
    )
    args = ap.parse_args(argv)
    if not args.json:
        print(f"{info.title_en} - {info.claim}")

    def emit(event: dict[str, Any]) -> None:
        if args.json:
            sys.stdout.write(json.dumps(event) + "\n")
            sys.stdout.flush()
        else:
            _print_plain(event)

    try:
        given = parse_param_args(args.param)
    except DemoParamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    errors: list[dict[str, Any]] = []
    prepare_cuda_env()
    import torch

    set_threads(torch)

    def emit_and_track(event: dict[str, Any]) -> None:
        if event["type"] == "error":
            errors.append(event)
        emit(event)

    try:
        verdict = execute(
            info, run, given, device=args.device, quick=args.quick, emit=emit_and_track
        )
    except KeyboardInterrupt:
        sys.exit(130)
    if verdict is None:
        sys.exit(2 if errors and errors[0].get("kind") == "param" else 3)
    sys.exit({"holds": 0, "fails": 1, "does_not_apply": 4}[verdict.status])

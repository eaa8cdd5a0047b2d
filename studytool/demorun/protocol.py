"""The JSON-lines protocol between the app and the demo worker process.

Request (app -> worker, one JSON object per line on the worker's stdin)::

    {"demo": "optimizers", "params": {"lr": "0.01"}, "device": "auto", "quick": false}

(optionally ``"module": "pkg.mod"`` to run a demo module outside the demos package; tests
use it).  The worker answers with events, one JSON object per line on its stdout, each
with a ``"type"`` key:

========  =================================================================
ready     the worker has imported torch: ``pid``, ``torch``, ``cuda``
start     ``demo``, ``device``, ``params`` (resolved), ``quick``
progress  ``step``, ``total``
chart     ``name``, ``x`` (x-axis title with unit), ``y`` (y-axis title with unit),
          ``series`` (the metric series drawn on this chart, in order); optional ``log_y``
          (true/false; absent: log when the values span over 100x).  Sent before the
          metrics; series named by no chart go on a chart of their own against the step.
metric    ``step``, ``values`` ({series name: float or null}); optional ``x``: the x value
          of these values when the x axis is not the step (a width, a threshold)
image     ``name``, ``shape`` ([H, W] or [H, W, 3]), ``pixels`` (nested lists, rounded;
          grayscale in any range, RGB in 0..1), ``caption``; optional ``lines`` (true: thin
          lines matter, shrink by keeping each block's most distinctive pixel)
table     ``name``, ``rows`` (list of flat dicts)
log       ``message``
verdict   ``status`` (holds, fails or does_not_apply), ``claim_holds`` (status == holds),
          ``claim`` (the claim as run, built from the parameters), ``reason`` (why it does
          not apply; empty otherwise), ``caveats`` (list of sentences), ``numbers``
          ({name: float or null}), ``summary``, ``answers`` ({prediction id: the right
          option index or number, from this run}), ``seconds``
error     ``message``, ``traceback``, ``kind`` (param, exception, interrupted, crash,
          timeout, cancelled, protocol)
done      the last event of every run
========  =================================================================

Every run ends with exactly one ``done``; before it comes either a ``verdict`` or an
``error``.  Non-finite floats are sent as ``null``.

``studytool demo run --json`` adds two lines of its own around the worker's events, so that
another front-end can ask the demo's questions before the run and read the score after it:

===========  ==============================================================
predictions  the first line: ``demo``, ``questions`` (each with every field of
             ``Prediction`` and its ``kind``: choice or number)
prediction   only with ``--guess``, just before ``done``: ``results`` (per question
             ``id``, ``kind``, ``guess``, ``answer``, ``correct`` (null: not
             scored), ``scored``, ``not_scored`` (skipped, no answer)), ``logged``
             (how many were stored as reviews in predict mode)
===========  ==============================================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

EVENT_TYPES = frozenset(
    {
        "ready",
        "start",
        "progress",
        "chart",
        "metric",
        "image",
        "table",
        "log",
        "verdict",
        "error",
        "done",
        # written by `demo run --json` around the worker's events, never by the worker
        "predictions",
        "prediction",
    }
)

# keys each event type must carry (besides "type")
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "ready": (),
    "start": ("demo", "device", "params"),
    "progress": ("step", "total"),
    "chart": ("name", "series"),
    "metric": ("step", "values"),
    "image": ("name", "shape", "pixels"),
    "table": ("name", "rows"),
    "log": ("message",),
    "verdict": ("claim_holds", "numbers", "summary"),
    "error": ("message",),
    "done": (),
    "predictions": ("demo", "questions"),
    "prediction": ("results",),
}

ErrorKind = Literal[
    "param", "exception", "interrupted", "crash", "timeout", "cancelled", "protocol"
]


class Request(TypedDict):
    demo: str
    params: dict[str, Any]
    device: str
    quick: bool
    module: NotRequired[str]


class ReadyEvent(TypedDict):
    type: Literal["ready"]
    pid: int
    torch: str
    cuda: bool


class StartEvent(TypedDict):
    type: Literal["start"]
    demo: str
    device: str
    params: dict[str, Any]
    quick: bool
    pid: NotRequired[int]


class ProgressEvent(TypedDict):
    type: Literal["progress"]
    step: int
    total: int


class ChartEvent(TypedDict):
    type: Literal["chart"]
    name: str
    x: str
    y: str
    series: list[str]
    log_y: NotRequired[bool]


class MetricEvent(TypedDict):
    type: Literal["metric"]
    step: int
    values: dict[str, float | None]
    x: NotRequired[float]


class ImageEvent(TypedDict):
    type: Literal["image"]
    name: str
    shape: list[int]
    pixels: list
    caption: str
    lines: NotRequired[bool]


class TableEvent(TypedDict):
    type: Literal["table"]
    name: str
    rows: list[dict[str, Any]]


class LogEvent(TypedDict):
    type: Literal["log"]
    message: str


class VerdictEvent(TypedDict):
    type: Literal["verdict"]
    status: Literal["holds", "fails", "does_not_apply"]
    claim_holds: bool
    claim: str
    reason: str
    caveats: list[str]
    numbers: dict[str, float | None]
    summary: str
    answers: NotRequired[dict[str, float | None]]
    seconds: float
    cancelled: NotRequired[bool]


class ErrorEvent(TypedDict):
    type: Literal["error"]
    message: str
    traceback: str
    kind: NotRequired[str]


class DoneEvent(TypedDict):
    type: Literal["done"]


Event = (
    ReadyEvent
    | StartEvent
    | ProgressEvent
    | ChartEvent
    | MetricEvent
    | ImageEvent
    | TableEvent
    | LogEvent
    | VerdictEvent
    | ErrorEvent
    | DoneEvent
)


class ProtocolError(ValueError):
    """A line from the worker that is not a valid event."""


def make_request(
    demo: str,
    params: dict[str, Any] | None = None,
    device: str = "auto",
    quick: bool = False,
    module: str | None = None,
) -> Request:
    req: Request = {"demo": demo, "params": dict(params or {}), "device": device, "quick": quick}
    if module:
        req["module"] = module
    return req


def encode(obj: Mapping[str, Any]) -> str:
    """One JSON line (with the trailing newline)."""
    return json.dumps(obj, separators=(",", ":"), default=str) + "\n"


def parse_event(line: str | bytes) -> dict[str, Any]:
    """Decode and check one event line; raises :class:`ProtocolError` when it is not one."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    try:
        obj = json.loads(line)
    except ValueError:
        raise ProtocolError(f"not JSON: {line[:200]!r}") from None
    if not isinstance(obj, dict):
        raise ProtocolError(f"not an event object: {line[:200]!r}")
    kind = obj.get("type")
    if kind not in EVENT_TYPES:
        raise ProtocolError(f"unknown event type {kind!r}")
    missing = [k for k in REQUIRED_KEYS[kind] if k not in obj]
    if missing:
        raise ProtocolError(f"{kind} event lacks {', '.join(missing)}")
    return obj


def error_event(message: str, kind: str, traceback: str = "") -> dict[str, Any]:
    return {"type": "error", "message": message, "kind": kind, "traceback": traceback}


DONE: dict[str, Any] = {"type": "done"}

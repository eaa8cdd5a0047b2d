"""Folding a run's JSON-line events into what a front-end shows: progress, metric series,
images, tables, log lines and the verdict or error.

Shared by ``studytool demo run`` (rich) and the TUI's demo screen (textual); pure Python, no
drawing.  A malformed value in an event (the worker is a separate program) is read as missing
rather than raised: a front-end must never fall over on one bad event.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MetricSeries", "RunView"]


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return 0


def _number(value: Any) -> float | None:
    """A finite float, or None for null, NaN, infinities and anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


class MetricSeries:
    """Collects metric events: ``{series: ([steps], [values])}`` (None where a value was
    missing or not finite)."""

    def __init__(self) -> None:
        self.series: dict[str, tuple[list[int], list[float | None]]] = {}

    def add(self, event: Mapping[str, Any]) -> None:
        values = event.get("values")
        if not isinstance(values, Mapping):
            return
        step = _int(event.get("step"))
        for name, value in values.items():
            steps, vals = self.series.setdefault(str(name), ([], []))
            steps.append(step)
            vals.append(_number(value))

    def latest(self) -> tuple[int, dict[str, float | None]]:
        """The last step seen and each series' last value."""
        last = {name: vals[-1] for name, (_, vals) in self.series.items()}
        step = max((steps[-1] for steps, _ in self.series.values()), default=0)
        return step, last

    def __bool__(self) -> bool:
        return bool(self.series)


@dataclass
class RunView:
    """What the events of one run have said so far (feed each event to :meth:`apply`)."""

    started: float = field(default_factory=time.monotonic)
    device: str = ""
    params: dict[str, Any] = field(default_factory=dict)
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

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def apply(self, event: Mapping[str, Any]) -> None:
        match event.get("type"):
            case "start":
                self.device = str(event.get("device", ""))
                params = event.get("params")
                self.params = dict(params) if isinstance(params, Mapping) else {}
                pid = event.get("pid")
                self.pid = pid if isinstance(pid, int) else None
            case "progress":
                self.step, self.total = _int(event.get("step")), _int(event.get("total"))
            case "metric":
                self.metrics.add(event)
            case "image":
                self.images[str(event.get("name", ""))] = dict(event)
            case "table":
                self.tables[str(event.get("name", ""))] = dict(event)
            case "log":
                self.logs.append(str(event.get("message", "")))
            case "verdict":
                self.verdict = dict(event)
            case "error":
                self.error = dict(event)
            case "done":
                self.done = True

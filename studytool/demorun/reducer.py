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

__all__ = ["ChartSpec", "Curve", "MetricSeries", "RunView", "chart_groups", "verdict_state"]


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
    """Collects metric events: ``{series: ([x], [values])}``; x is the event's ``x`` when it
    has one, else its step (values are None where missing or not finite)."""

    def __init__(self) -> None:
        self.series: dict[str, tuple[list[float], list[float | None]]] = {}
        self.last_step = 0

    def add(self, event: Mapping[str, Any]) -> None:
        values = event.get("values")
        if not isinstance(values, Mapping):
            return
        step = _int(event.get("step"))
        x = _number(event.get("x"))
        self.last_step = max(self.last_step, step)
        for name, value in values.items():
            xs, vals = self.series.setdefault(str(name), ([], []))
            xs.append(float(step) if x is None else x)
            vals.append(_number(value))

    def latest(self) -> tuple[int, dict[str, float | None]]:
        """The last step seen and each series' last value."""
        last = {name: vals[-1] for name, (_, vals) in self.series.items()}
        return self.last_step, last

    def __bool__(self) -> bool:
        return bool(self.series)


@dataclass(frozen=True)
class ChartSpec:
    """One chart of a run: its axis titles and the series drawn on it."""

    name: str
    x: str = "step"
    y: str = ""
    series: tuple[str, ...] = ()
    log_y: bool | None = None  # None: log when the values span over 100x

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> ChartSpec:
        series = event.get("series")
        log_y = event.get("log_y")
        return cls(
            name=str(event.get("name", "")),
            x=str(event.get("x") or "step"),
            y=str(event.get("y") or ""),
            series=tuple(str(s) for s in series) if isinstance(series, list | tuple) else (),
            log_y=log_y if isinstance(log_y, bool) else None,
        )


Curve = tuple[str, list[float], list[float | None]]


def chart_groups(
    metrics: MetricSeries, charts: Mapping[str, ChartSpec]
) -> list[tuple[ChartSpec, list[Curve]]]:
    """Each declared chart with the series it names that have values, then one chart against
    the step for the series no chart names (charts with no values yet are left out)."""
    out: list[tuple[ChartSpec, list[Curve]]] = []
    named: set[str] = set()
    for spec in charts.values():
        named.update(spec.series)
        curves = [(name, *metrics.series[name]) for name in spec.series if name in metrics.series]
        if curves:
            out.append((spec, curves))
    rest = [(name, xs, vals) for name, (xs, vals) in metrics.series.items() if name not in named]
    if rest:
        out.append((ChartSpec("metrics", "step", "value", tuple(n for n, _, _ in rest)), rest))
    return out


VERDICT_STATES = ("holds", "fails", "does_not_apply")


def verdict_state(verdict: Mapping[str, Any]) -> str:
    """``holds``, ``fails`` or ``does_not_apply`` (a verdict without a valid ``status``, as
    from a worker older than the three states, is read from ``claim_holds``)."""
    status = verdict.get("status")
    if status in VERDICT_STATES:
        return str(status)
    return "holds" if verdict.get("claim_holds") is True else "fails"


def _verdict(event: Mapping[str, Any]) -> dict[str, Any]:
    """The verdict event with ``status``, ``reason`` and ``caveats`` always present."""
    verdict = dict(event)
    verdict["status"] = verdict_state(event)
    verdict["reason"] = str(verdict.get("reason") or "")
    caveats = verdict.get("caveats")
    verdict["caveats"] = [str(c) for c in caveats] if isinstance(caveats, list) else []
    return verdict


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
    charts: dict[str, ChartSpec] = field(default_factory=dict)
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

    def chart_groups(self) -> list[tuple[ChartSpec, list[Curve]]]:
        return chart_groups(self.metrics, self.charts)

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
            case "chart":
                spec = ChartSpec.from_event(event)
                self.charts[spec.name] = spec
            case "metric":
                self.metrics.add(event)
            case "image":
                self.images[str(event.get("name", ""))] = dict(event)
            case "table":
                self.tables[str(event.get("name", ""))] = dict(event)
            case "log":
                self.logs.append(str(event.get("message", "")))
            case "verdict":
                self.verdict = _verdict(event)
            case "error":
                self.error = dict(event)
            case "done":
                self.done = True

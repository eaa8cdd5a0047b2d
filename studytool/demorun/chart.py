"""Drawing one chart of a demo run with plotext: a colour and a legend entry per series, axis
titles, and ticks chosen here (round numbers, at most 6 significant digits) rather than
plotext's (which print ``0.000000000006`` on a log axis).

Shared by the CLI (``plotext`` itself) and the TUI (``textual_plotext``'s ``plt``): both are
passed in as ``plt``.  A log axis is drawn as log10 of the values on a linear axis with ticks
labelled in the original units: plotext's own log axis transforms its data in place and
raises on a second build.  Pure Python, no torch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .reducer import ChartSpec, Curve

__all__ = [
    "MAX_SERIES",
    "PALETTE",
    "draw_chart",
    "draw_charts",
    "log_axis",
    "nice_ticks",
    "tick_label",
]

MAX_SERIES = 8  # more lines than this make a chart unreadable

# Okabe-Ito's colour-blind-safe colours (black and yellow left out: one of them vanishes on a
# dark terminal, the other on a light one), then a purple; all mid-luminance
PALETTE: tuple[tuple[int, int, int], ...] = (
    (0, 114, 178),  # blue
    (213, 94, 0),  # vermillion
    (0, 158, 115),  # bluish green
    (204, 121, 167),  # reddish purple
    (230, 159, 0),  # orange
    (86, 180, 233),  # sky blue
    (128, 128, 128),  # grey
    (148, 103, 189),  # purple
)


def log_axis(values: Sequence[float]) -> bool:
    """A log axis when every value is positive and they span over 100x."""
    return bool(values) and min(values) > 0 and max(values) / min(values) > 100


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round ticks (steps of 1, 2 or 5 times a power of ten) in [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, count)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + step * 1e-9:
        ticks.append(k * step)
        k += 1
    return ticks


def tick_label(value: float, step: float = 0.0) -> str:
    """``value`` in at most 6 significant digits, rounded to the tick step's precision
    (so ``0.30000000000000004`` prints as ``0.3`` and ``6e-12`` as ``6e-12``)."""
    if step > 0 and abs(value) < step * 1e-6:
        return "0"
    text = f"{value:.6g}"
    if step > 0 and "e" not in text:
        decimals = max(0, -math.floor(math.log10(step)) + 1)
        text = f"{round(value, decimals):.6g}"
    return text


def _log_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Ticks on a log10 axis from ``lo`` to ``hi`` (exponents): whole decades, thinned to at
    most 6; labels in the original units."""
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    decades = list(range(first, last + 1))
    if len(decades) > 6:
        every = math.ceil(len(decades) / 6)
        decades = decades[::every]
    if not decades:  # less than a decade: fall back to linear ticks of the exponent
        ticks = nice_ticks(lo, hi)
        return ticks, [tick_label(10.0**t) for t in ticks]
    return [float(d) for d in decades], [tick_label(10.0**d) for d in decades]


def draw_chart(plt: Any, spec: ChartSpec, curves: Sequence[Curve], *, title: bool = False) -> None:
    """Plot ``curves`` on ``plt`` (a cleared plotext figure) as ``spec`` says."""
    curves = list(curves)[:MAX_SERIES]
    ys = [v for _, _, vals in curves for v in vals if v is not None]
    log = spec.log_y if spec.log_y is not None else log_axis(ys)
    if log and ys and min(ys) <= 0:
        log = False
    xs_all: list[float] = []
    ys_all: list[float] = []
    for i, (name, xs, vals) in enumerate(curves):
        pts = [
            (x, math.log10(v) if log else v)
            for x, v in zip(xs, vals, strict=False)
            if v is not None
        ]
        if not pts:
            continue
        px, py = [p[0] for p in pts], [p[1] for p in pts]
        xs_all += px
        ys_all += py
        plt.plot(px, py, label=name, marker="braille", color=PALETTE[i % len(PALETTE)])
    if spec.x:
        plt.xlabel(spec.x)
    if spec.y:
        plt.ylabel(spec.y + (" (log scale)" if log else ""))
    if title and spec.name:
        plt.title(spec.name)
    if not ys_all:
        return
    x_ticks = nice_ticks(min(xs_all), max(xs_all))
    x_step = x_ticks[1] - x_ticks[0] if len(x_ticks) > 1 else 0.0
    plt.xticks(x_ticks, [tick_label(t, x_step) for t in x_ticks])
    lo, hi = min(ys_all), max(ys_all)
    if log:
        y_ticks, y_labels = _log_ticks(lo, hi)
    else:
        if hi - lo < 1e-12 * max(1.0, abs(hi)):  # a flat series: a tick at its value
            lo, hi = lo - 0.5, hi + 0.5
        y_ticks = nice_ticks(lo, hi)
        y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 0.0
        y_labels = [tick_label(t, y_step) for t in y_ticks]
    plt.yticks(y_ticks, y_labels)


def draw_charts(plt: Any, groups: Sequence[tuple[ChartSpec, Sequence[Curve]]]) -> None:
    """Every chart of a run on ``plt``, stacked as subplots, each titled when there are
    several (one quantity per axis: each chart has its own y axis)."""
    if len(groups) == 1:
        draw_chart(plt, *groups[0])
        return
    plt.subplots(len(groups), 1)
    for row, (spec, curves) in enumerate(groups, start=1):
        plt.subplot(row, 1)
        draw_chart(plt, spec, curves, title=True)

"""The line chart of a demo run's metric series (textual-plotext).

plotext is fragile as a live renderer: building a figure transforms its data in place (a log
axis built twice, as on a resize, takes log10 of a logarithm and raises "math domain error"),
and some data raise inside its legend code (IndexError).  So this widget keeps the series
itself, draws a fresh figure from them on every render, and skips a frame that fails: the
error is logged and the last good frame stays on screen.  A bad frame never reaches the app.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from studytool.demorun.reducer import MetricSeries

__all__ = ["MAX_SERIES", "MetricPlot", "log_axis"]

log = logging.getLogger(__name__)

MAX_SERIES = 8  # more lines than this make the plot unreadable

Series = tuple[str, list[int], list[float | None]]


def log_axis(values: Sequence[float]) -> bool:
    """The CLI chart's rule: a log axis when every value is positive and they span over 100x."""
    return bool(values) and min(values) > 0 and max(values) / min(values) > 100


class MetricPlot(PlotextPlot):
    """Every series of a run against its step (at most :data:`MAX_SERIES` of them)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._series: list[Series] = []
        self._last_frame: RenderResult | None = None
        self.failed_frames = 0

    def show(self, metrics: MetricSeries) -> None:
        """Draw these series (a copy: the run keeps appending to its lists)."""
        self._series = [
            (name, list(steps), list(vals))
            for name, (steps, vals) in list(metrics.series.items())[:MAX_SERIES]
        ]
        self.refresh()

    def clear(self) -> None:
        self._series = []
        self._last_frame = None
        self.refresh()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        if log_axis([v for _, _, vals in self._series for v in vals if v is not None]):
            plt.yscale("log")
        plt.xlabel("step")
        for name, steps, vals in self._series:
            pts = [(s, v) for s, v in zip(steps, vals, strict=True) if v is not None]
            if pts:
                plt.plot([s for s, _ in pts], [v for _, v in pts], label=name, marker="braille")

    def render(self) -> RenderResult:
        try:
            self._draw()
            frame = super().render()
        except Exception:  # plotext's own bugs; see the module docstring
            self.failed_frames += 1
            log.warning("demo plot: skipped a frame that plotext could not draw", exc_info=True)
            if self._last_frame is not None:
                return self._last_frame
            return Text("(the chart could not be drawn at this size)", style="dim")
        self._last_frame = frame
        return frame

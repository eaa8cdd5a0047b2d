"""The charts of a demo run's metric series (textual-plotext), drawn by the CLI's code
(``studytool.demorun.chart``): one chart per quantity, stacked.

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

from studytool.demorun.chart import draw_charts
from studytool.demorun.reducer import ChartSpec, Curve

__all__ = ["CHART_ROWS", "MetricPlot"]

log = logging.getLogger(__name__)

CHART_ROWS = 12  # rows of one chart (its axes, ticks and titles included)

Group = tuple[ChartSpec, list[Curve]]


class MetricPlot(PlotextPlot):
    """Every chart of a run, stacked (each with its own y axis)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._groups: list[Group] = []
        self._last_frame: RenderResult | None = None
        self.failed_frames = 0

    @property
    def chart_count(self) -> int:
        return len(self._groups)

    def show(self, groups: Sequence[tuple[ChartSpec, Sequence[Curve]]]) -> None:
        """Draw these charts (copies: the run keeps appending to its lists)."""
        self._groups = [
            (spec, [(name, list(xs), list(vals)) for name, xs, vals in curves])
            for spec, curves in groups
        ]
        self.refresh()

    def clear(self) -> None:
        self._groups = []
        self._last_frame = None
        self.refresh()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        if self._groups:
            draw_charts(plt, self._groups)

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

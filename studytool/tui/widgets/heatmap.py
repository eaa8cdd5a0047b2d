"""A calendar heatmap of reviews per day, drawn with Rich blocks: weeks across, weekdays down."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from studytool.study.text import t

WEEKS = 26
# GitHub's palettes: the empty cell and the greens differ between dark and light themes
LEVELS = ("#30363d", "#0e4429", "#006d32", "#26a641", "#39d353")
LIGHT_LEVELS = ("#d0d7de", "#9be9a8", "#40c463", "#30a14e", "#216e39")

CELL = "■"


def level(count: int, peak: int) -> int:
    """0 for no reviews, else 1..4 by the share of the busiest day."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, max(1, -(-4 * count // peak)))


def _cells(char: str) -> tuple[str, ...]:
    """A character as the terminal cells it takes: a wide one, then an empty cell."""
    return (char, "") if cell_len(char) == 2 else (char,)


class Heatmap:
    """The last `weeks` weeks of `days` ((date, count), oldest first, ending today).

    Each column is a week (Monday first); a cell is two columns wide when the width allows,
    so the grid keeps its shape from 80 columns up.
    """

    def __init__(
        self,
        days: Sequence[tuple[date, int]],
        today: date,
        weeks: int = WEEKS,
        *,
        dark: bool = True,
        lang: str = "en",
    ) -> None:
        self.counts = dict(days)
        self.today = today
        self.weeks = weeks
        self.levels = LEVELS if dark else LIGHT_LEVELS
        self.lang = lang
        self.day_labels = t("hm_days", lang).split(",")  # Monday first; blank rows between
        self.months = t("hm_months", lang).split()

    def grid(self) -> list[list[date | None]]:
        """7 rows (Mon..Sun) x `weeks` columns; None after today."""
        last_monday = self.today - timedelta(days=self.today.weekday())
        first = last_monday - timedelta(weeks=self.weeks - 1)
        rows: list[list[date | None]] = []
        for wd in range(7):
            row: list[date | None] = []
            for w in range(self.weeks):
                d = first + timedelta(weeks=w, days=wd)
                row.append(d if d <= self.today else None)
            rows.append(row)
        return rows

    def total(self) -> int:
        first = self.grid()[0][0]
        assert first is not None
        return sum(n for d, n in self.counts.items() if first <= d <= self.today)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        grid = self.grid()
        label_w = 4
        cell_w = 2 if options.max_width >= label_w + 2 * self.weeks else 1
        peak = max((self.counts.get(d, 0) for row in grid for d in row if d), default=0)
        months = Text(" " * label_w)
        month_cells = [" "] * (self.weeks * cell_w)
        for w in range(self.weeks):
            monday = grid[0][w] or self.today
            if monday.day <= 7 or w == 0:
                # one entry per terminal cell: a wide character (월) is followed by an empty one
                name = [p for c in self.months[monday.month - 1] for p in _cells(c)]
                at = w * cell_w
                if all(c == " " for c in month_cells[max(0, at - 1) : at + len(name)]):
                    month_cells[at : at + len(name)] = name
        shown = month_cells[: self.weeks * cell_w]
        if month_cells[len(shown) :][:1] == [""]:  # a wide character cut in half
            shown[-1] = " "
        months.append("".join(shown), style="dim")
        yield months
        for wd, row in enumerate(grid):
            day = self.day_labels[wd]
            yield Segment(day + " " * (label_w - cell_len(day)), Style(dim=True))
            for d in row:
                if d is None:
                    yield Segment(" " * cell_w)
                    continue
                n = self.counts.get(d, 0)
                style = Style(color=self.levels[level(n, peak)], bold=d == self.today)
                yield Segment(CELL + " " * (cell_w - 1), style)
            yield Segment.line()
        legend = Text(" " * label_w)
        legend.append(f"{t('hm_less', self.lang)} ", style="dim")
        for color in self.levels:
            legend.append(CELL, style=color)
        legend.append(f" {t('hm_more', self.lang)}", style="dim")
        yield legend

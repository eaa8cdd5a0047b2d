"""The quiz history table on the Stats screen: totals, recent scores, per scope, most missed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from studytool.textsafe import rich_text

if TYPE_CHECKING:
    from studytool.store.quizlog import QuizTrends

_SPARK = "▁▂▃▄▅▆▇█"


def quiz_trends_table(trends: QuizTrends) -> RenderableType:
    """Quiz history for the Stats screen: totals, recent scores, per scope, most missed."""
    if not trends.quizzes:
        return Text("No quizzes yet: press t on Home to take one.", style="dim")
    table = Table.grid(padding=(0, 3))
    table.add_column(style="dim", justify="right")
    table.add_column()
    change = "—" if trends.change is None else f"{trends.change:+.0f} pts"
    table.add_row(
        "Quizzes",
        Text.assemble(
            (f"{trends.quizzes}", "bold"),
            ("  average ", "dim"),
            (f"{trends.average or 0:.0f}%", "bold"),
            ("  best ", "dim"),
            (f"{trends.best or 0:.0f}%", "bold"),
            ("  last 5 vs 5 before ", "dim"),
            (change, "bold green" if (trends.change or 0) >= 0 else "bold red"),
        ),
    )
    spark = "".join(_SPARK[min(7, int(p / 100 * 8))] for _, p in trends.recent)
    table.add_row("Recent", Text(spark + "  (oldest → newest)", style="cyan"))
    for s in trends.scopes[:8]:
        scope_change = "" if s.change is None else f"  {s.change:+.0f}"
        table.add_row(
            rich_text(s.scope),
            f"{s.quizzes} quizzes · average {s.average:.0f}% · last {s.last:.0f}%{scope_change}",
        )
    if trends.most_missed:
        missed = ", ".join(f"{k} ({m}/{n})" for k, m, n in trends.most_missed[:5])
        table.add_row("Most missed", Text(missed, style="yellow"))
    return table

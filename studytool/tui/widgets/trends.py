"""The quiz history table on the Stats screen: totals, recent scores, per scope, most missed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from studytool.study.text import t
from studytool.textsafe import rich_text

if TYPE_CHECKING:
    from studytool.store.quizlog import QuizTrends

_SPARK = "▁▂▃▄▅▆▇█"


def quiz_trends_table(trends: QuizTrends, lang: str = "en") -> RenderableType:
    """Quiz history for the Stats screen: totals, recent scores, per scope, most missed."""
    if not trends.quizzes:
        return Text(t("qt_none", lang), style="dim")
    table = Table.grid(padding=(0, 3))
    table.add_column(style="dim", justify="right")
    table.add_column()
    change = "—" if trends.change is None else t("qt_pts", lang, n=f"{trends.change:+.0f}")
    table.add_row(
        t("tab_quizzes", lang),
        Text.assemble(
            (f"{trends.quizzes}", "bold"),
            (f"  {t('qt_average', lang)} ", "dim"),
            (f"{trends.average or 0:.0f}%", "bold"),
            (f"  {t('qt_best', lang)} ", "dim"),
            (f"{trends.best or 0:.0f}%", "bold"),
            (f"  {t('qt_last5', lang)} ", "dim"),
            (change, "bold green" if (trends.change or 0) >= 0 else "bold red"),
        ),
    )
    spark = "".join(_SPARK[min(7, int(p / 100 * 8))] for _, p in trends.recent)
    table.add_row(t("qt_recent", lang), Text(f"{spark}  ({t('qt_oldest', lang)})", style="cyan"))
    for s in trends.scopes[:8]:
        scope_change = "" if s.change is None else f"  {s.change:+.0f}"
        table.add_row(
            rich_text(s.scope),
            t(
                "qt_scope",
                lang,
                n=s.quizzes,
                average=f"{s.average:.0f}%",
                last=f"{s.last:.0f}%",
            )
            + scope_change,
        )
    if trends.most_missed:
        missed = ", ".join(f"{k} ({m}/{n})" for k, m, n in trends.most_missed[:5])
        table.add_row(t("qt_most_missed", lang), Text(missed, style="yellow"))
    return table

"""Rich renderables for the demo screen's output pane: the verdict, the latest metrics and the
grid of images of a run (pure functions of a :class:`~studytool.demorun.reducer.RunView`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from studytool.demorun.reducer import RunView
from studytool.demorun.render import (
    VERDICT_LOOK,
    image_text,
    numbers_table,
    verdict_lines,
    verdict_state,
)
from studytool.study.text import t
from studytool.textsafe import visible

__all__ = ["VerdictView", "colormap", "image_grid", "latest_metrics", "verdict_view"]


def colormap(image_name: str) -> str:
    # the CLI's rule: pictures of the data in gray, everything else (maps, weights) in viridis
    return "gray" if image_name.lower().startswith(("digit", "input", "image")) else "viridis"


def _numbers(verdict: dict[str, Any]) -> RenderableType:
    """The verdict's numbers in two columns of name/value."""
    items = list(verdict.get("numbers", {}).items())
    half = (len(items) + 1) // 2
    grid = Table.grid(padding=(0, 4))
    grid.add_row(numbers_table(dict(items[:half])), numbers_table(dict(items[half:])))
    return grid


# the verdict box's word for each state (a chrome key)
_CLAIM_WORD = {"holds": "claim_holds", "fails": "claim_fails", "does_not_apply": "claim_na"}


@dataclass(frozen=True)
class VerdictView:
    css_class: str  # -holds, -fails, -na (does not apply), -error or -cancelled
    title: str
    body: RenderableType


def verdict_view(state: RunView, lang: str = "en", shown_claim: str = "") -> VerdictView | None:
    """How the verdict box shows the end of a run (None while it has not ended); the claim as
    run is repeated only where it differs from ``shown_claim``, the one already on screen."""
    if state.verdict is not None:
        v = state.verdict
        status = verdict_state(v)
        _, style, _ = VERDICT_LOOK[status]
        seconds = f"{float(v.get('seconds', 0.0)):.2f}"
        head = Text.assemble(
            Text(t(_CLAIM_WORD[status], lang), style=style),
            f"  {t('in_seconds', lang, seconds=seconds)}",
        )
        if state.device:
            head.append(f" {t('on_device', lang, device=state.device)}")
        parts: list[RenderableType] = [head]
        if v.get("claim") and v["claim"] != shown_claim:
            parts.append(Text(visible(str(v["claim"])), style="bold"))
        parts += verdict_lines(v, lang)
        parts += [Text(visible(str(v.get("summary", ""))), style="italic"), _numbers(v)]
        css = {"holds": "-holds", "fails": "-fails", "does_not_apply": "-na"}[status]
        return VerdictView(css, t("verdict", lang), Group(*parts))
    if state.cancelled:
        return VerdictView(
            "-cancelled", t("cancelled_title", lang), Text(t("demo_stopped", lang), style="dim")
        )
    if state.error is not None:
        err = state.error
        lines: list[RenderableType] = [Text(visible(str(err.get("message", ""))), style="bold red")]
        trace = str(err.get("traceback") or "").strip()
        if trace:
            lines.append(Text("\n".join(trace.splitlines()[-8:]), style="dim"))
        lines.append(Text(t("demo_edit_rerun", lang), style="dim"))
        title = f"{t('error_title', lang)} · {visible(str(err.get('kind', 'error')))}"
        return VerdictView("-error", title, Group(*lines))
    return None


def latest_metrics(state: RunView, lang: str = "en") -> tuple[str, RenderableType]:
    """(border title, table) of each series' latest value."""
    step, latest = state.metrics.latest()
    return t("latest_metrics", lang, step=step), numbers_table(latest)


def image_grid(images: dict[str, dict[str, Any]], width: int) -> RenderableType:
    """Every image with its name and caption, as many per row as fit in ``width`` cells."""
    cells = []
    for name, event in images.items():
        picture = image_text(
            event["pixels"],
            max_width=min(width, 64),
            max_rows=12,
            colormap=colormap(name),
            lines=bool(event.get("lines")),
        )
        caption = Text(visible(str(event.get("caption", ""))), style="dim")
        columns = max(cell_len(line) for line in picture.plain.split("\n"))
        cells.append((columns, Group(Text(visible(name), style="bold"), picture, caption)))
    column = min(width, max(20, max(w for w, _ in cells)))
    per_row = max(1, (width + 2) // (column + 2))
    grid = Table.grid(padding=(0, 2))
    for _ in range(per_row):
        grid.add_column(width=column)
    for i in range(0, len(cells), per_row):
        grid.add_row(*(c for _, c in cells[i : i + per_row]))
    return grid

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


@dataclass(frozen=True)
class VerdictView:
    css_class: str  # -holds, -fails, -na (does not apply), -error or -cancelled
    title: str
    body: RenderableType


def verdict_view(state: RunView, shown_claim: str = "") -> VerdictView | None:
    """How the verdict box shows the end of a run (None while it has not ended); the claim as
    run is repeated only where it differs from ``shown_claim``, the one already on screen."""
    if state.verdict is not None:
        v = state.verdict
        status = verdict_state(v)
        label, style, _ = VERDICT_LOOK[status]
        head = Text.assemble(
            Text(f" claim {label} ", style=style), f"  in {float(v.get('seconds', 0.0)):.2f} s"
        )
        if state.device:
            head.append(f" on {state.device}")
        parts: list[RenderableType] = [head]
        if v.get("claim") and v["claim"] != shown_claim:
            parts.append(Text(str(v["claim"]), style="bold"))
        parts += verdict_lines(v)
        parts += [Text(str(v.get("summary", "")), style="italic"), _numbers(v)]
        css = {"holds": "-holds", "fails": "-fails", "does_not_apply": "-na"}[status]
        return VerdictView(css, "Verdict", Group(*parts))
    if state.cancelled:
        return VerdictView(
            "-cancelled", "Cancelled", Text("The demo was stopped. r runs it again.", style="dim")
        )
    if state.error is not None:
        err = state.error
        lines: list[RenderableType] = [Text(str(err.get("message", "")), style="bold red")]
        trace = str(err.get("traceback") or "").strip()
        if trace:
            lines.append(Text("\n".join(trace.splitlines()[-8:]), style="dim"))
        lines.append(Text("Edit the parameters and press r to run it again.", style="dim"))
        return VerdictView("-error", f"Error · {err.get('kind', 'error')}", Group(*lines))
    return None


def latest_metrics(state: RunView) -> tuple[str, RenderableType]:
    """(border title, table) of each series' latest value."""
    step, latest = state.metrics.latest()
    return f"Latest metrics · step {step}", numbers_table(latest)


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
        caption = Text(str(event.get("caption", "")), style="dim")
        columns = max(cell_len(line) for line in picture.plain.split("\n"))
        cells.append((columns, Group(Text(name, style="bold"), picture, caption)))
    column = min(width, max(20, max(w for w, _ in cells)))
    per_row = max(1, (width + 2) // (column + 2))
    grid = Table.grid(padding=(0, 2))
    for _ in range(per_row):
        grid.add_column(width=column)
    for i in range(0, len(cells), per_row):
        grid.add_row(*(c for _, c in cells[i : i + per_row]))
    return grid

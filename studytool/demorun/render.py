"""Drawing demo events in a terminal with rich (no torch): half-block images, metric charts,
tables and the verdict panel.  Used by ``studytool demo run``; the TUI may reuse it (rich
renderables display in textual ``Static`` widgets)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from studytool.study.text import t
from studytool.textsafe import visible

from .chart import draw_charts
from .reducer import ChartSpec, Curve, verdict_state

__all__ = [
    "colour_scale",
    "image_text",
    "metric_charts",
    "numbers_table",
    "sparkline",
    "table_renderable",
    "verdict_lines",
    "verdict_panel",
    "verdict_state",
]

_SPARK = "▁▂▃▄▅▆▇█"
# a short perceptual ramp (viridis-like) for grayscale heatmaps
_RAMP = [
    (0.267, 0.005, 0.329),
    (0.230, 0.322, 0.546),
    (0.128, 0.567, 0.551),
    (0.369, 0.789, 0.383),
    (0.993, 0.906, 0.144),
]


def _ramp(t: float) -> tuple[float, float, float]:
    t = min(1.0, max(0.0, t)) * (len(_RAMP) - 1)
    i = min(int(t), len(_RAMP) - 2)
    f = t - i
    a, b = _RAMP[i], _RAMP[i + 1]
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f)


def _hex(rgb: Sequence[float]) -> str:
    r, g, b = (max(0, min(255, round(float(c) * 255))) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


MIN_PIXEL_ROWS = 16  # a small map (2x30, 3xT) is stretched to at least 8 text rows


def _pool(rows: list, height: int, width: int, lines: bool) -> list:
    """``rows`` resampled to ``height`` x ``width``: each output pixel stands for a block of
    input pixels (one pixel, repeated, when enlarging).  A block's value is its mean (area
    averaging), or with ``lines`` its most distinctive pixel (the one farthest from the
    block's mean), so a 1-pixel line survives shrinking.  None pixels are left out of a
    block (a block of only None stays None)."""
    h, w = len(rows), len(rows[0]) if rows else 0
    if h == 0 or w == 0:
        return []
    rgb = any(isinstance(v, list) for row in rows for v in row)

    def spread(v: Any, mean: Any) -> float:
        if rgb:
            return sum((a - b) ** 2 for a, b in zip(v, mean, strict=False))
        return abs(v - mean)

    out: list[list[Any]] = []
    for i in range(height):
        r0 = (i * h) // height
        r1 = max(r0 + 1, ((i + 1) * h) // height)
        row: list[Any] = []
        for j in range(width):
            c0 = (j * w) // width
            c1 = max(c0 + 1, ((j + 1) * w) // width)
            block = [rows[r][c] for r in range(r0, r1) for c in range(c0, c1)]
            block = [v for v in block if v is not None]
            if not block:
                row.append(None)
                continue
            if len(block) == 1:
                row.append(block[0])
                continue
            if rgb:
                mean: Any = [sum(v[k] for v in block) / len(block) for k in range(3)]
            else:
                mean = sum(block) / len(block)
            row.append(max(block, key=partial(spread, mean=mean)) if lines else mean)
        out.append(row)
    return out


def _fit(h: int, w: int, max_width: int, max_rows: int) -> tuple[int, int]:
    """The drawn size (pixel rows, columns) of an h x w image: shrunk to fit, keeping its
    aspect; small images enlarged up to 4x; maps of a few rows stretched to be readable."""
    max_px = 2 * max_rows
    if w > max_width or h > max_px:
        scale = min(max_width / w, max_px / h)
        return max(1, round(h * scale)), max(1, round(w * scale))
    k = max(1, min(max_width // w, max_px // h, 4))
    ky = k
    if h * ky < MIN_PIXEL_ROWS:
        ky = max(ky, min(max_px // h, -(-MIN_PIXEL_ROWS // h)))
    return h * ky, w * k


def colour_scale(lo: float, hi: float, colormap: str = "viridis", width: int = 16) -> Text:
    """A colour bar from ``lo`` to ``hi`` with both ends labelled."""
    text = Text(f"{lo:.4g} ", style="dim")
    for i in range(width):
        t = i / max(1, width - 1)
        text.append("█", Style(color=_hex(_ramp(t) if colormap == "viridis" else (t, t, t))))
    text.append(f" {hi:.4g}", style="dim")
    return text


def image_text(
    pixels: list,
    *,
    max_width: int = 64,
    max_rows: int = 24,
    colormap: str = "gray",
    lines: bool = False,
    scale: bool = True,
) -> Text:
    """An HxW (any range) or HxWx3 (0..1) image as coloured half-blocks (2 pixels per cell).

    Grayscale images are min-max normalised, ``colormap`` is ``gray`` or ``viridis``, and a
    colour bar with the range follows (unless ``scale`` is False); null (non-finite) pixels
    are drawn dark red.  ``lines``: shrink by keeping each block's most distinctive pixel
    (thin lines survive) instead of its mean."""
    if not pixels or not pixels[0]:
        return Text("(empty image)")
    rgb = isinstance(pixels[0][0], list)
    h, w = len(pixels), len(pixels[0])
    nh, nw = _fit(h, w, max_width, max_rows)
    if (nh, nw) != (h, w):
        pixels = _pool(pixels, nh, nw, lines)
    lo, hi = 0.0, 1.0
    if not rgb:
        flat = [v for row in pixels for v in row if v is not None]
        lo, hi = (min(flat), max(flat)) if flat else (0.0, 1.0)
        span = hi - lo if hi > lo else 1.0

        def colour(v: Any) -> str:
            if v is None:
                return "#800000"
            t = (v - lo) / span
            return _hex(_ramp(t) if colormap == "viridis" else (t, t, t))
    else:

        def colour(v: Any) -> str:
            return "#800000" if v is None else _hex(v)

    text = Text()
    for i in range(0, nh, 2):
        top = pixels[i]
        bottom = pixels[i + 1] if i + 1 < nh else None
        for j in range(nw):
            fg = colour(top[j])
            if bottom is None:
                text.append("▀", Style(color=fg))
            else:
                text.append("▀", Style(color=fg, bgcolor=colour(bottom[j])))
        if i + 2 < nh:
            text.append("\n")
    if not rgb and scale:
        text.append("\n")
        text.append_text(colour_scale(lo, hi, colormap, width=max(8, min(16, nw - 16))))
    return text


def sparkline(values: Sequence[float | None], width: int = 40) -> str:
    vals = [v for v in values if v is not None and math.isfinite(v)]
    if not vals:
        return ""
    if len(vals) > width:  # keep the last `width`, evenly sampled over the run
        vals = [vals[(i * len(vals)) // width] for i in range(width - 1)] + [vals[-1]]
    lo, hi = min(vals), max(vals)
    span = hi - lo or 1.0
    return "".join(_SPARK[min(7, int((v - lo) / span * 7.999))] for v in vals)


def _sparklines(curves: Sequence[Curve], width: int) -> Text:
    lines = Text()
    for name, _, vals in curves:
        last = next((v for v in reversed(vals) if v is not None), None)
        lines.append(f"{name:>14} {sparkline(vals, width - 30)} ")
        lines.append(f"{last:.4g}\n" if last is not None else "-\n")
    return lines


def _reset(plt: Any) -> None:
    """Clear plotext's whole figure: ``clear_figure`` alone clears only the active subplot."""
    plt.main()
    plt.clear_figure()


def metric_charts(
    groups: Sequence[tuple[ChartSpec, Sequence[Curve]]], width: int = 72, height: int = 16
) -> RenderableType:
    """Every chart of a run, stacked, ``height`` rows each (plotext; sparklines where
    plotext fails)."""
    if not groups:
        return Text("")
    import plotext as plt  # type: ignore[import-untyped]

    try:
        _reset(plt)
        plt.limitsize(False, False)  # the size asked for, not the terminal's (a pipe: 80x24)
        plt.plotsize(max(30, width), max(8, height) * len(groups))
        plt.theme("clear")
        draw_charts(plt, groups)
        return Text.from_ansi(plt.build())
    except Exception:  # plotext's own bugs: a chart is never worth the run
        return _sparklines([c for _, curves in groups for c in curves], width)
    finally:
        _reset(plt)


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return "-" if v is None else str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e12:
            return f"{int(v):,}"
        return f"{v:.4g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _text(v: Any) -> Text:
    """A demo's name, column or value as `Text`: never parsed as markup, so `[/b]` in a table
    name shows as written instead of stopping the screen."""
    return Text(visible(_fmt(v)))


def table_renderable(event: dict[str, Any]) -> RenderableType:
    rows = event.get("rows") or []
    table = Table(title=_text(event.get("name", "")), title_justify="left", show_edge=False)
    columns: list[str] = []
    for row in rows:
        for k in row:
            if k not in columns:
                columns.append(k)
    for c in columns:
        table.add_column(_text(c), overflow="fold")
    for row in rows[:40]:
        table.add_row(*(_text(row.get(c)) for c in columns))
    return table


def numbers_table(numbers: dict[str, Any]) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column(justify="right")
    for k, v in numbers.items():
        table.add_row(_text(k), _text(v))
    return table


# the verdict's three states: the chrome key of the word, its style and the border colour
VERDICT_LOOK: dict[str, tuple[str, str, str]] = {
    "holds": ("verdict_holds", "bold black on green", "green"),
    "fails": ("verdict_fails", "bold white on red", "red"),
    "does_not_apply": ("verdict_na", "bold black on yellow", "yellow"),
}


def verdict_lines(verdict: dict[str, Any], lang: str = "en") -> list[RenderableType]:
    """Why the claim does not apply (when it does not) and the caveats, as text lines; the
    demo's words stay inert (never markup, control characters drawn visibly)."""
    lines: list[RenderableType] = []
    reason = visible(str(verdict.get("reason") or ""))
    if reason:
        lines.append(Text.assemble((f"{t('does_not_apply', lang)}: ", "bold yellow"), reason))
    for caveat in verdict.get("caveats") or []:
        lines.append(
            Text.assemble((f"{t('caveat', lang)}: ", "dim bold"), (visible(str(caveat)), "dim"))
        )
    return lines


def verdict_panel(
    claim: str, verdict: dict[str, Any] | None, error: dict[str, Any] | None, device: str
) -> Panel:
    if verdict is not None:
        state = verdict_state(verdict)
        key, style, border = VERDICT_LOOK[state]
        head = Text.assemble(
            Text(f" {t(key, 'en')} ", style=style),
            "  ",
            (visible(str(verdict.get("claim") or claim)), "bold"),
        )
        info = Text(
            f"{visible(str(verdict.get('summary', '')))}\n"
            f"device {device}, {verdict.get('seconds', 0):.2f} s",
            style="italic",
        )
        body = Group(
            head,
            *verdict_lines(verdict),
            Text(""),
            numbers_table(verdict.get("numbers", {})),
            Text(""),
            info,
        )
        return Panel(body, title="verdict", border_style=border)
    message = (error or {}).get("message", "no verdict")
    return Panel(
        Group(Text.assemble(("ERROR ", "bold red"), claim), Text(visible(str(message)))),
        title="verdict",
        border_style="red",
    )

"""Unfocused panel borders and titles, and the grade buttons, are readable: at least 4.5:1
(WCAG AA) against what is behind them, in the dark and the light theme, with true colour
and on a 256-colour terminal. The colours are read from what the widgets draw."""

from __future__ import annotations

from pathlib import Path

import pytest
from kit import make_app, settle
from rich.color import Color, ColorSystem
from rich.segment import Segment
from textual.geometry import Region
from textual.widget import Widget

THEMES = ("textual-dark", "textual-light")
AA = 4.5


def luminance(color: Color) -> float:
    def channel(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: Color, bg: Color, eight_bit: bool) -> float:
    if eight_bit:  # what a 256-colour terminal shows: the nearest colour of its palette
        fg, bg = fg.downgrade(ColorSystem.EIGHT_BIT), bg.downgrade(ColorSystem.EIGHT_BIT)
    light, dark = sorted((luminance(c) for c in (fg, bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula() -> None:
    black, white = Color.parse("#000000"), Color.parse("#ffffff")
    assert contrast(black, white, False) == pytest.approx(21.0)
    assert contrast(Color.parse("#777777"), white, False) == pytest.approx(4.48, abs=0.01)


def drawn(widget: Widget, y: int) -> list[Segment]:
    """The coloured, visible segments of line `y` of the widget, border included."""
    strip = widget.render_lines(Region(0, y, widget.outer_size.width, 1))[0]
    return [s for s in strip if s.text.strip() and s.style and s.style.color and s.style.bgcolor]


def check(widget: Widget, y: int, what: str) -> int:
    segments = drawn(widget, y)
    for segment in segments:
        assert segment.style is not None
        fg, bg = segment.style.color, segment.style.bgcolor
        assert fg is not None and bg is not None
        for eight_bit in (False, True):
            ratio = contrast(fg, bg, eight_bit)
            depth = "256 colours" if eight_bit else "true colour"
            assert ratio >= AA, f"{what} {segment.text!r}: {ratio:.2f}:1 ({depth})"
    return len(segments)


@pytest.mark.parametrize("theme", THEMES)
async def test_panels_and_the_easy_button_are_readable(tmp_path: Path, theme: str) -> None:
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        await settle(pilot)
        for focused in (True, False):
            app.set_focus(app.screen.query_one("#decks") if focused else None)
            await pilot.pause()
            for panel in ("#decks", "#heatmap", "#actions", "#deck-info"):
                # the top line: the border and the panel's title
                widget = app.screen.query_one(panel)
                assert str(widget.border_title) in "".join(s.text for s in drawn(widget, 0))
                assert check(widget, 0, f"{theme} {panel}") > 0

        app.action_review("basics")
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert check(app.screen.query_one("#card-scroll"), 0, f"{theme} card border") > 0
        easy = app.screen.query_one("#grade-4")
        assert "Easy" in "".join(s.text for s in drawn(easy, 1))
        for grade in ("#grade-1", "#grade-3", "#grade-4"):
            button = app.screen.query_one(grade)
            # the label line; the button's own edge is a block of its background colour
            label = [s for s in drawn(button, 1) if s.text.strip() not in ("▊", "▎")]
            assert label
            for segment in label:
                assert segment.style is not None
                fg, bg = segment.style.color, segment.style.bgcolor
                assert fg is not None and bg is not None
                for eight_bit in (False, True):
                    assert contrast(fg, bg, eight_bit) >= AA, (theme, grade, eight_bit)

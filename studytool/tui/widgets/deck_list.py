"""The deck tree of Home: a label column and right-aligned count columns, with a row cursor.

Drawn line by line (Textual's line API): a DataTable or a Rich table costs more to lay out than
the rest of the Home screen's first frame. Enter or a double click selects a row; a single
click moves the cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

COUNT_WIDTH = 6  # "Learn" and a space


@dataclass(frozen=True, slots=True)
class DeckRow:
    key: str
    label: Text
    counts: tuple[Text, ...] = ()


class DeckList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    DeckList {
        height: 1fr;
        & > .deck-list--header { text-style: bold; color: $text-muted; }
        & > .deck-list--cursor { background: $block-cursor-background 60%; }
        &:focus > .deck-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
    }
    """
    COMPONENT_CLASSES = {"deck-list--header", "deck-list--cursor"}
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="decks.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="decks.down"),
        Binding("home", "move(-1000)", "First", show=False, id="decks.first"),
        Binding("end", "move(1000)", "Last", show=False, id="decks.last"),
        Binding("enter", "select", "Review deck", id="decks.select"),
    ]

    cursor: reactive[int] = reactive(0)

    class Highlighted(Message):
        def __init__(self, deck_list: DeckList, key: str) -> None:
            super().__init__()
            self.deck_list = deck_list
            self.key = key

        @property
        def control(self) -> DeckList:
            return self.deck_list

    class Selected(Highlighted):
        """Enter or a double click on a row."""

    def __init__(self, headers: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.headers = tuple(headers)
        self.rows: list[DeckRow] = []

    # ---- data ----------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[DeckRow], keep: str | None = None) -> None:
        """Replace the rows; the cursor stays on the row `keep` when it is still there."""
        self.rows = list(rows)
        keys = [r.key for r in self.rows]
        index = keys.index(keep) if keep in keys else min(self.cursor, max(0, len(keys) - 1))
        self.set_reactive(DeckList.cursor, index)
        self.virtual_size = Size(0, len(self.rows) + 1)
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def row(self, key: str) -> DeckRow:
        return next(r for r in self.rows if r.key == key)

    @property
    def cursor_key(self) -> str | None:
        return self.rows[self.cursor].key if 0 <= self.cursor < len(self.rows) else None

    # ---- keys and mouse ------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self, self.cursor_key))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self.scroll_to_region(Region(0, new + 1, 1, 1), animate=False)
        if self.cursor_key is not None:
            self.post_message(self.Highlighted(self, self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        index = event.y + int(self.scroll_offset.y) - 1
        if 0 <= index < len(self.rows):
            again = index == self.cursor
            self.cursor = index
            if again and event.chain >= 2:
                self.action_select()

    # ---- drawing -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = y + int(self.scroll_offset.y) - 1
        base = self.rich_style
        if y == 0 and self.scroll_offset.y == 0:
            style = base + self.get_component_rich_style("deck-list--header")
            cells = [Text(h, justify="right") for h in self.headers[1:]]
            return self._line(Text(self.headers[0]), cells, width, style)
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("deck-list--cursor")
        return self._line(row.label, list(row.counts), width, style)

    def _line(self, label: Text, counts: list[Text], width: int, style: Style) -> Strip:
        label_width = max(4, width - 2 - COUNT_WIDTH * len(counts))
        label = label.copy()
        label.truncate(label_width, overflow="ellipsis", pad=True)
        segments: list[Segment] = [Segment(" ")]
        segments += label.render(self.app.console)
        for cell in counts:
            cell = cell.copy()
            cell.truncate(COUNT_WIDTH - 1, overflow="crop")
            pad = COUNT_WIDTH - cell.cell_len
            segments.append(Segment(" " * pad))
            segments += cell.render(self.app.console)
        segments.append(Segment(" "))
        strip = Strip(segments).adjust_cell_length(width)
        return strip.apply_style(style)

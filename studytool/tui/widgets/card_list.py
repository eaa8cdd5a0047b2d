"""The browse card list: a Line API `ScrollView` that draws only the rows on screen.

The list holds indices into a `BrowseIndex`; each visible row is rendered once into a `Strip`
and kept in an `LRUCache` (as Textualize/toolong's log view does), so scrolling through
10,000 cards re-renders nothing it has drawn before. The first line is a header that stays
put while the rows scroll under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from studytool.study.cardtypes import question_text
from studytool.study.search import BrowseIndex, Status, short_interval
from studytool.study.text import t
from studytool.textsafe import visible

_HEADER = 1  # lines above the rows


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    width: int


# the header of each column, as CHROME keys
HEADERS = {
    "Status": "list_status",
    "Deck": "list_deck",
    "Card": "list_card",
    "Type": "list_type",
    "Question": "list_question",
}


def columns(width: int) -> list[Column]:
    """The columns that fit `width`; each column is followed by one space of gutter."""
    status, ctype = 6, 9
    if width >= 96:
        rest = width - 1 - (status + 1) - (ctype + 1) - 3
        deck = min(18, rest // 5)
        ident = min(30, rest // 3)
        return [
            Column("Status", status),
            Column("Deck", deck),
            Column("Card", ident),
            Column("Type", ctype),
            Column("Question", rest - deck - ident),
        ]
    if width >= 56:
        rest = width - 1 - (status + 1) - (ctype + 1) - 2
        ident = min(28, rest * 2 // 5)
        return [
            Column("Status", status),
            Column("Card", ident),
            Column("Type", ctype),
            Column("Question", rest - ident),
        ]
    return [
        Column("Status", status),
        Column("Card", max(4, width - 1 - (status + 1) - (ctype + 1) - 1)),
        Column("Type", ctype),
    ]


def _fit(text: str, width: int) -> str:
    """Exactly `width` cells (wide characters count two), with an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class CardTable(ScrollView, can_focus=True, inherit_bindings=False):
    """A list of cards with a cursor; `rows` are indices into `index.cards`."""

    DEFAULT_CSS = """
    CardTable {
        overflow-x: hidden;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-table--header",
        "card-table--cursor",
        "card-table--cursor-blurred",
        "card-table--due",
        "card-table--new",
        "card-table--learning",
        "card-table--muted",
    }
    BINDINGS: ClassVar = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Edit", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        index: int | None  # into BrowseIndex.cards

    @dataclass
    class Selected(Message):
        index: int

    def __init__(self, index: BrowseIndex, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index = index
        self.rows: list[int] = []
        self.cursor = 0
        self.lang = "en"
        self.now_ms = 0
        self._styles: dict[str, Style] = {}
        # (card, cursor look, width, language) -> the drawn row
        self._lines: LRUCache[tuple[int, str, int, str], Strip] = LRUCache(maxsize=2048)
        self._snippets: LRUCache[tuple[int, str], str] = LRUCache(maxsize=4096)

    # -- data -----------------------------------------------------------------------------

    @property
    def current(self) -> int | None:
        return self.rows[self.cursor] if self.rows else None

    def set_rows(self, rows: list[int], keep: int | None = None, force: bool = False) -> None:
        """Show `rows`; the cursor stays on card `keep` if it is still listed, else on the
        same row number. `Highlighted` is posted when the card under the cursor changes (or
        with `force`, when the cards themselves were reloaded)."""
        before = self.current
        self.rows = rows
        if keep is not None and rows:
            try:
                self.cursor = rows.index(keep)
            except ValueError:
                self.cursor = min(self.cursor, len(rows) - 1)
        else:
            self.cursor = 0
        self._update_virtual_size()
        self._show_cursor()
        self.refresh()
        if force or self.current != before:
            self.post_message(self.Highlighted(self.current))

    def invalidate(self) -> None:
        """Forget drawn rows: statuses, the language or the cards changed."""
        self._lines.clear()
        self._snippets.clear()
        self.refresh()

    def _update_virtual_size(self) -> None:
        # rows are cut to the width, so there is nothing to scroll sideways
        self.virtual_size = Size(0, len(self.rows) + _HEADER)

    # -- moving ---------------------------------------------------------------------------

    def move_to(self, row: int) -> None:
        if not self.rows:
            return
        row = max(0, min(row, len(self.rows) - 1))
        if row != self.cursor:
            self.cursor = row
            self._show_cursor()
            self.refresh()
            self.post_message(self.Highlighted(self.current))

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * self._visible_rows())

    def action_jump(self, row: int) -> None:
        self.move_to(row if row >= 0 else len(self.rows) - 1)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - _HEADER)

    def _show_cursor(self) -> None:
        """Scroll just enough to bring the cursor's row on screen."""
        top = round(self.scroll_y)
        visible = self._visible_rows()
        if self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + visible:
            top = self.cursor - visible + 1
        self.scroll_to(y=top, animate=False, force=True)

    def on_resize(self) -> None:
        self._show_cursor()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    async def on_click(self, event: events.Click) -> None:
        if event.y < _HEADER:
            return
        row = round(self.scroll_y) + event.y - _HEADER
        if 0 <= row < len(self.rows):
            self.focus()
            self.move_to(row)
            if event.chain >= 2:
                self.action_select()

    # -- drawing --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._lines.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"card-table--{name}")
        return style

    def snippet(self, i: int) -> str:
        """The question on one line, for the list (computed for the rows drawn)."""
        key = (i, self.lang)
        text = self._snippets.get(key)
        if text is None:
            text = visible(" ".join(question_text(self.index.cards[i], self.lang).split()))
            self._snippets[key] = text
        return text

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < _HEADER:
            style = self.rich_style + self._style("header")
            cells = [(t(HEADERS[c.name], self.lang), c.width) for c in columns(width)]
            return self._strip(cells, width, style, [style] * len(cells))
        row = round(self.scroll_y) + y - _HEADER
        if row >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        i = self.rows[row]
        where = "row" if row != self.cursor else "on" if self.has_focus else "blurred"
        key = (i, where, width, self.lang)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = self._render_row(i, where != "row", width)
        return line

    def _render_row(self, i: int, on_cursor: bool, width: int) -> Strip:
        card = self.index.cards[i]
        label, status_style = self._status_cell(i)
        values = {
            "Status": label,
            "Deck": card.deck,
            "Card": card.id,
            "Type": card.type.value,
            "Question": self.snippet(i),
        }
        style = self.rich_style
        if on_cursor:
            style += self._style("cursor" if self.has_focus else "cursor-blurred")
        cols = columns(width)
        extra = {"Status": status_style, "Deck": self._style("muted")}
        styles = [style + extra[c.name] if c.name in extra else style for c in cols]
        return self._strip([(values[c.name], c.width) for c in cols], width, style, styles)

    def _status_cell(self, i: int) -> tuple[str, Style]:
        st = self.index.status(i)
        card = self.index.cards[i]
        match st.status:
            case Status.SUSPENDED:
                return t("cell_susp", self.lang), self._style("muted")
            case Status.BURIED:
                return t("cell_buried", self.lang), self._style("muted")
            case _ if card.draft:
                return t("cell_draft", self.lang), self._style("muted")
            case Status.DUE:
                return t("cell_due", self.lang), self._style("due")
            case Status.NEW:
                return t("cell_new", self.lang), self._style("new")
            case Status.LEARNING:
                return t("cell_learn", self.lang), self._style("learning")
            case Status.REVIEW if st.due_ms is not None:
                return short_interval(st.due_ms - self.now_ms), Style()
        return "", Style()

    @staticmethod
    def _strip(
        cells: list[tuple[str, int]], width: int, line_style: Style, styles: list[Style]
    ) -> Strip:
        segments = [Segment(" ", line_style)]
        for (text, w), style in zip(cells, styles, strict=True):
            segments.append(Segment(_fit(text, w), style))
            segments.append(Segment(" ", line_style))
        return Strip(segments).adjust_cell_length(width, line_style)

"""Browse: every card with instant search over both languages, tags and ids; filters; preview.

The search is a list of terms, all of which must match (case-insensitive):

    attention            text anywhere: both languages, ids, tags, formula, demo, source
    optim/sgd-lr         a deck/card id
    -relu                not containing "relu"
    "layer norm"         a phrase
    deck:opt  tag:cnn  type:mcq  id:adam  is:due  is:suspended  (is: new, learning, review,
    buried, draft)

Each card gets one lowercase search string when the index is built, so a keystroke is a
substring scan (a few ms for 10,000 cards), and the list draws only its visible rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, cast

from rich.cells import cell_len, set_cell_size
from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text as RichText
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Input, Select, Static

from studytool.content.model import Card, CardType, Deck
from studytool.render import card_renderable, question_text
from studytool.store.state import LEARNING_STATES
from studytool.tui.messages import OpenEditor, ProgressChanged
from studytool.tui.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from studytool.store.repo import CardRecord
    from studytool.tui.app import StudyApp


class Status(StrEnum):
    NEW = "new"
    LEARNING = "learning"
    DUE = "due"
    REVIEW = "review"  # scheduled for a later day
    SUSPENDED = "suspended"
    BURIED = "buried"
    UNKNOWN = "unknown"  # no progress database, or the card is not in it yet


@dataclass(frozen=True, slots=True)
class CardStatus:
    status: Status
    due_ms: int | None = None


UNKNOWN = CardStatus(Status.UNKNOWN)
STATUS_NAMES = (*(s.value for s in Status if s is not Status.UNKNOWN), "draft")
FIELDS = ("deck", "tag", "type", "id", "is")
_TOKEN_RE = re.compile(r'(?:[^\s"]+|"[^"]*"?)+')  # words; a quoted part may hold spaces
_FIELD_RE = re.compile(r"([a-z]+):(.*)", re.DOTALL)


def fold(text: str) -> str:
    """The form both the search strings and the query are compared in."""
    return unicodedata.normalize("NFC", text).casefold()


def card_statuses(
    cards: Sequence[Card], records: dict[str, CardRecord], now_ms: int, day_end_ms: int
) -> list[CardStatus]:
    """One status per card. A reversed card has two progress keys; the card shows the most
    urgent of them (suspended or buried wins, then due, learning, new, scheduled)."""
    out: list[CardStatus] = []
    for card in cards:
        recs = [records.get(key) for key in card.review_keys()]
        if any(r is None for r in recs):
            out.append(UNKNOWN)
            continue
        known = cast("list[CardRecord]", recs)
        dues = [r.state.due_ms for r in known if not r.state.is_new and r.state.due_ms]
        due = min(dues) if dues else None
        if any(r.suspended for r in known):
            status = Status.SUSPENDED
        elif any(r.buried_until_ms is not None and r.buried_until_ms > now_ms for r in known):
            status = Status.BURIED
        elif due is not None and due < day_end_ms:
            status = Status.DUE
        elif any(r.state.state in LEARNING_STATES for r in known):
            status = Status.LEARNING
        elif all(r.state.is_new for r in known):
            status = Status.NEW
        else:
            status = Status.REVIEW
        out.append(CardStatus(status, due))
    return out


def short_interval(ms: int) -> str:
    """A compact "in how long": 40m, 5h, 3d, 2mo, 1.5y."""
    minutes = max(0, ms) / 60_000
    if minutes < 60:
        return f"{minutes:.0f}m"
    if minutes < 24 * 60:
        return f"{minutes / 60:.0f}h"
    days = minutes / (24 * 60)
    if days < 31:
        return f"{days:.0f}d"
    if days < 365:
        return f"{days / 30.4:.0f}mo"
    return f"{days / 365:.1f}y"


# ---- the query -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    field: str  # "" for text anywhere, else one of FIELDS
    value: str  # folded
    negated: bool = False


def parse_query(text: str) -> list[Term]:
    """Split the search box into terms; an unknown `word:` is ordinary text (`c1::` stays),
    and a field with no value yet (`tag:` while typing) matches everything."""
    terms: list[Term] = []
    for token in _TOKEN_RE.findall(fold(text)):
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        name, value = "", body
        m = _FIELD_RE.fullmatch(body)
        if m is not None and m.group(1) in FIELDS:
            name, value = m.group(1), m.group(2)
        value = value.replace('"', "")
        if value:
            terms.append(Term(name, value, negated))
    return terms


@dataclass(frozen=True, slots=True)
class Filters:
    """The drop-down filters; None means any."""

    deck: str | None = None
    tag: str | None = None
    type: str | None = None
    status: str | None = None  # a Status value or "draft"


class BrowseIndex:
    """The cards in content order with one search string each, plus their statuses."""

    def __init__(self, decks: Iterable[Deck]) -> None:
        self.cards: list[Card] = []
        self.haystacks: list[str] = []
        for deck in decks:
            for card in deck.cards:
                self.cards.append(card)
                self.haystacks.append(fold(_search_text(card)))
        self.statuses: list[CardStatus] | None = None  # None until the store is there
        self._snippets: dict[tuple[int, str], str] = {}
        # the previous search: terms, filters, result, statuses it saw
        self._last: tuple[list[Term], Filters, list[int], list[CardStatus] | None] | None = None

    def __len__(self) -> int:
        return len(self.cards)

    def position(self, full_id: str) -> int | None:
        return next((i for i, c in enumerate(self.cards) if c.full_id == full_id), None)

    def status(self, i: int) -> CardStatus:
        return self.statuses[i] if self.statuses is not None else UNKNOWN

    def snippet(self, i: int, lang: str) -> str:
        """The question on one line, for the list (computed for the rows drawn)."""
        key = (i, lang)
        text = self._snippets.get(key)
        if text is None:
            text = " ".join(question_text(self.cards[i], lang).split())
            self._snippets[key] = text
        return text

    def search(self, terms: Sequence[Term], filters: Filters = Filters()) -> list[int]:
        """Indices of the matching cards, in content order.

        Typing one more character only narrows a search, so when every positive term of the
        previous search is implied by a term of this one, only its matches are scanned; the
        "-term"s are applied last, to what is left."""
        positive = [t for t in terms if not t.negated]
        negative = [t for t in terms if t.negated]
        last = self._last
        if (
            last is not None
            and last[1] == filters
            and last[3] is self.statuses
            and _narrows(last[0], positive)
        ):
            rows = self._match(positive, None, last[2])
        else:
            rows = self._match(positive, filters, None)
        self._last = (positive, filters, rows, self.statuses)
        return self._match(negative, None, rows) if negative else rows

    def _match(
        self, terms: Sequence[Term], filters: Filters | None, within: Sequence[int] | None
    ) -> list[int]:
        """The cards of `within` (default: all) that pass `filters` and every term."""
        filters = filters or Filters()
        cards, hay = self.cards, self.haystacks
        rows: Iterable[int] = range(len(cards)) if within is None else within
        if filters.deck is not None:
            rows = [i for i in rows if cards[i].deck == filters.deck]
        if filters.tag is not None:
            rows = [i for i in rows if filters.tag in cards[i].tags]
        if filters.type is not None:
            rows = [i for i in rows if cards[i].type.value == filters.type]
        if filters.status is not None:
            rows = [i for i in rows if self._is(i, filters.status)]
        for t in terms:
            v, neg = t.value, t.negated
            match t.field:
                case "" if "/" in v:  # maybe a deck/card id
                    rows = [i for i in rows if (v in hay[i] or v in cards[i].full_id) is not neg]
                case "":
                    rows = [i for i in rows if (v in hay[i]) is not neg]
                case "deck":
                    rows = [i for i in rows if (v in cards[i].deck) is not neg]
                case "id":
                    rows = [i for i in rows if (v in cards[i].id) is not neg]
                case "tag":
                    rows = [i for i in rows if any(v in g for g in cards[i].tags) is not neg]
                case "type":
                    rows = [i for i in rows if cards[i].type.value.startswith(v) is not neg]
                case "is":
                    names = [s for s in STATUS_NAMES if s.startswith(v)]
                    rows = [i for i in rows if any(self._is(i, s) for s in names) is not neg]
        return list(rows)

    def _is(self, i: int, name: str) -> bool:
        if name == "draft":
            return self.cards[i].draft
        return self.status(i).status.value == name


def _kind(term: Term) -> str:
    # text with a "/" also matches deck/card ids, so it is a term of its own kind
    return "path" if not term.field and "/" in term.value else term.field


def _narrows(before: Sequence[Term], after: Sequence[Term]) -> bool:
    """Whether the positive terms `after` can only match a subset of what `before` matched."""
    for old in before:
        if not any(
            _kind(new) == _kind(old)
            and (
                new.value.startswith(old.value)
                if old.field in ("type", "is")
                else old.value in new.value
            )
            for new in after
        ):
            return False
    return True


def _search_text(card: Card) -> str:
    """Everything a card says, but not its deck (`deck:` filters on that), so a search for
    a word finds the cards about it rather than every card of a deck named after it."""
    parts = [card.id, card.type.value, " ".join(card.tags)]
    for text in card.texts():
        parts += (text.en, text.ko) if text.bilingual else (text.en,)
    parts += [v for v in (card.formula, card.demo, card.concept) if v]
    if card.source is not None:
        parts += [card.source.note, card.source.quote or ""]
    if card.errata is not None:
        parts.append(card.errata.quote)
    return "\n".join(parts)


# ---- the card list ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    width: int


def _fit(text: str, width: int) -> str:
    """Exactly `width` cells (wide characters count two), with an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class CardTable(Widget, can_focus=True):
    """A virtual list of cards: only the visible rows are drawn, so 10,000 rows cost nothing.

    It keeps its own scroll offset and draws its own scrollbar, so a new search result only
    redraws this widget: no layout pass, which would redraw the whole screen per keystroke.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-table--header",
        "card-table--cursor",
        "card-table--cursor-blurred",
        "card-table--due",
        "card-table--new",
        "card-table--learning",
        "card-table--muted",
        "card-table--scrollbar",
        "card-table--scrollbar-thumb",
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
    SCROLL_LINES = 3

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
        self.top = 0  # the first row shown
        self.lang = "en"
        self.now_ms = 0
        self._styles: dict[str, Style] = {}
        self._lines: dict[tuple[int, str, int, str], Strip] = {}

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
        self._show_cursor()
        self.refresh()
        if force or self.current != before:
            self.post_message(self.Highlighted(self.current))

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
        return max(1, self.size.height - 1)  # the first line is the header

    def scroll_rows(self, delta: int) -> None:
        top = max(0, min(self.top + delta, len(self.rows) - self._visible_rows()))
        if top != self.top:
            self.top = top
            self.refresh()

    def _show_cursor(self) -> None:
        visible = self._visible_rows()
        self.top = max(0, min(self.top, len(self.rows) - visible))
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + visible:
            self.top = self.cursor - visible + 1

    def on_resize(self) -> None:
        self._show_cursor()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_rows(self.SCROLL_LINES)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_rows(-self.SCROLL_LINES)

    async def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        if self._has_scrollbar() and event.x >= self.size.width - 1:
            # the scrollbar: jump to that part of the list
            share = (event.y - 1) / max(1, self._visible_rows() - 1)
            self.scroll_rows(round(share * (len(self.rows) - self._visible_rows())) - self.top)
            return
        row = self.top + event.y - 1
        if 0 <= row < len(self.rows):
            self.focus()
            self.move_to(row)
            if event.chain >= 2:
                self.action_select()

    def _has_scrollbar(self) -> bool:
        return len(self.rows) > self._visible_rows()

    # -- drawing --------------------------------------------------------------------------

    def columns(self, width: int) -> list[_Column]:
        """The columns that fit `width`; each column is followed by one space of gutter."""
        status, ctype = 6, 9
        if width >= 96:
            rest = width - 1 - (status + 1) - (ctype + 1) - 3
            deck = min(18, rest // 5)
            ident = min(30, rest // 3)
            return [
                _Column("Status", status),
                _Column("Deck", deck),
                _Column("Card", ident),
                _Column("Type", ctype),
                _Column("Question", rest - deck - ident),
            ]
        if width >= 56:
            rest = width - 1 - (status + 1) - (ctype + 1) - 2
            ident = min(28, rest * 2 // 5)
            return [
                _Column("Status", status),
                _Column("Card", ident),
                _Column("Type", ctype),
                _Column("Question", rest - ident),
            ]
        return [
            _Column("Status", status),
            _Column("Card", max(4, width - 1 - (status + 1) - (ctype + 1) - 1)),
            _Column("Type", ctype),
        ]

    def invalidate(self) -> None:
        """Forget drawn rows: statuses, the language or the cards changed."""
        self._lines.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._lines.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"card-table--{name}")
        return style

    def render_line(self, y: int) -> Strip:
        bar = self._has_scrollbar()
        width = self.size.width - bar
        if y == 0:
            style = self.rich_style + self._style("header")
            cells = [(c.name, c.width) for c in self.columns(width)]
            line = self._strip(cells, width, style, [style] * len(cells))
        else:
            row = self.top + y - 1
            if row >= len(self.rows):
                line = Strip.blank(width, self.rich_style)
            else:
                i = self.rows[row]
                where = "row" if row != self.cursor else "on" if self.has_focus else "blurred"
                key = (i, where, width, self.lang)
                line = self._lines.get(key)
                if line is None:
                    if len(self._lines) > 4096:
                        self._lines.clear()
                    line = self._lines[key] = self._render_row(i, where != "row", width)
        if not bar:
            return line
        return Strip.join([line, Strip([self._scrollbar_cell(y)], 1)])

    def _scrollbar_cell(self, y: int) -> Segment:
        """One cell of the scrollbar drawn in the last column (the header line included)."""
        height = self.size.height
        total = len(self.rows) + 1
        size = max(1, round(height * height / total))
        start = round((self.top / max(1, total - height)) * (height - size))
        thumb = start <= y < start + size
        style = self._style("scrollbar-thumb" if thumb else "scrollbar")
        return Segment("▐" if thumb else " ", style)

    def _render_row(self, i: int, on_cursor: bool, width: int) -> Strip:
        card = self.index.cards[i]
        label, status_style = self._status_cell(i)
        values = {
            "Status": label,
            "Deck": card.deck,
            "Card": card.id,
            "Type": card.type.value,
            "Question": self.index.snippet(i, self.lang),
        }
        style = self.rich_style
        if on_cursor:
            style += self._style("cursor" if self.has_focus else "cursor-blurred")
        cols = self.columns(width)
        extra = {"Status": status_style, "Deck": self._style("muted")}
        styles = [style + extra[c.name] if c.name in extra else style for c in cols]
        return self._strip([(values[c.name], c.width) for c in cols], width, style, styles)

    def _status_cell(self, i: int) -> tuple[str, Style]:
        st = self.index.status(i)
        card = self.index.cards[i]
        match st.status:
            case Status.SUSPENDED:
                return "susp", self._style("muted")
            case Status.BURIED:
                return "buried", self._style("muted")
            case _ if card.draft:
                return "draft", self._style("muted")
            case Status.DUE:
                return "due", self._style("due")
            case Status.NEW:
                return "new", self._style("new")
            case Status.LEARNING:
                return "learn", self._style("learning")
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


# ---- the screen ------------------------------------------------------------------------


class BrowseScreen(Screen[None]):
    CSS_PATH = "browse.tcss"
    TITLE = "Browse"
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (110, "-wide")]
    BINDINGS: ClassVar = [
        Binding("slash", "focus_search", "Search", id="browse.search", key_display="/"),
        Binding("e", "edit", "Edit", id="browse.edit"),
        Binding("s", "toggle_suspend", "Suspend", id="browse.suspend"),
        Binding("d", "demo", "Demo", id="browse.demo"),
        Binding("n", "new_card", "New", id="browse.new"),
        Binding("r", "toggle_raw", "LaTeX", id="browse.raw-latex"),
        Binding("ctrl+r", "clear_filters", "Clear filters", id="browse.clear", show=False),
        Binding("escape", "back", "Back", id="browse.back"),
        # from the search box, the arrows move through the list (fzf-style)
        Binding("down", "list_cursor(1)", "Next card", show=False),
        Binding("up", "list_cursor(-1)", "Previous card", show=False),
        Binding("pagedown", "list_page(1)", "Next page", show=False),
        Binding("pageup", "list_page(-1)", "Previous page", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.index = BrowseIndex(())
        self.raw_latex = False

    @property
    def study(self) -> StudyApp:
        return cast("StudyApp", self.app)

    def compose(self) -> ComposeResult:
        self.index = BrowseIndex(self.study.library.decks)
        yield TitleBar()
        with Horizontal(id="browse-bar"):
            yield Input(
                placeholder="Search: words in English or 한국어, deck: tag: type: is:due -not",
                id="browse-search",
            )
            with Horizontal(id="browse-filters"):
                yield Select[str]([], prompt="All decks", id="filter-deck", compact=True)
                yield Select[str]([], prompt="All tags", id="filter-tag", compact=True)
                yield Select[str](
                    [(t.value, t.value) for t in CardType],
                    prompt="All types",
                    id="filter-type",
                    compact=True,
                )
                yield Select[str](
                    [(name.capitalize(), name) for name in STATUS_NAMES],
                    prompt="Any status",
                    id="filter-status",
                    compact=True,
                )
        with Horizontal(id="browse-main"):
            with Vertical(id="browse-list-pane"):
                yield CardTable(self.index, id="browse-list")
                yield Static(id="browse-count")
            with VerticalScroll(id="browse-preview"):
                yield Static(id="browse-card")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self._fill_filter_options()
        self._refresh_statuses()
        table = self.query_one(CardTable)
        table.lang = self.study.lang
        self.apply_search(force=True)
        self.query_one("#browse-search", Input).focus()

    # -- searching -------------------------------------------------------------------------

    def filters(self) -> Filters:
        def value(selector: str) -> str | None:
            v = self.query_one(selector, Select).value
            return v if isinstance(v, str) else None

        return Filters(
            value("#filter-deck"),
            value("#filter-tag"),
            value("#filter-type"),
            value("#filter-status"),
        )

    def apply_search(self, keep: int | None = None, force: bool = False) -> None:
        """Filter the list; with `force` the preview is redrawn even if its card stays."""
        table = self.query_one(CardTable)
        if keep is None:
            keep = table.current
        query = self.query_one("#browse-search", Input).value
        filters = self.filters()
        rows = self.index.search(parse_query(query), filters)
        table.set_rows(rows, keep=keep, force=force)
        self._update_count()

    def _update_count(self) -> None:
        table = self.query_one(CardTable)
        total = len(self.index)
        text = RichText(f"{len(table.rows):,} of {total:,} cards", style="bold")
        broken = len(self.study.library.broken)
        if broken:
            text.append(f" · ⚠ {broken} deck file(s) failed to load", style="bold red")
        if self.index.statuses is None:
            why = "opening…" if self.study.store_pending else "no progress database"
            text.append(f" · status: {why}", style="dim")
        self.query_one("#browse-count", Static).update(text, layout=False)

    @on(Input.Changed, "#browse-search")
    def _search_changed(self) -> None:
        self.apply_search()

    @on(Input.Submitted, "#browse-search")
    def _search_submitted(self) -> None:
        self.query_one(CardTable).focus()

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.apply_search()

    def _fill_filter_options(self) -> None:
        lang = self.study.lang
        decks = self.study.library.decks
        deck_select = self.query_one("#filter-deck", Select)
        tag_select = self.query_one("#filter-tag", Select)
        deck_value, tag_value = deck_select.value, tag_select.value
        with self.prevent(Select.Changed):
            deck_select.set_options((f"{d.title.get(lang)} ({d.id})", d.id) for d in decks)
            tags = sorted({t for c in self.index.cards for t in c.tags})
            tag_select.set_options((t, t) for t in tags)
            if isinstance(deck_value, str) and any(d.id == deck_value for d in decks):
                deck_select.value = deck_value
            if isinstance(tag_value, str) and tag_value in tags:
                tag_select.value = tag_value

    # -- statuses --------------------------------------------------------------------------

    def _refresh_statuses(self) -> None:
        """Read every card's progress from the store (one query)."""
        table = self.query_one(CardTable)
        table.invalidate()
        store = self.study.store
        now = self.study.clock()
        table.now_ms = int(now.timestamp() * 1000)
        if store is None:
            self.index.statuses = None
            return
        from studytool.store.errors import StoreError

        try:
            records = store.records()
            day_end = store.today(now)[1]
        except StoreError as e:
            self.index.statuses = None
            self.notify(str(e), title="Progress database", severity="error")
            return
        self.index.statuses = card_statuses(
            self.index.cards, records, table.now_ms, int(day_end.timestamp() * 1000)
        )

    def on_store_ready(self) -> None:
        self._refresh_statuses()
        self.apply_search(force=True)

    def on_progress_changed(self) -> None:
        self._refresh_statuses()
        self.apply_search(force=True)

    def on_library_changed(self) -> None:
        table = self.query_one(CardTable)
        current = table.current
        keep_id = self.index.cards[current].full_id if current is not None else None
        self.index = BrowseIndex(self.study.library.decks)
        table.index = self.index
        self._fill_filter_options()
        self._refresh_statuses()
        self.apply_search(keep=self.index.position(keep_id) if keep_id else None, force=True)

    def _lang_changed(self) -> None:
        table = self.query_one(CardTable)
        table.lang = self.study.lang
        table.refresh()
        self._fill_filter_options()
        self._show_preview(table.current)

    # -- the preview -----------------------------------------------------------------------

    @on(CardTable.Highlighted)
    def _highlighted(self, event: CardTable.Highlighted) -> None:
        self._show_preview(event.index)

    def _show_preview(self, i: int | None) -> None:
        target = self.query_one("#browse-card", Static)
        if i is None:
            target.update(RichText("No card matches.", style="dim italic"))
            return
        target.update(self.preview(i))
        self.query_one("#browse-preview", VerticalScroll).scroll_home(animate=False)

    def preview(self, i: int) -> RenderableType:
        card = self.index.cards[i]
        lang = self.study.lang
        body = card_renderable(card, lang, reveal=True, raw_formula=self.raw_latex)
        meta = Table.grid(padding=(0, 1))
        meta.add_column(style="dim", no_wrap=True)
        meta.add_column()
        deck = self.study.deck(card.deck)
        if deck is not None:
            meta.add_row("Deck", f"{deck.title.get(lang)} ({deck.id})")
            meta.add_row("File", f"{deck.path.name}:{card.line}")
        if card.tags:
            meta.add_row("Tags", " ".join(f"#{t}" for t in card.tags))
        if card.demo:
            meta.add_row("Demo", RichText.assemble(card.demo, (" (press d)", "dim")))
        if card.concept:
            meta.add_row("Concept", card.concept)
        for key in card.review_keys():
            meta.add_row("Progress" if key == card.full_id else "Reverse", self._progress(key))
        return Group(body, meta)

    def _progress(self, key: str) -> RichText:
        store = self.study.store
        if store is None:
            return RichText("no progress database", style="dim")
        from studytool.store.errors import StoreError

        try:
            rec = store.card(key)
        except StoreError as e:
            return RichText(str(e), style="red")
        if rec is None:
            return RichText("not in the progress database yet", style="dim")
        now = self.study.clock()
        st = rec.state
        parts: list[str] = []
        if rec.suspended:
            parts.append("suspended")
        if rec.is_buried(now):
            parts.append("buried until tomorrow")
        if st.is_new:
            parts.append("new")
        else:
            parts.append(st.state.label)
            if st.due is not None:
                when = st.due.astimezone().strftime("%Y-%m-%d %H:%M")
                ms = int((st.due - now).total_seconds() * 1000)
                parts.append(f"due {when} ({f'in {short_interval(ms)}' if ms > 0 else 'now'})")
            if st.stability is not None:
                parts.append(f"stability {st.stability:.1f}d")
            if st.difficulty is not None:
                parts.append(f"difficulty {st.difficulty:.1f}")
        return RichText(" · ".join(parts))

    # -- actions ---------------------------------------------------------------------------

    def _current_card(self) -> Card | None:
        i = self.query_one(CardTable).current
        if i is None:
            self.notify("No card selected.", severity="warning")
            return None
        return self.index.cards[i]

    def action_focus_search(self) -> None:
        self.query_one("#browse-search", Input).focus()

    def action_list_cursor(self, delta: int) -> None:
        self.query_one(CardTable).action_cursor(delta)

    def action_list_page(self, direction: int) -> None:
        self.query_one(CardTable).action_page(direction)

    def action_back(self) -> None:
        search = self.query_one("#browse-search", Input)
        if search.has_focus and search.value:
            search.value = ""
            return
        self.dismiss()

    def action_clear_filters(self) -> None:
        with self.prevent(Select.Changed):
            for select in self.query(Select):
                select.clear()
        self.query_one("#browse-search", Input).value = ""
        self.apply_search()

    def action_toggle_raw(self) -> None:
        self.raw_latex = not self.raw_latex
        self._show_preview(self.query_one(CardTable).current)

    @on(CardTable.Selected)
    def action_edit(self) -> None:
        card = self._current_card()
        deck = self.study.deck(card.deck) if card else None
        if card is not None and deck is not None:
            self.post_message(OpenEditor(deck.path, card.id))

    def action_demo(self) -> None:
        card = self._current_card()
        if card is None:
            return
        if not card.demo:
            self.notify(f"{card.full_id} has no demo.", severity="warning")
            return
        self.study.action_demo(card.demo)

    def action_toggle_suspend(self) -> None:
        card = self._current_card()
        if card is None:
            return
        store = self.study.require_store()
        if store is None:
            return
        from studytool.store.errors import StoreError

        i = self.query_one(CardTable).current
        assert i is not None
        suspended = self.index.status(i).status is Status.SUSPENDED
        keys = card.review_keys()
        try:
            (store.unsuspend if suspended else store.suspend)(keys)
        except StoreError as e:
            self.notify(str(e), title="Progress database", severity="error")
            return
        self.notify(f"{'Unsuspended' if suspended else 'Suspended'} {card.full_id}")
        self._refresh_statuses()
        self.apply_search(keep=i, force=True)
        self.post_message(ProgressChanged())

    def action_new_card(self) -> None:
        card = self._current_card()
        deck = self.study.deck(card.deck) if card else None
        if deck is None:
            return

        def chosen(card_type: str | None) -> None:
            if card_type is not None:
                from studytool.tui.editor import EditorScreen

                self.app.push_screen(EditorScreen(deck.path, new_type=card_type))

        from studytool.tui.editor import CardTypePicker

        self.app.push_screen(CardTypePicker(deck.title.get(self.study.lang)), chosen)

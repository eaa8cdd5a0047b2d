"""Browse: every card with instant search over both languages, tags and ids; filters; preview.

The query language and the index are `studytool.study.search`; the list is
`widgets.card_list.CardTable`.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, Select, Static
from textual.widgets._select import SelectCurrent

from studytool.content.model import Card, CardType
from studytool.render import card_renderable
from studytool.study.search import (
    STATUS_NAMES,
    BrowseIndex,
    Filters,
    Status,
    card_statuses,
    parse_query,
    short_interval,
)
from studytool.study.text import t as tr
from studytool.textsafe import rich_text, visible
from studytool.tui.messages import OpenEditor, ProgressChanged
from studytool.tui.screens import StudyScreen
from studytool.tui.widgets.card_list import CardTable
from studytool.tui.widgets.titlebar import TitleBar


class SearchBox(Input):
    """The search box: Down and Tab leave it for the card list. Every other key is text (so
    `e`, `s`, `d` and `/` typed here are part of the query)."""

    BINDINGS: ClassVar = [
        Binding("down,tab", "screen.focus_list", "To the list", show=False),
    ]


# the filter selects and the CHROME key of each one's prompt; the fixed option lists
FILTER_PROMPTS = (
    ("filter-deck", "browse_all_decks"),
    ("filter-tag", "browse_all_tags"),
    ("filter-type", "browse_all_types"),
    ("filter-status", "browse_any_status"),
)
FIXED_FILTERS = ("filter-type", "filter-status")


def filter_options(select_id: str, lang: str) -> list[tuple[str, str]]:
    """The options of a filter whose list does not depend on the decks."""
    if select_id == "filter-type":
        return [(c.value, c.value) for c in CardType]  # the type names are the YAML's
    return [(tr(f"status.{name}", lang), name) for name in STATUS_NAMES]


class BrowseScreen(StudyScreen[None]):
    CSS_PATH = "browse.tcss"
    TITLE = "Browse"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS: ClassVar = [
        Binding("slash", "focus_search", "Search", id="browse.search", key_display="/"),
        Binding("e", "edit", "Edit", id="browse.edit"),
        Binding("s", "toggle_suspend", "Suspend", id="browse.suspend"),
        Binding("d", "demo", "Demo", id="browse.demo"),
        Binding("n", "new_card", "New", id="browse.new"),
        Binding("r", "toggle_raw", "LaTeX", id="browse.raw-latex"),
        Binding("ctrl+r", "clear_filters", "Clear filters", id="browse.clear", show=False),
        Binding("escape", "back", "Back", id="browse.back"),
        # from the search box, Up and the page keys move through the list (fzf-style); Down
        # and Tab go into it (`SearchBox`)
        Binding("up", "list_cursor(-1)", "Previous card", show=False),
        Binding("pagedown", "list_page(1)", "Next page", show=False),
        Binding("pageup", "list_page(-1)", "Previous page", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.index = BrowseIndex(())
        self.raw_latex = False

    def compose(self) -> ComposeResult:
        self.index = BrowseIndex(self.study_app.library.decks)
        yield TitleBar()
        with Horizontal(id="browse-bar"):
            lang = self.study_app.lang
            yield SearchBox(placeholder=tr("browse_search_hint", lang), id="browse-search")
            with Horizontal(id="browse-filters"):
                for select_id, prompt in FILTER_PROMPTS:
                    yield Select[str](
                        filter_options(select_id, lang) if select_id in FIXED_FILTERS else [],
                        prompt=tr(prompt, lang),
                        id=select_id,
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
        self.title = tr("title_browse", self.study_app.lang)
        self.watch(self.app, "lang", self._lang_changed, init=False)
        app = self.study_app
        self.follow(app.store_ready, self._progress_changed)
        self.follow(app.progress_changed, self._progress_changed)
        self.follow(app.library_changed, self._library_changed)
        self._fill_filter_options()
        self._refresh_statuses()
        table = self.query_one(CardTable)
        table.lang = self.study_app.lang
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
        lang = self.study_app.lang
        count = tr("browse_count", lang, shown=f"{len(table.rows):,}", all=f"{total:,}")
        text = RichText(count, style="bold")
        broken = len(self.study_app.library.broken)
        if broken:
            text.append(" · " + tr("browse_broken", lang, n=broken), style="bold red")
        if self.index.statuses is None:
            why = "browse_opening" if self.study_app.store_pending else "app_no_db"
            text.append(" · " + tr("browse_status", lang, why=tr(why, lang)), style="dim")
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
        lang = self.study_app.lang
        decks = self.study_app.library.decks
        deck_select = self.query_one("#filter-deck", Select)
        tag_select = self.query_one("#filter-tag", Select)
        deck_value, tag_value = deck_select.value, tag_select.value
        with self.prevent(Select.Changed):
            deck_select.set_options((f"{d.title.get(lang)} ({d.id})", d.id) for d in decks)
            tags = sorted({t for card_tags in self.index.tags for t in card_tags})
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
        store = self.study_app.store
        now = self.study_app.clock()
        table.now_ms = int(now.timestamp() * 1000)
        if store is None:
            self.index.statuses = None
            return
        from studytool.store.errors import StoreError
        from studytool.study.leech import leech_keys

        try:
            records = store.records()
            day_end = store.today(now)[1]
            self.index.leeches = leech_keys(store)
        except StoreError as e:
            self.index.statuses = None
            self.notify(str(e), title=tr("app_db", self.study_app.lang), severity="error")
            return
        self.index.statuses = card_statuses(
            self.index.cards, records, table.now_ms, int(day_end.timestamp() * 1000)
        )

    def _progress_changed(self) -> None:
        self._refresh_statuses()
        self.apply_search(force=True)

    def _library_changed(self) -> None:
        table = self.query_one(CardTable)
        current = table.current
        keep_id = self.index.cards[current].full_id if current is not None else None
        self.index = BrowseIndex(self.study_app.library.decks)
        table.index = self.index
        self._fill_filter_options()
        self._refresh_statuses()
        self.apply_search(keep=self.index.position(keep_id) if keep_id else None, force=True)

    def _lang_changed(self) -> None:
        lang = self.study_app.lang
        self.title = tr("title_browse", lang)
        self.query_one("#browse-search", Input).placeholder = tr("browse_search_hint", lang)
        table = self.query_one(CardTable)
        table.lang = lang
        table.refresh()
        with self.prevent(Select.Changed):
            for select_id, prompt in FILTER_PROMPTS:
                select = self.query_one(f"#{select_id}", Select)
                select.prompt = tr(prompt, lang)
                # the closed select keeps the prompt it was made with: told here
                select.query_one(SelectCurrent).placeholder = select.prompt
                if select_id in FIXED_FILTERS:  # the list in the new language, value kept
                    value = select.value
                    select.set_options(filter_options(select_id, lang))
                    if isinstance(value, str):
                        select.value = value
        self._fill_filter_options()  # the deck and tag lists, their values kept
        for select in self.query(Select):
            if select.is_blank():
                select.query_one(SelectCurrent).update(Select.NULL)
        self._update_count()
        self._show_preview(table.current)

    # -- the preview -----------------------------------------------------------------------

    @on(CardTable.Highlighted)
    def _highlighted(self, event: CardTable.Highlighted) -> None:
        self._show_preview(event.index)

    def _show_preview(self, i: int | None) -> None:
        target = self.query_one("#browse-card", Static)
        if i is None:
            target.update(RichText(tr("browse_no_match", self.study_app.lang), style="dim italic"))
            return
        target.update(self.preview(i))
        self.query_one("#browse-preview", VerticalScroll).scroll_home(animate=False)

    def preview(self, i: int) -> RenderableType:
        card = self.index.cards[i]
        lang = self.study_app.lang
        body = card_renderable(card, lang, reveal=True, raw_formula=self.raw_latex)
        meta = Table.grid(padding=(0, 1))
        meta.add_column(style="dim", no_wrap=True)
        meta.add_column()
        deck = self.study_app.deck(card.deck)
        if deck is not None:
            meta.add_row(tr("meta_deck", lang), rich_text(f"{deck.title.get(lang)} ({deck.id})"))
            meta.add_row(tr("meta_file", lang), rich_text(f"{deck.path.name}:{card.line}"))
        if tags := self.index.tags[i]:
            meta.add_row(tr("meta_tags", lang), rich_text(" ".join(f"#{t}" for t in tags)))
        if card.demo:
            press = (f" ({tr('meta_press_d', lang)})", "dim")
            meta.add_row(tr("meta_demo", lang), RichText.assemble(visible(card.demo), press))
        if card.concept:
            meta.add_row(tr("concept", lang), rich_text(card.concept))
        for key in card.review_keys():
            which = "meta_progress" if key == card.full_id else "meta_reverse"
            meta.add_row(tr(which, lang), self._progress(key))
        return Group(body, meta)

    def _progress(self, key: str) -> RichText:
        store = self.study_app.store
        lang = self.study_app.lang
        if store is None:
            return RichText(tr("app_no_db", lang), style="dim")
        from studytool.store.errors import StoreError

        try:
            rec = store.card(key)
        except StoreError as e:
            return RichText(str(e), style="red")
        if rec is None:
            return RichText(tr("meta_not_in_db", lang), style="dim")
        now = self.study_app.clock()
        st = rec.state
        parts: list[str] = []
        if rec.suspended:
            parts.append(tr("leech_suspended", lang))
        if rec.is_buried(now):
            parts.append(tr("meta_buried", lang))
        if st.is_new:
            parts.append(tr("new", lang))
        else:
            parts.append(st.state.label)
            if st.due is not None:
                when = st.due.astimezone().strftime("%Y-%m-%d %H:%M")
                ms = int((st.due - now).total_seconds() * 1000)
                soon = tr("meta_in", lang, t=short_interval(ms)) if ms > 0 else tr("meta_now", lang)
                parts.append(tr("meta_due", lang, when=when, soon=soon))
            if st.stability is not None:
                parts.append(tr("meta_stability", lang, days=f"{st.stability:.1f}"))
            if st.difficulty is not None:
                parts.append(tr("meta_difficulty", lang, d=f"{st.difficulty:.1f}"))
        return RichText(" · ".join(parts))

    # -- actions ---------------------------------------------------------------------------

    def _current_card(self) -> Card | None:
        i = self.query_one(CardTable).current
        if i is None:
            self.notify(tr("browse_no_card", self.study_app.lang), severity="warning")
            return None
        return self.index.cards[i]

    def action_focus_search(self) -> None:
        self.query_one("#browse-search", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one(CardTable).focus()

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
        deck = self.study_app.deck(card.deck) if card else None
        if card is not None and deck is not None:
            self.post_message(OpenEditor(deck.path, card.id))

    def action_demo(self) -> None:
        card = self._current_card()
        if card is None:
            return
        if not card.demo:
            self.notify(tr("no_demo", self.study_app.lang, card=card.full_id), severity="warning")
            return
        self.study_app.action_demo(card.demo)

    def action_toggle_suspend(self) -> None:
        card = self._current_card()
        if card is None:
            return
        store = self.study_app.require_store()
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
            self.notify(str(e), title=tr("app_db", self.study_app.lang), severity="error")
            return
        done = "browse_unsuspended" if suspended else "browse_suspended"
        self.notify(tr(done, self.study_app.lang, card=card.full_id))
        self._refresh_statuses()
        self.apply_search(keep=i, force=True)
        self.post_message(ProgressChanged())

    def action_new_card(self) -> None:
        card = self._current_card()
        deck = self.study_app.deck(card.deck) if card else None
        if deck is None:
            return

        def chosen(card_type: str | None) -> None:
            if card_type is not None:
                self.study_app.open_editor(deck.path, new_type=card_type)

        from studytool.tui.dialogs import CardTypePicker

        self.app.push_screen(CardTypePicker(deck.title.get(self.study_app.lang)), chosen)

"""The Textual app."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from studytool.config import Settings
from studytool.content.library import load_library
from studytool.content.model import LoadResult


class StudyApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "studytool"
    BINDINGS = [
        Binding("l", "toggle_lang", "English/한국어", id="toggle-lang"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(self, settings: Settings, library: LoadResult | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.library = library if library is not None else load_library(settings.content_dirs)
        self.lang = settings.lang

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="decks", cursor_type="row", zebra_stripes=True)
        yield Static(id="summary")
        yield Footer()

    def on_mount(self) -> None:
        self.fill_decks()
        if self.library.problems:
            self.notify(
                f"{len(self.library.problems)} problem(s) in"
                f" {len(self.library.broken)} deck file(s); run `studytool check`",
                severity="error",
                timeout=8,
            )

    def fill_decks(self) -> None:
        table = self.query_one("#decks", DataTable)
        table.clear(columns=True)
        table.add_columns("Deck", "Title", "Cards", "Quiz")
        for deck in self.library.decks:
            quiz = sum(c.type.is_quiz for c in deck.cards)
            table.add_row(deck.id, deck.title.get(self.lang), len(deck.cards), quiz, key=deck.id)
        for name, count in self.library.broken.items():
            table.add_row(name, f"⚠ {count} error(s)", "", "", key=f"broken:{name}")
        total = sum(len(d.cards) for d in self.library.decks)
        self.query_one("#summary", Static).update(
            f"{len(self.library.decks)} decks · {total} cards"
        )

    def action_toggle_lang(self) -> None:
        self.lang = "ko" if self.lang == "en" else "en"
        self.fill_decks()


def run_app(settings: Settings) -> None:
    StudyApp(settings).run()

"""Messages shared by the screens of the TUI.

The app broadcasts the library/store ones to every screen on the stack (`StudyApp.broadcast`),
so a screen reacts by defining `on_library_changed`, `on_store_ready` or `on_progress_changed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message


@dataclass
class LibraryChanged(Message):
    """Decks were reloaded from disk (`StudyApp.library` is a new LoadResult)."""


@dataclass
class StoreReady(Message):
    """The progress store finished opening (or failed: `StudyApp.store` is then None)."""


@dataclass
class ProgressChanged(Message):
    """Grades, undo, bury or suspend changed what is due: counts should be refreshed."""


@dataclass
class CardEdited(Message):
    """A card (`deck/id`) was saved by the editor."""

    full_id: str


@dataclass
class OpenEditor(Message):
    """Ask the app to open the editor on a deck file, at a card when `card_id` is given."""

    path: Path
    card_id: str | None = None

"""Messages a screen posts to the app (they bubble up to it).

`ProgressChanged` and `CardEdited` report a change; the app publishes it on its signals
(`StudyApp.progress_changed`, `StudyApp.card_edited`), which the screens follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message


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

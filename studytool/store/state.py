"""The FSRS state of a card as stored in `cards.state` and `revlog.state_before`.

Light on purpose (no fsrs import): screens compare states without loading the scheduler.
"""

from __future__ import annotations

from enum import IntEnum


class FsrsState(IntEnum):
    """fsrs.State (LEARNING, REVIEW, RELEARNING share its values) plus NEW: never reviewed."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3

    @property
    def label(self) -> str:
        """'new', 'learning', 'review' or 'relearning' (stats and JSON output use these)."""
        return self.name.lower()


# due cards of these states go to the learning part of the queue
LEARNING_STATES = (FsrsState.LEARNING, FsrsState.RELEARNING)

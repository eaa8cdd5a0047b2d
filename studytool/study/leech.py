"""Leeches: cards that keep being forgotten, found from the review log (no UI).

A lapse is an Again on a card in the FSRS Review state, in review mode (a failed learning step
or a cram or quiz answer is not one). A review key with `Settings.leech_threshold` lapses or
more is a leech: Browse finds it with `is:leech`. When a grade brings a card to the threshold
(and again every half threshold after, as Anki does) the review says so and, with
`leech_action = "suspend"` (the default), the card is suspended until it is rewritten or
unsuspended.

    leech = after_grade(store, item.card, result)   # None, or the leech just found
    after_undo(store, item.card, result)            # undoing that lapse unsuspends it
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from studytool.store.repo import GradeResult, Mode
from studytool.store.scheduler import Rating
from studytool.store.state import FsrsState

if TYPE_CHECKING:
    from studytool.content.model import Card
    from studytool.store.repo import Store


@dataclass(frozen=True, slots=True)
class Leech:
    key: str  # the review key that lapsed
    card: Card
    lapses: int
    suspended: bool  # every review key of the card was suspended


def is_lapse(result: GradeResult) -> bool:
    return (
        result.mode is Mode.REVIEW
        and result.rating is Rating.Again
        and result.before.state == FsrsState.REVIEW
    )


def leech_due(lapses: int, threshold: int) -> bool:
    """Whether this many lapses calls for the intervention: at the threshold, then every
    half threshold (8, 12, 16, ... for 8)."""
    return lapses >= threshold and (lapses - threshold) % max(1, threshold // 2) == 0


def after_grade(store: Store, card: Card, result: GradeResult) -> Leech | None:
    """Call after each grade: the leech the grade made (and acted on), or None."""
    if not is_lapse(result):
        return None
    lapses = store.lapses(result.key)
    if not leech_due(lapses, store.settings.leech_threshold):
        return None
    suspend = store.settings.leech_action == "suspend"
    if suspend:
        store.suspend(card.review_keys())
    return Leech(result.key, card, lapses, suspend)


def after_undo(store: Store, card: Card, undone: GradeResult) -> bool:
    """Call after undoing `undone`: when that grade was the lapse that suspended a leech, the
    card comes back into the reviews. Returns whether it was unsuspended."""
    settings = store.settings
    if not is_lapse(undone) or settings.leech_action != "suspend":
        return False
    if not leech_due(store.lapses(undone.key) + 1, settings.leech_threshold):
        return False
    return store.unsuspend(card.review_keys()) > 0


def leech_keys(store: Store) -> frozenset[str]:
    """The review keys that are leeches now (lapses at or over the threshold)."""
    threshold = store.settings.leech_threshold
    return frozenset(k for k, n in store.lapse_counts().items() if n >= threshold)

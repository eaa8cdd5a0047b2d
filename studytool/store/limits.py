"""The daily load, Anki's model: a total of new cards a day across all decks, each deck's own
new-card sub-limit, and a cap on review cards a day. The queue and the statistics both count
with these, so Home, the queue, `studytool stats` and the Stats screen agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studytool.config import Settings


@dataclass(frozen=True, slots=True)
class DailyLimits:
    new_total: int = 20  # first reviews a study day, all decks together
    new_per_deck: int = 20  # and at most this many in any one deck
    reviews: int = 200  # reviews of cards in the Review state a study day

    @classmethod
    def of(cls, settings: Settings, new_per_day: int | None = None) -> DailyLimits:
        """The limits of `settings`; `new_per_day` overrides the total (and the deck limit)."""
        if new_per_day is not None:
            return cls(new_per_day, new_per_day, settings.reviews_per_day)
        return cls(settings.new_per_day, settings.new_per_deck, settings.reviews_per_day)

    def new_left(self, new_today: Mapping[str, int]) -> int:
        """New cards still allowed today, all decks together."""
        return max(0, self.new_total - sum(new_today.values()))

    def deck_new_left(self, deck: str, new_today: Mapping[str, int]) -> int:
        return max(0, self.new_per_deck - new_today.get(deck, 0))

    def reviews_left(self, reviews_today: int) -> int:
        return max(0, self.reviews - reviews_today)

    def new_offered(self, available: Mapping[str, int], new_today: Mapping[str, int]) -> int:
        """How many new cards today's queue offers, given the new cards each deck has."""
        per_deck = sum(min(n, self.deck_new_left(d, new_today)) for d, n in available.items())
        return min(per_deck, self.new_left(new_today))

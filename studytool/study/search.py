"""The browse query language and the card index it searches (no UI).

A query is a list of terms, all of which must match (case-insensitive):

    attention            text anywhere: both languages, ids, tags, formula, demo, source
    optim/sgd-lr         a deck/card id
    -relu                not containing "relu"
    "layer norm"         a phrase
    deck:opt  tag:cnn  type:mcq  id:adam  is:due  is:suspended  (is: new, learning, review,
    buried, draft, leech)

`tag:` and the tag filter see a card's own tags and its deck's. Results with words in them
are ranked: cards whose id holds the words first, then those whose question does, each group
in content order.

Each card gets one lowercase search string when the index is built, so a keystroke is a
substring scan (a few ms for 10,000 cards), and typing one more character scans only the
previous matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, cast

from studytool.content.model import Card, Deck
from studytool.store.state import LEARNING_STATES

if TYPE_CHECKING:
    from studytool.store.repo import CardRecord


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
STATUS_NAMES = (*(s.value for s in Status if s is not Status.UNKNOWN), "draft", "leech")
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
        self.tags: list[tuple[str, ...]] = []  # the card's tags, then its deck's
        for deck in decks:
            for card in deck.cards:
                self.cards.append(card)
                self.haystacks.append(fold(_search_text(card)))
                self.tags.append(tuple(dict.fromkeys((*card.tags, *deck.tags))))
        # what ranking looks at, folded when a search first needs it
        self._ids: list[str] | None = None
        self._fronts: list[str] | None = None
        self.statuses: list[CardStatus] | None = None  # None until the store is there
        # review keys with too many lapses (`study.leech.leech_keys`); set with the statuses
        self.leeches: frozenset[str] = frozenset()
        # the previous search: terms, filters, result, statuses and leeches it saw
        self._last: (
            tuple[list[Term], Filters, list[int], list[CardStatus] | None, frozenset[str]] | None
        ) = None

    def __len__(self) -> int:
        return len(self.cards)

    def position(self, full_id: str) -> int | None:
        return next((i for i, c in enumerate(self.cards) if c.full_id == full_id), None)

    def status(self, i: int) -> CardStatus:
        return self.statuses[i] if self.statuses is not None else UNKNOWN

    def search(self, terms: Sequence[Term], filters: Filters = Filters()) -> list[int]:
        """Indices of the matching cards, ranked (`rank`).

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
            and last[4] is self.leeches
            and _narrows(last[0], positive)
        ):
            rows = self._match(positive, None, last[2])
        else:
            rows = self._match(positive, filters, None)
        self._last = (positive, filters, rows, self.statuses, self.leeches)
        return self.rank(self._match(negative, None, rows) if negative else rows, positive)

    def rank(self, rows: list[int], terms: Sequence[Term]) -> list[int]:
        """Order matches by relevance to the text terms: each term found in the card's id
        scores 0, in its question (either language) 1, elsewhere 2; lower sums first, ties in
        content order. Without text terms the content order stays."""
        words = [t.value for t in terms if not t.field]
        if not words:
            return rows
        if self._ids is None or self._fronts is None:
            self._ids = [fold(c.full_id) for c in self.cards]
            self._fronts = [fold(f"{c.prompt.en}\n{c.prompt.ko}") for c in self.cards]
        ids, fronts = self._ids, self._fronts

        def score(i: int) -> int:
            return sum(0 if w in ids[i] else 1 if w in fronts[i] else 2 for w in words)

        return sorted(rows, key=lambda i: (score(i), i))

    def _match(
        self, terms: Sequence[Term], filters: Filters | None, within: Sequence[int] | None
    ) -> list[int]:
        """The cards of `within` (default: all) that pass `filters` and every term."""
        filters = filters or Filters()
        cards, hay, tags = self.cards, self.haystacks, self.tags
        rows: Iterable[int] = range(len(cards)) if within is None else within
        if filters.deck is not None:
            rows = [i for i in rows if cards[i].deck == filters.deck]
        if filters.tag is not None:
            rows = [i for i in rows if filters.tag in self.tags[i]]
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
                    rows = [i for i in rows if any(v in g for g in tags[i]) is not neg]
                case "type":
                    rows = [i for i in rows if cards[i].type.value.startswith(v) is not neg]
                case "is":
                    names = [s for s in STATUS_NAMES if s.startswith(v)]
                    rows = [i for i in rows if any(self._is(i, s) for s in names) is not neg]
        return list(rows)

    def _is(self, i: int, name: str) -> bool:
        if name == "draft":
            return self.cards[i].draft
        if name == "leech":
            return any(key in self.leeches for key in self.cards[i].review_keys())
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

"""SQL fragments that several store modules share, so a query means the same everywhere."""

from __future__ import annotations

from studytool.store.state import FsrsState

# the FSRS fields of a card, in the order of CardState.columns()
STATE_COLS = "state, step, stability, difficulty, due_ms, last_review_ms"
# the same fields as logged before each review (exact undo)
BEFORE_COLS = (
    "state_before, step_before, stability_before, difficulty_before,"
    " due_before_ms, last_review_before_ms"
)
# parameters: the CardState.columns() values, then cards.id
SET_STATE = (
    "UPDATE cards SET state=?, step=?, stability=?, difficulty=?, due_ms=?, last_review_ms=?"
    " WHERE id=?"
)


def available(alias: str = "") -> str:
    """Cards the queue may show: not suspended, orphaned or buried. One parameter: now (ms).
    `alias` qualifies the columns ("c" for `cards c`)."""
    p = f"{alias}." if alias else ""
    return (
        f"{p}suspended=0 AND {p}orphaned=0"
        f" AND ({p}buried_until_ms IS NULL OR {p}buried_until_ms<=?)"
    )


# deck -> new cards first reviewed since the parameter (ms). CROSS JOIN fixes the join
# order: the log lines since then first, not every card.
NEW_SINCE_BY_DECK = (
    "SELECT c.deck, count(*) FROM revlog r CROSS JOIN cards c ON c.id=r.card_id"
    f" WHERE r.time_ms>=? AND r.mode='review' AND r.state_before={FsrsState.NEW}"
    " GROUP BY c.deck"
)
# what the aggregate tables kept by triggers must hold, computed from the log
REVIEW_QUARTERS_FROM_LOG = "SELECT time_ms / 900000, count(*) FROM revlog GROUP BY 1"
DECK_RETENTION_FROM_LOG = (
    "SELECT c.deck, count(*), sum(r.rating > 1) FROM revlog r JOIN cards c ON c.id = r.card_id"
    f" WHERE r.state_before = {FsrsState.REVIEW} AND r.mode = 'review' GROUP BY c.deck"
)
# reviews of cards in the Review state since the parameter (ms): what the daily review cap counts
REVIEWS_SINCE = (
    "SELECT count(*) FROM revlog"
    f" WHERE time_ms>=? AND mode='review' AND state_before={FsrsState.REVIEW}"
)
# a lapse, FSRS-aware: Again on a card that was in the Review state (not a learning step),
# in review mode (cram and quiz answers leave the schedule alone); revlog aliased `r`
LAPSE = f"r.mode='review' AND r.state_before={FsrsState.REVIEW} AND r.rating=1"

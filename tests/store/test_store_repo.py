"""The store: grading, exact undo, cram/quiz logging, bury/suspend, orphans, sessions."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from storekit import NOW, make_card, make_deck

from studytool.config import Settings
from studytool.store.errors import StoreError, UnknownCardError
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import CardState, Rating, to_ms
from studytool.store.state import FsrsState


def _revlog(store: Store) -> list[tuple]:
    return store._read("SELECT card_id, time_ms, rating, mode, duration_ms, session_id FROM revlog")


def test_sync_registers_every_review_key(store: Store) -> None:
    cards = [make_card("d", "a"), make_card("d", "b", reversed_=True)]
    result = store.sync(cards, now=NOW)
    assert result.added == ("d/a", "d/b", "d/b@rev")
    assert store.sync(cards, now=NOW).added == ()
    rec = store.card("d/b@rev")
    assert rec is not None and rec.deck == "d" and rec.state.is_new


def test_grade_is_committed_and_visible_to_another_connection(
    store: Store, settings: Settings
) -> None:
    store.sync([make_card("d", "a")], now=NOW)
    res = store.grade("d/a", Rating.Good, NOW, duration_ms=3200)
    assert res.before.is_new and res.after.state is FsrsState.LEARNING
    assert res.interval == timedelta(minutes=10)
    with Store.open(settings, now=NOW, tz=UTC) as other:
        rec = other.card("d/a")
        assert rec is not None and rec.state == res.after
        row = other._read("SELECT rating, mode, duration_ms, sched, state_before FROM revlog")
        assert row == [(3, "review", 3200, store.scheduler.version, 0)]


def test_undo_restores_the_exact_previous_state(store: Store) -> None:
    store.sync([make_card("d", "a")], now=NOW)
    states = [store.card("d/a").state]  # type: ignore[union-attr]
    t = NOW
    for r in [Rating.Good, Rating.Good, Rating.Again, Rating.Hard, Rating.Easy]:
        store.grade("d/a", r, t)
        states.append(store.card("d/a").state)  # type: ignore[union-attr]
        t += timedelta(days=3, minutes=7, milliseconds=123)
    assert len(_revlog(store)) == 5
    for expected in reversed(states[:-1]):
        undone = store.undo()
        assert undone is not None and undone.key == "d/a"
        assert store.card("d/a").state == expected  # type: ignore[union-attr]
    assert _revlog(store) == []
    assert store.undo() is None
    assert not store.can_undo


def test_undo_refuses_when_another_window_graded_since(store: Store, settings: Settings) -> None:
    store.sync([make_card("d", "a")], now=NOW)
    store.grade("d/a", Rating.Good, NOW)
    with Store.open(settings, now=NOW, tz=UTC) as other:
        other.grade("d/a", Rating.Good, NOW + timedelta(minutes=11))
    with pytest.raises(StoreError, match="reviewed again"):
        store.undo()
    assert len(_revlog(store)) == 2


@pytest.mark.parametrize("mode", [Mode.CRAM, Mode.QUIZ])
def test_cram_and_quiz_are_logged_without_touching_fsrs(store: Store, mode: Mode) -> None:
    store.sync([make_card("d", "a")], now=NOW)
    store.grade("d/a", Rating.Good, NOW)
    before = store.card("d/a").state  # type: ignore[union-attr]
    res = store.grade("d/a", Rating.Again, NOW + timedelta(minutes=1), mode=mode)
    assert res.after == res.before == before and res.interval is None
    assert store.card("d/a").state == before  # type: ignore[union-attr]
    assert [r[3] for r in _revlog(store)] == ["review", mode.value]
    store.undo()
    assert [r[3] for r in _revlog(store)] == ["review"]
    assert store.card("d/a").state == before  # type: ignore[union-attr]


def test_grade_unknown_card_raises(store: Store) -> None:
    with pytest.raises(UnknownCardError):
        store.grade("d/nope", Rating.Good, NOW)
    with pytest.raises(UnknownCardError):
        store.preview("d/nope", NOW)


def test_preview_matches_grade(store: Store) -> None:
    store.sync([make_card("d", "a")], now=NOW)
    t = NOW
    for _ in range(4):
        preview = store.preview("d/a", t)
        res = store.grade("d/a", Rating.Good, t)
        assert res.interval == preview[Rating.Good]
        t = res.after.due + timedelta(days=1)  # type: ignore[operator]


def test_orphans_keep_history_and_come_back(store: Store) -> None:
    a, b = make_card("d", "a"), make_card("d", "b")
    store.sync([a, b], now=NOW)
    store.grade("d/b", Rating.Good, NOW)
    state = store.card("d/b").state  # type: ignore[union-attr]
    res = store.sync([a], now=NOW)
    assert res.orphaned == ("d/b",)
    assert store.orphans() == [("d/b", 1)]
    assert store.card("d/b").orphaned  # type: ignore[union-attr]
    res = store.sync([a, b], now=NOW)
    assert res.restored == ("d/b",)
    rec = store.card("d/b")
    assert rec is not None and not rec.orphaned and rec.state == state


def test_deck_keys_and_answer_counts(store: Store) -> None:
    store.sync([make_card("d", "a", reversed_=True), make_card("d", "b"), make_card("e", "a")])
    store.sync([make_card("d", "a", reversed_=True), make_card("e", "a")], now=NOW)  # d/b orphaned
    assert sorted(store.deck_keys("d")) == ["d/a", "d/a@rev", "d/b"]
    assert store.deck_keys("nope") == []
    store.grade("d/a", Rating.Again, NOW)
    store.grade("d/a", Rating.Good, NOW + timedelta(minutes=1), mode=Mode.QUIZ)
    store.grade("e/a", Rating.Again, NOW, mode=Mode.CRAM)
    assert store.answer_counts() == {"d/a": (2, 1), "e/a": (1, 1)}


def test_sync_skip_decks_keeps_a_broken_deck(store: Store) -> None:
    store.sync([make_card("d", "a"), make_card("e", "a")], now=NOW)
    res = store.sync([make_card("d", "a")], skip_decks=["e"], now=NOW)
    assert res.orphaned == ()


def test_edited_text_keeps_progress(store: Store) -> None:
    store.sync([make_card("d", "a")], now=NOW)
    store.grade("d/a", Rating.Easy, NOW)
    state = store.card("d/a").state  # type: ignore[union-attr]
    edited = make_card("d", "a", tags=("new-tag",))
    assert store.sync([edited], now=NOW).added == ()
    assert store.card("d/a").state == state  # type: ignore[union-attr]


def test_bury_until_next_day_start_and_suspend(store: Store) -> None:
    store.sync(make_deck("d", 3), now=NOW)
    assert store.bury(["d/c000"], NOW) == 1
    rec = store.card("d/c000")
    # the study day starting 2026-03-02 04:00 UTC ends the next day at 04:00
    assert rec is not None and rec.buried_until_ms == to_ms(NOW.replace(hour=4) + timedelta(days=1))
    assert rec.is_buried(NOW) and not rec.is_buried(NOW + timedelta(hours=16))
    assert store.unbury("d/c000") == 1
    assert store.suspend("d/c001") == 1 and store.card("d/c001").suspended  # type: ignore[union-attr]
    assert store.unsuspend(["d/c001"]) == 1 and not store.card("d/c001").suspended  # type: ignore[union-attr]
    assert store.suspend(["d/unknown"]) == 0


def test_sessions_are_recorded_with_their_reviews(store: Store) -> None:
    store.sync([make_card("d", "a")], now=NOW)
    sid = store.start_session(Mode.CRAM, NOW, decks=["d"], tags=["x"])
    store.grade("d/a", Rating.Good, NOW, mode=Mode.CRAM, session_id=sid)
    store.end_session(sid, NOW + timedelta(minutes=5))
    row = store._read("SELECT started_ms, ended_ms, mode, filter FROM sessions WHERE id=?", (sid,))
    assert row == [(to_ms(NOW), to_ms(NOW) + 300_000, "cram", '{"decks": ["d"], "tags": ["x"]}')]
    assert _revlog(store)[0][5] == sid


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(StoreError), store.transaction() as con:
        con.execute(
            "INSERT INTO revlog (card_id, time_ms, rating, mode, sched, state_before)"
            " VALUES (999, 0, 3, 'review', 'x', 0)"
        )


def test_pragmas(store: Store) -> None:
    assert store._read("PRAGMA journal_mode") == [("wal",)]
    assert store._read("PRAGMA foreign_keys") == [(1,)]
    assert store._read("PRAGMA busy_timeout")[0][0] >= 5000


def test_two_stores_in_one_process_never_lose_an_update(settings: Settings) -> None:
    a = Store.open(settings, now=NOW, tz=UTC)
    b = Store.open(settings, now=NOW, tz=UTC)
    a.sync([make_card("d", "x")], now=NOW)
    a.grade("d/x", Rating.Good, NOW)
    b.grade("d/x", Rating.Good, NOW + timedelta(minutes=10))
    rows = a._read("SELECT time_ms, last_review_before_ms FROM revlog ORDER BY id")
    assert rows[1][1] == rows[0][0]  # the second grade started from the first one's result
    a.close()
    b.close()


def test_card_state_columns_round_trip() -> None:
    s = CardState(FsrsState.REVIEW, None, 0.0, 5.5, 10, 5)
    assert CardState(*s.columns()) == s
    back = CardState.from_columns(s.columns())
    assert back == s and back.state is FsrsState.REVIEW

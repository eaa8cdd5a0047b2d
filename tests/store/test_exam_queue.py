"""While an exam plan is active the queue follows it: its reviews (due or not) and its new
cards for the decks it covers; the other decks keep their own limits. After the date the
plan no longer steers the queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from storekit import NOW, make_deck

from studytool.config import ExamSettings, SchedulerSettings
from studytool.store.repo import Store
from studytool.store.scheduler import Rating
from studytool.study.exam import exam_status, plan_store
from studytool.study.queue import Kind, build_queue


def test_the_queue_follows_the_active_plan(store: Store) -> None:
    cards = make_deck("a", 30) + make_deck("b", 5)
    store.sync(cards, now=NOW)
    # a card in deck a, reviewed Easy yesterday: not due for a week
    store.grade("a/c000", Rating.Easy, NOW - timedelta(days=1))
    rec = store.card("a/c000")
    assert rec is not None and rec.state.due_ms is not None
    assert not any(i.key == "a/c000" for i in build_queue(store, cards, NOW))
    # an exam on deck a in 5 days with a 0.97 target: its recall would fall short on the
    # date and it is not due before, so the plan pulls it in (the one such card: today)
    exam = ExamSettings(NOW.date() + timedelta(days=5), ("a",), 30, 0.97)
    store.settings = replace(store.settings, exam=exam)
    plan = plan_store(store, cards, NOW, exam)
    queue = build_queue(store, cards, NOW)
    reviews = [i.key for i in queue if i.kind is Kind.REVIEW]
    assert reviews == list(plan.today_reviews)
    new = [i.key for i in queue if i.kind is Kind.NEW]
    assert [k for k in new if k.startswith("a/")] == list(plan.today_new)
    assert len(plan.today_new) != 20  # the plan's number, not the daily limit
    assert [k for k in new if k.startswith("b/")] == [f"b/c{i:03d}" for i in range(5)]
    assert "a/c000" in reviews
    store.grade("a/c000", Rating.Good, NOW)  # once reviewed today, it leaves the queue
    assert "a/c000" not in [i.key for i in build_queue(store, cards, NOW)]
    status = exam_status(store, cards, NOW)
    assert status is not None and status.days_left == 5 and not status.ended
    assert status.expected_recall is not None and 0 <= status.expected_recall <= 1


def test_the_plan_ends_on_the_date(store: Store) -> None:
    cards = make_deck("a", 30)
    store.sync(cards, now=NOW)
    store.settings = replace(store.settings, exam=ExamSettings(NOW.date(), (), 5, 0.9))
    queue = build_queue(store, cards, NOW)
    assert sum(1 for i in queue if i.kind is Kind.NEW) == 20  # the daily limits again
    status = exam_status(store, cards, NOW)
    assert status is not None and status.ended and status.days_left == 0


def test_the_plan_uses_the_learners_retention(store: Store) -> None:
    cards = make_deck("a", 3)
    store.sync(cards, now=NOW)
    exam = ExamSettings(NOW.date() + timedelta(days=5), (), 30, 0.9)
    store.settings = replace(
        store.settings, exam=exam, scheduler=SchedulerSettings(desired_retention=0.8)
    )
    plan = plan_store(store, cards, NOW, exam)
    assert plan.met and plan.cards == 3 and plan.new_cards == 3

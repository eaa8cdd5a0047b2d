"""A change of desired retention applies at once (cards in review get the new interval through
fsrs) and is part of the log, so every machine that has the same events agrees."""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from fsrs import Scheduler
from storekit import NOW, make_deck, make_settings

from studytool.config import SchedulerSettings
from studytool.store.eventlog import event_id
from studytool.store.gitsync import sync
from studytool.store.replay import apply_log, check_log, rebuild, state_hash
from studytool.store.repo import Store
from studytool.store.scheduler import DAY_MS, Rating, fuzz_range
from studytool.store.state import FsrsState

CARDS = make_deck("r", 30)
KEYS = [c.review_keys()[0] for c in CARDS]


def _open(data: Path, retention: float = 0.9) -> Store:
    sched = SchedulerSettings(desired_retention=retention)
    store = Store.open(make_settings(data, scheduler=sched), now=NOW, tz=UTC)
    store.sync(CARDS, now=NOW)
    return store


def _learn(store: Store) -> None:
    for i, key in enumerate(KEYS):
        store.grade(key, Rating.Easy if i % 2 else Rating.Good, NOW + timedelta(minutes=i))
        if i % 2 == 0:  # Good: through the second learning step to review
            store.grade(key, Rating.Good, NOW + timedelta(minutes=i + 15))


def _events(data: Path, kind: str) -> list[str]:
    files = sorted((data / "progress" / "devices").glob("*/*.jsonl"))
    return [line for f in files for line in f.read_text().splitlines() if f'"{kind}"' in line]


def test_a_lower_retention_reschedules_every_card_in_review_at_once(tmp_path: Path) -> None:
    store = _open(tmp_path)
    _learn(store)
    before = {k: store.card(k) for k in KEYS}
    assert store.set_desired_retention(0.8, NOW + timedelta(hours=1)) == len(KEYS)
    assert store.desired_retention == 0.8 == store.scheduler.fsrs.desired_retention
    fsrs = Scheduler(desired_retention=0.8)
    for key in KEYS:
        old, new = before[key], store.card(key)
        assert old is not None and new is not None
        assert new.state.state == FsrsState.REVIEW
        # stability and difficulty stay; the due is fsrs's interval at 0.8, fuzzed in range
        assert (new.state.stability, new.state.difficulty) == (
            old.state.stability,
            old.state.difficulty,
        )
        assert new.state.due_ms is not None and new.state.last_review_ms is not None
        days, rest = divmod(new.state.due_ms - new.state.last_review_ms, DAY_MS)
        assert old.state.stability is not None
        low, high = fuzz_range(fsrs._next_interval(stability=old.state.stability), 36500)
        assert rest == 0 and low <= days <= high + 1  # fsrs's own fuzz (see test_balance)
    # a lower target: longer intervals
    assert (
        sum(
            store.card(k).state.due_ms > before[k].state.due_ms  # type: ignore[union-attr,operator]
            for k in KEYS
        )
        >= len(KEYS) * 0.8
    )
    # the same value again changes nothing and logs nothing
    assert store.set_desired_retention(0.8) == 0
    assert len(_events(tmp_path, "retention")) == 1
    # the log alone gives the same state; later reviews schedule at 0.8
    want = state_hash(store)
    rebuild(store)
    assert state_hash(store) == want and store.desired_retention == 0.8
    store.grade(KEYS[0], Rating.Good, NOW + timedelta(days=3))
    assert check_log(store).differ == []
    store.close()


def test_machines_agree_after_a_retention_change_arrives(tmp_path: Path) -> None:
    a, b = _open(tmp_path / "a"), _open(tmp_path / "b")
    _learn(a)
    a.set_desired_retention(0.85, NOW + timedelta(hours=1))
    a.grade(KEYS[1], Rating.Hard, NOW + timedelta(days=2))
    # the log reaches b (a sync copies the device files)
    devices = tmp_path / "a" / "progress" / "devices"
    shutil.copytree(devices, tmp_path / "b" / "progress" / "devices", dirs_exist_ok=True)
    result = apply_log(b)
    assert result.new == len(list(_events(tmp_path / "a", "type")))
    assert state_hash(b) == state_hash(a)
    # b's config still says 0.9 and did not change: b follows the log, now and when reopened
    assert b.desired_retention == 0.85
    b.close()
    b = _open(tmp_path / "b")
    assert b.desired_retention == 0.85 and len(_events(tmp_path / "b", "retention")) == 1
    a.close()
    b.close()


def test_a_config_change_is_logged_when_the_store_opens(tmp_path: Path) -> None:
    store = _open(tmp_path)
    _learn(store)
    store.close()
    store = _open(tmp_path, retention=0.95)  # the learner edited config.toml
    assert store.desired_retention == 0.95
    assert len(_events(tmp_path, "retention")) == 1
    store.close()
    store = _open(tmp_path, retention=0.95)  # unchanged: nothing more is logged
    assert len(_events(tmp_path, "retention")) == 1
    assert check_log(store).differ == []
    # a fresh database next to the log folds to the same retention
    want = state_hash(store)
    store.close()
    (tmp_path / "progress.db").unlink()
    shutil.rmtree(tmp_path / "backups")
    again = _open(tmp_path, retention=0.95)
    assert state_hash(again) == want and again.desired_retention == 0.95
    again.close()


def test_a_first_open_with_another_retention_logs_it(tmp_path: Path) -> None:
    store = _open(tmp_path, retention=0.8)
    assert store.desired_retention == 0.8 and len(_events(tmp_path, "retention")) == 1
    _learn(store)
    rec = store.card(KEYS[1])
    assert rec is not None and rec.state.due_ms is not None
    # scheduled at 0.8: longer than fsrs at the base 0.9 would give
    assert rec.state.stability is not None
    base = Scheduler()._next_interval(stability=rec.state.stability)
    assert (rec.state.due_ms - rec.state.last_review_ms) // DAY_MS > base  # type: ignore[operator]
    store.close()


def test_settings_without_a_change_keep_the_scheduler(tmp_path: Path) -> None:
    store = _open(tmp_path)
    store.settings = replace(
        store.settings, scheduler=replace(store.settings.scheduler, load_balance=False)
    )
    store.reload_scheduler()
    assert store.desired_retention == 0.9 and _events(tmp_path, "retention") == []
    store.close()


def test_a_voided_change_goes_back_to_the_base_retention(tmp_path: Path) -> None:
    """A restored backup voids the log's later events, a retention change among them."""
    store = _open(tmp_path)
    _learn(store)
    want = state_hash(store)
    store.set_desired_retention(0.8, NOW + timedelta(hours=1))
    assert state_hash(store) != want
    change = next(e for e in store.log.read().sorted() if e["type"] == "retention")
    t = change["t"] + 1
    void = {"id": event_id(t, store.log.device), "t": t, "type": "void", "key": "*"}
    store.log.append([{**void, "target": change["id"], "sched": "restore"}])
    apply_log(store)
    assert store.desired_retention == 0.9 and state_hash(store) == want
    assert check_log(store).differ == []
    store.close()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git program")
def test_three_machines_with_retention_changes_converge(tmp_path: Path) -> None:
    """Grades (load-balanced) and retention changes on three machines, synced through git in
    a random order: every machine ends in the same state, which is the fold of the log."""
    rng = random.Random(5)
    stores = [_open(tmp_path / f"m{i}") for i in range(3)]
    clocks = [NOW] * 3
    remote = str(tmp_path / "remote.git")
    try:
        for _ in range(12):
            for _ in range(rng.randint(2, 6)):
                i = rng.randrange(3)
                clocks[i] += timedelta(hours=rng.randint(1, 40))
                if rng.random() < 0.15:
                    stores[i].set_desired_retention(rng.choice([0.8, 0.85, 0.9, 0.95]), clocks[i])
                else:
                    stores[i].grade(rng.choice(KEYS[:10]), Rating(rng.randint(1, 4)), clocks[i])
            for i in rng.sample(range(3), rng.randint(1, 3)):
                sync(stores[i], remote)
        for _ in range(2):
            for s in stores:
                sync(s, remote)
        assert len({state_hash(s) for s in stores}) == 1
        assert len({s.desired_retention for s in stores}) == 1
        assert len(_events(tmp_path / "m0", "retention")) >= 3  # the changes happened
        for s in stores:
            assert check_log(s).differ == []
    finally:
        for s in stores:
            s.close()

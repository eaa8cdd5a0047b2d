"""optimize: qualifying-review count, threshold, the child process, rescheduling."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib.util import find_spec
from pathlib import Path

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from storekit import make_deck

from studytool.store.errors import StoreError
from studytool.store.optimize import (
    MIN_REVIEWS,
    _run_worker,
    count_qualifying,
    optimize,
    review_logs,
)
from studytool.store.repo import Mode, Store
from studytool.store.scheduler import CardState, Rating, StudyScheduler

BASE = datetime(2025, 1, 1, 12, tzinfo=UTC)
DAY = 86_400_000
ROOT = Path(__file__).resolve().parents[2]
HAS_OPTIMIZER = all(find_spec(m) for m in ("torch", "pandas", "tqdm"))


def _history(store: Store, n_cards: int, reviews: int, seed: int = 1) -> None:
    cards = make_deck("d", n_cards)
    store.sync(cards, now=BASE)
    rng = random.Random(seed)
    for c in cards:
        t = BASE + timedelta(minutes=rng.randrange(600))
        for _ in range(reviews):
            r = Rating.Again if rng.random() < 0.15 else Rating.Good
            res = store.grade(c.full_id, r, t)
            assert res.after.due is not None
            t = max(res.after.due, t + timedelta(days=1)) + timedelta(hours=rng.randrange(5))
    store.grade("d/c000", Rating.Good, t, mode=Mode.CRAM)  # cram is never evidence


def test_count_qualifying_follows_fsrs_rules() -> None:
    logs = [
        (1, 3, 0, None),  # first review: never counts
        (1, 3, 600_000, None),  # same day
        (1, 3, DAY + 600_000, None),  # a whole day later: counts
        (1, 3, DAY + 700_000, None),
        (2, 3, 5 * DAY, None),
        (2, 1, 7 * DAY, None),  # counts
    ]
    assert count_qualifying(logs) == 2
    # only the first 64 reviews of a card are used
    long = [(3, 3, i * DAY, None) for i in range(100)]
    assert count_qualifying(long) == 63


def test_below_threshold_keeps_defaults_without_a_child(store: Store) -> None:
    _history(store, 10, 5)
    res = optimize(store, worker=["/nonexistent/worker"])  # would fail if started
    assert not res.optimized and res.reviews == 40 and res.threshold == MIN_REVIEWS
    assert res.parameters == tuple(DEFAULT_PARAMETERS)
    assert "at least 512" in res.message and "default" in res.message
    assert store.scheduler.params_id is None


def _fake_worker(tmp_path: Path, answer: dict[str, object], code: int = 0) -> list[str]:
    script = tmp_path / "worker.py"
    script.write_text(
        "import json, sys\n"
        "logs = json.load(open(sys.argv[1]))['logs']\n"
        "assert all(len(x) == 4 for x in logs)\n"
        f"print('noise on stdout')\nprint(json.dumps({answer!r}))\nsys.exit({code})\n"
    )
    return [sys.executable, str(script)]


def test_fitted_parameters_are_saved_and_cards_rescheduled(store: Store, tmp_path: Path) -> None:
    _history(store, 110, 6)
    params = list(DEFAULT_PARAMETERS)
    params[0], params[2] = 0.5, 3.0
    announced: list[int] = []
    res = optimize(
        store, BASE, worker=_fake_worker(tmp_path, {"parameters": params}), on_fit=announced.append
    )
    assert res.optimized and res.reviews >= MIN_REVIEWS and res.rescheduled == 110
    assert announced == [res.reviews]
    assert res.backup is not None and res.backup.exists()
    assert store.scheduler.parameters == tuple(params)
    assert store.scheduler.version.endswith(f"/p{res.params_id}")
    # each card is its review-mode log replayed with the new weights (reschedule_card)
    sched = StudyScheduler(store.settings.scheduler, params)
    rec = store.card("d/c005")
    assert rec is not None
    logs = [(t, r) for cid, r, t, _ in review_logs(store) if cid == rec.id]
    expected = sched.reschedule(rec.id, CardState(), logs)
    assert (rec.state.stability, rec.state.difficulty, rec.state.last_review_ms) == (
        expected.stability,
        expected.difficulty,
        expected.last_review_ms,
    )
    # a reopened store uses the personal parameters
    with Store.open(store.settings, path=store.path, now=BASE, tz=UTC) as again:
        assert again.scheduler.parameters == tuple(params)


@pytest.mark.parametrize(
    ("answer", "code", "match"),
    [
        ({"error": "the optimizer needs torch"}, 3, "needs torch"),
        ({"parameters": [99.0] * 21}, 0, "unusable parameters"),
        ({"nothing": 1}, 0, "optimizer failed"),
    ],
)
def test_worker_failures_are_clean_errors(
    store: Store, tmp_path: Path, answer: dict[str, object], code: int, match: str
) -> None:
    _history(store, 110, 6)
    with pytest.raises(StoreError, match=match):
        optimize(store, worker=_fake_worker(tmp_path, answer, code))
    assert store.scheduler.params_id is None


@pytest.mark.skipif(not HAS_OPTIMIZER, reason="needs fsrs[optimizer] (torch, pandas, tqdm)")
def test_real_worker_protocol_and_constants() -> None:
    """The real child imports fsrs's Optimizer; with few reviews it returns the defaults.
    The same child checks that our copies of fsrs's constants are still right."""
    check = (
        "import runpy, sys; import fsrs.optimizer as o;"
        f"assert (o.mini_batch_size, o.max_seq_len) == ({MIN_REVIEWS}, 64), 'fsrs changed';"
        "runpy.run_module('studytool.store.optimize_worker', run_name='__main__')"
    )
    logs = [(1, 3, i * DAY, 1000) for i in range(5)]
    params = _run_worker(logs, [sys.executable, "-c", check], timeout=120)
    assert params == list(DEFAULT_PARAMETERS)


@pytest.mark.slow  # a real fit takes ~25 s; CI runs it
def test_real_fit(store: Store) -> None:
    _history(store, 110, 7)
    res = optimize(store, BASE + timedelta(days=400), timeout=600)
    assert res.optimized and res.parameters != tuple(DEFAULT_PARAMETERS)


def test_the_main_process_never_imports_torch(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import typer\n"
        "from studytool.config import Settings\n"
        "from studytool.cli import progress\n"
        "from studytool.store import Store, compute_stats\n"
        "from studytool.store.optimize import optimize\n"
        "from studytool.store.scheduler import utc_now\n"
        "from studytool.study.queue import build_queue\n"
        f"s = Store.open(Settings(data_dir=Path({str(tmp_path)!r})))\n"
        "optimize(s)\n"
        "compute_stats(s, [], utc_now())\n"
        "build_queue(s, [], utc_now())\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "assert 'fsrs.optimizer' not in sys.modules\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr

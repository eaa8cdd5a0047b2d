"""Parameter sweeps: a demo over 5 seeds at its quick defaults and at least two other
settings.  Whenever a run says HOLDS, every number its claim names must meet the claim's
stated margin, checked here by the test's own restatement of the claim (``expect``), not by
the demo's judge; a setting outside a precondition must say "does not apply".

A demo test module writes, per demo::

    def expect_NAME(n: dict[str, float], p: dict[str, Any]) -> list[str]:
        # one message per margin the numbers miss; [] when the claim's words are met
        ...

    def test_NAME_sweep() -> None:
        sweep("NAME", [{}, {"steps": 120}, {"lr": 0.3}], expect_NAME, not_applicable=[{...}])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from demos._base import Verdict, run_inline
from studytool.demorun.catalog import get_demo

SEEDS = range(5)

Expect = Callable[[dict[str, float], dict[str, Any]], list[str]]


def run_once(name: str, params: Mapping[str, Any]) -> tuple[Verdict, dict[str, Any]]:
    """One quick inline run on the CPU; returns the verdict and the resolved parameters."""
    events, verdict = run_inline(name, quick=True, device="cpu", params=dict(params))
    start = next(e for e in events if e["type"] == "start")
    event = next(e for e in events if e["type"] == "verdict")
    assert event["status"] == verdict.status
    assert verdict.status != "does_not_apply" or (verdict.reason and not verdict.claim_holds)
    meta = get_demo(name)
    for q in meta.predictions:  # every prediction is answered from the run's numbers
        assert q.id in verdict.answers, f"{name}: no answer to prediction {q.id!r}"
        if q.kind == "choice":
            assert int(verdict.answers[q.id]) in range(len(q.options_en))
    return verdict, start["params"]


def sweep(
    name: str,
    settings: Sequence[Mapping[str, Any]],
    expect: Expect,
    *,
    not_applicable: Sequence[Mapping[str, Any]] = (),
    seeds: Sequence[int] = SEEDS,
) -> dict[str, int]:
    """Run ``name`` at each setting for each seed; returns how many runs had each status.

    ``settings`` must hold at least three (the quick defaults ``{}`` and two others); each
    HOLDS is checked with ``expect``; each setting in ``not_applicable`` must give
    "does not apply" for every seed."""
    assert len(settings) >= 3 and any(not s for s in settings), "defaults and 2 other settings"
    counts = {"holds": 0, "fails": 0, "does_not_apply": 0}
    for setting in settings:
        for seed in seeds:
            verdict, params = run_once(name, {**setting, "seed": seed})
            counts[verdict.status] += 1
            if verdict.status == "holds":
                missed = expect(dict(verdict.numbers), params)
                assert not missed, f"{name} {setting} seed {seed} says HOLDS but: {missed}"
    for setting in not_applicable:
        for seed in seeds:
            verdict, _ = run_once(name, {**setting, "seed": seed})
            assert verdict.status == "does_not_apply", f"{name} {setting} seed {seed}"
    assert counts["holds"] > 0, f"{name}: the claim never held in the sweep {counts}"
    return counts

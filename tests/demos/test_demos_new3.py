"""The issue-13 demos lr_threshold, aleatoric_epistemic and scaling_law: each quick run must
show its concept in the numbers it measured; the preconditions say "does not apply"; and a
parameter sweep (tests/demos/sweepkit.py) checks every HOLDS against the claim's margins,
restated here independently of the demos' judges."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from demokit import quick_run
from sweepkit import sweep

from demos._base import run_inline
from studytool.demorun.catalog import get_demo
from studytool.demorun.params import DemoParamError, parse_param_args, resolve_params

pytestmark = pytest.mark.torch


def series(events: list[dict], name: str) -> list[float]:
    return [e["values"][name] for e in events if e["type"] == "metric" and name in e["values"]]


# --------------------------------------------------------------------------- lr_threshold


def test_lr_threshold_converges_below_2_over_l_and_diverges_above() -> None:
    events, v = quick_run("lr_threshold")
    n = v.numbers
    assert v.claim_holds
    assert n["loss_ratio_0.5"] < 1e-2 and n["loss_ratio_1.9"] < 1e-2 < 1e2 < n["loss_ratio_2.1"]
    # above 1/L the steepest coordinate overshoots the minimum every step; below it never does
    assert n["sign_flips_1.9"] == 1.0 and n["sign_flips_0.5"] == 0.0
    # a step multiplies the top-eigenvector coordinate by exactly (1 - lr * L)
    for f in (0.5, 1.9, 2.1):
        top = series(events, f"top coordinate, lr={f:g}/L")
        assert len(top) == 30
        assert all(math.isclose(c, (1 - f) ** t, rel_tol=1e-5) for t, c in enumerate(top, 1))
    # the scan: the loss stops falling right past 2/L, not before
    assert 2.0 < n["threshold_factor"] <= 2.05
    ratios = dict(
        zip(
            [e["x"] for e in events if "loss ratio" in e.get("values", {})],
            series(events, "loss ratio"),
            strict=True,
        )
    )
    assert all(r < 1 for f, r in ratios.items() if f < 1.99)
    assert all(r > 1 for f, r in ratios.items() if f > 2.05)


def test_lr_threshold_plain_gd_sticks_to_the_saddle_and_noise_escapes() -> None:
    events, v = quick_run("lr_threshold")
    n = v.numbers
    # plain GD from (1, 0): never leaves y = 0, and its gradient vanishes at the saddle
    assert n["plain_max_abs_y"] == 0.0 and n["plain_final_grad"] < 1e-6
    assert abs(n["plain_final_f"]) < 1e-6
    # with noise |y| grows by about 1 + 2 lr = 1.2 per step from ~1e-3: tens of steps
    assert 15 <= n["escape_step"] <= 80
    assert -0.5 <= n["noisy_final_f"] <= -0.45  # at a minimum (0, +-1), f = -0.5
    assert v.answers == {"edge": 1, "plain_end": 2, "escape_steps": 2}
    assert any(e["type"] == "image" for e in events)


def test_lr_threshold_claim_and_list_parameter_follow_the_settings() -> None:
    meta = get_demo("lr_threshold")
    given = parse_param_args(["factors=0.9,1.5,2.5", "noise=0.1"])
    assert resolve_params(meta, given)["factors"] == "0.9,1.5,2.5"
    _, v = run_inline("lr_threshold", params=given)
    assert "at lr = 0.9/L, 1.5/L the loss falls" in v.claim and "at 2.5/L it grows" in v.claim
    assert "at 1.5/L the top coordinate flips sign" in v.claim
    with pytest.raises(DemoParamError, match="factors"):
        run_inline("lr_threshold", params={"factors": "0.5,x"})


def test_lr_threshold_does_not_apply_outside_its_preconditions() -> None:
    _, v = run_inline("lr_threshold", params={"noise": 0.0})
    assert v.status == "does_not_apply" and "noise is 0" in v.reason
    assert v.numbers["escape_step"] == -1 and v.answers["escape_steps"] == 4
    _, v = run_inline("lr_threshold", params={"factors": "0.5,1.9"})
    assert v.status == "does_not_apply" and "one below 2 and one above 2" in v.reason
    _, v = run_inline("lr_threshold", params={"factors": "0.5,2,2.1"})
    assert v.status == "does_not_apply" and "sits on the threshold" in v.reason
    assert v.numbers["sign_flips_2"] == 1.0 and 0.01 < v.numbers["loss_ratio_2"] < 1
    _, v = run_inline("lr_threshold", params={"steps": 30})
    assert v.status == "does_not_apply" and "too few" in v.reason


def expect_lr_threshold(n: dict[str, float], p: dict[str, Any]) -> list[str]:
    missed = []
    for f in sorted({float(s) for s in str(p["factors"]).split(",")}):
        ratio = n[f"loss_ratio_{f:g}"]
        if f < 2 and ratio > 0.01:
            missed.append(f"lr {f}/L fell only {1 / ratio:.3g}x")
        if f > 2 and ratio < 100:
            missed.append(f"lr {f}/L grew only {ratio:.3g}x")
        if 1 < f < 2 and n[f"sign_flips_{f:g}"] < 1:
            missed.append(f"lr {f}/L flipped sign on only {n[f'sign_flips_{f:g}']:.0%} of steps")
    if not 1.9 <= n["threshold_factor"] <= 2.1:
        missed.append(f"threshold {n['threshold_factor']} not within 5 % of 2")
    if abs(n["plain_final_f"]) > 1e-6:
        missed.append(f"plain GD ends at f = {n['plain_final_f']}")
    if n["noisy_max_abs_y"] < 0.5:
        missed.append("noisy GD never reached |y| = 0.5")
    if n["noisy_final_f"] > -0.4:
        missed.append(f"noisy GD ends at f = {n['noisy_final_f']}")
    return missed


def test_lr_threshold_sweep() -> None:
    sweep(
        "lr_threshold",
        [{}, {"factors": "0.9,1.5,2.5", "condition": 3.0}, {"noise": 0.1, "saddle_lr": 0.05}],
        expect_lr_threshold,
        not_applicable=[{"noise": 0.0}, {"factors": "0.5,1.9"}],
    )


# --------------------------------------------------------------------------- aleatoric_epistemic


def test_aleatoric_epistemic_noise_head_tracks_noise_and_spread_grows_in_the_gap() -> None:
    events, v = quick_run("aleatoric_epistemic")
    n = v.numbers
    assert v.claim_holds
    # aleatoric: the NLL noise head follows the true noise std over the data
    assert n["sigma_corr"] >= 0.9 and 0.7 <= n["sigma_ratio"] <= 1.3
    assert abs(n["sigma_at_2_5"] - n["true_sigma_at_2_5"]) < 0.15
    table = {row["region"]: row for row in next(e for e in events if e["type"] == "table")["rows"]}
    left, right = table["quietest data (left)"], table["noisiest data (right)"]
    gap = table["gap (no data)"]
    assert right["predicted noise std"] > 3 * left["predicted noise std"]
    # epistemic: the members agree on the data, however noisy, and disagree in the gap
    assert right["ensemble spread"] < 0.5 * right["true noise std"]
    assert gap["ensemble spread"] > 3 * max(left["ensemble spread"], right["ensemble spread"])
    assert v.answers["disagree"] == 0
    assert len(series(events, "ensemble spread")) == 121


def test_aleatoric_epistemic_does_not_apply_without_varying_noise_or_a_gap() -> None:
    _, v = run_inline("aleatoric_epistemic", params={"noise_max": 0.08, "steps": 10})
    assert v.status == "does_not_apply" and "noise barely varies" in v.reason
    assert "from 0.05 to 0.08" in v.claim and "sigma_at_2_5" in v.answers
    _, v = run_inline("aleatoric_epistemic", params={"gap": 0.2, "steps": 10})
    assert v.status == "does_not_apply" and "gap is narrower" in v.reason


def expect_aleatoric_epistemic(n: dict[str, float], p: dict[str, Any]) -> list[str]:
    missed = []
    if n["sigma_corr"] < 0.9:
        missed.append(f"r = {n['sigma_corr']:.3f} < 0.9")
    if not 0.7 <= n["sigma_ratio"] <= 1.3:
        missed.append(f"predicted / true noise std {n['sigma_ratio']:.3f} not within 30 %")
    if n["spread_gap"] < 3 * n["spread_data"]:
        missed.append(f"gap spread {n['spread_gap']:.3g} < 3 x {n['spread_data']:.3g}")
    if n["spread_over_noise"] > 0.5:
        missed.append(f"spread / noise over the data {n['spread_over_noise']:.2f} > 0.5")
    return missed


def test_aleatoric_epistemic_sweep() -> None:
    sweep(
        "aleatoric_epistemic",
        [
            {},
            {"noise_max": 0.8, "n_train": 100, "steps": 300},
            {"gap": 1.5, "members": 3, "steps": 300},
        ],
        expect_aleatoric_epistemic,
        not_applicable=[{"noise_max": 0.08, "steps": 10}, {"gap": 0.2, "steps": 10}],
    )


# --------------------------------------------------------------------------- scaling_law


def test_scaling_law_fits_a_power_law_and_predicts_the_held_out_size() -> None:
    events, v = quick_run("scaling_law")
    n = v.numbers
    assert v.claim_holds
    assert n["c"] == pytest.approx(0.2**2)
    assert n["r2"] >= 0.99 and abs(n["alpha_fit"] - 0.5) <= 0.075
    assert abs(n["prediction_error"]) <= 0.1
    rows = next(e for e in events if e["type"] == "table")["rows"]
    assert [r["N"] for r in rows] == [4, 8, 16, 32, 128] and rows[-1]["role"] == "held out"
    excess = [r["loss - c"] for r in rows]
    # every doubling of N divides the loss above c by about 2^alpha = 1.41
    for small, big in itertools.pairwise(excess[:4]):  # the fitted sizes
        assert 1.25 <= small / big <= 1.6
    # the raw loss keeps the floor c: it falls by less than the loss above c does
    assert rows[0]["test loss"] / rows[-1]["test loss"] < excess[0] / excess[-1]
    assert v.answers["shape"] == 3 and 1.7 <= v.answers["shrink"] <= 2.3


def test_scaling_law_does_not_apply_when_data_is_the_bottleneck() -> None:
    _, v = run_inline("scaling_law", params={"n_train": 1000})
    assert v.status == "does_not_apply" and "data is the bottleneck" in v.reason
    assert v.numbers["estimation_share_holdout"] > 0.1
    _, v = run_inline("scaling_law", params={"sizes": "8,16"})
    assert v.status == "does_not_apply" and "at least 4 sizes" in v.reason
    _, v = run_inline("scaling_law", params={"holdout": 32})
    assert v.status == "does_not_apply" and "not larger" in v.reason
    assert "N = 4, 8, 16, 32" in v.claim and "at N = 32 within 10 %" in v.claim


def expect_scaling_law(n: dict[str, float], p: dict[str, Any]) -> list[str]:
    missed = []
    if n["r2"] < 0.98:
        missed.append(f"R^2 {n['r2']:.4f} < 0.98")
    if abs(n["alpha_fit"] - p["alpha"]) > 0.15 * p["alpha"]:
        missed.append(f"exponent {n['alpha_fit']:.3f} not within 15 % of {p['alpha']}")
    error = n["predicted_holdout"] / n["measured_holdout"] - 1
    if abs(error) > 0.1:
        missed.append(f"held-out prediction off by {error:+.1%}")
    return missed


def test_scaling_law_sweep() -> None:
    sweep(
        "scaling_law",
        [{}, {"alpha": 1.0, "noise": 0.05}, {"noise": 0.5, "sizes": "8,16,32,64"}],
        expect_scaling_law,
        not_applicable=[{"n_train": 1000}],
    )

"""The issue-13 demos cnn_equivariance, l1_l2_dropout and generative_param_counts: each quick
run must show its concept in the numbers it measured; the preconditions give "does not
apply"; and a sweep (5 seeds, the quick defaults and two other settings) checks every HOLDS
against this file's own restatement of the claim's margins."""

from __future__ import annotations

from typing import Any

import pytest
from demokit import quick_run
from sweepkit import sweep

from demos._base import run_inline

# ---------------------------------------------------------------- cnn_equivariance


def expect_cnn_equivariance(n: dict[str, float], p: dict[str, Any]) -> list[str]:
    size, k, c = p["size"], p["kernel"], p["channels"]
    miss = []
    if not n["conv_equiv_error"] < 1e-9:
        miss.append("conv layer not equivariant to 1e-9")
    if not n["dense_equiv_error"] > 0.3:
        miss.append("fully connected error not above 0.3")
    if n["conv_params"] != k * k * c + c or n["dense_params"] != size**4 * c + size**2 * c:
        miss.append("parameter counts differ from the formulas")
    if not n["dense_params"] >= 100 * n["conv_params"]:
        miss.append("fully connected under 100x the conv parameters")
    if not n["cnn_test_acc"] >= 0.9:
        miss.append("CNN under 90 % at unseen places")
    if not n["mlp_test_acc"] <= 0.25 + 0.25:
        miss.append("MLP more than 25 points above chance")
    if not n["mlp_params"] >= 10 * n["cnn_params"]:
        miss.append("MLP under 10x the CNN's parameters")
    if min(n["cnn_train_acc"], n["mlp_train_acc"]) < 0.9:
        miss.append("a net did not fit the training places")
    return miss


def test_cnn_equivariance_shift_counts_and_unseen_places() -> None:
    events, v = quick_run("cnn_equivariance")
    n = v.numbers
    assert v.claim_holds
    # equivariance: the conv map moves with the input (round-off), and it does move
    assert n["conv_equiv_error"] < 1e-12 and n["conv_static_error"] > 0.3
    assert n["dense_equiv_error"] > 0.5
    # 5x5x1x8 + 8 vs (16*16) * (8*16*16) + 8*16*16, counted from the modules
    assert (n["conv_params"], n["dense_params"]) == (208, 526_336)
    # the CNN recognises shapes where it never saw one; the MLP, 100x bigger, guesses
    assert n["cnn_test_acc"] >= 0.95 and n["mlp_test_acc"] < 0.45
    assert n["mlp_params"] > 100 * n["cnn_params"]
    assert v.answers == {"shift": 1.0, "unseen": 0.0, "ratio": pytest.approx(526_336 / 208)}
    diff = next(e for e in events if e["type"] == "image")["pixels"]
    m = 3 + 5 // 2  # shift + kernel reach: the conv half is exactly 0 inside
    assert all(diff[r][c] == 0 for r in range(m, 16 - m) for c in range(m, 16 - m))
    assert max(abs(diff[r][c]) for r in range(m, 16 - m) for c in range(17 + m, 33 - m)) > 0


def test_cnn_equivariance_does_not_apply_without_a_shift_or_a_fit() -> None:
    _, v = run_inline("cnn_equivariance", params={"shift": 0, "steps": 1, "n_train": 32})
    assert v.status == "does_not_apply" and "shift is 0" in v.reason
    assert "input 0 pixels" in v.claim and set(v.answers) == {"shift", "unseen", "ratio"}
    _, v = run_inline("cnn_equivariance", params={"steps": 1, "n_train": 32})
    assert v.status == "does_not_apply" and "did not fit" in v.reason
    _, v = run_inline("cnn_equivariance", params={"mlp_hidden": 4, "steps": 1, "n_train": 32})
    assert v.status == "does_not_apply" and "raise mlp_hidden" in v.reason


@pytest.mark.torch
def test_cnn_equivariance_sweep() -> None:
    counts = sweep(
        "cnn_equivariance",
        [{}, {"shift": 1, "kernel": 3, "steps": 80}, {"size": 12, "split": 6, "channels": 4}],
        expect_cnn_equivariance,
        not_applicable=[{"shift": 0, "steps": 1, "n_train": 32}],
    )
    assert counts["fails"] == 0, counts  # the claim holds at every applicable setting


# ---------------------------------------------------------------- l1_l2_dropout


def expect_l1_l2_dropout(n: dict[str, float], p: dict[str, Any]) -> list[str]:
    q = p["p"]
    miss = []
    if not n["l1_zero_frac"] >= 0.8:
        miss.append("L1 zeroes under 80 % of the irrelevant weights")
    if n["l1_relevant_kept"] != 1.0:
        miss.append("L1 zeroed a relevant weight")
    if not n["l2_zero_frac"] <= 0.1:
        miss.append("L2 zeroes over 10 %")
    if not n["l2_shrink"] <= 0.9:
        miss.append("L2 norm over 0.9x least squares")
    if not abs(n["kept_scale"] - 1 / (1 - q)) < 1e-6 or n["kept_scale_error"] >= 1e-6:
        miss.append("kept units not scaled by 1/(1-p)")
    if not abs(n["drop_fraction"] - q) <= 0.01:
        miss.append("dropped fraction not within 0.01 of p")
    if not abs(n["inverted_ratio"] - 1) <= 0.03:
        miss.append("scaled average not within 3 % of eval")
    if not abs(n["unscaled_ratio"] - (1 - q)) <= 0.03 * (1 - q):
        miss.append("unscaled average not within 3 % of (1-p)")
    return miss


def test_l1_zeros_l2_shrinks_and_dropout_rescales() -> None:
    import torch

    _, v = quick_run("l1_l2_dropout")
    n = v.numbers
    assert v.claim_holds
    # L1: exact zeros (soft-thresholding), every relevant weight kept
    assert n["l1_exact_zero_frac"] >= 0.9 and n["l1_relevant_kept"] == 1.0
    # L2: shorter vector, but no irrelevant weight at exactly zero
    assert n["l2_min_irrelevant"] > 0 and n["l2_shrink"] < 0.75
    # dropout p = 0.5: kept x2 exactly, average matches eval, unscaled masks halve it
    assert n["kept_scale"] == 2.0 and n["eval_identity_error"] == 0.0
    assert abs(n["inverted_ratio"] - 1) < 0.02 and abs(n["unscaled_ratio"] - 0.5) < 0.01
    assert v.answers["zeros"] == 2.0 and v.answers["unscaled"] == pytest.approx(0.5, abs=0.01)
    # the demo's premise, straight from torch: train mode gives 0 or x / (1 - p)
    out = torch.nn.Dropout(0.25).train()(torch.ones(1000))
    assert all(x == 0.0 or x == pytest.approx(1 / 0.75) for x in out.tolist())


def test_l1_l2_dropout_preconditions() -> None:
    _, v = run_inline("l1_l2_dropout", params={"p": 0.05, "masks": 2, "ista_steps": 5})
    assert v.status == "does_not_apply" and "p = 0.05 < 0.1" in v.reason
    assert "nn.Dropout(0.05)" in v.claim
    _, v = run_inline("l1_l2_dropout", params={"lambda1": 0.0, "masks": 2, "ista_steps": 5})
    assert v.status == "does_not_apply" and "lambda1 and lambda2 must be > 0" in v.reason
    _, v = run_inline(
        "l1_l2_dropout", params={"n_samples": 40, "n_features": 50, "masks": 2, "ista_steps": 5}
    )
    assert v.status == "does_not_apply" and "not unique" in v.reason


@pytest.mark.torch
def test_l1_l2_dropout_sweep() -> None:
    counts = sweep(
        "l1_l2_dropout",
        [{}, {"p": 0.2, "n_features": 100}, {"lambda1": 0.05, "noise": 0.3, "p": 0.8}],
        expect_l1_l2_dropout,
        not_applicable=[{"p": 0.05, "masks": 5}],
    )
    assert counts["fails"] == 0, counts  # the claim holds at every applicable setting


# ---------------------------------------------------------------- generative_param_counts


def expect_generative_param_counts(n: dict[str, float], p: dict[str, Any]) -> list[str]:
    k = p["n"]
    want = {
        "joint": 2**k - 1,
        "indep": k,
        "chain": sum(2**i for i in range(k)),
        "markov": 1 + 2 * (k - 1),
        "ar": sum(range(1, k + 1)),
    }
    miss = [
        f"{m} has {n[m + '_free']} free, not {w}" for m, w in want.items() if n[m + "_free"] != w
    ]
    if not n["nll_gap_bits"] >= 0.5:
        miss.append("AR not 0.5 bits per image below independent")
    if abs(n["indep_nll_bits"] - n["ar_nll_bits"] - n["nll_gap_bits"]) > 1e-9:
        miss.append("the gap is not the difference of the NLLs")
    return miss


def test_generative_param_counts_match_the_deck_and_ar_beats_independence() -> None:
    events, v = quick_run("generative_param_counts")
    n = v.numbers
    assert v.claim_holds
    # n = 8: 255, 8, 255, 15, 36 free; the softmax and the masked Linear store more
    free = [n[f"{m}_free"] for m in ("joint", "indep", "chain", "markov", "ar")]
    assert free == [255, 8, 255, 15, 36]
    assert n["joint_stored"] == 256 and n["ar_stored"] == 8 * 8 + 8
    assert n["chain_table_3"] == 4  # p(x_3 | x_1, x_2): one Bernoulli per parent setting
    # the chain data: AR close to the true entropy, independence about 1 bit per pixel
    assert abs(n["ar_nll_bits"] - n["true_entropy_bits"]) < 0.3
    assert n["indep_nll_bits"] > 7.8 and n["nll_gap_bits"] > 3
    assert v.answers == {"better": 1.0, "ar_count": 36.0, "joint_count": 255.0}
    rows = next(e for e in events if e["type"] == "table")["rows"]
    at784 = {r["model"]: r["at n = 784"] for r in rows}
    assert at784["Markov"] == 1567 and at784["logistic AR"] == 307_720
    assert at784["independent"] == 784 and str(at784["full joint"]).startswith("2^784 - 1")


def test_generative_param_counts_preconditions() -> None:
    _, v = run_inline("generative_param_counts", params={"stay": 0.6, "steps": 5})
    assert v.status == "does_not_apply" and "stay = 0.6" in v.reason
    assert "probability 0.6," in v.claim
    _, v = run_inline("generative_param_counts", params={"n": 3, "stay": 0.5, "steps": 5})
    assert v.status == "does_not_apply" and "only 0.00 bits" in v.reason
    assert "2^n - 1 = 7" in v.claim and v.answers["ar_count"] == 6


@pytest.mark.torch
def test_generative_param_counts_sweep() -> None:
    counts = sweep(
        "generative_param_counts",
        [{}, {"n": 5, "stay": 0.8}, {"n": 9, "stay": 0.15}],
        expect_generative_param_counts,
        not_applicable=[{"stay": 0.6, "steps": 5}],
    )
    assert counts["fails"] == 0, counts  # the claim holds at every applicable setting

"""Concept demos, part 3: batch size, universal approximation, regularization, label smoothing,
bagging and cross-validation. Each demo runs in-process with its --quick settings on the CPU;
the tests check the verdict AND the measured numbers behind it (seed 0 is deterministic)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from demokit import quick_run

from demos.cross_validation import kfold_splits, make_data, stratified_kfold_splits


def _kinds(events: list[dict]) -> set[str]:
    return {e["type"] for e in events}


@pytest.mark.parametrize(
    "name",
    [
        "batch_size",
        "universal_approx",
        "regularization",
        "label_smoothing",
        "bagging",
        "cross_validation",
    ],
)
def test_demo_emits_events_and_json(name: str) -> None:
    events, verdict = quick_run(name)
    kinds = _kinds(events)
    assert {"start", "metric", "image", "table", "progress", "verdict", "done"} <= kinds
    assert "error" not in kinds
    json.dumps(events)  # every event is JSON-serialisable
    image = next(e for e in events if e["type"] == "image")
    assert len(image["shape"]) in (2, 3) and image["shape"][0] >= 8 and image["shape"][1] >= 8
    assert verdict.summary and all(np.isfinite(v) for v in verdict.numbers.values())


def test_batch_size_large_batch_is_sharper() -> None:
    _, v = quick_run("batch_size")
    n = v.numbers
    assert v.claim_holds
    # both nets fit the training set, so the comparison is between minima
    assert n["small_train_acc"] >= 0.97 and n["large_train_acc"] >= 0.99
    # the full-batch net's loss rises at least 1.5x more under the same relative perturbation
    assert n["large_sharpness"] > 1.5 * n["small_sharpness"]
    assert n["sharpness_ratio"] > 1.5
    # the gap is reported (at the quick setting it is about equal: 5.4 vs 5.5 points)
    assert 0.0 < n["small_gap"] < 0.15 and 0.0 < n["large_gap"] < 0.15


def test_universal_approx_width_and_linearity() -> None:
    _, v = quick_run("universal_approx")
    n = v.numbers
    assert v.claim_holds
    for t in ("sin", "step"):
        # width 1 barely beats a line; width 64 is at least 10x better
        assert n[f"{t}_mse_w1"] > 0.1
        assert n[f"{t}_mse_w64"] < n[f"{t}_mse_w1"] / 10
        assert n[f"{t}_pairs_ordered"] >= 0.8
        # without an activation the net is a straight line: never below the least-squares line,
        # and training gets it to that line
        assert n[f"{t}_mse_linear_net"] >= n[f"{t}_mse_best_line"] * (1 - 1e-3)
        assert n[f"{t}_mse_linear_net"] <= n[f"{t}_mse_best_line"] * 1.05
    assert n["sin_mse_w64"] < 1e-3
    assert n["step_mse_w64"] < 0.03


def test_regularization_each_shrinks_gap() -> None:
    _, v = quick_run("regularization")
    n = v.numbers
    assert v.claim_holds
    assert n["none_train_acc"] == 1.0 and n["none_acc_gap"] > 0.3  # memorised the noisy labels
    for r in ("dropout", "weight_decay", "augmentation"):
        assert n[f"{r}_acc_gap"] < n["none_acc_gap"] - 0.03
        assert n[f"{r}_loss_gap"] < 0.8 * n["none_loss_gap"]
    assert n["augmentation_acc_gap"] < 0.15  # the strongest one here


def test_label_smoothing_reduces_over_confidence_not_necessarily_ece() -> None:
    events, v = quick_run("label_smoothing")
    n = v.numbers
    assert v.claim_holds
    # the precondition, as measured: on noisy digits the plain net is over-confident
    assert n["plain_overconfidence"] >= 0.01
    for m in ("label_smoothing", "mixup"):
        assert n[f"{m}_confidence"] < n["plain_confidence"] - 0.03
        assert max(0.0, n[f"{m}_overconfidence"]) <= 0.5 * n["plain_overconfidence"]
        assert n[f"{m}_accuracy"] > 0.75
    # the caveat, as measured: smoothing overshoots into under-confidence, so its ECE is worse
    assert n["label_smoothing_overconfidence"] < -0.05
    assert n["label_smoothing_ece"] > n["plain_ece"]
    assert n["label_smoothing_ece_improved"] == 0.0
    tables = {e["name"] for e in events if e["type"] == "table"}
    assert {"reliability diagram: plain", "held-out calibration"} <= tables


def test_bagging_cuts_variance_of_unstable_model() -> None:
    _, v = quick_run("bagging")
    n = v.numbers
    assert v.claim_holds
    assert n["unstable_bagged_variance"] < 0.5 * n["unstable_single_variance"]
    assert n["unstable_bagged_test_mse"] < 0.5 * n["unstable_single_test_mse"]
    # the stable model gains nothing from bagging (slightly worse), and is still the best model
    assert n["stable_mse_ratio"] > n["unstable_mse_ratio"]
    assert n["stable_single_test_mse"] < n["unstable_bagged_test_mse"]


def test_cross_validation_stratified_vs_plain() -> None:
    _, v = quick_run("cross_validation")
    n = v.numbers
    assert v.claim_holds
    assert n["n_positives"] == 10
    assert n["stratified_pos_count_min"] == n["stratified_pos_count_max"] == 2
    assert n["stratified_folds_without_positives"] == 0.0
    assert n["plain_pos_count_min"] == 0 and n["plain_pos_count_max"] >= 4
    assert n["plain_folds_without_positives"] > 0.0
    assert n["plain_fold_logloss_std"] > 1.2 * n["stratified_fold_logloss_std"]


# --------------------------------------------------------------------------- fold splitters


def _check_partition(folds: list[np.ndarray], n: int) -> None:
    allidx = np.concatenate(folds)
    assert len(allidx) == n and sorted(allidx.tolist()) == list(range(n))  # disjoint, complete
    sizes = [len(f) for f in folds]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("n,k", [(10, 2), (11, 3), (200, 5), (37, 10), (5, 5)])
def test_kfold_partitions(n: int, k: int) -> None:
    folds = kfold_splits(n, k, np.random.default_rng(1))
    assert len(folds) == k
    _check_partition(folds, n)


def test_kfold_is_seeded_and_shuffles() -> None:
    a = kfold_splits(50, 5, np.random.default_rng(3))
    b = kfold_splits(50, 5, np.random.default_rng(3))
    c = kfold_splits(50, 5, np.random.default_rng(4))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c, strict=True))
    assert not np.array_equal(a[0], np.arange(10))  # shuffled, not contiguous blocks


@pytest.mark.parametrize(
    "counts,k",
    [((190, 10), 5), ((95, 5), 10), ((7, 3, 20), 4), ((50, 50), 3), ((12, 1), 5)],
)
def test_stratified_keeps_class_counts_within_one(counts: tuple[int, ...], k: int) -> None:
    y = np.random.default_rng(0).permutation(np.repeat(np.arange(len(counts)), counts))
    folds = stratified_kfold_splits(y, k, np.random.default_rng(2))
    assert len(folds) == k
    _check_partition(folds, len(y))
    for c in range(len(counts)):
        per_fold = [int((y[f] == c).sum()) for f in folds]
        assert sum(per_fold) == counts[c]
        assert max(per_fold) - min(per_fold) <= 1


def test_splitters_reject_bad_k() -> None:
    with pytest.raises(ValueError):
        kfold_splits(5, 1, np.random.default_rng(0))
    with pytest.raises(ValueError):
        kfold_splits(3, 4, np.random.default_rng(0))
    with pytest.raises(ValueError):
        stratified_kfold_splits(np.array([0, 1, 0]), 4, np.random.default_rng(0))


def test_make_data_has_exact_positive_count() -> None:
    x, y = make_data(200, 0.05, 1.2, np.random.default_rng(0))
    assert x.shape == (200, 5) and y.sum() == 10
    assert x[y == 1].mean() > x[y == 0].mean() + 0.8

"""Parameter sweeps of the demos adamw_vs_l2 ... early_stopping (issue 13, item 3).

Each demo runs over 5 seeds at its quick defaults and at least two other settings; whenever it
says HOLDS, ``expect_NAME`` (this file's own restatement of the claim's margins, not the
demo's judge) must find every margin met, and each precondition has a setting that must give
"does not apply".  The non-default settings are kept cheap (fewer steps or smaller sizes where
the claim allows it).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from sweepkit import sweep

pytestmark = pytest.mark.torch

Numbers = dict[str, float]
Params = dict[str, Any]


def _missed(checks: dict[str, bool]) -> list[str]:
    return [name for name, ok in checks.items() if not ok]


# --------------------------------------------------------------------------- adamw_vs_l2


def expect_adamw_vs_l2(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "L2 decays low-gradient weights >= 10x more": n["adam_l2_decay_low"]
            >= 10 * n["adam_l2_decay_high"],
            "AdamW decay is lr*lambda*w": n["adamw_decay_max_error"] < 1e-6,
            "kept-norm ratio under L2 >= 2x AdamW's": n["adam_l2_keep_ratio"]
            >= 2 * n["adamw_keep_ratio"],
        }
    )


def test_adamw_vs_l2_sweep() -> None:
    counts = sweep(
        "adamw_vs_l2",
        [{}, {"scale_ratio": 20.0}, {"weight_decay": 0.6, "steps": 200}],
        expect_adamw_vs_l2,
        not_applicable=[{"weight_decay": 0.0, "steps": 50}, {"scale_ratio": 2.0, "steps": 50}],
    )
    assert counts["holds"] >= 10


# --------------------------------------------------------------------------- attention


def expect_attention(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "test accuracy > 0.9": n["test_accuracy"] > 0.9,
            "more than half the weight on the answer": n["mean_weight_on_target"] > 0.5,
            "memory ~ N^2 within 0.01": abs(n["memory_exponent"] - 2) <= 0.01,
            "time exponent > 1.5": n["time_exponent"] > 1.5,
            "at least 3 sizes": n["sizes"] >= 3,
        }
    )


def test_attention_sweep() -> None:
    sweep(
        "attention",
        [{}, {"seq_len": 6, "max_n": 1024}, {"d_model": 16, "steps": 200, "max_n": 1024}],
        expect_attention,
        not_applicable=[{"max_n": 512, "steps": 10}],
    )


# --------------------------------------------------------------------------- attention_scaling


def expect_attention_scaling(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "unscaled entropy < 25 % of log n": n["unscaled_entropy_dmax"] < 0.25,
            "unscaled gradient >= 10x smaller": n["scaled_grad_dmax"]
            >= 10 * n["unscaled_grad_dmax"],
            "scaled entropy within 10 %": n["scaled_entropy_drift"] <= 0.10,
            "mask blocks the future exactly": n["masked_future_influence"] == 0.0,
            "unmasked future >= 10 % of past": n["unmasked_future_over_past"] >= 0.10,
            "unscaled std reached 24": n["unscaled_score_std_dmax"] >= 24,
        }
    )


def test_attention_scaling_sweep() -> None:
    sweep(
        "attention_scaling",
        [{}, {"n_keys": 16}, {"seq_len": 6, "batch": 32}],
        expect_attention_scaling,
        not_applicable=[{"d_max": 64}, {"qk_std": 2.0}],
    )


# --------------------------------------------------------------------------- bagging


def expect_bagging(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "variance cut >= 2x": n["unstable_bagged_variance"]
            <= 0.5 * n["unstable_single_variance"],
            "test error cut >= 2x": n["unstable_bagged_test_mse"]
            <= 0.5 * n["unstable_single_test_mse"],
            "ratio at most half the stable fit's": n["unstable_mse_ratio"]
            <= 0.5 * n["stable_bagged_test_mse"] / n["stable_single_test_mse"],
            "degree above the stable one": p["degree"] > p["stable_degree"],
        }
    )


def test_bagging_sweep() -> None:
    counts = sweep(
        "bagging",
        [{}, {"degree": 10}, {"n_train": 20, "noise": 0.5, "train_sets": 50}],
        expect_bagging,
        not_applicable=[{"degree": 2}, {"degree": 3, "stable_degree": 3}],
    )
    assert counts["holds"] >= 10  # the unstable degree-12 fit: bagging helps for every seed


# --------------------------------------------------------------------------- batch_size


def expect_batch_size(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "both nets fit (>= 99 %)": min(n["small_train_acc"], n["large_train_acc"]) >= 0.99,
            "large batch >= 2x sharper": n["large_sharpness"] >= 2 * n["small_sharpness"],
            "gap at least as large within 1 point": n["large_gap"] >= n["small_gap"] - 0.01,
        }
    )


def test_batch_size_sweep() -> None:
    sweep(
        "batch_size",
        [{}, {"eps": 0.3, "draws": 5}, {"hidden": 64, "draws": 5}],
        expect_batch_size,
        not_applicable=[{"large_batch": 16, "steps": 50, "draws": 1}],
    )


# --------------------------------------------------------------------------- batchnorm


def expect_batchnorm(n: Numbers, p: Params) -> list[str]:
    thr, chance = p["threshold"], math.log(10)
    bn_losses = [n[f"bn_loss_lr{i}"] for i in range(3)]
    plain_top = n["plain_loss_lr2"]
    return _missed(
        {
            "BN ends below the threshold at every rate": all(v <= thr for v in bn_losses),
            "plain diverges or stalls at lr_max": not plain_top <= 0.75 * chance,
            "a 50x range": n["lr2"] == pytest.approx(50 * n["lr0"]),
        }
    )


def test_batchnorm_sweep() -> None:
    sweep(
        "batchnorm",
        [{}, {"lr_max": 1.0, "steps": 60}, {"width": 32, "steps": 60}],
        expect_batchnorm,
        not_applicable=[{"depth": 1, "steps": 10}, {"threshold": 1.5, "steps": 10}],
    )


# --------------------------------------------------------------------------- bias_variance


def expect_bias_variance(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "bias^2 falls >= 10x": n["bias2_first"] >= 10 * n["bias2_last"],
            "variance rises >= 10x": n["variance_last"] >= 10 * n["variance_first"],
            "decomposition within 5 %": n["decomposition_error"] <= 0.05,
            "interior minimum": 0 < n["best_degree"] < p["max_degree"],
            "both ends >= 1.5x the minimum": min(n["test_first"], n["test_last"])
            >= 1.5 * n["test_min"],
        }
    )


def test_bias_variance_sweep() -> None:
    sweep(
        "bias_variance",
        [{}, {"noise": 0.5}, {"n_train": 25, "max_degree": 15}],
        expect_bias_variance,
        not_applicable=[{"noise": 0.0}, {"max_degree": 14}],
    )


# --------------------------------------------------------------------------- calibration


def expect_calibration(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "over-confident before": n["mean_conf_before"] - n["acc_before"] >= 0.02,
            "T > 1": n["temperature"] > 1,
            "ECE cut by at least a quarter": n["ece_after"] <= 0.75 * n["ece_before"],
            "accuracy exactly unchanged": n["acc_after"] == n["acc_before"],
        }
    )


def test_calibration_sweep() -> None:
    sweep(
        "calibration",
        [{}, {"hidden": 128}, {"noise": 0.4, "epochs": 40}],
        expect_calibration,
        not_applicable=[{"epochs": 3}],
    )


# --------------------------------------------------------------------------- ce_logits


def expect_ce_logits(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "logits net learnt (>= 90 %)": n["logits_accuracy"] >= 0.9,
            "double softmax gradient >= 3x smaller": n["logits_start_grad"]
            >= 3 * n["double_start_grad"],
            "double softmax CE >= 2x higher": n["double_ce"] >= 2 * n["logits_ce"],
            "sigmoid shrinks >= 2^depth": n["sigmoid_shrink"] >= 2.0 ** p["depth"],
            "ReLU within 10x": 0.1 <= n["relu_shrink"] <= 10,
        }
    )


def test_ce_logits_sweep() -> None:
    sweep(
        "ce_logits",
        [{}, {"classes": 5}, {"depth": 6, "steps": 60}],
        expect_ce_logits,
        not_applicable=[{"depth": 3}, {"lr": 0.001, "steps": 10}],
    )


# --------------------------------------------------------------------------- conv_kernels


def expect_conv_kernels(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "noise is little": p["noise"] * 72**0.5 < 0.1 * n["outline_edge_mean_abs"],
            "edges >= 10x flat": n["outline_edge_mean_abs"] >= 10 * n["outline_flat_mean_abs"],
            "blur lowers TV >= 5 %": n["tv_blur"] <= 0.95 * n["tv_input"],
            "more passes lower it further": n["tv_after_all_blurs"] < n["tv_blur"],
            "sharpen raises TV >= 2x": n["tv_sharpen"] >= 2 * n["tv_input"],
            "conv2d = window sum": n["conv2d_vs_window_max_err"] < 1e-5,
        }
    )


def test_conv_kernels_sweep() -> None:
    sweep(
        "conv_kernels",
        [{}, {"image": "digit"}, {"noise": 0.0, "size": 64}],
        expect_conv_kernels,
        not_applicable=[{"noise": 0.1}],
    )


# --------------------------------------------------------------------------- cross_validation


def expect_cross_validation(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "plain share std >= 1 point": n["plain_pos_frac_std"] >= 0.01,
            "stratified counts within one": n["stratified_pos_count_max"]
            - n["stratified_pos_count_min"]
            <= 1,
            "plain scores vary >= 1.2x more": n["plain_fold_logloss_std"]
            >= 1.2 * n["stratified_fold_logloss_std"],
            "at least k positives": n["n_positives"] >= p["k"],
        }
    )


def test_cross_validation_sweep() -> None:
    sweep(
        "cross_validation",
        [{}, {"k": 10, "repeats": 10}, {"n": 300, "repeats": 10}],
        expect_cross_validation,
        not_applicable=[{"positive_rate": 0.3, "repeats": 2}, {"n": 60, "repeats": 2}],
    )


# --------------------------------------------------------------------------- densenet


def expect_densenet(n: Numbers, p: Params) -> list[str]:
    c0, k, layers = p["c0"], p["growth"], p["layers"]
    dense = sum((c0 + i * k) * (9 * k + 2) for i in range(layers))  # conv 3x3 k maps + BN
    wide = layers * (9 * (c0 + layers * k) ** 2 + 2 * (c0 + layers * k))
    return _missed(
        {
            "dense channels c0 + L*k": n["dense_out_channels"] == c0 + layers * k,
            "residual channels c0": n["residual_out_channels"] == c0,
            "dense parameter count": n["dense_params"] == dense,
            "wide residual parameter count": n["residual_wide_params"] == wide,
            "dense at most a third": 3 * n["dense_params"] <= n["residual_wide_params"],
        }
    )


def test_densenet_sweep() -> None:
    sweep(
        "densenet",
        [{}, {"c0": 8, "growth": 32, "layers": 2, "steps": 0}, {"layers": 6, "steps": 0}],
        expect_densenet,
    )


# --------------------------------------------------------------------------- detection


def expect_detection(n: Numbers, p: Params) -> list[str]:
    thr = p["iou_threshold"]
    return _missed(
        {
            "duplicates overlap more than the threshold": n["own_min_iou"] > thr,
            "objects overlap less than the threshold": n["cross_max_iou"] < thr,
            "one box per object": n["kept_after_nms"]
            == n["objects"]
            == n["objects_with_exactly_one_box"]
            == p["objects"],
            "no stray box": n["stray_boxes"] == 0,
            "IoU = pixel count": n["iou_max_abs_error"] < 1e-6,
        }
    )


def test_detection_sweep() -> None:
    sweep(
        "detection",
        [{}, {"objects": 8, "per_object": 4}, {"iou_threshold": 0.3, "iou_pairs": 20}],
        expect_detection,
        not_applicable=[{"jitter": 0.3, "iou_pairs": 5}, {"iou_threshold": 0.95, "iou_pairs": 5}],
    )


# --------------------------------------------------------------------------- diffusion


def expect_diffusion(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "schedule reaches noise": n["forward_end_sqrt_abar"] <= 0.05,
            "forward mean within 0.1": max(
                abs(n["forward_end_mean_x"]), abs(n["forward_end_mean_y"])
            )
            < 0.1,
            "forward std within 10 %": all(
                0.9 < n[f"forward_end_std_{c}"] < 1.1 for c in ("x", "y")
            ),
            "nearest-data distance < 40 % of the start's": n["dist_samples"]
            < 0.4 * n["dist_start"],
            "histogram distance < half the start's": n["tv_samples"] < 0.5 * n["tv_start"],
        }
    )


def test_diffusion_sweep() -> None:
    sweep(
        "diffusion",
        [{}, {"T": 50}, {"schedule": "linear", "T": 200, "steps": 600}],
        expect_diffusion,
        not_applicable=[{"schedule": "linear", "T": 10, "steps": 5}],
    )


# --------------------------------------------------------------------------- early_stopping


def expect_early_stopping(n: Numbers, p: Params) -> list[str]:
    return _missed(
        {
            "stopped": n["stopped"] == 1,
            "val loss ends >= 1.1x its best": n["val_loss_end"] >= 1.1 * n["val_loss_best"],
            "train loss ends <= half its best-epoch value": n["train_loss_end"]
            <= 0.5 * n["train_loss_best"],
            "gap larger at the end": n["gap_end"] > n["gap_best"],
            "noisy labels": n["wrong_label_fraction"] > 0,
        }
    )


def test_early_stopping_sweep() -> None:
    sweep(
        "early_stopping",
        [{}, {"patience": 5}, {"label_noise": 0.4, "n_val": 150}],
        expect_early_stopping,
        not_applicable=[{"label_noise": 0.0, "epochs": 3}, {"epochs": 8, "patience": 10}],
    )

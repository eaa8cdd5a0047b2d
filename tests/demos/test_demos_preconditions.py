"""Verdicts that cannot contradict their numbers: outside a claim's preconditions the verdict
is "does not apply" (with the reason), where the effect is absent it is DOES NOT HOLD, and
each is asserted from the run's own numbers.  Quick settings with one parameter changed."""

from __future__ import annotations

from typing import Any

from demos._base import Verdict, run_inline


def run(name: str, **params: Any) -> Verdict:
    events, verdict = run_inline(name, quick=True, params=params)
    event = next(e for e in events if e["type"] == "verdict")
    assert event["status"] == verdict.status
    assert event["claim"] and event["caveats"] == list(verdict.caveats)
    assert verdict.status != "does_not_apply" or (verdict.reason and not verdict.claim_holds)
    return verdict


def test_batch_size_does_not_apply_before_both_nets_fit() -> None:
    v = run("batch_size", steps=50)
    n = v.numbers
    assert v.status == "does_not_apply" and "train accuracy" in v.reason
    assert min(n["small_train_acc"], n["large_train_acc"]) < 0.99
    assert "50 SGD steps" in v.claim


def test_batch_size_does_not_apply_when_the_large_batch_is_not_larger() -> None:
    v = run("batch_size", small_batch=400)
    assert v.status == "does_not_apply" and "not larger" in v.reason


def test_batch_size_holds_only_with_both_halves_of_the_claim() -> None:
    v = run("batch_size")
    n = v.numbers
    assert v.status == "holds"
    assert n["sharpness_ratio"] >= 2.0 and n["large_gap"] >= n["small_gap"] - 0.01


def test_calibration_does_not_apply_to_an_under_confident_net() -> None:
    v = run("calibration", epochs=3)
    n = v.numbers
    assert v.status == "does_not_apply" and "not over-confident" in v.reason
    assert n["mean_conf_before"] - n["acc_before"] < 0.02 or n["temperature"] <= 1.0
    assert "3 epochs" in v.claim


def test_calibration_holds_with_a_quarter_off_the_ece() -> None:
    v = run("calibration")
    n = v.numbers
    assert v.status == "holds" and n["temperature"] > 1.0
    assert n["ece_after"] <= 0.75 * n["ece_before"] and n["acc_after"] == n["acc_before"]


def test_gan_one_mode_is_not_enough() -> None:
    v = run("gan", steps=20)
    n = v.numbers
    assert v.status == "fails" and n["modes_trained"] < 6


def test_gan_does_not_apply_when_the_count_cannot_see_the_data_modes() -> None:
    v = run("gan", steps=20, radius=0.05, std=0.1)
    n = v.numbers
    assert v.status == "does_not_apply" and n["modes_in_real_data"] < 8
    assert "radius 0.05" in v.claim or "within 0.05" in v.claim


def test_label_smoothing_does_not_apply_when_the_plain_net_is_not_over_confident() -> None:
    v = run("label_smoothing", noise=0.0, epochs=2)
    n = v.numbers
    assert v.status == "does_not_apply" and n["plain_overconfidence"] < 0.01
    assert "noise 0" in v.claim


def test_universal_approx_needs_narrow_and_wide_widths() -> None:
    v = run("universal_approx", widths="1,2", steps=50)
    assert v.status == "does_not_apply" and "1..2" in v.reason
    assert "width 2 than at width 1" in v.claim


def test_regularization_does_not_apply_without_a_regulariser_or_over_fitting() -> None:
    v = run("regularization", weight_decay=0.0, steps=20)
    assert v.status == "does_not_apply" and "weight_decay=0" in v.reason
    v = run("regularization", label_noise=0.0, n_train=1000, steps=20)
    n = v.numbers
    assert v.status == "does_not_apply"
    assert n["none_train_acc"] < 0.95 or n["none_acc_gap"] < 0.1


def test_optimizers_a_long_check_is_not_failed_by_round_off() -> None:
    v = run("optimizers", check_steps=1000)
    n = v.numbers
    assert v.status == "holds" and n["check_max"] < 1e-6
    # Adadelta's trajectory turns chaotic: the check stops where two torch runs part
    assert n["check_steps_adadelta"] < 1000 and n["check_steps_sgd"] == 1000


def test_rnn_memory_does_not_apply_to_a_short_lag() -> None:
    v = run("rnn_memory", T=10)
    n = v.numbers
    assert v.status == "does_not_apply" and n["rnn_grad_ratio_init"] >= 1e-3

"""The issue-13 demos: adamw_vs_l2, attention_scaling, exploding_gradients, bias_variance,
ce_logits.  Each runs with quick=True on the CPU (the shared cached run) and must show its
concept in the numbers it measured; a non-default setting checks the precondition path."""

from __future__ import annotations

from demokit import quick_run

from demos._base import run_inline


def test_adamw_vs_l2_decay_goes_through_the_denominator() -> None:
    events, v = quick_run("adamw_vs_l2")
    n = v.numbers
    assert v.claim_holds
    # Adam + L2: decay per step shrinks with the gradient history, group by group
    assert n["adam_l2_decay_low"] > n["adam_l2_decay_mid"] > n["adam_l2_decay_high"]
    assert n["adam_l2_decay_low"] >= 10 * n["adam_l2_decay_high"]
    assert n["adam_l2_sqrt_v_high"] >= 10 * n["adam_l2_sqrt_v_low"]
    # AdamW: exactly lr * lambda * w for every weight
    assert n["adamw_decay_max_error"] < 1e-9
    # the weights: Adam + L2 keeps the high-gradient group, strips the low-gradient one
    assert n["adam_l2_keep_high"] > 0.95 and n["adam_l2_keep_low"] < 0.5
    assert n["adam_l2_keep_ratio"] >= 2 * n["adamw_keep_ratio"]
    assert any(e["type"] == "table" for e in events)


def test_adamw_vs_l2_does_not_apply_without_decay_or_scale_spread() -> None:
    _, v = run_inline("adamw_vs_l2", params={"weight_decay": 0.0, "steps": 50})
    assert not v.claim_holds and v.summary.startswith("does not apply")
    _, v = run_inline("adamw_vs_l2", params={"scale_ratio": 1.0, "steps": 100})
    assert not v.claim_holds and v.summary.startswith("does not apply")

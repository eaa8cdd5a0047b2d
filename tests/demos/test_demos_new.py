"""The issue-13 demos: adamw_vs_l2, attention_scaling, exploding_gradients, bias_variance,
ce_logits.  Each runs with quick=True on the CPU (the shared cached run) and must show its
concept in the numbers it measured; a non-default setting checks the precondition path."""

from __future__ import annotations

import itertools

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
    assert v.status == "does_not_apply" and not v.claim_holds and "weight_decay is 0" in v.reason
    assert "weight_decay=0 (L2)" in v.claim
    _, v = run_inline("adamw_vs_l2", params={"scale_ratio": 1.0, "steps": 100})
    assert v.status == "does_not_apply" and not v.claim_holds and "raise scale_ratio" in v.reason
    assert "scaled 1/1, 1 and 1" in v.claim


def test_attention_scaling_saturation_and_causal_mask() -> None:
    events, v = quick_run("attention_scaling")
    n = v.numbers
    assert v.claim_holds
    # scores spread as sqrt(d_k) without the scale (d_k = 1024: std ~32), ~1 with it
    assert 25 < n["unscaled_score_std_dmax"] < 40 and 0.8 < n["scaled_score_std_dmax"] < 1.25
    assert n["unscaled_entropy_dmax"] < 0.25 < 0.75 < n["scaled_entropy_dmax"]
    assert n["unscaled_max_weight_dmax"] > 0.8
    assert n["scaled_grad_dmax"] >= 10 * n["unscaled_grad_dmax"]
    # the mask: exactly no path from later inputs; without it a large one
    assert n["masked_future_influence"] == 0.0
    assert n["unmasked_future_over_past"] > 0.3
    images = [e for e in events if e["type"] == "image"]
    assert len(images) == 2
    masked = images[0]["pixels"]
    side = len(masked)
    assert all(masked[r][c] == 0 for r in range(side) for c in range(side) if c // 4 > r // 4)


def test_attention_scaling_does_not_apply_outside_its_assumptions() -> None:
    _, v = run_inline("attention_scaling", params={"d_max": 64, "batch": 32})
    assert v.status == "does_not_apply" and not v.claim_holds and "raise d_max" in v.reason
    assert "at d_k = 64" in v.claim
    _, v = run_inline("attention_scaling", params={"qk_std": 2.0, "d_max": 16, "batch": 32})
    assert v.status == "does_not_apply" and "unit-variance" in v.reason


def test_exploding_gradients_grow_as_rho_to_the_k_and_clipping_saves_training() -> None:
    events, v = quick_run("exploding_gradients")
    n = v.numbers
    assert v.claim_holds
    # rho = 1.15 over 20 steps: 1.15^20 = 16.4, exactly, since W = rho * orthogonal
    assert abs(n["growth_factor"] - 1.15) < 1e-3
    assert abs(n["grad_ratio"] - 1.15**20) < 0.01 * 1.15**20
    # plain SGD overflows after a first step hundreds of times longer than the clipped bound
    assert n["plain_diverged"] == 1.0 and n["plain_first_move"] > 100 * n["step_bound"]
    # clipped: every step within lr * max_norm, and the student learns the teacher
    assert n["clipped_max_move"] <= n["step_bound"] * (1 + 1e-4)
    assert n["clipped_final_loss"] < 0.25 * n["zero_loss"] < n["start_loss"]
    table = next(e for e in events if e["type"] == "table")
    first, last = table["rows"][0], table["rows"][-1]
    assert first["rho 0.9"] == first["rho 1.0"] == first["rho 1.15"]  # k = 0: |v| for all
    assert last["rho 0.9"] < first["rho 0.9"] and last["rho 1.15"] > 10 * first["rho 1.15"]


def test_exploding_gradients_does_not_apply_below_radius_one() -> None:
    _, v = run_inline("exploding_gradients", params={"radius": 0.9, "steps": 10})
    assert v.status == "does_not_apply" and not v.claim_holds and "radius 0.9" in v.reason
    assert "spectral radius 0.9" in v.claim


def test_bias_variance_u_curve() -> None:
    events, v = quick_run("bias_variance")
    n = v.numbers
    assert v.claim_holds
    rows = next(e for e in events if e["type"] == "table")["rows"]
    bias2 = [r["bias^2"] for r in rows]
    var = [r["variance"] for r in rows]
    test = [r["test error"] for r in rows]
    # variance grows with every degree; bias^2 falls from the constant fit to the highest
    assert all(b > a for a, b in itertools.pairwise(var))
    assert bias2[0] > 0.3 and bias2[-1] < 0.01
    # the U: interior minimum, well below both ends, and the decomposition adds up
    best = test.index(min(test))
    assert 0 < best < len(test) - 1 and best == n["best_degree"]
    assert min(test[0], test[-1]) > 3 * test[best]
    for r in rows:
        total = r["bias^2"] + r["variance"] + 0.3**2
        assert abs(total - r["test error"]) < 0.05 * r["test error"]
    assert any(e["type"] == "image" for e in events)


def test_bias_variance_preconditions() -> None:
    _, v = run_inline("bias_variance", params={"noise": 0.0, "resamples": 20})
    assert v.status == "does_not_apply" and not v.claim_holds and "noise is 0" in v.reason
    assert "noise std 0:" in v.claim
    _, v = run_inline("bias_variance", params={"n_train": 10, "max_degree": 9, "resamples": 20})
    assert (
        v.status == "does_not_apply"
        and not v.claim_holds
        and "at least 11 training points" in v.reason
    )
    assert "degree 0 to 9" in v.claim


def test_ce_logits_double_softmax_and_sigmoid_depth() -> None:
    events, v = quick_run("ce_logits")
    n = v.numbers
    assert v.claim_holds
    # the double softmax: squashed gradient, slower training, a loss that cannot reach 0
    assert n["grad_ratio"] >= 3
    assert n["double_ce"] >= 2 * n["logits_ce"]
    assert n["logits_accuracy"] > n["double_accuracy"] + 0.2
    assert n["double_own_loss"] >= n["double_loss_floor"] > 1.4  # K = 10: log(e + 9) - 1
    # depth: sigmoid loses orders of magnitude over 10 layers, ReLU (He init) keeps its size
    assert n["sigmoid_shrink"] > 1e3 and 0.1 < n["relu_shrink"] < 10
    assert n["relu_first_layer_grad"] > 1e3 * n["sigmoid_first_layer_grad"]
    rows = next(e for e in events if e["type"] == "table")["rows"]
    sigmoid = [r["sigmoid"] for r in rows]
    assert all(b > a for a, b in itertools.pairwise(sigmoid))  # grows toward the output


def test_ce_logits_does_not_apply_when_the_logits_net_has_not_learned() -> None:
    _, v = run_inline("ce_logits", params={"steps": 10, "lr": 0.001, "depth": 4})
    assert v.status == "does_not_apply" and not v.claim_holds and "training accuracy" in v.reason
    assert "same 10 SGD steps" in v.claim

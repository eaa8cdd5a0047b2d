"""Demos part 1: optimizers, param_count, conv_kernels, detection, positional_encoding,
attention.  Each runs with quick=True on the CPU through its run() and must show its claim
in the numbers it measured."""

from __future__ import annotations

import itertools

import pytest
import torch
from demokit import quick_run

from demos import attention, conv_kernels, detection, optimizers, param_count
from demos import positional_encoding as pe_demo
from demos._base import run_inline
from studytool.demorun.params import DemoParamError


def kinds(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def check_events(events: list[dict], *, metric: bool = True, image: bool = True) -> None:
    k = kinds(events)
    assert k[0] == "start" and k[-2:] == ["verdict", "done"]
    assert events[0]["device"] == "cpu" and events[0]["quick"] is True
    if metric:
        assert "metric" in k
    if image:
        assert "image" in k
        for e in events:
            if e["type"] == "image":
                assert len(e["shape"]) in (2, 3) and len(e["pixels"]) == e["shape"][0]


# --------------------------------------------------------------------------- optimizers


@pytest.mark.parametrize("name", optimizers.OPTIMIZERS)
@pytest.mark.parametrize("surface", ["rosenbrock", "beale"])
def test_hand_written_rule_matches_torch_optim(name, surface):
    diff = optimizers.max_rule_difference(name, surface, steps=150)
    assert diff < 1e-6, (name, surface, diff)
    # and the trajectory really moved (a frozen point would match trivially)
    _, grad, start, _, _ = optimizers.SURFACES[surface]
    x0 = torch.tensor(start, dtype=torch.float64)
    path = optimizers.trajectory(name, grad, x0, optimizers.CHECK_LR[name], 150)
    assert float((path[-1] - x0).norm()) > 1e-2


def test_rules_with_other_hyperparameters_match_torch():
    _, grad, start, _, _ = optimizers.SURFACES["rosenbrock"]
    x0 = torch.tensor(start, dtype=torch.float64)
    for name in ("momentum", "nesterov"):
        a = optimizers.trajectory(name, grad, x0, 5e-4, 100, mu=0.5)
        b = optimizers.torch_trajectory(name, grad, x0, 5e-4, 100, mu=0.5)
        assert float((a - b).abs().max()) < 1e-6


def test_optimizers_demo():
    events, v = quick_run("optimizers")
    check_events(events)
    n = v.numbers
    assert v.claim_holds
    assert n["check_max"] < 1e-6
    # matched lr: momentum far ahead of plain SGD
    assert n["momentum_dist_matched_lr"] < 0.5 * n["sgd_dist_matched_lr"]
    # each at its best lr: momentum and Adam beat SGD
    assert n["momentum_dist"] < n["sgd_dist"] and n["adam_dist"] < n["sgd_dist"]
    assert n["sgd_dist"] > 0.1
    metric_series = set(next(e for e in events if e["type"] == "metric")["values"])
    assert metric_series == set(optimizers.OPTIMIZERS)


def test_optimizers_demo_on_beale():
    _, v = run_inline("optimizers", quick=True, params={"surface": "beale", "check_steps": 10})
    assert v.claim_holds and v.numbers["adam_dist"] < v.numbers["sgd_dist"]


# --------------------------------------------------------------------------- param_count


def test_param_formulas():
    assert param_count.conv_params(3, 64, 3) == 3 * 3 * 3 * 64 + 64
    assert param_count.conv_params(64, 64, 3, bias=False) == 9 * 64 * 64
    assert param_count.conv_params(8, 16, (1, 5), groups=4) == 5 * 2 * 16 + 16
    assert param_count.numel(torch.nn.Conv2d(8, 16, (1, 5), groups=4)) == 5 * 2 * 16 + 16
    assert param_count.linear_params(784, 10) == 7850


def test_param_count_demo():
    events, v = quick_run("param_count")
    check_events(events)
    n = v.numbers
    assert v.claim_holds
    assert n["formula_mismatches"] == 0 and n["layers_checked"] >= 60
    c = 64
    assert n["params_two_3x3"] == 18 * c * c and n["params_one_5x5"] == 25 * c * c
    assert n["params_three_3x3"] == 27 * c * c and n["params_one_7x7"] == 49 * c * c
    assert n["rf_two_3x3"] == n["rf_one_5x5"] == 5
    assert n["rf_three_3x3"] == n["rf_one_7x7"] == 7
    assert n["params_plain_3x3"] == 9 * 256 * 256
    assert n["params_bottleneck"] == 256 * 64 + 9 * 64 * 64 + 64 * 256
    assert n["bottleneck_saving"] > 8


# --------------------------------------------------------------------------- conv_kernels


def test_conv_is_cross_correlation():
    img = torch.arange(25.0).view(5, 5)
    k = torch.tensor([[0.0, 0, 0], [0, 0, 1], [0, 0, 0]])  # picks the right neighbour
    out = conv_kernels.filter2d(img, k)
    assert torch.equal(out, img[1:-1, 2:])
    assert torch.allclose(out, conv_kernels.sliding_window(img, k))


def test_conv_kernels_demo():
    events, v = quick_run("conv_kernels")
    check_events(events)
    n = v.numbers
    assert v.claim_holds
    assert n["outline_edge_mean_abs"] > 10 * n["outline_flat_mean_abs"]
    assert n["outline_flat_mean_abs"] < 0.1 and n["outline_edge_mean_abs"] > 1.0
    assert n["tv_blur"] < n["tv_input"] < n["tv_sharpen"]
    assert n["tv_after_all_blurs"] < n["tv_blur"]
    assert n["conv2d_vs_window_max_err"] < 1e-5
    tv = [e["values"]["total_variation"] for e in events if e["type"] == "metric"]
    assert all(b < a for a, b in itertools.pairwise(tv))


def test_conv_kernels_on_a_digit_and_without_noise():
    _, v = run_inline("conv_kernels", quick=True, params={"image": "digit"})
    assert v.claim_holds
    _, clean = run_inline("conv_kernels", quick=True, params={"noise": 0.0, "size": 64})
    n = clean.numbers
    assert n["outline_flat_mean_abs"] < 1e-6 and n["outline_edge_mean_abs"] > 1.0
    # the caveat: a blurred straight edge is a ramp, whose total variation equals the step's,
    # so on a clean image blur barely lowers it (most of the usual drop is averaged noise)
    assert 0.9 * n["tv_input"] < n["tv_blur"] < n["tv_input"]


def test_conv_kernels_states_its_condition():
    # heavy noise: the outline kernel amplifies it, the verdict must say so
    _, v = run_inline("conv_kernels", quick=True, params={"noise": 0.3})
    assert v.status == "does_not_apply" and "noise" in v.reason
    assert v.numbers["edge_to_flat_ratio"] < 10


# --------------------------------------------------------------------------- detection


def test_box_iou_against_brute_force():
    from demos._common import box_iou

    gen = torch.Generator().manual_seed(1)
    for _ in range(100):
        a = torch.randint(0, 30, (4,), generator=gen)
        b = torch.randint(0, 30, (4,), generator=gen)
        a = [
            int(min(a[0], a[2])),
            int(min(a[1], a[3])),
            int(max(a[0], a[2])) + 1,
            int(max(a[1], a[3])) + 1,
        ]
        b = [
            int(min(b[0], b[2])),
            int(min(b[1], b[3])),
            int(max(b[0], b[2])) + 1,
            int(max(b[1], b[3])) + 1,
        ]
        fast = float(
            box_iou(torch.tensor([a], dtype=torch.float32), torch.tensor([b], dtype=torch.float32))
        )
        assert abs(fast - detection.brute_force_iou(a, b)) < 1e-6
    same = torch.tensor([[0.0, 0, 10, 10]])
    assert float(box_iou(same, same)) == 1.0
    assert float(box_iou(same, same + 20)) == 0.0


def test_nms_basics():
    from demos._common import nms

    boxes = torch.tensor([[0.0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60], [0, 0, 10, 9]])
    scores = torch.tensor([0.9, 0.8, 0.7, 0.95])
    assert nms(boxes, scores, 0.5).tolist() == [3, 2]


def test_detection_demo():
    events, v = quick_run("detection")
    check_events(events)
    n = v.numbers
    assert v.claim_holds
    assert n["candidates"] == n["objects"] * 8
    assert n["kept_after_nms"] == n["objects"] == n["objects_with_exactly_one_box"]
    assert n["duplicates_left"] == 0 and n["missed_objects"] == 0 and n["stray_boxes"] == 0
    assert n["iou_max_abs_error"] < 1e-6


def test_detection_high_threshold_keeps_duplicates():
    _, v = run_inline("detection", quick=True, params={"iou_threshold": 0.9, "iou_pairs": 5})
    # duplicates no longer overlap their best box by more than 0.9: outside the claim's condition
    assert v.status == "does_not_apply" and v.numbers["own_min_iou"] <= 0.9
    assert v.numbers["duplicates_left"] > 0 and v.answers["threshold_09"] == 2


# --------------------------------------------------------------------------- positional encoding


def test_shift_matrix_is_a_rotation():
    pe = pe_demo.positional_encoding(50, 16)
    m = pe_demo.shift_matrix(7, 16)
    assert torch.allclose(pe[:-7] @ m.T, pe[7:], atol=1e-12)
    assert torch.allclose(m.T @ m, torch.eye(16, dtype=m.dtype), atol=1e-12)


def test_positional_encoding_demo():
    events, v = quick_run("positional_encoding")
    check_events(events)
    n = v.numbers
    assert v.claim_holds
    assert n["max_shift_error"] < 1e-9 and n["rotation_orthogonality_error"] < 1e-9
    assert n["max_dot_spread_sinusoidal"] < 1e-9 < 1.0 < n["max_dot_spread_random"]
    assert abs(n["norm_min"] - 32**0.5) < 1e-9 and abs(n["norm_max"] - 32**0.5) < 1e-9
    assert n["dot_at_offset_0"] == pytest.approx(32.0)
    dots = [e["values"] for e in events if e["type"] == "metric"]
    for d in dots:
        assert d["sinusoidal_dot"] == pytest.approx(d["predicted"], abs=1e-6)


def test_positional_encoding_odd_width_is_a_param_error():
    with pytest.raises(DemoParamError, match="must be even"):
        run_inline("positional_encoding", quick=True, params={"d_model": 7})


# --------------------------------------------------------------------------- attention


def test_attention_demo():
    events, v = quick_run("attention")
    check_events(events)
    n = v.numbers
    assert v.claim_holds
    assert n["test_accuracy"] > 0.9 and n["chance_accuracy"] == pytest.approx(0.1)
    assert n["mean_weight_on_target"] > 0.5 > n["uniform_weight"]
    assert n["argmax_on_target"] > 0.9
    assert abs(n["memory_exponent"] - 2.0) < 0.01
    assert n["time_exponent"] > 1.5
    assert n["projection_time_exponent"] < n["time_exponent"]
    assert n["score_matrix_MB_at_largest_n"] == pytest.approx(2048**2 * 4 / 2**20)
    image = next(e for e in events if e["type"] == "image")
    assert image["shape"] == [16, 2 * 10 + 1]


def test_attention_fit_exponent():
    ns = [256, 512, 1024]
    assert attention.fit_exponent(ns, [n**2 for n in ns]) == pytest.approx(2.0)
    assert attention.fit_exponent(ns, [3 * n for n in ns]) == pytest.approx(1.0)


def test_shared_train_loop():
    from demos._base import RecordingReporter
    from demos._common import train_classifier

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(256, 2, generator=gen)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = torch.nn.Linear(2, 2)
    rep = RecordingReporter()
    losses = train_classifier(model, x, y, steps=60, lr=0.05, gen=gen, report=rep)
    assert len(losses) == 60 and losses[-1] < 0.5 * losses[0]
    assert len(rep.of_type("metric")) == 6

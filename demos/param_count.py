"""Counting parameters: the conv/linear formulas, 3x3+3x3 vs 5x5, and the 1x1 bottleneck.

* A conv layer has (k_h * k_w * C_in / groups + 1) * C_out parameters (the +1 is the bias),
  a linear layer (in + 1) * out.  Checked against ``numel()`` of real torch layers with
  random shapes.
* Two stacked 3x3 convs see a 5x5 window (three see 7x7), like one 5x5 (7x7) conv, with
  18 C^2 instead of 25 C^2 weights (27 C^2 instead of 49 C^2).  The receptive field is
  measured, not assumed: the gradient of one output pixel with respect to the input is
  non-zero exactly on the pixels that output can see.
* A 1x1 -> 3x3 -> 1x1 bottleneck (256 -> 64 -> 64 -> 256) replaces a 3x3 conv 256 -> 256
  with a fraction of the weights: 2 w m + 9 m^2 against 9 w^2 for m = w / squeeze, i.e.
  9 / (2 / s + 9 / s^2) times fewer (8.5x at s = 4, 5.4x at s = 3, only 2.8x at s = 2).

Precondition (else "does not apply"): squeeze >= 2, so that the middle is narrower than the
block (squeeze = 1 is no bottleneck at all).

Honest caveats:
* these are weight counts; the compute (multiply-adds) of a conv also scales with the
  output's height x width, which the counts leave out.
* two 3x3 convs match a 5x5's window, not its function: with a nonlinearity between them they
  are a different (deeper) function; without one they are a 5x5 conv of a restricted form.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="param_count",
    title_en="Counting parameters: conv formula, 3x3 vs 5x5, 1x1 bottleneck",
    title_ko="파라미터 수 세기: 합성곱 공식, 3x3 두 번 vs 5x5, 1x1 병목",
    concept="parameter count and receptive field",
    claim=(
        "A conv layer has (k*k*C_in/groups+1)*C_out parameters; two stacked 3x3 convs see the "
        "same 5x5 window as one 5x5 conv with 18C^2 instead of 25C^2 weights, and a 1x1 bottleneck "
        "cuts a 3x3 conv's weights several-fold (at least 3x)."
    ),
    params=(
        Param("seed", 0, "random seed for the random layer shapes", min=0, max=2**31 - 1),
        Param("channels", 64, "channels C of the 3x3-vs-5x5 comparison", min=1, max=512),
        Param("wide", 256, "channels of the bottleneck block's input/output", min=4, max=2048),
        Param("squeeze", 4, "bottleneck reduction factor (mid = wide / squeeze)", min=1, max=64),
        Param(
            "n_random",
            200,
            "random layer shapes checked against numel()",
            min=1,
            max=5000,
            quick=30,
        ),
    ),
    cards=(
        "conv-basics/pooling-param-count",
        "conv-basics/param-count-formula",
        "conv-basics/param-count-formula-cloze",
        "conv-basics/param-count-3x3-128-64-nobias",
        "conv-basics/param-count-3x3-128-64-bias",
        "conv-basics/param-count-5x5-3-6",
        "conv-basics/param-count-alexnet-conv1",
        "conv-basics/param-count-alexnet-fc6",
        "conv-basics/params-independent-of-image-size",
        "conv-basics/one-by-one-conv-uses",
        "conv-basics/one-by-one-params",
        "conv-basics/bottleneck-ratio-percent",
        "conv-basics/gap-fc-params",
        "cv-apps/convolutionalization-params",
        "generated/conv-params",
        "generated/bottleneck-savings",
        "generated/mlp-params",
        "modern-cnn/vgg-two-3x3-receptive-field",
        "modern-cnn/vgg-two-3x3-params",
        "modern-cnn/vgg-one-5x5-params",
        "modern-cnn/vgg-three-3x3-vs-7x7",
        "modern-cnn/vgg-why-3x3",
        "modern-cnn/vgg16-total-params",
        "modern-cnn/inception-5x5-direct",
        "modern-cnn/inception-5x5-reduced",
        "modern-cnn/resnet-projection-params",
        "modern-cnn/resnet-bottleneck-params",
        "modern-cnn/resnet-basic-block-params",
        "peer-questions/fc-fixed-input-size",
        "peer-questions/fc-flatten-size",
    ),
    predictions=(
        Prediction(
            id="window",
            prompt_en="How large a window of the input does one output pixel of two stacked 3x3 "
            "convs (stride 1) see?",
            prompt_ko="3x3 합성곱 두 개(스트라이드 1)를 쌓으면 출력 픽셀 하나가 보는 입력 창은 "
            "얼마나 큰가?",
            options_en=("3x3", "5x5", "6x6", "9x9"),
            options_ko=("3x3", "5x5", "6x6", "9x9"),
            card="modern-cnn/vgg-two-3x3-receptive-field",
        ),
        Prediction(
            id="ratio_5x5",
            prompt_en="One 5x5 conv has how many times the weights of two stacked 3x3 convs "
            "(same channel count in and out, no bias)?",
            prompt_ko="5x5 합성곱 하나는 3x3 합성곱 두 개(입출력 채널 수 같음, 편향 없음)보다 "
            "가중치가 몇 배인가?",
            tolerance=0.05,
            unit="x",
            card="modern-cnn/vgg-two-3x3-params",
        ),
        Prediction(
            id="bottleneck",
            prompt_en="A 1x1 -> 3x3 -> 1x1 bottleneck narrows the block's channels by the "
            "squeeze factor in the middle. How many times fewer weights does it have than one "
            "3x3 conv on the full channels (the run's wide and squeeze, no bias)?",
            prompt_ko="1x1 -> 3x3 -> 1x1 병목은 가운데에서 채널을 squeeze 배 줄인다. 전체 채널에 "
            "대한 3x3 합성곱 하나보다 가중치가 몇 배 적은가 (실행의 wide, squeeze, 편향 없음)?",
            rel_tolerance=0.1,
            unit="x fewer",
            card="generated/bottleneck-savings",
        ),
    ),
)

CAVEATS = (
    "Weight counts only: a conv's compute (multiply-adds) also scales with the output's height "
    "x width.",
    "Two 3x3 convs match a 5x5's window, not its function: with a nonlinearity between them "
    "they compute a different, deeper function.",
)
MIN_SAVING = 3.0  # "several-fold"
WINDOWS = (3, 5, 6, 9)  # the options of the "window" prediction


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    c, wide, s = int(params["channels"]), int(params["wide"]), int(params["squeeze"])
    return (
        f"A conv layer has (k*k*C_in/groups+1)*C_out parameters (checked on "
        f"{2 * int(params['n_random'])} random layers); with C = {c} channels two stacked 3x3 "
        "convs see the same 5x5 window as one 5x5 conv with 18C^2 instead of 25C^2 weights "
        "(three see 7x7 with 27C^2 instead of 49C^2), and a 1x1 bottleneck "
        f"{wide} -> {max(1, wide // s)} -> {wide} cuts a 3x3 conv's weights at least "
        f"{MIN_SAVING:g}x."
    )


def conv_params(
    c_in: int, c_out: int, k: int | tuple[int, int], groups: int = 1, bias: bool = True
) -> int:
    """Parameters of ``nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias)`` by the formula."""
    kh, kw = (k, k) if isinstance(k, int) else k
    return kh * kw * (c_in // groups) * c_out + (c_out if bias else 0)


def linear_params(n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + (n_out if bias else 0)


def numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def receptive_field(stack: nn.Module, size: int = 21) -> tuple[int, torch.Tensor]:
    """Measured receptive field of the centre output pixel: (side length, |grad| map)."""
    x = torch.zeros(1, stack[0].in_channels, size, size, requires_grad=True)
    with torch.no_grad():  # positive weights: no accidental cancellation in the gradient
        for m in stack.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.abs_().add_(1e-3)
    out = stack(x)
    c = out.shape[-1] // 2
    out[0, :, c, c].sum().backward()
    g = x.grad[0].abs().sum(0)
    rows = torch.nonzero(g.sum(1) > 0).flatten()
    cols = torch.nonzero(g.sum(0) > 0).flatten()
    side_r = int(rows.max() - rows.min() + 1) if len(rows) else 0
    side_c = int(cols.max() - cols.min() + 1) if len(cols) else 0
    return max(side_r, side_c), g


def conv_stack(c: int, k: int, n: int) -> nn.Sequential:
    return nn.Sequential(*[nn.Conv2d(c, c, k, padding=k // 2, bias=False) for _ in range(n)])


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "weights", x="channels (in = out)", y="weights (count)", series=["two_3x3", "one_5x5"]
    )
    gen = torch.Generator().manual_seed(params["seed"])
    n_random = params["n_random"]

    # 1. the formulas against numel() for random layer shapes
    mismatches = 0
    rows = []
    for i in range(n_random):
        r = torch.randint(1, 65, (4,), generator=gen).tolist()
        k = int(torch.randint(1, 8, (1,), generator=gen))
        groups = [1, 2, 4][int(torch.randint(0, 3, (1,), generator=gen))]
        c_in, c_out = r[0] * groups, r[1] * groups
        bias = bool(r[2] % 2)
        conv = nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias)
        lin = nn.Linear(r[2] * 3, r[3] * 2, bias=bias)
        f_conv, f_lin = (
            conv_params(c_in, c_out, k, groups, bias),
            linear_params(r[2] * 3, r[3] * 2, bias),
        )
        mismatches += (f_conv != numel(conv)) + (f_lin != numel(lin))
        if i < 5:
            rows.append(
                {
                    "layer": f"Conv2d({c_in}, {c_out}, k={k}, groups={groups}, bias={bias})",
                    "formula": f_conv,
                    "numel": numel(conv),
                }
            )
        if report.cancelled:
            break
        if (i + 1) % max(1, n_random // 10) == 0:
            report.progress(i + 1, n_random + 3)
    report.table("formula vs numel()", rows)
    report.log(f"{2 * n_random} random conv/linear layers checked, {mismatches} mismatches")

    # 2. stacked 3x3 vs one big kernel: params and measured receptive field
    c = params["channels"]
    comparisons = {}
    for n3, big in ((2, 5), (3, 7)):
        small_stack, big_stack = conv_stack(c, 3, n3), conv_stack(c, big, 1)
        rf_small, g_small = receptive_field(conv_stack(min(c, 4), 3, n3))
        rf_big, g_big = receptive_field(conv_stack(min(c, 4), big, 1))
        comparisons[big] = {
            "small_params": numel(small_stack),
            "big_params": numel(big_stack),
            "rf_small": rf_small,
            "rf_big": rf_big,
        }
        if big == 5:
            pad = torch.full((g_small.shape[0], 1), float("nan"))
            img = torch.cat([g_small / g_small.max(), pad, g_big / g_big.max()], 1)
            report.image(
                "receptive field",
                torch.nan_to_num(img, nan=0.5),
                caption="|d out(centre) / d input|: two 3x3 convs (left) vs one 5x5 (right)",
            )
    report.progress(n_random + 1, n_random + 3)

    # parameter growth with the channel count (one point per C on the live plot)
    for cc in (8, 16, 32, 64, 128, 256):
        report.metric(
            cc,
            two_3x3=2 * conv_params(cc, cc, 3, bias=False),
            one_5x5=conv_params(cc, cc, 5, bias=False),
        )

    # 3. the 1x1 bottleneck
    wide, mid = params["wide"], max(1, params["wide"] // params["squeeze"])
    plain = nn.Conv2d(wide, wide, 3, padding=1, bias=False)
    bottleneck = nn.Sequential(
        nn.Conv2d(wide, mid, 1, bias=False),
        nn.Conv2d(mid, mid, 3, padding=1, bias=False),
        nn.Conv2d(mid, wide, 1, bias=False),
    )
    p_plain, p_bottle = numel(plain), numel(bottleneck)
    # both map (wide, H, W) -> (wide, H, W) on the device
    x = torch.randn(1, wide, 8, 8, device=device)
    same_shape = plain.to(device)(x).shape == bottleneck.to(device)(x).shape
    report.progress(n_random + 3, n_random + 3)
    report.table(
        "parameter counts",
        [
            {
                "block": f"2 x conv3x3 {c}->{c}",
                "params": comparisons[5]["small_params"],
                "receptive field": comparisons[5]["rf_small"],
            },
            {
                "block": f"1 x conv5x5 {c}->{c}",
                "params": comparisons[5]["big_params"],
                "receptive field": comparisons[5]["rf_big"],
            },
            {
                "block": f"3 x conv3x3 {c}->{c}",
                "params": comparisons[7]["small_params"],
                "receptive field": comparisons[7]["rf_small"],
            },
            {
                "block": f"1 x conv7x7 {c}->{c}",
                "params": comparisons[7]["big_params"],
                "receptive field": comparisons[7]["rf_big"],
            },
            {"block": f"conv3x3 {wide}->{wide}", "params": p_plain, "receptive field": 3},
            {
                "block": f"1x1 {wide}->{mid}, 3x3 {mid}->{mid}, 1x1 {mid}->{wide}",
                "params": p_bottle,
                "receptive field": 3,
            },
        ],
    )

    c5, c7 = comparisons[5], comparisons[7]
    numbers = {
        "formula_mismatches": float(mismatches),
        "layers_checked": float(2 * n_random),
        "params_two_3x3": float(c5["small_params"]),
        "params_one_5x5": float(c5["big_params"]),
        "rf_two_3x3": float(c5["rf_small"]),
        "rf_one_5x5": float(c5["rf_big"]),
        "params_three_3x3": float(c7["small_params"]),
        "params_one_7x7": float(c7["big_params"]),
        "rf_three_3x3": float(c7["rf_small"]),
        "rf_one_7x7": float(c7["rf_big"]),
        "params_plain_3x3": float(p_plain),
        "params_bottleneck": float(p_bottle),
        "bottleneck_saving": p_plain / p_bottle,
    }
    checks = {
        "formula = numel()": mismatches == 0,
        "two 3x3 and one 5x5 both see 5x5": c5["rf_small"] == c5["rf_big"] == 5,
        "three 3x3 and one 7x7 both see 7x7": c7["rf_small"] == c7["rf_big"] == 7,
        "two 3x3 = 18C^2 < 25C^2": c5["small_params"] == 18 * c * c < c5["big_params"],
        "three 3x3 = 27C^2 < 49C^2": c7["small_params"] == 27 * c * c < c7["big_params"],
        f"bottleneck >= {MIN_SAVING:g}x fewer": MIN_SAVING * p_bottle <= p_plain,
        "bottleneck keeps the shape": same_shape,
    }
    failed = [k for k, ok in checks.items() if not ok]
    summary = (
        f"formula = numel() for {2 * n_random} layers ({mismatches} mismatches); "
        f"2x3x3 {c5['small_params']:,} vs 5x5 {c5['big_params']:,} params, both see "
        f"{c5['rf_small']}x{c5['rf_small']}/{c5['rf_big']}x{c5['rf_big']}; bottleneck "
        f"{p_bottle:,} vs {p_plain:,} ({p_plain / p_bottle:.1f}x fewer)"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    rf = int(c5["rf_small"])
    answers = {
        "window": min(range(len(WINDOWS)), key=lambda i: abs(WINDOWS[i] - rf)),
        "ratio_5x5": c5["big_params"] / c5["small_params"],
        "bottleneck": p_plain / p_bottle,
    }
    claim = claim_for(params)
    if int(params["squeeze"]) < 2:
        return Verdict.does_not_apply(
            "squeeze=1: the middle of the 1x1 -> 3x3 -> 1x1 block is as wide as the block, so "
            "there is no bottleneck to save weights",
            numbers,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    return Verdict(
        not failed and not report.cancelled,
        numbers,
        summary,
        claim=claim,
        caveats=CAVEATS,
        answers=answers,
    )


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

"""The learning-rate divergence threshold 2/L, and gradient noise escaping a saddle.

Part 1.  Gradient descent on the quadratic f(x) = 1/2 x^T A x, with A symmetric and its
eigenvalues spread evenly from L / ``condition`` to L (a random rotation, so the axes are not
the eigenvectors).  Along eigenvector i a step multiplies the coordinate by (1 - lr * lambda_i),
so GD converges exactly when |1 - lr * L| < 1, i.e. lr < 2/L: for lr > 1/L the top coordinate
flips sign every step (the iterate zig-zags across the valley), at lr = 2/L it keeps its size,
above it grows geometrically.  The demo runs the learning rates ``factors`` / L (default 0.5,
1.9 and 2.1) and a fine scan of factors 0.1..3 to find where the loss stops falling.

Part 2.  f(x, y) = x^2 - y^2 + y^4 / 2 has a saddle at the origin (Hessian diag(2, -2)) and
minima at (0, +-1) with f = -0.5.  GD started at (1, 0), exactly on the saddle's stable
manifold y = 0, never gets a y-gradient: it slides into the saddle and stops there, with a
vanishing gradient, so it looks converged.  The same GD with Gaussian noise of std
``noise`` added to each gradient component (a stand-in for minibatch noise) is pushed off
y = 0, and the negative curvature multiplies |y| by (1 + 2 lr) per step until it reaches a
minimum.

Preconditions (else "does not apply"): the factors include one below 2 and one above 2; the
run is long enough for the slowest mode of every factor to move the loss 100-fold (from the
eigenvalues: 2 * steps * |ln|1 - lr * lambda|| >= ln 100), so a margin missed is not just a
short run; noise > 0 (without noise there is nothing to push GD off the saddle).

Honest caveats:
* on a quadratic the curvature is the same everywhere, so 2/L is exact; on a network it
  changes along the path, and full-batch GD often trains at the edge of stability with
  sharpness near 2/lr (Cohen et al. 2021), so 2/L is a local guide, not a fixed constant;
* the gradient noise is added isotropic Gaussian noise, not real minibatch noise (which is
  anisotropic and shrinks near a minimum of the training loss);
* plain GD stays on the saddle only because it starts exactly on its stable manifold, a set
  of measure zero: from a random start GD escapes saddles too (Lee et al. 2016), only slowly
  when it starts close to the manifold.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from studytool.demorun.params import DemoInfo, DemoParamError, Param, Prediction

from ._base import Reporter, Verdict
from ._common import PALETTE, draw_polyline, gray_to_rgb, normalize01

INFO = DemoInfo(
    name="lr_threshold",
    title_en="Learning rate: the 2/L divergence threshold and escaping a saddle",
    title_ko="학습률: 2/L 발산 경계와 안장점 탈출",
    concept="learning-rate stability threshold, saddle points",
    claim=(
        "Gradient descent on a quadratic with largest eigenvalue L: at lr = 0.5/L and 1.9/L "
        "the loss falls at least 100-fold, at 2.1/L it grows at least 100-fold, at 1.9/L the "
        "top coordinate flips sign every step, and a scan puts the threshold within 5 % of 2/L. "
        "On f = x^2 - y^2 + y^4/2 from (1, 0), plain GD ends at the saddle (f within 1e-6 of 0) "
        "while GD with gradient noise reaches |y| >= 0.5 and ends at f <= -0.4."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param("factors", "0.5,1.9,2.1", "learning rates as multiples of 1/L (comma-separated)"),
        Param("L", 10.0, "largest eigenvalue of the quadratic's matrix A", min=0.01, max=1000.0),
        Param("condition", 10.0, "L / smallest eigenvalue", min=1.0, max=1000.0),
        Param("dim", 10, "dimension of the quadratic", min=2, max=200),
        Param("steps", 200, "GD steps on the quadratic", min=10, max=2000, quick=120),
        Param("saddle_lr", 0.1, "learning rate on the saddle", min=0.001, max=0.4),
        Param("noise", 0.01, "std of the noise added to each gradient component", min=0.0, max=1.0),
        Param("saddle_steps", 300, "GD steps on the saddle", min=10, max=5000, quick=200),
    ),
    cards=(
        "gradient-descent/gd-lr-divergence",
        "gradient-descent/lr-threshold-2-over-l",
        "gradient-descent/saddle-point-def",
        "gradient-descent/saddle-hessian",
        "gradient-descent/saddle-high-dim",
    ),
    predictions=(
        Prediction(
            id="edge",
            prompt_en=(
                "Gradient descent on a quadratic bowl whose steepest curvature is L. At the "
                "largest learning rate just below 2/L (1.9/L at the default settings), what "
                "does the run do?"
            ),
            prompt_ko=(
                "가장 가파른 곡률이 L인 2차 함수 그릇에서 gradient descent를 합니다. 2/L 바로 "
                "아래의 가장 큰 learning rate(기본 설정에서 1.9/L)에서 어떻게 될까요?"
            ),
            options_en=(
                "the loss falls smoothly, the iterate never crosses the minimum",
                "the loss falls while the iterate zig-zags across the minimum every step",
                "the loss stays about where it started",
                "the loss blows up",
            ),
            options_ko=(
                "loss가 매끄럽게 줄고, iterate가 minimum을 넘어가지 않음",
                "loss는 줄지만 iterate가 매 step minimum을 건너 지그재그로 움직임",
                "loss가 시작 값 근처에 머묾",
                "loss가 폭발함",
            ),
            card="gradient-descent/lr-threshold-2-over-l",
        ),
        Prediction(
            id="plain_end",
            prompt_en=(
                "f(x, y) = x^2 - y^2 + y^4/2 has a saddle at (0, 0) and minima at (0, +-1). "
                "Plain gradient descent (no noise) starts at (1, 0). Where does it end?"
            ),
            prompt_ko=(
                "f(x, y) = x^2 - y^2 + y^4/2는 (0, 0)에 saddle, (0, +-1)에 minimum이 있습니다. "
                "noise 없는 gradient descent를 (1, 0)에서 시작하면 어디서 끝날까요?"
            ),
            options_en=(
                "at a minimum (0, +1) or (0, -1)",
                "it diverges",
                "at the saddle (0, 0)",
            ),
            options_ko=(
                "minimum (0, +1) 또는 (0, -1)",
                "발산함",
                "saddle (0, 0)",
            ),
            card="gradient-descent/saddle-point-def",
        ),
        Prediction(
            id="escape_steps",
            prompt_en=(
                "Now the same start with Gaussian noise (std 0.01) added to each gradient "
                "component, lr 0.1 (the default settings). Within how many steps does |y| "
                "first reach 0.5?"
            ),
            prompt_ko=(
                "같은 시작점에서 gradient 각 성분에 Gaussian noise(std 0.01)를 더하고 lr 0.1"
                "(기본 설정)로 돌립니다. |y|가 처음 0.5에 닿는 것은 몇 step 안일까요?"
            ),
            options_en=(
                "fewer than 10",
                "10 to 19",
                "20 to 59",
                "60 to 299",
                "not within the run",
            ),
            options_ko=(
                "10 step 미만",
                "10 ~ 19 step",
                "20 ~ 59 step",
                "60 ~ 299 step",
                "실행 안에서는 닿지 않음",
            ),
            card="gradient-descent/saddle-high-dim",
        ),
    ),
)

CAVEATS = (
    "on a quadratic the curvature is constant, so 2/L is exact; on a network it changes along "
    "the path (GD often sits at the 'edge of stability', Cohen et al. 2021): 2/L is a local guide",
    "the gradient noise is added isotropic Gaussian noise, not real minibatch noise",
    "plain GD stays on the saddle only because it starts exactly on the stable manifold y = 0 "
    "(a measure-zero set); from a random start GD escapes saddles too, slowly when close to it",
)
FALL = 100.0  # "falls / grows at least 100-fold"
THRESHOLD_TOL = 0.05  # the scan's threshold within 5 % of 2/L
SADDLE_F_TOL = 1e-6
ESCAPE_Y = 0.5
MIN_F_END = -0.4  # the minima have f = -0.5
BLOWUP = 1e30  # a diverging run stops here (no overflow to inf)
TINY = 1e-30  # charted losses are clamped here: a log axis has no 0
ZIGZAG_STEPS = 30
SCAN = tuple(round(0.1 + 0.02 * i, 2) for i in range(146))  # factors 0.1 .. 3.0


def parse_factors(text: str) -> list[float]:
    try:
        factors = [float(f) for f in str(text).replace(" ", "").split(",") if f]
    except ValueError:
        raise DemoParamError(
            f"param 'factors': {text!r} is not a comma-separated list of numbers"
        ) from None
    if not factors or len(factors) > 7 or min(factors) <= 0 or max(factors) > 4:
        raise DemoParamError(f"param 'factors': {text!r} needs 1 to 7 numbers in (0, 4]")
    return sorted(set(factors))


def saddle_f(p: torch.Tensor) -> torch.Tensor:
    x, y = p[..., 0], p[..., 1]
    return x**2 - y**2 + 0.5 * y**4


def saddle_grad(p: torch.Tensor) -> torch.Tensor:
    x, y = p[..., 0], p[..., 1]
    return torch.stack([2 * x, -2 * y + 2 * y**3], -1)


def claim_for(params: dict[str, Any]) -> str:
    factors = parse_factors(params["factors"])
    below = ", ".join(f"{f:g}/L" for f in factors if f < 2) or "none"
    above = ", ".join(f"{f:g}/L" for f in factors if f > 2) or "none"
    flips = [f for f in factors if 1 < f < 2]
    flip_part = (
        f", at {', '.join(f'{f:g}/L' for f in flips)} the top coordinate flips sign every step"
        if flips
        else ""
    )
    return (
        f"Gradient descent for {int(params['steps'])} steps on a {int(params['dim'])}-d quadratic "
        f"with largest eigenvalue L = {float(params['L']):g}: at lr = {below} the loss falls "
        f"at least 100-fold, at {above} it grows at least 100-fold{flip_part}, and a scan puts "
        "the threshold within 5 % of 2/L. On f = x^2 - y^2 + y^4/2 from (1, 0) with lr "
        f"{float(params['saddle_lr']):g}, plain GD ends at the saddle (f within 1e-6 of 0) while "
        f"GD with gradient noise of std {float(params['noise']):g} reaches |y| >= 0.5 within "
        f"{int(params['saddle_steps'])} steps and ends at f <= -0.4."
    )


def steps_needed(factor: float, condition: float) -> float:
    """Steps for the slowest-moving eigen-mode at lr = factor / L to change the loss 100-fold
    (along eigenvalue lambda the loss changes by (1 - lr * lambda)^2 per step; below 2/L the
    slowest mode is one of the two ends of the spectrum, above it the top mode grows)."""
    rate = abs(1 - factor) if factor > 2 else max(abs(1 - factor), abs(1 - factor / condition))
    if rate == 0:  # this mode is solved in one step
        return 1.0
    return math.inf if rate == 1 else math.log(FALL) / (2 * abs(math.log(rate)))


def judge(n: dict[str, float], params: dict[str, Any], factors: list[float]) -> Verdict:
    claim, steps = claim_for(params), int(params["steps"])
    parts = []
    for f in factors:
        k = f"{f:g}"
        parts.append(f"lr {k}/L: loss x{n[f'loss_ratio_{k}']:.3g}")
    measured = (
        "; ".join(parts)
        + f"; scan threshold {n['threshold_factor']:.3g}/L; saddle: plain GD ends at f = "
        f"{n['plain_final_f']:.2g} (|y| max {n['plain_max_abs_y']:.2g}), noisy GD reaches "
        f"|y| >= 0.5 at step {n['escape_step']:.0f} and ends at f = {n['noisy_final_f']:.3g}"
    )
    if not any(f < 2 for f in factors) or not any(f > 2 for f in factors):
        reason = "the factors need one below 2 and one above 2 to show both sides of 2/L"
    elif 2.0 in factors:
        reason = "lr = 2/L sits on the threshold: its top mode neither shrinks nor grows"
    elif float(params["noise"]) <= 0:
        reason = "noise is 0: without gradient noise nothing pushes GD off the saddle"
    else:
        need = max(steps_needed(f, float(params["condition"])) for f in factors)
        reason = (
            f"{steps} steps are too few: the slowest mode at these factors needs "
            f"{need:.0f} steps to change the loss 100-fold (raise steps or move the factors "
            "away from 2)"
            if need > steps
            else ""
        )
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers_for(n, factors)
        )
    checks: dict[str, bool] = {}
    for f in factors:
        ratio = n[f"loss_ratio_{f:g}"]
        if f < 2:
            checks[f"{f:g}/L falls >= 100x"] = ratio <= 1 / FALL
        else:
            checks[f"{f:g}/L grows >= 100x"] = ratio >= FALL
        if 1 < f < 2:
            checks[f"{f:g}/L flips sign every step"] = n[f"sign_flips_{f:g}"] == 1.0
    checks["threshold within 5 % of 2/L"] = abs(n["threshold_factor"] - 2) <= 2 * THRESHOLD_TOL
    checks["plain GD ends at the saddle"] = abs(n["plain_final_f"]) <= SADDLE_F_TOL
    checks["noisy GD reaches |y| >= 0.5"] = n["noisy_max_abs_y"] >= ESCAPE_Y
    checks["noisy GD ends at f <= -0.4"] = n["noisy_final_f"] <= MIN_F_END
    return Verdict.from_checks(
        checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers_for(n, factors)
    )


ESCAPE_BINS = (10, 20, 60, 300)  # upper ends of the options of "escape_steps"


def answers_for(n: dict[str, float], factors: list[float]) -> dict[str, float]:
    out: dict[str, float] = {}
    k = f"{max(f for f in factors if f < 2):g}" if any(f < 2 for f in factors) else ""
    if k:
        ratio, flips = n[f"loss_ratio_{k}"], n[f"sign_flips_{k}"]
        if ratio > 2:
            out["edge"] = 3
        elif ratio > 0.5:  # less than a halving or a doubling: "about where it started"
            out["edge"] = 2
        else:
            out["edge"] = 1 if flips >= 0.5 else 0
    final = n["plain_final_f"]
    out["plain_end"] = 1 if final > 1 else 0 if final <= MIN_F_END else 2
    escape = n["escape_step"]
    out["escape_steps"] = next(
        (i for i, top in enumerate(ESCAPE_BINS) if 0 <= escape < top), len(ESCAPE_BINS)
    )
    return out


def loss_image(
    plain: torch.Tensor, noisy: torch.Tensor, height: int = 48, width: int = 64
) -> torch.Tensor:
    """The saddle's f as a gray map (dark = low) with the two paths drawn over it."""
    bounds = (-1.5, 1.5, -1.5, 1.5)
    xs = torch.linspace(bounds[0], bounds[1], width, dtype=torch.float64)
    ys = torch.linspace(bounds[3], bounds[2], height, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), -1)
    img = gray_to_rgb(0.15 + 0.6 * normalize01(saddle_f(grid).clamp(max=2.0)))
    draw_polyline(img, plain, bounds, PALETTE[0])
    draw_polyline(img, noisy, bounds, PALETTE[3])
    return img


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    factors = parse_factors(params["factors"])
    gen = torch.Generator().manual_seed(int(params["seed"]))
    dim, steps, big_l = int(params["dim"]), int(params["steps"]), float(params["L"])
    dt = torch.float64
    eig = torch.linspace(big_l / float(params["condition"]), big_l, dim, dtype=dt)
    q, _ = torch.linalg.qr(torch.randn(dim, dim, generator=gen, dtype=dt))
    a = (q * eig) @ q.T
    top = q[:, -1]
    x0 = torch.randn(dim, generator=gen, dtype=dt)
    x0 = x0 + top * torch.sign(x0 @ top)  # the top mode is clearly present at the start
    a, top, x0 = a.to(device), top.to(device), x0.to(device)

    # every learning rate (the named factors and the scan) in one batch of iterates
    all_f = torch.tensor(list(factors) + list(SCAN), dtype=dt, device=device)
    lrs = all_f / big_l
    xs = x0.expand(len(all_f), dim).clone()
    f0 = float(0.5 * x0 @ a @ x0)
    names = [f"lr={f:g}/L" for f in factors]
    tops = [f"top coordinate, lr={f:g}/L" for f in factors]
    report.chart(
        "quadratic: loss per learning rate", x="step", y="loss f(x)", series=names, log_y=True
    )
    report.chart(
        f"quadratic: the first {ZIGZAG_STEPS} steps along the steepest direction",
        x="step",
        y="top-eigenvector coordinate / its start value",
        series=tops,
    )
    alive = torch.ones(len(all_f), dtype=torch.bool, device=device)
    flips = torch.zeros(len(factors), dtype=dt, device=device)
    counted = torch.zeros(len(factors), dtype=dt, device=device)
    prev_top = xs[: len(factors)] @ top
    # below this the top coordinate is round-off from the other modes, its sign meaningless
    top0 = float(prev_top[0])
    floor = 1e-9 * abs(top0)
    every = max(1, steps // 60)
    for t in range(1, steps + 1):
        if report.cancelled:
            break
        step = lrs[:, None] * (xs @ a)
        xs = torch.where(alive[:, None], xs - step, xs)  # a blown-up run stays where it stopped
        loss = 0.5 * ((xs @ a) * xs).sum(-1)
        alive &= loss < BLOWUP
        cur_top = xs[: len(factors)] @ top
        if t <= ZIGZAG_STEPS:
            report.metric(t, **dict(zip(tops, (cur_top / top0).tolist(), strict=True)))
        seen = (cur_top.abs() > floor) & (prev_top.abs() > floor)
        flips += (seen & (torch.sign(cur_top) != torch.sign(prev_top))).to(dt)
        counted += seen.to(dt)
        prev_top = cur_top
        if t % every == 0 or t == steps:
            shown = loss[: len(factors)].clamp(min=TINY).tolist()  # 0 has no log
            report.metric(t, **dict(zip(names, shown, strict=True)))
            report.progress(t, steps + int(params["saddle_steps"]))
    ratios = (0.5 * ((xs @ a) * xs).sum(-1) / f0).tolist()
    scan_ratios = ratios[len(factors) :]
    threshold = next((f for f, r in zip(SCAN, scan_ratios, strict=True) if r > 1), math.inf)
    report.chart(
        "quadratic: loss change by learning rate",
        x="learning rate x L",
        y=f"loss after {steps} steps / start loss",
        series=["loss ratio"],
        log_y=True,
    )
    for i, (f, r) in enumerate(zip(SCAN, scan_ratios, strict=True)):
        report.metric(i, at=f, **{"loss ratio": min(max(r, TINY), BLOWUP)})

    n: dict[str, float] = {}
    for i, f in enumerate(factors):
        n[f"loss_ratio_{f:g}"] = ratios[i]
        n[f"sign_flips_{f:g}"] = float(flips[i] / counted[i].clamp(min=1))
    n["threshold_factor"] = threshold

    # part 2: the saddle, plain and noisy GD from the same start on its stable manifold
    lr, noise, s_steps = (
        float(params["saddle_lr"]),
        float(params["noise"]),
        int(params["saddle_steps"]),
    )
    p = torch.tensor([[1.0, 0.0], [1.0, 0.0]], dtype=dt, device=device)
    scale = torch.tensor([[0.0], [noise]], dtype=dt, device=device)
    path = [p.cpu().clone()]
    escape = -1.0
    report.chart(
        "saddle: f along the path",
        x="step",
        y="f(x, y) = x^2 - y^2 + y^4/2",
        series=["plain GD", "GD + gradient noise"],
    )
    max_y = torch.zeros(2, dtype=dt)
    for t in range(1, s_steps + 1):
        if report.cancelled:
            break
        g = saddle_grad(p) + scale * torch.randn(2, 2, generator=gen, dtype=dt).to(device)
        p = p - lr * g
        path.append(p.cpu().clone())
        max_y = torch.maximum(max_y, p[:, 1].abs().cpu())
        if escape < 0 and float(max_y[1]) >= ESCAPE_Y:
            escape = float(t)
        if t % max(1, s_steps // 60) == 0 or t == s_steps:
            fs = saddle_f(p).tolist()
            report.metric(t, **{"plain GD": fs[0], "GD + gradient noise": fs[1]})
            report.progress(steps + t, steps + s_steps)
    paths = torch.stack(path, 1)  # (2, steps + 1, 2)
    final = saddle_f(p).tolist()
    n.update(
        plain_final_f=final[0],
        plain_max_abs_y=float(max_y[0]),
        plain_final_grad=float(saddle_grad(p[0]).norm()),
        noisy_final_f=final[1],
        noisy_max_abs_y=float(max_y[1]),
        escape_step=escape,
    )
    report.table(
        "loss after the run, by learning rate",
        [
            {
                "lr x L": f,
                "loss / start": n[f"loss_ratio_{f:g}"],
                "sign flips per step": n[f"sign_flips_{f:g}"],
                "1 - lr*L": 1 - f,
            }
            for f in factors
        ],
    )
    report.image(
        "saddle paths",
        loss_image(paths[0], paths[1]),
        caption="f on x, y in [-1.5, 1.5] (dark = low; minima at (0, +-1)); red: plain GD from "
        "(1, 0) into the saddle; cyan: GD with gradient noise, off to a minimum",
        lines=True,
    )
    return judge(n, params, factors)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

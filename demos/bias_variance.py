"""The bias-variance U-curve over model complexity.

The true function f(x) = sin(4x) on [-1, 1]; a training set is ``n_train`` equally spaced x
with targets y = f(x) + noise (std ``noise``).  The demo draws ``resamples`` training sets
(the same x, fresh noise each time), fits a least-squares polynomial of each degree
0..``max_degree`` to every one (a Chebyshev basis, so high degrees stay well conditioned), and
measures on a fine grid of test points

* bias^2   = mean over x of (average fit - f)^2      - what no single fit can fix;
* variance = mean over x of the variance of the fits  - how much the fit follows the noise;
* test error = mean squared error against fresh noisy targets, which should equal
  bias^2 + variance + noise^2 (the decomposition; checked within 5 %).

Low degrees cannot bend enough (high bias, low variance: under-fitting); high degrees follow
the noise of each sample (low bias, high variance: over-fitting); the test error is U-shaped,
lowest at an interior degree.  The image shows 15 fits at degree 1, at the best degree and at
the highest degree over the true f.

Preconditions (else "does not apply"): noise > 0 (without noise there is no variance to
trade: every resample is the same) and max_degree <= n_train - 2 (a polynomial with as many
coefficients as points interpolates, and beyond that the fit is not unique).

Honest caveats:
* bias^2 is measured from the average of a finite number of fits, so it carries a small
  Monte-Carlo floor of about variance / resamples.
* the U is a statement about a fixed training-set size and this way of adding complexity;
  over-parameterised networks can show a second descent past the interpolation point, which
  this demo does not reach (it stops before interpolation).
* f is odd, so even degrees add little over the odd degree below them: the curves move in
  steps of two.
"""

from __future__ import annotations

from typing import Any

import torch

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict
from ._common import PALETTE, draw_polyline

INFO = DemoInfo(
    name="bias_variance",
    title_en="Bias-variance: the U-curve over model complexity",
    title_ko="편향-분산: 모델 복잡도에 따른 U자 곡선",
    concept="bias-variance trade-off",
    claim=(
        "Fitting polynomials of growing degree to many noisy resamples of sin(4x): bias^2 "
        "falls at least 10-fold from degree 0 to the highest degree, the variance rises at "
        "least 10-fold, bias^2 + variance + noise^2 matches the measured test error within "
        "5 %, and the test error is U-shaped: lowest at an interior degree, with both ends at "
        "least 1.5x that minimum."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param("noise", 0.3, "std of the target noise", min=0.0, max=2.0),
        Param("n_train", 15, "training points per resample", min=6, max=100),
        Param("max_degree", 12, "highest polynomial degree", min=2, max=30),
        Param("resamples", 400, "training sets drawn", min=20, max=5000, quick=150),
    ),
    cards=(
        "generalization/overfitting-def",
        "generalization/underfitting-def",
        "generalization/bias-def",
        "generalization/variance-def",
        "generalization/bias-variance-decomposition",
        "generalization/bias-variance-cloze",
        "generalization/bias-variance-numeric",
        "generalization/tradeoff-tf",
        "generalization/complexity-tradeoff",
        "generalization/noise-irreducible",
    ),
    predictions=(
        Prediction(
            "variance_trend",
            "As the polynomial degree rises from 0 to the highest degree, what happens to the "
            "variance of the fits across resamples?",
            "다항식 차수가 0에서 최고 차수로 올라갈 때, 재표본 간 적합의 분산은?",
            options_en=(
                "it rises at least 10-fold",
                "it stays within a factor of 10",
                "it falls at least 10-fold",
            ),
            options_ko=(
                "10배 이상 커진다",
                "10배 안에서 머문다",
                "10배 이상 줄어든다",
            ),
            card="generalization/variance-def",
        ),
        Prediction(
            "best_degree",
            "Which polynomial degree gives the lowest test error (degrees 0 to max_degree; 15 "
            "points and noise std 0.3 at the default settings)?",
            "테스트 오차가 가장 낮은 다항식 차수는? (차수 0부터 max_degree까지; 기본 설정에서 "
            "점 15개, 노이즈 표준편차 0.3)",
            tolerance=1.0,
            unit="degree",
            card="generalization/complexity-tradeoff",
        ),
    ),
)

N_TEST = 200
CAVEATS = (
    "bias^2 from a finite average carries a Monte-Carlo floor of about variance / resamples",
    "the U is for a fixed training-set size, stopping before interpolation (no double descent)",
)


def target(x: torch.Tensor) -> torch.Tensor:
    return torch.sin(4 * x)


def chebyshev(x: torch.Tensor, degree: int) -> torch.Tensor:
    """(..., degree + 1) features T_0(x)..T_degree(x)."""
    out = [torch.ones_like(x), x]
    for _ in range(2, degree + 1):
        out.append(2 * x * out[-1] - out[-2])
    return torch.stack(out[: degree + 1], -1)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"Fitting polynomials of degree 0 to {int(params['max_degree'])} to "
        f"{int(params['resamples'])} resamples of {int(params['n_train'])} points of sin(4x) "
        f"with noise std {float(params['noise']):g}: bias^2 falls at least 10-fold from degree 0 "
        "to the highest degree, the variance rises at least 10-fold, bias^2 + variance + "
        "noise^2 matches the measured test error within 5 %, and the test error is U-shaped: "
        "lowest at an interior degree, with both ends at least 1.5x that minimum."
    )


def answers_for(n: dict[str, float]) -> dict[str, float]:
    """The right answers to INFO.predictions from this run's numbers."""
    if max(n["variance_first"], n["variance_last"]) < 1e-12:  # no noise: nothing varies
        trend = 1
    else:
        rise = n["variance_last"] / max(n["variance_first"], 1e-300)
        trend = 0 if rise >= 10 else (2 if rise <= 0.1 else 1)
    return {"variance_trend": float(trend), "best_degree": n["best_degree"]}


def judge(n: dict[str, float], params: dict[str, Any]) -> Verdict:
    d_max, claim = int(params["max_degree"]), claim_for(params)
    answers = answers_for(n)
    best = int(n["best_degree"])
    measured = (
        f"degree 0 -> {d_max}: bias^2 {n['bias2_first']:.3g} -> {n['bias2_last']:.2g}, "
        f"variance {n['variance_first']:.3g} -> {n['variance_last']:.3g}; test error "
        f"{n['test_first']:.3g} -> {n['test_min']:.3g} (degree {best}) -> {n['test_last']:.3g}; "
        f"bias^2 + variance + noise^2 off by {n['decomposition_error']:.1%}"
    )
    if float(params["noise"]) <= 0:
        reason = "noise is 0, so every resample is the same and there is no variance to trade"
    elif d_max > int(params["n_train"]) - 2:
        reason = f"degree {d_max} needs at least {d_max + 2} training points, not interpolation"
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "bias^2 falls >= 10x": n["bias2_first"] >= 10 * n["bias2_last"],
        "variance rises >= 10x": n["variance_last"] >= 10 * n["variance_first"],
        "decomposition within 5 %": n["decomposition_error"] <= 0.05,
        "minimum at an interior degree": 0 < best < d_max,
        "both ends >= 1.5x the minimum": min(n["test_first"], n["test_last"])
        >= 1.5 * n["test_min"],
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers)


def fits_image(
    fits: dict[int, torch.Tensor], xt: torch.Tensor, height: int = 48, width: int = 64
) -> torch.Tensor:
    """Side-by-side panels: 15 fits (colours) and the true f (white) per degree."""
    bounds = (-1.0, 1.0, -2.0, 2.0)
    panels = []
    for pred in fits.values():
        img = torch.full((height, width, 3), 0.06)
        for i, row in enumerate(pred[:15]):
            curve = torch.stack([xt, row.clamp(-3, 3)], -1)
            draw_polyline(img, curve, bounds, PALETTE[i % 7])
        draw_polyline(img, torch.stack([xt, target(xt)], -1), bounds, PALETTE[7])
        panels.append(img)
        panels.append(torch.full((height, 2, 3), 0.5))
    return torch.cat(panels[:-1], 1)


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    gen = torch.Generator().manual_seed(int(params["seed"]))
    sigma, n_train = float(params["noise"]), int(params["n_train"])
    r, d_max = int(params["resamples"]), int(params["max_degree"])
    dt = torch.float64
    x = torch.linspace(-1, 1, n_train, dtype=dt, device=device)
    y = target(x) + sigma * torch.randn(r, n_train, generator=gen, dtype=dt).to(device)
    xt = torch.linspace(-1, 1, N_TEST, dtype=dt, device=device)
    y_new = target(xt) + sigma * torch.randn(r, N_TEST, generator=gen, dtype=dt).to(device)
    rows, preds = [], {}
    report.chart(
        "error decomposition",
        x="polynomial degree",
        y="squared error (mean over test x)",
        series=["bias^2", "variance", "test error"],
    )
    for d in range(d_max + 1):
        if report.cancelled:
            break
        coef = torch.linalg.lstsq(chebyshev(x, d).expand(r, -1, -1), y.unsqueeze(-1)).solution
        pred = (chebyshev(xt, d) @ coef).squeeze(-1)  # (resamples, test points)
        bias2 = float(((pred.mean(0) - target(xt)) ** 2).mean())
        var = float(pred.var(0, unbiased=False).mean())
        test = float(((pred - y_new) ** 2).mean())
        rows.append({"degree": d, "bias^2": bias2, "variance": var, "test error": test})
        preds[d] = pred.cpu()
        report.metric(d, **{"bias^2": bias2, "variance": var, "test error": test})
        report.progress(d + 1, d_max + 1)
    report.table("bias^2, variance and test error by polynomial degree", rows)

    tests = [row["test error"] for row in rows]
    best = min(range(len(tests)), key=tests.__getitem__)
    n = {
        "bias2_first": rows[0]["bias^2"],
        "bias2_last": rows[-1]["bias^2"],
        "variance_first": rows[0]["variance"],
        "variance_last": rows[-1]["variance"],
        "test_first": tests[0],
        "test_last": tests[-1],
        "test_min": tests[best],
        "best_degree": float(rows[best]["degree"]),
        "decomposition_error": max(
            abs(row["bias^2"] + row["variance"] + sigma**2 - row["test error"]) / row["test error"]
            for row in rows
        ),
    }
    shown = {d: preds[d] for d in dict.fromkeys((1, rows[best]["degree"], rows[-1]["degree"]))}
    report.image(
        "fits of 15 resamples",
        fits_image(shown, xt.cpu()),
        caption=f"degrees {', '.join(map(str, shown))} (left to right): 15 fits in colour, "
        "the true sin(4x) in white; y from -2 to 2",
    )
    return judge(n, params)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

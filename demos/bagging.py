"""Bagging: averaging models fitted on bootstrap samples cuts the variance of unstable models.

Setup (the classic bias-variance experiment): many independent training sets are drawn from the
same source, y = sin(3x) + noise with x uniform in [-1, 1]. On each training set we fit

* a single polynomial regressor (least squares in torch, with a tiny ridge term so that a fit is
  always defined), and
* a bagged ensemble: the same regressor fitted on B bootstrap resamples of that training set
  (n points drawn with replacement), predictions averaged (Breiman 1996).

Across training sets we measure, on a grid over [-1, 1], the prediction variance (how much the
fitted curve changes when the training set changes), the squared bias, and the test error
against the true function (the expected error on new noisy points adds noise^2 to it).

This is done for an unstable, high-variance model (degree 12 with 25 points: the curve swings
wildly between and beyond the data) and a stable one (degree 3).

What to expect, and the honest caveat: bagging cuts the variance and the error of the unstable
model by a large factor, but it does NOT help the stable one (here it is slightly worse: each
bootstrap sample holds only ~63 % distinct points). Bagging repairs instability; it does not
make a too-flexible model good: the plain degree-3 fit is still far better than the bagged
degree-12 one on this problem.

Preconditions (else "does not apply"): the unstable degree is above the stable one, and the
single unstable fit really is unstable - its prediction variance across training sets at least
`MIN_INSTABILITY` times the stable fit's (with many points or a low degree there is little
variance for bagging to remove).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._common import PALETTE, draw_polyline

CAVEATS = (
    "Bagging repairs instability; it does not make a too-flexible model good: the plain "
    "stable fit is still better than the bagged unstable one here.",
    "Each bootstrap sample holds only ~63 % distinct points, so a stable model gains nothing "
    "(here it is slightly worse).",
)

INFO = DemoInfo(
    name="bagging",
    title_en="Bagging reduces the variance of unstable models",
    title_ko="배깅은 불안정한 모델의 분산을 줄인다",
    concept="bagging, bootstrap ensembles, bias-variance",
    claim=(
        "Averaging polynomial regressors fitted on bootstrap resamples (bagging) lowers the "
        "prediction variance across training sets and the test error of an unstable degree-12 "
        "fit by a large factor (at least 2x each), and helps it much more (its test-error ratio "
        "at most half the stable fit's) than a stable degree-3 fit."
    ),
    params=(
        Param("degree", 12, "degree of the unstable (high-variance) polynomial", min=1, max=30),
        Param("stable_degree", 3, "degree of the stable comparison polynomial", min=0, max=30),
        Param("n_train", 25, "points per training set", min=5, max=1000),
        Param("noise", 0.3, "std of the noise on y", min=0.0, max=5.0),
        Param(
            "train_sets",
            200,
            "independent training sets (variance is measured across them)",
            min=10,
            max=5000,
            quick=100,
        ),
        Param("bags", 50, "bootstrap models per bagged ensemble", min=2, max=500, quick=25),
        Param(
            "ridge", 0.001, "ridge term added to X^T X (keeps every fit defined)", min=0.0, max=10.0
        ),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "generalization/bootstrapping-def",
        "generalization/bootstrap-unique-fraction",
        "generalization/bagging-def",
        "generalization/bagging-reduces-variance",
        "generalization/bagging-variance-numeric",
        "generalization/bagging-vs-boosting",
        "generalization/ensemble-examples",
    ),
    predictions=(
        Prediction(
            "helps_more",
            "Bagging (50 bootstrap fits averaged at the default settings): which model's test "
            "error does it cut by the larger factor?",
            "배깅(기본 설정에서 bootstrap 적합 50개의 평균)은 어느 모델의 테스트 오차를 더 큰 "
            "비율로 줄이는가?",
            options_en=(
                "the stable low-degree polynomial",
                "the unstable high-degree polynomial",
                "both about equally",
            ),
            options_ko=(
                "안정적인 낮은 차수 다항식",
                "불안정한 높은 차수 다항식",
                "둘이 거의 같게",
            ),
            card="generalization/bagging-reduces-variance",
        ),
        Prediction(
            "best",
            "Which of the four fits has the lowest test error against the true function?",
            "네 가지 적합 중 참 함수에 대한 테스트 오차가 가장 낮은 것은?",
            options_en=(
                "the single high-degree fit",
                "the bagged high-degree fit",
                "the single low-degree fit",
                "the bagged low-degree fit",
            ),
            options_ko=(
                "단일 높은 차수 적합",
                "배깅한 높은 차수 적합",
                "단일 낮은 차수 적합",
                "배깅한 낮은 차수 적합",
            ),
            card="generalization/bagging-def",
        ),
    ),
)

MIN_INSTABILITY = 3.0  # the unstable fit's variance over the stable fit's


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"Averaging {int(params['bags'])} polynomial regressors fitted on bootstrap resamples of "
        f"{int(params['n_train'])} points (bagging) lowers the prediction variance across "
        f"training sets and the test error of an unstable degree-{int(params['degree'])} fit at "
        "least 2x each, and helps it much more (its test-error ratio at most half the stable "
        f"fit's) than a stable degree-{int(params['stable_degree'])} fit."
    )


def legendre_features(x: torch.Tensor, degree: int) -> torch.Tensor:
    """Legendre polynomials P_0..P_degree of x in [-1, 1] (well conditioned), shape (..., d+1)."""
    feats = [torch.ones_like(x), x]
    for k in range(1, degree):
        feats.append(((2 * k + 1) * x * feats[k] - k * feats[k - 1]) / (k + 1))
    return torch.stack(feats[: degree + 1], -1)


def weighted_fit(
    feats: torch.Tensor, y: torch.Tensor, w: torch.Tensor, ridge: float
) -> torch.Tensor:
    """Least squares with sample weights w (bootstrap counts): coefficients (..., T, d+1).

    feats (T, n, d+1), y (T, n), w (..., T, n)."""
    d = feats.shape[-1]
    a = torch.einsum("...tn,tni,tnj->...tij", w, feats, feats)
    a = a + ridge * torch.eye(d, dtype=feats.dtype, device=feats.device)
    b = torch.einsum("...tn,tni,tn->...ti", w, feats, y)
    return torch.linalg.solve(a, b.unsqueeze(-1)).squeeze(-1)


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    seed = int(params["seed"])
    n, t_sets, bags = int(params["n_train"]), int(params["train_sets"]), int(params["bags"])
    noise, ridge = float(params["noise"]), float(params["ridge"])
    degrees = {"unstable": int(params["degree"]), "stable": int(params["stable_degree"])}
    seed_everything(seed)
    gen = torch.Generator().manual_seed(seed)
    dt = torch.float32 if device.type == "mps" else torch.float64  # MPS has no float64

    def f(x: torch.Tensor) -> torch.Tensor:
        return torch.sin(3 * x)

    x = torch.rand(t_sets, n, generator=gen, dtype=dt) * 2 - 1
    y = f(x) + noise * torch.randn(t_sets, n, generator=gen, dtype=dt)
    idx = torch.randint(0, n, (bags, t_sets, n), generator=gen)
    ones = torch.ones(bags, t_sets, n, dtype=dt)
    counts = torch.zeros(bags, t_sets, n, dtype=dt).scatter_add_(2, idx, ones)  # bootstrap counts
    x, y, counts = x.to(device), y.to(device), counts.to(device)
    grid = torch.linspace(-1, 1, 201, dtype=dt, device=device)
    truth = f(grid)

    report.chart(
        "variance",
        x="number of training sets",
        y="prediction variance across sets",
        series=[f"{k}_{m}_variance" for k in degrees for m in ("single", "bagged")],
    )
    preds: dict[tuple[str, str], torch.Tensor] = {}
    chunk = max(1, t_sets // 10)
    total = 2 * t_sets
    done = 0
    for kind, deg in degrees.items():
        gfeat = legendre_features(grid, deg)
        singles, bagged = [], []
        for lo in range(0, t_sets, chunk):
            if report.cancelled:
                break
            sl = slice(lo, min(t_sets, lo + chunk))
            feats = legendre_features(x[sl], deg)
            coef = weighted_fit(feats, y[sl], torch.ones_like(y[sl]), ridge)
            singles.append(coef @ gfeat.T)
            coef_b = weighted_fit(feats, y[sl], counts[:, sl], ridge)  # (bags, chunk, d+1)
            bagged.append((coef_b @ gfeat.T).mean(0))
            done += sl.stop - sl.start
            s_all, b_all = torch.cat(singles), torch.cat(bagged)
            if len(s_all) >= 2:  # running estimate of the variance across training sets
                report.metric(
                    done,
                    at=len(s_all),
                    **{
                        f"{kind}_single_variance": float(s_all.var(0).mean()),
                        f"{kind}_bagged_variance": float(b_all.var(0).mean()),
                    },
                )
            report.progress(done, total)
        preds[(kind, "single")] = torch.cat(singles) if singles else grid[None] * 0
        preds[(kind, "bagged")] = torch.cat(bagged) if bagged else grid[None] * 0

    stats: dict[tuple[str, str], dict[str, float]] = {}
    for key, p in preds.items():
        var = float(p.var(0).mean()) if len(p) > 1 else float("nan")
        bias2 = float(((p.mean(0) - truth) ** 2).mean())
        err = float(((p - truth) ** 2).mean())
        stats[key] = {
            "variance": var,
            "bias2": bias2,
            "test_mse": err,
            "test_mse_noisy": err + noise**2,
        }
    report.table(
        "across training sets (grid over [-1, 1])",
        [
            {
                "model": f"degree {degrees[k]} ({k})",
                "fit": m,
                "variance": s["variance"],
                "bias^2": s["bias2"],
                "MSE vs true f": s["test_mse"],
                "expected MSE on noisy test points": s["test_mse_noisy"],
            }
            for (k, m), s in stats.items()
        ],
    )

    # picture: 10 fits from 10 different training sets, single (left) vs bagged (right)
    h, w = 24, 56
    panels = []
    xs = grid.cpu()
    for m in ("single", "bagged"):
        img = torch.full((h, w, 3), 0.05)
        p = preds[("unstable", m)].cpu()
        for i in range(min(10, len(p))):
            draw_polyline(
                img, torch.stack([xs, p[i].clamp(-3, 3)], 1), (-1.0, 1.0, -3.0, 3.0), PALETTE[i % 7]
            )
        draw_polyline(img, torch.stack([xs, truth.cpu()], 1), (-1.0, 1.0, -3.0, 3.0), PALETTE[7])
        panels.append(img)
    report.image(
        "fits",
        torch.cat([panels[0], torch.full((h, 2, 3), 0.3), panels[1]], 1),
        caption=f"degree-{degrees['unstable']} fits on 10 different training sets: single "
        "model (left) vs bagged (right); white = true sin(3x); y clipped to +-3",
        lines=True,
    )

    u_s, u_b = stats[("unstable", "single")], stats[("unstable", "bagged")]
    s_s, s_b = stats[("stable", "single")], stats[("stable", "bagged")]
    var_ratio = u_b["variance"] / max(u_s["variance"], 1e-300)
    mse_ratio = u_b["test_mse"] / max(u_s["test_mse"], 1e-300)
    stable_mse_ratio = s_b["test_mse"] / max(s_s["test_mse"], 1e-300)
    instability = u_s["variance"] / max(s_s["variance"], 1e-300)
    numbers = {f"{k}_{m}_{q}": v for (k, m), s in stats.items() for q, v in s.items()}
    numbers.update(
        unstable_variance_ratio=var_ratio,
        unstable_mse_ratio=mse_ratio,
        stable_mse_ratio=stable_mse_ratio,
        stable_variance_ratio=s_b["variance"] / max(s_s["variance"], 1e-300),
        instability=instability,
    )
    if math.isfinite(stable_mse_ratio) and stable_mse_ratio >= 1.0:
        report.log(
            "Bagging did not help the stable model: its bootstrap fits see fewer distinct "
            "points and there is little instability to average away."
        )
    if mse_ratio <= 0.8 * stable_mse_ratio:
        helps_more = 1
    else:
        helps_more = 0 if stable_mse_ratio <= 0.8 * mse_ratio else 2
    fits = [u_s, u_b, s_s, s_b]  # the order of the "best" options
    best = min(range(4), key=lambda i: fits[i]["test_mse"])
    answers = {"helps_more": float(helps_more), "best": float(best)}
    return judge(numbers, params, answers)


def judge(n: dict[str, float], params: dict[str, Any], answers: dict[str, float]) -> Verdict:
    """Preconditions first, then each part of the claim with its floor."""
    claim = claim_for(params)
    deg, stable = int(params["degree"]), int(params["stable_degree"])
    measured = (
        f"degree {deg}: variance {n['unstable_single_variance']:.3g} -> "
        f"{n['unstable_bagged_variance']:.3g} bagged ({n['unstable_variance_ratio']:.2f}x), "
        f"test MSE {n['unstable_single_test_mse']:.3g} -> {n['unstable_bagged_test_mse']:.3g} "
        f"({n['unstable_mse_ratio']:.2f}x); degree {stable}: test MSE "
        f"{n['stable_single_test_mse']:.3g} -> {n['stable_bagged_test_mse']:.3g} "
        f"({n['stable_mse_ratio']:.2f}x)"
    )
    if deg <= stable:
        reason = f"the 'unstable' degree {deg} is not above the stable degree {stable}"
    elif n["instability"] < MIN_INSTABILITY:
        reason = (
            f"the degree-{deg} fit is not unstable here: its variance across training sets is "
            f"only {n['instability']:.3g}x the degree-{stable} fit's (needs >= "
            f"{MIN_INSTABILITY:g}x); use fewer points or a higher degree"
        )
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "variance cut >= 2x": n["unstable_variance_ratio"] <= 0.5,
        "test error cut >= 2x": n["unstable_mse_ratio"] <= 0.5,
        "ratio <= half the stable fit's": n["unstable_mse_ratio"] <= 0.5 * n["stable_mse_ratio"],
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

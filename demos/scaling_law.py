"""A scaling-law fit: test loss = a * N^(-alpha) + c over model size N, and a held-out size.

The task is linear regression with a power-law feature spectrum, the simplest setting where
scaling laws appear (Bahri et al. 2021, Maloney et al. 2022): inputs have independent Gaussian
features x_k with variances lambda_k = k^-(1 + ``alpha``), k = 1, 2, ... (a long tail of ever
weaker directions, like the principal components of natural data), the target is
y = sum_k w_k x_k + noise with random signs w_k = +-1 and noise std ``noise``.

A "model of size N" is a linear model on the first N features, fitted by least squares to
``n_train`` samples.  Its test loss is computed exactly (the expected squared error on fresh
data, no test-set sampling noise):

    L(N) = noise^2 + sum_{k <= N} lambda_k (w_k - w_hat_k)^2 + sum_{k > N} lambda_k w_k^2,

the irreducible term c = noise^2 (stated, not fitted), the estimation error of the N fitted
weights, and the part of the target the model cannot represent (the tail beyond N).  The
demo fits log(L - c) = log a - alpha_fit log N by least squares over ``sizes``, reports R^2,
compares alpha_fit with the spectrum's alpha, and predicts the loss of the larger
``holdout`` size from the fit before measuring it.

Preconditions (else "does not apply"): at least 4 sizes spanning at least 8x; the held-out
size larger than every fitted size; the model, not the data, is the bottleneck: at the
held-out size the estimation error (about (c + tail) * N / n_train) is at most 10 % of the
loss above c.  Otherwise the curve bends up: the fixed-data regime in which a bigger model
over-fits, not the scaling regime.

Honest caveats:
* the power law here comes from the power-law spectrum put into the data: the demo shows what
  a scaling-law fit does and how it extrapolates, not why language models obey one;
* only the sizes are varied; Kaplan et al. (2020) scale N with data and compute chosen so that
  neither is the bottleneck, and with fixed data a large enough model over-fits;
* c is known exactly here; in practice c is fitted too, and an error in c bends the log-log line.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from studytool.demorun.params import DemoInfo, DemoParamError, Param, Prediction

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="scaling_law",
    title_en="Scaling law: a power-law fit over model size, and a prediction",
    title_ko="Scaling law: 모델 크기에 대한 power-law fit과 예측",
    concept="neural scaling laws (power-law fit, irreducible loss)",
    claim=(
        "Least-squares models on the top N features of data with a power-law spectrum "
        "(alpha = 0.5): the test loss above the noise floor c falls as a power law in N: "
        "the log-log fit over N = 4..64 has R^2 >= 0.98, its exponent is within 15 % of 0.5, "
        "and it predicts the loss at N = 256 within 10 % before it is measured."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param(
            "sizes",
            "4,8,16,32,64",
            "model sizes N used for the fit (comma-separated)",
            quick="4,8,16,32",
        ),
        Param("holdout", 256, "the larger size predicted by the fit", min=2, max=2048, quick=128),
        Param("n_train", 8192, "training samples", min=16, max=40000, quick=4096),
        Param("alpha", 0.5, "spectrum exponent: lambda_k = k^-(1 + alpha)", min=0.05, max=3.0),
        Param("noise", 0.2, "label noise std (c = noise^2)", min=0.0, max=2.0),
    ),
    cards=(
        "uncertainty/scaling-laws",
        "uncertainty/scaling-numeric",
        "uncertainty/bigger-is-better-caveat",
        "uncertainty/scaling-findings",
    ),
    predictions=(
        Prediction(
            id="shape",
            prompt_en=(
                "Models of growing size N are fitted to the same task. Plotted on log-log "
                "axes, what shape will the test loss minus its irreducible floor make?"
            ),
            prompt_ko=(
                "같은 task에 크기 N이 커지는 모델들을 fit합니다. log-log 축에서 test loss에서 "
                "줄일 수 없는 바닥값을 뺀 값은 어떤 모양일까요?"
            ),
            options_en=(
                "a curve that drops fast and then flattens out (exponential decay)",
                "a U: it falls, then rises again",
                "about flat: size does not matter",
                "a straight falling line (a power law)",
            ),
            options_ko=(
                "빠르게 떨어진 뒤 평평해지는 곡선 (exponential decay)",
                "U자: 떨어졌다가 다시 올라감",
                "거의 평평함: 크기는 상관없음",
                "곧게 내려가는 직선 (power law)",
            ),
            card="uncertainty/scaling-laws",
        ),
        Prediction(
            id="shrink",
            prompt_en=(
                "The data's spectrum gives alpha = 0.5 (the default settings). Going from the "
                "largest fitted size to the held-out size (64 -> 256 features, 4x), by what "
                "factor does the loss above the floor shrink?"
            ),
            prompt_ko=(
                "데이터 spectrum에서 alpha = 0.5입니다(기본 설정). fit에 쓴 가장 큰 크기에서 "
                "held-out 크기로(64 -> 256 feature, 4배) 갈 때 바닥값 위의 loss는 몇 배 "
                "줄어들까요?"
            ),
            tolerance=0.3,
            unit="x",
            card="uncertainty/scaling-numeric",
        ),
    ),
)

CAVEATS = (
    "the power law comes from the power-law spectrum put into the data: this shows what a "
    "scaling-law fit does and how it extrapolates, not why language models obey one",
    "only model size varies here; Kaplan et al. (2020) scale with data and compute so neither "
    "is the bottleneck, and with fixed data a large enough model over-fits",
    "c is known exactly here; in practice it is fitted too, and an error in c bends the line",
)
TAIL = 1_000_000  # the spectrum is summed term by term this far, as an integral beyond
MIN_R2 = 0.98
ALPHA_TOL = 0.15
PREDICT_TOL = 0.10
MAX_ESTIMATION_SHARE = 0.10


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s) for s in str(text).replace(" ", "").split(",") if s})
    except ValueError:
        raise DemoParamError(
            f"param 'sizes': {text!r} is not a comma-separated list of integers"
        ) from None
    if len(sizes) < 2 or sizes[0] < 1 or sizes[-1] > 2048:
        raise DemoParamError(f"param 'sizes': {text!r} needs at least two sizes in 1..2048")
    return sizes


def claim_for(params: dict[str, Any]) -> str:
    sizes = parse_sizes(params["sizes"])
    alpha = float(params["alpha"])
    return (
        f"Least-squares models on the top N features of {int(params['n_train'])} samples with "
        f"a power-law spectrum (alpha = {alpha:g}, noise std {float(params['noise']):g}): the "
        "test loss above the noise floor c falls as a power law in N: the log-log fit over "
        f"N = {', '.join(map(str, sizes))} has R^2 >= 0.98, its exponent is within 15 % of "
        f"{alpha:g}, and it predicts the loss at N = {int(params['holdout'])} within 10 % "
        "before it is measured."
    )


def judge(n: dict[str, float], params: dict[str, Any]) -> Verdict:
    sizes, hold = parse_sizes(params["sizes"]), int(params["holdout"])
    claim = claim_for(params)
    measured = (
        f"fit: L - c = {n['a']:.3g} N^-{n['alpha_fit']:.3f} (spectrum alpha "
        f"{float(params['alpha']):g}), R^2 = {n['r2']:.4f}; at N = {hold} predicted L = "
        f"{n['predicted_holdout']:.4g}, measured {n['measured_holdout']:.4g} "
        f"({n['prediction_error']:+.1%})"
    )
    if len(sizes) < 4 or sizes[-1] < 8 * sizes[0]:
        reason = "a power-law fit needs at least 4 sizes spanning at least 8x"
    elif hold <= sizes[-1]:
        reason = f"the held-out size {hold} is not larger than the fitted sizes"
    elif n["estimation_share_holdout"] > MAX_ESTIMATION_SHARE:
        reason = (
            f"the data is the bottleneck: at N = {hold} the estimation error from "
            f"{int(params['n_train'])} samples is {n['estimation_share_holdout']:.0%} of the "
            "loss above c (over 10 %), so a bigger model over-fits instead of scaling"
        )
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers_for(n)
        )
    checks = {
        "R^2 >= 0.98": n["r2"] >= MIN_R2,
        "exponent within 15 %": abs(n["alpha_fit"] - float(params["alpha"]))
        <= ALPHA_TOL * float(params["alpha"]),
        "held-out prediction within 10 %": abs(n["prediction_error"]) <= PREDICT_TOL,
    }
    return Verdict.from_checks(
        checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers_for(n)
    )


def answers_for(n: dict[str, float]) -> dict[str, float]:
    if n["excess_first"] < 1.5 * n["excess_min"] and n["excess_last"] < 1.5 * n["excess_min"]:
        shape = 2  # flat
    elif n["excess_last"] >= 1.5 * n["excess_min"]:
        shape = 1  # rises again at the large sizes
    elif n["r2"] >= 0.95:
        shape = 3
    else:
        shape = 0
    return {"shape": shape, "shrink": n["shrink_to_holdout"]}


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    sizes, hold = parse_sizes(params["sizes"]), int(params["holdout"])
    n_train, alpha, noise = int(params["n_train"]), float(params["alpha"]), float(params["noise"])
    gen = torch.Generator().manual_seed(int(params["seed"]))
    dt = torch.float64
    top = max(sizes[-1], hold)
    lam = torch.arange(1, top + 1, dtype=dt) ** -(1 + alpha)
    # random signs, unit size: the target's power in feature k is exactly lambda_k
    w = torch.randint(0, 2, (top,), generator=gen).to(dt) * 2 - 1
    # the target's part beyond feature `top` acts on the samples as independent Gaussian
    # noise of variance sum_{k > top} lambda_k
    k_tail = torch.arange(top + 1, TAIL + 1, dtype=dt)
    # summed to TAIL, and beyond it the integral (TAIL + 1/2)^-alpha / alpha (Euler-Maclaurin)
    tail_var = float((k_tail ** -(1 + alpha)).sum()) + (TAIL + 0.5) ** -alpha / alpha
    x = torch.randn(n_train, top, generator=gen, dtype=dt) * lam.sqrt()
    y = x @ w + math.sqrt(tail_var + noise**2) * torch.randn(n_train, generator=gen, dtype=dt)
    x, y, lam_d, w_d = x.to(device), y.to(device), lam.to(device), w.to(device)
    c = noise**2
    # cumulative tail: sum_{k > N} lambda_k w_k^2 for every N <= top, plus the far tail
    contrib = lam * w**2
    beyond = [*contrib.flip(0).cumsum(0).flip(0).tolist(), 0.0]  # beyond[N] = sum k > N

    report.chart(
        "test loss by model size",
        x="model size N (features)",
        y="expected test loss (MSE)",
        series=["test loss", "loss - c", "power-law fit"],
        log_y=True,
    )
    every = sizes + ([hold] if hold not in sizes else [])
    losses: dict[int, float] = {}
    estimation: dict[int, float] = {}
    gram, rhs = x.T @ x, x.T @ y
    for i, size in enumerate(every):
        if report.cancelled:
            break
        w_hat = torch.linalg.solve(gram[:size, :size], rhs[:size])
        est = float((lam_d[:size] * (w_d[:size] - w_hat) ** 2).sum())
        losses[size] = c + est + beyond[size] + tail_var
        estimation[size] = est
        report.progress(i + 1, len(every))

    fit_sizes = [s for s in sizes if s in losses]
    lx = torch.tensor([math.log(s) for s in fit_sizes], dtype=dt)
    ly = torch.tensor([math.log(losses[s] - c) for s in fit_sizes], dtype=dt)
    design = torch.stack([torch.ones_like(lx), lx], 1)
    coef = torch.linalg.lstsq(design, ly[:, None]).solution[:, 0]
    resid = ly - design @ coef
    r2 = 1 - float((resid**2).sum() / ((ly - ly.mean()) ** 2).sum().clamp(min=1e-300))
    a, alpha_fit = math.exp(float(coef[0])), -float(coef[1])

    def fitted(size: float) -> float:
        return a * size**-alpha_fit + c

    for size in every:
        if size in losses:
            report.metric(
                size,
                at=size,
                **{
                    "test loss": losses[size],
                    "loss - c": losses[size] - c,
                    "power-law fit": fitted(size) - c,
                },
            )
    measured = losses.get(hold, math.nan)
    predicted = fitted(hold)
    excess = [losses[s] - c for s in fit_sizes]
    n = {
        "a": a,
        "alpha_fit": alpha_fit,
        "r2": r2,
        "c": c,
        "predicted_holdout": predicted,
        "measured_holdout": measured,
        "prediction_error": predicted / measured - 1,
        "excess_first": excess[0],
        "excess_last": measured - c,
        "excess_min": min([*excess, measured - c]),
        "shrink_to_holdout": excess[-1] / (measured - c),
        "estimation_share_holdout": estimation.get(hold, math.nan) / (measured - c),
    }
    report.table(
        "test loss by model size",
        [
            {
                "N": size,
                "test loss": losses[size],
                "loss - c": losses[size] - c,
                "fit": fitted(size) - c,
                "role": "held out" if size == hold else "fit",
            }
            for size in every
            if size in losses
        ],
    )
    return judge(n, params)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

"""L1 sparsity vs L2 shrinkage, and the 1/(1-p) scaling of inverted dropout.

**L1 vs L2.** A linear regression with ``n_features`` standard-normal features of which only
the first ``n_informative`` matter (true weights of size 1 to 2, random signs), ``n_samples``
examples and Gaussian noise (std ``noise``).  The same data are fitted three ways
(float64, after centring, so there is no intercept):

* least squares (no penalty): the reference;
* L2 (ridge): minimise (1/2n)||y - Xw||^2 + (lambda2/2)||w||^2, solved in closed form;
* L1 (lasso): minimise (1/2n)||y - Xw||^2 + lambda1 ||w||_1, solved by proximal gradient
  descent (ISTA: a gradient step, then soft-thresholding) started from the least-squares
  weights, which gives exact zeros.

A weight counts as zero when |w| <= ``zero_tol``.  The L1 penalty's pull lambda1 * sign(w)
does not fade near 0, so a weight whose gradient from the data is smaller than lambda1 stays
exactly at 0; the L2 pull lambda2 * w fades as w -> 0, so L2 shortens the weight vector
(the relevant weights by about 1/(1 + lambda2) here) and leaves none at 0.

**Inverted dropout.** Hidden activations h (ReLU of a random layer on random inputs) go
through ``torch.nn.Dropout(p)`` and a random next layer z = W h.  In train mode each kept
unit is multiplied by 1/(1-p), so averaged over ``masks`` masks the next layer sees what it
sees in eval mode (where dropout is the identity).  Masks without the scaling make the
training-time average (1-p) times the eval-mode output, so a net trained that way would get
inputs 1/(1-p) times too large at test time.  The ratio is the least-squares slope of the
averaged z on the eval z.

Preconditions (else "does not apply"): lambda1 > 0 and lambda2 > 0; more samples than
features (the least-squares reference is unique) and fewer informative features than
features; p >= 0.1 (below it the (1-p) gap is within the 3 % tolerance).

Honest caveats:
* exact zeros come from the proximal (soft-thresholding) step; L1 added to the loss and
  minimised with plain (sub)gradient descent or Adam leaves the weights jittering near 0,
  small but not exactly 0.
* how many irrelevant weights L1 zeroes depends on lambda1 against the noise level; too
  large a lambda1 also zeroes relevant weights (the claim then fails, by design).
* L2 shrinks the weight vector as a whole, not each weight: an irrelevant weight can even
  grow a little, taking up part of the shrunken signal through chance correlations with the
  relevant features (compare the mean |w| of the irrelevant weights in the table).
* the dropout check is about expectations: one mask's output is noisy, and a nonlinearity
  after the dropped layer makes the train-mode expectation differ from eval mode slightly.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="l1_l2_dropout",
    title_en="L1 sparsity vs L2 shrinkage, and inverted dropout",
    title_ko="L1 sparsity와 L2 shrinkage, 그리고 inverted dropout",
    concept="L1 vs L2 penalties; dropout's 1/(1-p) scaling",
    claim=(
        "On a 50-feature linear regression where 5 features matter, L1 (lambda1 = 0.1) sets at "
        "least 80 % of the irrelevant weights to |w| <= 0.001 and keeps every relevant one, "
        "while L2 (lambda2 = 0.5) sets at most 10 % of them that small and shortens the weight "
        "vector to at most 0.9x the least-squares one; and nn.Dropout(0.5) in train mode "
        "multiplies kept units by exactly 1/(1-p), so the next layer's output averaged over "
        "masks is within 3 % of eval mode, while unscaled masks give (1-p) times it (within "
        "3 %)."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param("n_samples", 200, "regression examples", min=10, max=5000),
        Param("n_features", 50, "features", min=2, max=500),
        Param("n_informative", 5, "features with a non-zero true weight", min=1, max=500),
        Param("noise", 0.5, "std of the target noise", min=0.0, max=10.0),
        Param("lambda1", 0.1, "L1 coefficient", min=0.0, max=100.0),
        Param("lambda2", 0.5, "L2 coefficient", min=0.0, max=100.0),
        Param("zero_tol", 0.001, "|w| at or below this counts as zero", min=0.0, max=1.0),
        Param("ista_steps", 500, "proximal gradient steps for L1", min=1, max=20000, quick=300),
        Param("p", 0.5, "dropout probability (of zeroing a unit)", min=0.0, max=0.9),
        Param("masks", 200, "dropout masks averaged", min=1, max=5000, quick=100),
    ),
    cards=(
        "regularization/l1-l2-names",
        "regularization/l1-sparsity",
        "regularization/dropout-inverted",
        "regularization/dropout-numeric",
        "regularization/dropout-p-meaning",
        "regularization/dropout-eval",
    ),
    predictions=(
        Prediction(
            id="zeros",
            prompt_en=(
                "The same regression, with many irrelevant features, is fitted once with an L1 "
                "penalty and once with an L2 penalty. Which sets most irrelevant weights to "
                "(almost exactly) zero?"
            ),
            prompt_ko=(
                "관련 없는 feature가 많은 같은 회귀를 L1 penalty와 L2 penalty로 각각 "
                "학습합니다. 관련 없는 weight 대부분을 (거의 정확히) 0으로 만드는 것은?"
            ),
            options_en=(
                "Neither: both only shrink them",
                "L2 (penalty on squared weights)",
                "L1 (penalty on absolute weights)",
                "Both",
            ),
            options_ko=(
                "둘 다 아니다: 둘 다 줄이기만 한다",
                "L2 (weight 제곱에 penalty)",
                "L1 (weight 절댓값에 penalty)",
                "둘 다",
            ),
            card="regularization/l1-sparsity",
        ),
        Prediction(
            id="unscaled",
            prompt_en=(
                "At the default settings (p = 0.5): if units were dropped in training WITHOUT "
                "the 1/(1-p) rescaling, the training-time average of the next layer's output "
                "would be what multiple of its eval-mode output?"
            ),
            prompt_ko=(
                "기본 설정(p = 0.5)에서: 학습 때 1/(1-p) rescaling 없이 unit을 drop하면, 다음 "
                "layer 출력의 학습 중 평균은 eval mode 출력의 몇 배가 될까요?"
            ),
            tolerance=0.05,
            unit="x",
            card="regularization/dropout-inverted",
        ),
    ),
)

CAVEATS = (
    "exact zeros come from the proximal (soft-thresholding) step; L1 minimised with plain "
    "(sub)gradient descent or Adam leaves weights jittering near 0, not exactly 0",
    "how many weights L1 zeroes depends on lambda1 against the noise; a too large lambda1 "
    "zeroes relevant weights too",
    "L2 shrinks the weight vector as a whole, not each weight: an irrelevant weight can grow "
    "a little, taking up shrunken signal through chance correlations",
    "the dropout check is about averages over masks: one mask's output is noisy",
)
L1_ZERO_MIN = 0.8
L2_ZERO_MAX = 0.1
L2_SHRINK_MAX = 0.9
SCALE_TOL = 0.03
P_MIN = 0.1
DROP_FRACTION_TOL = 0.01


def claim_for(params: dict[str, Any]) -> str:
    p = float(params["p"])
    return (
        f"On a {int(params['n_features'])}-feature linear regression where "
        f"{int(params['n_informative'])} features matter, L1 (lambda1 = "
        f"{float(params['lambda1']):g}) sets at least {L1_ZERO_MIN:.0%} of the irrelevant "
        f"weights to |w| <= {float(params['zero_tol']):g} and keeps every relevant one, while "
        f"L2 (lambda2 = {float(params['lambda2']):g}) sets at most {L2_ZERO_MAX:.0%} of them "
        f"that small and shortens the weight vector to at most {L2_SHRINK_MAX:g}x the "
        f"least-squares one; and nn.Dropout({p:g}) in train mode multiplies kept units by "
        f"exactly 1/(1-p) = {1 / (1 - p):.4g} and drops a fraction within "
        f"{DROP_FRACTION_TOL:g} of p, so the next layer's output averaged over "
        f"{int(params['masks'])} masks is within {SCALE_TOL:.0%} of eval mode, while unscaled "
        f"masks give (1-p) = {1 - p:.4g} times it (within {SCALE_TOL:.0%})."
    )


def answers(n: dict[str, float]) -> dict[str, float]:
    l1, l2 = n["l1_zero_frac"] >= 0.5, n["l2_zero_frac"] >= 0.5
    return {
        "zeros": float(3 if l1 and l2 else 2 if l1 else 1 if l2 else 0),
        "unscaled": n["unscaled_ratio"],
    }


def judge(n: dict[str, float], params: dict[str, Any]) -> Verdict:
    claim, ans, p = claim_for(params), answers(n), float(params["p"])
    measured = (
        f"irrelevant weights at zero: L1 {n['l1_zero_frac']:.0%}, L2 {n['l2_zero_frac']:.0%}; "
        f"relevant kept by L1 {n['l1_relevant_kept']:.0%}; |w_L2| / |w_LS| "
        f"{n['l2_shrink']:.3g}; dropout: kept x{n['kept_scale']:.4g}, dropped "
        f"{n['drop_fraction']:.3f}, averaged output / eval {n['inverted_ratio']:.3f} "
        f"(unscaled masks {n['unscaled_ratio']:.3f})"
    )
    if float(params["lambda1"]) <= 0 or float(params["lambda2"]) <= 0:
        reason = "lambda1 and lambda2 must be > 0: without a penalty there is nothing to compare"
    elif int(params["n_samples"]) <= int(params["n_features"]):
        reason = "n_samples <= n_features: the least-squares reference is not unique"
    elif int(params["n_informative"]) >= int(params["n_features"]):
        reason = "every feature is informative: there are no irrelevant weights to zero"
    elif p < P_MIN:
        reason = f"p = {p:g} < {P_MIN:g}: the (1-p) gap is within the {SCALE_TOL:.0%} tolerance"
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=ans
        )
    checks = {
        f"L1 zeroes >= {L1_ZERO_MIN:.0%} of irrelevant": n["l1_zero_frac"] >= L1_ZERO_MIN,
        "L1 keeps every relevant weight": n["l1_relevant_kept"] == 1.0,
        f"L2 zeroes <= {L2_ZERO_MAX:.0%} of irrelevant": n["l2_zero_frac"] <= L2_ZERO_MAX,
        f"L2 norm <= {L2_SHRINK_MAX:g}x least squares": n["l2_shrink"] <= L2_SHRINK_MAX,
        "kept units x exactly 1/(1-p)": n["kept_scale_error"] < 1e-6,
        f"dropped fraction within {DROP_FRACTION_TOL:g} of p": abs(n["drop_fraction"] - p)
        <= DROP_FRACTION_TOL,
        f"averaged output within {SCALE_TOL:.0%} of eval": abs(n["inverted_ratio"] - 1)
        <= SCALE_TOL,
        f"unscaled within {SCALE_TOL:.0%} of (1-p)": abs(n["unscaled_ratio"] - (1 - p))
        <= SCALE_TOL * (1 - p),
        "eval mode is the identity": n["eval_identity_error"] == 0.0,
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=ans)


def penalties(params: dict[str, Any], device: torch.device, report: Reporter) -> dict[str, float]:
    gen = torch.Generator().manual_seed(int(params["seed"]))
    n, d, k = (int(params[x]) for x in ("n_samples", "n_features", "n_informative"))
    k = min(k, d)
    dt = torch.float64
    x = torch.randn(n, d, generator=gen, dtype=dt)
    w_true = torch.zeros(d, dtype=dt)
    sign = torch.randint(0, 2, (k,), generator=gen).to(dt) * 2 - 1
    w_true[:k] = sign * (1 + torch.rand(k, generator=gen, dtype=dt))
    y = x @ w_true + float(params["noise"]) * torch.randn(n, generator=gen, dtype=dt)
    x, y = (x - x.mean(0)).to(device), (y - y.mean()).to(device)
    gram, xty = x.T @ x / n, x.T @ y / n
    eye = torch.eye(d, dtype=dt, device=device)
    w_ls = torch.linalg.lstsq(gram, xty.unsqueeze(1)).solution.squeeze(1)
    w_l2 = torch.linalg.solve(gram + float(params["lambda2"]) * eye, xty)
    lam1, step = float(params["lambda1"]), 1 / float(torch.linalg.eigvalsh(gram).max())
    w_l1 = w_ls.clone()  # start from least squares: the chart shows L1 pulling weights to 0
    steps = int(params["ista_steps"])
    report.chart(
        "L1 fit (proximal gradient)",
        x="proximal gradient step",
        y="weights at |w| <= zero_tol (count)",
        series=["irrelevant at zero", "relevant at zero"],
    )
    tol = float(params["zero_tol"])
    every = max(1, steps // 30)
    for i in range(steps + 1):
        if report.cancelled:
            break
        if i:
            z = w_l1 - step * (gram @ w_l1 - xty)
            w_l1 = torch.sign(z) * (z.abs() - step * lam1).clamp(min=0)  # soft-thresholding
        if i <= 10 or i % every == 0 or i == steps:  # the first steps do the most
            report.metric(
                i,
                **{
                    "irrelevant at zero": float((w_l1[k:].abs() <= tol).sum()),
                    "relevant at zero": float((w_l1[:k].abs() <= tol).sum()),
                },
            )
            report.progress(i, steps)
    report.chart(
        "irrelevant weights",
        x="irrelevant feature (number)",
        y="|w| (absolute weight; true value 0)",
        series=["least squares", "L2", "L1"],
    )
    for j in range(k, d):
        report.metric(
            j - k + 1, **{"least squares": abs(w_ls[j]), "L2": abs(w_l2[j]), "L1": abs(w_l1[j])}
        )
    report.table(
        "relevant weights",
        [
            {
                "feature": j + 1,
                "true": float(w_true[j]),
                "least squares": float(w_ls[j]),
                "L2": float(w_l2[j]),
                "L1": float(w_l1[j]),
            }
            for j in range(k)
        ],
    )
    irrelevant = max(1, d - k)
    out = {
        "l1_zero_frac": float((w_l1[k:].abs() <= tol).sum()) / irrelevant,
        "l1_exact_zero_frac": float((w_l1[k:] == 0).sum()) / irrelevant,
        "l2_zero_frac": float((w_l2[k:].abs() <= tol).sum()) / irrelevant,
        "l1_relevant_kept": float((w_l1[:k].abs() > tol).sum()) / k,
        "l2_shrink": float(w_l2.norm() / w_ls.norm()),
        "l2_min_irrelevant": float(w_l2[k:].abs().min()) if d > k else 0.0,
        "ls_mean_irrelevant": float(w_ls[k:].abs().mean()) if d > k else 0.0,
        "l2_mean_irrelevant": float(w_l2[k:].abs().mean()) if d > k else 0.0,
    }
    report.table(
        "irrelevant weights at zero",
        [
            {
                "fit": name,
                f"at |w| <= {tol:g}": round(frac * irrelevant) if d > k else 0,
                "of": d - k,
                "mean |w|": float(w[k:].abs().mean()) if d > k else 0.0,
            }
            for name, frac, w in (
                ("least squares", float((w_ls[k:].abs() <= tol).sum()) / irrelevant, w_ls),
                ("L2", out["l2_zero_frac"], w_l2),
                ("L1", out["l1_zero_frac"], w_l1),
            )
        ],
    )
    return out


def dropout(params: dict[str, Any], device: torch.device, report: Reporter) -> dict[str, float]:
    gen = torch.Generator().manual_seed(int(params["seed"]) + 1)
    p, masks = float(params["p"]), int(params["masks"])
    inputs = torch.randn(64, 32, generator=gen).to(device)
    w1 = torch.randn(32, 256, generator=gen).to(device) / 32**0.5
    w2 = torch.randn(256, 32, generator=gen).to(device) / 256**0.5
    h = torch.relu(inputs @ w1)  # (64, 256): the activations dropout acts on
    layer = nn.Dropout(p)
    layer.eval()
    with torch.no_grad():
        eval_out = layer(h)
        z_eval = eval_out @ w2
    layer.train()
    live = h > 0  # ReLU zeros are not dropout's doing
    sum_inv = torch.zeros_like(z_eval)
    sum_raw = torch.zeros_like(z_eval)
    kept_err, dropped, counted, kept_ratio = 0.0, 0.0, 0.0, []

    def slope(z: torch.Tensor) -> float:
        return float((z * z_eval).sum() / (z_eval * z_eval).sum())

    report.chart(
        "next layer: average over masks / eval mode",
        x="masks averaged",
        y="ratio to the eval-mode output (slope)",
        series=["nn.Dropout (scaled)", "mask without scaling", "1 - p"],
    )
    every = max(1, masks // 30)
    for i in range(1, masks + 1):
        if report.cancelled:
            break
        with torch.no_grad():
            out = layer(h)
            kept = (out != 0) & live
            if kept.any():
                scale = 1 / (1 - p)
                kept_err = max(kept_err, float((out[kept] - h[kept] * scale).abs().max()))
                kept_ratio.append(float((out[kept] / h[kept]).mean()))
            dropped += float(((out == 0) & live).sum())
            counted += float(live.sum())
            sum_inv += out @ w2
            mask = (torch.rand(h.shape, generator=gen) >= p).to(device)
            sum_raw += (h * mask) @ w2
        if i % every == 0 or i == masks:
            report.metric(
                i,
                **{
                    "nn.Dropout (scaled)": slope(sum_inv / i),
                    "mask without scaling": slope(sum_raw / i),
                    "1 - p": 1 - p,
                },
            )
    done = max(1, i)
    return {
        "kept_scale": sum(kept_ratio) / len(kept_ratio) if kept_ratio else 0.0,
        "kept_scale_error": kept_err / float(h.abs().max() / (1 - p)),
        "drop_fraction": dropped / max(counted, 1.0),
        "inverted_ratio": slope(sum_inv / done),
        "unscaled_ratio": slope(sum_raw / done),
        "eval_identity_error": float((eval_out - h).abs().max()),
    }


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    n = penalties(params, device, report)
    n.update(dropout(params, device, report))
    return judge(n, params)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

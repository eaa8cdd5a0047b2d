"""Aleatoric vs epistemic uncertainty: a heteroscedastic NLL net and a deep ensemble.

1-D regression: y = sin(1.5 x) + noise, where the noise std grows linearly from
``noise_min`` at x = -3 to ``noise_max`` at x = 3 (input-dependent, "heteroscedastic" noise),
and the training x are drawn uniformly from [-3, 3] minus a gap (-``gap``, ``gap``).

Each of ``members`` small tanh nets (different random inits, trained together as one batched
model) outputs a mean mu(x) and a variance var(x) (softplus) and is trained with the Gaussian
negative log-likelihood, ``torch.nn.GaussianNLLLoss`` (Kendall & Gal 2017: the variance head
learns the noise, "aleatoric" uncertainty).  The ensemble (Lakshminarayanan et al. 2017) gives

* aleatoric std(x) = sqrt(mean over members of var(x)): the noise the nets expect;
* epistemic std(x) = std over members of mu(x): how much the nets disagree about the mean.

Where there is data, the noise head recovers the true noise std (high correlation, ratio
near 1) and the members agree (small spread), however noisy the data are; in the gap no data
pin the mean down, so the members disagree: the epistemic spread grows there.

Preconditions (else "does not apply"): the noise really varies (noise_max >= 2 x noise_min,
else a correlation with the noise is meaningless) and there is a gap (gap >= 0.5) with
data on both sides.

Honest caveats:
* an ensemble of 5 nets is a small sample of "plausible models": its spread is a rough,
  often over-confident estimate of epistemic uncertainty, not a posterior;
* in the gap the noise head has no data either: its variance there is an interpolation, so
  aleatoric and epistemic estimates are not cleanly separable off the data (the lecture's
  point that the types overlap);
* the noise head is fitted on the training points, so with few points per region it
  tracks the sample noise, not exactly the true std.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict
from ._data import band_plot_image

INFO = DemoInfo(
    name="aleatoric_epistemic",
    title_en="Aleatoric vs epistemic: a noise head and an ensemble's spread",
    title_ko="Aleatoric vs epistemic: noise head와 앙상블의 퍼짐",
    concept="aleatoric vs epistemic uncertainty (heteroscedastic NLL, deep ensembles)",
    claim=(
        "On 1-D data whose noise std grows from 0.05 to 0.5 with a gap at |x| < 1, nets "
        "trained with Gaussian NLL predict a noise std that correlates with the true one at "
        "r >= 0.9 over the data and matches it on average within 30 %, while the ensemble's "
        "spread is at least 3x larger in the gap than over the data and at most half the "
        "noise std over the data."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param("n_train", 160, "training points", min=20, max=2000),
        Param("gap", 1.0, "half-width of the gap without data around x = 0", min=0.0, max=2.5),
        Param("noise_min", 0.05, "noise std at x = -3", min=0.0, max=2.0),
        Param("noise_max", 0.5, "noise std at x = 3", min=0.0, max=2.0),
        Param("members", 5, "nets in the ensemble", min=2, max=20, quick=4),
        Param("hidden", 32, "hidden units per layer (two tanh layers)", min=4, max=256),
        Param("steps", 600, "full-batch Adam steps", min=10, max=20000, quick=400),
        Param("lr", 0.02, "Adam learning rate", min=1e-4, max=0.1),
    ),
    cards=(
        "uncertainty/aleatoric-def",
        "uncertainty/uncertainty-types-separable",
        "uncertainty/heteroscedastic-loss",
        "uncertainty/ensemble-spread-not-noise",
        "peer-questions/gaussian-nll-loss",
        "peer-questions/gaussian-nll-numeric",
    ),
    predictions=(
        Prediction(
            id="disagree",
            prompt_en=(
                "An ensemble of nets is trained on data whose noise grows from left (x = -3) "
                "to right (x = 3), with no data in a gap around x = 0. Where will the nets' "
                "predicted means disagree most?"
            ),
            prompt_ko=(
                "noise가 왼쪽(x = -3)에서 오른쪽(x = 3)으로 커지고 x = 0 주변 gap에는 데이터가 "
                "없는 데이터로 앙상블을 학습합니다. net들의 예측 평균이 가장 크게 엇갈리는 곳은?"
            ),
            options_en=(
                "in the gap, where there is no data",
                "at the noisiest data (x near 3)",
                "at the quietest data (x near -3)",
                "about equally everywhere",
            ),
            options_ko=(
                "데이터가 없는 gap",
                "noise가 가장 큰 데이터 (x가 3 근처)",
                "noise가 가장 작은 데이터 (x가 -3 근처)",
                "모든 곳에서 비슷함",
            ),
            card="uncertainty/ensemble-spread-not-noise",
        ),
        Prediction(
            id="sigma_at_2_5",
            prompt_en=(
                "At the default settings the true noise std rises linearly from 0.05 at x = -3 "
                "to 0.5 at x = 3. What noise std will the NLL-trained nets predict at x = 2.5?"
            ),
            prompt_ko=(
                "기본 설정에서 진짜 noise std는 x = -3의 0.05에서 x = 3의 0.5까지 직선으로 "
                "커집니다. NLL로 학습한 net들은 x = 2.5에서 noise std를 얼마로 예측할까요?"
            ),
            tolerance=0.1,
            unit="std of y",
            card="uncertainty/heteroscedastic-loss",
        ),
    ),
)

CAVEATS = (
    "a few ensemble members are a small sample of plausible models: their spread is a rough, "
    "often over-confident estimate of epistemic uncertainty, not a posterior",
    "in the gap the noise head has no data either: its variance there is an interpolation, so "
    "the two kinds of uncertainty do not separate cleanly off the data",
    "the noise head follows the sample noise of the training points, not exactly the true std",
)
X_LO, X_HI = -3.0, 3.0
MIN_CORR = 0.9
RATIO_TOL = 0.3  # mean predicted / true noise std within 30 %
GAP_FACTOR = 3.0
SPREAD_OVER_NOISE = 0.5
N_GRID = 121
PROBE_X = 2.5


def claim_for(params: dict[str, Any]) -> str:
    return (
        f"On 1-D data ({int(params['n_train'])} points) whose noise std grows from "
        f"{float(params['noise_min']):g} to {float(params['noise_max']):g} with a gap at "
        f"|x| < {float(params['gap']):g}, {int(params['members'])} nets trained with Gaussian NLL "
        "predict a noise std that correlates with the true one at r >= 0.9 over the data and "
        "matches it on average within 30 %, while the ensemble's spread is at least 3x larger "
        "in the gap than over the data and at most half the noise std over the data."
    )


def true_std(x: torch.Tensor, params: dict[str, Any]) -> torch.Tensor:
    lo, hi = float(params["noise_min"]), float(params["noise_max"])
    return lo + (hi - lo) * (x - X_LO) / (X_HI - X_LO)


def target(x: torch.Tensor) -> torch.Tensor:
    return torch.sin(1.5 * x)


def judge(n: dict[str, float], params: dict[str, Any]) -> Verdict:
    claim = claim_for(params)
    measured = (
        f"noise head over the data: r = {n['sigma_corr']:.3f}, predicted / true std "
        f"{n['sigma_ratio']:.3f}; ensemble spread {n['spread_gap']:.3g} in the gap vs "
        f"{n['spread_data']:.3g} over the data ({n['gap_over_data']:.2g}x), spread / noise "
        f"over the data {n['spread_over_noise']:.2f}"
    )
    lo, hi = float(params["noise_min"]), float(params["noise_max"])
    if hi < 2 * lo or hi <= 0:
        reason = "the noise barely varies (noise_max < 2 x noise_min): nothing for r to track"
    elif float(params["gap"]) < 0.5:
        reason = "the gap is narrower than 0.5: there is no region without data to compare"
    else:
        reason = ""
    answers = answers_for(n)
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "r >= 0.9": n["sigma_corr"] >= MIN_CORR,
        "predicted / true std within 30 %": abs(n["sigma_ratio"] - 1) <= RATIO_TOL,
        "spread in the gap >= 3x over the data": n["gap_over_data"] >= GAP_FACTOR,
        "spread <= half the noise over the data": n["spread_over_noise"] <= SPREAD_OVER_NOISE,
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers)


def answers_for(n: dict[str, float]) -> dict[str, float]:
    regions = [n["spread_gap"], n["spread_noisiest"], n["spread_quietest"]]
    where = 3 if max(regions) < 1.5 * min(regions) else max(range(3), key=regions.__getitem__)
    return {"disagree": where, "sigma_at_2_5": n["sigma_at_2_5"]}


class Ensemble:
    """``members`` MLPs 1 -> hidden -> hidden -> (mean, variance), as batched weights."""

    def __init__(self, members: int, hidden: int, gen: torch.Generator, device: torch.device):
        def layer(i: int, o: int) -> tuple[torch.Tensor, torch.Tensor]:
            w = torch.randn(members, i, o, generator=gen, dtype=torch.float64) / math.sqrt(i)
            b = torch.zeros(members, 1, o, dtype=torch.float64)
            return w.to(device).requires_grad_(), b.to(device).requires_grad_()

        self.layers = [layer(1, hidden), layer(hidden, hidden), layer(hidden, 2)]
        self.members = members

    def parameters(self) -> list[torch.Tensor]:
        return [t for wb in self.layers for t in wb]

    def __call__(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (N,) -> mean and variance, each (members, N)."""
        h = x.view(1, -1, 1).expand(self.members, -1, 1)
        for i, (w, b) in enumerate(self.layers):
            h = torch.baddbmm(b, h, w)
            if i < len(self.layers) - 1:
                h = torch.tanh(h)
        return h[..., 0], torch.nn.functional.softplus(h[..., 1]) + 1e-6


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    gen = torch.Generator().manual_seed(int(params["seed"]))
    n_train, gap, steps = int(params["n_train"]), float(params["gap"]), int(params["steps"])
    dt = torch.float64
    # x uniform on [-3, -gap] u [gap, 3]: one uniform draw over the joined length
    side = X_HI - gap
    u = torch.rand(n_train, generator=gen, dtype=dt) * 2 * side
    x = torch.where(u < side, X_LO + u, gap + (u - side))
    y = target(x) + true_std(x, params) * torch.randn(n_train, generator=gen, dtype=dt)
    x, y = x.to(device), y.to(device)

    net = Ensemble(int(params["members"]), int(params["hidden"]), gen, device)
    opt = torch.optim.Adam(net.parameters(), lr=float(params["lr"]))
    nll = torch.nn.GaussianNLLLoss(reduction="none")
    report.chart(
        "training", x="step", y="Gaussian NLL per point (nats, constant dropped)", series=["NLL"]
    )
    every = max(1, steps // 50)
    for t in range(1, steps + 1):
        if report.cancelled:
            break
        mu, var = net(x)
        loss = nll(mu, y.expand_as(mu), var).mean(1).sum()  # each member's own mean NLL
        opt.zero_grad()
        loss.backward()
        opt.step()
        if t % every == 0 or t == steps:
            report.metric(t, NLL=float(loss.detach()) / net.members)
            report.progress(t, steps)

    with torch.no_grad():
        grid = torch.linspace(X_LO, X_HI, N_GRID, dtype=dt, device=device)
        mu, var = net(grid)
        aleatoric = var.mean(0).sqrt()
        epistemic = mu.std(0)
        _probe_mu, probe_var = net(torch.tensor([PROBE_X], dtype=dt, device=device))
    grid, mu, aleatoric, epistemic = grid.cpu(), mu.cpu(), aleatoric.cpu(), epistemic.cpu()
    truth = true_std(grid, params)
    # over the data: inside the training range, 0.1 away from the gap's edges
    data = grid.abs() >= gap + 0.1
    in_gap = grid.abs() <= max(gap - 0.2, 0.0)
    if not bool(in_gap.any()):  # a gap too narrow for any grid point: its centre
        in_gap = grid.abs() == grid.abs().min()
    quarter = (X_HI - gap) / 2
    noisiest = grid >= X_HI - quarter
    quietest = grid <= X_LO + quarter

    report.chart(
        "uncertainty by x",
        x="input x",
        y="standard deviation of y",
        series=["true noise std", "predicted noise std", "ensemble spread"],
    )
    for i in range(N_GRID):
        report.metric(
            i,
            at=float(grid[i]),
            **{
                "true noise std": float(truth[i]),
                "predicted noise std": float(aleatoric[i]),
                "ensemble spread": float(epistemic[i]),
            },
        )
    pair = torch.stack([aleatoric[data], truth[data]])
    corr = float(torch.corrcoef(pair)[0, 1]) if float(truth[data].std()) > 0 else 0.0
    n = {
        "sigma_corr": corr,
        "sigma_ratio": float((aleatoric[data] / truth[data].clamp(min=1e-9)).mean()),
        "spread_gap": float(epistemic[in_gap].mean()),
        "spread_data": float(epistemic[data].mean()),
        "spread_noisiest": float(epistemic[noisiest].mean()),
        "spread_quietest": float(epistemic[quietest].mean()),
        "spread_over_noise": float((epistemic[data] / truth[data].clamp(min=1e-9)).mean()),
        "sigma_at_2_5": float(probe_var.mean().sqrt()),
        "true_sigma_at_2_5": float(true_std(torch.tensor(PROBE_X), params)),
        "final_nll": float(loss.detach()) / net.members,
    }
    n["gap_over_data"] = n["spread_gap"] / max(n["spread_data"], 1e-12)
    report.table(
        "mean std by region",
        [
            {
                "region": name,
                "true noise std": float(truth[mask].mean()),
                "predicted noise std": float(aleatoric[mask].mean()),
                "ensemble spread": float(epistemic[mask].mean()),
            }
            for name, mask in (
                ("quietest data (left)", quietest),
                ("gap (no data)", in_gap),
                ("noisiest data (right)", noisiest),
                ("all data", data),
            )
        ],
    )
    total = (aleatoric**2 + epistemic**2).sqrt()
    report.image(
        "ensemble fit",
        band_plot_image(
            grid.numpy()[::2],
            mu.mean(0).numpy()[::2],
            total.numpy()[::2],
            x.cpu().numpy(),
            y.cpu().numpy(),
            height=32,
            y_bounds=(-2.5, 2.5),
        ),
        caption="ensemble mean (yellow) +- 2 total std (purple: noise and spread together), "
        f"training points (green); x from -3 to 3, y from -2.5 to 2.5, no data at |x| < {gap:g}",
    )
    return judge(n, params)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

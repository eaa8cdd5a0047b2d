"""Epistemic uncertainty in 1D regression: MC dropout vs a deep ensemble.

Training data cover only x in [-2, 2]. Two ways to get a predictive spread from a neural net:

* MC dropout (Gal & Ghahramani 2016): keep dropout ON at test time and look at the spread of
  many stochastic forward passes.
* Deep ensemble (Lakshminarayanan et al. 2017): train several nets from different random inits
  and look at the spread of their predictions.

Both should agree on the training range (the data pin the function down) and disagree off it
(nothing constrains the extrapolation), so the predictive std grows with distance from the data.

The claim's margin: for each method the mean predictive std over 3 < |x| < 6 is more than
`MIN_RATIO` times the mean over the training range.  Which method grows more is reported (and
asked as a prediction), not claimed.  There is no precondition: every parameter setting has a
training range and an off-data range.

Honest caveats:
* MC dropout's spread depends on the dropout rate chosen, not only on the data: it is a
  crude posterior; the ensemble's members agree where the data pin them down.
* "uncertainty grows off the data" is measured in one dimension on a smooth target; in high
  dimensions both methods can be confidently wrong far from the data.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import band_plot_image

INFO = DemoInfo(
    name="uncertainty",
    title_en="MC dropout and deep ensembles: uncertainty off the data",
    title_ko="MC 드롭아웃과 딥 앙상블: 데이터 밖의 불확실성",
    concept="epistemic uncertainty (MC dropout, deep ensembles)",
    claim=(
        "For a 1D regression net trained on x in [-2, 2], both MC dropout and a deep ensemble "
        "give a larger predictive standard deviation (ratio above 1.3) for x outside the training "
        "range (3 < |x| < 6) than inside it."
    ),
    params=(
        Param(
            "steps", 1500, "full-batch training steps for each model", min=1, max=20000, quick=500
        ),
        Param("members", 5, "networks in the deep ensemble", min=2, max=20),
        Param("dropout", 0.1, "dropout probability of the MC-dropout net", min=0.01, max=0.9),
        Param("passes", 100, "stochastic forward passes for MC dropout", min=2, max=2000),
        Param("hidden", 128, "hidden units per layer", min=4, max=512),
        Param("lr", 0.01, "Adam learning rate", min=1e-5, max=0.1),
        Param("noise", 0.1, "standard deviation of the noise on the targets", min=0.0, max=1.0),
        Param("seed", 0, "random seed", min=0, max=2147483647),
    ),
    cards=(
        "uncertainty/why-uncertainty",
        "uncertainty/three-uncertainty-types",
        "uncertainty/epistemic-def",
        "uncertainty/ood-def",
        "uncertainty/reducible-uncertainty",
        "uncertainty/bayesian-deep-learning",
        "uncertainty/mc-dropout",
        "uncertainty/mc-dropout-no-retraining",
        "uncertainty/mc-dropout-variance-numeric",
        "uncertainty/deep-ensembles",
        "uncertainty/deep-ensemble-mixture-numeric",
        "uncertainty/ensembles-vs-mc-dropout",
        "uncertainty/which-uncertainty-from-what",
        "uncertainty/entropy-decomposition",
        "uncertainty/mixture-density-network",
        "uncertainty/ddu",
    ),
    predictions=(
        Prediction(
            id="ensemble_off",
            prompt_en="Off the data (3 < |x| < 6), how does the deep ensemble's predictive std "
            "compare with its std on the training range?",
            prompt_ko="데이터 밖(3 < |x| < 6)에서 딥 앙상블의 예측 표준편차는 학습 범위에서의 "
            "표준편차와 비교해 어떤가?",
            options_en=(
                "Smaller",
                "About the same (within 30 %)",
                "Larger by more than 30 %",
            ),
            options_ko=(
                "더 작다",
                "비슷하다 (30 % 이내)",
                "30 % 넘게 크다",
            ),
            card="uncertainty/deep-ensembles",
        ),
        Prediction(
            id="grows_more",
            prompt_en="Whose predictive std grows more (as a ratio, off the data over on it): "
            "MC dropout's or the deep ensemble's?",
            prompt_ko="예측 표준편차가 (데이터 밖 / 데이터 위 비율로) 더 크게 늘어나는 쪽은 MC "
            "드롭아웃인가, 딥 앙상블인가?",
            options_en=("The deep ensemble's", "MC dropout's"),
            options_ko=("딥 앙상블", "MC 드롭아웃"),
            card="uncertainty/ensembles-vs-mc-dropout",
        ),
    ),
)

N_TRAIN = 64
MIN_RATIO = 1.3  # "larger": off-data std / on-data std
CAVEATS = (
    "MC dropout's spread depends on the dropout rate chosen, not only on the data: a crude "
    "posterior.",
    "One input dimension and a smooth target: in high dimensions both methods can be "
    "confidently wrong far from the data.",
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"For a 1D regression net trained on x in [-2, 2] ({int(params['steps'])} steps), both "
        f"MC dropout (p={float(params['dropout']):g}, {int(params['passes'])} passes) and a "
        f"deep ensemble of {int(params['members'])} give a predictive standard deviation more "
        f"than {MIN_RATIO:g}x larger for x outside the training range (3 < |x| < 6) than "
        "inside it."
    )


TRAIN_LO, TRAIN_HI = -2.0, 2.0
OFF_LO, OFF_HI = 3.0, 6.0  # "off the data": 3 < |x| < 6, at least 1 away from any training x


def target(x: np.ndarray) -> np.ndarray:
    return np.sin(1.5 * x) + 0.3 * x


class DropoutMLP(nn.Module):
    def __init__(self, hidden: int, p: float) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(1, hidden),
            nn.ReLU(),
            nn.Dropout(p),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Dropout(p),
            nn.Linear(hidden, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class BatchedMLP(nn.Module):
    """E independent 1-hidden-hidden-1 MLPs evaluated in one go (weights stacked along dim 0)."""

    def __init__(self, members: int, hidden: int) -> None:
        super().__init__()

        def layer(n_in: int, n_out: int) -> tuple[nn.Parameter, nn.Parameter]:
            bound = 1.0 / math.sqrt(n_in)  # the nn.Linear default init, separately per member
            w = nn.Parameter(torch.empty(members, n_in, n_out).uniform_(-bound, bound))
            b = nn.Parameter(torch.empty(members, 1, n_out).uniform_(-bound, bound))
            return w, b

        self.w1, self.b1 = layer(1, hidden)
        self.w2, self.b2 = layer(hidden, hidden)
        self.w3, self.b3 = layer(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, 1) -> predictions (E, N, 1)."""
        h = torch.relu(torch.matmul(x, self.w1) + self.b1)  # (E, N, H)
        h = torch.relu(torch.bmm(h, self.w2) + self.b2)
        return torch.bmm(h, self.w3) + self.b3


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "training", x="training step", y="training MSE", series=["dropout_mse", "ensemble_mse"]
    )
    seed = int(params["seed"])
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    steps, hidden, lr = int(params["steps"]), int(params["hidden"]), float(params["lr"])
    x_np = rng.uniform(TRAIN_LO, TRAIN_HI, N_TRAIN).astype(np.float32)
    y_np = (target(x_np) + float(params["noise"]) * rng.standard_normal(N_TRAIN)).astype(np.float32)
    x = torch.from_numpy(x_np).unsqueeze(-1).to(device)
    y = torch.from_numpy(y_np).unsqueeze(-1).to(device)

    drop = DropoutMLP(hidden, float(params["dropout"])).to(device)
    ens = BatchedMLP(int(params["members"]), hidden).to(device)
    opt_d = torch.optim.Adam(drop.parameters(), lr=lr)
    opt_e = torch.optim.Adam(ens.parameters(), lr=lr)
    every = max(1, steps // 40)
    done = 0
    for step in range(1, steps + 1):
        loss_d = (drop(x) - y).pow(2).mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        # sum over members of each member's own MSE: the members never see each other
        loss_e = (ens(x) - y).pow(2).mean(dim=(1, 2)).sum()
        opt_e.zero_grad()
        loss_e.backward()
        opt_e.step()
        done = step
        if step % every == 0 or step == steps:
            report.metric(
                step,
                dropout_mse=float(loss_d.detach()),
                ensemble_mse=float(loss_e.detach()) / int(params["members"]),
            )
            report.progress(step, steps)
            if report.cancelled:
                break

    grid_np = np.linspace(-OFF_HI, OFF_HI, 241).astype(np.float32)
    grid = torch.from_numpy(grid_np).unsqueeze(-1).to(device)
    torch.manual_seed(seed)  # the dropout masks below
    with torch.no_grad():
        drop.train()  # dropout stays ON: MC dropout
        passes = torch.stack([drop(grid) for _ in range(int(params["passes"]))])[..., 0]
        ens_preds = ens(grid)[..., 0]  # (E, N)
    d_mean, d_std = passes.mean(0).cpu().numpy(), passes.std(0).cpu().numpy()
    e_mean, e_std = ens_preds.mean(0).cpu().numpy(), ens_preds.std(0).cpu().numpy()

    on = np.abs(grid_np) <= TRAIN_HI
    off = (np.abs(grid_np) > OFF_LO) & (np.abs(grid_np) < OFF_HI)
    d_on, d_off = float(d_std[on].mean()), float(d_std[off].mean())
    e_on, e_off = float(e_std[on].mean()), float(e_std[off].mean())
    d_ratio, e_ratio = d_off / d_on, e_off / e_on
    truth = target(grid_np)
    err_on = float(np.abs(e_mean - truth)[on].mean())
    err_off = float(np.abs(e_mean - truth)[off].mean())

    y_lo = float(min(truth.min(), (e_mean - 2 * e_std).min(), (d_mean - 2 * d_std).min())) - 0.2
    y_hi = float(max(truth.max(), (e_mean + 2 * e_std).max(), (d_mean + 2 * d_std).max())) + 0.2
    y_lo, y_hi = max(y_lo, -6.0), min(y_hi, 6.0)
    cols = grid_np[::3]
    for name, mean, std in (("mc_dropout", d_mean, d_std), ("deep_ensemble", e_mean, e_std)):
        report.image(
            name,
            band_plot_image(
                cols, mean[::3], std[::3], x_np, y_np, height=32, y_bounds=(y_lo, y_hi)
            ),
            caption=f"{name.replace('_', ' ')}: mean (yellow) +- 2 std (purple), "
            f"training points (green) in [{TRAIN_LO:g}, {TRAIN_HI:g}]",
        )
    rows = []
    for lo, hi in (
        (-6.0, -4.0),
        (-4.0, -3.0),
        (-3.0, -2.0),
        (-2.0, -1.0),
        (-1.0, 0.0),
        (0.0, 1.0),
        (1.0, 2.0),
        (2.0, 3.0),
        (3.0, 4.0),
        (4.0, 6.0),
    ):
        m = (grid_np >= lo) & (grid_np <= hi)
        rows.append(
            {
                "x_range": f"[{lo:g}, {hi:g}]",
                "on_data": bool(lo >= TRAIN_LO and hi <= TRAIN_HI),
                "dropout_std": float(d_std[m].mean()),
                "ensemble_std": float(e_std[m].mean()),
                "ensemble_abs_error": float(np.abs(e_mean - truth)[m].mean()),
            }
        )
    report.table("predictive_std_by_region", rows)

    checks = {
        f"MC dropout std grows > {MIN_RATIO:g}x": d_ratio > MIN_RATIO,
        f"ensemble std grows > {MIN_RATIO:g}x": e_ratio > MIN_RATIO,
        "all steps run": done == steps,
    }
    failed = [k for k, ok in checks.items() if not ok]
    summary = (
        f"predictive std off/on the training range: MC dropout {d_off:.3f}/{d_on:.3f} = "
        f"{d_ratio:.1f}x, deep ensemble {e_off:.3f}/{e_on:.3f} = {e_ratio:.1f}x"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    answers = {
        "ensemble_off": 2 if e_ratio > MIN_RATIO else (0 if e_ratio < 1 / MIN_RATIO else 1),
        "grows_more": 0 if e_ratio >= d_ratio else 1,
    }
    return Verdict(
        not failed,
        {
            "dropout_std_on": d_on,
            "dropout_std_off": d_off,
            "dropout_ratio": d_ratio,
            "ensemble_std_on": e_on,
            "ensemble_std_off": e_off,
            "ensemble_ratio": e_ratio,
            "ensemble_error_on": err_on,
            "ensemble_error_off": err_off,
            "steps": float(done),
        },
        summary,
        claim=claim_for(params),
        caveats=CAVEATS,
        answers=answers,
    )


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

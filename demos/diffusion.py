"""DDPM-style diffusion on 2D two-moons data: noising it into N(0, I), then learning to undo it.

Forward process (fixed, no learning): q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I) with
abar_t = prod_{s<=t} (1 - beta_s). As t -> T, abar_t -> 0 and every data set becomes N(0, I).
The noise schedule is the cosine one of Nichol & Dhariwal (2021) by default (abar_T = 0 exactly),
or linear. The moons are scaled by 2 so that the data have roughly unit variance, like N(0, I).
Reverse process (learned): a small MLP eps_theta(x_t, t) predicts the added noise (loss: MSE to
the true noise, Ho et al. 2020); sampling starts at x_T ~ N(0, I) and steps back with
x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) * eps_theta) / sqrt(1 - beta_t) + sqrt(beta_t) z.

"N(0, I)" is checked as mean within 0.1 of 0 and std within 10 % of 1 per coordinate; "far
better" as a mean nearest-data distance under 40 % and a 16 x 16 histogram distance under
half of the Gaussian start's.  Precondition (else "does not apply"): the schedule really
destroys the data - sqrt(abar_T) <= 0.05 (the linear schedule with few steps T does not get
there, and then sampling from N(0, I) starts from the wrong distribution).

Honest caveats:
* mean 0 and std 1 are necessary for N(0, I), not sufficient; the histogram distance to a
  Gaussian draw is in the forward table.
* the nearest-data distance rewards samples that sit on the data even if they crowd one part
  of it; the histogram distance is the check on coverage.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import density_image, histogram_tv, hstack_images, nearest_distances, two_moons

INFO = DemoInfo(
    name="diffusion",
    title_en="Diffusion (DDPM) on 2D data",
    title_ko="2D 데이터의 확산 모델 (DDPM)",
    concept="denoising diffusion",
    claim=(
        "The forward process turns two-moons data into N(0, I) (mean within 0.1 of 0, std "
        "within 10 % of 1), and reverse sampling with a learned noise predictor turns N(0, I) "
        "back into points that match the data far better than the Gaussian start (mean "
        "nearest-data distance under 40 % and 2D histogram distance under half of the start's)."
    ),
    params=(
        Param("steps", 2000, "training steps of the noise predictor", min=1, max=50000, quick=800),
        Param("T", 100, "diffusion steps", min=10, max=1000),
        Param(
            "schedule",
            "cosine",
            "noise schedule: cosine (Nichol & Dhariwal) or linear (beta from 1e-4 to 0.1)",
            choices=("cosine", "linear"),
        ),
        Param(
            "hidden",
            128,
            "hidden units per layer of the noise predictor",
            min=8,
            max=1024,
            quick=64,
        ),
        Param("lr", 0.01, "Adam learning rate", min=1e-5, max=0.1),
        Param("batch", 256, "minibatch size", min=8, max=8192),
        Param("seed", 0, "random seed", min=0, max=2147483647),
    ),
    cards=(
        "generative-2/diffusion-two-processes",
        "generative-2/ddpm-forward-step",
        "generative-2/ddpm-alpha-bar-numeric",
        "generative-2/ddpm-training-target",
    ),
    predictions=(
        Prediction(
            "forward_end",
            "At the last forward step t = T, what do the noised data points look like?",
            "마지막 forward step t = T에서 노이즈가 더해진 데이터 점들은 어떤 모습인가?",
            options_en=(
                "still two moons, only blurred",
                "a standard Gaussian cloud N(0, I)",
                "all collapsed near the origin",
            ),
            options_ko=(
                "여전히 두 개의 반달, 흐려졌을 뿐",
                "표준 가우시안 구름 N(0, I)",
                "모두 원점 근처로 모인다",
            ),
            card="generative-2/diffusion-two-processes",
        ),
        Prediction(
            "closer",
            "After reverse sampling, how close are the samples to the real data (mean distance "
            "to the nearest real point), compared with the Gaussian start?",
            "reverse sampling 후 샘플은 실제 데이터에 얼마나 가까운가(가장 가까운 실제 점까지의 "
            "평균 거리), 가우시안 시작점과 비교하면?",
            options_en=(
                "much closer: under 40 % of the start's distance",
                "somewhat closer: 40 % to 80 %",
                "no closer: at least 80 %",
            ),
            options_ko=(
                "훨씬 가깝다: 시작점 거리의 40 % 미만",
                "조금 가깝다: 40 %에서 80 %",
                "가깝지 않다: 80 % 이상",
            ),
            card="generative-2/diffusion-two-processes",
        ),
    ),
)

CAVEATS = (
    "mean 0 and std 1 are necessary for N(0, I), not sufficient",
    "the nearest-data distance rewards samples crowding one part of the data; the histogram "
    "distance checks coverage",
)
MAX_SQRT_ABAR_T = 0.05  # the forward process must really destroy the data


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"The forward process ({params['schedule']} schedule, T = {int(params['T'])}) turns "
        "two-moons data into N(0, I) (mean within 0.1 of 0, std within 10 % of 1), and reverse "
        f"sampling with a noise predictor trained for {int(params['steps'])} steps turns N(0, I) "
        "back into points that match the data far better than the Gaussian start (mean "
        "nearest-data distance under 40 % and 2D histogram distance under half of the start's)."
    )


def judge(n: dict[str, float], params: dict[str, Any], summary: str) -> Verdict:
    """Preconditions first, then each part of the claim with its floor."""
    claim = claim_for(params)
    ratio = n["dist_samples"] / n["dist_start"]
    if n["forward_end_std_x"] < 0.5 and n["forward_end_std_y"] < 0.5:
        forward_end = 2
    elif max(abs(n["forward_end_mean_x"]), abs(n["forward_end_mean_y"])) < 0.1 and all(
        0.9 < n[f"forward_end_std_{c}"] < 1.1 for c in "xy"
    ):
        forward_end = 1
    else:
        forward_end = 0
    answers = {
        "forward_end": float(forward_end),
        "closer": float(0 if ratio < 0.4 else (1 if ratio < 0.8 else 2)),
    }
    if n["forward_end_sqrt_abar"] > MAX_SQRT_ABAR_T:
        return Verdict.does_not_apply(
            f"the schedule keeps sqrt(abar_T) = {n['forward_end_sqrt_abar']:.3g} of the data "
            f"(needs <= {MAX_SQRT_ABAR_T:g}): x_T is not N(0, I), so sampling would start from "
            "the wrong distribution; use more steps T or the cosine schedule",
            n,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    checks = {
        "forward mean within 0.1": max(abs(n["forward_end_mean_x"]), abs(n["forward_end_mean_y"]))
        < 0.1,
        "forward std within 10 %": all(0.9 < n[f"forward_end_std_{c}"] < 1.1 for c in "xy"),
        "nearest-data distance < 40 % of start": ratio < 0.4,
        "histogram distance < half of start": n["tv_samples"] < 0.5 * n["tv_start"],
        "trained every step": n["steps"] == int(params["steps"]),
    }
    return Verdict.from_checks(checks, n, summary, claim=claim, caveats=CAVEATS, answers=answers)


N_DATA, N_SAMPLES = 4000, 1000  # sampling 1000 points through T steps is the fixed cost
N_REFERENCE = 2000  # fresh data the samples are scored against (more points: a finer floor)
N_FREQ = 6
BOX = (-3.5, 3.5, -3.5, 3.5)
SCALE = 2.0  # two_moons * 2: about unit variance
BINS = 16  # histogram cells per axis for the TV distance (16 x 16 over BOX)


class NoisePredictor(nn.Module):
    """eps_theta(x_t, t): an MLP on [x_t, sinusoidal features of t / T]."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.register_buffer("freqs", math.pi * 2.0 ** torch.arange(N_FREQ, dtype=torch.float32))
        self.net = nn.Sequential(
            nn.Linear(2 + 2 * N_FREQ, hidden),
            nn.SiLU(),
            nn.Linear(hidden, hidden),
            nn.SiLU(),
            nn.Linear(hidden, hidden),
            nn.SiLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x: torch.Tensor, t_frac: torch.Tensor) -> torch.Tensor:
        ang = t_frac.unsqueeze(-1) * self.freqs
        return self.net(torch.cat([x, ang.sin(), ang.cos()], dim=-1))


def noise_schedule(kind: str, T: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(betas, abar) as float64 tensors of length T; abar[t - 1] = prod_{s<=t} (1 - beta_s)."""
    if kind == "linear":
        betas = torch.linspace(1e-4, 0.1, T, dtype=torch.float64)
        return betas, torch.cumprod(1.0 - betas, 0)
    s = 0.008  # cosine schedule: abar(t) = f(t) / f(0), f(t) = cos^2((t/T + s) / (1 + s) * pi/2)
    ts = torch.arange(T + 1, dtype=torch.float64) / T
    f = torch.cos((ts + s) / (1 + s) * math.pi / 2) ** 2
    abar = (f / f[0]).clamp(min=0.0)
    betas = (1.0 - abar[1:] / abar[:-1]).clamp(max=0.999)
    return betas, torch.cumprod(1.0 - betas, 0)


def stats_row(t: int, x: np.ndarray, abar: float, gauss: np.ndarray) -> dict[str, Any]:
    return {
        "t": t,
        "sqrt_abar": math.sqrt(abar),
        "mean_x": float(x[:, 0].mean()),
        "mean_y": float(x[:, 1].mean()),
        "std_x": float(x[:, 0].std()),
        "std_y": float(x[:, 1].std()),
        "tv_to_gaussian": histogram_tv(x, gauss, bins=BINS, bounds=BOX),
    }


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart("training", x="training step", y="noise-prediction MSE", series=["noise_mse"])
    seed = int(params["seed"])
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    T, steps, batch = int(params["T"]), int(params["steps"]), int(params["batch"])
    g = torch.Generator().manual_seed(seed)

    data_np = SCALE * two_moons(N_DATA, rng)
    reference = SCALE * two_moons(N_REFERENCE, rng)  # fresh draw: the target samples are scored on
    data = torch.from_numpy(data_np).to(device)
    betas, abar = noise_schedule(str(params["schedule"]), T)  # abar[t-1] belongs to t = 1..T
    gauss_ref = rng.standard_normal((N_SAMPLES, 2)).astype(np.float32)

    # ---- forward process: watch the data turn into N(0, I)
    x0 = data_np[:N_SAMPLES]
    rows = [stats_row(0, x0, 1.0, gauss_ref)]
    pics = [density_image(x0, 32, BOX, (0.4, 0.8, 1.0))]
    shown = sorted({max(1, T // 10), T // 4, T // 2, (3 * T) // 4, T})
    noise = rng.standard_normal(x0.shape).astype(np.float32)
    for t in shown:
        a = float(abar[t - 1])
        xt = math.sqrt(a) * x0 + math.sqrt(1 - a) * noise
        rows.append(stats_row(t, xt, a, gauss_ref))
        if t in (T // 4, T // 2, T):
            pics.append(density_image(xt, 32, BOX, (0.4, 0.8, 1.0)))
    report.table("forward_process_marginal", rows)
    report.image(
        "forward_noising",
        hstack_images(pics),
        caption=f"x_t at t = 0, {T // 4}, {T // 2}, {T}: the moons dissolve into N(0, I)",
    )
    end = rows[-1]
    report.log(
        f"forward: at t={T} sqrt(abar)={end['sqrt_abar']:.3f}, mean=({end['mean_x']:.2f}, "
        f"{end['mean_y']:.2f}), std=({end['std_x']:.2f}, {end['std_y']:.2f})"
    )

    # ---- train the noise predictor
    model = NoisePredictor(int(params["hidden"])).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=float(params["lr"]))
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, steps))
    abar_dev = abar.float().to(device)
    every = max(1, steps // 40)
    run_loss, n_loss, done = 0.0, 0, 0
    for step in range(1, steps + 1):
        x = data[torch.randint(0, N_DATA, (batch,), generator=g).to(device)]
        t = torch.randint(1, T + 1, (batch,), generator=g).to(device)
        eps = torch.randn(batch, 2, generator=g).to(device)
        a = abar_dev[t - 1].unsqueeze(-1)
        xt = a.sqrt() * x + (1 - a).sqrt() * eps
        loss = (model(xt, t.float() / T) - eps).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        run_loss += float(loss.detach())
        n_loss += 1
        done = step
        if step % every == 0 or step == steps:
            report.metric(step, noise_mse=run_loss / n_loss)
            run_loss, n_loss = 0.0, 0
            report.progress(step, steps)
            if report.cancelled:
                break

    # ---- reverse sampling from N(0, I)
    x = torch.randn(N_SAMPLES, 2, generator=g).to(device)
    start = x.cpu().numpy()
    zs = torch.randn(T, N_SAMPLES, 2, generator=g).to(device)
    reverse_rows = []
    with torch.no_grad():
        for t in range(T, 0, -1):
            if t in shown:
                xs = x.cpu().numpy()
                reverse_rows.append(
                    {
                        "t": t,
                        "nearest_data_dist": float(nearest_distances(xs, reference).mean()),
                        "tv_to_data": histogram_tv(xs, reference, bins=BINS, bounds=BOX),
                    }
                )
            beta, a = float(betas[t - 1]), float(abar[t - 1])
            t_frac = torch.full((N_SAMPLES,), t / T, device=device)
            eps_hat = model(x, t_frac)
            x = (x - beta / math.sqrt(1 - a) * eps_hat) / math.sqrt(1 - beta)
            if t > 1:
                x = x + math.sqrt(beta) * zs[t - 1]
    samples = x.cpu().numpy()

    d_samples = float(nearest_distances(samples, reference).mean())
    d_start = float(nearest_distances(start, reference).mean())
    d_floor = float(nearest_distances(data_np[:N_SAMPLES], reference).mean())
    tv_samples = histogram_tv(samples, reference, bins=BINS, bounds=BOX)
    tv_start = histogram_tv(start, reference, bins=BINS, bounds=BOX)
    tv_floor = histogram_tv(data_np[:N_SAMPLES], reference, bins=BINS, bounds=BOX)
    reverse_rows.append({"t": 0, "nearest_data_dist": d_samples, "tv_to_data": tv_samples})
    report.table("reverse_process", reverse_rows)
    report.table(
        "samples_vs_data",
        [
            {"points": "Gaussian start x_T", "nearest_data_dist": d_start, "tv_to_data": tv_start},
            {
                "points": "reverse samples x_0",
                "nearest_data_dist": d_samples,
                "tv_to_data": tv_samples,
            },
            {
                "points": "another draw of real data (floor)",
                "nearest_data_dist": d_floor,
                "tv_to_data": tv_floor,
            },
        ],
    )
    report.image(
        "reverse_samples",
        hstack_images(
            [
                density_image(start, 32, BOX, (1.0, 0.6, 0.1)),
                density_image(samples, 32, BOX, (1.0, 0.6, 0.1)),
                density_image(reference, 32, BOX, (0.4, 0.8, 1.0)),
            ]
        ),
        caption="left: x_T ~ N(0, I); middle: reverse samples x_0; right: real data",
    )

    summary = (
        f"nearest-data distance {d_start:.3f} (Gaussian start) -> {d_samples:.3f} "
        f"(samples; real-data floor {d_floor:.3f}), histogram TV {tv_start:.2f} -> "
        f"{tv_samples:.2f} (floor {tv_floor:.2f}); at t = T mean ({end['mean_x']:.2f}, "
        f"{end['mean_y']:.2f}), std ({end['std_x']:.2f}, {end['std_y']:.2f})"
    )
    numbers = {
        "forward_end_mean_x": end["mean_x"],
        "forward_end_mean_y": end["mean_y"],
        "forward_end_std_x": end["std_x"],
        "forward_end_std_y": end["std_y"],
        "forward_end_sqrt_abar": end["sqrt_abar"],
        "dist_start": d_start,
        "dist_samples": d_samples,
        "dist_floor": d_floor,
        "tv_start": tv_start,
        "tv_samples": tv_samples,
        "tv_floor": tv_floor,
        "steps": float(done),
    }
    return judge(numbers, params, summary)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

"""A GAN on a 2D mixture of 8 Gaussians on a ring: which modes does the generator cover?

Generator G: z ~ N(0, I) -> R^2; discriminator D: R^2 -> logit(real). They play the minimax game
(non-saturating generator loss, Goodfellow et al. 2014). A mode counts as *covered* when at least
`min_share` of the generated samples fall within `radius` of its centre; we also report the share of
"good" samples (within `radius` of any mode) and the mean distance of a sample to its nearest mode.
Vanilla GANs are known to collapse onto a subset of modes; if that happens the demo says so.

The verdict needs most modes (at least `MIN_MODES` of 8), not just "more than at init": the
initial generator covers none, so one mode would pass.  It applies only when the counting
rule can tell modes apart: the real data, counted the same way, must cover all 8 modes (with a
`radius` too small for the mode's spread, or a `min_share` above what a mode holds, even the
data "misses" modes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import density_image, gaussian_ring, hstack_images, ring_modes, scatter_image

INFO = DemoInfo(
    name="gan",
    title_en="GAN on a ring of 8 Gaussians: mode coverage",
    title_ko="링 위 8개 가우시안 GAN: 모드 커버리지",
    concept="generative adversarial networks / mode collapse",
    claim=(
        "After adversarial training the generator covers at least 6 of the 8 modes (it covers "
        "none at initialisation) and its samples lie at most half as far from the nearest mode "
        "as at initialisation; how many modes it misses (mode collapse) is measured, not assumed."
    ),
    params=(
        Param(
            "steps",
            2000,
            "training steps (one D and one G update each)",
            min=1,
            max=50000,
            quick=600,
        ),
        Param("hidden", 64, "hidden units per layer in G and D", min=8, max=1024),
        Param("z_dim", 2, "noise dimensions", min=1, max=64),
        Param("lr", 0.001, "Adam learning rate (both players)", min=1e-5, max=0.1),
        Param("batch", 256, "minibatch size", min=8, max=4096),
        Param("std", 0.05, "standard deviation of each mode", min=0.005, max=0.5),
        Param(
            "radius",
            0.25,
            "a sample within this distance of a centre belongs to that mode",
            min=0.01,
            max=1.0,
        ),
        Param(
            "min_share",
            0.03,
            "share of samples a mode needs to count as covered",
            min=0.001,
            max=0.125,
        ),
        Param("seed", 0, "random seed", min=0, max=2147483647),
    ),
    cards=(
        "generative-2/adversarial-autoencoder",
        "generative-2/gan-two-player-game",
        "generative-2/gan-minimax-objective",
        "generative-2/gan-optimal-discriminator",
        "generative-2/gan-optimal-d-numeric",
        "generative-2/gan-jsd",
        "generative-2/gan-global-optimum-value",
        "generative-2/gan-jsd-caveat",
        "generative-2/gan-non-saturating",
        "generative-2/mode-collapse",
        "generative-2/gan-vs-vae",
        "generative-2/dcgan",
        "generative-2/infogan",
        "generative-2/cyclegan",
        "generative-2/cycle-consistency-cloze",
        "generative-2/stargan",
        "generative-2/progressive-gan",
        "generative-2/gan-family-order",
        "history/gan-idea",
    ),
    predictions=(
        Prediction(
            id="modes",
            prompt_en="About how many of the 8 modes will the trained generator cover?",
            prompt_ko="학습된 생성기는 8개 모드 중 대략 몇 개를 커버할까?",
            tolerance=1.0,
            unit="modes",
            card="generative-2/mode-collapse",
        ),
        Prediction(
            id="closer",
            prompt_en="After training, how far are the generated samples from the nearest mode, "
            "compared with the untrained generator's samples?",
            prompt_ko="학습 후 생성된 샘플은 학습 전 생성기의 샘플과 비교해 가장 가까운 모드에서 "
            "얼마나 떨어져 있을까?",
            options_en=(
                "Less than half as far",
                "About as far (between half and the same distance)",
                "Farther than before",
            ),
            options_ko=(
                "절반보다 가깝다",
                "비슷하다 (절반에서 같은 거리 사이)",
                "전보다 멀다",
            ),
            card="generative-2/gan-two-player-game",
        ),
    ),
)

N_MODES = 8
N_EVAL = 2000
MIN_MODES = 6  # "most of the 8 modes"
CAVEATS = (
    "One seed, one architecture: a vanilla GAN may collapse onto fewer modes on another seed "
    "or with other learning rates; that is the phenomenon, not a bug.",
    "A mode counts as covered at a share of samples of min_share; coverage says nothing about "
    "whether the shares are equal (see the per-mode table).",
)


def mlp(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(n_in, hidden),
        nn.LeakyReLU(0.2),
        nn.Linear(hidden, hidden),
        nn.LeakyReLU(0.2),
        nn.Linear(hidden, n_out),
    )


def coverage(
    samples: np.ndarray, centres: np.ndarray, radius: float, min_share: float
) -> tuple[int, np.ndarray, float, float]:
    """(modes covered, share per mode, share of samples near any mode, mean distance to the
    nearest mode)."""
    d = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=-1)  # (N, modes)
    nearest = d.argmin(1)
    near = d.min(1) <= radius
    shares = np.array([(near & (nearest == k)).mean() for k in range(len(centres))])
    return int((shares >= min_share).sum()), shares, float(near.mean()), float(d.min(1).mean())


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "modes", x="training step", y="modes covered (of 8)", series=["modes_covered"], log_y=False
    )
    report.chart(
        "samples near a mode",
        x="training step",
        y="share of samples",
        series=["good_share"],
        log_y=False,
    )
    report.chart(
        "distance",
        x="training step",
        y="mean distance to the nearest mode",
        series=["mean_dist_to_mode"],
    )
    report.chart("losses", x="training step", y="BCE loss (nats)", series=["d_loss", "g_loss"])
    seed = int(params["seed"])
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    steps, batch, z_dim = int(params["steps"]), int(params["batch"]), int(params["z_dim"])
    hidden, std = int(params["hidden"]), float(params["std"])
    radius, min_share = float(params["radius"]), float(params["min_share"])
    centres = ring_modes(N_MODES, 2.0)
    real_pool = torch.from_numpy(gaussian_ring(20000, rng, N_MODES, 2.0, std)).to(device)

    G = mlp(z_dim, hidden, 2).to(device)
    D = mlp(2, hidden, 1).to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=float(params["lr"]), betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=float(params["lr"]), betas=(0.5, 0.999))
    bce = nn.functional.binary_cross_entropy_with_logits
    g = torch.Generator().manual_seed(seed)
    z_eval = torch.randn(N_EVAL, z_dim, generator=g).to(device)

    def generate() -> np.ndarray:
        with torch.no_grad():
            return G(z_eval).cpu().numpy()

    init_samples = generate()
    m0, shares0, good0, dist0 = coverage(init_samples, centres, radius, min_share)
    report.metric(0, modes_covered=m0, good_share=good0, mean_dist_to_mode=dist0)
    every = max(1, steps // 40)
    history = [(0, m0)]
    done = 0
    ones = torch.ones(batch, 1, device=device)
    zeros = torch.zeros(batch, 1, device=device)
    for step in range(1, steps + 1):
        real = real_pool[torch.randint(0, len(real_pool), (batch,), generator=g).to(device)]
        z = torch.randn(batch, z_dim, generator=g).to(device)
        fake = G(z)
        # discriminator: real -> 1, fake -> 0
        d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        # generator (non-saturating): make D call the fakes real
        g_loss = bce(D(fake), ones)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        done = step
        if step % every == 0 or step == steps:
            m, _, good, dist = coverage(generate(), centres, radius, min_share)
            history.append((step, m))
            report.metric(
                step,
                modes_covered=m,
                good_share=good,
                mean_dist_to_mode=dist,
                d_loss=float(d_loss.detach()),
                g_loss=float(g_loss.detach()),
            )
            report.progress(step, steps)
            if report.cancelled:
                break

    final = generate()
    m1, shares1, good1, dist1 = coverage(final, centres, radius, min_share)
    box = (-3.0, 3.0, -3.0, 3.0)
    data_pts = real_pool[:N_EVAL].cpu().numpy()

    def panel(points: np.ndarray, colour: tuple[float, float, float]) -> np.ndarray:
        img = density_image(points, 40, box, colour, gamma=0.4)
        marks = scatter_image([(centres, (1.0, 1.0, 1.0))], size=40, bounds=box).sum(-1) > 0
        empty = img.max(-1) < 0.2  # mark a mode centre only where G put (almost) nothing
        img[marks & empty] = 0.45
        return img

    report.image(
        "samples",
        hstack_images(
            [
                panel(init_samples, (1.0, 0.6, 0.1)),
                panel(final, (1.0, 0.6, 0.1)),
                panel(data_pts, (0.4, 0.8, 1.0)),
            ]
        ),
        caption=f"density of G(z) before training ({m0}/8 modes, left) and after {done} steps "
        f"({m1}/8 modes, middle); real data (right); grey dots: mode centres G misses",
    )
    report.table(
        "share_of_samples_per_mode",
        [
            {
                "mode": k,
                "angle_deg": 45 * k,
                "share_init": float(shares0[k]),
                "share_trained": float(shares1[k]),
                "covered": bool(shares1[k] >= min_share),
            }
            for k in range(N_MODES)
        ],
    )
    best = max(m for _, m in history)
    m_data, _, _, _ = coverage(data_pts, centres, radius, min_share)
    numbers = {
        "modes_init": float(m0),
        "modes_trained": float(m1),
        "modes_best_during_training": float(best),
        "modes_in_real_data": float(m_data),
        "good_share_init": good0,
        "good_share_trained": good1,
        "dist_init": dist0,
        "dist_trained": dist1,
        "steps": float(done),
    }
    summary = (
        f"modes covered {m0}/8 -> {m1}/8 (need {MIN_MODES}), samples near a mode "
        f"{good0:.0%} -> {good1:.0%}, mean distance to nearest mode {dist0:.2f} -> {dist1:.2f} "
        f"(need <= {0.5 * dist0:.2f})"
    )
    if m1 < N_MODES:
        summary += (
            f" ({N_MODES - m1} of 8 modes missed: mode collapse, or too few steps; "
            f"best during training {best}/8)"
        )
    closer = 0 if dist1 <= 0.5 * dist0 else (1 if dist1 <= dist0 else 2)
    answers = {"modes": float(m1), "closer": closer}
    claim = (
        f"After {steps} steps of adversarial training the generator covers at least "
        f"{MIN_MODES} of the 8 modes (a mode: >= {min_share:g} of the samples within "
        f"{radius:g} of its centre) and its samples lie at most half as far from the nearest "
        "mode as at initialisation."
    )
    if m_data < N_MODES:
        return Verdict.does_not_apply(
            f"the real data itself covers only {m_data}/8 modes with radius={radius:g} and "
            f"min_share={min_share:g} (mode spread std={std:g}): the count cannot tell a "
            "collapsed generator from a good one",
            numbers,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    if m0 >= MIN_MODES:
        return Verdict.does_not_apply(
            f"the untrained generator already covers {m0}/8 modes: there is nothing to learn",
            numbers,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    holds = bool(done == steps and m1 >= MIN_MODES and dist1 <= 0.5 * dist0)
    return Verdict(holds, numbers, summary, claim=claim, caveats=CAVEATS, answers=answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

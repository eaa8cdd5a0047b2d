"""A variational autoencoder on 2D two-moons data: the ELBO, its two terms, and prior samples.

Encoder q(z|x) = N(mu(x), diag(exp(logvar(x)))), prior p(z) = N(0, I), decoder
p(x|z) = N(f(z), sigma^2 I) with a fixed sigma. For each data point

    ELBO(x) = E_q[log p(x|z)] - KL(q(z|x) || p(z))  <=  log p(x)
              `-- reconstruction --'   `-- KL term --'

The KL between two Gaussians has a closed form (``gaussian_kl``); the reconstruction term is
estimated with the reparameterisation trick z = mu + exp(logvar / 2) * eps. After training,
decoding z ~ N(0, I) gives points that land on the moons, i.e. the decoder turned the prior
into (an approximation of) the data distribution.

The claim's margins: the held-out ELBO rises by more than `MIN_ELBO_GAIN` nats per point; the
KL term stays above `MIN_KL` nats from a quarter of training on (the code is used, no
posterior collapse); decoded prior samples lie on average less than `MAX_DIST_RATIO` times as
far from the nearest training point as uniform random points in the data's box.  There is no
precondition: every setting has data, a prior and a box to compare with.

Honest caveats:
* the decoder output is its mean f(z): sampling x ~ N(f(z), sigma^2 I) would add noise of std
  sigma around the moons.
* "close to the data" is measured by distance to the nearest training point; it does not show
  that the two moons get the right share of the samples.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import density_image, hstack_images, nearest_distances, scatter_image, two_moons

INFO = DemoInfo(
    name="vae",
    title_en="VAE: the ELBO = reconstruction - KL",
    title_ko="VAE: ELBO = 재구성 - KL",
    concept="variational autoencoder / ELBO",
    claim=(
        "Training a VAE on 2D two-moons data raises the held-out ELBO by over 1 nat per point, "
        "its KL term stays above 0.5 nats (the latent code is used), and decoded prior samples "
        "z ~ N(0, I) land less than half as far from the data as random points in the same box."
    ),
    params=(
        Param("steps", 1500, "training steps (minibatches)", min=1, max=20000, quick=400),
        Param("latent", 2, "latent dimensions", min=1, max=16),
        Param("hidden", 64, "hidden units per layer (encoder and decoder)", min=4, max=512),
        Param("sigma", 0.1, "decoder standard deviation (fixed)", min=0.01, max=2.0),
        Param("lr", 0.005, "Adam learning rate", min=1e-5, max=0.1),
        Param("batch", 128, "minibatch size", min=8, max=4096),
        Param("seed", 0, "random seed", min=0, max=2147483647),
    ),
    cards=(
        "generative-2/autoencoder-not-generative",
        "generative-2/vae-generation",
        "generative-2/variational-distribution-def",
        "generative-2/variational-inference-goal",
        "generative-2/vi-elbo-trick",
        "generative-2/elbo-derivation",
        "generative-2/elbo-two-terms",
        "generative-2/reconstruction-term",
        "generative-2/prior-fitting-term",
        "generative-2/vae-training-order",
        "generative-2/gaussian-kl-closed-form",
        "generative-2/gaussian-kl-numeric-1d",
        "generative-2/gaussian-kl-numeric-2d",
        "generative-2/gaussian-kl-zero",
        "generative-2/reparameterization-trick",
        "generative-2/reparameterization-why",
        "generative-2/reparameterization-numeric",
    ),
    predictions=(
        Prediction(
            id="kl",
            prompt_en="After training, where is the KL term KL(q(z|x) || p(z)) of the held-out "
            "ELBO?",
            prompt_ko="학습 후 검증 ELBO의 KL 항 KL(q(z|x) || p(z))은 어디에 있는가?",
            options_en=(
                "Clearly above 0 (over 0.5 nats): the latent code carries information",
                "Near 0: the encoder ignores x (posterior collapse)",
            ),
            options_ko=(
                "0보다 뚜렷이 크다 (0.5 nat 초과): 잠재 코드가 정보를 담는다",
                "0 근처: 인코더가 x를 무시한다 (사후 붕괴)",
            ),
            card="generative-2/prior-fitting-term",
        ),
        Prediction(
            id="prior_samples",
            prompt_en="Decode z ~ N(0, I) drawn from the prior. How far do the decoded points "
            "land from the data, compared with random points in the data's box?",
            prompt_ko="사전분포에서 뽑은 z ~ N(0, I)를 디코딩한다. 디코딩된 점은 데이터 상자 안의 "
            "무작위 점과 비교해 데이터에서 얼마나 떨어져 있을까?",
            options_en=(
                "Between half as far and as far",
                "Farther than random points",
                "Less than half as far",
            ),
            options_ko=(
                "절반에서 같은 거리 사이",
                "무작위 점보다 멀다",
                "절반보다 가깝다",
            ),
            card="generative-2/vae-generation",
        ),
    ),
)

N_TRAIN, N_TEST, N_PRIOR = 2000, 1000, 1000
MIN_ELBO_GAIN = 1.0  # nats per point
MIN_KL = 0.5  # nats: the code is used
MAX_DIST_RATIO = 0.5  # prior samples vs random points, mean distance to the data
CAVEATS = (
    "Prior samples are decoder means f(z); sampling x ~ N(f(z), sigma^2 I) adds noise of std "
    "sigma around the moons.",
    "Distance to the nearest training point does not show that each moon gets its share of "
    "the samples.",
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"Training a VAE ({int(params['latent'])}-D latent, decoder sigma "
        f"{float(params['sigma']):g}, {int(params['steps'])} steps) on 2D two-moons data raises "
        f"the held-out ELBO by over {MIN_ELBO_GAIN:g} nat per point, its KL term stays above "
        f"{MIN_KL:g} nats from a quarter of training on (the latent code is used), and decoded "
        f"prior samples z ~ N(0, I) land less than {MAX_DIST_RATIO:g}x as far from the data as "
        "random points in the same box."
    )


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL( N(mu, diag(exp(logvar))) || N(0, I) ) in nats, summed over the last dimension.

    = 1/2 * sum( mu^2 + var - 1 - log var ).
    """
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)


def mlp(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(n_in, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, n_out),
    )


class VAE(nn.Module):
    def __init__(self, latent: int, hidden: int, sigma: float) -> None:
        super().__init__()
        self.latent = latent
        self.sigma = sigma
        self.encoder = mlp(2, hidden, 2 * latent)
        self.decoder = mlp(latent, hidden, 2)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.encoder(x).chunk(2, dim=-1)
        return mu, logvar.clamp(-12.0, 6.0)

    def elbo_terms(self, x: torch.Tensor, eps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-point (reconstruction log-likelihood, KL) in nats; `eps` ~ N(0, I), (B, latent)."""
        mu, logvar = self.encode(x)
        z = mu + (0.5 * logvar).exp() * eps  # reparameterisation trick
        x_hat = self.decoder(z)
        d = x.shape[-1]
        recon = -0.5 * ((x - x_hat) / self.sigma).pow(2).sum(-1) - d * math.log(
            self.sigma * math.sqrt(2 * math.pi)
        )
        return recon, gaussian_kl(mu, logvar)


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "ELBO terms",
        x="training step",
        y="nats per image",
        series=["elbo", "reconstruction", "kl"],
        log_y=False,
    )
    seed = int(params["seed"])
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    train_np = two_moons(N_TRAIN, rng)
    test_np = two_moons(N_TEST, rng)
    train = torch.from_numpy(train_np).to(device)
    test = torch.from_numpy(test_np).to(device)
    latent, steps, batch = int(params["latent"]), int(params["steps"]), int(params["batch"])

    model = VAE(latent, int(params["hidden"]), float(params["sigma"])).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=float(params["lr"]))
    g = torch.Generator().manual_seed(seed)
    # fixed noise for the held-out ELBO estimate, so its changes come from the model only
    test_eps = torch.randn(8, N_TEST, latent, generator=g).to(device)

    def test_terms() -> tuple[float, float, float]:
        with torch.no_grad():
            rs, ks = zip(*(model.elbo_terms(test, e) for e in test_eps), strict=True)
            recon = float(torch.stack(rs).mean())
            kl = float(torch.stack(ks).mean())
        return recon - kl, recon, kl

    elbo0, recon0, kl0 = test_terms()
    report.metric(0, elbo=elbo0, reconstruction=recon0, kl=kl0)
    every = max(1, steps // 30)
    done = 0
    kl_min_after_warmup = float("inf")
    for step in range(1, steps + 1):
        idx = torch.randint(0, N_TRAIN, (batch,), generator=g).to(device)
        eps = torch.randn(batch, latent, generator=g).to(device)
        recon, kl = model.elbo_terms(train[idx], eps)
        loss = -(recon - kl).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        done = step
        if step % every == 0 or step == steps:
            elbo, rec, klv = test_terms()
            report.metric(step, elbo=elbo, reconstruction=rec, kl=klv)
            report.progress(step, steps)
            if step >= steps // 4:
                kl_min_after_warmup = min(kl_min_after_warmup, klv)
            if report.cancelled:
                break

    elbo1, recon1, kl1 = test_terms()
    kl_min_after_warmup = min(kl_min_after_warmup, kl1)

    # decode samples from the prior (decoder means) and compare with uniform random points
    with torch.no_grad():
        z = torch.randn(N_PRIOR, latent, generator=g).to(device)
        prior_x = model.decoder(z).cpu().numpy()
        recon_x = model.decoder(model.encode(test)[0]).cpu().numpy()
    lo, hi = train_np.min(0), train_np.max(0)
    random_x = (lo + (hi - lo) * rng.random((N_PRIOR, 2))).astype(np.float32)
    d_prior = float(nearest_distances(prior_x, train_np).mean())
    d_random = float(nearest_distances(random_x, train_np).mean())
    # the best structure-free alternative: a Gaussian with the data's mean and covariance
    gauss_x = rng.multivariate_normal(train_np.mean(0), np.cov(train_np.T), size=N_PRIOR)
    d_gauss = float(nearest_distances(gauss_x, train_np).mean())
    d_recon = float(np.linalg.norm(recon_x - test_np, axis=1).mean())

    box = (-2.0, 2.0, -2.0, 2.0)
    report.image(
        "prior_samples",
        hstack_images(
            [
                density_image(train_np[:N_PRIOR], 40, box, (0.4, 0.8, 1.0)),
                density_image(prior_x, 40, box, (1.0, 0.6, 0.1)),
                density_image(random_x, 40, box, (0.6, 0.6, 0.6)),
            ]
        ),
        caption="density of: training data (left), decoder(z) for z ~ N(0, I) (middle), "
        "uniform random points in the data's box (right)",
    )
    with torch.no_grad():
        mu_test = model.encode(test)[0].cpu().numpy()
    if latent >= 2:
        upper = _moon_of(test_np)
        report.image(
            "latent_means",
            scatter_image(
                [(mu_test[upper, :2], (1.0, 0.4, 0.4)), (mu_test[~upper, :2], (0.4, 0.7, 1.0))],
                size=40,
                bounds=(-3.0, 3.0, -3.0, 3.0),
            ),
            caption="encoder means of test points in latent space (red/blue: the two moons), "
            "axes -3..3; the prior N(0, I) covers the same region",
        )
    report.table(
        "held_out_elbo_nats_per_point",
        [
            {"when": "before training", "elbo": elbo0, "reconstruction": recon0, "kl": kl0},
            {"when": f"after {done} steps", "elbo": elbo1, "reconstruction": recon1, "kl": kl1},
        ],
    )
    report.table(
        "distance_to_nearest_training_point",
        [
            {"points": "decoded prior samples", "mean_distance": d_prior},
            {"points": "uniform random in the box", "mean_distance": d_random},
            {"points": "Gaussian fitted to the data", "mean_distance": d_gauss},
            {"points": "reconstructions of test points (to their input)", "mean_distance": d_recon},
        ],
    )

    ratio = d_prior / d_random
    checks = {
        f"ELBO up > {MIN_ELBO_GAIN:g} nat": elbo1 > elbo0 + MIN_ELBO_GAIN,
        f"KL > {MIN_KL:g} nats": kl_min_after_warmup > MIN_KL,
        f"prior samples < {MAX_DIST_RATIO:g}x random's distance": ratio < MAX_DIST_RATIO,
        "all steps run": done == steps,
    }
    failed = [k for k, ok in checks.items() if not ok]
    summary = (
        f"held-out ELBO {elbo0:.2f} -> {elbo1:.2f} nats (recon {recon1:.2f}, KL {kl1:.2f}); "
        f"prior samples {d_prior:.3f} from the data vs {d_random:.3f} for random points"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    if kl_min_after_warmup <= MIN_KL:
        summary += "; KL collapsed towards 0 (posterior collapse)"
    answers = {
        "kl": 0 if kl1 > MIN_KL else 1,
        "prior_samples": 2 if ratio < MAX_DIST_RATIO else (1 if ratio > 1.0 else 0),
    }
    return Verdict(
        not failed,
        {
            "elbo_before": elbo0,
            "elbo_after": elbo1,
            "recon_after": recon1,
            "kl_after": kl1,
            "kl_min_after_warmup": kl_min_after_warmup,
            "prior_sample_dist": d_prior,
            "random_point_dist": d_random,
            "gaussian_fit_dist": d_gauss,
            "dist_ratio": ratio,
            "recon_error": d_recon,
            "steps": float(done),
        },
        summary,
        claim=claim_for(params),
        caveats=CAVEATS,
        answers=answers,
    )


def _moon_of(points: np.ndarray) -> np.ndarray:
    """Which moon a two_moons point belongs to (True: the upper one), by nearest arc."""
    t = np.linspace(0, np.pi, 200)
    upper = np.stack([np.cos(t) - 0.5, np.sin(t) - 0.25], 1)
    lower = np.stack([1 - np.cos(t) - 0.5, 0.5 - np.sin(t) - 0.25], 1)
    return nearest_distances(points, upper) < nearest_distances(points, lower)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

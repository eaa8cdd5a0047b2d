"""Concept demos, part 4: NADE, VAE, GAN, diffusion, uncertainty (MC dropout / ensembles) and
calibration (temperature scaling). Each demo runs in-process with its --quick settings on the
CPU; the tests check the verdict AND the measured numbers behind it (seed 0 is deterministic),
plus a few exact properties of the pieces (a normalised NADE, the analytic Gaussian KL, the
temperature fit, the ECE)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from demokit import quick_run

from demos import _data

DEMOS = ["nade", "vae", "gan", "diffusion", "uncertainty", "calibration"]
DEMOS_DIR = Path(__file__).resolve().parents[2] / "demos"


@pytest.mark.parametrize("name", DEMOS)
def test_demo_emits_events_and_json(name: str) -> None:
    events, verdict = quick_run(name)
    kinds = {e["type"] for e in events}
    assert {"start", "metric", "image", "table", "progress", "verdict", "done"} <= kinds
    assert "error" not in kinds
    json.dumps(events)  # every event is JSON-serialisable
    assert len([e for e in events if e["type"] == "metric"]) >= 5
    for image in (e for e in events if e["type"] == "image"):
        assert len(image["shape"]) in (2, 3) and image["shape"][0] >= 8 and image["shape"][1] >= 8
    assert verdict.summary and all(np.isfinite(v) for v in verdict.numbers.values())
    assert events[-2]["type"] == "verdict" and events[-2]["claim_holds"] is True


@pytest.mark.parametrize("name", DEMOS)
def test_info_is_read_statically(name: str) -> None:
    from studytool.demorun.catalog import read_meta

    meta = read_meta(DEMOS_DIR / f"{name}.py")
    assert meta.name == name and meta.claim and meta.title_ko
    assert meta.param("seed") is not None and meta.param("seed").default == 0


# --------------------------------------------------------------------------- NADE


def test_nade_beats_independent_bernoulli() -> None:
    events, v = quick_run("nade")
    n = v.numbers
    assert v.claim_holds
    # independent Bernoulli on binarised 8x8 digits: ~35.5 bits per image on the test split
    assert 34.0 < n["bernoulli_test_bits"] < 37.0
    # an untrained NADE is worse than that; after 6 quick epochs it is clearly better
    assert n["nade_init_test_bits"] > n["bernoulli_test_bits"]
    assert n["nade_test_bits"] < n["bernoulli_test_bits"] - 5.0
    assert n["gain_bits"] == pytest.approx(n["bernoulli_test_bits"] - n["nade_test_bits"])
    assert n["nade_test_bits"] < 30.0
    samples = next(e for e in events if e["type"] == "image" and e["name"] == "nade_samples")
    px = np.array(samples["pixels"], dtype=float)
    assert set(np.unique(px)) <= {0.0, 0.5, 1.0}  # binary pixels (0.5 = the grid lines)


def test_nade_is_a_normalised_distribution() -> None:
    from demos.nade import NADE

    torch.manual_seed(0)
    model = NADE(6, 5)
    with torch.no_grad():
        model.b.normal_()
        model.c.normal_()
    xs = torch.tensor(list(itertools.product([0.0, 1.0], repeat=6)))
    with torch.no_grad():
        total = model.log_prob(xs).exp().sum()
    assert float(total) == pytest.approx(1.0, abs=1e-5)
    # the logit for pixel d must not depend on pixels d, d+1, ... (autoregressive)
    x = (torch.rand(4, 6) < 0.5).float()
    x2 = x.clone()
    x2[:, 3:] = 1 - x2[:, 3:]
    with torch.no_grad():
        assert torch.allclose(model.logits(x)[:, :4], model.logits(x2)[:, :4])


def test_nade_sampling_follows_its_own_likelihood() -> None:
    from demos.nade import NADE

    torch.manual_seed(3)
    model = NADE(3, 4)
    with torch.no_grad():
        model.b.normal_()
    xs = torch.tensor(list(itertools.product([0.0, 1.0], repeat=3)))
    with torch.no_grad():
        exact = model.log_prob(xs).exp()
    samples = model.sample(20000, torch.Generator().manual_seed(0))
    codes = (samples * torch.tensor([4.0, 2.0, 1.0])).sum(1).long()
    freq = torch.bincount(codes, minlength=8).float() / len(codes)
    assert torch.allclose(freq, exact, atol=0.015)


# --------------------------------------------------------------------------- VAE


def test_vae_elbo_kl_and_prior_samples() -> None:
    events, v = quick_run("vae")
    n = v.numbers
    assert v.claim_holds
    assert n["elbo_before"] < -40.0 and n["elbo_after"] > -3.0
    assert n["elbo_after"] == pytest.approx(n["recon_after"] - n["kl_after"], abs=1e-4)
    assert n["kl_after"] > 1.0 and n["kl_min_after_warmup"] > 0.5  # no posterior collapse
    assert n["prior_sample_dist"] < 0.5 * n["random_point_dist"]
    assert n["prior_sample_dist"] < n["gaussian_fit_dist"]
    metrics = [e for e in events if e["type"] == "metric"]
    assert {"elbo", "reconstruction", "kl"} <= set(metrics[-1]["values"])
    assert metrics[-1]["values"]["elbo"] > metrics[0]["values"]["elbo"]


def test_vae_analytic_kl_matches_torch_distributions() -> None:
    from torch.distributions import Independent, Normal, kl_divergence

    from demos.vae import gaussian_kl

    g = torch.Generator().manual_seed(1)
    mu = torch.randn(7, 3, generator=g)
    logvar = torch.randn(7, 3, generator=g)
    q = Independent(Normal(mu, (0.5 * logvar).exp()), 1)
    p = Independent(Normal(torch.zeros(3), torch.ones(3)), 1)
    assert torch.allclose(gaussian_kl(mu, logvar), kl_divergence(q, p), atol=1e-5)
    assert torch.allclose(gaussian_kl(torch.zeros(2, 3), torch.zeros(2, 3)), torch.zeros(2))


# --------------------------------------------------------------------------- GAN


def test_gan_covers_more_modes_than_at_init() -> None:
    events, v = quick_run("gan")
    n = v.numbers
    assert v.claim_holds
    assert n["modes_init"] <= 1 and n["good_share_init"] < 0.1
    assert n["modes_trained"] >= 6  # seed 0 quick covers all 8; other seeds may drop a few
    assert n["modes_trained"] > n["modes_init"]
    assert n["dist_trained"] < 0.5 * n["dist_init"]
    assert n["good_share_trained"] > 0.3
    table = next(e for e in events if e.get("name") == "share_of_samples_per_mode")
    assert len(table["rows"]) == 8
    assert sum(r["covered"] for r in table["rows"]) == n["modes_trained"]


def test_gan_coverage_counts_modes() -> None:
    from demos.gan import coverage

    centres = _data.ring_modes(8, 2.0)
    rng = np.random.default_rng(0)
    two_modes = np.concatenate(
        [
            centres[0] + 0.01 * rng.standard_normal((50, 2)),
            centres[3] + 0.01 * rng.standard_normal((50, 2)),
        ]
    )
    covered, shares, good, dist = coverage(two_modes, centres, 0.25, 0.03)
    assert covered == 2 and shares[0] == pytest.approx(0.5) and good == 1.0 and dist < 0.05


# --------------------------------------------------------------------------- diffusion


def test_diffusion_forward_to_gaussian_and_reverse_to_data() -> None:
    events, v = quick_run("diffusion")
    n = v.numbers
    assert v.claim_holds
    # forward: at t = T the marginal is N(0, I)
    assert abs(n["forward_end_mean_x"]) < 0.1 and abs(n["forward_end_mean_y"]) < 0.1
    assert 0.9 < n["forward_end_std_x"] < 1.1 and 0.9 < n["forward_end_std_y"] < 1.1
    assert n["forward_end_sqrt_abar"] < 0.01
    # reverse: samples are far closer to the data than the Gaussian they started from
    assert n["dist_samples"] < 0.4 * n["dist_start"]
    assert n["tv_samples"] < 0.5 * n["tv_start"]
    assert n["dist_samples"] > n["dist_floor"] * 0.9 and n["tv_samples"] > n["tv_floor"] * 0.5
    forward = next(e for e in events if e.get("name") == "forward_process_marginal")
    stds = [r["std_x"] for r in forward["rows"]]
    assert stds[0] > 1.5 and 0.9 < stds[-1] < 1.1  # the (x2 scaled) moons' x-spread shrinks to 1


def test_diffusion_schedules() -> None:
    from demos.diffusion import noise_schedule

    for kind in ("cosine", "linear"):
        betas, abar = noise_schedule(kind, 100)
        assert betas.shape == abar.shape == (100,)
        assert bool((betas > 0).all()) and bool((betas < 1).all())
        assert bool((abar[1:] < abar[:-1]).all())  # strictly more noise at every step
        assert torch.allclose(abar, torch.cumprod(1 - betas, 0))
    assert float(noise_schedule("cosine", 100)[1][-1]) < 1e-4
    assert float(noise_schedule("linear", 100)[1][-1]) < 0.01


# --------------------------------------------------------------------------- uncertainty


def test_uncertainty_grows_off_the_data() -> None:
    events, v = quick_run("uncertainty")
    n = v.numbers
    assert v.claim_holds
    assert n["dropout_ratio"] > 1.3 and n["ensemble_ratio"] > 1.3
    assert n["dropout_ratio"] == pytest.approx(n["dropout_std_off"] / n["dropout_std_on"])
    # the ensemble's spread grows far more than MC dropout's (a known weakness of MC dropout)
    assert n["ensemble_ratio"] > 5.0 and n["ensemble_ratio"] > 3 * n["dropout_ratio"]
    # both fit the training range; the ensemble's mean is much worse off the data
    assert n["ensemble_error_on"] < 0.1 and n["ensemble_error_off"] > 3 * n["ensemble_error_on"]
    names = {e["name"] for e in events if e["type"] == "image"}
    assert {"mc_dropout", "deep_ensemble"} <= names


# --------------------------------------------------------------------------- calibration


def test_temperature_scaling_lowers_ece_keeps_accuracy() -> None:
    events, v = quick_run("calibration")
    n = v.numbers
    assert v.claim_holds
    assert n["train_acc"] == 1.0  # over-trained
    assert n["temperature"] > 1.5  # over-confident, so the logits get softened
    assert n["mean_conf_before"] > n["acc_before"] + 0.05
    assert n["ece_before"] > 0.08 and n["ece_after"] < 0.5 * n["ece_before"]
    assert n["acc_after"] == n["acc_before"]
    assert n["nll_after"] < n["nll_before"]
    table = next(e for e in events if e.get("name") == "reliability_diagram_test")
    assert len(table["rows"]) == 10
    assert sum(r["n_before"] for r in table["rows"]) == sum(r["n_after"] for r in table["rows"])


def test_fit_temperature_finds_the_nll_minimum() -> None:
    from demos.calibration import fit_temperature

    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 5, (400,), generator=g)
    logits = torch.randn(400, 5, generator=g)
    logits[torch.arange(400), labels] += 2.0
    logits *= 4.0  # over-confident
    T = fit_temperature(logits, labels)
    grid = torch.exp(torch.linspace(-3, 3, 2001))
    nll = torch.stack([torch.nn.functional.cross_entropy(logits / t, labels) for t in grid])
    best = float(grid[nll.argmin()])
    assert abs(T - best) < 0.01 * best
    assert T > 1.0
    assert torch.equal(logits.argmax(1), (logits / T).argmax(1))


def test_ece_and_reliability_bins() -> None:
    conf = np.array([0.95, 0.95, 0.95, 0.95, 0.55, 0.55])
    correct = np.array([1, 1, 0, 0, 1, 0])
    rows = _data.reliability_bins(conf, correct, 10)
    assert [r["count"] for r in rows] == [0, 0, 0, 0, 0, 2, 0, 0, 0, 4]
    # bin 0.9-1.0: conf 0.95 vs acc 0.5 (weight 4/6); bin 0.5-0.6: 0.55 vs 0.5 (weight 2/6)
    expected = 4 / 6 * 0.45 + 2 / 6 * 0.05
    assert _data.expected_calibration_error(conf, correct, 10) == pytest.approx(expected)
    assert _data.expected_calibration_error(np.ones(5), np.ones(5)) == 0.0


def test_distribution_helpers() -> None:
    rng = np.random.default_rng(0)
    a = _data.two_moons(500, rng)
    assert _data.histogram_tv(a, a) == 0.0
    assert _data.histogram_tv(a, a + 100.0) == 1.0
    pts, ref = np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [3.0, 0.0]])
    d = _data.nearest_distances(pts, ref)
    assert d.tolist() == pytest.approx([1.0, 4.0])
    img = _data.density_image(a, 16, (-2, 2, -2, 2))
    assert img.shape == (16, 16, 3) and img.max() == pytest.approx(1.0)

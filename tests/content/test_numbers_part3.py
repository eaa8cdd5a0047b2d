"""Numeric answers of the generative, uncertainty and peer-question decks, checked independently.

Every numeric card of these decks is recomputed here without reading its answer: probability-table
sizes by building the tables, KL divergences with torch.distributions, losses with the torch loss
modules, layer sizes by building the torch layer, splits with scikit-learn. Generated questions
(`vars` + `compute`) are evaluated with the app's own evaluator for every listed value and compared
with the independent computation. A numeric card added to these decks without a check here makes
`test_every_numeric_card_is_checked` fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from itertools import product
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from torch import nn
from torch.distributions import Categorical, MixtureSameFamily, Normal, kl_divergence

from studytool.content.expr import evaluate

CONTENT = Path(__file__).resolve().parents[2] / "content"
DECKS = ("generative-1", "generative-2", "uncertainty", "peer-questions")


@cache
def deck_cards(deck: str) -> dict[str, dict]:
    data = yaml.safe_load((CONTENT / f"{deck}.yaml").read_text(encoding="utf-8"))
    return {card["id"]: card for card in data["cards"]}


def card(full_id: str) -> dict:
    deck, cid = full_id.split("/")
    c = deck_cards(deck)[cid]
    assert c["type"] == "numeric", full_id
    return c


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def table_params(parents: list[list[int]]) -> int:
    """Free parameters of a binary Bayesian network: one Bernoulli per parent configuration."""
    return sum(np.zeros((2,) * len(ps), dtype=bool).size for ps in parents)


def full_joint_params(n: int) -> int:
    return np.zeros((2,) * n, dtype=bool).size - 1


def chain_rule_parents(n: int) -> list[list[int]]:
    return [list(range(i)) for i in range(n)]


def markov_parents(n: int) -> list[list[int]]:
    return [[] if i == 0 else [i - 1] for i in range(n)]


def logistic_ar_params(n: int) -> int:
    """A bias per pixel plus the used weights of a strictly lower-triangular (masked) matrix."""
    return n + int(np.tril(np.ones((n, n), dtype=bool), -1).sum())


def gaussian_kl_closed_form(mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """The card's formula: 1/2 sum(sigma^2 + mu^2 - ln sigma^2 - 1)."""
    var = sigma**2
    return 0.5 * (var + mu**2 - torch.log(var) - 1).sum()


def ece(conf: torch.Tensor, correct: torch.Tensor, n_bins: int = 10) -> float:
    bins = torch.clamp((conf * n_bins).ceil().long() - 1, 0, n_bins - 1)
    total = 0.0
    for b in bins.unique():
        m = bins == b
        total += m.float().mean().item() * abs(
            correct[m].float().mean().item() - conf[m].mean().item()
        )
    return total


def receptive_field(net: nn.Module, size: int = 15) -> int:
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    out = net(x)
    c = out.shape[-1] // 2
    out[0, 0, c, c].backward()
    rows = (x.grad[0, 0].abs().sum(dim=1) > 0).nonzero()
    return int(rows.max() - rows.min() + 1)


def nade_w_lt(h: int, i: int) -> torch.Tensor:
    """W_{<i}: the first i - 1 columns of NADE's shared H x D weight matrix (D = 784)."""
    return torch.empty(h, 784, device="meta")[:, : i - 1]


def timeseries_splits(n_samples: int, n_splits: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import TimeSeriesSplit  # slow import: only where needed

    return list(TimeSeriesSplit(n_splits=n_splits).split(np.arange(n_samples)))


def bisect(f: Callable[[float], float], lo: float, hi: float) -> float:
    """Root of a decreasing function on [lo, hi]."""
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


def two_3x3_convs() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(128, 128, 3, bias=False, device="meta"),
        nn.Conv2d(128, 128, 3, bias=False, device="meta"),
    )


def ones_conv(k: int) -> nn.Conv2d:
    conv = nn.Conv2d(1, 1, k, bias=False)
    nn.init.ones_(conv.weight)
    return conv


# ---------------------------------------------------------------- fixed numeric answers
FIXED: dict[str, Callable[[], float]] = {
    # generative-1
    "generative-1/categorical-die-params": lambda: np.zeros(6).size - 1,
    "generative-1/rgb-pixel-joint-params": lambda: np.zeros((256, 256, 256), dtype=bool).size - 1,
    "generative-1/rgb-pixel-independent-params": lambda: sum(np.zeros(256).size - 1 for _ in "RGB"),
    "generative-1/binary-joint-params-n10": lambda: full_joint_params(10),
    "generative-1/chain-rule-conditional-params": lambda: table_params([[0, 1]]),
    "generative-1/pixelrnn-conditionals-count": lambda: torch.zeros(3, 32, 32).numel(),
    # generative-2
    "generative-2/gaussian-kl-numeric-1d": lambda: kl_divergence(
        Normal(torch.tensor(1.0), torch.tensor(1.0)), Normal(0.0, 1.0)
    ).item(),
    "generative-2/gaussian-kl-numeric-2d": lambda: (
        kl_divergence(Normal(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 0.5])), Normal(0.0, 1.0))
        .sum()
        .item()
    ),
    "generative-2/reparameterization-numeric": lambda: (
        torch.tensor(1.0) + torch.exp(0.5 * torch.log(torch.tensor(4.0))) * 0.5
    ).item(),
    # argmax over a fine grid of  a log D + b log(1 - D)
    "generative-2/gan-optimal-d-numeric": lambda: (
        lambda d: d[torch.argmax(0.6 * torch.log(d) + 0.2 * torch.log1p(-d))].item()
    )(torch.linspace(1e-4, 1 - 1e-4, 200_001, dtype=torch.float64)),
    # V(G, D) for p_G = p_data on a random discrete distribution, with the optimal D
    "generative-2/gan-global-optimum-value": lambda: (
        lambda p: (p * torch.log(p / (p + p)) + p * torch.log(1 - p / (p + p))).sum().item()
    )(torch.softmax(torch.randn(10, generator=torch.Generator().manual_seed(0)), 0)),
    "generative-2/progressive-gan-doublings": lambda: next(
        k for k in range(20) if 4 * 2**k == 1024
    ),
    "generative-2/ddpm-alpha-bar-numeric": lambda: (
        torch.cumprod(1 - torch.tensor([0.1, 0.1]), 0)[1].sqrt().item()
    ),
    # uncertainty
    "uncertainty/mc-dropout-variance-numeric": lambda: (
        torch.tensor([0.9, 0.7, 0.8, 0.6]).var(unbiased=False).item()
    ),
    "uncertainty/deep-ensemble-mixture-numeric": lambda: MixtureSameFamily(
        Categorical(probs=torch.tensor([0.5, 0.5])),
        Normal(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 1.0])),
    ).variance.item(),
    "uncertainty/ece-numeric": lambda: ece(
        torch.tensor([0.9] * 6 + [0.6] * 4),
        torch.tensor([1, 1, 1, 1, 0, 0, 1, 1, 1, 0]),  # bin A: 4/6, bin B: 3/4
    ),
    "uncertainty/temperature-numeric": lambda: (
        torch.softmax(torch.tensor([2.0, 0.0]) / 2, 0).max().item()
    ),
    "uncertainty/scaling-numeric": lambda: (lambda loss: loss(10 * 1e9) / loss(1e9))(
        lambda n: (8.8e13 / n) ** 0.076
    ),
    # data factor k that keeps the overfitting penalty N^0.74 / D fixed when N grows 8x (bisection)
    "uncertainty/bigger-is-better-caveat": lambda: bisect(
        lambda k: (8e9) ** 0.74 / (k * 1e10) - (1e9) ** 0.74 / 1e10, 1.0, 100.0
    ),
    # peer-questions
    "peer-questions/crossentropy-numeric": lambda: nn.CrossEntropyLoss()(
        torch.tensor([[2.0, 0.0]]), torch.tensor([0])
    ).item(),
    "peer-questions/gaussian-nll-numeric": lambda: nn.GaussianNLLLoss()(
        torch.tensor([1.0]), torch.tensor([3.0]), torch.tensor([4.0])
    ).item(),
    "peer-questions/timeseries-split-numeric": lambda: len(timeseries_splits(12, 5)[-1][0]),
    "peer-questions/fc-flatten-size": lambda: nn.Flatten()(torch.zeros(1, 178, 13, 13)).shape[1],
    "peer-questions/mha-out-proj-params": lambda: n_params(
        nn.MultiheadAttention(512, 8, device="meta").out_proj
    ),
}

# ---------------------------------------------------------------- generated numeric answers
GENERATED: dict[str, Callable[..., float]] = {
    "generative-1/binary-joint-params": lambda n: full_joint_params(n),
    "generative-1/markov-params": lambda n: table_params(markov_parents(n)),
    "generative-1/nade-weight-size": lambda h, i: nade_w_lt(h, i).numel(),
    "generative-1/logistic-ar-params": lambda n: logistic_ar_params(n),
}


@pytest.mark.parametrize("full_id", sorted(FIXED))
def test_fixed_numeric_answer(full_id: str) -> None:
    c = card(full_id)
    expected = float(FIXED[full_id]())
    tol = max(float(c.get("tolerance", 0)), 1e-9)
    assert abs(float(c["answer"]) - expected) <= tol, (full_id, c["answer"], expected)


@pytest.mark.parametrize("full_id", sorted(GENERATED))
def test_generated_numeric_answer(full_id: str) -> None:
    c = card(full_id)
    names = list(c["vars"])
    values = [c["vars"][n] for n in names]
    assert all(isinstance(v, list) for v in values), "expected value lists"
    for combo in product(*values):
        env = dict(zip(names, combo, strict=True))
        got = evaluate(c["compute"], env)
        assert got == GENERATED[full_id](**env), (full_id, env, got)


def test_every_numeric_card_is_checked() -> None:
    numeric = {
        f"{deck}/{cid}"
        for deck in DECKS
        for cid, c in deck_cards(deck).items()
        if c["type"] == "numeric"
    }
    assert numeric == set(FIXED) | set(GENERATED)


# ---------------------------------------------------------------- formulas and claims in the text
def test_gaussian_kl_closed_form_matches_torch() -> None:
    g = torch.Generator().manual_seed(1)
    mu = torch.randn(16, generator=g, dtype=torch.float64)
    sigma = torch.rand(16, generator=g, dtype=torch.float64) + 0.1
    expected = kl_divergence(Normal(mu, sigma), Normal(0.0, 1.0)).sum()
    assert torch.isclose(gaussian_kl_closed_form(mu, sigma), expected)


def test_parameter_counts_of_binary_models() -> None:
    for n in range(1, 12):
        assert table_params(chain_rule_parents(n)) == 2**n - 1 == full_joint_params(n)
        assert table_params(markov_parents(n)) == 2 * n - 1
        assert table_params([[] for _ in range(n)]) == n
    assert table_params(markov_parents(784)) == 1567  # quoted in the markov-params explain
    # order card: independence < Markov < full joint
    n = 10
    order = [
        table_params([[] for _ in range(n)]),
        table_params(markov_parents(n)),
        full_joint_params(n),
    ]
    assert order == sorted(order) and len(set(order)) == 3
    assert len(deck_cards("generative-1")["parameter-count-order"]["items"]) == 3


def test_gan_value_at_optimum_is_minus_log4_via_jsd() -> None:
    p = torch.tensor([0.1, 0.2, 0.7], dtype=torch.float64)
    q = torch.tensor([0.3, 0.3, 0.4], dtype=torch.float64)
    d = p / (p + q)
    value = (p * torch.log(d) + q * torch.log(1 - d)).sum()
    m = (p + q) / 2
    jsd = 0.5 * (p * torch.log(p / m)).sum() + 0.5 * (q * torch.log(q / m)).sum()
    assert torch.isclose(value, -math.log(4) + 2 * jsd)


def test_temperature_scaling_keeps_argmax() -> None:
    z = torch.randn(100, 10, generator=torch.Generator().manual_seed(2))
    for t in (0.5, 2.0, 10.0):
        assert torch.equal(torch.softmax(z / t, 1).argmax(1), z.argmax(1))
    assert math.isclose(
        torch.softmax(torch.tensor([2.0, 0.0]), 0).max().item(), 0.881, abs_tol=1e-3
    )


def test_claims_in_explanations() -> None:
    # 5x5 conv vs two 3x3 convs: "409,600, about 39% more"
    five = n_params(nn.Conv2d(128, 128, 5, bias=False, device="meta"))
    assert five == 409_600
    assert round(100 * (five / n_params(two_3x3_convs()) - 1)) == 39
    # an even kernel cannot keep a 5x5 map with symmetric padding
    assert all(
        nn.Conv2d(1, 1, 2, padding=p)(torch.zeros(1, 1, 5, 5)).shape[-1] != 5 for p in range(3)
    )
    # TimeSeriesSplit: training sizes 2, 4, 6, 8, 10 and test size 2
    splits = timeseries_splits(12, 5)
    assert [len(tr) for tr, _ in splits] == [2, 4, 6, 8, 10]
    assert all(len(te) == 2 and te.min() > tr.max() for tr, te in splits)
    # 8x larger model needs ~5x data (N^0.74)
    assert round(8**0.74) == 5
    # DDPM noise coefficient sqrt(1 - 0.81)
    assert math.isclose(math.sqrt(1 - 0.81), 0.436, abs_tol=1e-3)
    # nn.CrossEntropyLoss == LogSoftmax + NLLLoss
    z, y = torch.randn(4, 5, generator=torch.Generator().manual_seed(3)), torch.tensor([0, 1, 2, 3])
    assert torch.isclose(nn.CrossEntropyLoss()(z, y), nn.NLLLoss()(nn.LogSoftmax(1)(z), y))


def test_checks_of_duplicates_moved_to_topical_decks() -> None:
    """peer-questions no longer repeats these cards; their checks run on the topical card kept."""
    assert deck_cards("modern-cnn")["vgg-two-3x3-params"]["answer"] == n_params(two_3x3_convs())
    assert deck_cards("modern-cnn")["vgg-two-3x3-receptive-field"]["answer"] == receptive_field(
        nn.Sequential(ones_conv(3), ones_conv(3))
    )
    # the FC layer after the flatten (named in the fc-flatten-size explain): 30,082 x 1000 + bias
    flat = deck_cards("peer-questions")["fc-flatten-size"]["answer"]
    assert flat * 1000 + 1000 == n_params(nn.Linear(30082, 1000, device="meta"))
    # an even kernel with symmetric padding gives 4 (p = 0) or 6 (p = 1) from 5, never 5
    sizes = {nn.Conv2d(1, 1, 2, padding=p)(torch.zeros(1, 1, 5, 5)).shape[-1] for p in (0, 1)}
    assert sizes == {4, 6}

    # "same" padding: p = (k - 1)/2 keeps a 7x7 map for k = 3 and k = 5
    def keeps_size(k: int, p: int) -> bool:
        return nn.Conv2d(1, 1, k, padding=p)(torch.zeros(1, 1, 7, 7)).shape[-1] == 7

    for k in (3, 5):
        assert next(p for p in range(4) if keeps_size(k, p)) == (k - 1) // 2
    assert deck_cards("conv-basics")["same-padding-k5"]["answer"] == 2

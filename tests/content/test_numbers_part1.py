"""Numeric answers of the history, generalization, gradient-descent, optimizers and
regularization decks, checked against an independent computation (torch / sklearn / exact
enumeration), never against the formula written on the card.

A card's answer is right when the true value lies within the card's tolerance of it, so that
a student who types the true value is accepted.
"""

from __future__ import annotations

import functools
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from torch import nn
from torch.nn import functional as F

CONTENT = Path(__file__).resolve().parents[2] / "content"


@functools.cache
def _deck(name: str) -> dict:
    with open(CONTENT / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _card(deck: str, card_id: str) -> dict:
    cards = [c for c in _deck(deck)["cards"] if c["id"] == card_id]
    assert len(cards) == 1, f"{deck}/{card_id} missing or duplicated"
    card = cards[0]
    assert card["type"] == "numeric", f"{deck}/{card_id} is not numeric"
    return card


def assert_answer(deck: str, card_id: str, true_value: float) -> None:
    card = _card(deck, card_id)
    tol = float(card.get("tolerance", 0))
    answer = float(card["answer"])
    assert abs(answer - true_value) <= tol + 1e-12, (
        f"{deck}/{card_id}: card says {answer} (tolerance {tol}), independent value {true_value}"
    )


def _one_step(opt_cls, w0: float, grad: float, **kw) -> tuple[float, dict]:
    """Apply one optimizer step with a given gradient; return the new weight and the state."""
    w = nn.Parameter(torch.tensor([w0], dtype=torch.float64))
    opt = opt_cls([w], **kw)
    w.grad = torch.tensor([grad], dtype=torch.float64)
    opt.step()
    return w.item(), opt.state[w]


# --------------------------------------------------------------------------- history
YEARS = {  # publication years, from the papers themselves
    "year-alexnet": 2012,  # Krizhevsky et al., NIPS 2012 / ILSVRC-2012
    "year-dqn": 2013,  # Mnih et al., arXiv:1312.5602
    "year-encoder-decoder": 2014,  # Sutskever et al., NIPS 2014; Cho et al., EMNLP 2014
    "year-gan": 2014,  # Goodfellow et al., NIPS 2014, arXiv:1406.2661
    "year-resnet": 2015,  # He et al., arXiv:1512.03385
    "year-transformer": 2017,  # Vaswani et al., NIPS 2017
    "year-big-language-models": 2019,  # Radford et al., GPT-2, February 2019
    "year-ssl": 2020,  # Chen et al., SimCLR, ICML 2020
}


@pytest.mark.parametrize("card_id", sorted(YEARS))
def test_history_years(card_id):
    assert_answer("history", card_id, YEARS[card_id])


def test_linear_gd_step():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    y = torch.tensor([2.0, 4.0], dtype=torch.float64)
    w = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    loss = ((y - (w * x + b)) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    assert_answer("history", "linear-gd-step-numeric", w.item())


def test_mlp_param_count():
    mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    assert_answer("history", "mlp-param-count", sum(p.numel() for p in mlp.parameters()))


def test_linear_params_generated():
    card = next(c for c in _deck("history")["cards"] if c["id"] == "linear-params-generated")
    names = list(card["vars"])
    for values in itertools.product(*(card["vars"][n] for n in names)):
        env = dict(zip(names, values, strict=True))
        computed = eval(card["compute"], {"__builtins__": {}}, env)  # our own deck file
        layer = nn.Linear(env["n_in"], env["n_out"])
        assert computed == sum(p.numel() for p in layer.parameters()), env


def test_cross_entropy_numeric():
    logits = torch.log(torch.tensor([[0.8, 0.2]], dtype=torch.float64))
    loss = F.cross_entropy(logits, torch.tensor([0]))
    assert_answer("history", "ce-numeric", loss.item())


def test_mse_numeric():
    y = torch.tensor([1.0, 2.0, 3.0])
    y_hat = torch.tensor([1.0, 3.0, 5.0])
    assert_answer("history", "mse-numeric", nn.MSELoss()(y_hat, y).item())


# --------------------------------------------------------------------------- generalization
def test_cv_train_size():
    from sklearn.model_selection import KFold

    sizes = {len(tr) for tr, _ in KFold(n_splits=5).split(np.zeros((1000, 1)))}
    assert len(sizes) == 1
    assert_answer("generalization", "cv-train-size", sizes.pop())


def _counting_estimator():
    """A do-nothing sklearn estimator class that counts how often it is fitted."""
    from sklearn.base import BaseEstimator

    class CountingEstimator(BaseEstimator):
        fits = 0

        def __init__(self, c=1.0):
            self.c = c

        def fit(self, X, y=None):
            type(self).fits += 1
            return self

        def score(self, X, y=None):
            return 0.0

    return CountingEstimator


def test_grid_search_fit_count():
    from sklearn.model_selection import GridSearchCV

    est = _counting_estimator()
    search = GridSearchCV(est(), {"c": [1, 2, 3, 4]}, cv=5, refit=False)
    search.fit(np.zeros((100, 1)), np.zeros(100))
    assert_answer("generalization", "cv-fit-count", est.fits)


def test_nested_cv_fit_count():
    from sklearn.model_selection import GridSearchCV, cross_val_score

    est = _counting_estimator()
    inner = GridSearchCV(est(), {"c": [1, 2, 3, 4]}, cv=3, refit=True)
    cross_val_score(inner, np.zeros((120, 1)), np.zeros(120), cv=5)
    assert_answer("generalization", "nested-cv-fits", est.fits)


def test_stratified_positives_per_fold():
    from sklearn.model_selection import StratifiedKFold

    y = np.array([1] * 10 + [0] * 90)
    counts = {int(y[te].sum()) for _, te in StratifiedKFold(n_splits=5).split(np.zeros(100), y)}
    assert len(counts) == 1
    assert_answer("generalization", "stratified-numeric", counts.pop())


def test_bias_variance_decomposition():
    # Exact expectation over a finite model of the world: true f = 1, the estimator takes
    # f + bias +/- sqrt(var) with equal probability, the noise is +/- sigma.
    f, bias, var, noise_var = 1.0, 0.3, 0.05, 0.1
    preds = [f + bias + math.sqrt(var), f + bias - math.sqrt(var)]
    noises = [math.sqrt(noise_var), -math.sqrt(noise_var)]
    expected = np.mean([(f + e - p) ** 2 for p in preds for e in noises])
    assert_answer("generalization", "bias-variance-numeric", expected)


def test_bootstrap_unique_fraction():
    n = 100_000
    rng = np.random.default_rng(0)
    simulated = np.unique(rng.integers(0, n, size=n)).size / n
    assert abs(simulated - (1 - (1 - 1 / n) ** n)) < 0.005
    large_n = 10**9  # "large N": the limit 1 - 1/e
    assert_answer("generalization", "bootstrap-unique-fraction", 1 - (1 - 1 / large_n) ** large_n)


def test_bagging_correlated_variance():
    b, sigma2, rho = 10, 1.0, 0.2
    cov = sigma2 * ((1 - rho) * np.eye(b) + rho * np.ones((b, b)))
    weights = np.full(b, 1 / b)
    assert_answer("generalization", "bagging-variance-numeric", weights @ cov @ weights)


# --------------------------------------------------------------------------- gradient descent
def test_iterations_per_epoch():
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.zeros(50_000, 1)), batch_size=128, drop_last=False
    )
    assert_answer("gradient-descent", "iterations-per-epoch", len(loader))


def test_gradient_noise_batch():
    # Per-sample gradients are +1 or -1 with equal probability: enumerate every batch exactly.
    def std_of_mean(batch):
        means = [np.mean(c) for c in itertools.product([-1.0, 1.0], repeat=batch)]
        return float(np.std(means))

    assert_answer("gradient-descent", "gradient-noise-batch", std_of_mean(4) / std_of_mean(1))


def test_gd_divergence_threshold():
    def final_abs_w(lr):
        w = nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
        opt = torch.optim.SGD([w], lr=lr)
        for _ in range(100):
            opt.zero_grad()
            (w**2).sum().backward()
            opt.step()
        return abs(w.item())

    assert final_abs_w(0.99) < 1.0 < final_abs_w(1.01)
    assert_answer("gradient-descent", "gd-lr-divergence", 1.0)


def test_linear_scaling_rule():
    # Goyal et al. 2017: lr = 0.1 * k*n / 256 when the batch is k*n.
    assert_answer("gradient-descent", "linear-scaling-numeric", 0.1 * 8192 / 256)


# --------------------------------------------------------------------------- optimizers
def test_momentum_terminal_velocity():
    w = nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([w], lr=0.01, momentum=0.9)
    for _ in range(400):
        w.grad = torch.ones(1, dtype=torch.float64)
        opt.step()
    assert_answer("optimizers", "momentum-terminal", opt.state[w]["momentum_buffer"].item())


def test_momentum_two_steps():
    w = nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(2):
        w.grad = torch.ones(1, dtype=torch.float64)
        opt.step()
    assert_answer("optimizers", "momentum-two-steps", w.item())


def test_adagrad_first_step():
    w, _ = _one_step(torch.optim.Adagrad, 0.0, 5.0)  # the default lr, as the card asks
    assert_answer("optimizers", "adagrad-first-step", abs(w))


def test_adadelta_first_step():
    w, _ = _one_step(torch.optim.Adadelta, 0.0, 1.0)
    assert_answer("optimizers", "adadelta-first-step", abs(w))


def test_rmsprop_first_step():
    for g in (0.3, 7.0):  # independent of the gradient scale
        w, _ = _one_step(torch.optim.RMSprop, 0.0, g, lr=0.01)
        assert_answer("optimizers", "rmsprop-first-step", abs(w))


def test_adam_first_moment():
    _, state = _one_step(torch.optim.Adam, 0.0, 2.0)
    assert_answer("optimizers", "adam-m1-numeric", state["exp_avg"].item())


def test_adam_first_step():
    w, _ = _one_step(torch.optim.Adam, 0.0, 5.0)  # the default lr, as the card asks
    assert_answer("optimizers", "adam-first-step", abs(w))


# --------------------------------------------------------------------------- regularization
def test_early_stopping_patience():
    losses = [0.90, 0.70, 0.60, 0.62, 0.58, 0.59, 0.61, 0.63]
    best, waited, stopped_after = math.inf, 0, None
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, waited = loss, 0
        else:
            waited += 1
            if waited == 2:
                stopped_after = epoch
                break
    assert_answer("regularization", "early-stopping-patience", stopped_after)


def test_sgd_weight_decay():
    w, _ = _one_step(torch.optim.SGD, 1.0, 0.0, lr=0.1, weight_decay=0.01)
    assert_answer("regularization", "weight-decay-sgd-numeric", w)


def test_adam_l2_vs_adamw():
    w_adam, _ = _one_step(torch.optim.Adam, 1.0, 0.0, lr=0.1, weight_decay=0.1)
    w_adamw, _ = _one_step(torch.optim.AdamW, 1.0, 0.0, lr=0.1, weight_decay=0.1)
    assert_answer("regularization", "adam-l2-numeric", w_adam)
    assert_answer("regularization", "adamw-numeric", w_adamw)


def test_label_smoothing_target():
    answer = float(_card("regularization", "label-smoothing-numeric")["answer"])
    logits = torch.randn(1, 10, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    smoothed = F.cross_entropy(logits, torch.tensor([3]), label_smoothing=0.1)
    target = torch.full((1, 10), (1 - answer) / 9, dtype=torch.float64)
    target[0, 3] = answer
    explicit = -(target * F.log_softmax(logits, dim=1)).sum()
    assert torch.allclose(smoothed, explicit, atol=1e-12)


def test_mixup_label():
    lam = 0.7
    y_cat, y_dog = F.one_hot(torch.tensor(0), 2).double(), F.one_hot(torch.tensor(1), 2).double()
    mixed = lam * y_cat + (1 - lam) * y_dog
    assert_answer("regularization", "mixup-numeric", mixed[1].item())


def test_cutmix_label_weight():
    mask = torch.ones(32, 32)  # 1 = pixel from image A
    mask[5:21, 10:18] = 0  # paste a 16x8 patch of image B
    assert_answer("regularization", "cutmix-numeric", (1 - mask).mean().item())


def test_dropout_scaling():
    drop = nn.Dropout(p=0.2).train()
    out = drop(torch.ones(10_000))
    kept = out[out != 0].unique()
    assert kept.numel() == 1
    assert_answer("regularization", "dropout-numeric", kept.item())


def test_batchnorm_value():
    bn = nn.BatchNorm1d(1).train()
    out = bn(torch.tensor([[1.0], [2.0], [3.0], [4.0]]))
    assert_answer("regularization", "bn-numeric", out[3, 0].item())


def test_batchnorm_params():
    bn = nn.BatchNorm2d(64)
    assert_answer("regularization", "bn-params", sum(p.numel() for p in bn.parameters()))

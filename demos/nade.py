"""NADE: an autoregressive model with an exact, tractable likelihood on binarised 8x8 digits.

p(x) = prod_d p(x_d | x_<d). NADE (Larochelle & Murray 2011) computes every conditional with one
shared hidden layer: h_d = sigmoid(c + W[:, <d] x_<d), p(x_d = 1 | x_<d) = sigmoid(b_d + V_d . h_d).
Because the conditionals multiply to a normalised distribution, -log p(x) is the exact negative
log-likelihood (no bound, no sampling), so it can be compared directly with the independent-pixel
(Bernoulli) model, which ignores every dependency between pixels.

The claim's margin: NADE's held-out NLL must be at least `MIN_GAIN_BITS` bits per image below
the independent model's.  There is no precondition: both likelihoods are exact at every setting.

Honest caveats:
* the digits are binarised (a pixel is on above 8 of 16), so the grey levels are thrown away;
  the bits are per binarised image.
* NADE fixes a pixel order (row-major here); another order gives another model with another,
  equally exact, likelihood.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import _digits_numpy, tile_images

INFO = DemoInfo(
    name="nade",
    title_en="NADE: exact likelihood of an autoregressive model",
    title_ko="NADE: 자기회귀 모델의 정확한 우도",
    concept="autoregressive models / exact likelihood",
    claim=(
        "On held-out binarised 8x8 digits, NADE's exact negative log-likelihood is at least 3 "
        "bits per image lower than that of the independent-Bernoulli model that treats pixels "
        "as independent."
    ),
    params=(
        Param("epochs", 25, "passes over the training images", min=1, max=500, quick=6),
        Param("hidden", 64, "NADE hidden units", min=4, max=512),
        Param("lr", 0.02, "Adam learning rate", min=1e-5, max=0.1),
        Param("batch", 100, "minibatch size", min=8, max=1400),
        Param("n_samples", 16, "images to sample pixel by pixel", min=1, max=64),
        Param("seed", 0, "random seed", min=0, max=2147483647),
    ),
    cards=(
        "generated/markov-image-params",
        "generative-1/autoregressive-model-def",
        "generative-1/autoregressive-properties",
        "generative-1/nade-conditional-formula",
        "generative-1/nade-formula-cloze",
        "generative-1/nade-explicit-exact-likelihood",
        "generative-1/nade-density-of-image",
    ),
    predictions=(
        Prediction(
            id="better",
            prompt_en="Which model gives held-out digits the lower negative log-likelihood "
            "(fewer bits per image)?",
            prompt_ko="어느 모델이 검증 숫자에 더 낮은 음의 로그 우도(이미지당 더 적은 비트)를 "
            "주는가?",
            options_en=(
                "They tie (within 1 bit per image)",
                "The independent-pixel Bernoulli model",
                "NADE",
            ),
            options_ko=(
                "비긴다 (이미지당 1비트 이내)",
                "픽셀 독립 베르누이 모델",
                "NADE",
            ),
            card="generative-1/nade-explicit-exact-likelihood",
        ),
        Prediction(
            id="bernoulli_bits",
            prompt_en="A binarised 8x8 digit has 64 pixels. About how many bits per held-out "
            "image does the independent-pixel Bernoulli model need?",
            prompt_ko="이진화한 8x8 숫자는 픽셀이 64개다. 픽셀 독립 베르누이 모델은 검증 이미지 "
            "하나에 대략 몇 비트가 필요한가?",
            rel_tolerance=0.2,
            unit="bits",
            card="generative-1/nade-density-of-image",
        ),
    ),
)

LOG2 = math.log(2.0)
N_TRAIN = 1400  # of the 1797 digits; the other 397 are the held-out test set
MIN_GAIN_BITS = 3.0  # NADE must beat the independent model by this much
CAVEATS = (
    "The digits are binarised (on above 8 of 16): the bits are per binarised image.",
    "NADE fixes one pixel order (row-major); another order is another, equally exact, model.",
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"On held-out binarised 8x8 digits, NADE ({int(params['hidden'])} hidden units, "
        f"{int(params['epochs'])} epochs) has an exact negative log-likelihood at least "
        f"{MIN_GAIN_BITS:g} bits per image lower than the independent-Bernoulli model that "
        "treats pixels as independent."
    )


class NADE(nn.Module):
    """NADE for D binary variables with H hidden units (tied input weights W)."""

    def __init__(self, d: int, h: int) -> None:
        super().__init__()
        self.W = nn.Parameter(torch.randn(h, d) / math.sqrt(d))  # input -> hidden (col d: pixel d)
        self.c = nn.Parameter(torch.zeros(h))
        self.V = nn.Parameter(torch.randn(d, h) / math.sqrt(h))  # hidden -> conditional logit d
        self.b = nn.Parameter(torch.zeros(d))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of p(x_d = 1 | x_<d) for every d, shape (B, D), all in one pass.

        a_d = c + W[:, <d] x_<d is a running sum over the pixels (NADE's O(D H) trick):
        conditional d sees only the pixels before it."""
        contrib = x.unsqueeze(-1) * self.W.t()  # (B, D, H): x_k W[:, k]
        before = torch.cumsum(contrib, 1)[:, :-1]  # sum over k <= d - 1
        a = self.c + torch.cat([torch.zeros_like(contrib[:, :1]), before], 1)
        h = torch.sigmoid(a)
        return self.b + (h * self.V).sum(-1)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """Exact log p(x) in nats, shape (B,)."""
        logits = self.logits(x)
        return -nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """Draw n images one pixel at a time: x_d ~ Bernoulli(p(x_d | x_<d))."""
        d = self.b.shape[0]
        dev = self.b.device
        x = torch.zeros(n, d, device=dev)
        a = self.c.expand(n, -1).clone()
        u = torch.rand(n, d, generator=generator).to(dev)
        for i in range(d):
            p = torch.sigmoid(self.b[i] + torch.sigmoid(a) @ self.V[i])
            x[:, i] = (u[:, i] < p).float()
            a = a + x[:, i : i + 1] * self.W[:, i]
        return x


def bernoulli_nll_bits(train: torch.Tensor, test: torch.Tensor) -> float:
    """Test NLL (bits per image) of independent Bernoullis fitted to `train` (Laplace smoothing)."""
    p = (train.sum(0) + 1.0) / (train.shape[0] + 2.0)
    ll = test * torch.log(p) + (1 - test) * torch.log1p(-p)
    return float(-ll.sum(1).mean() / LOG2)


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "negative log-likelihood",
        x="epoch",
        y="NLL (bits per image)",
        series=["nade_test", "nade_train", "bernoulli_test"],
    )
    seed = int(params["seed"])
    seed_everything(seed)
    x_all, _ = _digits_numpy()
    perm = np.random.default_rng(seed).permutation(len(x_all))
    binary = (x_all[perm] > 0.5).astype(np.float32)  # pixel values 0..16 -> on if > 8
    train = torch.from_numpy(binary[:N_TRAIN]).to(device)
    test = torch.from_numpy(binary[N_TRAIN:]).to(device)
    d = train.shape[1]

    bern_test = bernoulli_nll_bits(train, test)
    bern_train = bernoulli_nll_bits(train, train)
    report.log(
        f"independent Bernoulli: train {bern_train:.1f}, test {bern_test:.1f} bits/image "
        f"({d} pixels, {len(train)} train / {len(test)} test images)"
    )

    model = NADE(d, int(params["hidden"])).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=float(params["lr"]))
    g = torch.Generator().manual_seed(seed)
    epochs, batch = int(params["epochs"]), int(params["batch"])

    def nll_bits(data: torch.Tensor) -> float:
        with torch.no_grad():
            return float(-model.log_prob(data).mean() / LOG2)

    nade_init = nll_bits(test)
    report.metric(0, nade_test=nade_init, nade_train=nll_bits(train), bernoulli_test=bern_test)
    done = 0
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(train), generator=g).to(device)
        total = 0.0
        for i in range(0, len(train), batch):
            xb = train[order[i : i + batch]]
            loss = -model.log_prob(xb).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(xb)
        done = epoch
        # nade_train: mean minibatch NLL during the epoch (cheaper than another full pass)
        report.metric(
            epoch,
            nade_test=nll_bits(test),
            nade_train=total / len(train) / LOG2,
            bernoulli_test=bern_test,
        )
        report.progress(epoch, epochs)
        if report.cancelled:
            break

    nade_test, nade_train = nll_bits(test), nll_bits(train)
    samples = model.sample(int(params["n_samples"]), g).cpu().numpy().reshape(-1, 8, 8)
    ncols = min(8, len(samples))
    report.image(
        "nade_samples",
        tile_images(list(samples), ncols),
        caption="NADE samples, drawn pixel by pixel (row-major order)",
    )
    real = binary[N_TRAIN : N_TRAIN + len(samples)].reshape(-1, 8, 8)
    report.image(
        "test_digits",
        tile_images(list(real), ncols),
        caption="binarised held-out digits, for comparison",
    )
    # independent pixels: each pixel on with its own marginal probability, no dependencies
    p_on = (train.sum(0) + 1.0) / (train.shape[0] + 2.0)
    u = torch.rand(len(samples), d, generator=g).to(device)
    bern_samples = (u < p_on).float().cpu().numpy().reshape(-1, 8, 8)
    report.image(
        "bernoulli_samples",
        tile_images(list(bern_samples), ncols),
        caption="independent-Bernoulli samples: blurry blobs, no strokes",
    )
    report.table(
        "test_nll_bits_per_image",
        [
            {"model": "independent Bernoulli", "train": bern_train, "test": bern_test},
            {"model": "NADE (untrained)", "train": float("nan"), "test": nade_init},
            {"model": f"NADE after {done} epochs", "train": nade_train, "test": nade_test},
        ],
    )

    gain = bern_test - nade_test
    holds = bool(done == epochs and gain >= MIN_GAIN_BITS)
    summary = (
        f"test NLL: NADE {nade_test:.1f} vs independent Bernoulli {bern_test:.1f} "
        f"bits/image ({gain:+.1f} bits better, need {MIN_GAIN_BITS:g}) after {done} epochs"
    )
    answers = {
        "better": 2 if gain > 1 else (1 if gain < -1 else 0),
        "bernoulli_bits": bern_test,
    }
    return Verdict(
        holds,
        {
            "nade_test_bits": nade_test,
            "nade_train_bits": nade_train,
            "nade_init_test_bits": nade_init,
            "bernoulli_test_bits": bern_test,
            "gain_bits": gain,
            "epochs": float(done),
        },
        summary,
        claim=claim_for(params),
        caveats=CAVEATS,
        answers=answers,
    )


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

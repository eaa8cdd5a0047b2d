"""Parameter counts of generative models of n binary pixels, counted, not just quoted.

Five models of p(x_1, ..., x_n) are built as torch parameters that map to log p(x) of every
one of the 2^n images:

* full joint      - a softmax over 2^n logits, one per image;
* independent     - one Bernoulli logit per pixel, p(x) = prod_i p(x_i);
* chain rule      - a table of logits for each conditional p(x_i | x_1..x_{i-1}) (2^(i-1)
                    entries for pixel i): the chain rule is an identity, so no savings;
* Markov          - p(x_1) and tables p(x_i | x_{i-1}) (2 entries each);
* logistic AR     - the fully visible sigmoid belief net: p(x_i = 1 | x_<i) =
                    sigmoid(b_i + sum_{j<i} W_ij x_j), built as an nn.Linear(n, n) with a
                    strictly lower-triangular mask (as MADE masks its layers).

Each model's *stored* values are counted from its tensors; its *free* parameters are the rank
of the Jacobian of log p(all images) with respect to them at a random point, i.e. how many
independent directions actually change the distribution.  They differ where storage is
redundant: the softmax's 2^n logits have one direction (adding a constant) that changes
nothing, and the masked Linear stores n^2 + n values of which the masked half is never used.
The free counts must equal the formulas of the generative-1 deck: 2^n - 1, n, 2^n - 1
(1 + 2 + ... + 2^(n-1)), 2n - 1 and n(n+1)/2; the deck's table adds them at n = 784.

Then a small fit: images from a chain where each pixel copies its left neighbour with
probability ``stay`` (else flips; the first pixel is a fair coin), ``n_train`` for training
and 2000 held out.  The independent model (maximum likelihood: pixel frequencies, add-one
smoothed) cannot express the dependency; the logistic AR model (Adam on the exact negative
log-likelihood) can.  Held-out NLL in bits per image, against the data's true entropy
1 + (n-1) H(stay).  The full joint (add-one smoothed counts) is shown for reference.

Precondition (else "does not apply"): the data have dependencies worth at least 1 bit per
image (true entropy <= n - 1 bits); with weaker ones the gap between the models is not
measurable on a small sample.  n is at most 10: the rank check builds 2^n x 2^n matrices.

Honest caveats:
* "free parameters" is local: the Jacobian rank at one random point. Identifiability can drop
  at special points (e.g. all weights 0), not at a generic one.
* the count says what a model *can* represent, not what it learns from a finite sample: the
  full joint can represent the chain exactly but, with 2^n - 1 parameters, needs far more
  data than the 2n - 1 of the Markov model or the n(n+1)/2 of the logistic AR model.
* the chain data favour the Markov and AR models by construction; on data without
  dependencies the independent model is as good and has the fewest parameters.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="generative_param_counts",
    title_en="Generative models: parameters of full joint vs independent vs autoregressive",
    title_ko="생성 모델의 parameter 수: full joint vs independent vs autoregressive",
    concept="parameter counts of full-joint, independent and autoregressive models",
    claim=(
        "For 8 binary pixels the free parameters counted from built models (Jacobian rank) are "
        "2^n - 1 = 255 for the full joint and for the chain rule's tables, n = 8 for the "
        "independent model, 2n - 1 = 15 for the Markov model and n(n+1)/2 = 36 for the "
        "logistic autoregressive model; and on held-out images from a chain where each pixel "
        "copies its neighbour with probability 0.9, the autoregressive model's negative "
        "log-likelihood is at least 0.5 bits per image below the independent model's."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param("n", 8, "binary pixels (the rank check builds 2^n x 2^n matrices)", min=2, max=10),
        Param("stay", 0.9, "probability that a pixel copies its left neighbour", min=0.0, max=1.0),
        Param("n_train", 500, "training images", min=10, max=20000, quick=300),
        Param("steps", 300, "Adam steps for the logistic AR model", min=1, max=5000, quick=100),
        Param("lr", 0.1, "Adam learning rate", min=1e-4, max=1.0),
    ),
    cards=(
        "generative-1/binary-joint-params",
        "generative-1/binary-joint-params-n10",
        "generative-1/independence-assumption",
        "generative-1/independence-states-vs-params",
        "generative-1/independence-too-strong",
        "generative-1/chain-rule-conditional-params",
        "generative-1/chain-rule-no-savings",
        "generative-1/markov-assumption",
        "generative-1/markov-params",
        "generative-1/parameter-count-order",
        "generative-1/logistic-ar-params",
    ),
    predictions=(
        Prediction(
            id="better",
            prompt_en=(
                "Training images come from a chain where each pixel usually copies its left "
                "neighbour. Which model gives held-out images the lower negative "
                "log-likelihood?"
            ),
            prompt_ko=(
                "학습 이미지는 각 pixel이 대개 왼쪽 이웃을 따라 하는 chain에서 나옵니다. 어느 "
                "model이 held-out 이미지의 negative log-likelihood가 더 낮을까요?"
            ),
            options_en=(
                "The independent model: fewer parameters, less over-fitting",
                "The logistic autoregressive model",
                "About the same (within 0.5 bits per image)",
            ),
            options_ko=(
                "Independent model: parameter가 적어 over-fitting이 적다",
                "Logistic autoregressive model",
                "비슷하다 (이미지당 0.5 bit 이내)",
            ),
            card="generative-1/independence-too-strong",
        ),
        Prediction(
            id="ar_count",
            prompt_en=(
                "At the default settings (n = 8 pixels): how many free parameters does the "
                "logistic autoregressive model have, where each pixel is a logistic regression "
                "on all earlier pixels?"
            ),
            prompt_ko=(
                "기본 설정(n = 8 pixel)에서: 각 pixel이 앞선 모든 pixel에 대한 logistic "
                "regression인 logistic autoregressive model의 free parameter는 몇 개인가요?"
            ),
            unit="parameters",
            tolerance=0.5,  # an exact count: any other whole number is wrong
            card="generative-1/logistic-ar-params",
        ),
        Prediction(
            id="joint_count",
            prompt_en=(
                "At the default settings (n = 8 pixels): how many free parameters does the full "
                "joint distribution of the binary pixels have?"
            ),
            prompt_ko=(
                "기본 설정(n = 8 pixel)에서: binary pixel들의 full joint distribution의 free "
                "parameter는 몇 개인가요?"
            ),
            unit="parameters",
            tolerance=0.5,  # an exact count: any other whole number is wrong
            card="generative-1/binary-joint-params",
        ),
    ),
)

CAVEATS = (
    "free parameters = the Jacobian rank at one random point (a local count)",
    "the count is what a model can represent, not what it learns from a finite sample: the "
    "full joint needs far more data than the Markov or AR model",
    "the chain data favour the Markov and AR models by construction; without dependencies "
    "the independent model is as good",
)
N_TEST = 2000
GAP_MIN = 0.5  # bits per image
LOG2 = math.log(2.0)
MODELS = ("full joint", "independent", "chain rule", "Markov", "logistic AR")


def formulas(n: int) -> dict[str, int]:
    return {
        "full joint": 2**n - 1,
        "independent": n,
        "chain rule": 2**n - 1,
        "Markov": 2 * n - 1,
        "logistic AR": n * (n + 1) // 2,
    }


FORMULA_TEXT = {
    "full joint": "2^n - 1",
    "independent": "n",
    "chain rule": "1 + 2 + ... + 2^(n-1) = 2^n - 1",
    "Markov": "1 + 2(n - 1) = 2n - 1",
    "logistic AR": "n + n(n-1)/2 = n(n+1)/2",
}
KEYS = {
    "full joint": "joint",
    "independent": "indep",
    "chain rule": "chain",
    "Markov": "markov",
    "logistic AR": "ar",
}


def all_images(n: int) -> torch.Tensor:
    """(2^n, n) float64: every binary image, pixel 0 as the most significant bit."""
    idx = torch.arange(2**n)
    return ((idx.unsqueeze(1) >> torch.arange(n - 1, -1, -1)) & 1).to(torch.float64)


def bernoulli_logp(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """sum over pixels of log p(x_i) for Bernoulli logits (same shape as x)."""
    return -nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)


def prefix_index(x: torch.Tensor, i: int) -> torch.Tensor:
    """The integer whose bits are x_1..x_{i-1} (row index into pixel i's table)."""
    if i == 0:
        return torch.zeros(x.shape[0], dtype=torch.long)
    weights = 2 ** torch.arange(i - 1, -1, -1)
    return (x[:, :i].long() * weights).sum(1)


class LogisticAR(nn.Module):
    """Fully visible sigmoid belief net: a masked nn.Linear(n, n)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.linear = nn.Linear(n, n, dtype=torch.float64)
        self.register_buffer("mask", torch.ones(n, n, dtype=torch.float64).tril(-1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.linear.weight * self.mask
        return bernoulli_logp(x @ w.T + self.linear.bias, x)


def build(n: int, gen: torch.Generator) -> dict[str, tuple[list[torch.Tensor], Any]]:
    """Per model: its parameter tensors and a function (tensors, images) -> log p."""
    dt = torch.float64

    def rand(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=gen, dtype=dt)

    def joint(ts: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        logp = torch.log_softmax(ts[0], 0)
        return logp[prefix_index(x, n)]

    def indep(ts: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return bernoulli_logp(ts[0].expand_as(x), x)

    def chain(ts: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        logits = torch.stack([ts[i][prefix_index(x, i)] for i in range(n)], 1)
        return bernoulli_logp(logits, x)

    def markov(ts: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        first = ts[0].expand(x.shape[0], 1)
        rest = ts[1][torch.arange(n - 1), x[:, :-1].long()]  # (images, n-1)
        return bernoulli_logp(torch.cat([first, rest], 1), x)

    ar = LogisticAR(n)
    with torch.no_grad():
        for p in ar.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=dt))

    def logistic(ts: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        w = ts[0] * ar.mask
        return bernoulli_logp(x @ w.T + ts[1], x)

    return {
        "full joint": ([rand(2**n)], joint),
        "independent": ([rand(n)], indep),
        "chain rule": ([rand(2**i) for i in range(n)], chain),
        "Markov": ([rand(1), rand(n - 1, 2)], markov),
        "logistic AR": ([p.detach().clone() for p in ar.parameters()], logistic),
    }


def free_parameters(tensors: list[torch.Tensor], fn: Any, x: torch.Tensor) -> int:
    """Rank of d log p(every image) / d (all stored values)."""
    flat = torch.cat([t.reshape(-1) for t in tensors])
    sizes = [t.numel() for t in tensors]

    def f(v: torch.Tensor) -> torch.Tensor:
        parts = list(torch.split(v, sizes))
        return fn([p.view_as(t) for p, t in zip(parts, tensors, strict=True)], x)

    jac = torch.autograd.functional.jacobian(f, flat, vectorize=True)
    return int(torch.linalg.matrix_rank(jac))


def counts(params: dict[str, Any], report: Reporter) -> dict[str, float]:
    n = int(params["n"])
    gen = torch.Generator().manual_seed(int(params["seed"]))
    x = all_images(n)
    models = build(n, gen)
    want = formulas(n)
    out: dict[str, float] = {}
    rows = []
    big = formulas(784)
    for step, name in enumerate(MODELS):
        if report.cancelled:
            break
        tensors, fn = models[name]
        stored = sum(t.numel() for t in tensors)
        free = free_parameters(tensors, fn, x)
        key = KEYS[name]
        out[f"{key}_stored"] = float(stored)
        out[f"{key}_free"] = float(free)
        out[f"{key}_formula"] = float(want[name])
        at784 = big[name]
        rows.append(
            {
                "model": name,
                "formula": FORMULA_TEXT[name],
                f"formula at n={n}": want[name],
                "stored values": stored,
                "free (Jacobian rank)": free,
                "at n = 784": f"2^784 - 1 (~{at784:.2e})" if at784 > 1e15 else at784,
            }
        )
        report.progress(step + 1, len(MODELS) + 1)
    out["chain_table_3"] = float(models["chain rule"][0][2].numel()) if n >= 3 else 0.0
    report.table(f"parameters of models of {n} binary pixels", rows)
    return out


def chain_data(count: int, n: int, stay: float, gen: torch.Generator) -> torch.Tensor:
    x = torch.zeros(count, n, dtype=torch.float64)
    x[:, 0] = (torch.rand(count, generator=gen) < 0.5).double()
    for i in range(1, n):
        flip = (torch.rand(count, generator=gen) >= stay).double()
        x[:, i] = (x[:, i - 1] + flip) % 2
    return x


def binary_entropy(q: float) -> float:
    return 0.0 if q in (0.0, 1.0) else -(q * math.log2(q) + (1 - q) * math.log2(1 - q))


def fit(params: dict[str, Any], report: Reporter) -> dict[str, float]:
    n, stay = int(params["n"]), float(params["stay"])
    gen = torch.Generator().manual_seed(int(params["seed"]) + 1)
    torch.manual_seed(int(params["seed"]) + 2)
    train = chain_data(int(params["n_train"]), n, stay, gen)
    test = chain_data(N_TEST, n, stay, gen)
    # independent: the smoothed pixel frequencies are its maximum-likelihood fit
    freq = (train.sum(0) + 1) / (train.shape[0] + 2)
    logit = torch.log(freq) - torch.log1p(-freq)
    indep_bits = float(-bernoulli_logp(logit.expand_as(test), test).mean()) / LOG2
    # full joint: add-one smoothed counts over the 2^n images
    idx_train, idx_test = prefix_index(train, n), prefix_index(test, n)
    table = torch.bincount(idx_train, minlength=2**n).double() + 1
    joint_bits = float(-torch.log(table / table.sum())[idx_test].mean()) / LOG2
    ar = LogisticAR(n)
    opt = torch.optim.Adam(ar.parameters(), lr=float(params["lr"]))
    steps = int(params["steps"])
    truth = 1 + (n - 1) * binary_entropy(stay)
    report.chart(
        "held-out negative log-likelihood",
        x="Adam step (logistic AR)",
        y="NLL (bits per image)",
        series=["logistic AR", "independent", "true entropy"],
    )
    every = max(1, steps // 30)
    for step in range(1, steps + 1):
        if report.cancelled:
            break
        loss = -ar(train).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % every == 0 or step == steps:
            with torch.no_grad():
                ar_bits = float(-ar(test).mean()) / LOG2
            report.metric(
                step,
                **{"logistic AR": ar_bits, "independent": indep_bits, "true entropy": truth},
            )
            report.progress(len(MODELS) + step / steps, len(MODELS) + 1)
    with torch.no_grad():
        ar_bits = float(-ar(test).mean()) / LOG2
        ar_train_bits = float(-ar(train).mean()) / LOG2
    report.table(
        "held-out NLL (bits per image)",
        [
            {"model": "independent", "parameters": n, "held-out NLL": indep_bits},
            {"model": "logistic AR", "parameters": n * (n + 1) // 2, "held-out NLL": ar_bits},
            {"model": "full joint", "parameters": 2**n - 1, "held-out NLL": joint_bits},
            {"model": "true entropy", "parameters": "", "held-out NLL": truth},
        ],
    )
    return {
        "indep_nll_bits": indep_bits,
        "ar_nll_bits": ar_bits,
        "ar_train_nll_bits": ar_train_bits,
        "joint_nll_bits": joint_bits,
        "true_entropy_bits": truth,
        "nll_gap_bits": indep_bits - ar_bits,
    }


def claim_for(params: dict[str, Any]) -> str:
    n = int(params["n"])
    f = formulas(n)
    return (
        f"For {n} binary pixels the free parameters counted from built models (Jacobian rank) "
        f"are 2^n - 1 = {f['full joint']} for the full joint and for the chain rule's tables, "
        f"n = {n} for the independent model, 2n - 1 = {f['Markov']} for the Markov model and "
        f"n(n+1)/2 = {f['logistic AR']} for the logistic autoregressive model; and on held-out "
        "images from a chain where each pixel copies its neighbour with probability "
        f"{float(params['stay']):g}, the autoregressive model's negative log-likelihood is at "
        f"least {GAP_MIN:g} bits per image below the independent model's."
    )


def answers(n: dict[str, float]) -> dict[str, float]:
    gap = n["nll_gap_bits"]
    better = 1 if gap >= GAP_MIN else 0 if gap <= -GAP_MIN else 2
    return {"better": float(better), "ar_count": n["ar_free"], "joint_count": n["joint_free"]}


def judge(n: dict[str, float], params: dict[str, Any]) -> Verdict:
    claim, ans, size = claim_for(params), answers(n), int(params["n"])
    free = ", ".join(f"{m} {n[KEYS[m] + '_free']:.0f}" for m in MODELS)
    measured = (
        f"free parameters: {free} (stored: full joint {n['joint_stored']:.0f}, logistic AR "
        f"{n['ar_stored']:.0f}); held-out NLL: independent {n['indep_nll_bits']:.2f}, logistic "
        f"AR {n['ar_nll_bits']:.2f} bits per image (true entropy {n['true_entropy_bits']:.2f})"
    )
    if n["true_entropy_bits"] > size - 1:
        reason = (
            f"stay = {float(params['stay']):g} gives dependencies worth only "
            f"{size - n['true_entropy_bits']:.2f} bits per image (need >= 1)"
        )
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=ans
        )
    checks = {
        f"{m}: free = {FORMULA_TEXT[m]}": n[KEYS[m] + "_free"] == n[KEYS[m] + "_formula"]
        for m in MODELS
    }
    checks[f"AR NLL >= {GAP_MIN:g} bits below independent"] = n["nll_gap_bits"] >= GAP_MIN
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=ans)


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    # the counts are exact integer bookkeeping and the fit is tiny: both stay on the CPU
    n = counts(params, report)
    n.update(fit(params, report))
    return judge(n, params)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

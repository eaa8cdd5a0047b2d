"""Batch size and sharp minima: small vs large batch SGD on the 8x8 digits (Keskar et al. 2017).

Two copies of the same MLP (same initial weights) are trained with SGD + momentum for the SAME
NUMBER OF STEPS: one on minibatches of 16 images, one on the full training set (500 images,
i.e. plain gradient descent). Both fit the training set (100 % train accuracy), so any
difference is in *which* minimum they end up in, not in how far they got.

Sharpness is measured the way Keskar et al. describe it informally: move the weights a fixed
*relative* distance in a random direction (every weight tensor W gets noise of norm
eps * ||W||) and record how much the training loss rises, averaged over several random
directions (both +d and -d). A flat minimum barely notices; a sharp one shoots up. The
generalisation gap is train accuracy minus held-out accuracy.

What to expect: the small-batch run's gradient noise keeps it out of narrow valleys, so the
large-batch net is typically several times sharper and its test accuracy is 1-2 points lower.
Honest caveats: same-steps is only one protocol (with the same number of *epochs* the full-batch
run would get 30x fewer updates and simply under-fit); sharpness measured with random
directions depends on the parametrisation (Dinh et al. 2017), so it is a symptom, not a cause.

The claim compares two minima, so it applies only when both nets are at one (train accuracy
>= `MIN_TRAIN_ACC`) and the large batch really is larger than the small one.  "Sharper" needs
a ratio of at least `MIN_RATIO`, and the gap is checked too (a claim about two things checks
both): the large-batch gap may not be smaller by more than `GAP_NOISE`, the standard error of
a difference of two accuracies on the held-out digits.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._common import PALETTE, draw_polyline
from ._data import load_digits

MIN_TRAIN_ACC = 0.99
MIN_RATIO = 2.0  # "sharper": the loss rise at least doubles
GAP_NOISE = 0.01  # one standard error of a difference of two accuracies on ~1300 digits
CAVEATS = (
    "Same number of steps is one protocol: with the same number of epochs the full-batch run "
    "gets far fewer updates and simply under-fits.",
    "Sharpness along random directions depends on the parametrisation (Dinh et al. 2017): it "
    "is a symptom of the minimum, not the cause of the gap.",
    "The gap difference is a point or two on ~1300 held-out digits, near its sampling noise.",
)

INFO = DemoInfo(
    name="batch_size",
    title_en="Large batches find sharper minima",
    title_ko="큰 배치는 더 날카로운 최솟값을 찾는다",
    concept="batch size, sharp vs flat minima, generalization gap",
    claim=(
        "Trained for the same number of SGD steps on the digits until both fit the training set, "
        "a full-batch (large-batch) MLP ends in a minimum at least 2x sharper (its training loss "
        "rises at least twice as much under random weight perturbations of fixed relative size) "
        "and has a train-test accuracy gap at least as large (within 1 point, the sampling noise "
        "of ~1300 test digits) as the same MLP trained with minibatches of 16."
    ),
    params=(
        Param("steps", 1000, "SGD steps for each of the two nets", min=50, max=20000, quick=350),
        Param(
            "n_train",
            500,
            "training images (the rest of the 1797 are held out)",
            min=100,
            max=1500,
            quick=400,
        ),
        Param("small_batch", 16, "minibatch size of the small-batch run", min=1, max=1500),
        Param(
            "large_batch",
            500,
            "batch size of the large-batch run (capped at n_train)",
            min=2,
            max=1500,
            quick=400,
        ),
        Param("lr", 0.05, "SGD learning rate (momentum 0.9), same for both", min=1e-4, max=1.0),
        Param("hidden", 128, "units in each of the two hidden layers", min=8, max=1024),
        Param(
            "eps",
            0.4,
            "relative perturbation size ||noise|| / ||W|| per weight tensor",
            min=0.01,
            max=2.0,
        ),
        Param(
            "draws",
            10,
            "random perturbation directions averaged (each used as +d and -d)",
            min=1,
            max=200,
        ),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "gradient-descent/gd-noise-order",
        "gradient-descent/small-batch-tradeoff",
        "gradient-descent/large-batch-sharp",
        "gradient-descent/keskar-paper",
        "gradient-descent/keskar-four-claims",
        "gradient-descent/keskar-zoom-in",
        "gradient-descent/flat-vs-sharp",
        "gradient-descent/why-flat-generalizes",
        "gradient-descent/noise-escape",
        "gradient-descent/linear-scaling-rule",
        "gradient-descent/lr-not-enough",
    ),
    predictions=(
        Prediction(
            "sharper",
            "Both nets fit the training set in the same number of steps. Which one ends in the "
            "sharper minimum (its loss rises more when the weights are jiggled)?",
            "두 신경망이 같은 step 수로 훈련 세트를 맞춘다. 어느 쪽이 더 날카로운 최솟값(가중치를 "
            "흔들 때 loss가 더 크게 오르는 곳)에 도착하는가?",
            options_en=(
                "the small-batch net",
                "the large-batch (full-batch) net",
                "neither: about equally sharp (within 25 %)",
            ),
            options_ko=(
                "작은 배치 신경망",
                "큰 배치(전체 배치) 신경망",
                "둘 다 비슷하다 (25 % 이내)",
            ),
            card="gradient-descent/large-batch-sharp",
        ),
        Prediction(
            "gap",
            "Which net has the larger train-test accuracy gap?",
            "훈련-테스트 정확도 차이가 더 큰 신경망은?",
            options_en=(
                "about the same (within 1 point)",
                "the small-batch net",
                "the large-batch net",
            ),
            options_ko=(
                "거의 같다 (1 %p 이내)",
                "작은 배치 신경망",
                "큰 배치 신경망",
            ),
            card="gradient-descent/small-batch-tradeoff",
        ),
    ),
)


def _mlp(hidden: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(64, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 10),
    )


@torch.no_grad()
def _loss_acc(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    out = net(x)
    return float(F.cross_entropy(out, y)), float((out.argmax(1) == y).float().mean())


@torch.no_grad()
def _perturbed_losses(
    net: nn.Module, x: torch.Tensor, y: torch.Tensor, ts: list[float], draws: int, seed: int
) -> torch.Tensor:
    """Training loss at w + t * d for random directions d with ||d_W|| = ||W|| per tensor.

    Returns a (draws, len(ts)) tensor. The same seed gives the same directions (up to the
    per-tensor scaling) for every net of the same shape, so two nets are compared pairwise."""
    gen = torch.Generator().manual_seed(seed)
    params = list(net.parameters())
    base = [p.detach().clone() for p in params]
    out = torch.empty(draws, len(ts))
    for d in range(draws):
        dirs = []
        for b in base:
            n = torch.randn(b.shape, generator=gen).to(b.device)
            dirs.append(n * (b.norm() / n.norm().clamp_min(1e-12)))
        for j, t in enumerate(ts):
            for p, b, n in zip(params, base, dirs, strict=True):
                p.copy_(b + t * n)
            out[d, j] = float(F.cross_entropy(net(x), y))
    for p, b in zip(params, base, strict=True):
        p.copy_(b)
    return out


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "training loss",
        x="SGD step",
        y="training loss (nats)",
        series=["small_batch_train_loss", "large_batch_train_loss"],
    )
    seed = int(params["seed"])
    steps = int(params["steps"])
    n_train = int(params["n_train"])
    eps, draws = float(params["eps"]), int(params["draws"])
    batches = {
        "small": min(int(params["small_batch"]), n_train),
        "large": min(int(params["large_batch"]), n_train),
    }
    if max(int(params["small_batch"]), int(params["large_batch"])) > n_train:
        report.log(f"batch sizes capped at n_train = {n_train}")
    seed_everything(seed)
    xtr, ytr, xte, yte = load_digits(device, n_train=n_train, seed=seed, standardize=False)
    report.log(
        f"{n_train} training / {len(xte)} held-out digits; both nets start from the same weights "
        f"and take {steps} SGD steps (lr {params['lr']}, momentum 0.9): batch {batches['small']} "
        f"vs batch {batches['large']}"
    )

    nets, opts, gens, perms, pos = {}, {}, {}, {}, {}
    for k in batches:
        torch.manual_seed(seed)  # identical initial weights
        nets[k] = _mlp(int(params["hidden"])).to(device)
        opts[k] = torch.optim.SGD(nets[k].parameters(), lr=float(params["lr"]), momentum=0.9)
        gens[k] = torch.Generator().manual_seed(seed + 1)
        perms[k], pos[k] = torch.randperm(n_train, generator=gens[k]), 0

    every = max(1, steps // 50)
    for step in range(1, steps + 1):
        if report.cancelled:
            break
        for k, bs in batches.items():
            if pos[k] + bs > n_train:  # new epoch (drop the incomplete last batch)
                perms[k], pos[k] = torch.randperm(n_train, generator=gens[k]), 0
            idx = perms[k][pos[k] : pos[k] + bs].to(device)
            pos[k] += bs
            loss = F.cross_entropy(nets[k](xtr[idx]), ytr[idx])
            opts[k].zero_grad(set_to_none=True)
            loss.backward()
            opts[k].step()
        if step % every == 0 or step == steps:
            report.metric(
                step, **{f"{k}_batch_train_loss": _loss_acc(nets[k], xtr, ytr)[0] for k in batches}
            )
            report.progress(step, steps)

    ts = [eps * (i / 10.0) for i in range(-10, 11)]
    res: dict[str, dict[str, float]] = {}
    curves = {}
    for k, net in nets.items():
        net.eval()
        trl, tra = _loss_acc(net, xtr, ytr)
        tel, tea = _loss_acc(net, xte, yte)
        losses = _perturbed_losses(net, xtr, ytr, ts, draws, seed + 7)
        centre = losses[:, 10:11]
        sharp = float(torch.cat([losses[:, 0], losses[:, -1]]).mean() - centre.mean())
        half = float(torch.cat([losses[:, 5], losses[:, 15]]).mean() - centre.mean())
        curves[k] = losses.mean(0)
        res[k] = {
            "train_loss": trl,
            "train_acc": tra,
            "test_loss": tel,
            "test_acc": tea,
            "gap": tra - tea,
            "sharpness": sharp,
            "sharpness_half_eps": half,
            "weight_norm": float(
                torch.sqrt(sum((p.detach() ** 2).sum() for p in net.parameters()))
            ),
        }

    report.table(
        "results",
        [
            {
                "run": f"{k} (batch {batches[k]})",
                "train loss": r["train_loss"],
                "train acc": r["train_acc"],
                "test acc": r["test_acc"],
                "gap (train-test acc)": r["gap"],
                f"loss rise at eps/2={eps / 2:g}": r["sharpness_half_eps"],
                f"loss rise at eps={eps:g}": r["sharpness"],
                "weight norm": r["weight_norm"],
            }
            for k, r in res.items()
        ],
    )
    report.table(
        "loss along random directions (mean over draws)",
        [
            {
                "t (relative step)": t,
                "small batch": float(curves["small"][j]),
                "large batch": float(curves["large"][j]),
            }
            for j, t in enumerate(ts)
            if j % 2 == 0
        ],
    )

    # 1D plot: rise of the mean training loss along random directions (0 at the minimum),
    # small batch (cyan) vs large batch (red)
    h, w = 24, 63
    rises = {k: c - c[10] for k, c in curves.items()}
    top = max(float(rises["small"].max()), float(rises["large"].max())) * 1.05 + 1e-6
    img = torch.full((h, w, 3), 0.06)
    for k, colour in (("small", PALETTE[3]), ("large", PALETTE[0])):
        draw_polyline(
            img, torch.stack([torch.tensor(ts), rises[k]], 1), (ts[0], ts[-1], 0.0, top), colour
        )
    img[:, w // 2] = torch.maximum(img[:, w // 2], torch.tensor([0.25, 0.25, 0.25]))
    report.image(
        "loss_slice",
        img,
        caption=f"rise of the training loss at w + t*d, t from -{eps:g} to +{eps:g} (relative); "
        "cyan = small batch, red = large batch: the narrower valley is sharper",
        lines=True,
    )

    s, g = res["small"], res["large"]
    ratio = g["sharpness"] / max(s["sharpness"], 1e-9)
    sharper = ratio >= MIN_RATIO
    wider_gap = g["gap"] >= s["gap"] - GAP_NOISE
    summary = (
        f"loss rise under {eps:g}-relative noise: large batch {g['sharpness']:.3f} vs small "
        f"{s['sharpness']:.3f} ({ratio:.1f}x, need {MIN_RATIO:g}x); accuracy gap "
        f"{g['gap'] * 100:.1f} vs {s['gap'] * 100:.1f} points "
        f"({'at least as large, within 1 point' if wider_gap else 'SMALLER'}); train accuracy "
        f"{g['train_acc']:.1%} vs {s['train_acc']:.1%} after {steps} steps each"
    )
    gap_answer = 0 if abs(g["gap"] - s["gap"]) <= GAP_NOISE else (2 if g["gap"] > s["gap"] else 1)
    answers = {
        "sharper": float(2 if 0.8 <= ratio <= 1.25 else (1 if ratio > 1.25 else 0)),
        "gap": float(gap_answer),
    }
    numbers = {f"{k}_{m}": v for k, r in res.items() for m, v in r.items()}
    numbers.update(
        sharpness_ratio=ratio,
        steps=float(steps),
        sharper=float(sharper),
        wider_gap=float(wider_gap),
    )
    claim = (
        f"Trained for {steps} SGD steps on {len(xtr)} digits until both fit them, an MLP with "
        f"batch {batches['large']} ends in a minimum at least {MIN_RATIO:g}x sharper (loss rise "
        f"under {eps:g}-relative random weight noise) and has a train-test accuracy gap at least "
        f"as large (within {GAP_NOISE * 100:g} point, the sampling noise of {len(xte)} test "
        f"digits) as the same MLP with batch {batches['small']}."
    )
    if batches["large"] <= batches["small"]:
        return Verdict.does_not_apply(
            f"the large batch ({batches['large']}, capped at n_train) is not larger than the "
            f"small one ({batches['small']})",
            numbers,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    unfit = [k for k in batches if res[k]["train_acc"] < MIN_TRAIN_ACC]
    if unfit:
        return Verdict.does_not_apply(
            " and ".join(
                f"the batch-{batches[k]} net reached only {res[k]['train_acc']:.1%} train accuracy"
                for k in unfit
            )
            + f" after {steps} steps (need {MIN_TRAIN_ACC:.0%}): the claim compares minima, "
            "and a net that has not fit the training set is not at one",
            numbers,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    holds = sharper and wider_gap and not report.cancelled
    return Verdict(holds, numbers, summary, claim=claim, caveats=CAVEATS, answers=answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

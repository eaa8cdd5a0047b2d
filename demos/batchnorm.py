"""BatchNorm: the same ReLU MLP with and without BatchNorm, trained at three learning rates.

Both nets start from identical weights and see identical minibatches (plain SGD with momentum
on the 8x8 digits). Batch normalisation (Ioffe & Szegedy 2015) re-centres and re-scales every
hidden layer's pre-activations over the minibatch, so the scale of the signal no longer depends
on the weights' scale: a small learning rate still makes progress and a large one does not blow
up. Without it, the deep net diverges or stalls at a large rate.

Conditions, measured: the robust part is the range of learning rates that work. How the plain
net does at a SMALL rate depends on the initialisation. With PyTorch's default Linear init
(init=pytorch), which shrinks the signal in every ReLU layer, the 6-layer plain net barely moves
at lr 0.01 and BN is faster at every rate. With He init (init=he) the plain net trains well at
lr 0.01 - there it can even beat the BN net - but it diverges at 0.1 and 0.5, where the BN net
still trains. The demo says nothing about final test accuracy after long, tuned training.

"Trains" means the training loss reached `threshold` and ends below it; "diverges or stalls"
means the loss ends NaN/inf or above 75 % of the chance loss ln 10.  Preconditions (else "does
not apply"): depth >= 2 (a single hidden layer has no BatchNorm layer: both nets would be the
same) and a threshold below half the chance loss (a higher one counts a net that has learnt
almost nothing as trained).
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import load_digits

CAVEATS = (
    "The robust part is the range of learning rates that work; at a small rate the plain net "
    "with He init can train as well as, or better than, the BN net.",
    "Nothing here is about final test accuracy after long, tuned training.",
)

INFO = DemoInfo(
    name="batchnorm",
    title_en="BatchNorm: training across a wide range of learning rates",
    title_ko="배치 정규화: 더 빠르고 안정적인 학습",
    concept="batch normalization",
    claim=(
        "With BatchNorm, the same deep ReLU MLP trains (training loss ends below 0.5) at every "
        "learning rate of a 50x range, including the largest, where the net without BatchNorm "
        "diverges or stalls (its loss ends above 75 % of the chance loss ln 10)."
    ),
    params=(
        Param("depth", 6, "hidden layers", min=1, max=50),
        Param("width", 64, "units per hidden layer", min=4, max=512),
        Param("steps", 200, "SGD steps per run", min=10, max=5000, quick=100),
        Param(
            "lr_max",
            0.5,
            "largest learning rate; the sweep also uses lr_max/5 and lr_max/50",
            min=1e-4,
            max=10.0,
        ),
        Param("batch", 64, "minibatch size", min=4, max=1297),
        Param("threshold", 0.5, "training loss that counts as 'trained'", min=0.001, max=2.3),
        Param(
            "init",
            "pytorch",
            "weight init of the Linear layers: PyTorch's default or He (Kaiming normal)",
            choices=("pytorch", "he"),
        ),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "modern-cnn/resnet-batchnorm-position",
        "regularization/bn-formula",
        "regularization/bn-cloze",
        "regularization/bn-train-eval",
        "regularization/bn-numeric",
        "regularization/bn-params",
        "regularization/bn-ics-disputed",
        "regularization/bn-benefits",
        "regularization/norm-variants",
        "transformer/layernorm-vs-batchnorm",
    ),
    predictions=(
        Prediction(
            "plain_at_max",
            "At the largest learning rate (lr_max, 0.5 at the default settings), what happens to "
            "the net WITHOUT BatchNorm?",
            "가장 큰 learning rate(기본 설정에서 lr_max = 0.5)에서 BatchNorm이 없는 신경망은?",
            options_en=(
                "it trains at least as well as the BatchNorm net",
                "it trains, but worse than the BatchNorm net",
                "it diverges or stalls",
            ),
            options_ko=(
                "BatchNorm 신경망만큼 또는 더 잘 학습된다",
                "학습되지만 BatchNorm 신경망보다 못하다",
                "발산하거나 멈춘다",
            ),
            card="regularization/bn-benefits",
        ),
        Prediction(
            "plain_rates",
            "At how many of the three learning rates (lr_max/50, lr_max/5, lr_max) does the net "
            "WITHOUT BatchNorm get its training loss below the threshold?",
            "세 learning rate(lr_max/50, lr_max/5, lr_max) 중 몇 개에서 BatchNorm이 없는 "
            "신경망의 training loss가 기준 아래로 내려가는가?",
            unit="of 3",
            tolerance=0.5,  # a whole number: only the exact count is right
            card="regularization/bn-benefits",
        ),
    ),
)

STALL = 0.75  # a run "stalls" when its loss ends above this fraction of the chance loss


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    lr_max, thr = float(params["lr_max"]), float(params["threshold"])
    return (
        f"With BatchNorm, the same {int(params['depth'])}-layer ReLU MLP ({params['init']} init) "
        f"trains (training loss ends below {thr:g} within {int(params['steps'])} steps) at every "
        f"learning rate of {lr_max / 50:g}, {lr_max / 5:g} and {lr_max:g}, including the "
        f"largest, where the net without BatchNorm diverges or stalls (its loss ends above "
        f"{STALL:.0%} of the chance loss ln 10)."
    )


def make_mlp(depth: int, width: int, bn: bool, init: str = "pytorch") -> nn.Sequential:
    layers: list[nn.Module] = [nn.Linear(64, width), nn.ReLU()]
    for _ in range(depth - 1):
        layers.append(nn.Linear(width, width))
        if bn:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.ReLU())
    layers.append(nn.Linear(width, 10))
    if init == "he":
        for m in layers:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    return nn.Sequential(*layers)


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    seed = int(params["seed"])
    depth, width, steps = int(params["depth"]), int(params["width"]), int(params["steps"])
    threshold = float(params["threshold"])
    lr_max = float(params["lr_max"])
    lrs = [lr_max / 50, lr_max / 5, lr_max]
    seed_everything(seed)
    xtr, ytr, xte, yte = load_digits(device, seed=seed)
    chance = math.log(10.0)
    cap = 2 * chance  # diverged losses are drawn at this height

    runs: dict[str, dict[str, Any]] = {}
    for lr in lrs:
        for bn in (False, True):
            torch.manual_seed(seed)  # same initial weights for both variants
            net = make_mlp(depth, width, bn, params["init"]).to(device)
            key = f"{'bn' if bn else 'plain'}@{lr:g}"
            runs[key] = {
                "net": net,
                "bn": bn,
                "lr": lr,
                "hit": None,
                "diverged": False,
                "opt": torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9),
            }

    def train_loss(net: nn.Module) -> float:
        net.eval()
        with torch.no_grad():
            v = float(F.cross_entropy(net(xtr), ytr))
        net.train()
        return v if math.isfinite(v) else float("inf")

    gen = torch.Generator().manual_seed(seed)
    eval_every = max(1, steps // 40)
    report.chart(
        "training loss",
        x="SGD step",
        y="training loss (nats; diverged runs drawn at 2x chance)",
        series=list(runs),
    )
    report.metric(0, **{k: min(train_loss(r["net"]), cap) for k, r in runs.items()})
    done = 0
    for step in range(1, steps + 1):
        if report.cancelled:
            break
        idx = torch.randint(0, len(xtr), (int(params["batch"]),), generator=gen).to(device)
        for r in runs.values():
            if r["diverged"]:
                continue
            loss = F.cross_entropy(r["net"](xtr[idx]), ytr[idx])
            if not torch.isfinite(loss):
                r["diverged"] = True
                continue
            r["opt"].zero_grad()
            loss.backward()
            r["opt"].step()
        done = step
        if step % eval_every == 0 or step == steps:
            vals = {}
            for k, r in runs.items():
                v = float("inf") if r["diverged"] else train_loss(r["net"])
                if r["hit"] is None and v <= threshold:
                    r["hit"] = step
                vals[k] = min(v, cap)
            report.metric(step, **vals)
            report.progress(step, steps)

    rows = []
    numbers: dict[str, float] = {}
    for r in runs.values():
        loss = float("inf") if r["diverged"] else train_loss(r["net"])
        r["net"].eval()
        with torch.no_grad():
            acc = float((r["net"](xte).argmax(1) == yte).float().mean())
        if not math.isfinite(loss):
            acc = float("nan")
        r["loss"], r["acc"] = loss, acc
        tag = "bn" if r["bn"] else "plain"
        i = lrs.index(r["lr"])
        numbers[f"{tag}_loss_lr{i}"] = loss
        numbers[f"{tag}_steps_to_threshold_lr{i}"] = float(r["hit"]) if r["hit"] else float("inf")
        rows.append(
            {
                "batchnorm": r["bn"],
                "lr": r["lr"],
                "train_loss": loss if math.isfinite(loss) else "diverged",
                f"steps_to_loss<={threshold:g}": r["hit"] if r["hit"] else "never",
                "test_acc": acc,
            }
        )
    for i, lr in enumerate(lrs):
        numbers[f"lr{i}"] = lr
    report.table(f"after {done} steps (training loss on the whole training set)", rows)
    report.log(
        f"Curves are the training loss; values above {cap:.1f} (or NaN) are drawn at {cap:.1f}."
    )

    pairs = [(runs[f"plain@{lr:g}"], runs[f"bn@{lr:g}"]) for lr in lrs]
    bn_lower_everywhere = all(b["loss"] < p["loss"] for p, b in pairs)

    def trained(r: dict[str, Any]) -> bool:  # reached the threshold and is still below it
        return r["hit"] is not None and r["loss"] <= threshold

    bn_trained = sum(trained(b) for _, b in pairs)
    plain_trained = sum(trained(p) for p, _ in pairs)
    hi_plain, hi_bn = pairs[-1]
    bn_stable_high = trained(hi_bn)
    plain_fails_high = not hi_plain["loss"] <= STALL * chance  # NaN/inf count as diverged
    if not bn_lower_everywhere:
        ahead = [f"{p['lr']:g}" for p, b in pairs if not b["loss"] < p["loss"]]
        report.log(
            f"Without BN the net is ahead at lr {', '.join(ahead)}: BN is not always faster "
            "(it depends on the init); its advantage is the range of rates that work."
        )

    def fmt(x: float) -> str:
        return f"{x:.2f}" if math.isfinite(x) else "diverged"

    parts = [f"lr {p['lr']:g}: plain {fmt(p['loss'])} vs BN {fmt(b['loss'])}" for p, b in pairs]
    summary = (
        f"training loss after {done} steps - "
        + "; ".join(parts)
        + f"; ends below loss {threshold:g} at {bn_trained}/{len(lrs)} rates with BN, "
        f"{plain_trained}/{len(lrs)} without"
    )
    numbers.update(
        {
            "bn_lower_at_every_lr": float(bn_lower_everywhere),
            "plain_fails_at_lr_max": float(plain_fails_high),
            "bn_trains_at_lr_max": float(bn_stable_high),
            "bn_rates_trained": float(bn_trained),
            "plain_rates_trained": float(plain_trained),
            "chance_loss": chance,
            "steps": float(done),
        }
    )
    if plain_fails_high:
        plain_at_max = 2
    else:
        plain_at_max = 0 if trained(hi_plain) and hi_plain["loss"] <= hi_bn["loss"] else 1
    answers = {"plain_at_max": float(plain_at_max), "plain_rates": float(plain_trained)}
    claim = claim_for(params)
    if depth < 2:
        reason = "with one hidden layer there is no BatchNorm layer: both nets are the same"
    elif threshold >= 0.5 * chance:
        reason = (
            f"the threshold {threshold:g} is not below half the chance loss ({0.5 * chance:.2f}): "
            "a net that has learnt almost nothing would count as trained"
        )
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, numbers, summary, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "BN trains at every rate": bn_trained == len(lrs),
        "plain diverges or stalls at lr_max": plain_fails_high,
        "ran every step": done == steps,
    }
    failed = [k for k, ok in checks.items() if not ok]
    summary += f"; failed: {', '.join(failed)}" if failed else ""
    return Verdict(not failed, numbers, summary, claim=claim, caveats=CAVEATS, answers=answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

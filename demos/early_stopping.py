"""Early stopping: watch a big MLP memorise a few noisy labels and stop at the right epoch.

Setup built to overfit: only `n_train` digits, a 2-hidden-layer MLP with hundreds of units per
layer, and a fraction `label_noise` of the training (and validation) labels replaced by a wrong
class. The training loss keeps falling towards 0 as the net memorises even the wrong labels,
while the validation loss falls, bottoms out and then climbs. Early stopping with patience P
keeps the weights of the epoch with the lowest validation loss and stops once P epochs pass
without a new best. The demo keeps training to the end anyway, so you can see what stopping
saved: the validation loss at the end, the train-validation gap, and the accuracy on a clean
(noise-free) test set.

"Rises" means the validation loss at the end is at least `RISE` times its best; "keeps
falling" that the training loss at the end is at most half of its value at the best epoch.
Preconditions (else "does not apply"): some labels are noisy (label_noise > 0: the claim is
about memorising wrong labels) and the run is longer than the patience (otherwise early
stopping cannot trigger).

Honest caveats:
* the validation labels are as noisy as the training ones, as they would be in practice; the
  clean test accuracy is shown for comparison and is not part of the claim.
* patience trades a later stop (wasted epochs) against stopping on a noisy wiggle; one run
  with one patience says nothing about the best patience.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import load_digits

INFO = DemoInfo(
    name="early_stopping",
    title_en="Early stopping picks the epoch before overfitting",
    title_ko="조기 종료는 과적합 직전의 에폭을 고른다",
    concept="early stopping / overfitting",
    claim=(
        "On a small training set with noisy labels, a big MLP's validation loss bottoms out and "
        "then rises (ending at least 1.1x its best) while its training loss keeps falling (to "
        "at most half its value at the best epoch); early stopping with patience stops and picks "
        "that best epoch, and the train-validation gap is larger at the end than there."
    ),
    params=(
        Param("n_train", 100, "training images", min=10, max=1000),
        Param(
            "n_val",
            300,
            "validation images (labels as noisy as the training ones)",
            min=10,
            max=700,
        ),
        Param(
            "label_noise",
            0.3,
            "fraction of train/val labels replaced by a wrong class",
            min=0.0,
            max=0.9,
        ),
        Param("hidden", 256, "units in each of the two hidden layers", min=4, max=4096),
        Param(
            "epochs",
            150,
            "epochs to train (past the early stop, to show what it saves)",
            min=2,
            max=5000,
            quick=80,
        ),
        Param(
            "patience",
            10,
            "epochs without a new best validation loss before stopping",
            min=1,
            max=1000,
        ),
        Param("lr", 0.0003, "Adam learning rate", min=1e-6, max=1.0),
        Param("batch", 32, "minibatch size", min=1, max=1000),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "regularization/early-stopping-def",
        "regularization/early-stopping-validation",
        "regularization/early-stopping-patience",
    ),
    predictions=(
        Prediction(
            "val_shape",
            "While the training loss keeps falling, what does the validation loss do over the "
            "epochs?",
            "training loss가 계속 내려가는 동안 validation loss는 에폭에 따라 어떻게 되는가?",
            options_en=(
                "it keeps falling too",
                "it falls, bottoms out, then rises",
                "it stays about flat",
            ),
            options_ko=(
                "함께 계속 내려간다",
                "내려가다 바닥을 찍고 다시 오른다",
                "거의 평평하다",
            ),
            card="regularization/early-stopping-validation",
        ),
        Prediction(
            "test_acc",
            "Which weights classify clean (noise-free) test digits better: the final ones or "
            "the early-stopped ones (restored from the best epoch)?",
            "깨끗한(노이즈 없는) 테스트 숫자를 더 잘 분류하는 가중치는: 마지막 가중치, 아니면 "
            "조기 종료로 복원한 (최적 에폭의) 가중치?",
            options_en=(
                "the final weights",
                "the early-stopped weights",
                "about the same (within 1 point)",
            ),
            options_ko=(
                "마지막 가중치",
                "조기 종료 가중치",
                "거의 같다 (1 %p 이내)",
            ),
            card="regularization/early-stopping-def",
        ),
    ),
)

RISE = 1.1  # "rises": the validation loss ends at least this many times its best
CAVEATS = (
    "the validation labels are as noisy as the training ones; the clean test accuracy is for "
    "comparison, not part of the claim",
    "one run with one patience says nothing about the best patience",
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"On {int(params['n_train'])} training digits with {float(params['label_noise']):.0%} "
        f"wrong labels, an MLP with {int(params['hidden'])} units per layer trained for "
        f"{int(params['epochs'])} epochs has a validation loss that bottoms out and then rises "
        f"(ending at least {RISE:g}x its best) while its training loss keeps falling (to at most "
        f"half its value at the best epoch); early stopping with patience "
        f"{int(params['patience'])} stops and picks that best epoch, and the train-validation "
        "gap is larger at the end than there."
    )


def judge(n: dict[str, float], params: dict[str, Any], summary: str) -> Verdict:
    """Preconditions first, then each part of the claim with its floor."""
    claim = claim_for(params)
    rise = n["val_loss_end"] / n["val_loss_best"]
    fell = n["val_loss_best"] <= 0.9 * n["val_loss_first"]
    shape = 1 if rise >= RISE else (0 if fell else 2)
    diff = n["test_acc_best"] - n["test_acc_end"]
    answers = {
        "val_shape": float(shape),
        "test_acc": float(2 if abs(diff) <= 0.01 else (1 if diff > 0 else 0)),
    }
    if float(params["label_noise"]) <= 0:
        reason = "label_noise is 0: the claim is about memorising wrong labels"
    elif int(params["epochs"]) <= int(params["patience"]):
        reason = (
            f"{int(params['epochs'])} epochs are not more than the patience "
            f"{int(params['patience'])}: early stopping cannot trigger"
        )
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, summary, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "early stopping stopped": n["stopped"] == 1.0,
        f"val loss ends >= {RISE:g}x its best": rise >= RISE,
        "train loss ends <= half its value at the best epoch": n["train_loss_end"]
        <= 0.5 * n["train_loss_best"],
        "gap larger at the end": n["gap_end"] > n["gap_best"],
        "trained every epoch": n["epochs"] == int(params["epochs"]),
    }
    return Verdict.from_checks(checks, n, summary, claim=claim, caveats=CAVEATS, answers=answers)


def corrupt(y: torch.Tensor, frac: float, gen: torch.Generator) -> torch.Tensor:
    """Replace a fraction `frac` of the labels by a different, random class."""
    y = y.clone()
    flip = (torch.rand(len(y), generator=gen) < frac).to(y.device)
    shift = torch.randint(1, 10, (len(y),), generator=gen).to(y.device)
    y[flip] = (y[flip] + shift[flip]) % 10
    return y


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart("loss", x="epoch", y="cross-entropy (nats)", series=["train_loss", "val_loss"])
    seed = int(params["seed"])
    n_train, n_val = int(params["n_train"]), int(params["n_val"])
    epochs, patience, batch = int(params["epochs"]), int(params["patience"]), int(params["batch"])
    noise = float(params["label_noise"])
    seed_everything(seed)
    gen = torch.Generator().manual_seed(seed)
    x, y, x_test, y_test = load_digits(device, n_train=n_train + n_val, seed=seed)
    x_tr, x_val = x[:n_train], x[n_train:]
    y_tr, y_val = corrupt(y[:n_train], noise, gen), corrupt(y[n_train:], noise, gen)
    wrong = float((y_tr != y[:n_train]).float().mean())

    torch.manual_seed(seed)
    h = int(params["hidden"])
    net = nn.Sequential(nn.Linear(64, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 10))
    net = net.to(device)
    opt = torch.optim.Adam(net.parameters(), lr=float(params["lr"]))

    def evaluate() -> tuple[float, float, float]:
        with torch.no_grad():
            tl = float(F.cross_entropy(net(x_tr), y_tr))
            vl = float(F.cross_entropy(net(x_val), y_val))
            acc = float((net(x_test).argmax(1) == y_test).float().mean())
        return tl, vl, acc

    hist: list[tuple[float, float, float]] = []
    best_epoch, best_val, best_state = 0, float("inf"), None
    stop_epoch: int | None = None
    for epoch in range(1, epochs + 1):
        if report.cancelled:
            break
        perm = torch.randperm(n_train, generator=gen).to(device)
        for i in range(0, n_train, batch):
            idx = perm[i : i + batch]
            loss = F.cross_entropy(net(x_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        tl, vl, acc = evaluate()
        hist.append((tl, vl, acc))
        report.metric(epoch, train_loss=tl, val_loss=vl)
        report.progress(epoch, epochs)
        if stop_epoch is None:
            if vl < best_val:
                best_epoch, best_val = epoch, vl
                best_state = copy.deepcopy(net.state_dict())
            elif epoch - best_epoch >= patience:
                stop_epoch = epoch
                report.log(
                    f"early stopping triggers at epoch {epoch}: no better validation loss for "
                    f"{patience} epochs; it restores epoch {best_epoch} (kept training to show "
                    "what happens next)"
                )
    done = len(hist)
    if done == 0:
        return Verdict(False, {"epochs": 0.0}, "cancelled before the first epoch")

    end_tl, end_vl, end_acc = hist[-1]
    b_tl, b_vl, _ = hist[best_epoch - 1]
    gap_best, gap_end = b_vl - b_tl, end_vl - end_tl
    # the model early stopping hands back: the restored best weights
    end_state = copy.deepcopy(net.state_dict())
    if best_state is not None:
        net.load_state_dict(best_state)
    _, _, restored_acc = evaluate()
    net.load_state_dict(end_state)

    picks = sorted(
        {1, max(1, best_epoch // 2), best_epoch, stop_epoch or done, (best_epoch + done) // 2, done}
    )
    report.table(
        "losses at selected epochs (val labels are as noisy as the training labels)",
        [
            {
                "epoch": e,
                "train_loss": hist[e - 1][0],
                "val_loss": hist[e - 1][1],
                "gap": hist[e - 1][1] - hist[e - 1][0],
                "clean_test_acc": hist[e - 1][2],
                "note": "best (restored)"
                if e == best_epoch
                else ("stop" if e == stop_epoch else ("end" if e == done else "")),
            }
            for e in picks
        ],
    )
    report.log(
        f"{wrong:.0%} of the {n_train} training labels are wrong. Fitting them too drives the "
        f"training loss towards 0: {b_tl:.3f} at the best epoch, {end_tl:.3f} at the end."
    )
    stopped = stop_epoch is not None
    summary = (
        f"early stopping (patience {patience}) picks epoch {best_epoch} of {done}: val loss "
        f"{b_vl:.2f} vs {end_vl:.2f} at the end; train loss {b_tl:.3f} -> {end_tl:.3f}; "
        f"train-val gap {gap_best:.2f} -> {gap_end:.2f}; clean test acc {restored_acc:.0%} "
        f"(restored) vs {end_acc:.0%} (end)"
    )
    if not stopped:
        summary += f" - patience never ran out within {done} epochs, so nothing was stopped"
    numbers = {
        "best_epoch": float(best_epoch),
        "stop_epoch": float(stop_epoch) if stopped else float("nan"),
        "stopped": float(stopped),
        "epochs": float(done),
        "val_loss_first": hist[0][1],
        "val_loss_best": b_vl,
        "val_loss_end": end_vl,
        "train_loss_best": b_tl,
        "train_loss_end": end_tl,
        "gap_best": gap_best,
        "gap_end": gap_end,
        "test_acc_best": restored_acc,
        "test_acc_end": end_acc,
        "wrong_label_fraction": wrong,
    }
    return judge(numbers, params, summary)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

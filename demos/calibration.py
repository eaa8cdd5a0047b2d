"""Calibration of an over-trained classifier, and temperature scaling (Guo et al. 2017).

A net trained far past zero training loss becomes over-confident: among test images it gives
~99% confidence, noticeably fewer than 99% are right. The reliability diagram bins test
predictions by confidence and compares each bin's mean confidence with its accuracy; the expected
calibration error (ECE) is the count-weighted mean gap. Temperature scaling divides the logits by
one scalar T > 0, fitted on a held-out validation split by minimising the NLL (LBFGS on log T).
Dividing by T never changes which class has the largest logit, so accuracy is unchanged.

Conditions: the digits get Gaussian pixel noise (param `noise`, default 0.3) so that the task is
hard enough (about 80% test accuracy) for over-confidence to show, as on real data sets. On clean
digits (noise=0, ~95% accuracy) the net is only mildly over-confident (test ECE ~0.03); temperature
scaling then usually still helps a little, but not always: T minimises validation NLL, not ECE,
and an ECE of 0.02-0.03 on ~900 test images is within its own sampling noise.

The claim is about an over-confident net, so it applies only when the net is one: its mean
test confidence exceeds its test accuracy by at least `MIN_OVERCONFIDENCE` and the fitted
T > 1.  A briefly trained net (epochs=3) is under-confident (T < 1); temperature scaling then
raises the confidence, which says nothing about the claim.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import expected_calibration_error, load_digits, reliability_bins, reliability_image

MIN_OVERCONFIDENCE = 0.02  # mean confidence - accuracy on the test split
ECE_FLOOR = 0.75  # "lowers the ECE": at most 3/4 of it is left
CAVEATS = (
    "T is fitted to minimise the validation NLL, not the ECE; on a nearly calibrated net it "
    "can leave the ECE where it was.",
    "An ECE of 0.02-0.03 on ~900 test images is within its own sampling noise, and it depends "
    "on the number of bins.",
)

INFO = DemoInfo(
    name="calibration",
    title_en="Calibration: reliability diagram, ECE and temperature scaling",
    title_ko="보정(calibration): 신뢰도 도표, ECE, 온도 스케일링",
    concept="calibration / temperature scaling",
    claim=(
        "An over-trained MLP on noisy 8x8 digits is over-confident; temperature scaling fitted "
        "on a validation split (T > 1) lowers the test ECE by at least a quarter and leaves "
        "test accuracy exactly unchanged, because dividing logits by T does not change their "
        "argmax."
    ),
    params=(
        Param(
            "epochs",
            150,
            "full-batch training epochs (far past zero training error)",
            min=1,
            max=5000,
            quick=60,
        ),
        Param("hidden", 256, "hidden units per layer", min=8, max=2048),
        Param("lr", 0.003, "Adam learning rate", min=1e-5, max=0.1),
        Param(
            "n_train",
            500,
            "training images (the rest is split into validation and test)",
            min=50,
            max=1200,
        ),
        Param("n_val", 400, "validation images used to fit the temperature", min=50, max=1000),
        Param(
            "noise",
            0.3,
            "std of the Gaussian pixel noise added to every image (pixels are "
            "0..1); makes the task harder, like a real data set",
            min=0.0,
            max=2.0,
        ),
        Param("bins", 10, "confidence bins of the reliability diagram / ECE", min=2, max=50),
        Param("seed", 0, "random seed", min=0, max=2147483647),
    ),
    cards=(
        "uncertainty/calibration-def",
        "uncertainty/calibration-cloze",
        "uncertainty/modern-nets-overconfident",
        "uncertainty/overconfidence-causes",
        "uncertainty/reliability-diagram",
        "uncertainty/ece-formula",
        "uncertainty/ece-numeric",
        "uncertainty/temperature-scaling",
        "uncertainty/temperature-keeps-accuracy",
        "uncertainty/temperature-numeric",
        "uncertainty/temperature-direction",
        "uncertainty/max-softmax",
    ),
    predictions=(
        Prediction(
            "confidence",
            "After training far past zero training error, how does the net's mean confidence on "
            "the test images compare with its test accuracy?",
            "훈련 오차가 0이 된 뒤에도 오래 학습하면, 테스트 이미지에서 신경망의 평균 확신도는 "
            "테스트 정확도와 비교해 어떤가?",
            options_en=(
                "lower: under-confident",
                "higher: over-confident",
                "about equal (within 2 points): calibrated",
            ),
            options_ko=(
                "더 낮다: 과소 확신",
                "더 높다: 과신",
                "거의 같다 (2 %p 이내): 보정됨",
            ),
            card="uncertainty/modern-nets-overconfident",
        ),
        Prediction(
            "accuracy_after",
            "What does temperature scaling do to the test accuracy?",
            "온도 스케일링은 테스트 정확도를 어떻게 바꾸는가?",
            options_en=("leaves it exactly unchanged", "raises it", "lowers it"),
            options_ko=("정확히 그대로 둔다", "높인다", "낮춘다"),
            card="uncertainty/temperature-keeps-accuracy",
        ),
        Prediction(
            "temperature",
            "Which temperature T will the fit on the validation split find?",
            "검증 세트에 맞춘 온도 T는?",
            options_en=("T < 1 (sharpen)", "T = 1 (within 5 %)", "T > 1 (soften)"),
            options_ko=("T < 1 (더 뾰족하게)", "T = 1 (5 % 이내)", "T > 1 (더 부드럽게)"),
            card="uncertainty/temperature-direction",
        ),
    ),
)


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The T > 0 minimising the NLL of softmax(logits / T); LBFGS on log T, starting at T = 1."""
    log_t = torch.zeros(1, device=logits.device, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.5, max_iter=100, line_search_fn="strong_wolfe")
    logits = logits.detach()

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.detach().exp())


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart("loss", x="epoch", y="NLL (nats per image)", series=["train_nll", "val_nll"])
    report.chart("validation error", x="epoch", y="error rate (fraction)", series=["val_error"])
    seed = int(params["seed"])
    seed_everything(seed)
    n_train, n_val, bins = int(params["n_train"]), int(params["n_val"]), int(params["bins"])
    # pixels in 0..1; per-pixel standardising would blow up pixels that are ~always 0 in train
    x_tr, y_tr, x_rest, y_rest = load_digits(device, n_train=n_train, seed=seed, standardize=False)
    n_val = min(n_val, len(x_rest) - 50)
    g = torch.Generator().manual_seed(seed)
    noise = float(params["noise"])
    x_tr = x_tr + noise * torch.randn(x_tr.shape, generator=g).to(device)
    x_rest = x_rest + noise * torch.randn(x_rest.shape, generator=g).to(device)
    x_val, y_val, x_te, y_te = x_rest[:n_val], y_rest[:n_val], x_rest[n_val:], y_rest[n_val:]
    report.log(f"digits: {len(x_tr)} train, {len(x_val)} validation, {len(x_te)} test images")

    hidden = int(params["hidden"])
    model = nn.Sequential(
        nn.Linear(64, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 10),
    ).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=float(params["lr"]))
    epochs = int(params["epochs"])
    ce = nn.functional.cross_entropy
    every = max(1, epochs // 40)
    done = 0
    for epoch in range(1, epochs + 1):
        model.train()
        loss = ce(model(x_tr), y_tr)
        opt.zero_grad()
        loss.backward()
        opt.step()
        done = epoch
        if epoch % every == 0 or epoch == epochs:
            with torch.no_grad():
                val_logits = model(x_val)
                val_nll = float(ce(val_logits, y_val))
                val_err = float((val_logits.argmax(1) != y_val).float().mean())
            report.metric(epoch, train_nll=float(loss.detach()), val_nll=val_nll, val_error=val_err)
            report.progress(epoch, epochs)
            if report.cancelled:
                break

    model.eval()
    with torch.no_grad():
        val_logits, test_logits = model(x_val), model(x_te)
        train_acc = float((model(x_tr).argmax(1) == y_tr).float().mean())
    T = fit_temperature(val_logits, y_val)

    def evaluate(logits: torch.Tensor) -> tuple[float, float, float, list[dict[str, Any]]]:
        probs = torch.softmax(logits, dim=1)
        conf, pred = probs.max(1)
        correct = (pred == y_te).cpu().numpy()
        conf_np = conf.cpu().numpy()
        nll = float(ce(logits, y_te))
        return (
            float(correct.mean()),
            expected_calibration_error(conf_np, correct, bins),
            nll,
            reliability_bins(conf_np, correct, bins),
        )

    acc0, ece0, nll0, rows0 = evaluate(test_logits)
    acc1, ece1, nll1, rows1 = evaluate(test_logits / T)
    same_pred = bool(torch.equal(test_logits.argmax(1), (test_logits / T).argmax(1)))
    with torch.no_grad():
        mean_conf0 = float(torch.softmax(test_logits, 1).max(1).values.mean())
        mean_conf1 = float(torch.softmax(test_logits / T, 1).max(1).values.mean())

    table = []
    for r0, r1 in zip(rows0, rows1, strict=True):
        table.append(
            {
                "confidence_bin": f"{r0['lo']:.1f}-{r0['hi']:.1f}",
                "n_before": r0["count"],
                "conf_before": r0["confidence"] if r0["count"] else None,
                "acc_before": r0["accuracy"] if r0["count"] else None,
                "n_after": r1["count"],
                "conf_after": r1["confidence"] if r1["count"] else None,
                "acc_after": r1["accuracy"] if r1["count"] else None,
            }
        )
    report.table("reliability_diagram_test", table)
    img0, img1 = reliability_image(rows0), reliability_image(rows1)
    gap = np.full((img0.shape[0], 2, 3), 0.5)
    report.image(
        "reliability_diagrams",
        np.concatenate([img0, gap, img1], axis=1),
        caption=f"test reliability before (left) / after (right) temperature scaling "
        f"T={T:.2f}: blue = accuracy per confidence bin, red = gap to the bin's "
        f"mean confidence, white = perfect calibration",
    )
    report.table(
        "summary_test",
        [
            {
                "model": "before (T=1)",
                "accuracy": acc0,
                "ece": ece0,
                "nll": nll0,
                "mean_confidence": mean_conf0,
            },
            {
                "model": f"after (T={T:.3f})",
                "accuracy": acc1,
                "ece": ece1,
                "nll": nll1,
                "mean_confidence": mean_conf1,
            },
        ],
    )

    summary = (
        f"test ECE {ece0:.3f} -> {ece1:.3f} (need <= {ECE_FLOOR * ece0:.3f}) with T={T:.2f} "
        f"(fitted on validation), accuracy {acc0:.3f} -> {acc1:.3f}, "
        f"mean confidence {mean_conf0:.3f} -> {mean_conf1:.3f}"
    )
    numbers = {
        "temperature": T,
        "ece_before": ece0,
        "ece_after": ece1,
        "acc_before": acc0,
        "acc_after": acc1,
        "overconfidence_before": mean_conf0 - acc0,
        "nll_before": nll0,
        "nll_after": nll1,
        "mean_conf_before": mean_conf0,
        "mean_conf_after": mean_conf1,
        "train_acc": train_acc,
        "epochs": float(done),
    }
    over = mean_conf0 - acc0
    answers = {
        "confidence": float(1 if over >= MIN_OVERCONFIDENCE else (0 if over <= -0.02 else 2)),
        "accuracy_after": float(0 if acc1 == acc0 else (1 if acc1 > acc0 else 2)),
        "temperature": float(1 if abs(T - 1) <= 0.05 else (2 if T > 1 else 0)),
    }
    claim = (
        f"An MLP trained for {epochs} epochs on 8x8 digits with pixel noise {noise:g} is "
        f"over-confident; temperature scaling fitted on {n_val} validation images (T > 1) "
        "lowers the test ECE by at least a quarter and leaves test accuracy exactly unchanged, "
        "because dividing logits by T does not change their argmax."
    )
    if mean_conf0 - acc0 < MIN_OVERCONFIDENCE or T <= 1.0:
        return Verdict.does_not_apply(
            f"the net is not over-confident: mean test confidence {mean_conf0:.3f} vs accuracy "
            f"{acc0:.3f} (need confidence >= accuracy + {MIN_OVERCONFIDENCE:g}) and the fitted "
            f"T = {T:.2f} (need > 1)",
            numbers,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    holds = bool(done == epochs and ece1 <= ECE_FLOOR * ece0 and acc1 == acc0 and same_pred)
    return Verdict(holds, numbers, summary, claim=claim, caveats=CAVEATS, answers=answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

"""Label smoothing and mixup lower over-confidence; they do not always improve calibration.

Three copies of the same MLP (same initial weights, same minibatches) are trained on the 8x8
digits:

* plain          - cross-entropy on one-hot labels;
* label smoothing - the target puts 1 - eps on the true class and eps / K on every class
                    (Szegedy et al. 2016);
* mixup          - each minibatch is blended with a shuffled copy of itself,
                    x = lam x_i + (1 - lam) x_j, and the loss is blended the same way
                    (Zhang et al. 2018), lam ~ Beta(alpha, alpha).

On held-out digits we report the mean max-softmax probability ("confidence"), the accuracy,
their difference (over-confidence when positive) and the expected calibration error
(ECE: count-weighted mean |confidence - accuracy| over 10 equal-width confidence bins), with a
reliability diagram per method.

Honest caveats (Wen et al., ICLR 2021; Mueller et al. 2019): both methods push confidence
*down*. When the plain net is over-confident that also lowers the ECE; when the plain net is
already close to calibrated, or under-confident (small nets, little training), pushing
confidence down makes it under-confident and the ECE goes *up* (a measured run on the digits
went from ECE 0.019 to 0.133 with smoothing). Whether the ECE improved or worsened is reported,
not assumed.

Lowering the confidence is guaranteed by the smoothed targets, so the claim is about
over-confidence: it applies only when the plain net is over-confident (mean confidence at
least `MIN_OVERCONFIDENCE` above its accuracy); the pixel noise (param `noise`) makes the task
hard enough for that.  Each method must then cut the over-confidence (confidence - accuracy,
or 0 once below) to at most half of the plain net's, and lower the confidence by at least
`MIN_CONF_DROP`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import expected_calibration_error, load_digits, reliability_bins, reliability_image

INFO = DemoInfo(
    name="label_smoothing",
    title_en="Label smoothing and mixup reduce over-confidence",
    title_ko="레이블 스무딩과 믹스업은 과신을 줄인다",
    concept="label smoothing, mixup, calibration (ECE, reliability diagram)",
    claim=(
        "On held-out noisy digits where a plain MLP is over-confident, an MLP trained with label "
        "smoothing and one trained with mixup each have at most half its over-confidence (mean "
        "max-softmax confidence minus accuracy) and a lower mean confidence; their expected "
        "calibration error can go either way and is only reported."
    ),
    params=(
        Param(
            "n_train", 600, "training digits (the rest of the 1797 are held out)", min=50, max=1500
        ),
        Param("hidden", 128, "units in the hidden layer", min=8, max=2048),
        Param("epochs", 20, "passes over the training set", min=1, max=2000, quick=8),
        Param("batch", 32, "minibatch size", min=4, max=1500),
        Param("lr", 0.002, "Adam learning rate", min=1e-5, max=1.0, quick=0.006),
        Param("smoothing", 0.1, "label-smoothing eps", min=0.0, max=0.9),
        Param("mixup_alpha", 0.4, "mixup Beta(alpha, alpha) parameter", min=0.01, max=10.0),
        Param(
            "noise",
            1.0,
            "std of the Gaussian pixel noise added to every image (standardised pixels); "
            "makes the task harder, so that a plain net becomes over-confident",
            min=0.0,
            max=3.0,
        ),
        Param("bins", 10, "confidence bins for ECE and the reliability diagram", min=2, max=50),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "regularization/label-smoothing-formula",
        "regularization/label-smoothing-numeric",
        "regularization/label-smoothing-why",
        "regularization/mixup-formula",
        "regularization/mixup-numeric",
        "regularization/cutmix-def",
        "regularization/cutmix-numeric",
        "regularization/mixing-methods-labels",
        "regularization/mix-methods-reversed",
    ),
    predictions=(
        Prediction(
            id="confidence",
            prompt_en="On held-out digits, how does the label-smoothing net's mean confidence "
            "(max softmax probability) compare with the plain net's?",
            prompt_ko="검증 숫자에서 레이블 스무딩 신경망의 평균 확신도(최대 softmax 확률)는 일반 "
            "신경망과 비교해 어떤가?",
            options_en=(
                "Higher",
                "About the same (within 0.02)",
                "Lower by at least 0.02",
            ),
            options_ko=(
                "더 높다",
                "거의 같다 (0.02 이내)",
                "0.02 이상 낮다",
            ),
            card="regularization/label-smoothing-why",
        ),
        Prediction(
            id="ece",
            prompt_en="Does label smoothing lower the expected calibration error (ECE) in this "
            "run?",
            prompt_ko="이 실행에서 레이블 스무딩은 기대 보정 오차(ECE)를 낮추는가?",
            options_en=("Yes, the ECE falls", "No, the ECE rises"),
            options_ko=("예, ECE가 내려간다", "아니요, ECE가 올라간다"),
            card="regularization/label-smoothing-why",
        ),
    ),
)

METHODS = ("plain", "label_smoothing", "mixup")
MIN_OVERCONFIDENCE = 0.01  # the plain net's confidence - accuracy
MIN_CONF_DROP = 0.02
CAVEATS = (
    "Both methods push confidence down whether or not the net was over-confident: past the "
    "point of calibration they make it under-confident and the ECE rises (Wen et al. 2021).",
    "Over-confidence here comes from pixel noise on small digits; on clean digits the plain net "
    "is about calibrated and the claim does not apply.",
)


def _mlp(hidden: int) -> nn.Module:
    return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "held-out confidence",
        x="epoch",
        y="mean max-softmax / accuracy (fraction)",
        series=[
            "plain_confidence",
            "label_smoothing_confidence",
            "mixup_confidence",
            "plain_accuracy",
        ],
        log_y=False,
    )
    seed, epochs, bs = int(params["seed"]), int(params["epochs"]), int(params["batch"])
    n_bins, eps = int(params["bins"]), float(params["smoothing"])
    alpha = float(params["mixup_alpha"])
    seed_everything(seed)
    xtr, ytr, xte, yte = load_digits(device, n_train=int(params["n_train"]), seed=seed)
    noise = float(params["noise"])
    g_noise = torch.Generator().manual_seed(seed + 1)
    xtr = xtr + noise * torch.randn(xtr.shape, generator=g_noise).to(device)
    xte = xte + noise * torch.randn(xte.shape, generator=g_noise).to(device)
    n = len(xtr)
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)

    nets, opts = {}, {}
    for m in METHODS:
        torch.manual_seed(seed)
        nets[m] = _mlp(int(params["hidden"])).to(device)
        opts[m] = torch.optim.Adam(nets[m].parameters(), lr=float(params["lr"]))

    def step_loss(m: str, xb: torch.Tensor, yb: torch.Tensor, mix: tuple) -> torch.Tensor:
        if m == "plain":
            return F.cross_entropy(nets[m](xb), yb)
        if m == "label_smoothing":
            return F.cross_entropy(nets[m](xb), yb, label_smoothing=eps)
        lam, perm = mix
        xm = lam[:, None] * xb + (1 - lam[:, None]) * xb[perm]
        logp = F.log_softmax(nets[m](xm), 1)
        nll_a = -logp.gather(1, yb[:, None]).squeeze(1)
        nll_b = -logp.gather(1, yb[perm][:, None]).squeeze(1)
        return (lam * nll_a + (1 - lam) * nll_b).mean()

    @torch.no_grad()
    def held_out(m: str) -> tuple[torch.Tensor, torch.Tensor]:
        prob = F.softmax(nets[m](xte), 1)
        conf, pred = prob.max(1)
        return conf.cpu(), (pred == yte).float().cpu()

    steps_per_epoch = max(1, n // bs)
    for epoch in range(1, epochs + 1):
        if report.cancelled:
            break
        perm_e = torch.randperm(n, generator=gen).to(device)
        for i in range(steps_per_epoch):
            idx = perm_e[i * bs : (i + 1) * bs]
            xb, yb = xtr[idx], ytr[idx]
            lam = torch.tensor(rng.beta(alpha, alpha, size=len(idx)), dtype=xb.dtype).to(device)
            mix = (lam, torch.randperm(len(idx), generator=gen).to(device))
            for m in METHODS:
                loss = step_loss(m, xb, yb, mix)
                opts[m].zero_grad(set_to_none=True)
                loss.backward()
                opts[m].step()
        vals = {}
        for m in METHODS:
            conf, corr = held_out(m)
            vals[f"{m}_confidence"] = float(conf.mean())
        vals["plain_accuracy"] = float(held_out("plain")[1].mean())
        report.metric(epoch, **vals)
        report.progress(epoch, epochs)

    res, diagrams = {}, []
    for m in METHODS:
        conf, corr = held_out(m)
        rows = reliability_bins(conf.numpy(), corr.numpy(), n_bins)
        res[m] = {
            "confidence": float(conf.mean()),
            "accuracy": float(corr.mean()),
            "ece": expected_calibration_error(conf.numpy(), corr.numpy(), n_bins),
        }
        res[m]["overconfidence"] = res[m]["confidence"] - res[m]["accuracy"]
        report.table(
            f"reliability diagram: {m}",
            [
                {
                    "bin": f"{r['lo']:.1f}-{r['hi']:.1f}",
                    "count": r["count"],
                    "mean confidence": r["confidence"],
                    "accuracy": r["accuracy"],
                    "conf - acc": r["gap"],
                }
                for r in rows
                if r["count"]
            ],
        )
        diagrams.append(reliability_image(rows, height=24, bar_width=2))

    report.table(
        "held-out calibration",
        [
            {
                "method": m,
                "accuracy": r["accuracy"],
                "mean confidence": r["confidence"],
                "confidence - accuracy": r["overconfidence"],
                "ECE": r["ece"],
                "ECE vs plain": "-"
                if m == "plain"
                else ("better" if r["ece"] < res["plain"]["ece"] else "WORSE"),
            }
            for m, r in res.items()
        ],
    )
    sep = np.full((diagrams[0].shape[0], 2, 3), 0.5)
    img = np.concatenate([diagrams[0], sep, diagrams[1], sep, diagrams[2]], 1)
    report.image(
        "reliability",
        img,
        caption="reliability diagrams, left to right: plain, label smoothing, mixup. "
        "Blue bar = accuracy in the confidence bin, red = gap to the bin's mean "
        "confidence, white tick = perfect calibration",
    )

    p = res["plain"]
    over_p = p["overconfidence"]
    checks = {}
    for m in METHODS[1:]:
        checks[f"{m}_lowers_confidence"] = res[m]["confidence"] <= p["confidence"] - MIN_CONF_DROP
        checks[f"{m}_halves_overconfidence"] = max(0.0, res[m]["overconfidence"]) <= 0.5 * over_p
    numbers = {f"{m}_{k}": v for m, r in res.items() for k, v in r.items()}
    numbers.update({k: float(v) for k, v in checks.items()})
    for m in METHODS[1:]:
        numbers[f"{m}_ece_improved"] = float(res[m]["ece"] < p["ece"])
    state = "over" if over_p > 0 else "under"
    ece_words = "; ".join(
        f"ECE {'improves' if res[m]['ece'] < p['ece'] else 'WORSENS'} with "
        f"{m.replace('_', ' ')} ({p['ece']:.3f} -> {res[m]['ece']:.3f})"
        for m in METHODS[1:]
    )
    summary = (
        f"plain net: confidence {p['confidence']:.3f}, accuracy {p['accuracy']:.3f} "
        f"({state}-confident by {abs(over_p) * 100:.1f} points); confidence - accuracy with "
        f"smoothing {res['label_smoothing']['overconfidence'] * 100:+.1f}, mixup "
        f"{res['mixup']['overconfidence'] * 100:+.1f} points; {ece_words}"
    )
    report.log(
        "The plain net is " + state + "-confident by "
        f"{abs(over_p) * 100:.1f} points; lowering confidence helps calibration "
        "only while a net is over-confident."
    )
    drop = p["confidence"] - res["label_smoothing"]["confidence"]
    answers = {
        "confidence": 2 if drop >= MIN_CONF_DROP else (0 if drop < -MIN_CONF_DROP else 1),
        "ece": 0 if res["label_smoothing"]["ece"] < p["ece"] else 1,
    }
    claim = (
        f"On held-out digits with pixel noise {float(params['noise']):g}, where a plain MLP "
        f"trained {epochs} epochs is over-confident, label smoothing (eps={eps:g}) and mixup "
        f"(alpha={alpha:g}) each leave at most half its over-confidence (confidence - accuracy) "
        f"and lower the mean confidence by at least {MIN_CONF_DROP:g}; the ECE is only reported."
    )
    if over_p < MIN_OVERCONFIDENCE:
        return Verdict.does_not_apply(
            f"the plain net is not over-confident: mean confidence {p['confidence']:.3f} vs "
            f"accuracy {p['accuracy']:.3f} (need confidence >= accuracy + "
            f"{MIN_OVERCONFIDENCE:g}); there is no over-confidence to reduce",
            numbers,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    holds = all(checks.values()) and not report.cancelled
    return Verdict(holds, numbers, summary, claim=claim, caveats=CAVEATS, answers=answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

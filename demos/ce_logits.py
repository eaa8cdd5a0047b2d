"""Cross-entropy takes logits; and sigmoid vs ReLU gradient flow through depth.

1. ``nn.CrossEntropyLoss`` applies log-softmax itself, so it must get raw logits z.  Feeding
   it softmax(z) applies softmax twice: the inputs of the inner log-softmax are squeezed into
   [0, 1], the predicted distribution can never be confident (its loss is at least
   log(e + K - 1) - 1 even for a perfect one-hot), and the gradient reaching z is multiplied
   by the softmax Jacobian diag(p) - p p^T, which is small.  The demo trains the same MLP
   (same initial weights, full batch, plain SGD, same lr) on 10 Gaussian blobs once with
   ``CrossEntropyLoss(z)`` and once with ``CrossEntropyLoss(softmax(z))`` and compares the
   gradient at the logits at the start and the real cross-entropy (on z) and accuracy after
   ``steps`` steps.
2. Sigmoid vs ReLU through depth: two ``depth``-layer MLPs with the *same* He-initialised
   weights, one with sigmoid and one with ReLU, one backward pass; the norm of the gradient
   with respect to each hidden layer's pre-activations (per sample).  The sigmoid's slope is
   at most 1/4, so the gradient shrinks by a constant factor per layer on the way back;
   ReLU's slope is 1 on active units, and with He init the gradient keeps its size.

Preconditions (else "does not apply"): the logits net learns the task (>= 90 % training
accuracy), so "slower" compares two runs that both had a chance; depth >= 4.

Honest caveats:
* "slower" is at the same lr and step budget: a larger lr (or Adam, which rescales gradients)
  closes much of the gap in accuracy, but the double softmax still cannot express confidence.
* the ReLU net keeps its gradient because of He initialisation; with PyTorch's default
  Linear init both nets' gradients shrink with depth, the sigmoid's far faster.
* ReLU units can die (zero gradient forever); this one backward pass does not show that.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="ce_logits",
    title_en="Cross-entropy on logits, not on softmax; sigmoid vs ReLU gradient flow",
    title_ko="Cross-entropy는 softmax가 아니라 logit에; sigmoid vs ReLU gradient 흐름",
    concept="cross-entropy on logits and activation gradients",
    claim=(
        "CrossEntropyLoss on softmax outputs (a double softmax) passes at least 3x less "
        "gradient to the logits than on the logits, and after the same SGD steps its net's "
        "cross-entropy is at least 2x higher; with the same He-initialised weights, the "
        "gradient at the first hidden layer of a sigmoid MLP is at least 2^depth times smaller "
        "than at its last hidden layer, while a ReLU MLP keeps it within 10x."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param("steps", 150, "full-batch SGD steps of each classifier", min=10, max=3000, quick=100),
        Param("lr", 0.1, "SGD learning rate of both classifiers", min=1e-4, max=10.0),
        Param("classes", 10, "number of classes K", min=2, max=50),
        Param("depth", 10, "hidden layers of the sigmoid / ReLU MLPs", min=2, max=40),
    ),
    cards=(
        "peer-questions/crossentropy-takes-logits",
        "peer-questions/crossentropy-equivalence",
        "peer-questions/crossentropy-numeric",
        "peer-questions/nllloss-input",
        "history/sigmoid",
        "history/relu",
        "modern-cnn/relu-why",
        "modern-cnn/relu-vs-sigmoid-gradient",
    ),
    predictions=(
        Prediction(
            "lower_ce",
            "Same net, same SGD steps: one run passes the logits to CrossEntropyLoss, the other "
            "passes softmax(logits). Which ends with the lower cross-entropy?",
            "같은 신경망, 같은 SGD step: 한 번은 CrossEntropyLoss에 logit을, 한 번은 "
            "softmax(logit)을 넣는다. cross-entropy가 더 낮게 끝나는 쪽은?",
            options_en=(
                "the one given softmax outputs",
                "the one given logits",
                "about the same (within 25 %)",
            ),
            options_ko=(
                "softmax 출력을 넣은 쪽",
                "logit을 넣은 쪽",
                "거의 같다 (25 % 이내)",
            ),
            card="peer-questions/crossentropy-takes-logits",
        ),
        Prediction(
            "sigmoid_depth",
            "In a deep sigmoid MLP (10 hidden layers at the default settings), how does the "
            "gradient at the first hidden layer compare with the one at the last?",
            "깊은 sigmoid MLP(기본 설정에서 은닉층 10개)에서 첫 은닉층의 gradient는 마지막 "
            "은닉층의 gradient와 비교해 어떤가?",
            options_en=(
                "far smaller (at least 10x)",
                "about the same (within 10x)",
                "far larger (at least 10x)",
            ),
            options_ko=(
                "훨씬 작다 (10배 이상)",
                "비슷하다 (10배 이내)",
                "훨씬 크다 (10배 이상)",
            ),
            card="modern-cnn/relu-vs-sigmoid-gradient",
        ),
    ),
)

DIM = 20
N_SAMPLES = 1000
WIDTH = 64
CAVEATS = (
    "slower at the same lr and steps; a larger lr or Adam narrows the accuracy gap",
    "ReLU keeps its gradient with He init; with default init both shrink, sigmoid far faster",
)


def blobs(k: int, gen: torch.Generator, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    centers = torch.randn(k, DIM, generator=gen)
    y = torch.randint(0, k, (N_SAMPLES,), generator=gen)
    x = centers[y] + torch.randn(N_SAMPLES, DIM, generator=gen)
    return x.to(device), y.to(device)


def loss_of(z: torch.Tensor, y: torch.Tensor, double: bool) -> torch.Tensor:
    return F.cross_entropy(torch.softmax(z, -1) if double else z, y)


def train(
    double: bool, params: dict[str, Any], x: torch.Tensor, y: torch.Tensor
) -> tuple[nn.Module, float, list[float]]:
    """(net, mean |d loss / d z| per sample at the start, cross-entropy on z per step)."""
    torch.manual_seed(int(params["seed"]))  # the same initial weights for both runs
    net = nn.Sequential(nn.Linear(DIM, WIDTH), nn.ReLU(), nn.Linear(WIDTH, int(params["classes"])))
    net = net.to(x.device)
    opt = torch.optim.SGD(net.parameters(), lr=float(params["lr"]))
    start_grad, curve = math.nan, []
    for step in range(int(params["steps"])):
        z = net(x)
        if step == 0:
            zz = z.detach().requires_grad_(True)
            loss_of(zz, y, double).backward()
            assert zz.grad is not None
            start_grad = float(zz.grad.norm(dim=1).mean()) * len(y)  # per sample, not / N
        curve.append(float(F.cross_entropy(z.detach(), y)))
        opt.zero_grad()
        loss_of(z, y, double).backward()
        opt.step()
    return net, start_grad, curve


def layer_gradients(
    act: type[nn.Module], params: dict[str, Any], x: torch.Tensor, y: torch.Tensor
) -> list[float]:
    """|d loss / d z_l| for the pre-activations z_l of each hidden layer (mean over samples,
    one backward pass, He-initialised weights shared by both activations)."""
    gen = torch.Generator().manual_seed(int(params["seed"]) + 1)
    h, pre = x, []
    for i in range(int(params["depth"])):
        fan_in = DIM if i == 0 else WIDTH
        w = (torch.randn(WIDTH, fan_in, generator=gen) * math.sqrt(2 / fan_in)).to(x.device)
        w.requires_grad_(True)
        z = h @ w.T
        z.retain_grad()
        pre.append(z)
        h = act()(z)
    w_out = (torch.randn(int(params["classes"]), WIDTH, generator=gen) / math.sqrt(WIDTH)).to(
        x.device
    )
    F.cross_entropy(h @ w_out.T, y, reduction="sum").backward()
    return [float(z.grad.norm(dim=1).mean()) for z in pre if z.grad is not None]


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    depth = int(params["depth"])
    return (
        f"With {int(params['classes'])} classes, CrossEntropyLoss on softmax outputs (a double "
        "softmax) passes at least 3x less gradient to the logits than on the logits, and after "
        f"the same {int(params['steps'])} SGD steps at lr {float(params['lr']):g} its net's "
        "cross-entropy is at least 2x higher; with the same He-initialised weights, the "
        f"gradient at the first hidden layer of a {depth}-layer sigmoid MLP is at least "
        f"2^{depth} times smaller than at its last hidden layer, while a ReLU MLP keeps it "
        "within 10x."
    )


def answers_for(n: dict[str, float]) -> dict[str, float]:
    """The right answers to INFO.predictions from this run's numbers."""
    ce = n["double_ce"] / n["logits_ce"]
    lower = 1 if ce > 1.25 else (0 if ce < 0.8 else 2)
    shrink = n["sigmoid_shrink"]  # last / first hidden layer
    depth = 0 if shrink >= 10 else (2 if shrink <= 0.1 else 1)
    return {"lower_ce": float(lower), "sigmoid_depth": float(depth)}


def judge(n: dict[str, float], params: dict[str, Any]) -> Verdict:
    depth, claim = int(params["depth"]), claim_for(params)
    answers = answers_for(n)
    measured = (
        f"gradient at the logits {n['grad_ratio']:.3g}x smaller with softmax first; after "
        f"{int(n['steps'])} steps cross-entropy {n['logits_ce']:.3g} (logits) vs "
        f"{n['double_ce']:.3g} (double softmax), accuracy {n['logits_accuracy']:.0%} vs "
        f"{n['double_accuracy']:.0%}; last/first hidden-layer gradient over {depth} layers: "
        f"sigmoid {n['sigmoid_shrink']:.3g}x, ReLU {n['relu_shrink']:.3g}x"
    )
    if n["logits_accuracy"] < 0.9:
        reason = (
            f"the logits net reached only {n['logits_accuracy']:.0%} training accuracy "
            "(needs >= 90 %): give both more steps or a larger lr"
        )
    elif depth < 4:
        reason = f"depth {depth} is too shallow to show gradient flow through depth (>= 4)"
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "double softmax gradient >= 3x smaller": n["grad_ratio"] >= 3,
        "double softmax CE >= 2x higher": n["double_ce"] >= 2 * n["logits_ce"],
        "sigmoid shrinks >= 2^depth": n["sigmoid_shrink"] >= 2.0**depth,
        "ReLU within 10x": n["relu_shrink"] <= 10 and n["relu_shrink"] >= 0.1,
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers)


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    gen = torch.Generator().manual_seed(int(params["seed"]))
    k = int(params["classes"])
    x, y = blobs(k, gen, device)
    results = {}
    for i, double in enumerate((False, True)):
        if report.cancelled:
            break
        results[double] = train(double, params, x, y)
        report.progress(i + 1, 3)
    curves = {d: r[2] for d, r in results.items()}
    every = max(1, int(params["steps"]) // 50)
    report.chart(
        "cross-entropy",
        x="SGD step",
        y="cross-entropy on the logits (nats)",
        series=[f"cross-entropy on logits, trained {how}" for how in ("on logits", "on softmax")],
    )
    for s in range(0, int(params["steps"]), every):
        report.metric(
            s,
            **{
                f"cross-entropy on logits, trained {'on softmax' if d else 'on logits'}": c[s]
                for d, c in curves.items()
            },
        )
    n: dict[str, float] = {"steps": float(params["steps"])}
    with torch.no_grad():
        for double, (net, g0, _) in results.items():
            z = net(x)
            tag = "double" if double else "logits"
            n[f"{tag}_start_grad"] = g0
            n[f"{tag}_ce"] = float(F.cross_entropy(z, y))
            n[f"{tag}_accuracy"] = float((z.argmax(1) == y).float().mean())
            n[f"{tag}_own_loss"] = float(loss_of(z, y, double))
    n["grad_ratio"] = n["logits_start_grad"] / n["double_start_grad"]
    n["double_loss_floor"] = math.log(math.e + k - 1) - 1

    grads = {
        name: layer_gradients(act, params, x, y)
        for name, act in (("sigmoid", nn.Sigmoid), ("relu", nn.ReLU))
    }
    report.table(
        "|d loss / d z| per hidden layer (pre-activations; same He-initialised weights)",
        [
            {"layer": i + 1, "sigmoid": grads["sigmoid"][i], "ReLU": grads["relu"][i]}
            for i in range(len(grads["relu"]))
        ],
    )
    report.progress(3, 3)
    for name, g in grads.items():
        n[f"{name}_first_layer_grad"] = g[0]
        n[f"{name}_shrink"] = g[-1] / g[0]
    report.log(
        f"the double-softmax loss cannot fall below log(e + K - 1) - 1 = "
        f"{n['double_loss_floor']:.3g} for K = {k}; it ended at {n['double_own_loss']:.3g}"
    )
    return judge(n, params)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

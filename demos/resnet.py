"""Skip connections: a deep plain sigmoid MLP stalls at chance, the same net with h + f(h) trains.

Both nets have the same depth, width and initialisation (same seed); the only difference is
whether each hidden layer computes h <- sigmoid(W h + b) (plain) or h <- h + sigmoid(W h + b)
(residual). In the plain net the backward signal is multiplied by sigmoid'(.) <= 0.25 and W at
every layer, so after ~30 layers the gradient that reaches the first layer is vanishingly small
(it can underflow float32 to exactly 0); the identity path of the residual net carries it back
unchanged (He et al. 2016). Trained on the 8x8 digits with Adam, which rescales small gradients,
the plain net still cannot move: a gradient of 1e-30 carries no usable direction.

The claim's margins: the plain net's final training loss stays within `STALL_NATS` of the
chance loss ln 10; the residual net's falls below half of it (and below half the plain net's);
at the first step the plain net's first-layer gradient is at least `MIN_GRAD_RATIO` times
smaller than the residual net's.  Precondition (else "does not apply"): depth >= `MIN_DEPTH`:
a shallow plain net trains fine, and the claim is about deep ones.

Honest caveats:
* the plain net uses sigmoid, whose derivative is at most 0.25, and PyTorch's default init; with
  a careful init (He/Xavier), normalisation or ReLU much deeper plain nets train (VGG trained
  19 plain layers with careful initialisation).
* the degradation ResNets fixed in practice (a deeper plain CNN reaching a *higher* training
  error than a shallower one) is milder than this stall; the demo shows the extreme case.
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

INFO = DemoInfo(
    name="resnet",
    title_en="Skip connections let deep networks train",
    title_ko="스킵 연결은 깊은 신경망을 학습 가능하게 한다",
    concept="skip connections / residual learning",
    claim=(
        "A 30-layer plain sigmoid MLP stays within 0.1 nats of chance-level loss on the digits "
        "because the gradient reaching its first layer is at least 1000x smaller than with skip "
        "connections, while the same net with skip connections (h + f(h)) trains to under half "
        "the chance loss."
    ),
    params=(
        Param("depth", 30, "number of hidden layers in both nets", min=1, max=200),
        Param("width", 64, "units per hidden layer", min=4, max=512),
        Param("steps", 300, "Adam steps (minibatches) per net", min=10, max=5000, quick=100),
        Param("lr", 0.001, "Adam learning rate", min=1e-5, max=1.0),
        Param("batch", 128, "minibatch size", min=8, max=1297),
        Param("activation", "sigmoid", "hidden activation", choices=("sigmoid", "tanh", "relu")),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "modern-cnn/resnet-degradation",
        "modern-cnn/resnet-degradation-not-overfitting",
        "modern-cnn/resnet-residual-formula",
        "modern-cnn/skip-connection-definition",
        "modern-cnn/resnet-projection-shortcut",
        "modern-cnn/resnet-identity-shortcut-params",
        "modern-cnn/resnet-bottleneck-order",
        "modern-cnn/resnet-depth-ilsvrc2015",
    ),
    predictions=(
        Prediction(
            id="plain_trains",
            prompt_en="Will the deep plain net's (no skips) training loss fall clearly below "
            "the chance level ln 10 = 2.30?",
            prompt_ko="스킵 연결이 없는 깊은 일반 신경망의 학습 손실이 우연 수준 ln 10 = 2.30보다 "
            "뚜렷이 내려갈까?",
            options_en=("No, it stays at chance", "Yes, it trains"),
            options_ko=("아니요, 우연 수준에 머문다", "예, 학습된다"),
            card="modern-cnn/resnet-degradation",
        ),
        Prediction(
            id="first_grad",
            prompt_en="At the first step, how large is the gradient reaching the plain net's "
            "first hidden layer, compared with the residual net's?",
            prompt_ko="첫 스텝에서 일반 신경망의 첫 은닉층에 도달하는 기울기는 잔차 신경망과 "
            "비교해 얼마나 큰가?",
            options_en=(
                "About the same (within 10x)",
                "10 to a million times smaller",
                "More than a million times smaller, or exactly 0",
            ),
            options_ko=(
                "비슷하다 (10배 이내)",
                "10배에서 100만 배 작다",
                "100만 배 넘게 작거나 정확히 0",
            ),
            card="modern-cnn/skip-connection-definition",
        ),
    ),
)

MIN_DEPTH = 10  # the claim is about deep nets
STALL_NATS = 0.1  # "stays at chance": final loss within this of ln 10
MIN_GRAD_RATIO = 1e3  # "almost no gradient reaches its first layers"
CAVEATS = (
    "Sigmoid (derivative <= 0.25) with PyTorch's default init is the extreme case: careful "
    "init, normalisation or ReLU let plain nets of a few dozen layers train.",
    "In practice deeper plain CNNs reach a higher training error than shallower ones "
    "(degradation) rather than not training at all: a milder effect than this stall.",
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"A {int(params['depth'])}-layer plain {params['activation']} MLP (width "
        f"{int(params['width'])}) stays within {STALL_NATS:g} nats of chance-level loss "
        f"(ln 10) on the digits after {int(params['steps'])} Adam steps, because the gradient "
        f"reaching its first layer is at least {MIN_GRAD_RATIO:g}x smaller than with skip "
        "connections, while the same net with skip connections (h + f(h)) trains to under "
        "half the chance loss."
    )


_ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


class DeepMLP(nn.Module):
    def __init__(self, depth: int, width: int, residual: bool, act: str) -> None:
        super().__init__()
        self.inp = nn.Linear(64, width)
        self.layers = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.out = nn.Linear(width, 10)
        self.residual = residual
        self.act = _ACTS[act]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.inp(x)
        for layer in self.layers:
            f = self.act(layer(h))
            h = h + f if self.residual else f
        return self.out(h)


def _layer_grad_norms(net: DeepMLP) -> list[float]:
    """Gradient norm of each hidden layer's weight matrix (index 0 = first hidden layer)."""
    return [float(layer.weight.grad.norm()) for layer in net.layers]


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "training loss", x="SGD step", y="training loss (nats)", series=["plain", "residual"]
    )
    seed = int(params["seed"])
    depth, width, steps = int(params["depth"]), int(params["width"]), int(params["steps"])
    seed_everything(seed)
    xtr, ytr, xte, yte = load_digits(device, seed=seed)
    chance = math.log(10.0)

    nets = {}
    for name in ("plain", "residual"):
        torch.manual_seed(seed)  # identical initial weights for both nets
        nets[name] = DeepMLP(depth, width, name == "residual", params["activation"]).to(device)
    opts = {k: torch.optim.Adam(n.parameters(), lr=float(params["lr"])) for k, n in nets.items()}

    gen = torch.Generator().manual_seed(seed)
    eval_every = max(1, steps // 30)
    first_grads: dict[str, list[float]] = {"plain": [], "residual": []}
    init_profile: dict[str, list[float]] = {}

    def full_loss(net: nn.Module) -> float:
        with torch.no_grad():
            return float(F.cross_entropy(net(xtr), ytr))

    report.metric(0, plain=full_loss(nets["plain"]), residual=full_loss(nets["residual"]))
    done = 0
    for step in range(1, steps + 1):
        if report.cancelled:
            break
        idx = torch.randint(0, len(xtr), (int(params["batch"]),), generator=gen).to(device)
        for name, net in nets.items():
            loss = F.cross_entropy(net(xtr[idx]), ytr[idx])
            opts[name].zero_grad()
            loss.backward()
            if step == 1:
                init_profile[name] = _layer_grad_norms(net)
            first_grads[name].append(float(net.layers[0].weight.grad.norm()))
            opts[name].step()
        done = step
        if step % eval_every == 0 or step == steps:
            report.metric(
                step, plain=full_loss(nets["plain"]), residual=full_loss(nets["residual"])
            )
            report.progress(step, steps)

    if done == 0:
        return Verdict(
            False, {"steps": 0.0}, "cancelled before the first step", claim=claim_for(params)
        )
    losses = {k: full_loss(n) for k, n in nets.items()}
    with torch.no_grad():
        accs = {k: float((n(xte).argmax(1) == yte).float().mean()) for k, n in nets.items()}
    g_plain0, g_res0 = init_profile["plain"][0], init_profile["residual"][0]
    g_plain_mean = sum(first_grads["plain"]) / max(1, len(first_grads["plain"]))
    g_res_mean = sum(first_grads["residual"]) / max(1, len(first_grads["residual"]))

    # gradient norm per layer at the first step: the vanishing gradient, layer by layer
    picks = sorted({0, depth // 4, depth // 2, (3 * depth) // 4, depth - 1})
    report.table(
        "gradient norm of each hidden layer's weights at step 1 (layer 1 = nearest the input)",
        [
            {
                "layer": i + 1,
                "plain": init_profile["plain"][i],
                "residual": init_profile["residual"][i],
            }
            for i in picks
        ],
    )
    floor = 1e-45
    rows = []
    for name in ("plain", "residual"):
        rows.append([math.log10(max(g, floor)) for g in init_profile[name]])
    report.image(
        "log10 gradient norm per layer",
        rows,
        caption="top: plain, bottom: residual; left = first hidden layer; bright = large gradient",
    )
    report.table(
        "result",
        [
            {
                "net": k,
                "train_loss": losses[k],
                "test_acc": accs[k],
                "first_layer_grad_step1": init_profile[k][0],
                "first_layer_grad_mean": g_plain_mean if k == "plain" else g_res_mean,
            }
            for k in ("plain", "residual")
        ],
    )
    if g_plain0 == 0.0:
        report.log("The plain net's first-layer gradient underflowed float32 to exactly 0.")

    grad_ratio = g_res0 / max(g_plain0, 1e-45)  # float32's smallest subnormal: 0 -> huge
    checks = {
        "plain stays at chance": losses["plain"] > chance - STALL_NATS,
        "residual under half of chance and of plain": losses["residual"] < 0.5 * chance
        and losses["residual"] < 0.5 * losses["plain"],
        f"first-layer gradient >= {MIN_GRAD_RATIO:g}x smaller": grad_ratio >= MIN_GRAD_RATIO,
        "all steps run": done == steps,
    }
    failed = [k for k, ok in checks.items() if not ok]
    summary = (
        f"after {done} steps at depth {depth}: plain loss {losses['plain']:.2f} "
        f"(chance {chance:.2f}, test acc {accs['plain']:.0%}) vs residual {losses['residual']:.2f} "
        f"(test acc {accs['residual']:.0%}); first-layer grad {g_plain0:.1e} vs {g_res0:.1e}"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    if not checks["plain stays at chance"]:
        summary += "; at this depth/setting the plain net still learns, so it has not stalled"
    numbers = {
        "plain_loss": losses["plain"],
        "residual_loss": losses["residual"],
        "chance_loss": chance,
        "plain_test_acc": accs["plain"],
        "residual_test_acc": accs["residual"],
        "plain_first_grad": g_plain0,
        "residual_first_grad": g_res0,
        "first_grad_ratio": grad_ratio,
        "plain_first_grad_mean": g_plain_mean,
        "residual_first_grad_mean": g_res_mean,
        "steps": float(done),
    }
    answers = {
        "plain_trains": 0 if checks["plain stays at chance"] else 1,
        "first_grad": 0 if grad_ratio <= 10 else (1 if grad_ratio <= 1e6 else 2),
    }
    claim = claim_for(params)
    if depth < MIN_DEPTH:
        return Verdict.does_not_apply(
            f"depth {depth} is shallow (the claim is about nets of {MIN_DEPTH} layers or more): "
            "a shallow plain net trains",
            numbers,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    return Verdict(not failed, numbers, summary, claim=claim, caveats=CAVEATS, answers=answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

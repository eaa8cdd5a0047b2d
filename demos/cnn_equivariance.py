"""CNN weight sharing: translation equivariance, few parameters, and recognition at new places.

Three measurements on synthetic images of ``size`` x ``size`` pixels (float64, so "zero"
means round-off):

1. **Equivariance.** A random conv layer (``channels`` kernels of ``kernel`` x ``kernel``,
   zero padding, ReLU) and a random fully connected layer with the same input and output
   shape (the image -> ``channels`` maps of ``size`` x ``size``, ReLU).  Shift the input
   ``shift`` pixels right and down (zeros come in).  For the conv layer, f(shifted x) equals
   the shifted f(x) everywhere more than ``shift`` + ``kernel`` // 2 pixels from a border
   (the same kernel is applied at every place); the fully connected layer has a separate
   weight for every input-output pair, so its output changes in a way unrelated to the shift.
   The error is ||f(Sx) - S f(x)|| / ||f(x)|| over that interior.
2. **Parameter counts** of those two layers, counted from the modules and checked against
   the formulas k*k*C_in*C_out + C_out and (H*W*C_in) * (H*W*C_out) + H*W*C_out.
3. **Recognition at unseen places.** Four 4x4 shapes (square outline, X, plus, L) on
   Gaussian background noise (std ``noise``).  Training images put the shape entirely in the
   columns left of ``split``; test images put it entirely in the columns from ``split`` on,
   where no training image ever had a shape.  A small CNN (one conv layer, ReLU, global max
   pooling, a linear classifier) and an MLP with one hidden layer (``mlp_hidden`` units, far
   more weights) are trained with Adam on the same images.

Preconditions (else "does not apply"): ``shift`` > 0 (no shift, nothing to compare) and an
interior is left after the shift and the kernel's reach; the MLP has at least 10x the CNN's
parameters (the claim is about a bigger net failing); both nets fit the training places
(training accuracy >= 90 %), since a net that has not learned the shapes says nothing about
where it recognises them.

Honest caveats:
* the CNN's global max pooling makes it translation *invariant* by construction; the
  equivariance of the conv layer is what makes that pooling meaningful.  A CNN that flattens
  its feature maps into a dense layer would not recognise shapes at unseen places either.
* near the borders zero padding breaks exact equivariance, and pooling with a stride > 1
  (not used here) makes real CNNs only approximately shift-equivariant.
* the MLP fails here because the test places are pixels it never saw a shape on; trained on
  shapes at every place (or with shifted copies as augmentation) it would do much better.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from studytool.demorun.params import DemoInfo, DemoParamError, Param, Prediction

from ._base import Reporter, Verdict
from ._common import normalize01

INFO = DemoInfo(
    name="cnn_equivariance",
    title_en="CNN weight sharing: translation equivariance vs an MLP",
    title_ko="CNN의 weight sharing: MLP와 비교한 이동 등변성",
    concept="weight sharing and translation equivariance",
    claim=(
        "Shifting a 16x16 input 3 pixels shifts a conv layer's feature map by the same 3 pixels "
        "(relative error below 1e-9 away from the borders) but changes a fully connected "
        "layer's output (relative error above 0.3); the fully connected layer needs at least "
        "100x the conv layer's parameters; and trained only on shapes in the left columns, a "
        "CNN classifies shapes in the unseen right columns with at least 90 % accuracy while "
        "an MLP with at least 10x its parameters stays at most 25 points above chance (25 %)."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param("size", 16, "image side in pixels", min=10, max=32),
        Param("kernel", 5, "conv kernel side (odd)", min=1, max=9),
        Param("channels", 8, "conv kernels (feature maps)", min=1, max=32),
        Param("shift", 3, "pixels the input is shifted right and down", min=0, max=8),
        Param("split", 8, "shapes train left of this column, test from it on", min=4, max=28),
        Param("noise", 0.2, "std of the background noise", min=0.0, max=1.0),
        Param("n_train", 256, "training images", min=32, max=4096, quick=128),
        Param("steps", 120, "full-batch Adam steps for each net", min=1, max=5000, quick=40),
        Param("lr", 0.02, "Adam learning rate", min=1e-5, max=1.0),
        Param("mlp_hidden", 128, "hidden units of the MLP", min=4, max=2048),
    ),
    cards=(
        "conv-basics/conv-operation",
        "conv-basics/conv-fewer-params-why",
        "conv-basics/fewer-params-generalize",
        "conv-basics/translation-equivariance",
    ),
    predictions=(
        Prediction(
            id="shift",
            prompt_en=(
                "Shift the input image a few pixels right and down. Away from the borders, "
                "what does the conv layer's feature map do?"
            ),
            prompt_ko=(
                "입력 이미지를 오른쪽 아래로 몇 pixel 이동합니다. 경계에서 떨어진 곳에서 "
                "conv layer의 feature map은 어떻게 되나요?"
            ),
            options_en=(
                "It changes in a way unrelated to the shift",
                "It moves by the same pixels and is otherwise identical",
                "It stays where it was",
            ),
            options_ko=(
                "이동과 무관하게 바뀐다",
                "같은 pixel만큼 이동하고 나머지는 똑같다",
                "제자리에 그대로 있다",
            ),
            card="conv-basics/translation-equivariance",
        ),
        Prediction(
            id="unseen",
            prompt_en=(
                "Both nets are trained only on shapes in the left part of the image. On shapes "
                "in the right part, which net classifies better?"
            ),
            prompt_ko=(
                "두 network 모두 이미지 왼쪽에 있는 도형으로만 학습합니다. 오른쪽에 있는 "
                "도형은 어느 network가 더 잘 분류하나요?"
            ),
            options_en=(
                "The CNN",
                "The MLP (it has many more weights)",
                "About the same (within 10 points)",
            ),
            options_ko=(
                "CNN",
                "MLP (weight가 훨씬 많음)",
                "비슷하다 (10 point 이내)",
            ),
            card="conv-basics/fewer-params-generalize",
        ),
        Prediction(
            id="ratio",
            prompt_en=(
                "At the default settings: how many times more parameters does a fully connected "
                "layer from a 16x16 image to 8 maps of 16x16 need than a conv layer with 8 "
                "kernels of 5x5 (biases included)?"
            ),
            prompt_ko=(
                "기본 설정에서: 16x16 이미지를 16x16 map 8개로 보내는 fully connected layer는 "
                "5x5 kernel 8개의 conv layer보다 parameter가 몇 배 필요한가요(bias 포함)?"
            ),
            rel_tolerance=0.3,
            unit="x",
            card="conv-basics/conv-fewer-params-why",
        ),
    ),
)

CAVEATS = (
    "the CNN's global max pooling makes it shift-invariant by construction; the conv layer's "
    "equivariance is what makes that pooling work",
    "zero padding breaks equivariance near the borders, and strided pooling makes real CNNs "
    "only approximately shift-equivariant",
    "the MLP never saw a shape on the test pixels; trained on all places (or with shifted "
    "copies) it would do much better",
)
SHAPE = 4  # side of the shapes
N_TEST = 256  # test images (shapes at unseen places)
EQUIV_MAX = 1e-9  # float64 round-off, not approximate equivariance
DENSE_MIN = 0.3
PARAM_RATIO_MIN = 100
CNN_MIN_ACC = 0.9
MLP_PARAM_RATIO_MIN = 10
FIT_MIN = 0.9
CHANCE = 0.25
MLP_ABOVE_CHANCE = 0.25


def shapes() -> torch.Tensor:
    """(4, 4, 4): square outline, X, plus, L; none is a shift of another."""
    square = torch.ones(SHAPE, SHAPE)
    square[1:-1, 1:-1] = 0
    cross = torch.eye(SHAPE) + torch.eye(SHAPE).flip(1)
    plus = torch.zeros(SHAPE, SHAPE)
    plus[1:3, :] = 1
    plus[:, 1:3] = 1
    ell = torch.zeros(SHAPE, SHAPE)
    ell[:, 0] = 1
    ell[-1, :] = 1
    return torch.stack([square, cross.clamp(max=1), plus, ell])


def shift_image(x: torch.Tensor, s: int) -> torch.Tensor:
    """Shift the last two dims by s pixels right and down, zeros coming in."""
    out = torch.zeros_like(x)
    out[..., s:, s:] = x[..., : x.shape[-2] - s, : x.shape[-1] - s]
    return out


def claim_for(params: dict[str, Any]) -> str:
    size, s = int(params["size"]), int(params["shift"])
    return (
        f"Shifting a {size}x{size} input {s} pixels shifts a conv layer's feature map by the "
        f"same {s} pixels (relative error below {EQUIV_MAX:g} away from the borders) but "
        f"changes a fully connected layer's output (relative error above {DENSE_MIN:g}); the "
        f"fully connected layer needs at least {PARAM_RATIO_MIN}x the conv layer's parameters; "
        f"and trained only on shapes left of column {int(params['split'])}, a CNN classifies "
        f"shapes in the unseen columns with at least {CNN_MIN_ACC:.0%} accuracy while an MLP "
        f"with at least {MLP_PARAM_RATIO_MIN}x its parameters stays at most "
        f"{MLP_ABOVE_CHANCE * 100:.0f} points above chance ({CHANCE:.0%})."
    )


def answers(n: dict[str, float]) -> dict[str, float]:
    errors = (n["conv_unrelated_error"], n["conv_equiv_error"], n["conv_static_error"])
    gap = n["cnn_test_acc"] - n["mlp_test_acc"]
    unseen = 0 if gap >= 0.1 else 1 if gap <= -0.1 else 2
    return {
        "shift": float(min(range(3), key=errors.__getitem__)),
        "unseen": float(unseen),
        "ratio": n["param_ratio"],
    }


def judge(n: dict[str, float], params: dict[str, Any]) -> Verdict:
    claim, ans = claim_for(params), answers(n)
    measured = (
        f"equivariance error conv {n['conv_equiv_error']:.2g}, fully connected "
        f"{n['dense_equiv_error']:.2g}; parameters {n['conv_params']:.0f} vs "
        f"{n['dense_params']:.0f} ({n['param_ratio']:.0f}x); unseen columns: CNN "
        f"{n['cnn_test_acc']:.0%}, MLP {n['mlp_test_acc']:.0%} (training places "
        f"{n['cnn_train_acc']:.0%} / {n['mlp_train_acc']:.0%}; MLP has "
        f"{n['mlp_param_ratio']:.0f}x the CNN's parameters)"
    )
    if int(params["shift"]) == 0:
        reason = "shift is 0: nothing moves, so there is no equivariance to see"
    elif n["interior"] < 1:
        reason = "the shift and the kernel's reach leave no interior pixels; raise size"
    elif n["mlp_param_ratio"] < MLP_PARAM_RATIO_MIN:
        reason = (
            f"the MLP has only {n['mlp_param_ratio']:.1f}x the CNN's parameters; the claim is "
            f"about an MLP with at least {MLP_PARAM_RATIO_MIN}x (raise mlp_hidden)"
        )
    elif min(n["cnn_train_acc"], n["mlp_train_acc"]) < FIT_MIN:
        reason = (
            f"a net did not fit the training places (CNN {n['cnn_train_acc']:.0%}, MLP "
            f"{n['mlp_train_acc']:.0%}, need {FIT_MIN:.0%}); raise steps"
        )
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=ans
        )
    checks = {
        f"conv error < {EQUIV_MAX:g}": n["conv_equiv_error"] < EQUIV_MAX,
        f"fully connected error > {DENSE_MIN:g}": n["dense_equiv_error"] > DENSE_MIN,
        "parameter counts match the formulas": n["count_mismatch"] == 0,
        f"fully connected >= {PARAM_RATIO_MIN}x parameters": n["param_ratio"] >= PARAM_RATIO_MIN,
        f"CNN unseen accuracy >= {CNN_MIN_ACC:.0%}": n["cnn_test_acc"] >= CNN_MIN_ACC,
        "MLP unseen accuracy <= chance + 25 points": n["mlp_test_acc"] <= CHANCE + MLP_ABOVE_CHANCE,
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=ans)


def equivariance(
    params: dict[str, Any], device: torch.device, report: Reporter
) -> dict[str, float]:
    size, k, c, s = (int(params[x]) for x in ("size", "kernel", "channels", "shift"))
    dt = torch.float64
    conv = nn.Conv2d(1, c, k, padding=k // 2, dtype=dt, device=device)
    dense = nn.Linear(size * size, c * size * size, dtype=dt, device=device)
    x = torch.rand(8, 1, size, size, dtype=dt, device=device)

    def conv_f(img: torch.Tensor) -> torch.Tensor:
        return F.relu(conv(img))

    def dense_f(img: torch.Tensor) -> torch.Tensor:
        return F.relu(dense(img.flatten(1))).view(-1, c, size, size)

    m = s + k // 2
    inner = slice(m, size - m)

    def rel(a: torch.Tensor, b: torch.Tensor) -> float:
        a, b = a[..., inner, inner], b[..., inner, inner]
        return float((a - b).norm() / b.norm().clamp(min=1e-300))

    with torch.no_grad():
        fx, fsx = conv_f(x), conv_f(shift_image(x, s))
        dx, dsx = dense_f(x), dense_f(shift_image(x, s))
        unrelated = conv_f(torch.rand_like(x))
    n = {
        "interior": float(max(0, size - 2 * m)),
        "conv_equiv_error": rel(fsx, shift_image(fx, s)),
        "conv_static_error": rel(fsx, fx),
        "conv_unrelated_error": rel(fsx, unrelated),
        "dense_equiv_error": rel(dsx, shift_image(dx, s)),
    }
    conv_params = sum(p.numel() for p in conv.parameters())
    dense_params = sum(p.numel() for p in dense.parameters())
    mismatch = (conv_params != k * k * c + c) + (
        dense_params != size * size * c * size * size + c * size * size
    )
    n.update(
        conv_params=float(conv_params),
        dense_params=float(dense_params),
        param_ratio=dense_params / conv_params,
        count_mismatch=float(mismatch),
    )
    diff = (fsx - shift_image(fx, s))[0].abs().amax(0)
    ddiff = (dsx - shift_image(dx, s))[0].abs().amax(0)
    gap = torch.full((size, 1), float("nan"), dtype=dt)
    report.image(
        "|f(shifted x) - shifted f(x)|",
        torch.cat([diff.cpu(), gap, ddiff.cpu()], 1),
        caption=f"largest over the {c} maps; left: conv (non-zero only within {m} px of a "
        "border), right: fully connected (everywhere)",
    )
    return n


def make_set(
    count: int, lo: int, hi: int, params: dict[str, Any], gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` images with a random shape placed with its left column in [lo, hi]."""
    size = int(params["size"])
    pats = shapes()
    labels = torch.randint(0, len(pats), (count,), generator=gen)
    rows = torch.randint(0, size - SHAPE + 1, (count,), generator=gen)
    cols = torch.randint(lo, hi + 1, (count,), generator=gen)
    x = float(params["noise"]) * torch.randn(count, 1, size, size, generator=gen)
    for i in range(count):
        r, c = int(rows[i]), int(cols[i])
        x[i, 0, r : r + SHAPE, c : c + SHAPE] += pats[int(labels[i])]
    return x, labels


class SmallCNN(nn.Module):
    def __init__(self, channels: int, kernel: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, channels, kernel, padding=kernel // 2)
        self.head = nn.Linear(channels, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(F.relu(self.conv(x)).amax((2, 3)))


def train_pair(params: dict[str, Any], device: torch.device, report: Reporter) -> dict[str, float]:
    size, split = int(params["size"]), int(params["split"])
    gen = torch.Generator().manual_seed(int(params["seed"]) + 1)
    n_train, steps = int(params["n_train"]), int(params["steps"])
    xtr, ytr = make_set(n_train, 0, split - SHAPE, params, gen)
    xte, yte = make_set(N_TEST, split, size - SHAPE, params, gen)
    xtr, ytr, xte, yte = (t.to(device) for t in (xtr, ytr, xte, yte))
    cnn = SmallCNN(int(params["channels"]), int(params["kernel"])).to(device)
    hidden = int(params["mlp_hidden"])
    mlp = nn.Sequential(
        nn.Flatten(), nn.Linear(size * size, hidden), nn.ReLU(), nn.Linear(hidden, 4)
    ).to(device)
    nets = {"CNN": cnn, "MLP": mlp}
    opts = {k: torch.optim.Adam(m.parameters(), lr=float(params["lr"])) for k, m in nets.items()}
    report.chart("training loss", x="Adam step", y="cross-entropy (nats)", series=list(nets))
    report.chart(
        "accuracy at unseen places",
        x="Adam step",
        y="test accuracy (fraction, shapes right of the split)",
        series=[f"{k} unseen" for k in nets],
    )

    def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
        with torch.no_grad():
            return float((net(x).argmax(1) == y).float().mean())

    every = max(1, steps // 25)
    for step in range(1, steps + 1):
        if report.cancelled:
            break
        losses = {}
        for name, net in nets.items():
            loss = F.cross_entropy(net(xtr), ytr)
            opts[name].zero_grad()
            loss.backward()
            opts[name].step()
            losses[name] = float(loss.detach())
        if step % every == 0 or step == steps:
            report.metric(step, **losses)
            report.metric(step, **{f"{k} unseen": accuracy(m, xte, yte) for k, m in nets.items()})
            report.progress(step, steps)
    cnn_params = sum(p.numel() for p in cnn.parameters())
    mlp_params = sum(p.numel() for p in mlp.parameters())
    n = {
        "cnn_train_acc": accuracy(cnn, xtr, ytr),
        "mlp_train_acc": accuracy(mlp, xtr, ytr),
        "cnn_test_acc": accuracy(cnn, xte, yte),
        "mlp_test_acc": accuracy(mlp, xte, yte),
        "cnn_params": float(cnn_params),
        "mlp_params": float(mlp_params),
        "mlp_param_ratio": mlp_params / cnn_params,
    }
    report.table(
        "accuracy by where the shape is",
        [
            {
                "net": k,
                "parameters": int(n[f"{k.lower()}_params"]),
                "training places": n[f"{k.lower()}_train_acc"],
                "unseen places": n[f"{k.lower()}_test_acc"],
            }
            for k in nets
        ],
    )
    panels = [normalize01(xtr[i, 0].cpu()) for i in range(3)]
    panels += [normalize01(xte[i, 0].cpu()) for i in range(3)]
    sep = torch.full((size, 1), 0.5)
    row = [p for pan in panels for p in (pan, sep)][:-1]
    report.image(
        "training (left 3) and test (right 3) images",
        torch.cat(row, 1),
        caption=f"shapes train left of column {split} and are tested from it on",
    )
    return n


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    if not int(params["kernel"]) % 2:
        raise DemoParamError(f"param 'kernel': {params['kernel']} is even; use an odd side")
    size, split = int(params["size"]), int(params["split"])
    if not SHAPE <= split <= size - SHAPE:
        raise DemoParamError(
            f"param 'split': {split} must leave {SHAPE} columns on each side of a {size}-px image"
        )
    n = equivariance(params, device, report)
    n.update(train_pair(params, device, report))
    return judge(n, params)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

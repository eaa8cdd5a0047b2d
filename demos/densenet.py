"""DenseNet vs ResNet: concatenation grows the channels, addition keeps them constant.

A dense block (Huang et al. 2017) feeds each layer the concatenation of ALL earlier feature
maps and appends its own k new maps ("growth rate"), so after L layers it carries c0 + L*k
channels, and layer l (0-based) reads c0 + l*k channels. A residual block adds f(x) to x, so
every layer reads and writes the same c0 channels. Each layer here is BN-ReLU-Conv3x3 (conv
without bias, as in both papers), so the parameter counts have closed forms:

  dense block:    sum_l (c0 + l*k) * (9k + 2)            (conv weights 9*(c0+l*k)*k, BN 2*(c0+l*k))
  residual block: L * (9*c^2 + 2c) for width c

The demo measures the channel counts by running a tensor through both blocks, counts the
parameters with torch, compares both with the formulas, and then trains two small classifiers on
the 8x8 digits with these blocks at a matched parameter budget (reported, not part of the claim:
on a task this small both do well, and which wins depends on the seed).

No preconditions: the channel counts and parameter formulas hold for every setting, and the
wide residual block always has at least 4x the dense block's parameters ((c0 + k)^2 / (c0 k)
>= 4 for one layer, more for more layers), so "at most a third" is a margin, not a tuned one.
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
    "The two small classifiers at a matched parameter budget are reported, not part of the "
    "claim: on a task this small both do well, and which wins depends on the seed.",
)

INFO = DemoInfo(
    name="densenet",
    title_en="DenseNet: concatenate instead of add",
    title_ko="DenseNet: 더하기 대신 이어 붙이기",
    concept="dense connections (concatenation) vs residual (addition)",
    claim=(
        "A dense block's channel count grows linearly to c0 + L*k while a residual block's stays "
        "at c0, torch's parameter counts match the closed-form formulas exactly, and the dense "
        "block reaches c0 + L*k output channels with far fewer parameters (at most a third) than "
        "a residual block of that width."
    ),
    params=(
        Param("c0", 16, "channels entering the block", min=1, max=256),
        Param("growth", 12, "growth rate k: new channels per dense layer", min=1, max=128),
        Param("layers", 4, "layers per block (L)", min=1, max=32),
        Param(
            "steps",
            150,
            "training steps per classifier (0 = skip training)",
            min=0,
            max=5000,
            quick=30,
        ),
        Param("lr", 0.003, "Adam learning rate", min=1e-5, max=1.0),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "modern-cnn/densenet-concat-cloze",
        "modern-cnn/densenet-growth-rate",
        "modern-cnn/densenet-channels-numeric",
        "modern-cnn/densenet-linear-growth",
        "modern-cnn/densenet-transition-order",
        "modern-cnn/densenet-transition-numeric",
        "modern-cnn/densenet-connections",
        "modern-cnn/add-vs-concat",
        "modern-cnn/add-vs-concat-basic",
    ),
    predictions=(
        Prediction(
            "out_channels",
            "How many channels come out of the dense block? (c0 = 16 channels in, growth rate "
            "k = 12, L = 4 layers at the default settings)",
            "dense block에서 나오는 채널 수는? (기본 설정에서 입력 c0 = 16채널, growth rate "
            "k = 12, 층 L = 4개)",
            unit="channels",
            tolerance=0.5,  # a whole number: only the exact count is right
            card="modern-cnn/densenet-channels-numeric",
        ),
        Prediction(
            "param_ratio",
            "A residual block as wide as the dense block's output (c0 + L*k channels, also L "
            "BN-ReLU-Conv3x3 layers) has how many times the dense block's parameters?",
            "dense block 출력만큼 넓은(c0 + L*k 채널, 역시 BN-ReLU-Conv3x3 L층) residual "
            "block의 파라미터 수는 dense block의 몇 배인가?",
            rel_tolerance=0.3,
            unit="x",
            card="modern-cnn/add-vs-concat",
        ),
    ),
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    c0, k, n_layers = int(params["c0"]), int(params["growth"]), int(params["layers"])
    return (
        f"A dense block of {n_layers} layers with growth rate {k} grows its channels linearly "
        f"from {c0} to c0 + L*k = {c0 + n_layers * k} while a residual block's stay at {c0}, "
        "torch's parameter counts match the closed-form formulas exactly, and the dense block "
        "reaches its output width with at most a third of the parameters of a residual block "
        "of that width."
    )


BATCH = 32  # minibatch of the two small classifiers (their training is the demo's main cost)


def _bn_relu_conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, cout, 3, padding=1, bias=False)
    )


class DenseBlock(nn.Module):
    def __init__(self, c0: int, k: int, n_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(_bn_relu_conv(c0 + i * k, k) for i in range(n_layers))
        self.trace: list[int] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.trace = [x.shape[1]]
        for layer in self.layers:
            x = torch.cat([x, layer(x)], dim=1)  # concatenate: channels grow by k
            self.trace.append(x.shape[1])
        return x


class ResidualBlock(nn.Module):
    def __init__(self, c: int, n_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(_bn_relu_conv(c, c) for _ in range(n_layers))
        self.trace: list[int] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.trace = [x.shape[1]]
        for layer in self.layers:
            x = x + layer(x)  # add: channels stay the same
            self.trace.append(x.shape[1])
        return x


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def dense_formula(c0: int, k: int, n_layers: int) -> int:
    return sum((c0 + i * k) * (9 * k + 2) for i in range(n_layers))


def residual_formula(c: int, n_layers: int) -> int:
    return n_layers * (9 * c * c + 2 * c)


class Classifier(nn.Module):
    """stem conv (1 -> c0) -> block -> BN-ReLU -> global average pool -> linear(10)."""

    def __init__(self, block: nn.Module, c0: int, c_out: int) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, c0, 3, padding=1, bias=False)
        self.block = block
        self.head = nn.Sequential(nn.BatchNorm2d(c_out), nn.ReLU())
        self.fc = nn.Linear(c_out, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.head(self.block(self.stem(x)))
        return self.fc(h.mean(dim=(2, 3)))


def _channel_bars(
    dense_trace: list[int], res_trace: list[int], max_h: int = 32
) -> list[list[float]]:
    """A small bar chart as a grayscale image: one 2-pixel bar per layer, dense | residual."""
    top = max(dense_trace + res_trace)
    h = min(max_h, top)
    cols: list[float | None] = []
    for trace in (dense_trace, res_trace):
        for c in trace:
            cols += [c, c, None]
        cols += [None, None]
    img = [[0.0] * len(cols) for _ in range(h)]
    for j, c in enumerate(cols):
        if c is None:
            continue
        filled = max(1, round(c / top * h))
        for i in range(h - filled, h):
            img[i][j] = 1.0
    return img


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "training loss",
        x="SGD step",
        y="training loss (nats)",
        series=["dense_train_loss", "residual_train_loss"],
    )
    seed = int(params["seed"])
    c0, k, n_layers = int(params["c0"]), int(params["growth"]), int(params["layers"])
    steps = int(params["steps"])
    seed_everything(seed)
    c_final = c0 + n_layers * k

    # 1) channel growth, measured by pushing a tensor through both blocks
    dense = DenseBlock(c0, k, n_layers).to(device)
    res = ResidualBlock(c0, n_layers).to(device)
    res_wide = ResidualBlock(c_final, n_layers).to(device)
    x = torch.randn(2, c0, 8, 8, device=device)
    with torch.no_grad():
        out_d, out_r = dense(x), res(x)
    expected_dense = [c0 + i * k for i in range(n_layers + 1)]
    report.table(
        "channels after each layer (measured)",
        [
            {"after_layer": i, "dense": d, "dense_formula c0+l*k": e, "residual": r}
            for i, (d, e, r) in enumerate(zip(dense.trace, expected_dense, res.trace, strict=True))
        ],
    )
    channels_ok = dense.trace == expected_dense and res.trace == [c0] * (n_layers + 1)
    channels_ok = channels_ok and out_d.shape[1] == c_final and out_r.shape[1] == c0

    # 2) parameter counts: torch vs formula
    p_dense, p_res, p_wide = n_params(dense), n_params(res), n_params(res_wide)
    f_dense, f_res, f_wide = (
        dense_formula(c0, k, n_layers),
        residual_formula(c0, n_layers),
        residual_formula(c_final, n_layers),
    )
    report.table(
        "parameters per block (torch count vs formula)",
        [
            {
                "block": f"dense c0={c0}, k={k}",
                "out_channels": c_final,
                "torch": p_dense,
                "formula": f_dense,
            },
            {"block": f"residual width {c0}", "out_channels": c0, "torch": p_res, "formula": f_res},
            {
                "block": f"residual width {c_final}",
                "out_channels": c_final,
                "torch": p_wide,
                "formula": f_wide,
            },
        ],
    )
    params_ok = (p_dense, p_res, p_wide) == (f_dense, f_res, f_wide)
    cheaper = 3 * p_dense <= p_wide  # "far fewer": at most a third
    report.image(
        "channels after each layer",
        _channel_bars(dense.trace, res.trace),
        caption="left: dense block (bars grow by k per layer); right: residual block "
        "(flat); bar height = channel count",
    )

    numbers: dict[str, float] = {
        "dense_out_channels": float(out_d.shape[1]),
        "residual_out_channels": float(out_r.shape[1]),
        "expected_dense_channels": float(c_final),
        "dense_params": float(p_dense),
        "dense_params_formula": float(f_dense),
        "residual_params": float(p_res),
        "residual_params_formula": float(f_res),
        "residual_wide_params": float(p_wide),
        "residual_wide_params_formula": float(f_wide),
        "wide_over_dense_params": p_wide / p_dense,
    }

    # 3) small training comparison at a matched parameter budget
    train_note = ""
    if steps > 0 and not report.cancelled:
        # residual width whose block has about as many parameters as the dense block
        w = max(1, round((-2 + math.sqrt(4 + 36 * f_dense / n_layers)) / 18))
        xtr, ytr, xte, yte = load_digits(device, seed=seed, images=True)
        models = {}
        for name in ("dense", "residual"):
            torch.manual_seed(seed)
            if name == "dense":
                models[name] = Classifier(DenseBlock(c0, k, n_layers), c0, c_final).to(device)
            else:
                models[name] = Classifier(ResidualBlock(w, n_layers), w, w).to(device)
        opts = {
            n: torch.optim.Adam(m.parameters(), lr=float(params["lr"])) for n, m in models.items()
        }
        gen = torch.Generator().manual_seed(seed)
        every = max(1, steps // 20)
        run_loss = {n: 0.0 for n in models}
        for step in range(1, steps + 1):
            if report.cancelled:
                break
            idx = torch.randint(0, len(xtr), (BATCH,), generator=gen).to(device)
            for n, m in models.items():
                loss = F.cross_entropy(m(xtr[idx]), ytr[idx])
                opts[n].zero_grad()
                loss.backward()
                opts[n].step()
                run_loss[n] += float(loss.detach())
            if step % every == 0 or step == steps:
                cnt = every if step % every == 0 else step % every
                report.metric(
                    step,
                    dense_train_loss=run_loss["dense"] / cnt,
                    residual_train_loss=run_loss["residual"] / cnt,
                )
                run_loss = {n: 0.0 for n in models}
                report.progress(step, steps)
        accs = {}
        for n, m in models.items():
            m.eval()
            with torch.no_grad():
                accs[n] = float((m(xte).argmax(1) == yte).float().mean())
        total = {n: n_params(m) for n, m in models.items()}
        report.table(
            f"digits classifiers after {steps} Adam steps (not part of the claim)",
            [
                {
                    "model": f"dense block (k={k}, {c_final} out channels)",
                    "params": total["dense"],
                    "test_acc": accs["dense"],
                },
                {
                    "model": f"residual block (width {w})",
                    "params": total["residual"],
                    "test_acc": accs["residual"],
                },
            ],
        )
        numbers.update(
            {
                "dense_test_acc": accs["dense"],
                "residual_test_acc": accs["residual"],
                "dense_model_params": float(total["dense"]),
                "residual_model_params": float(total["residual"]),
                "residual_matched_width": float(w),
            }
        )
        train_note = (
            f"; digits test acc at ~equal params: dense {accs['dense']:.0%} vs residual "
            f"{accs['residual']:.0%}"
        )

    numbers["channels_match"] = float(channels_ok)
    failed = [
        name
        for name, ok in (
            ("channel counts", channels_ok),
            ("parameter formulas", params_ok),
            ("dense at most a third of the wide residual block", cheaper),
        )
        if not ok
    ]
    answers = {"out_channels": float(out_d.shape[1]), "param_ratio": p_wide / p_dense}
    summary = (
        f"dense block channels {' -> '.join(map(str, dense.trace))} (c0+L*k = {c_final}) vs "
        f"residual {c0} throughout; params dense {p_dense:,} vs residual width {c_final} "
        f"{p_wide:,} ({p_wide / p_dense:.1f}x), formulas {'match' if params_ok else 'DIFFER'}"
        + train_note
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return Verdict(
        not failed,
        numbers,
        summary,
        claim=claim_for(params),
        caveats=CAVEATS,
        answers=answers,
    )


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

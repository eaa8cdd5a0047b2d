"""Numeric answers of the CNN, CV-application, RNN and Transformer decks, checked independently.

Every numeric card of these decks is recomputed here without reading its answer: parameter
counts by building the torch layer and counting, output sizes by running a dummy tensor,
receptive fields by back-propagating from one output value, IoU by rasterising the boxes.
A numeric card added to these decks without a check here makes `test_every_numeric_card_is_checked`
fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from itertools import product
from pathlib import Path

import pytest
import torch
import yaml
from torch import nn

CONTENT = Path(__file__).resolve().parents[2] / "content"
DECKS = ("conv-basics", "modern-cnn", "cv-apps", "rnn", "transformer")


@cache
def deck_cards(deck: str) -> dict[str, dict]:
    data = yaml.safe_load((CONTENT / f"{deck}.yaml").read_text(encoding="utf-8"))
    return {card["id"]: card for card in data["cards"]}


def n_params(module: nn.Module | Callable[[], nn.Module]) -> int:
    """Parameter count of a module, or of the module a zero-argument builder makes (built on
    the meta device: shapes only, no memory, no initialisation)."""
    if not isinstance(module, nn.Module):
        module = meta(module)
    return sum(p.numel() for p in module.parameters())


def meta(build: Callable[[], nn.Module]) -> nn.Module:
    """Build a (possibly huge) module without allocating or initialising its weights."""
    with torch.device("meta"):
        return build()


def fc_params_after(reduce: nn.Module, chw: tuple[int, int, int], n_out: int) -> int:
    """Parameters of the FC layer after `reduce` (flatten or global pooling) on a C×H×W map."""
    with torch.no_grad():
        n_in = reduce(torch.zeros(1, *chw)).shape[1]
    return n_params(lambda: nn.Linear(n_in, n_out))


def out_hw(layer: nn.Module, n: int, channels: int = 1) -> int:
    with torch.no_grad():
        return layer(torch.zeros(1, channels, n, n)).shape[-1]


def receptive_field(layers: list[nn.Module], n: int = 33) -> int:
    """Side of the input region that influences the centre output value (via autograd)."""
    net = nn.Sequential(*layers)
    for p in net.parameters():
        nn.init.constant_(p, 1.0)
    x = torch.ones(1, 1, n, n, requires_grad=True)
    y = net(x)
    c = y.shape[-1] // 2
    y[0, 0, c, c].backward()
    rows = (x.grad[0, 0].abs().sum(dim=1) > 0).nonzero()
    return int(rows.max() - rows.min() + 1)


def iou_raster(a: tuple[float, ...], b: tuple[float, ...], scale: int = 4) -> float:
    """IoU of two (x1, y1, x2, y2) boxes by counting pixel centres on a grid (exact for boxes
    whose corners lie on the grid, as in the cards)."""
    size = int(max(a + b) * scale) + 1
    ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    xs, ys = (xs + 0.5) / scale, (ys + 0.5) / scale

    def mask(box: tuple[float, ...]) -> torch.Tensor:
        return (xs >= box[0]) & (xs < box[2]) & (ys >= box[1]) & (ys < box[3])

    ma, mb = mask(a), mask(b)
    return (ma & mb).sum().item() / (ma | mb).sum().item()


def greedy_nms(boxes: list[tuple[float, ...]], scores: list[float], thr: float) -> list[int]:
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    keep: list[int] = []
    while order:
        best = order.pop(0)
        keep.append(best)
        order = [i for i in order if iou_raster(boxes[best], boxes[i]) <= thr]
    return keep


def vgg16() -> nn.Module:
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    layers: list[nn.Module] = []
    c_in = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c_in, v, 3, padding=1), nn.ReLU()]
            c_in = v
    head = [
        nn.Linear(512 * 7 * 7, 4096),
        nn.ReLU(),
        nn.Linear(4096, 4096),
        nn.ReLU(),
        nn.Linear(4096, 1000),
    ]
    return nn.Sequential(*layers, nn.Flatten(), *head)


def dense_block_out_channels(c0: int, k: int, n_layers: int) -> int:
    x = torch.zeros(1, c0, 4, 4)
    feats = [x]
    for _ in range(n_layers):
        c_in = sum(f.shape[1] for f in feats)
        new = nn.Conv2d(c_in, k, 3, padding=1)(torch.cat(feats, dim=1))
        feats.append(new)
    return torch.cat(feats, dim=1).shape[1]


def scalar_rnn_grad(w: float, steps: int) -> float:
    h0 = torch.tensor(1.0, requires_grad=True)
    h = h0
    for _ in range(steps):
        h = w * h
    h.backward()
    return h0.grad.item()


def clipped_first_component() -> float:
    p = nn.Parameter(torch.zeros(2))
    p.grad = torch.tensor([6.0, 8.0])
    torch.nn.utils.clip_grad_norm_([p], max_norm=5.0)
    return p.grad[0].item()


def sinusoid_pe(n_pos: int, d_model: int) -> torch.Tensor:
    pos = torch.arange(n_pos, dtype=torch.float64).unsqueeze(1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angle = pos / torch.pow(10000.0, two_i / d_model)
    pe = torch.zeros(n_pos, d_model, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe


def attn_weights_numel(n_tokens: int, heads: int = 8, dim: int = 16) -> int:
    mha = nn.MultiheadAttention(dim, heads, batch_first=True)
    x = torch.zeros(1, n_tokens, dim)
    with torch.no_grad():
        _, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
    assert w.shape == (1, heads, n_tokens, n_tokens)
    return w.numel()


def inception_3a_channels() -> int:
    x = torch.zeros(1, 192, 4, 4)
    branches = [
        nn.Conv2d(192, 64, 1),
        nn.Sequential(nn.Conv2d(192, 96, 1), nn.Conv2d(96, 128, 3, padding=1)),
        nn.Sequential(nn.Conv2d(192, 16, 1), nn.Conv2d(16, 32, 5, padding=2)),
        nn.Sequential(nn.MaxPool2d(3, 1, padding=1), nn.Conv2d(192, 32, 1)),
    ]
    with torch.no_grad():
        return torch.cat([b(x) for b in branches], dim=1).shape[1]


def sigmoid_max_slope() -> float:
    x = torch.linspace(-6, 6, 1201, requires_grad=True)
    torch.sigmoid(x).sum().backward()
    return x.grad.max().item()


def conv(c_in: int, c_out: int, k: int, bias: bool = False, **kw) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, k, bias=bias, **kw)


# card -> independent computation of its answer
CHECKS: dict[tuple[str, str], Callable[[], float]] = {
    # ------------------------------------------------------------------ conv-basics
    ("conv-basics", "pooling-param-count"): lambda: n_params(nn.MaxPool2d(2, 2)),
    ("conv-basics", "output-size-32-k5"): lambda: out_hw(nn.Conv2d(1, 1, 5), 32),
    ("conv-basics", "output-size-alexnet-conv1"): lambda: out_hw(
        nn.Conv2d(3, 96, 11, stride=4), 227, 3
    ),
    ("conv-basics", "output-size-stride2-pad1"): lambda: out_hw(
        nn.Conv2d(1, 1, 3, stride=2, padding=1), 28
    ),
    ("conv-basics", "output-size-7-k3-s2"): lambda: out_hw(nn.Conv2d(1, 1, 3, stride=2), 7),
    ("conv-basics", "same-padding-k5"): lambda: next(
        p for p in range(5) if out_hw(nn.Conv2d(1, 1, 5, padding=p), 32) == 32
    ),
    ("conv-basics", "output-size-resnet-stem"): lambda: out_hw(
        nn.Conv2d(3, 64, 7, stride=2, padding=3), 224, 3
    ),
    ("conv-basics", "param-count-3x3-128-64-nobias"): lambda: n_params(lambda: conv(128, 64, 3)),
    ("conv-basics", "param-count-3x3-128-64-bias"): lambda: n_params(
        lambda: conv(128, 64, 3, bias=True)
    ),
    ("conv-basics", "param-count-5x5-3-6"): lambda: n_params(lambda: conv(3, 6, 5, bias=True)),
    ("conv-basics", "param-count-alexnet-conv1"): lambda: n_params(
        lambda: conv(3, 96, 11, bias=True, stride=4)
    ),
    ("conv-basics", "param-count-alexnet-fc6"): lambda: fc_params_after(
        nn.Flatten(), (256, 6, 6), 4096
    ),
    ("conv-basics", "receptive-field-three-3x3"): lambda: receptive_field(
        [conv(1, 1, 3) for _ in range(3)]
    ),
    ("conv-basics", "receptive-field-with-stride"): lambda: receptive_field(
        [conv(1, 1, 3, stride=2), conv(1, 1, 3)]
    ),
    ("conv-basics", "one-by-one-params"): lambda: n_params(lambda: conv(256, 64, 1, bias=True)),
    ("conv-basics", "bottleneck-ratio-percent"): lambda: (
        100
        * n_params(lambda: nn.Sequential(conv(128, 32, 1), conv(32, 128, 3)))
        / n_params(lambda: conv(128, 128, 3))
    ),
    ("conv-basics", "even-kernel-same-padding"): lambda: next(
        t
        for t in range(4)
        if out_hw(nn.Sequential(nn.ZeroPad2d((0, t, 0, t)), nn.Conv2d(1, 1, 2)), 10) == 10
    ),
    ("conv-basics", "gap-fc-params"): lambda: fc_params_after(
        nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), (178, 13, 13), 1000
    ),
    # ------------------------------------------------------------------ modern-cnn
    ("modern-cnn", "relu-vs-sigmoid-gradient"): lambda: round(1 / sigmoid_max_slope() ** 10),
    ("modern-cnn", "overlapping-pooling-output"): lambda: out_hw(nn.MaxPool2d(3, 2), 55),
    ("modern-cnn", "vgg-two-3x3-receptive-field"): lambda: receptive_field(
        [conv(1, 1, 3), conv(1, 1, 3)]
    ),
    ("modern-cnn", "vgg-two-3x3-params"): lambda: n_params(
        lambda: nn.Sequential(conv(128, 128, 3), conv(128, 128, 3))
    ),
    ("modern-cnn", "vgg-one-5x5-params"): lambda: n_params(lambda: conv(128, 128, 5)),
    ("modern-cnn", "vgg-three-3x3-vs-7x7"): lambda: n_params(
        lambda: nn.Sequential(*[conv(64, 64, 3) for _ in range(3)])
    ),
    ("modern-cnn", "vgg16-total-params"): lambda: n_params(meta(vgg16)) / 1e6,
    ("modern-cnn", "inception-3a-output-channels"): inception_3a_channels,
    ("modern-cnn", "inception-5x5-direct"): lambda: n_params(lambda: conv(192, 32, 5)),
    ("modern-cnn", "inception-5x5-reduced"): lambda: n_params(
        lambda: nn.Sequential(conv(192, 16, 1), conv(16, 32, 5))
    ),
    ("modern-cnn", "resnet-projection-params"): lambda: n_params(
        lambda: conv(64, 128, 1, stride=2)
    ),
    ("modern-cnn", "resnet-bottleneck-params"): lambda: n_params(
        lambda: nn.Sequential(conv(256, 64, 1), conv(64, 64, 3, padding=1), conv(64, 256, 1))
    ),
    ("modern-cnn", "resnet-basic-block-params"): lambda: n_params(
        lambda: nn.Sequential(conv(64, 64, 3, padding=1), conv(64, 64, 3, padding=1))
    ),
    # ResNet-152: stem conv + 3 convs per bottleneck block in stages [3, 8, 36, 3] + final FC
    ("modern-cnn", "resnet-depth-ilsvrc2015"): lambda: 1 + 3 * sum([3, 8, 36, 3]) + 1,
    ("modern-cnn", "densenet-channels-numeric"): lambda: dense_block_out_channels(64, 32, 6),
    ("modern-cnn", "densenet-transition-numeric"): lambda: nn.Sequential(
        nn.BatchNorm2d(256), nn.Conv2d(256, int(0.5 * 256), 1), nn.AvgPool2d(2)
    )(torch.zeros(2, 256, 8, 8)).shape[1],
    # layer l of the block receives one connection from each of the l earlier feature maps
    ("modern-cnn", "densenet-connections"): lambda: sum(
        1 for dst in range(1, 7) for _src in range(dst)
    ),
    # ------------------------------------------------------------------ cv-apps
    ("cv-apps", "convolutionalization-params"): lambda: n_params(lambda: nn.Linear(4 * 4 * 16, 10)),
    ("cv-apps", "fcn-heatmap-size"): lambda: out_hw(nn.Conv2d(16, 10, 4), 8, 16),
    ("cv-apps", "transposed-conv-output-size"): lambda: out_hw(
        nn.ConvTranspose2d(1, 1, 4, stride=2, padding=1), 4
    ),
    ("cv-apps", "transposed-conv-k2s2"): lambda: out_hw(nn.ConvTranspose2d(1, 1, 2, stride=2), 7),
    ("cv-apps", "rpn-anchor-count"): lambda: len(
        list(product((128, 256, 512), ((1, 1), (1, 2), (2, 1))))
    ),
    ("cv-apps", "rpn-output-channels"): lambda: sum(
        head(torch.zeros(1, 8, 5, 5)).shape[1]
        for head in (nn.Conv2d(8, 9 * 4, 1), nn.Conv2d(8, 9 * 2, 1))
    ),
    ("cv-apps", "yolo-v1-depth"): lambda: torch.zeros(7, 7, 2, 5).flatten(2).shape[2] + 20,
    ("cv-apps", "yolo-v1-total"): lambda: torch.cat(
        [torch.zeros(7, 7, 2 * 5), torch.zeros(7, 7, 20)], dim=2
    ).numel(),
    ("cv-apps", "yolo-coco-depth"): lambda: torch.cat(
        [torch.zeros(7, 7, 2 * 5), torch.zeros(7, 7, 80)], dim=2
    ).shape[2],
    ("cv-apps", "iou-numeric-diagonal"): lambda: iou_raster((0, 0, 2, 2), (1, 1, 3, 3)),
    ("cv-apps", "iou-numeric-half"): lambda: iou_raster((0, 0, 4, 4), (2, 0, 6, 4)),
    ("cv-apps", "nms-numeric"): lambda: len(
        greedy_nms([(0, 0, 10, 10), (1, 1, 11, 11), (20, 20, 30, 30)], [0.9, 0.8, 0.7], 0.5)
    ),
    # ------------------------------------------------------------------ rnn
    ("rnn", "rnn-param-count"): lambda: n_params(lambda: nn.RNN(10, 20)),
    ("rnn", "vanishing-numeric"): lambda: scalar_rnn_grad(0.9, 50),
    ("rnn", "exploding-numeric"): lambda: scalar_rnn_grad(1.1, 50),
    ("rnn", "gradient-clipping-numeric"): clipped_first_component,
    ("rnn", "lstm-params-10-20"): lambda: n_params(lambda: nn.LSTM(10, 20)),
    ("rnn", "gru-params-10-20"): lambda: n_params(lambda: nn.GRU(10, 20)),
    ("rnn", "lstm-params-128-256"): lambda: n_params(lambda: nn.LSTM(128, 256)),
    ("rnn", "gru-params-128-256"): lambda: n_params(lambda: nn.GRU(128, 256)),
    ("rnn", "gru-lstm-ratio"): lambda: n_params(lambda: nn.GRU(37, 53)) / n_params(nn.LSTM(37, 53)),
    # ------------------------------------------------------------------ transformer
    ("transformer", "sqrt-dk-numeric"): lambda: math.sqrt(nn.MultiheadAttention(512, 8).head_dim),
    ("transformer", "multi-head-dk"): lambda: nn.MultiheadAttention(512, 8).head_dim,
    ("transformer", "mha-param-count"): lambda: n_params(lambda: nn.MultiheadAttention(512, 8)),
    ("transformer", "ffn-param-count"): lambda: n_params(
        lambda: nn.Sequential(nn.Linear(512, 2048), nn.Linear(2048, 512))
    ),
    ("transformer", "encoder-layer-param-count"): lambda: n_params(
        lambda: nn.TransformerEncoderLayer(d_model=512, nhead=8, dim_feedforward=2048)
    ),
    ("transformer", "positional-encoding-numeric"): lambda: sinusoid_pe(2, 512)[1, 0].item(),
    ("transformer", "attention-matrix-512"): lambda: attn_weights_numel(512, heads=1),
    ("transformer", "attention-matrix-8-heads"): lambda: attn_weights_numel(512, heads=8),
    ("transformer", "attention-doubling-n"): lambda: (
        attn_weights_numel(64) / attn_weights_numel(32)
    ),
    ("transformer", "causal-mask-count"): lambda: int(
        (nn.Transformer.generate_square_subsequent_mask(4) == 0).sum()
    ),
    ("transformer", "encoder-stack-n"): lambda: len(
        nn.Transformer(d_model=8, nhead=2, batch_first=True).encoder.layers
    ),
    ("transformer", "vit-patch-count"): lambda: (
        nn.Conv2d(3, 8, 16, stride=16)(torch.zeros(1, 3, 224, 224)).flatten(2).shape[2]
    ),
}

# Numeric cards whose answer is a reported fact rather than a computation.
FACTS = {("cv-apps", "rcnn-proposal-count")}


@pytest.mark.parametrize(("deck", "card_id"), sorted(CHECKS), ids=lambda v: v)
def test_numeric_answer(deck: str, card_id: str) -> None:
    card = deck_cards(deck).get(card_id)
    assert card is not None, f"{deck}/{card_id} not found"
    assert card["type"] == "numeric"
    tol = max(float(card.get("tolerance", 0)), 1e-9)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        expected = CHECKS[(deck, card_id)]()
    assert abs(card["answer"] - expected) <= tol, (
        f"{deck}/{card_id}: card says {card['answer']}, computed {expected}"
    )


def test_every_numeric_card_is_checked() -> None:
    numeric = {
        (d, cid) for d in DECKS for cid, c in deck_cards(d).items() if c["type"] == "numeric"
    }
    assert numeric - set(CHECKS) - FACTS == set()
    assert set(CHECKS) | FACTS <= numeric


def test_answers_are_not_trivially_loose() -> None:
    """A tolerance must not swallow the answer: at most 5% of it."""
    for deck in DECKS:
        for cid, card in deck_cards(deck).items():
            if card["type"] == "numeric" and card["answer"]:
                assert float(card.get("tolerance", 0)) <= 0.05 * abs(card["answer"]), (
                    f"{deck}/{cid}"
                )


def test_rcnn_proposal_fact_matches_paper() -> None:
    # Girshick et al. (CVPR 2014): "around 2000 category-independent region proposals"
    card = deck_cards("cv-apps")["rcnn-proposal-count"]
    assert card["answer"] == 2000


def test_bottleneck_errata_is_about_28_percent() -> None:
    kept = n_params(lambda: nn.Sequential(conv(128, 32, 1), conv(32, 128, 3))) / n_params(
        lambda: conv(128, 128, 3)
    )
    assert 0.27 < kept < 0.29  # kept ~28% => a ~72% reduction, not a 30% one


def test_same_answers_across_decks_agree() -> None:
    # the direct 3x3 layer of the 1x1 example and the VGG 5x5 comparison reuse the same arithmetic
    ratio = deck_cards("conv-basics")["bottleneck-ratio-percent"]
    assert abs(ratio["answer"] - 100 * 40960 / (3 * 3 * 128 * 128)) <= ratio["tolerance"]
    assert deck_cards("modern-cnn")["vgg-one-5x5-params"]["answer"] == 25 * 128 * 128

"""Small shared helpers for the demos (append-only: add new functions at the end).

Drawing helpers return plain torch tensors that ``Reporter.image`` accepts: HxW grayscale
(any range) or HxWx3 RGB in 0..1.  Box helpers use (x1, y1, x2, y2) corner format.
"""

from __future__ import annotations

import math

import torch

# distinct RGB colours (0..1) for series drawn on images
PALETTE: tuple[tuple[float, float, float], ...] = (
    (0.95, 0.30, 0.25),  # red
    (1.00, 0.65, 0.10),  # orange
    (0.95, 0.95, 0.30),  # yellow
    (0.30, 0.90, 0.95),  # cyan
    (0.90, 0.40, 0.95),  # magenta
    (0.35, 0.95, 0.40),  # green
    (0.45, 0.55, 1.00),  # blue
    (1.00, 1.00, 1.00),  # white
)


def normalize01(x: torch.Tensor) -> torch.Tensor:
    """Min-max scale to 0..1 (a constant tensor becomes zeros)."""
    x = x.detach().float()
    lo, hi = x.min(), x.max()
    return (x - lo) / (hi - lo) if hi > lo else torch.zeros_like(x)


def gray_to_rgb(x: torch.Tensor) -> torch.Tensor:
    """HxW in 0..1 -> HxWx3."""
    return x.clamp(0, 1).unsqueeze(-1).expand(*x.shape, 3).clone()


def draw_line(
    img: torch.Tensor, r0: float, c0: float, r1: float, c1: float, colour: tuple[float, ...]
) -> None:
    """Draw a straight segment (pixel coordinates, row/col) into an HxWx3 image, in place."""
    h, w = img.shape[:2]
    n = int(max(abs(r1 - r0), abs(c1 - c0))) + 1
    col = torch.tensor(colour, dtype=img.dtype)
    for i in range(n + 1):
        t = i / max(n, 1)
        r, c = round(r0 + (r1 - r0) * t), round(c0 + (c1 - c0) * t)
        if 0 <= r < h and 0 <= c < w:
            img[r, c] = col


def draw_polyline(
    img: torch.Tensor,
    xy: torch.Tensor,
    bounds: tuple[float, float, float, float],
    colour: tuple[float, ...],
) -> None:
    """Draw a path of (x, y) points (data coordinates) onto an HxWx3 image, in place.

    ``bounds`` = (x_min, x_max, y_min, y_max); y grows upwards (row 0 is y_max).
    Non-finite points end the path."""
    h, w = img.shape[:2]
    x0, x1, y0, y1 = bounds
    pts = xy.detach().double().cpu()
    prev = None
    for x, y in pts.tolist():
        if not (math.isfinite(x) and math.isfinite(y)) or abs(x) > 1e6 or abs(y) > 1e6:
            break
        c = (x - x0) / (x1 - x0) * (w - 1)
        r = (y1 - y) / (y1 - y0) * (h - 1)
        if prev is not None:
            draw_line(img, prev[0], prev[1], r, c, colour)
        prev = (r, c)


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """Areas of (N, 4) boxes in (x1, y1, x2, y2) format (0 for degenerate boxes)."""
    return (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (boxes[:, 3] - boxes[:, 1]).clamp(min=0)


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(N, M) intersection-over-union of (N, 4) and (M, 4) boxes, (x1, y1, x2, y2)."""
    lt = torch.maximum(a[:, None, :2], b[None, :, :2])
    rb = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return torch.where(union > 0, inter / union.clamp(min=1e-12), torch.zeros_like(inter))


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float = 0.5) -> torch.Tensor:
    """Greedy non-maximum suppression: indices of kept boxes, highest score first."""
    order = torch.argsort(scores, descending=True)
    keep: list[int] = []
    suppressed = torch.zeros(len(boxes), dtype=torch.bool, device=boxes.device)
    iou = box_iou(boxes, boxes)
    for idx in order.tolist():
        if suppressed[idx]:
            continue
        keep.append(idx)
        suppressed |= iou[idx] > iou_threshold
    return torch.tensor(keep, dtype=torch.long, device=boxes.device)


def train_classifier(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    lr: float = 1e-2,
    batch: int = 128,
    optimizer: str = "adam",
    gen: torch.Generator | None = None,
    report=None,
    every: int = 10,
    series: str = "loss",
) -> list[float]:
    """A tiny minibatch training loop with cross-entropy; returns the loss of every step.

    Samples batches with ``gen`` (on the CPU, so results do not depend on the device),
    reports ``series`` every ``every`` steps to ``report`` (if given), and stops early when
    the report is cancelled."""
    params = [p for p in model.parameters() if p.requires_grad]
    opt = (
        torch.optim.Adam(params, lr=lr)
        if optimizer == "adam"
        else torch.optim.SGD(params, lr=lr, momentum=0.9 if optimizer == "momentum" else 0.0)
    )
    losses: list[float] = []
    model.train()
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(x), (min(batch, len(x)),), generator=gen).to(x.device)
        loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if report is not None:
            if step % every == 0 or step == steps:
                report.metric(step, **{series: losses[-1]})
                report.progress(step, steps)
            if report.cancelled:
                break
    return losses

"""Shared data helpers for the demos: small synthetic sets and the bundled sklearn digits.

Append-only: several demos rely on these functions; add new helpers below instead of
changing the existing ones.
"""

from __future__ import annotations

import functools
import importlib.util
import os

import numpy as np
import torch


@functools.lru_cache(maxsize=1)
def _digits_numpy() -> tuple[np.ndarray, np.ndarray]:
    """sklearn's bundled 8x8 digits (1797 images), read without importing sklearn."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("scikit-learn is not installed; it ships the digits data set")
    root = next(iter(spec.submodule_search_locations))
    path = os.path.join(root, "datasets", "data", "digits.csv.gz")
    data = np.loadtxt(path, delimiter=",", dtype=np.float32)
    return data[:, :-1] / 16.0, data[:, -1].astype(np.int64)


def load_digits(
    device: torch.device | str = "cpu",
    *,
    n_train: int = 1297,
    seed: int = 0,
    standardize: bool = True,
    images: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x_train, y_train, x_test, y_test) from the digits, split by a seeded shuffle.

    Pixels are in 0..1, or standardised per pixel with train statistics when
    `standardize`. `images=True` gives shape (N, 1, 8, 8) instead of (N, 64).
    """
    x, y = _digits_numpy()
    perm = np.random.default_rng(seed).permutation(len(x))
    x, y = x[perm], y[perm]
    n_train = max(1, min(n_train, len(x) - 1))
    xtr, xte = x[:n_train], x[n_train:]
    if standardize:
        mu, sd = xtr.mean(0), xtr.std(0) + 1e-6
        xtr, xte = (xtr - mu) / sd, (xte - mu) / sd
    if images:
        xtr, xte = xtr.reshape(-1, 1, 8, 8), xte.reshape(-1, 1, 8, 8)

    def t(a):
        return torch.from_numpy(np.ascontiguousarray(a)).to(device)

    return t(xtr), t(y[:n_train]), t(xte), t(y[n_train:])


def adding_problem(
    batch: int,
    length: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, torch.Tensor]:
    """The adding problem (a common variant of Hochreiter & Schmidhuber 1997), (batch, length, 2).

    Channel 0 holds uniform random values in [0, 1), channel 1 marks exactly two steps:
    one in the first half and one in the second half. The target is the sum of the two
    marked values. Always predicting the mean (1.0) gives MSE = 2 * 1/12 = 0.1667.
    """
    vals = torch.rand(batch, length, generator=generator)
    half = max(1, length // 2)
    i = torch.randint(0, half, (batch,), generator=generator)
    j = torch.randint(half, length, (batch,), generator=generator)
    marks = torch.zeros(batch, length)
    rows = torch.arange(batch)
    marks[rows, i] = 1.0
    marks[rows, j] = 1.0
    x = torch.stack([vals, marks], dim=-1)
    y = (vals * marks).sum(1, keepdim=True)
    return x.to(device), y.to(device)


def shapes_segmentation(
    n: int,
    size: int = 32,
    *,
    generator: torch.Generator | None = None,
    max_shapes: int = 3,
    noise: float = 0.35,
    device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Synthetic segmentation set: circles (class 1) and squares (class 2) on noise.

    Returns images (n, 1, size, size) and integer masks (n, size, size), class 0 = background.
    Both shape kinds have the same brightness, so only their form tells them apart.
    """
    g = generator
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    yy, xx = yy.float(), xx.float()
    imgs = torch.zeros(n, size, size)
    masks = torch.zeros(n, size, size, dtype=torch.long)
    counts = torch.randint(1, max_shapes + 1, (n,), generator=g)
    lo, hi = size * 0.12, size * 0.24
    for k in range(n):
        for _ in range(int(counts[k])):
            kind = int(torch.randint(1, 3, (1,), generator=g))
            r = float(lo + (hi - lo) * torch.rand(1, generator=g))
            cy, cx = (r + (size - 2 * r) * torch.rand(2, generator=g)).tolist()
            if kind == 1:
                inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
            else:
                inside = ((yy - cy).abs() <= r * 0.89) & ((xx - cx).abs() <= r * 0.89)
            masks[k][inside] = kind
            imgs[k][inside] = 1.0
    imgs = imgs + noise * torch.randn(n, size, size, generator=g)
    return imgs.unsqueeze(1).to(device), masks.to(device)


def confusion_iou(pred: torch.Tensor, target: torch.Tensor, n_classes: int) -> list[float]:
    """Per-class IoU (intersection over union); NaN for a class absent from both."""
    pred, target = pred.reshape(-1), target.reshape(-1)
    out = []
    for c in range(n_classes):
        p, t = pred == c, target == c
        union = int((p | t).sum())
        out.append(float((p & t).sum()) / union if union else float("nan"))
    return out


def mean_iou(pred: torch.Tensor, target: torch.Tensor, n_classes: int) -> float:
    """Mean IoU over the classes present in prediction or target."""
    ious = [v for v in confusion_iou(pred, target, n_classes) if v == v]
    return float(sum(ious) / len(ious)) if ious else float("nan")


# ---------------------------------------------------------------------------
# Helpers for the generative / uncertainty / calibration demos (part 4).
# Pure numpy; no torch import needed.
# ---------------------------------------------------------------------------


def ring_modes(n_modes: int = 8, radius: float = 2.0):
    """Centres of `n_modes` points evenly spaced on a circle, float32 (n_modes, 2)."""

    ang = 2 * np.pi * np.arange(n_modes) / n_modes
    return (radius * np.stack([np.cos(ang), np.sin(ang)], axis=1)).astype(np.float32)


def gaussian_ring(n: int, rng, n_modes: int = 8, radius: float = 2.0, std: float = 0.05):
    """`n` points from an equal mixture of 2D Gaussians centred on a ring; float32 (n, 2)."""

    centres = ring_modes(n_modes, radius)
    idx = rng.integers(0, n_modes, size=n)
    return (centres[idx] + std * rng.standard_normal((n, 2))).astype(np.float32)


def two_moons(n: int, rng, noise: float = 0.08):
    """`n` points of the two-moons toy set (like sklearn's make_moons), centred; float32 (n, 2)."""

    upper = rng.random(n) < 0.5
    t = np.pi * rng.random(n)
    x = np.where(upper, np.cos(t), 1.0 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    pts = np.stack([x - 0.5, y - 0.25], axis=1) + noise * rng.standard_normal((n, 2))
    return pts.astype(np.float32)


def nearest_distances(points, reference, chunk: int = 2048):
    """For each row of `points` (N, D) the Euclidean distance to the nearest row of `reference`."""

    points = np.asarray(points, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    ref_sq = (reference**2).sum(1)
    out = np.empty(len(points))
    for i in range(0, len(points), chunk):
        p = points[i : i + chunk]
        d2 = (p**2).sum(1)[:, None] - 2 * p @ reference.T + ref_sq[None, :]
        out[i : i + chunk] = np.sqrt(np.maximum(d2.min(1), 0.0))
    return out


def histogram_tv(a, b, bins: int = 24, bounds=None):
    """Total-variation distance (0..1) between the 2D histograms of point sets `a` and `b`."""

    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if bounds is None:
        both = np.concatenate([a, b])
        bounds = (both[:, 0].min(), both[:, 0].max(), both[:, 1].min(), both[:, 1].max())
    x0, x1, y0, y1 = bounds
    rng_ = [[x0, x1], [y0, y1]]
    ha, _, _ = np.histogram2d(a[:, 0], a[:, 1], bins=bins, range=rng_)
    hb, _, _ = np.histogram2d(b[:, 0], b[:, 1], bins=bins, range=rng_)
    # points outside the box count as their own bin, so they are not silently dropped
    pa = np.append(ha.ravel(), len(a) - ha.sum()) / len(a)
    pb = np.append(hb.ravel(), len(b) - hb.sum()) / len(b)
    return float(0.5 * np.abs(pa - pb).sum())


def scatter_image(groups, size: int = 48, bounds=None):
    """Rasterise 2D point sets into an RGB image (size x size x 3, values 0..1).

    `groups` is a list of (points (N, 2), (r, g, b)) drawn in order; later groups paint over
    earlier ones. `bounds` = (xmin, xmax, ymin, ymax); default: the square box around all points.
    The y axis points up (row 0 is the top).
    """

    pts_all = np.concatenate([np.asarray(p, dtype=np.float64).reshape(-1, 2) for p, _ in groups])
    if bounds is None:
        lo = pts_all.min(0)
        hi = pts_all.max(0)
        centre = (lo + hi) / 2
        half = max(float((hi - lo).max()) / 2 * 1.05, 1e-6)
        bounds = (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)
    x0, x1, y0, y1 = bounds
    img = np.zeros((size, size, 3), dtype=np.float64)
    for pts, colour in groups:
        pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
        col = ((pts[:, 0] - x0) / (x1 - x0) * size).astype(int)
        row = ((y1 - pts[:, 1]) / (y1 - y0) * size).astype(int)
        keep = (col >= 0) & (col < size) & (row >= 0) & (row < size)
        img[row[keep], col[keep]] = np.asarray(colour, dtype=np.float64)
    return img


def tile_images(images, ncols: int, pad: int = 1, pad_value: float = 0.5):
    """Tile equally sized 2D images into one grid image (rows filled left to right)."""

    images = [np.asarray(im, dtype=np.float64) for im in images]
    h, w = images[0].shape
    nrows = (len(images) + ncols - 1) // ncols
    grid = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), pad_value)
    for k, im in enumerate(images):
        r, c = divmod(k, ncols)
        grid[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = im
    return grid


def reliability_bins(confidences, correct, n_bins: int = 10):
    """Equal-width confidence bins: list of dicts (lo, hi, count, confidence, accuracy, gap)."""

    conf = np.asarray(confidences, dtype=np.float64)
    corr = np.asarray(correct, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # bin k holds lo < conf <= hi (the first bin also takes conf == 0)
    idx = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    rows = []
    for k in range(n_bins):
        m = idx == k
        n = int(m.sum())
        c = float(conf[m].mean()) if n else 0.0
        a = float(corr[m].mean()) if n else 0.0
        rows.append(
            {
                "lo": float(edges[k]),
                "hi": float(edges[k + 1]),
                "count": n,
                "confidence": c,
                "accuracy": a,
                "gap": c - a,
            }
        )
    return rows


def expected_calibration_error(confidences, correct, n_bins: int = 10) -> float:
    """ECE: the count-weighted mean |confidence - accuracy| over equal-width confidence bins."""
    rows = reliability_bins(confidences, correct, n_bins)
    total = sum(r["count"] for r in rows)
    return float(sum(r["count"] * abs(r["gap"]) for r in rows) / max(total, 1))


def reliability_image(rows, height: int = 30, bar_width: int = 3):
    """Reliability diagram as an RGB image: per bin a bar of accuracy (blue), the gap up/down
    to the bin's mean confidence (red), and the diagonal (perfect calibration) in white."""

    n = len(rows)
    width = n * (bar_width + 1) + 1
    img = np.full((height, width, 3), 0.08)
    for k, r in enumerate(rows):
        c0 = 1 + k * (bar_width + 1)
        ideal = (r["lo"] + r["hi"]) / 2
        ideal_row = height - 1 - round(ideal * (height - 1))
        if r["count"]:
            acc_h = round(r["accuracy"] * (height - 1))
            conf_h = round(r["confidence"] * (height - 1))
            img[height - 1 - acc_h :, c0 : c0 + bar_width] = (0.25, 0.45, 0.95)
            lo_h, hi_h = sorted((acc_h, conf_h))
            if hi_h > lo_h:
                img[height - 1 - hi_h : height - 1 - lo_h, c0 : c0 + bar_width] = (0.95, 0.3, 0.3)
        img[ideal_row, c0 : c0 + bar_width] = (1.0, 1.0, 1.0)
    return img


def band_plot_image(
    x_grid,
    mean,
    std,
    train_x=None,
    train_y=None,
    height: int = 32,
    y_bounds=None,
    shade=((0.35, 0.2, 0.45),),
    mean_colour=(1.0, 0.85, 0.2),
    point_colour=(0.3, 0.9, 0.4),
    n_std: float = 2.0,
):
    """A 1D regression plot as an RGB image: one column per x in `x_grid`, a mean line,
    a +-n_std*std band, and optional training points (x within the grid range)."""

    x_grid = np.asarray(x_grid, dtype=np.float64)
    mean = np.asarray(mean, dtype=np.float64)
    std = np.asarray(std, dtype=np.float64)
    width = len(x_grid)
    if y_bounds is None:
        lo = float((mean - n_std * std).min())
        hi = float((mean + n_std * std).max())
        y_bounds = (lo, hi)
    y0, y1 = y_bounds

    def to_row(v):
        rows = ((y1 - np.asarray(v)) / (y1 - y0) * (height - 1)).round().astype(int)
        return np.clip(rows, 0, height - 1)

    img = np.full((height, width, 3), 0.05)
    top = to_row(mean + n_std * std)
    bot = to_row(mean - n_std * std)
    for c in range(width):
        img[top[c] : bot[c] + 1, c] = shade[0]
    if train_x is not None and train_y is not None:
        tx = np.asarray(train_x, dtype=np.float64)
        ty = np.asarray(train_y, dtype=np.float64)
        cols = ((tx - x_grid[0]) / (x_grid[-1] - x_grid[0]) * (width - 1)).round().astype(int)
        cols = np.clip(cols, 0, width - 1)
        keep = (ty >= y0) & (ty <= y1)
        img[to_row(ty[keep]), cols[keep]] = point_colour
    img[to_row(mean), np.arange(width)] = mean_colour
    return img


def density_image(points, size: int = 32, bounds=None, colour=(0.4, 0.8, 1.0), gamma: float = 0.5):
    """2D histogram of `points` as an RGB image (size x size x 3): brightness ~ (count / max)^gamma.

    Unlike `scatter_image` (which marks occupied pixels) it shows where the mass is.
    `bounds` = (xmin, xmax, ymin, ymax); the y axis points up.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if bounds is None:
        lo, hi = pts.min(0), pts.max(0)
        bounds = (lo[0], hi[0], lo[1], hi[1])
    x0, x1, y0, y1 = bounds
    h, _, _ = np.histogram2d(pts[:, 1], pts[:, 0], bins=size, range=[[y0, y1], [x0, x1]])
    h = h[::-1]  # row 0 = top = largest y
    level = (h / max(h.max(), 1.0)) ** gamma
    return level[:, :, None] * np.asarray(colour, dtype=np.float64)[None, None, :]


def hstack_images(images, gap: int = 1, gap_value: float = 0.5):
    """Put equally tall RGB images (H x W x 3) side by side, separated by grey columns."""
    images = [np.asarray(im, dtype=np.float64) for im in images]
    h = images[0].shape[0]
    sep = np.full((h, gap, 3), gap_value)
    parts = []
    for im in images:
        parts += [im, sep]
    return np.concatenate(parts[:-1], axis=1)

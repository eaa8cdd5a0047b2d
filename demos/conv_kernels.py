"""Hand-made convolution kernels: blur, sharpen, outline (edge), emboss.

A 3x3 kernel slides over the image and takes a weighted sum of each neighbourhood (deep
learning's "convolution" is a cross-correlation: the kernel is not flipped - checked here
against an explicit sliding-window sum).

* outline ``[[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]`` sums to 0, so it is 0 wherever the image is
  flat and large at edges - but it also amplifies pixel noise (std x sqrt(72) ~ 8.5), so with
  noise above ~0.05 the flat regions are no longer quiet and the claim fails (try it);
* blur (3x3 box, weights 1/9) averages neighbours and lowers the total variation (the sum of
  absolute differences between neighbouring pixels); blurring again lowers it further;
* sharpen ``[[0,-1,0],[-1,5,-1],[0,-1,0]]`` = identity + (identity - neighbours) raises it;
* emboss ``[[-2,-1,0],[-1,1,1],[0,1,2]]`` sums to 1 (flat regions keep their value) and
  answers edges with a sign that depends on the edge's direction.

Preconditions (else "does not apply"): the image has both edge and flat pixels, and its pixel
noise is "little": amplified by the outline kernel (x sqrt(72)) it stays below a tenth of the
mean edge response.

Honest caveats:
* on a clean image the blur barely lowers the total variation of a straight edge (a ramp has
  the same total variation as a step); most of the drop is pixel noise being averaged away.
* cross-correlation and convolution differ only by flipping the kernel: the same for the
  symmetric blur, sharpen and outline kernels, not for emboss.
"""

from __future__ import annotations

import itertools
from typing import Any

import torch
import torch.nn.functional as F

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict
from ._common import normalize01

INFO = DemoInfo(
    name="conv_kernels",
    title_en="Convolution kernels: blur, sharpen, outline, emboss",
    title_ko="합성곱 커널: 블러, 샤프닝, 외곽선, 엠보스",
    concept="convolution filters",
    claim=(
        "On an image with little pixel noise, the outline kernel (weights summing to 0) "
        "responds at least 10x more strongly at edges than on flat regions, a blur kernel lowers "
        "the image's total variation by at least 5 % (and further with each pass) and a sharpen "
        "kernel raises it at least 2x; conv2d equals an explicit sliding-window sum (within "
        "1e-5)."
    ),
    params=(
        Param("seed", 0, "random seed (noise and shape positions)", min=0, max=2**31 - 1),
        Param("image", "shapes", "input image", choices=("shapes", "digit")),
        Param("size", 48, "image side in pixels (shapes)", min=16, max=256, quick=32),
        Param("noise", 0.01, "std of Gaussian pixel noise added to the image", min=0.0, max=0.5),
        Param(
            "blur_passes",
            8,
            "how many times to apply the blur for the TV curve",
            min=1,
            max=100,
            quick=4,
        ),
    ),
    cards=(
        "conv-basics/conv-image-effects",
        "conv-basics/conv-blur-kernel",
        "conv-basics/conv-outline-kernel-zero-sum",
        "generated/conv-output-size",
        "peer-questions/why-no-2x2-kernel",
    ),
    predictions=(
        Prediction(
            "flat_output",
            "The outline kernel's weights sum to 0. What does it output on the flat regions of "
            "the image, compared with its output at the edges?",
            "외곽선 커널의 가중치 합은 0이다. 이미지의 평평한 영역에서 출력은 가장자리에서의 "
            "출력과 비교해 어떤가?",
            options_en=(
                "about as large (at least half as large)",
                "near zero (under a tenth as large)",
                "in between (a tenth to a half)",
            ),
            options_ko=(
                "거의 같다 (절반 이상)",
                "거의 0이다 (10분의 1 미만)",
                "그 사이 (10분의 1에서 절반)",
            ),
            card="conv-basics/conv-outline-kernel-zero-sum",
        ),
        Prediction(
            "blur_tv",
            "What does one pass of the 3x3 box blur do to the image's total variation (the sum "
            "of absolute differences between neighbouring pixels)?",
            "3x3 박스 블러를 한 번 적용하면 이미지의 total variation(이웃 픽셀 차이의 절댓값 "
            "합)은?",
            options_en=("raises it", "leaves it unchanged (within 1 %)", "lowers it"),
            options_ko=("높인다", "그대로 둔다 (1 % 이내)", "낮춘다"),
            card="conv-basics/conv-blur-kernel",
        ),
    ),
)

CAVEATS = (
    "on a clean image blur barely lowers the total variation of a straight edge: most of the "
    "drop is pixel noise averaged away",
    "conv2d is a cross-correlation (the kernel is not flipped): the same for symmetric kernels, "
    "not for emboss",
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"On the {params['image']} image with pixel noise std {float(params['noise']):g} (little: "
        "amplified ~8.5x by the outline kernel it stays below a tenth of the edge response), the "
        "outline kernel (weights summing to 0) responds at least 10x more strongly at edges "
        "than on flat regions, a blur kernel lowers the image's total variation by at least 5 % "
        f"(and further with each of {int(params['blur_passes'])} passes) and a sharpen kernel "
        "raises it at least 2x; conv2d equals an explicit sliding-window sum (within 1e-5)."
    )


def judge(n: dict[str, float], params: dict[str, Any]) -> Verdict:
    """Preconditions first, then each part of the claim with its floor."""
    claim = claim_for(params)
    measured = (
        f"outline |out| {n['outline_edge_mean_abs']:.3f} at edges vs "
        f"{n['outline_flat_mean_abs']:.4f} on flat regions ({n['edge_to_flat_ratio']:.3g}x); "
        f"total variation {n['tv_input']:.4f} -> blur {n['tv_blur']:.4f} (-> "
        f"{n['tv_after_all_blurs']:.4f} after all passes), sharpen {n['tv_sharpen']:.4f}; "
        f"conv2d vs window sum max error {n['conv2d_vs_window_max_err']:.1e}"
    )
    amplified = float(params["noise"]) * 72**0.5
    if n["edge_pixels"] == 0 or n["flat_pixels"] == 0:
        reason = "the image has no edge pixels or no flat pixels to compare"
    elif amplified >= 0.1 * n["outline_edge_mean_abs"]:
        reason = (
            f"the pixel noise is not little: amplified by the outline kernel it is "
            f"{amplified:.3g}, not below a tenth of the edge response "
            f"({0.1 * n['outline_edge_mean_abs']:.3g})"
        )
    else:
        reason = ""
    answers = answers_for(n)
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "edge >= 10x flat": n["outline_edge_mean_abs"] >= 10 * n["outline_flat_mean_abs"],
        "blur lowers TV >= 5 %": n["tv_blur"] <= 0.95 * n["tv_input"],
        "each blur pass lowers TV": n["blur_monotone"] == 1.0,
        "sharpen raises TV >= 2x": n["tv_sharpen"] >= 2 * n["tv_input"],
        "conv2d = window sum": n["conv2d_vs_window_max_err"] < 1e-5,
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers)


def answers_for(n: dict[str, float]) -> dict[str, float]:
    """The right answers to INFO.predictions from this run's numbers."""
    rel = n["outline_flat_mean_abs"] / max(n["outline_edge_mean_abs"], 1e-12)
    flat = 0 if rel >= 0.5 else (1 if rel < 0.1 else 2)
    change = n["tv_blur"] / n["tv_input"] - 1
    blur = 1 if abs(change) <= 0.01 else (2 if change < 0 else 0)
    return {"flat_output": float(flat), "blur_tv": float(blur)}


KERNELS: dict[str, list[list[float]]] = {
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


def kernel(name: str, device: torch.device | str = "cpu") -> torch.Tensor:
    return torch.tensor(KERNELS[name], dtype=torch.float32, device=device)


def filter2d(img: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """'valid' cross-correlation of an HxW image with a kxk kernel (F.conv2d)."""
    return F.conv2d(img[None, None], k[None, None])[0, 0]


def sliding_window(img: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """The same as :func:`filter2d`, as explicit weighted sums of each kxk window."""
    kh, kw = k.shape
    h, w = img.shape[0] - kh + 1, img.shape[1] - kw + 1
    out = torch.zeros(h, w, dtype=img.dtype, device=img.device)
    for i in range(kh):
        for j in range(kw):
            out += k[i, j] * img[i : i + h, j : j + w]
    return out


def total_variation(img: torch.Tensor) -> float:
    """Mean absolute difference between horizontally and vertically adjacent pixels."""
    dx = (img[:, 1:] - img[:, :-1]).abs().mean()
    dy = (img[1:, :] - img[:-1, :]).abs().mean()
    return float(dx + dy)


def shapes_image(size: int, gen: torch.Generator) -> torch.Tensor:
    """A flat background with a bright square and a mid-grey disc (positions jittered)."""
    img = torch.full((size, size), 0.2)
    s = size // 4
    r0, c0 = (int(v) for v in torch.randint(2, size // 2 - s, (2,), generator=gen))
    img[r0 : r0 + s + 2, c0 : c0 + s + 2] = 0.9
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    cy, cx = (
        int(v) for v in torch.randint(size // 2 + 2, size - size // 6 - 2, (2,), generator=gen)
    )
    img[(yy - cy) ** 2 + (xx - cx) ** 2 <= (size // 6) ** 2] = 0.6
    return img


def digit_image(gen: torch.Generator) -> torch.Tensor:
    """One 8x8 digit from sklearn's bundled set, blown up 4x (32x32, pixels in 0..1)."""
    from ._data import _digits_numpy

    x, _ = _digits_numpy()
    i = int(torch.randint(0, len(x), (1,), generator=gen))
    d = torch.tensor(x[i].reshape(8, 8), dtype=torch.float32)
    return torch.kron(d, torch.ones(4, 4))


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "blurring",
        x="blur passes",
        y="total variation (sum of |pixel differences|)",
        series=["total_variation"],
    )
    gen = torch.Generator().manual_seed(params["seed"])
    clean = shapes_image(params["size"], gen) if params["image"] == "shapes" else digit_image(gen)
    noisy = clean + params["noise"] * torch.randn(clean.shape, generator=gen)
    img = noisy.to(device)
    total = 5 + params["blur_passes"]

    outputs = {name: filter2d(img, kernel(name, device)) for name in KERNELS}
    report.progress(1, total)

    # conv2d is a cross-correlation: compare with explicit window sums
    conv_err = max(
        float((outputs[n] - sliding_window(img, kernel(n, device))).abs().max()) for n in KERNELS
    )

    # edge / flat masks from the clean image, cropped to the 'valid' output region
    c = clean.to(device)[None, None]
    local_range = F.max_pool2d(c, 3, 1) + F.max_pool2d(-c, 3, 1)  # max - min over 3x3
    edge = local_range[0, 0] > 0.1
    wide_range = F.max_pool2d(c, 5, 1, padding=1) + F.max_pool2d(-c, 5, 1, padding=1)
    flat = wide_range[0, 0] == 0
    outline = outputs["outline"].abs()
    edge_resp = float(outline[edge].mean()) if edge.any() else 0.0
    flat_resp = float(outline[flat].mean()) if flat.any() else 0.0
    report.progress(2, total)
    if params["noise"] * 72**0.5 > 0.1 * edge_resp:
        report.log(
            f"noise {params['noise']:g}: the outline kernel multiplies pixel noise by ~8.5, so "
            "flat regions are not quiet any more"
        )

    inner = img[1:-1, 1:-1]  # the same region as the 'valid' outputs
    tv_in = total_variation(inner)
    tv_blur = total_variation(outputs["blur"])
    tv_sharp = total_variation(outputs["sharpen"])

    # blurring again and again: TV keeps falling
    tv_curve = [tv_in]
    x = img
    report.metric(0, total_variation=tv_in)
    for k in range(1, params["blur_passes"] + 1):
        x = F.pad(x[None, None], (1, 1, 1, 1), mode="replicate")[0, 0]
        x = filter2d(x, kernel("blur", device))
        tv_curve.append(total_variation(x[1:-1, 1:-1]))
        report.metric(k, total_variation=tv_curve[-1])
        report.progress(2 + k, total)
        if report.cancelled:
            break
    monotone = all(b < a for a, b in itertools.pairwise(tv_curve))

    # pictures: input and the four outputs, each scaled to 0..1
    tiles = [normalize01(inner)] + [normalize01(outputs[n]) for n in KERNELS]
    sep = torch.full((tiles[0].shape[0], 1), 0.5, device=tiles[0].device)
    row = torch.cat([t for tile in tiles for t in (tile, sep)][:-1], 1)
    report.image(
        "image and filters",
        row.cpu(),
        caption="input | blur | sharpen | outline | emboss (each scaled to 0..1)",
    )
    report.image("outline |response|", outline.cpu(), caption="bright at edges, ~0 on flat regions")
    report.table(
        "kernels",
        [
            {
                "kernel": n,
                "weights": str(KERNELS[n]).replace("0.1111111111111111", "1/9"),
                "sum": round(sum(map(sum, KERNELS[n])), 6),
            }
            for n in KERNELS
        ],
    )
    report.progress(total, total)

    numbers = {
        "outline_edge_mean_abs": edge_resp,
        "outline_flat_mean_abs": flat_resp,
        "edge_to_flat_ratio": edge_resp / max(flat_resp, 1e-12),
        "tv_input": tv_in,
        "tv_blur": tv_blur,
        "tv_sharpen": tv_sharp,
        "tv_after_all_blurs": tv_curve[-1],
        "conv2d_vs_window_max_err": conv_err,
        "edge_pixels": float(edge.sum()),
        "flat_pixels": float(flat.sum()),
    }
    numbers["blur_monotone"] = float(monotone)
    return judge(numbers, params)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

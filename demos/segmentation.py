"""Semantic segmentation with a tiny fully convolutional network (FCN) on synthetic shapes.

Images are noisy 32x32 fields (24x24 in quick mode) with 1-3 bright circles (class 1) and
squares (class 2) of the same brightness; the target labels every pixel background / circle /
square. The network is a small encoder-decoder of convolutions only (two 2x2 poolings down,
two upsamplings back, with skip connections as in U-Net), so it outputs a class score for
every pixel.

It is scored with mean IoU (intersection over union per class, averaged). Two baselines show
what the number means: predicting background everywhere (high pixel accuracy, since ~80% of the
pixels are background, but IoU 0 for both shapes), and a per-pixel threshold that finds the
bright pixels but - seeing one pixel at a time - cannot tell a circle's pixel from a square's,
so it labels all of them with the more common shape. Telling the shapes apart needs context,
which the convolutions' receptive field provides.

The claim's margins: the FCN's mIoU must exceed the all-background baseline's by at least
`MIN_OVER_BACKGROUND` and the per-pixel threshold's by at least `MIN_OVER_THRESHOLD`.  There is
no precondition: both baselines are computed on the same test images at every setting.

Honest caveats:
* the shapes are synthetic, uniformly bright and never overlap badly; real segmentation has
  texture, occlusion and many classes.
* the per-pixel baseline is deliberately blind to context; a stronger baseline (a smoothed
  threshold plus a shape heuristic) would narrow the gap.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from studytool.demorun.params import DemoInfo, DemoParamError, Param, Prediction

from ._base import Reporter, Verdict, seed_everything
from ._data import confusion_iou, mean_iou, shapes_segmentation

INFO = DemoInfo(
    name="segmentation",
    title_en="Segmentation: a tiny FCN labels every pixel",
    title_ko="분할: 작은 FCN이 모든 픽셀에 레이블을 붙인다",
    concept="semantic segmentation / FCN / mIoU",
    claim=(
        "A tiny fully convolutional network trained for a few seconds segments circles and "
        "squares on noise with a mean IoU at least 0.3 above the all-background baseline and "
        "at least 0.15 above a per-pixel threshold that cannot tell the shapes apart."
    ),
    params=(
        Param("size", 32, "image side in pixels (a multiple of 4)", min=8, max=128, quick=24),
        Param(
            "n_train", 512, "training images (generated on the fly)", min=16, max=20000, quick=256
        ),
        Param("steps", 200, "Adam steps", min=10, max=10000, quick=100),
        Param("width", 16, "channels of the first conv layer", min=2, max=128),
        Param(
            "noise",
            0.35,
            "std of the Gaussian pixel noise (shapes have brightness 1)",
            min=0.0,
            max=3.0,
        ),
        Param("lr", 0.01, "Adam learning rate", min=1e-5, max=1.0),
        Param("batch", 16, "images per minibatch", min=1, max=1024),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "cv-apps/semantic-segmentation-definition",
        "cv-apps/fcn-definition",
        "cv-apps/dense-prediction",
        "cv-apps/convolutionalization-cloze",
        "cv-apps/fcn-any-input-size",
        "cv-apps/fcn-heatmap-size",
        "cv-apps/fcn-coarse-output",
        "cv-apps/upsampling-methods",
        "cv-apps/deconvolution-not-inverse",
        "cv-apps/transposed-conv-output-size",
        "cv-apps/transposed-conv-k2s2",
        "cv-apps/unpooling-definition",
        "cv-apps/fcn-skip-connections",
        "cv-apps/miou-definition",
    ),
    predictions=(
        Prediction(
            id="background_acc",
            prompt_en="A 'model' that labels every pixel background: what pixel accuracy does "
            "it get on these images?",
            prompt_ko="모든 픽셀을 배경으로 분류하는 '모델'은 이 이미지들에서 픽셀 정확도가 "
            "얼마인가?",
            tolerance=5.0,
            unit="%",
            card="cv-apps/miou-definition",
        ),
        Prediction(
            id="background_miou",
            prompt_en="And its mean IoU over the three classes (background, circle, square)?",
            prompt_ko="그러면 세 클래스(배경, 원, 정사각형)에 대한 평균 IoU는?",
            tolerance=0.05,
            card="cv-apps/miou-definition",
        ),
        Prediction(
            id="fcn_vs_threshold",
            prompt_en="Which gets the higher mean IoU: the tiny FCN or a per-pixel brightness "
            "threshold that labels bright pixels with the more common shape?",
            prompt_ko="작은 FCN과, 밝은 픽셀을 더 흔한 도형으로 분류하는 픽셀별 밝기 임계값 중 "
            "평균 IoU가 더 높은 것은?",
            options_en=("The per-pixel threshold", "The tiny FCN", "About the same (within 0.05)"),
            options_ko=("픽셀별 임계값", "작은 FCN", "비슷하다 (0.05 이내)"),
            card="cv-apps/semantic-segmentation-definition",
        ),
    ),
)

N_CLASSES = 3
MIN_OVER_BACKGROUND = 0.3  # "far above" the all-background mIoU
MIN_OVER_THRESHOLD = 0.15  # "above" the per-pixel threshold's mIoU
CAVEATS = (
    "Synthetic, uniformly bright shapes on noise: real segmentation has texture, occlusion and "
    "many classes.",
    "The per-pixel baseline is blind to context by construction; a smarter hand-made baseline "
    "would narrow the gap.",
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"A tiny fully convolutional network trained {int(params['steps'])} Adam steps on "
        f"{int(params['size'])}x{int(params['size'])} images (noise {float(params['noise']):g}) "
        f"segments circles and squares with a mean IoU at least {MIN_OVER_BACKGROUND:g} above "
        f"the all-background baseline and at least {MIN_OVER_THRESHOLD:g} above a per-pixel "
        "threshold that cannot tell the shapes apart."
    )


COLORS = torch.tensor([[0.05, 0.05, 0.1], [0.95, 0.35, 0.2], [0.25, 0.7, 1.0]])


def _conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


class TinyFCN(nn.Module):
    """Conv encoder-decoder: full -> 1/2 -> 1/4 -> 1/2 -> full resolution, with U-Net skips."""

    def __init__(self, w: int) -> None:
        super().__init__()
        self.enc1 = _conv(1, w)
        self.enc2 = _conv(w, 2 * w)
        self.mid = _conv(2 * w, 2 * w)
        self.dec2 = _conv(4 * w, w)
        self.dec1 = _conv(2 * w, w)
        self.head = nn.Conv2d(w, N_CLASSES, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e1 = self.enc1(x)  # full resolution
        e2 = self.enc2(F.max_pool2d(e1, 2))  # 1/2
        m = self.mid(F.max_pool2d(e2, 2))  # 1/4
        d2 = self.dec2(torch.cat([F.interpolate(m, scale_factor=2.0), e2], 1))  # 1/2
        d1 = self.dec1(torch.cat([F.interpolate(d2, scale_factor=2.0), e1], 1))  # full
        return self.head(d1)


def colorize(mask: torch.Tensor) -> torch.Tensor:
    return COLORS[mask.long().cpu()]


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "training loss", x="training step", y="pixel cross-entropy (nats)", series=["train_loss"]
    )
    report.chart(
        "test mIoU", x="training step", y="mean IoU (fraction)", series=["test_miou"], log_y=False
    )
    seed = int(params["seed"])
    size, steps, batch = int(params["size"]), int(params["steps"]), int(params["batch"])
    if size % 4:
        raise DemoParamError(f"param 'size': {size} is not a multiple of 4 (two 2x2 poolings)")
    noise = float(params["noise"])
    seed_everything(seed)
    gen = torch.Generator().manual_seed(seed)
    xtr, ytr = shapes_segmentation(
        int(params["n_train"]), size, generator=gen, noise=noise, device=device
    )
    xte, yte = shapes_segmentation(200, size, generator=gen, noise=noise, device=device)

    torch.manual_seed(seed)
    net = TinyFCN(int(params["width"])).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=float(params["lr"]))

    def recalibrate_bn(n: int = 64) -> None:
        """Re-estimate BatchNorm's running statistics for the current weights ("precise BN").

        The default running averages lag behind weights that change quickly, which makes
        eval-mode predictions jump around during fast training."""
        bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
        for m in bns:
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the batches below
        net.train()
        with torch.no_grad():
            for i in range(0, n, 64):
                net(xtr[i : i + 64])
        for m in bns:
            m.momentum = 0.1

    def test_miou(n: int = 48) -> float:
        recalibrate_bn()
        net.eval()
        with torch.no_grad():
            v = mean_iou(net(xte[:n]).argmax(1), yte[:n], N_CLASSES)
        net.train()
        return v

    every = max(1, steps // 15)
    run_loss, cnt = 0.0, 0
    done = 0
    for step in range(1, steps + 1):
        if report.cancelled:
            break
        idx = torch.randint(0, len(xtr), (batch,), generator=gen).to(device)
        loss = F.cross_entropy(net(xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run_loss += float(loss.detach())
        cnt += 1
        done = step
        if step % every == 0 or step == steps:
            report.metric(step, train_loss=run_loss / cnt, test_miou=test_miou())
            run_loss, cnt = 0.0, 0
            report.progress(step, steps)

    recalibrate_bn(256)
    net.eval()
    with torch.no_grad():
        pred = net(xte).argmax(1)
    iou_fcn = confusion_iou(pred, yte, N_CLASSES)
    miou_fcn = mean_iou(pred, yte, N_CLASSES)
    pix_acc = float((pred == yte).float().mean())

    # baseline 1: everything is background
    bg = torch.zeros_like(yte)
    iou_bg = confusion_iou(bg, yte, N_CLASSES)
    miou_bg = mean_iou(bg, yte, N_CLASSES)
    acc_bg = float((bg == yte).float().mean())
    # baseline 2: per-pixel threshold at half the shape brightness -> the more common shape
    common = 1 if int((ytr == 1).sum()) >= int((ytr == 2).sum()) else 2
    thr = (xte[:, 0] > 0.5).long() * common
    iou_thr = confusion_iou(thr, yte, N_CLASSES)
    miou_thr = mean_iou(thr, yte, N_CLASSES)
    acc_thr = float((thr == yte).float().mean())

    report.table(
        "test set (200 new images)",
        [
            {
                "method": "tiny FCN",
                "mIoU": miou_fcn,
                "IoU_bg": iou_fcn[0],
                "IoU_circle": iou_fcn[1],
                "IoU_square": iou_fcn[2],
                "pixel_acc": pix_acc,
            },
            {
                "method": "all background",
                "mIoU": miou_bg,
                "IoU_bg": iou_bg[0],
                "IoU_circle": 0.0,
                "IoU_square": 0.0,
                "pixel_acc": acc_bg,
            },
            {
                "method": "pixel threshold",
                "mIoU": miou_thr,
                "IoU_bg": iou_thr[0],
                "IoU_circle": iou_thr[1],
                "IoU_square": iou_thr[2],
                "pixel_acc": acc_thr,
            },
        ],
    )
    report.log(
        f"The all-background baseline gets {acc_bg:.0%} of the pixels right but mIoU "
        f"{miou_bg:.2f}: pixel accuracy flatters imbalanced classes, IoU does not."
    )
    # pictures: input, prediction, target for three test images, stacked vertically
    for i in range(3):
        img = xte[i, 0].cpu()
        img = (img - img.min()) / (img.max() - img.min() + 1e-8)
        gray = img.unsqueeze(-1).expand(-1, -1, 3)
        gap = torch.ones(size, 2, 3)
        strip = torch.cat([gray, gap, colorize(pred[i]), gap, colorize(yte[i])], dim=1)
        report.image(
            f"test image {i + 1}: input | prediction | target",
            strip,
            caption="orange = circle, blue = square, dark = background",
        )

    checks = {
        f"mIoU >= background + {MIN_OVER_BACKGROUND:g}": miou_fcn >= miou_bg + MIN_OVER_BACKGROUND,
        f"mIoU >= threshold + {MIN_OVER_THRESHOLD:g}": miou_fcn >= miou_thr + MIN_OVER_THRESHOLD,
        "all steps run": done == steps,
    }
    failed = [k for k, ok in checks.items() if not ok]
    summary = (
        f"after {done} steps: FCN mIoU {miou_fcn:.2f} (circle {iou_fcn[1]:.2f}, square "
        f"{iou_fcn[2]:.2f}) vs all-background {miou_bg:.2f} and pixel threshold {miou_thr:.2f}"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    gap = miou_fcn - miou_thr
    answers = {
        "background_acc": 100 * acc_bg,
        "background_miou": miou_bg,
        "fcn_vs_threshold": 2 if abs(gap) <= 0.05 else (1 if gap > 0 else 0),
    }
    return Verdict(
        not failed,
        {
            "fcn_miou": miou_fcn,
            "fcn_iou_background": iou_fcn[0],
            "fcn_iou_circle": iou_fcn[1],
            "fcn_iou_square": iou_fcn[2],
            "fcn_pixel_acc": pix_acc,
            "background_miou": miou_bg,
            "background_pixel_acc": acc_bg,
            "threshold_miou": miou_thr,
            "steps": float(done),
        },
        summary,
        claim=claim_for(params),
        caveats=CAVEATS,
        answers=answers,
    )


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

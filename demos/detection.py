"""IoU and non-maximum suppression (NMS) on synthetic detections.

A simulated detector fires several slightly shifted boxes around every object, scored by
how well they fit.  Greedy NMS keeps the best-scoring box, drops every remaining box whose
IoU with it exceeds a threshold, and repeats - leaving one box per object, as long as two
different objects overlap less than the threshold (NMS cannot tell a duplicate from a
neighbouring object that overlaps it that much) and the duplicates of one object overlap
each other more than the threshold.  Sloppier detectors break the second condition: at
jitter 0.05 no seed of 0..299 left a duplicate, at 0.06 one did (seed 80 with --quick), at
0.2 most objects keep several boxes.  Raising the threshold (0.7, 0.9) keeps duplicates too;
the live plot shows the kept boxes against the threshold.

IoU = area(A n B) / area(A u B) is computed vectorised (``_common.box_iou``) and checked
against a brute-force count of pixels in rasterised boxes.

Preconditions (else "does not apply"), the two conditions the claim names, measured on the
candidates: every candidate overlaps the best-scoring candidate of its own object by more than
the threshold, and no two candidates of different objects overlap by more than it; also, the
scene holds as many objects as asked (a crowded canvas may not fit them apart).

Honest caveats:
* the conditions are what makes greedy NMS right: a sloppy detector (jitter 0.2) or a crowd of
  overlapping objects breaks them (Soft-NMS and learned NMS exist for that reason).
* the candidates' scores here are their true fit plus a little noise; a real detector's score
  can rank a worse box first, which NMS then keeps.
"""

from __future__ import annotations

from typing import Any

import torch

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict
from ._common import box_iou, nms

INFO = DemoInfo(
    name="detection",
    title_en="Object detection basics: IoU and non-maximum suppression",
    title_ko="객체 탐지 기초: IoU와 비최대 억제(NMS)",
    concept="IoU and NMS",
    claim=(
        "After greedy non-maximum suppression at IoU 0.5 exactly one box is left per object "
        "(and no box away from every object), "
        "provided different objects overlap less than the threshold and one object's duplicate "
        "boxes overlap each other more than it; the vectorised IoU equals a brute-force pixel "
        "count."
    ),
    params=(
        Param("seed", 0, "random seed (objects and detections)", min=0, max=2**31 - 1),
        Param("objects", 6, "number of objects in the scene", min=1, max=20, quick=4),
        Param("per_object", 8, "candidate boxes the detector fires per object", min=1, max=50),
        Param(
            "jitter",
            0.05,
            "std of candidate box edges, as a fraction of the object size",
            min=0.0,
            max=0.5,
        ),
        Param("iou_threshold", 0.5, "NMS IoU threshold", min=0.05, max=0.95),
        Param("canvas", 96, "image side in pixels", min=32, max=256),
        Param(
            "iou_pairs",
            400,
            "random box pairs for the brute-force IoU check",
            min=1,
            max=10000,
            quick=100,
        ),
    ),
    cards=(
        "cv-apps/rcnn-family-order",
        "cv-apps/rcnn-steps-order",
        "cv-apps/rcnn-proposal-count",
        "cv-apps/sppnet-idea",
        "cv-apps/fast-rcnn",
        "cv-apps/roi-pooling",
        "cv-apps/faster-rcnn-rpn",
        "cv-apps/anchor-box",
        "cv-apps/rpn-anchor-count",
        "cv-apps/rpn-output-channels",
        "cv-apps/yolo-why-fast",
        "cv-apps/yolo-grid-cloze",
        "cv-apps/yolo-v1-depth",
        "cv-apps/yolo-v1-total",
        "cv-apps/yolo-coco-depth",
        "cv-apps/yolo-class-per-cell",
        "cv-apps/yolo-confidence",
        "cv-apps/iou-definition",
        "cv-apps/iou-numeric-diagonal",
        "cv-apps/iou-numeric-half",
        "cv-apps/nms-order",
        "cv-apps/nms-numeric",
        "cv-apps/one-stage-vs-two-stage",
    ),
    predictions=(
        Prediction(
            "kept",
            "How many boxes are left after NMS? (6 objects with 8 candidate boxes each at the "
            "default settings)",
            "NMS 후 남는 박스는 몇 개인가? (기본 설정에서 물체 6개, 물체마다 후보 박스 8개)",
            unit="boxes",
            tolerance=0.5,  # a whole number: only the exact count is right
            card="cv-apps/nms-order",
        ),
        Prediction(
            "threshold_09",
            "What changes if NMS suppresses only boxes with IoU above 0.9 instead of the run's "
            "threshold (0.5 at the default settings)?",
            "NMS가 이번 실행의 기준(기본 설정에서 0.5) 대신 IoU 0.9를 넘는 박스만 억제하면?",
            options_en=(
                "more boxes are kept: duplicates survive",
                "fewer boxes are kept",
                "the same boxes are kept",
            ),
            options_ko=(
                "더 많은 박스가 남는다: 중복이 살아남는다",
                "더 적은 박스가 남는다",
                "같은 박스가 남는다",
            ),
            card="cv-apps/nms-numeric",
        ),
    ),
)

CAVEATS = (
    "the two overlap conditions are what makes greedy NMS right; a sloppy detector or crowded "
    "objects break them",
    "scores here are the true fit plus a little noise; a real detector can rank a worse box first",
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    thr = float(params["iou_threshold"])
    return (
        f"After greedy non-maximum suppression at IoU {thr:g} over {int(params['per_object'])} "
        f"candidates for each of {int(params['objects'])} objects, exactly one box is left per "
        "object (and no box away from every object), provided different objects' candidates "
        f"overlap less than {thr:g} and one object's candidates overlap its best-scoring one "
        f"more than {thr:g}; the vectorised IoU equals a brute-force pixel count (within 1e-6)."
    )


def judge(n: dict[str, float], params: dict[str, Any], answers: dict[str, float]) -> Verdict:
    """Preconditions first, then each part of the claim."""
    thr, claim = float(params["iou_threshold"]), claim_for(params)
    measured = (
        f"{int(n['candidates'])} candidates for {int(n['objects'])} objects -> "
        f"{int(n['kept_after_nms'])} boxes after NMS at IoU {thr:g} "
        f"({int(n['objects_with_exactly_one_box'])} objects with exactly one, "
        f"{int(n['stray_boxes'])} stray); candidates vs their object's best: IoU >= "
        f"{n['own_min_iou']:.3g}, across objects <= {n['cross_max_iou']:.3g}; IoU vs pixel count "
        f"max error {n['iou_max_abs_error']:.1e} over {int(n['iou_pairs_checked'])} pairs"
    )
    if n["objects"] < int(params["objects"]):
        reason = (
            f"only {int(n['objects'])} of {int(params['objects'])} objects fit on the canvas "
            "apart from each other"
        )
    elif n["cross_max_iou"] >= thr:
        reason = (
            f"candidates of different objects overlap with IoU {n['cross_max_iou']:.3g}, not "
            f"less than the threshold {thr:g}: NMS cannot tell them from duplicates"
        )
    elif n["own_min_iou"] <= thr:
        reason = (
            f"a candidate overlaps its object's best-scoring candidate only {n['own_min_iou']:.3g}"
            f", not more than the threshold {thr:g}: the detector is too sloppy for NMS to "
            "remove its duplicates"
        )
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "one box per object": n["objects_with_exactly_one_box"] == n["objects"]
        and n["kept_after_nms"] == n["objects"],
        "no stray box": n["stray_boxes"] == 0,
        "IoU = pixel count": n["iou_max_abs_error"] < 1e-6,
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers)


def overlap_conditions(
    boxes: torch.Tensor, scores: torch.Tensor, owner: torch.Tensor
) -> tuple[float, float]:
    """(smallest IoU of a candidate with its object's best-scoring candidate, largest IoU of
    two candidates of different objects)."""
    iou = box_iou(boxes, boxes)
    own_min = 1.0
    for obj in owner.unique().tolist():
        mine = (owner == obj).nonzero().flatten()
        top = mine[scores[mine].argmax()]
        own_min = min(own_min, float(iou[top, mine].min()))
    other = owner[:, None] != owner[None, :]
    cross_max = float(iou[other].max()) if other.any() else 0.0
    return own_min, cross_max


def brute_force_iou(a: list[int], b: list[int]) -> float:
    """IoU of two integer boxes (x1, y1, x2, y2) by counting covered pixels."""
    size = max(a[2], a[3], b[2], b[3], 1)
    ma = torch.zeros(size, size, dtype=torch.bool)
    mb = torch.zeros(size, size, dtype=torch.bool)
    ma[a[1] : a[3], a[0] : a[2]] = True
    mb[b[1] : b[3], b[0] : b[2]] = True
    union = int((ma | mb).sum())
    return int((ma & mb).sum()) / union if union else 0.0


def make_scene(
    n: int, canvas: int, gen: torch.Generator, max_iou: float = 0.2, tries: int = 2000
) -> torch.Tensor:
    """``n`` integer ground-truth boxes whose pairwise IoU stays below ``max_iou``."""
    boxes: list[list[float]] = []
    for _ in range(tries):
        if len(boxes) == n:
            break
        w, h = (int(v) for v in torch.randint(canvas // 8, canvas // 3, (2,), generator=gen))
        x = int(torch.randint(0, canvas - w, (1,), generator=gen))
        y = int(torch.randint(0, canvas - h, (1,), generator=gen))
        cand = torch.tensor([[x, y, x + w, y + h]], dtype=torch.float32)
        if boxes and float(box_iou(cand, torch.tensor(boxes)).max()) >= max_iou:
            continue
        boxes.append(cand[0].tolist())
    return torch.tensor(boxes, dtype=torch.float32)


def detections(
    gt: torch.Tensor, per_object: int, jitter: float, canvas: int, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Jittered candidate boxes around each object: (boxes, scores, object index)."""
    wh = (gt[:, 2:] - gt[:, :2]).repeat(1, 2)  # (w, h, w, h) per object
    base = gt.repeat_interleave(per_object, 0)
    scale = wh.repeat_interleave(per_object, 0)
    noise = torch.randn(base.shape, generator=gen) * jitter * scale
    boxes = (base + noise).round().clamp(0, canvas)
    # keep boxes valid (x2 > x1, y2 > y1)
    boxes[:, 2:] = torch.maximum(boxes[:, 2:], boxes[:, :2] + 1)
    owner = torch.arange(len(gt)).repeat_interleave(per_object)
    fit = box_iou(boxes, gt)[torch.arange(len(boxes)), owner]
    scores = (fit + 0.05 * torch.randn(len(boxes), generator=gen)).clamp(0, 1)
    return boxes, scores, owner


def draw(canvas: int, layers: list[tuple[torch.Tensor, tuple[float, float, float]]]):
    img = torch.full((canvas, canvas, 3), 0.06)
    for boxes, colour in layers:
        col = torch.tensor(colour)
        for x1, y1, x2, y2 in boxes.round().long().clamp(0, canvas - 1).tolist():
            img[y1, x1 : x2 + 1] = col
            img[y2, x1 : x2 + 1] = col
            img[y1 : y2 + 1, x1] = col
            img[y1 : y2 + 1, x2] = col
    return img


def count_per_object(kept: torch.Tensor, gt: torch.Tensor, match: float = 0.5):
    """(boxes matched to each object, unmatched kept boxes) - a box matches its best object."""
    if len(kept) == 0:
        return torch.zeros(len(gt), dtype=torch.long), 0
    iou = box_iou(kept, gt)
    best, idx = iou.max(1)
    counts = torch.bincount(idx[best > match], minlength=len(gt))
    return counts, int((best <= match).sum())


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "NMS threshold",
        x="IoU threshold",
        y="count",
        series=["kept_boxes", "objects", "objects_with_one_box"],
        log_y=False,
    )
    gen = torch.Generator().manual_seed(params["seed"])
    canvas, thr = params["canvas"], params["iou_threshold"]

    # 1. vectorised IoU vs brute-force pixel counting
    n_pairs = params["iou_pairs"]
    worst = 0.0
    a = torch.randint(0, canvas, (n_pairs, 4), generator=gen)
    a = torch.cat([torch.minimum(a[:, :2], a[:, 2:]), torch.maximum(a[:, :2], a[:, 2:]) + 1], 1)
    b = a + torch.randint(-canvas // 6, canvas // 6 + 1, (n_pairs, 4), generator=gen)
    b = b.clamp(0, canvas)
    b = torch.cat([torch.minimum(b[:, :2], b[:, 2:]), torch.maximum(b[:, :2], b[:, 2:]) + 1], 1)
    fast = box_iou(a.float().to(device), b.float().to(device)).diagonal().cpu()
    overlapping = 0
    for i in range(n_pairs):
        slow = brute_force_iou(a[i].tolist(), b[i].tolist())
        overlapping += slow > 0
        worst = max(worst, abs(slow - float(fast[i])))
        if i % 50 == 0:
            report.progress(i, n_pairs + 3)
        if report.cancelled:
            break
    report.log(
        f"IoU of {n_pairs} box pairs ({overlapping} overlapping): vectorised vs pixel "
        f"count, max difference {worst:.2e}"
    )

    # 2. a scene, the detector's candidates and NMS (own generator: independent of iou_pairs)
    gen = torch.Generator().manual_seed(params["seed"] + 1_000_003)
    gt = make_scene(params["objects"], canvas, gen)
    boxes, scores, owner = detections(gt, params["per_object"], params["jitter"], canvas, gen)
    keep = nms(boxes.to(device), scores.to(device), thr).cpu()
    kept = boxes[keep]
    counts, stray = count_per_object(kept, gt)
    counts_before, _ = count_per_object(boxes, gt)
    report.progress(n_pairs + 1, n_pairs + 3)

    # how the number of kept boxes depends on the threshold
    for t in range(5, 100, 5):
        k = nms(boxes, scores, t / 100)
        c, _ = count_per_object(boxes[k], gt)
        report.metric(
            t,
            at=t / 100,
            kept_boxes=len(k),
            objects=len(gt),
            objects_with_one_box=int((c == 1).sum()),
        )
    report.progress(n_pairs + 2, n_pairs + 3)

    report.image(
        "before NMS",
        draw(canvas, [(boxes, (0.9, 0.3, 0.25)), (gt, (0.3, 0.95, 0.4))]),
        caption=f"{len(boxes)} candidate boxes (red), objects (green)",
        lines=True,
    )
    report.image(
        "after NMS",
        draw(canvas, [(gt, (0.3, 0.95, 0.4)), (kept, (1.0, 0.85, 0.2))]),
        caption=f"{len(kept)} boxes kept at IoU {thr:g} (yellow), objects (green)",
        lines=True,
    )
    report.table(
        "kept boxes",
        [
            {
                "box": [int(v) for v in kept[i].tolist()],
                "score": round(float(scores[keep[i]]), 3),
                "object": int(owner[keep[i]]),
                "IoU with object": round(
                    float(box_iou(kept[i : i + 1], gt[owner[keep[i]]][None])), 3
                ),
            }
            for i in range(len(kept))
        ],
    )
    report.progress(n_pairs + 3, n_pairs + 3)

    numbers = {
        "objects": float(len(gt)),
        "candidates": float(len(boxes)),
        "kept_after_nms": float(len(kept)),
        "objects_with_exactly_one_box": float((counts == 1).sum()),
        "duplicates_left": float((counts - 1).clamp(min=0).sum()),
        "missed_objects": float((counts == 0).sum()),
        "stray_boxes": float(stray),
        "mean_boxes_per_object_before": float(counts_before.float().mean()),
        "iou_max_abs_error": worst,
        "iou_pairs_checked": float(n_pairs),
    }
    own_min, cross_max = overlap_conditions(boxes, scores, owner)
    numbers.update(own_min_iou=own_min, cross_max_iou=cross_max)
    loose = len(nms(boxes, scores, 0.9))
    answers = {
        "kept": float(len(kept)),
        "threshold_09": float(0 if loose > len(kept) else (1 if loose < len(kept) else 2)),
    }
    return judge(numbers, params, answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

"""Stratified vs plain k-fold cross-validation on imbalanced data.

The data: 200 points in 5 dimensions, only 5 % positives (10 points); positives are shifted by
1.2 in every coordinate, so a logistic regression separates them well but not perfectly.

Both splitters are written here in numpy (no scikit-learn):

* plain k-fold      - shuffle the indices, cut them into k nearly equal folds;
* stratified k-fold - shuffle each class separately, lay the classes one after another and deal
                      the positions out to the folds round-robin, so every fold gets the same
                      number of each class (up to one).

The whole cross-validation is repeated with many different shuffles. For each fold a logistic
regression is trained on the other k - 1 folds (all fits run at once, batched in torch) and
scored on the held-out fold by its log loss (cross-entropy; unlike F1 or AUC it is defined even
for a fold without positives) and its accuracy.

What to expect: plain folds hold anywhere from 0 to 5 of the 10 positives (some folds have
none: their score says nothing about the rare class), so the fold scores scatter much more;
stratified folds hold exactly 2 each and their scores agree more closely. Caveat: stratification
removes the variance that comes from the class *counts*; the variance that comes from *which*
examples land in a fold remains.

Preconditions (else "does not apply"): at least k positives (otherwise a stratified fold must
go without one too), and data imbalanced enough that a plain fold misses every positive with a
chance of at least 1 % ((1 - 1/k)^positives >= 0.01); with many positives every plain fold
holds plenty and there is little for stratification to fix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from studytool.demorun.params import DemoInfo, DemoParamError, Param, Prediction

from ._base import Reporter, Verdict, seed_everything

CAVEATS = (
    "Stratification removes the variance that comes from the class counts; the variance from "
    "which examples land in a fold remains.",
    "The log loss is used because F1 and AUC are undefined on a fold without positives.",
)

INFO = DemoInfo(
    name="cross_validation",
    title_en="Stratified k-fold keeps class proportions on imbalanced data",
    title_ko="층화 k-겹 교차검증은 불균형 데이터의 클래스 비율을 유지한다",
    concept="k-fold vs stratified k-fold cross-validation",
    claim=(
        "With 5 % positives, plain k-fold folds vary in their share of positives (std at least "
        "1 point) and their held-out log-loss varies at least 1.2x more from fold to fold, "
        "while stratified folds keep the class proportion (counts differ by at most one)."
    ),
    params=(
        Param("n", 200, "number of examples", min=20, max=20000),
        Param("positive_rate", 0.05, "fraction of positive examples", min=0.01, max=0.5),
        Param("k", 5, "number of folds", min=2, max=50),
        Param(
            "repeats",
            40,
            "cross-validation runs with different shuffles",
            min=2,
            max=1000,
            quick=20,
        ),
        Param(
            "shift",
            1.2,
            "distance of the positive mean from the negative mean, per coordinate",
            min=0.0,
            max=10.0,
        ),
        Param(
            "steps",
            150,
            "full-batch Adam steps for the logistic regressions",
            min=10,
            max=5000,
            quick=100,
        ),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "generalization/cv-def",
        "generalization/cv-test-set",
        "generalization/cv-train-size",
        "generalization/stratified-kfold",
        "generalization/stratified-when",
        "generalization/stratified-numeric",
        "peer-questions/cv-correctly",
        "peer-questions/group-kfold",
        "peer-questions/timeseries-plain-kfold",
    ),
    predictions=(
        Prediction(
            "empty_folds",
            "With plain (unstratified) k-fold, what fraction of the folds get no positive at "
            "all? (10 positives in 200 examples and 5 folds at the default settings)",
            "층화하지 않은 k-겹에서 양성이 하나도 없는 fold의 비율은? (기본 설정에서 예제 200개 "
            "중 양성 10개, fold 5개)",
            tolerance=0.05,
            card="generalization/stratified-when",
        ),
        Prediction(
            "spread",
            "Whose held-out scores (log loss) vary more from fold to fold?",
            "fold마다 held-out 점수(log loss)가 더 크게 흔들리는 쪽은?",
            options_en=(
                "stratified k-fold",
                "about the same (within 10 %)",
                "plain k-fold",
            ),
            options_ko=(
                "층화 k-겹",
                "거의 같다 (10 % 이내)",
                "일반 k-겹",
            ),
            card="generalization/stratified-kfold",
        ),
    ),
)

MIN_EMPTY_CHANCE = 0.01  # (1 - 1/k)^positives: the chance that a plain fold has no positive
SCORE_FLOOR = 1.2  # "varies more": the plain fold log-loss std over the stratified one
SHARE_FLOOR = 0.01  # "vary in their share": std of the positive share across plain folds


def claim_for(params: dict[str, Any], n_pos: int) -> str:
    """INFO's claim with the parameters it ran with."""
    n = int(params["n"])
    return (
        f"With {n_pos} positives in {n} examples ({n_pos / n:.0%}) and {int(params['k'])} folds, "
        "plain k-fold folds vary in their share of positives (std at least 1 point) and their "
        f"held-out log-loss varies at least {SCORE_FLOOR:g}x more from fold to fold, while "
        "stratified folds keep the class proportion (counts differ by at most one)."
    )


def judge(
    n: dict[str, float], params: dict[str, Any], answers: dict[str, float], summary: str
) -> Verdict:
    """Preconditions first, then each part of the claim with its floor."""
    k, n_pos = int(params["k"]), int(n["n_positives"])
    claim = claim_for(params, n_pos)
    if n_pos < k:
        reason = f"only {n_pos} positives for {k} folds: some stratified folds must go without one"
    elif n["empty_fold_chance"] < MIN_EMPTY_CHANCE:
        reason = (
            f"with {n_pos} positives a plain fold misses them all with chance "
            f"{n['empty_fold_chance']:.2g} (< {MIN_EMPTY_CHANCE:g}): the data are not "
            "imbalanced enough for stratification to matter"
        )
    else:
        reason = ""
    if reason:
        return Verdict.does_not_apply(
            reason, n, summary, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "plain share std >= 1 point": n["plain_pos_frac_std"] >= SHARE_FLOOR,
        "stratified counts within one": n["stratified_pos_count_max"]
        - n["stratified_pos_count_min"]
        <= 1,
        f"plain scores vary >= {SCORE_FLOOR:g}x more": n["plain_fold_logloss_std"]
        >= SCORE_FLOOR * n["stratified_fold_logloss_std"],
    }
    return Verdict.from_checks(checks, n, summary, claim=claim, caveats=CAVEATS, answers=answers)


DIM = 5


# --------------------------------------------------------------------------- splitters


def kfold_splits(n: int, k: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Plain k-fold: the test indices of each fold, after one random shuffle.

    The folds partition range(n); their sizes differ by at most one."""
    if not 2 <= k <= n:
        raise ValueError(f"need 2 <= k <= n, got k={k}, n={n}")
    perm = rng.permutation(n)
    return [np.sort(f) for f in np.array_split(perm, k)]


def stratified_kfold_splits(y: np.ndarray, k: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Stratified k-fold: the test indices of each fold.

    Each class is shuffled on its own, the classes are laid end to end, and position i goes to
    fold i mod k. So for every class the per-fold counts differ by at most one, and so do the
    fold sizes. The folds partition range(len(y))."""
    y = np.asarray(y)
    n = len(y)
    if not 2 <= k <= n:
        raise ValueError(f"need 2 <= k <= n, got k={k}, n={n}")
    order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    return [np.sort(order[i::k]) for i in range(k)]


def make_data(n: int, positive_rate: float, shift: float, rng: np.random.Generator):
    """(x float32 (n, DIM), y int64 (n,)): exactly round(n * rate) positives, shuffled."""
    n_pos = max(1, round(n * positive_rate))
    y = np.zeros(n, dtype=np.int64)
    y[:n_pos] = 1
    y = rng.permutation(y)
    x = rng.standard_normal((n, DIM)) + shift * y[:, None]
    return x.astype(np.float32), y


# --------------------------------------------------------------------------- demo


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "training loss",
        x="gradient step",
        y="log-loss (nats)",
        series=["plain_train_loss", "stratified_train_loss"],
    )
    report.chart(
        "fold spread",
        x="repeats of k-fold CV",
        y="std of the fold log-loss (nats)",
        series=["plain_fold_logloss_std", "stratified_fold_logloss_std"],
    )
    seed, k, reps = int(params["seed"]), int(params["k"]), int(params["repeats"])
    n = int(params["n"])
    if k > n:
        raise DemoParamError(f"param 'k': {k} folds need at least {k} examples (n = {n})")
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    x_np, y_np = make_data(n, float(params["positive_rate"]), float(params["shift"]), rng)
    n_pos = int(y_np.sum())
    report.log(f"{n} examples, {n_pos} positives ({n_pos / n:.0%}); {k} folds, {reps} repeats")

    schemes = ("plain", "stratified")
    folds: dict[str, list[list[np.ndarray]]] = {s: [] for s in schemes}
    for _ in range(reps):
        folds["plain"].append(kfold_splits(n, k, rng))
        folds["stratified"].append(stratified_kfold_splits(y_np, k, rng))

    # one logistic regression per (scheme, repeat, fold), all trained at once
    test_mask = np.zeros((len(schemes), reps, k, n), dtype=bool)
    for si, s in enumerate(schemes):
        for r in range(reps):
            for f, idx in enumerate(folds[s][r]):
                test_mask[si, r, f, idx] = True
    test_m = torch.from_numpy(test_mask.reshape(-1, n)).to(device)
    train_w = (~test_m).float()
    train_w = train_w / train_w.sum(1, keepdim=True)
    m = test_m.shape[0]
    x = torch.from_numpy(x_np).to(device)
    y = torch.from_numpy(y_np).float().to(device)
    w = torch.zeros(m, DIM, device=device, requires_grad=True)
    b = torch.zeros(m, 1, device=device, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=0.1)
    steps = int(params["steps"])
    every = max(1, steps // 30)
    per_scheme = m // len(schemes)
    for step in range(1, steps + 1):
        if report.cancelled:
            break
        logits = w @ x.T + b  # (m, n)
        nll = F.binary_cross_entropy_with_logits(logits, y.expand_as(logits), reduction="none")
        per_model = (nll * train_w).sum(1)
        loss = per_model.sum() + 1e-3 * (w**2).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % every == 0 or step == steps:
            pm = per_model.detach().cpu()
            report.metric(
                step,
                plain_train_loss=float(pm[:per_scheme].mean()),
                stratified_train_loss=float(pm[per_scheme:].mean()),
            )
            report.progress(step, steps)

    with torch.no_grad():
        logits = w @ x.T + b
        nll = F.binary_cross_entropy_with_logits(logits, y.expand_as(logits), reduction="none")
        tm = test_m.float()
        fold_logloss = ((nll * tm).sum(1) / tm.sum(1)).cpu().numpy().reshape(len(schemes), reps, k)
        correct = ((logits > 0).float() == y).float()
        fold_acc = ((correct * tm).sum(1) / tm.sum(1)).cpu().numpy().reshape(len(schemes), reps, k)
    pos_counts = (test_mask & (y_np == 1)).sum(-1)  # (schemes, reps, k)
    sizes = test_mask.sum(-1)
    pos_frac = pos_counts / sizes

    res: dict[str, dict[str, float]] = {}
    for si, s in enumerate(schemes):
        res[s] = {
            "pos_frac_std": float(pos_frac[si].std()),
            "pos_count_min": float(pos_counts[si].min()),
            "pos_count_max": float(pos_counts[si].max()),
            "folds_without_positives": float((pos_counts[si] == 0).mean()),
            "fold_logloss_std": float(fold_logloss[si].std(axis=1, ddof=1).mean()),
            "fold_acc_std": float(fold_acc[si].std(axis=1, ddof=1).mean()),
            "cv_logloss_mean": float(fold_logloss[si].mean()),
            "cv_acc_mean": float(fold_acc[si].mean()),
            "cv_logloss_std_across_repeats": float(fold_logloss[si].mean(1).std(ddof=1)),
        }
    for r in range(reps):  # running estimate of the fold-score spread, repeat by repeat
        report.metric(
            steps + r + 1,
            at=r + 1,
            **{
                f"{s}_fold_logloss_std": float(fold_logloss[si, : r + 1].std(axis=1, ddof=1).mean())
                for si, s in enumerate(schemes)
            },
        )

    report.table(
        "positives per fold (first 5 repeats)",
        [
            {
                "repeat": r + 1,
                **{
                    s: " ".join(str(int(c)) for c in pos_counts[si, r])
                    for si, s in enumerate(schemes)
                },
            }
            for r in range(min(5, reps))
        ],
    )
    report.table(
        f"over {reps} repeats of {k}-fold CV",
        [
            {
                "splitter": s,
                "share of positives per fold (std)": r["pos_frac_std"],
                "positives per fold (min..max)": "{}..{}".format(
                    int(r["pos_count_min"]), int(r["pos_count_max"])
                ),
                "folds with no positive": r["folds_without_positives"],
                "fold log-loss std": r["fold_logloss_std"],
                "fold accuracy std": r["fold_acc_std"],
                "CV log loss": r["cv_logloss_mean"],
                "CV accuracy": r["cv_acc_mean"],
            }
            for s, r in res.items()
        ],
    )

    # picture: positives per fold, one row per repeat; plain (left) vs stratified (right).
    # Grey level = number of positives; red = a fold with no positive at all.
    rows = min(reps, 20)
    top = max(1, int(pos_counts.max()))
    counts = pos_counts[:, :rows, :]
    level = 0.15 + 0.85 * counts / top
    rgb = np.stack([level, level, level], -1)
    rgb[counts == 0] = (0.9, 0.15, 0.15)
    cell = np.kron(rgb, np.ones((1, 2, 3, 1)))  # 2x3 pixels per fold
    sep = np.tile(np.array([0.2, 0.3, 0.8]), (cell.shape[1], 2, 1))
    img = np.concatenate([cell[0], sep, cell[1]], 1)
    report.image(
        "fold_composition",
        img,
        caption=f"positives in each fold (columns) of {rows} CV runs (rows): plain k-fold left, "
        f"stratified right; darker = fewer (white = {top}), red = a fold with no positive",
    )

    p, st = res["plain"], res["stratified"]
    numbers = {f"{s}_{q}": v for s, r in res.items() for q, v in r.items()}
    numbers["n_positives"] = float(n_pos)
    numbers["empty_fold_chance"] = (1 - 1 / k) ** n_pos
    summary = (
        f"positives per fold: plain {int(p['pos_count_min'])}..{int(p['pos_count_max'])} "
        f"({p['folds_without_positives']:.0%} of folds have none), stratified "
        f"{int(st['pos_count_min'])}..{int(st['pos_count_max'])}; fold log-loss std "
        f"{p['fold_logloss_std']:.3f} plain vs {st['fold_logloss_std']:.3f} stratified"
    )
    spread = p["fold_logloss_std"] / max(st["fold_logloss_std"], 1e-12)
    answers = {
        "empty_folds": p["folds_without_positives"],
        "spread": float(1 if abs(spread - 1) <= 0.1 else (2 if spread > 1 else 0)),
    }
    return judge(numbers, params, answers, summary)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

"""Why attention divides by sqrt(d_k), and what a causal mask prevents.

1. Scaling.  Queries and keys with independent unit-variance entries give dot products
   q . k with variance d_k: the scores spread as sqrt(d_k).  For d_k = 4, 16, ..., d_max
   the demo draws a batch of queries against ``n_keys`` keys and measures, with and without
   the 1/sqrt(d_k) factor, the score std, the attention entropy (in units of log n_keys:
   1 = uniform, 0 = one-hot), the largest weight, and the gradient that reaches the scores
   through the softmax (the norm of d(out)/d(scores) for a random upstream gradient; the
   median over queries - the mean is carried by the few rows that split between two keys).  Without
   the scale the softmax saturates: nearly one-hot rows, whose Jacobian diag(p) - p p^T is
   nearly 0, so almost no gradient flows back to Q and K.  With it the scores keep std 1 at
   every d_k.
2. Causal mask.  One self-attention layer (random weights) over ``seq_len`` positions, run
   with and without the mask that sets the scores of keys after the query to -inf.  The demo
   computes |d out_t / d x_s| for every pair (t, s) with autograd: with the mask every entry
   with s > t (a later input) is exactly 0 - output t cannot see the future, which is what
   lets a decoder be trained on whole sequences at once; without it, later inputs move the
   output as much as earlier ones, so a next-token predictor could just read the answer.

Honest caveats:
* the scaling argument assumes unit-variance, independent query/key entries (as at
  initialisation); trained Q and K, LayerNorm or other inits change the spread, so sqrt(d_k)
  is a good default rather than an exact law (``qk_std`` lets you break the assumption: then
  the scaled scores have std qk_std^2, not 1).
* a small gradient is not zero: a saturated softmax slows learning of Q and K, it does not
  stop the values V from learning.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="attention_scaling",
    title_en="Attention: why divide by sqrt(d_k), and what the causal mask blocks",
    title_ko="어텐션: 왜 sqrt(d_k)로 나누는가, causal mask는 무엇을 막는가",
    concept="scaled dot-product and causal masking",
    claim=(
        "With unit-variance queries and keys, unscaled scores spread as sqrt(d_k): once their "
        "std reaches 24 (d_k >= 576) the softmax is nearly one-hot (entropy below 25 % of "
        "log n) and passes at least 10x less gradient (median query) than with the "
        "1/sqrt(d_k) scale, which keeps the entropy "
        "within 10 % of its d_k = 4 value at every d_k; with a causal mask the gradient of "
        "output t with respect to every later input is exactly 0, without it later inputs get "
        "at least 10 % of the gradient that earlier inputs get."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param(
            "d_max",
            1024,
            "largest key dimension d_k (powers of 4 from 4)",
            min=16,
            max=1024,
        ),
        Param("n_keys", 64, "keys each query attends over", min=4, max=128),
        Param("batch", 256, "queries per d_k", min=8, max=512, quick=64),
        Param("qk_std", 1.0, "std of the query and key entries", min=0.05, max=4.0),
        Param("seq_len", 12, "positions in the causal-mask check", min=3, max=64),
    ),
    cards=(
        "transformer/why-scale-sqrt-dk",
        "transformer/sqrt-dk-numeric",
        "transformer/masked-self-attention",
        "transformer/causal-mask-count",
    ),
    predictions=(
        Prediction(
            "softmax_shape",
            "Without the 1/sqrt(d_k) scale, how does each query's softmax over the keys change as "
            "d_k grows from 4 to d_max (1024 at the default settings)?",
            "1/sqrt(d_k)로 나누지 않으면 d_k가 4에서 d_max(기본 설정에서 1024)까지 커질 때 각 "
            "query의 key에 대한 softmax는 어떻게 변하는가?",
            options_en=(
                "it becomes nearly uniform",
                "it barely changes",
                "it becomes nearly one-hot",
            ),
            options_ko=("거의 균등해진다", "거의 변하지 않는다", "거의 one-hot이 된다"),
            card="transformer/why-scale-sqrt-dk",
        ),
        Prediction(
            "score_std",
            "Queries and keys with unit-variance entries: what std do the unscaled scores q . k "
            "have at the largest d_k (d_max = 1024 at the default settings)?",
            "성분의 분산이 1인 query와 key에서, 가장 큰 d_k(기본 설정에서 d_max = 1024)일 때 "
            "스케일하지 않은 score q . k의 표준편차는?",
            rel_tolerance=0.15,
            card="transformer/sqrt-dk-numeric",
        ),
        Prediction(
            "future",
            "With the causal mask, how much does an input at a later position s > t change "
            "output t?",
            "causal mask가 있을 때 뒤쪽 위치 s > t의 입력은 출력 t를 얼마나 바꾸는가?",
            options_en=(
                "not at all: exactly 0",
                "a little, less than the earlier inputs",
                "as much as the earlier inputs do",
            ),
            options_ko=(
                "전혀: 정확히 0",
                "조금, 앞쪽 입력보다 적게",
                "앞쪽 입력만큼 바꾼다",
            ),
            card="transformer/masked-self-attention",
        ),
    ),
)

CAVEATS = (
    "the sqrt(d_k) argument assumes independent unit-variance query/key entries (as at init)",
    "a saturated softmax slows the learning of Q and K; V still learns",
)


def dims_up_to(d_max: int) -> list[int]:
    out, d = [], 4
    while d <= d_max:
        out.append(d)
        d *= 4
    return out


def softmax_stats(
    d: int, scaled: bool, params: dict[str, Any], gen: torch.Generator, device: torch.device
) -> dict[str, float]:
    """Score std, entropy / log n, mean max weight and the score-gradient norm for one d_k."""
    b, n, std = int(params["batch"]), int(params["n_keys"]), float(params["qk_std"])
    q = (std * torch.randn(b, 1, d, generator=gen)).to(device)
    k = (std * torch.randn(b, n, d, generator=gen)).to(device)
    upstream = torch.randn(b, 1, n, generator=gen).to(device)  # dL/d(weights), random
    scores = (q @ k.transpose(1, 2)) / (math.sqrt(d) if scaled else 1.0)
    scores.requires_grad_(True)
    p = torch.softmax(scores, dim=-1)
    (p * upstream).sum().backward()
    assert scores.grad is not None
    p = p.detach()
    entropy = -(p * torch.log(p.clamp_min(1e-30))).sum(-1)
    row_grad = scores.grad.norm(dim=-1)
    return {
        "score_std": float(scores.detach().std()),
        "entropy": float(entropy.mean()) / math.log(n),
        "max_weight": float(p.max(-1).values.mean()),
        "grad": float(row_grad.median()),
        "grad_mean": float(row_grad.mean()),
    }


def influence(seq_len: int, masked: bool, gen: torch.Generator, device: torch.device):
    """|d out_t / d x_s| (summed over features) for one random self-attention layer."""
    d = 16
    x = torch.randn(seq_len, d, generator=gen).to(device)
    wq, wk, wv = (torch.randn(d, d, generator=gen).to(device) / math.sqrt(d) for _ in range(3))

    def layer(inp: torch.Tensor) -> torch.Tensor:
        scores = (inp @ wq) @ (inp @ wk).T / math.sqrt(d)
        if masked:
            future = torch.ones(seq_len, seq_len, dtype=torch.bool, device=device).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        return torch.softmax(scores, -1) @ (inp @ wv)

    jac = torch.autograd.functional.jacobian(layer, x)  # (T, d, T, d)
    return jac.abs().sum(dim=(1, 3))  # (t, s)


def claim_for(params: dict[str, Any], d_max: int) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"With queries and keys of std {float(params['qk_std']):g} (the claim assumes 1) over "
        f"{int(params['n_keys'])} keys, unscaled scores spread as sqrt(d_k): at d_k = {d_max} "
        "(once their std reaches 24) the softmax is nearly one-hot (entropy below 25 % of log "
        "n) and passes at least 10x less gradient (median query) than with the 1/sqrt(d_k) "
        "scale, which keeps the entropy within 10 % of its d_k = 4 value at every d_k; with a "
        f"causal mask over {int(params['seq_len'])} positions the gradient of output t with "
        "respect to every later input is exactly 0, without it later inputs get at least 10 % "
        "of the gradient that earlier inputs get."
    )


def answers_for(n: dict[str, float]) -> dict[str, float]:
    """The right answers to INFO.predictions from this run's numbers."""
    drift = n["unscaled_entropy_dmax"] / n["unscaled_entropy_d4"]
    shape = 2 if drift < 0.75 else (0 if drift > 1.1 else 1)
    if n["masked_future_influence"] == 0.0:
        future = 0
    else:
        future = 1 if n["masked_future_over_past"] < 0.5 else 2
    return {
        "softmax_shape": float(shape),
        "score_std": n["unscaled_score_std_dmax"],
        "future": float(future),
    }


def judge(n: dict[str, float], params: dict[str, Any], d_max: int) -> Verdict:
    claim = claim_for(params, d_max)
    answers = answers_for(n)
    measured = (
        f"d_k = {d_max}: entropy/log n unscaled {n['unscaled_entropy_dmax']:.3g} vs scaled "
        f"{n['scaled_entropy_dmax']:.3g}, score gradient {n['unscaled_grad_dmax']:.3g} vs "
        f"{n['scaled_grad_dmax']:.3g}; scaled entropy drift {n['scaled_entropy_drift']:.1%}; "
        f"future influence masked {n['masked_future_influence']:.3g}, unmasked "
        f"{n['unmasked_future_over_past']:.2f} x the past's"
    )
    reason = ""
    if not 0.8 <= n["scaled_score_std_d4"] <= 1.25:
        reason = (
            f"the scaled scores have std {n['scaled_score_std_d4']:.3g}, not about 1: the "
            "1/sqrt(d_k) argument assumes unit-variance query and key entries (qk_std = 1)"
        )
    elif n["unscaled_score_std_dmax"] < 24:
        reason = (
            f"the unscaled scores at d_k = {d_max} have std {n['unscaled_score_std_dmax']:.3g} "
            "(< 24), too small to saturate the softmax; raise d_max"
        )
    if reason:
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "unscaled nearly one-hot": n["unscaled_entropy_dmax"] < 0.25,
        "gradient >= 10x smaller": n["scaled_grad_dmax"] >= 10 * n["unscaled_grad_dmax"],
        "scaled entropy within 10 %": n["scaled_entropy_drift"] <= 0.10,
        "mask blocks the future": n["masked_future_influence"] == 0.0,
        "unmasked future >= 10 % of past": n["unmasked_future_over_past"] >= 0.10,
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers)


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    gen = torch.Generator().manual_seed(int(params["seed"]))
    dims = dims_up_to(int(params["d_max"]))
    rows, n = [], {}
    tags = ("unscaled", "scaled")
    report.chart(
        "softmax entropy",
        x="d_k (key dimension)",
        y="entropy / log n (1 = uniform)",
        series=[f"entropy/log n {tag}" for tag in tags],
        log_y=False,
    )
    report.chart(
        "score gradient",
        x="d_k (key dimension)",
        y="|dL/d scores| (median query)",
        series=[f"score gradient {tag}" for tag in tags],
        log_y=True,
    )
    for i, d in enumerate(dims):
        if report.cancelled:
            break
        stats = {s: softmax_stats(d, s, params, gen, device) for s in (False, True)}
        report.metric(
            d,
            **{f"entropy/log n {tags[s]}": st["entropy"] for s, st in stats.items()},
            **{f"score gradient {tags[s]}": st["grad"] for s, st in stats.items()},
        )
        for s, st in stats.items():
            rows.append({"d_k": d, "scaled": s, **st})
        report.progress(i + 1, len(dims) + 1)
    report.table("softmax over scores, with and without 1/sqrt(d_k)", rows)
    last = {r["scaled"]: r for r in rows if r["d_k"] == dims[-1]}
    first = next(r for r in rows if r["scaled"] and r["d_k"] == dims[0])
    n["unscaled_entropy_d4"] = next(
        r["entropy"] for r in rows if not r["scaled"] and r["d_k"] == dims[0]
    )
    for s, r in last.items():
        tag = "scaled" if s else "unscaled"
        for key in ("score_std", "entropy", "max_weight", "grad"):
            n[f"{tag}_{key}_dmax"] = r[key]
    n["scaled_score_std_d4"] = first["score_std"]
    n["scaled_entropy_drift"] = max(
        abs(r["entropy"] / first["entropy"] - 1) for r in rows if r["scaled"]
    )

    t = int(params["seq_len"])
    future = torch.ones(t, t, dtype=torch.bool).triu(1).to(device)
    maps = {m: influence(t, m, gen, device) for m in (True, False)}
    n["masked_future_influence"] = float(maps[True][future].max())
    past = ~future
    n["unmasked_future_over_past"] = float(maps[False][future].mean() / maps[False][past].mean())
    n["masked_future_over_past"] = float(maps[True][future].mean() / maps[True][past].mean())
    top = float(maps[False].max())
    for m, img in maps.items():
        report.image(
            f"|d out_t / d x_s| {'with' if m else 'without'} causal mask",
            # each position as a 4x4 block: a 12x12 map is too small to read in a terminal
            (img / top).repeat_interleave(4, 0).repeat_interleave(4, 1),
            caption="rows: output position t, columns: input position s; above the diagonal "
            "(s > t) are later inputs - black there means no information from the future",
        )
    report.progress(len(dims) + 1, len(dims) + 1)
    return judge(n, params, dims[-1])


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

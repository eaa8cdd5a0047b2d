"""Sinusoidal positional encoding (Vaswani et al. 2017).

PE(pos, 2i) = sin(pos * w_i), PE(pos, 2i+1) = cos(pos * w_i), w_i = base^(-2i/d).

Each (sin, cos) pair is a point on a circle turning at speed w_i, so moving k positions on
is a rotation of every pair by the angle k * w_i: PE(pos + k) = M_k PE(pos) with one fixed
block-diagonal rotation matrix M_k for every pos.  Hence the dot product
PE(pos) . PE(pos + k) = sum_i cos(k w_i) depends only on the offset k.  The demo builds M_k
from k alone, checks it against every position, and contrasts a random (learned-style)
embedding, whose dot products change with the position.

There is no precondition: the identities hold for every even d_model, base and length.
The checks are numerical: M_k PE(pos) matches PE(pos + k) to 1e-6 (float64; 1e-4 in float32
on MPS), M_k is orthogonal to the same tolerance, the dot products at each offset vary over
the positions by under 1e-6 * d_model, and those of the random embedding by more than 1.

Honest caveats:
* "depends only on the offset" is a property of the dot product PE . PE; attention scores are
  (W_Q x) . (W_K x) with learned projections, which need not keep it.
* the frequencies go down to base^-1 per position: over max_len far below base the slowest
  pairs barely turn, so positions differ mainly in the fast pairs.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from studytool.demorun.params import DemoInfo, DemoParamError, Param, Prediction

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="positional_encoding",
    title_en="Sinusoidal positional encoding: shifts are rotations",
    title_ko="사인파 위치 인코딩: 위치 이동은 회전이다",
    concept="positional encoding",
    claim=(
        "For the sinusoidal positional encoding, PE(pos+k) equals one fixed rotation matrix "
        "M_k times PE(pos) for every position (to 1e-6), so the dot product PE(pos).PE(pos+k) "
        "depends only on the offset k (it varies over the positions by under 1e-6 * d_model), "
        "unlike random position embeddings (varying by more than 1)."
    ),
    params=(
        Param(
            "seed", 0, "random seed (the random embedding used for contrast)", min=0, max=2**31 - 1
        ),
        Param("d_model", 64, "encoding dimension (even)", min=4, max=1024),
        Param("max_len", 128, "number of positions", min=8, max=4096, quick=64),
        Param("offset", 5, "the offset k shown in detail", min=1, max=1000),
        Param("base", 10000.0, "base of the frequencies", min=2.0, max=1e6),
    ),
    cards=(
        "transformer/positional-encoding-why",
        "transformer/positional-encoding-where",
        "transformer/positional-encoding-formula",
        "transformer/positional-encoding-numeric",
    ),
    predictions=(
        Prediction(
            id="dot",
            prompt_en="Fix an offset k. As pos moves along the sequence, what does the dot "
            "product PE(pos) . PE(pos + k) of the sinusoidal encodings do?",
            prompt_ko="오프셋 k를 고정하자. pos가 수열을 따라 움직일 때 사인파 인코딩의 내적 "
            "PE(pos) . PE(pos + k)는 어떻게 되는가?",
            options_en=(
                "It grows with pos",
                "It shrinks with pos",
                "It stays exactly the same for every pos",
                "It jumps around with pos",
            ),
            options_ko=(
                "pos와 함께 커진다",
                "pos와 함께 작아진다",
                "모든 pos에서 정확히 같다",
                "pos에 따라 들쭉날쭉하다",
            ),
            card="transformer/positional-encoding-why",
        ),
        Prediction(
            id="norm2",
            prompt_en="What is the squared length |PE(pos)|^2 of one position's encoding, for "
            "the run's d_model?",
            prompt_ko="실행의 d_model에서 한 위치 인코딩의 제곱 길이 |PE(pos)|^2는 얼마인가?",
            tolerance=0.01,
            card="transformer/positional-encoding-formula",
        ),
    ),
)

CAVEATS = (
    "Offset-only dot products are a property of PE . PE; attention compares learned projections "
    "W_Q x and W_K x, which need not keep it.",
    "The slowest frequencies barely turn over a sequence much shorter than base: positions "
    "differ mainly in the fast (sin, cos) pairs.",
)
MIN_RANDOM_SPREAD = 1.0  # the random embedding's dot products must vary by more than this


def claim_for(params: dict[str, Any], tol: float) -> str:
    """INFO's claim with the parameters it ran with."""
    d, n = int(params["d_model"]), int(params["max_len"])
    return (
        f"For the sinusoidal positional encoding (d_model {d}, base {float(params['base']):g}, "
        f"{n} positions), PE(pos+k) equals one fixed rotation matrix M_k times PE(pos) for "
        f"every position (to {tol:g}), so the dot product PE(pos).PE(pos+k) depends only on "
        f"the offset k (it varies over the positions by under {tol:g} * d_model), unlike random "
        f"position embeddings (varying by more than {MIN_RANDOM_SPREAD:g})."
    )


def positional_encoding(
    max_len: int, d: int, base: float = 10000.0, dtype=torch.float64, device="cpu"
) -> torch.Tensor:
    """(max_len, d) matrix: even columns sin(pos w_i), odd columns cos(pos w_i)."""
    pos = torch.arange(max_len, dtype=dtype, device=device)[:, None]
    w = frequencies(d, base, dtype, device)
    pe = torch.zeros(max_len, d, dtype=dtype, device=device)
    pe[:, 0::2] = torch.sin(pos * w)
    pe[:, 1::2] = torch.cos(pos * w)
    return pe


def frequencies(d: int, base: float = 10000.0, dtype=torch.float64, device="cpu"):
    return base ** (-torch.arange(0, d, 2, dtype=dtype, device=device) / d)


def shift_matrix(k: int, d: int, base: float = 10000.0, dtype=torch.float64, device="cpu"):
    """M_k: block-diagonal 2x2 rotations by k * w_i, so that PE(pos + k) = M_k @ PE(pos)."""
    w = frequencies(d, base, dtype, device)
    c, s = torch.cos(k * w), torch.sin(k * w)
    m = torch.zeros(d, d, dtype=dtype, device=device)
    i = torch.arange(0, d, 2, device=device)
    # [sin(a+b)] = [ cos b  sin b] [sin a]
    # [cos(a+b)]   [-sin b  cos b] [cos a]
    m[i, i], m[i, i + 1] = c, s
    m[i + 1, i], m[i + 1, i + 1] = -s, c
    return m


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "dot products",
        x="offset k (positions)",
        y="mean PE(p) . PE(p + k)",
        series=["sinusoidal_dot", "predicted", "random_embedding_dot"],
        log_y=False,
    )
    d, n, k, base = params["d_model"], params["max_len"], params["offset"], params["base"]
    if d % 2:
        raise DemoParamError(f"param 'd_model': {d} must be even")
    dtype = torch.float32 if device.type == "mps" else torch.float64
    tol = 1e-4 if dtype == torch.float32 else 1e-6
    pe = positional_encoding(n, d, base, dtype, device)

    # 1. the shift is one linear map for every position
    max_k = max(1, min(n // 2, 64))
    shift_err = {}
    for kk in sorted({1, 2, 3, k if k < n else n - 1, max_k}):
        m = shift_matrix(kk, d, base, dtype, device)
        shift_err[kk] = float((pe[:-kk] @ m.T - pe[kk:]).abs().max())
    m_k = shift_matrix(k, d, base, dtype, device)
    orth_err = float((m_k.T @ m_k - torch.eye(d, dtype=dtype, device=device)).abs().max())
    report.progress(1, 3)

    # 2. dot products depend on the offset only
    gram = pe @ pe.T  # (n, n); entry (p, q) depends only on q - p
    gen = torch.Generator().manual_seed(params["seed"])
    rnd = torch.randn(n, d, generator=gen, dtype=dtype).to(device) / math.sqrt(2)
    gram_rnd = rnd @ rnd.T  # same expected norm^2 (d / 2) as the sinusoidal rows
    spread, spread_rnd = [], []
    for kk in range(0, max_k + 1):
        diag = torch.diagonal(gram, kk)
        diag_r = torch.diagonal(gram_rnd, kk)
        spread.append(float(diag.max() - diag.min()))
        spread_rnd.append(float(diag_r.max() - diag_r.min()))
        predicted = float(torch.cos(kk * frequencies(d, base, dtype, device)).sum())
        report.metric(
            kk,
            sinusoidal_dot=float(diag.mean()),
            predicted=predicted,
            random_embedding_dot=float(diag_r.mean()),
        )
        if report.cancelled:
            break
    report.progress(2, 3)

    report.image(
        "PE matrix",
        pe.T.float().cpu(),
        caption=f"rows: dimension 0..{d - 1}, columns: position 0..{n - 1}",
    )
    report.image(
        "PE . PE (Gram matrix)",
        gram.float().cpu(),
        caption="constant along every diagonal: depends only on q - p",
    )
    report.table(
        "PE(pos + k) vs M_k PE(pos)",
        [{"k": kk, "max |error| over all positions": e} for kk, e in shift_err.items()],
    )
    report.log(
        f"dot products at a fixed offset vary across positions by at most "
        f"{max(spread):.2e} (sinusoidal) vs {max(spread_rnd[1:] or [0]):.2f} (random)"
    )
    report.progress(3, 3)

    norm = pe.norm(dim=1)
    numbers = {
        "max_shift_error": max(shift_err.values()),
        f"shift_error_k{k}": shift_err.get(k, float("nan")),
        "rotation_orthogonality_error": orth_err,
        "max_dot_spread_sinusoidal": max(spread),
        "max_dot_spread_random": max(spread_rnd[1:] or [0.0]),
        "norm_min": float(norm.min()),
        "norm_max": float(norm.max()),
        f"dot_at_offset_{min(k, max_k)}": float(torch.diagonal(gram, min(k, max_k)).mean()),
        "dot_at_offset_0": float(torch.diagonal(gram).mean()),
    }
    checks = {
        "M_k PE(pos) = PE(pos+k)": numbers["max_shift_error"] < tol,
        "M_k orthogonal": orth_err < tol,
        "dot products depend on k only": numbers["max_dot_spread_sinusoidal"] < tol * d,
        "random embedding's do not": numbers["max_dot_spread_random"] > MIN_RANDOM_SPREAD,
    }
    failed = [c for c, ok in checks.items() if not ok]
    summary = (
        f"max |M_k PE(pos) - PE(pos+k)| = {numbers['max_shift_error']:.1e} over {n} positions; "
        f"dot products at a fixed offset vary by {numbers['max_dot_spread_sinusoidal']:.1e} "
        f"(random embeddings: {numbers['max_dot_spread_random']:.1f})"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    # the dot products at one offset: constant (2), else their trend over the positions
    diag = torch.diagonal(gram, min(k, max_k))
    if numbers["max_dot_spread_sinusoidal"] < tol * d:
        trend = 2
    else:
        pos = torch.arange(len(diag), dtype=diag.dtype, device=diag.device)
        corr = float(torch.corrcoef(torch.stack([pos, diag]))[0, 1])
        trend = 0 if corr > 0.5 else (1 if corr < -0.5 else 3)
    answers = {"dot": trend, "norm2": numbers["dot_at_offset_0"]}
    return Verdict(
        not failed and not report.cancelled,
        numbers,
        summary,
        claim=claim_for(params, tol),
        caveats=CAVEATS,
        answers=answers,
    )


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

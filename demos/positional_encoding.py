"""Sinusoidal positional encoding (Vaswani et al. 2017).

PE(pos, 2i) = sin(pos * w_i), PE(pos, 2i+1) = cos(pos * w_i), w_i = base^(-2i/d).

Each (sin, cos) pair is a point on a circle turning at speed w_i, so moving k positions on
is a rotation of every pair by the angle k * w_i: PE(pos + k) = M_k PE(pos) with one fixed
block-diagonal rotation matrix M_k for every pos.  Hence the dot product
PE(pos) . PE(pos + k) = sum_i cos(k w_i) depends only on the offset k.  The demo builds M_k
from k alone, checks it against every position, and contrasts a random (learned-style)
embedding, whose dot products change with the position.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from studytool.demorun.params import DemoInfo, Param

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="positional_encoding",
    title_en="Sinusoidal positional encoding: shifts are rotations",
    title_ko="사인파 위치 인코딩: 위치 이동은 회전이다",
    concept="positional encoding",
    claim=(
        "For the sinusoidal positional encoding, PE(pos+k) equals one fixed rotation matrix "
        "M_k times PE(pos) for every position, so the dot product PE(pos).PE(pos+k) depends "
        "only on the offset k (unlike random position embeddings)."
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
        from studytool.demorun.params import DemoParamError

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
    holds = bool(
        numbers["max_shift_error"] < tol
        and orth_err < tol
        and numbers["max_dot_spread_sinusoidal"] < tol * d
        and numbers["max_dot_spread_random"] > 1.0
    )
    summary = (
        f"max |M_k PE(pos) - PE(pos+k)| = {numbers['max_shift_error']:.1e} over {n} positions; "
        f"dot products at a fixed offset vary by {numbers['max_dot_spread_sinusoidal']:.1e} "
        f"(random embeddings: {numbers['max_dot_spread_random']:.1f})"
    )
    return Verdict(holds, numbers, summary)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

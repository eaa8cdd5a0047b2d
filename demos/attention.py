"""Scaled dot-product attention: where it looks, and what the N x N score matrix costs.

1. A pointer task.  Each sequence starts with a pointer p, followed by random tokens; the
   answer is the token at position p + 1.  One attention head - the query comes from the
   first position, keys and values from every position (token + learned position
   embedding) - has to learn to look at the right place.  The heatmap shows its attention
   weights next to the position it should look at.
2. The cost.  softmax(Q K^T / sqrt(d)) V builds an N x N score matrix: its memory (bytes
   of the tensor actually allocated) and its compute time are measured for growing N and
   a power law is fitted - memory grows exactly as N^2, time close to N^2, while the Q/K/V
   projections grow only linearly in N.

Preconditions (else "does not apply"): the cost is fitted over at least three sizes N
(max_n >= 1024), since two points always lie on some power law.

Honest caveats:
* the time exponent is this machine's: fixed overheads at small N and cache misses at large N
  move it away from 2 (runs here gave 1.9 to 2.4), and on a GPU small N finish in kernel-launch
  time, so the demo measures 4x larger N there.
* the pointer task needs one hop through one head; trained language-model heads spread their
  weight far more, and a clean one-hot pattern here says nothing about what a head learns there.
"""

from __future__ import annotations

import math
import time
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="attention",
    title_en="Attention: learning where to look, and the N^2 cost",
    title_ko="어텐션: 어디를 볼지 배우기, 그리고 N^2 비용",
    concept="scaled dot-product attention",
    claim=(
        "A single attention head learns a pointer task (test accuracy above 90 %) by putting "
        "most of its weight (more than half on average) on the one position that holds the "
        "answer, and the N x N score matrix costs memory that grows exactly as N^2 (fitted "
        "exponent within 0.01 of 2) and time that grows close to N^2 (fitted exponent above 1.5)."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param("seq_len", 10, "sequence length of the pointer task", min=3, max=64),
        Param("vocab", 10, "number of token values", min=2, max=100),
        Param("d_model", 32, "embedding width", min=4, max=256),
        Param("steps", 400, "training steps", min=10, max=10000, quick=150),
        Param("batch", 128, "batch size", min=8, max=4096),
        Param("lr", 0.01, "Adam learning rate", min=1e-5, max=1.0),
        Param("max_n", 4096, "largest N for the cost measurement", min=256, max=16384, quick=2048),
        Param("head_dim", 64, "head dimension for the cost measurement", min=8, max=512),
    ),
    cards=(
        "generated/attention-matrix-size",
        "peer-questions/mha-concat-wo",
        "peer-questions/mha-out-proj-params",
        "transformer/qkv-definition",
        "transformer/attention-steps-order",
        "transformer/scaled-dot-product-formula",
        "transformer/it-refers-to-animal",
        "transformer/multi-head-attention",
        "transformer/multi-head-garbled-line",
        "transformer/multi-head-dk",
        "transformer/mha-param-count",
        "transformer/attention-complexity-cloze",
        "transformer/attention-matrix-512",
        "transformer/attention-matrix-8-heads",
        "transformer/attention-doubling-n",
        "transformer/vision-transformer",
        "transformer/vit-patch-count",
    ),
    predictions=(
        Prediction(
            "looks_at",
            "After training, where does the head put its largest attention weight for most "
            "sequences?",
            "학습 후 대부분의 시퀀스에서 헤드가 가장 큰 attention 가중치를 두는 곳은?",
            options_en=(
                "on position 0, the pointer",
                "spread about evenly over all positions",
                "on the position that holds the answer",
            ),
            options_ko=(
                "포인터가 있는 위치 0",
                "모든 위치에 거의 고르게",
                "정답이 있는 위치",
            ),
            card="transformer/qkv-definition",
        ),
        Prediction(
            "memory_doubling",
            "When the sequence length N doubles, what happens to the memory of the N x N score "
            "matrix?",
            "시퀀스 길이 N이 두 배가 되면 N x N score 행렬의 메모리는?",
            options_en=("x2", "x4", "x8"),
            options_ko=("2배", "4배", "8배"),
            card="transformer/attention-doubling-n",
        ),
    ),
)

CAVEATS = (
    "the time exponent is this machine's: overheads at small N and cache misses at large N move "
    "it away from 2",
    "one head, one hop: trained language-model heads spread their weight far more",
)
MIN_SIZES = 3  # a power law fitted through two points always fits


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"A single attention head trained for {int(params['steps'])} steps learns a pointer task "
        f"over {int(params['seq_len'])} positions (test accuracy above 90 %) by putting more than "
        "half of its weight on average on the position that holds the answer, and the N x N "
        f"score matrix (N up to {int(params['max_n'])}) costs memory that grows exactly as N^2 "
        "(fitted exponent within 0.01 of 2) and time that grows close to N^2 (fitted exponent "
        "above 1.5)."
    )


def judge(n: dict[str, float], params: dict[str, Any], answers: dict[str, float]) -> Verdict:
    """Preconditions first, then each part of the claim with its floor."""
    claim = claim_for(params)
    measured = (
        f"test accuracy {n['test_accuracy']:.2f} (chance {n['chance_accuracy']:.2f}), "
        f"{n['mean_weight_on_target']:.2f} of the attention on the answer's position (uniform "
        f"{n['uniform_weight']:.2f}); score matrix memory ~ N^{n['memory_exponent']:.2f}, time "
        f"~ N^{n['time_exponent']:.2f} (projections ~ N^{n['projection_time_exponent']:.2f}) "
        f"over {int(n['sizes'])} sizes"
    )
    if n["sizes"] < MIN_SIZES:
        reason = (
            f"the cost was measured at only {int(n['sizes'])} sizes of N (needs >= {MIN_SIZES} "
            "for a power-law fit): raise max_n to at least 1024"
        )
        return Verdict.does_not_apply(
            reason, n, measured, claim=claim, caveats=CAVEATS, answers=answers
        )
    checks = {
        "test accuracy > 90 %": n["test_accuracy"] > 0.9,
        "mean weight on the answer > 0.5": n["mean_weight_on_target"] > 0.5,
        "memory exponent within 0.01 of 2": abs(n["memory_exponent"] - 2.0) <= 0.01,
        "time exponent > 1.5": n["time_exponent"] > 1.5,
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers)


class PointerAttention(nn.Module):
    """One head: query from position 0, keys/values from every position."""

    def __init__(self, vocab: int, seq_len: int, d: int) -> None:
        super().__init__()
        self.tok = nn.Embedding(max(vocab, seq_len), d)
        self.pos = nn.Embedding(seq_len, d)
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.out = nn.Linear(d, vocab)
        self.d = d

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.tok(x) + self.pos(torch.arange(x.shape[1], device=x.device))
        q = self.q(h[:, 0])  # (B, d)
        scores = torch.einsum("bd,bld->bl", q, self.k(h)) / math.sqrt(self.d)
        weights = scores.softmax(-1)
        context = torch.einsum("bl,bld->bd", weights, self.v(h))
        return self.out(context), weights


def pointer_batch(
    n: int, seq_len: int, vocab: int, gen: torch.Generator, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x, target token, target position): x[:, 0] = p, answer x[:, p + 1]."""
    x = torch.randint(0, vocab, (n, seq_len), generator=gen)
    p = torch.randint(0, seq_len - 1, (n,), generator=gen)
    x[:, 0] = p
    where = p + 1
    y = x[torch.arange(n), where]
    return x.to(device), y.to(device), where.to(device)


def attention_cost(n: int, d: int, device: torch.device, gen: torch.Generator, repeats: int = 3):
    """(seconds, score-matrix bytes, projection seconds) of one attention over N tokens.

    On the CPU the time is the process CPU time with one thread (the work done, which other
    programs running at the same time barely disturb); on a GPU it is synchronised wall
    time.  The best of ``repeats`` runs counts."""
    x = torch.randn(n, d, generator=gen).to(device)
    w = torch.randn(d, 3 * d, generator=gen).to(device) / math.sqrt(d)
    on_gpu = device.type != "cpu"

    def clock() -> float:
        if on_gpu:
            if device.type == "cuda":
                torch.cuda.synchronize()
            return time.perf_counter()
        return time.process_time()

    best, best_proj, nbytes = math.inf, math.inf, 0
    threads = torch.get_num_threads()
    if not on_gpu:
        torch.set_num_threads(1)
    try:
        for _ in range(repeats):
            t0 = clock()
            q, k, v = (x @ w).split(d, dim=1)  # projections: O(N d^2)
            t1 = clock()
            scores = q @ k.T / math.sqrt(d)  # (N, N): O(N^2 d)
            out = scores.softmax(-1) @ v
            t2 = clock()
            nbytes = scores.untyped_storage().nbytes()
            best, best_proj = min(best, t2 - t1), min(best_proj, t1 - t0)
            del scores, out
    finally:
        torch.set_num_threads(threads)
    return best, nbytes, best_proj


def fit_exponent(ns: list[int], ys: list[float]) -> float:
    """Least-squares slope of log y against log N."""
    lx = torch.tensor([math.log(v) for v in ns], dtype=torch.float64)
    ly = torch.tensor([math.log(max(v, 1e-12)) for v in ys], dtype=torch.float64)
    lx, ly = lx - lx.mean(), ly - ly.mean()
    return float((lx * ly).sum() / (lx * lx).sum())


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart("loss", x="training step", y="cross-entropy (nats)", series=["loss"])
    report.chart(
        "accuracy",
        x="training step",
        y="fraction of queries",
        series=["accuracy", "weight_on_target"],
    )
    gen = torch.Generator().manual_seed(params["seed"])
    L, V, d = params["seq_len"], params["vocab"], params["d_model"]
    steps = params["steps"]
    model = PointerAttention(V, L, d).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=params["lr"])
    ns = [n for n in (256, 512, 1024, 2048, 4096, 8192, 16384) if n <= params["max_n"]]
    if device.type != "cpu":
        # a GPU finishes small N in kernel-launch time; only larger N show the N^2 cost
        ns = [4 * n for n in ns]
    if device.type == "cuda":
        # the scores, their softmax and one temporary: three N x N float32 matrices, kept within
        # half the free device memory so that the largest N cannot run the GPU out of memory
        free = torch.cuda.mem_get_info(device)[0]
        fits = [n for n in ns if 3 * 4 * n * n <= free // 2]
        if len(fits) < len(ns):
            report.log(
                f"N capped at {fits[-1] if fits else 0} by free device memory "
                f"({free / 2**30:.1f} GiB free)"
            )
        ns = fits
    total = steps + len(ns)

    # 1. the pointer task
    for step in range(1, steps + 1):
        x, y, where = pointer_batch(params["batch"], L, V, gen, device)
        logits, weights = model(x)
        loss = F.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0 or step == 1:
            with torch.no_grad():
                acc = (logits.argmax(1) == y).float().mean()
                on_target = weights[torch.arange(len(x), device=x.device), where].mean()
            report.metric(
                step, loss=loss.item(), accuracy=float(acc), weight_on_target=float(on_target)
            )
            report.progress(step, total)
        if report.cancelled:
            break

    model.eval()
    with torch.no_grad():
        x, y, where = pointer_batch(2000, L, V, gen, device)
        logits, weights = model(x)
        test_acc = float((logits.argmax(1) == y).float().mean())
        on_target = weights[torch.arange(len(x), device=x.device), where]
        mean_on_target = float(on_target.mean())
        argmax_right = float((weights.argmax(1) == where).float().mean())
        argmax_pointer = float((weights.argmax(1) == 0).float().mean())
    rows = 16
    target = F.one_hot(where[:rows], L).float()
    gap = torch.full((rows, 1), 0.5, device=weights.device)
    report.image(
        "attention weights",
        torch.cat([weights[:rows], gap, target], 1).cpu(),
        caption=f"left: weights of {rows} test sequences over positions 0..{L - 1}; right: "
        "where the answer is",
    )
    report.log(
        f"test accuracy {test_acc:.3f} (chance {1 / V:.3f}); mean weight on the answer's "
        f"position {mean_on_target:.3f} (uniform would be {1 / L:.3f})"
    )

    # 2. the cost of the score matrix
    times, mems, proj = [], [], []
    for i, n in enumerate(ns):
        t, nbytes, tp = attention_cost(n, params["head_dim"], device, gen)
        times.append(t)
        mems.append(nbytes)
        proj.append(tp)
        # (not a metric event: the live plot's x axis is the training step)
        report.log(f"N={n}: score matrix {nbytes / 2**20:.2f} MB, {t * 1000:.2f} ms")
        report.progress(steps + i + 1, total)
        if report.cancelled:
            break
    ns = ns[: len(times)]
    mem_exp = fit_exponent(ns, mems) if len(ns) > 1 else float("nan")
    time_exp = fit_exponent(ns, times) if len(ns) > 1 else float("nan")
    proj_exp = fit_exponent(ns, proj) if len(ns) > 1 else float("nan")
    report.table(
        "attention over N tokens",
        [
            {
                "N": n,
                "score matrix MB": round(m / 2**20, 3),
                "score+softmax+AV ms": round(t * 1e3, 3),
                "Q/K/V projections ms": round(p * 1e3, 3),
            }
            for n, m, t, p in zip(ns, mems, times, proj, strict=True)
        ],
    )

    numbers = {
        "test_accuracy": test_acc,
        "chance_accuracy": 1 / V,
        "mean_weight_on_target": mean_on_target,
        "uniform_weight": 1 / L,
        "argmax_on_target": argmax_right,
        "memory_exponent": mem_exp,
        "time_exponent": time_exp,
        "projection_time_exponent": proj_exp,
        "largest_n": float(ns[-1]) if ns else 0.0,
        "score_matrix_MB_at_largest_n": mems[-1] / 2**20 if mems else 0.0,
    }
    numbers["sizes"] = float(len(ns))
    looks_at = 2 if argmax_right >= 0.5 else (0 if argmax_pointer >= 0.5 else 1)
    answers = {"looks_at": float(looks_at)}
    if len(ns) > 1:  # x2, x4 or x8: the nearest power of two to 2^exponent
        answers["memory_doubling"] = float(min(range(3), key=lambda i: abs(i + 1 - mem_exp)))
    return judge(numbers, params, answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

"""Exploding gradients in a linear RNN, and gradient clipping.

A linear RNN h_t = W h_{t-1} + U x_t with output y = v . h_T.  Backpropagation through time
multiplies the gradient by W^T once per step, so the gradient that reaches h_{T-k} is
(W^T)^k v.  With W = rho * Q (Q a random orthogonal matrix, so every eigenvalue has modulus
rho) its norm is exactly rho^k |v|: it grows geometrically when the spectral radius rho > 1
and vanishes when rho < 1.

1. The demo measures |dy/dh_{T-k}| with autograd for rho = 0.9, 1.0 and ``radius`` and fits
   the per-step growth factor (the slope of log |grad| against k).
2. It trains the RNN (SGD, ``radius`` as the initial spectral radius) to imitate a teacher RNN
   with radius 0.8, twice from the same weights and batches: once plain, once with
   ``torch.nn.utils.clip_grad_norm_(max_norm)``.  The first gradient is huge, so the plain
   step throws W far away, the outputs grow as rho^T, and the loss overflows to inf/NaN within
   a few steps; the clipped step has length at most lr * max_norm, W shrinks gradually and
   the loss comes down.

Preconditions (else "does not apply"): radius > 1 and radius^seq_len >= 10, i.e. the gradient
really explodes over the sequence.

Honest caveats:
* clipping bounds the step, it does not fix the direction or the cause: with rho < 1 the
  gradients vanish and clipping does nothing (it only ever shrinks a gradient).
* whether the plain run diverges depends on lr and radius: a small enough lr survives a large
  gradient for a while; the claim is about these settings, shown in the numbers.
* a linear RNN is the cleanest case; with tanh the saturation also damps the growth.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from studytool.demorun.params import DemoInfo, Param, Prediction

from ._base import Reporter, Verdict

INFO = DemoInfo(
    name="exploding_gradients",
    title_en="Exploding gradients and gradient clipping",
    title_ko="기울기 폭주와 gradient clipping",
    concept="exploding gradients and clipping",
    claim=(
        "In a linear RNN whose recurrent matrix has spectral radius rho > 1, the gradient "
        "k steps back grows as rho^k (fitted per-step factor within 2 % of rho, at least 10x "
        "over the sequence); trained with plain SGD from there the loss overflows to inf/NaN, "
        "while with clip_grad_norm_ every update is at most lr * max_norm long and the loss "
        "falls below 25 % of the loss of predicting 0 (it learns the teacher)."
    ),
    params=(
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
        Param(
            "radius", 1.15, "spectral radius of the student's recurrent matrix", min=0.5, max=1.5
        ),
        Param("seq_len", 20, "time steps per sequence", min=5, max=60),
        Param("hidden", 8, "hidden units", min=2, max=64),
        Param("lr", 0.1, "SGD learning rate", min=1e-4, max=1.0),
        Param("max_norm", 1.0, "clip_grad_norm_ threshold", min=1e-3, max=100.0),
        Param("steps", 150, "training steps per run", min=10, max=2000, quick=120),
    ),
    cards=(
        "rnn/gradient-clipping",
        "rnn/gradient-clipping-numeric",
        "rnn/gradient-clipping-vanishing",
    ),
    predictions=(
        Prediction(
            id="plain",
            prompt_en="Trained with plain SGD (no clipping) from a recurrent matrix whose "
            "spectral radius is above 1, what happens to the training loss?",
            prompt_ko="스펙트럼 반경이 1보다 큰 순환 행렬에서 시작해 클리핑 없이 일반 SGD로 "
            "학습하면 학습 손실은 어떻게 되는가?",
            options_en=(
                "It overflows to inf/NaN",
                "It falls steadily",
                "It stays about where it started",
            ),
            options_ko=(
                "inf/NaN으로 넘쳐 버린다",
                "꾸준히 내려간다",
                "처음 값 근처에 머문다",
            ),
            card="rnn/gradient-clipping",
        ),
        Prediction(
            id="growth",
            prompt_en="The recurrent matrix is rho times an orthogonal matrix (rho = the radius "
            "parameter). By what factor does the gradient norm grow per step back in time?",
            prompt_ko="순환 행렬은 rho 곱하기 직교 행렬이다 (rho = radius 파라미터). 시간을 한 "
            "스텝 거슬러 갈 때마다 기울기 노름은 몇 배가 되는가?",
            tolerance=0.02,
            unit="x per step",
            card="rnn/gradient-clipping-numeric",
        ),
    ),
)

N_IN = 4
N_SEQ = 256
BATCH = 32
CAVEATS = (
    "clipping bounds the step, it does not cure vanishing gradients",
    "whether the plain run diverges depends on lr and radius",
)


def orthogonal(d: int, gen: torch.Generator) -> torch.Tensor:
    q, r = torch.linalg.qr(torch.randn(d, d, generator=gen))
    return q * torch.sign(torch.diagonal(r))  # a uniformly random orthogonal matrix


def forward(w: torch.Tensor, u: torch.Tensor, v: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    h = x.new_zeros(x.shape[0], w.shape[0])
    for t in range(x.shape[1]):
        h = h @ w.T + x[:, t] @ u.T
    return h @ v


def backward_norms(rho: float, q: torch.Tensor, v: torch.Tensor, steps: int) -> list[float]:
    """|dy / dh_{T-k}| for k = 0..steps, y = v . h_T with h_t = rho Q h_{t-1}, by autograd."""
    h0 = torch.zeros(q.shape[0], device=q.device, requires_grad=True)
    hs = [h0]
    for _ in range(steps):
        hs.append(rho * q @ hs[-1] + 1.0)  # + 1: the inputs do not change the Jacobian
        hs[-1].retain_grad()
    (hs[-1] @ v).backward()
    return [float(h.grad.norm()) for h in reversed(hs) if h.grad is not None]


def growth_factor(norms: list[float]) -> float:
    """exp(slope) of a least-squares line through log |grad| against k."""
    k = torch.arange(len(norms), dtype=torch.float64)
    y = torch.tensor(norms, dtype=torch.float64).log()
    slope = ((k - k.mean()) * (y - y.mean())).sum() / ((k - k.mean()) ** 2).sum()
    return math.exp(float(slope))


def train(
    clip: bool, params: dict[str, Any], device: torch.device, report: Reporter
) -> dict[str, Any]:
    """One SGD run on the teacher task; losses, pre-clip gradient norms and step lengths."""
    gen = torch.Generator().manual_seed(int(params["seed"]))
    d, t = int(params["hidden"]), int(params["seq_len"])
    teacher = (
        0.8 * orthogonal(d, gen),
        torch.randn(d, N_IN, generator=gen) / 2,
        torch.randn(d, generator=gen) / 4,
    )
    x = torch.randn(N_SEQ, t, N_IN, generator=gen).to(device)
    y = forward(*(p.to(device) for p in teacher), x)
    student = [
        float(params["radius"]) * orthogonal(d, gen),
        torch.randn(d, N_IN, generator=gen) / 2,
        torch.randn(d, generator=gen) / 4,
    ]
    ps = [p.to(device).requires_grad_(True) for p in student]
    opt = torch.optim.SGD(ps, lr=float(params["lr"]))
    limit = float(params["max_norm"]) if clip else math.inf
    losses, grads, moves = [], [], []
    for _ in range(int(params["steps"])):
        if report.cancelled:
            break
        idx = torch.randint(0, N_SEQ, (BATCH,), generator=gen).to(device)
        loss = ((forward(*ps, x[idx]) - y[idx]) ** 2).mean()
        losses.append(float(loss.detach()))
        if not math.isfinite(losses[-1]):
            break  # overflowed: nothing left to train
        opt.zero_grad()
        loss.backward()
        grads.append(float(torch.nn.utils.clip_grad_norm_(ps, limit)))
        before = [p.detach().clone() for p in ps]
        opt.step()
        moves.append(
            float(
                torch.cat(
                    [(p.detach() - b).flatten() for p, b in zip(ps, before, strict=True)]
                ).norm()
            )
        )
    return {"loss": losses, "grad": grads, "move": moves, "zero_loss": float((y**2).mean())}


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    return (
        f"In a linear RNN whose recurrent matrix has spectral radius {float(params['radius']):g}"
        f" (the claim needs > 1), the gradient k steps back over {int(params['seq_len'])} steps "
        "grows as rho^k (fitted per-step factor within 2 % of rho, at least 10x over the "
        f"sequence); trained with plain SGD at lr {float(params['lr']):g} from there the loss "
        "overflows to inf/NaN, while with clip_grad_norm_(max_norm="
        f"{float(params['max_norm']):g}) every update is at most lr * max_norm long and after "
        f"{int(params['steps'])} steps the loss is below 25 % of the loss of predicting 0."
    )


def answers_for(n: dict[str, float]) -> dict[str, float]:
    """The right answers to INFO.predictions from the run's numbers."""
    if n["plain_diverged"]:
        plain = 0  # overflowed
    elif n["plain_final_loss"] < 0.5 * n["start_loss"]:
        plain = 1  # fell
    else:
        plain = 2  # stayed
    return {"plain": plain, "growth": n["growth_factor"]}


def judge(n: dict[str, float], params: dict[str, Any]) -> Verdict:
    radius, seq_len = float(params["radius"]), int(params["seq_len"])
    claim, answers = claim_for(params), answers_for(n)
    plain_end = "inf/NaN" if n["plain_diverged"] else f"{n['plain_final_loss']:.3g}"
    measured = (
        f"gradient grows {n['growth_factor']:.4g}x per step back (rho {radius:g}), "
        f"{n['grad_ratio']:.3g}x over {seq_len} steps; plain SGD: loss "
        f"{n['start_loss']:.3g} -> {plain_end}"
        f" (first step {n['plain_first_move']:.3g} long); clipped: loss -> "
        f"{n['clipped_final_loss']:.3g} (predicting 0: {n['zero_loss']:.3g}), steps <= "
        f"{n['clipped_max_move']:.3g}"
    )
    if radius <= 1 or radius**seq_len < 10:
        return Verdict.does_not_apply(
            f"radius^seq_len = {radius**seq_len:.3g} (radius {radius:g}); the gradient explodes "
            "only for radius > 1 with radius^seq_len >= 10",
            n,
            measured,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    checks = {
        "growth factor within 2 % of rho": abs(n["growth_factor"] / radius - 1) <= 0.02,
        "gradient grows >= 10x": n["grad_ratio"] >= 10,
        "plain SGD overflows": n["plain_diverged"] == 1.0,
        "clipped steps <= lr*max_norm": n["clipped_max_move"] <= n["step_bound"] * (1 + 1e-4),
        "clipped loss < 25 % of predicting 0": n["clipped_final_loss"] < 0.25 * n["zero_loss"],
    }
    return Verdict.from_checks(checks, n, measured, claim=claim, caveats=CAVEATS, answers=answers)


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    radius, t = float(params["radius"]), int(params["seq_len"])
    gen = torch.Generator().manual_seed(int(params["seed"]))
    d = int(params["hidden"])
    q = orthogonal(d, gen).to(device)
    v = torch.randn(d, generator=gen).to(device)
    rhos = {"rho 0.9": 0.9, "rho 1.0": 1.0, f"rho {radius:g}": radius}
    norms = {name: backward_norms(r, q, v, t) for name, r in rhos.items()}
    report.table(
        "|dy / dh_(T-k)|, k steps back",
        [
            {"k": k, **{name: vals[k] for name, vals in norms.items()}}
            for k in range(0, t + 1, max(1, t // 10))
        ],
    )
    mine = norms[f"rho {radius:g}"]
    n: dict[str, float] = {
        "growth_factor": growth_factor(mine),
        "grad_ratio": mine[-1] / mine[0],
    }
    report.progress(1, 3)

    runs = {}
    for i, clip in enumerate((False, True)):
        runs[clip] = train(clip, params, device, report)
        report.progress(2 + i, 3)
    plain, clipped = runs[False], runs[True]
    report.chart(
        "training loss",
        x="SGD step",
        y="mean squared error",
        series=[f"training loss, {tag}" for tag in ("plain", "clipped")],
    )
    for i in range(max(len(plain["loss"]), len(clipped["loss"]))):
        # the plain run stops when its loss overflows (inf/NaN reach the chart as gaps)
        report.metric(
            i + 1,
            **{
                f"training loss, {'clipped' if c else 'plain'}": r["loss"][i]
                if i < len(r["loss"])
                else math.nan
                for c, r in runs.items()
            },
        )
    report.table(
        "training from spectral radius " + f"{radius:g}",
        [
            {
                "run": "clipped" if c else "plain",
                "steps taken": len(r["move"]),
                "first loss": r["loss"][0],
                "last loss": r["loss"][-1],
                "largest gradient norm": max(r["grad"]),
                "longest step": max(r["move"]),
            }
            for c, r in runs.items()
        ],
    )
    tail = clipped["loss"][-10:]
    n.update(
        start_loss=plain["loss"][0],
        plain_final_loss=plain["loss"][-1],
        plain_diverged=float(not all(math.isfinite(x) for x in plain["loss"])),
        plain_first_move=plain["move"][0],
        clipped_final_loss=sum(tail) / len(tail),
        clipped_max_move=max(clipped["move"]),
        step_bound=float(params["lr"]) * float(params["max_norm"]),
        zero_loss=clipped["zero_loss"],
    )
    return judge(n, params)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

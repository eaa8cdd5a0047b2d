"""A tiny transformer learns to reverse a sequence; without positional encoding it cannot.

Task: the input is L distinct tokens drawn from a vocabulary of V; the output at position i must
be the input token at position L-1-i. One encoder-only transformer (pre-LayerNorm, learned
position embeddings) is trained with cross-entropy at every position; a second, identical model
has NO positional encoding.

Why the second one must fail: self-attention and the per-position MLP are permutation-
equivariant, so without position information the output at position i can depend only on the
token x_i and on the (unordered) set of tokens. Because the tokens are distinct and randomly
ordered, given x_i and the set the target x_{L-1-i} is uniformly distributed over the other
L-1 tokens (for even L; for odd L, over all L including x_i itself). So no position-blind model
can beat 1/(L-1) token accuracy (1/L for odd L) - the "position-blind ceiling" reported here.

The claim's margins: over 90 % token accuracy with positions; without them at most the ceiling
plus three standard errors of the 1000-sequence test estimate plus 0.01.  Precondition (else
"does not apply"): L >= 4, so that the ceiling (1/3 at L = 4) is well below 90 %.

Honest caveats:
* reversal of distinct tokens is a toy task chosen so the position-blind ceiling is exact;
* the model uses learned position embeddings; sinusoidal ones would do as well here.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from studytool.demorun.params import DemoInfo, DemoParamError, Param, Prediction

from ._base import Reporter, Verdict, seed_everything

INFO = DemoInfo(
    name="transformer",
    title_en="Transformer: attention plus position reverses a sequence",
    title_ko="트랜스포머: 어텐션과 위치 정보로 수열 뒤집기",
    concept="self-attention / positional encoding",
    claim=(
        "A tiny transformer learns to reverse sequences of distinct tokens with over 90% token "
        "accuracy, while the same model without positional encoding stays at the position-blind "
        "ceiling of 1/(L-1) (within sampling error), because attention alone is blind to order."
    ),
    params=(
        Param("length", 12, "sequence length L", min=2, max=32, quick=8),
        Param(
            "vocab",
            24,
            "vocabulary size V (at least L: tokens are distinct)",
            min=2,
            max=256,
            quick=16,
        ),
        Param("d_model", 32, "embedding width", min=4, max=256),
        Param("layers", 1, "transformer layers", min=1, max=8),
        Param("heads", 2, "attention heads (must divide d_model)", min=1, max=16),
        Param("steps", 300, "Adam steps per model", min=10, max=10000, quick=100),
        Param("lr", 0.003, "Adam learning rate", min=1e-5, max=1.0),
        Param("batch", 64, "sequences per minibatch", min=1, max=2048),
        Param("seed", 0, "random seed", min=0, max=2**31 - 1),
    ),
    cards=(
        "peer-questions/transformer-first-token",
        "peer-questions/distribution-over-words",
        "transformer/transformer-definition",
        "transformer/transformer-replaced-rnn",
        "transformer/sequence-transduction",
        "transformer/transformer-parallel",
        "transformer/encoder-structure",
        "transformer/ffn-independent",
        "transformer/embedding-vector",
        "transformer/multi-head-wo-linear",
        "transformer/ffn-param-count",
        "transformer/encoder-layer-param-count",
        "transformer/add-and-norm",
        "transformer/decoder-layer-order",
        "transformer/encoder-decoder-attention",
        "transformer/decoder-first-word",
        "transformer/output-distribution-over-words",
        "transformer/bert-gpt-architecture",
    ),
    predictions=(
        Prediction(
            id="no_pos_acc",
            prompt_en="The model WITHOUT positional encoding learns to reverse sequences of L "
            "distinct tokens (L = the run's length). What token accuracy does it reach?",
            prompt_ko="위치 인코딩이 없는 모델이 서로 다른 토큰 L개(L = 실행의 length)의 수열을 "
            "뒤집도록 학습한다. 토큰 정확도는 얼마가 될까?",
            tolerance=4.0,
            unit="%",
            card="transformer/transformer-parallel",
        ),
        Prediction(
            id="with_pos",
            prompt_en="Will the same model WITH positional encoding get over 90 % of the tokens "
            "right?",
            prompt_ko="위치 인코딩이 있는 같은 모델은 토큰의 90 % 넘게 맞출까?",
            options_en=("Yes", "No"),
            options_ko=("예", "아니요"),
            card="transformer/transformer-definition",
        ),
    ),
)

MIN_ACC = 0.9  # "over 90 % token accuracy"
MIN_LENGTH = 4
CAVEATS = (
    "Reversing distinct tokens is a toy task, chosen so that the position-blind ceiling is exact.",
    "The model learns its position embeddings; sinusoidal ones would do as well here.",
)


def claim_for(params: dict[str, Any]) -> str:
    """INFO's claim with the parameters it ran with."""
    length = int(params["length"])
    ceiling = f"1/{length - 1}" if length % 2 == 0 else f"1/{length}"
    return (
        f"A tiny transformer ({int(params['layers'])} layer(s), d_model "
        f"{int(params['d_model'])}, {int(params['steps'])} Adam steps) learns to reverse "
        f"sequences of {length} distinct tokens with over {MIN_ACC:.0%} token accuracy, while "
        f"the same model without positional encoding stays at the position-blind ceiling of "
        f"{ceiling} (within sampling error), because attention alone is blind to order."
    )


class Block(nn.Module):
    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, dropout=0.0, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.last_attn: torch.Tensor | None = None

    def forward(self, h: torch.Tensor, keep_attn: bool = False) -> torch.Tensor:
        a = self.ln1(h)
        out, w = self.attn(a, a, a, need_weights=keep_attn, average_attn_weights=True)
        if keep_attn:
            self.last_attn = w.detach()
        h = h + out
        return h + self.mlp(self.ln2(h))


class TinyTransformer(nn.Module):
    def __init__(
        self, vocab: int, length: int, d: int, n_layers: int, heads: int, positional: bool
    ) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(length, d) * 0.5) if positional else None
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(n_layers))
        self.ln = nn.LayerNorm(d)
        self.out = nn.Linear(d, vocab)

    def forward(self, x: torch.Tensor, keep_attn: bool = False) -> torch.Tensor:
        h = self.tok(x)
        if self.pos is not None:
            h = h + self.pos
        for b in self.blocks:
            h = b(h, keep_attn)
        return self.out(self.ln(h))


def distinct_sequences(n: int, length: int, vocab: int, gen: torch.Generator) -> torch.Tensor:
    """n sequences of `length` distinct tokens from range(vocab) (random order)."""
    return torch.rand(n, vocab, generator=gen).argsort(dim=1)[:, :length]


def run(params: dict[str, Any], device: torch.device, report: Reporter) -> Verdict:
    report.chart(
        "accuracy",
        x="training step",
        y="token accuracy (fraction)",
        series=["with_pos_acc", "no_pos_acc"],
        log_y=False,
    )
    seed = int(params["seed"])
    L, V = int(params["length"]), int(params["vocab"])
    d, n_layers, heads = int(params["d_model"]), int(params["layers"]), int(params["heads"])
    steps, batch = int(params["steps"]), int(params["batch"])
    if V < L:
        raise DemoParamError(f"param 'vocab': {V} is below length {L} (the tokens are distinct)")
    if d % heads:
        raise DemoParamError(f"param 'heads': {heads} does not divide d_model {d}")
    seed_everything(seed)
    ceiling = 1.0 / (L - 1) if L % 2 == 0 else 1.0 / L
    uniform = 1.0 / V

    models = {}
    for name in ("with_pos", "no_pos"):
        torch.manual_seed(seed)
        models[name] = TinyTransformer(V, L, d, n_layers, heads, name == "with_pos").to(device)
    opts = {k: torch.optim.Adam(m.parameters(), lr=float(params["lr"])) for k, m in models.items()}
    gen = torch.Generator().manual_seed(seed)
    x_test = distinct_sequences(1000, L, V, gen).to(device)
    y_test = x_test.flip(1)

    def accuracy(m: nn.Module, n: int = 1000) -> float:
        with torch.no_grad():
            return float((m(x_test[:n]).argmax(-1) == y_test[:n]).float().mean())

    every = max(1, steps // 25)
    report.metric(0, **{f"{k}_acc": accuracy(m, 200) for k, m in models.items()})
    done = 0
    for step in range(1, steps + 1):
        if report.cancelled:
            break
        x = distinct_sequences(batch, L, V, gen).to(device)
        y = x.flip(1)
        for k, m in models.items():
            loss = F.cross_entropy(m(x).reshape(-1, V), y.reshape(-1))
            opts[k].zero_grad()
            loss.backward()
            opts[k].step()
        done = step
        if step % every == 0 or step == steps:
            report.metric(step, **{f"{k}_acc": accuracy(m, 200) for k, m in models.items()})
            report.progress(step, steps)

    acc = {k: accuracy(m) for k, m in models.items()}
    # attention maps of one test sequence, first and last layer, heads averaged
    m = models["with_pos"]
    with torch.no_grad():
        m(x_test[:1], keep_attn=True)
    for i in sorted({0, n_layers - 1}):
        w = m.blocks[i].last_attn[0].cpu()
        report.image(
            f"attention, layer {i + 1} (with positions)",
            w,
            caption="row = query position, column = key position; reversal puts the weight on "
            "the anti-diagonal (query i looks at position L-1-i)",
        )
    # how much attention mass (first layer, averaged over the test set) lies on the anti-diagonal
    with torch.no_grad():
        m(x_test, keep_attn=True)
        idx = torch.arange(L, device=device)
        anti = [float(m.blocks[j].last_attn[:, idx, L - 1 - idx].mean()) for j in range(n_layers)]
    best_anti = max(anti)
    report.table(
        "token accuracy on 1000 held-out sequences",
        [
            {"model": "with positional encoding", "token_acc": acc["with_pos"]},
            {"model": "no positional encoding", "token_acc": acc["no_pos"]},
            {"model": "position-blind ceiling (1/(L-1), 1/L if L odd)", "token_acc": ceiling},
            {"model": "uniform guess 1/V", "token_acc": uniform},
        ],
    )
    report.log(
        "Mean attention weight on the anti-diagonal (query i -> key L-1-i), per layer: "
        + ", ".join(f"{a:.2f}" for a in anti)
        + f" (uniform attention would give {1 / L:.2f})."
    )
    # small tolerance for sampling noise of the test-set estimate (1000*L tokens)
    tol = 3 * math.sqrt(ceiling * (1 - ceiling) / (1000 * L)) + 0.01
    checks = {
        f"with positions > {MIN_ACC:.0%}": acc["with_pos"] > MIN_ACC,
        "without positions <= ceiling": acc["no_pos"] <= ceiling + tol,
        "all steps run": done == steps,
    }
    failed = [k for k, ok in checks.items() if not ok]
    summary = (
        f"reversal of L={L} tokens after {done} steps: token accuracy {acc['with_pos']:.1%} with "
        f"positional encoding vs {acc['no_pos']:.1%} without (position-blind ceiling "
        f"{ceiling:.1%}, uniform guess {uniform:.1%})"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    numbers = {
        "acc_with_pos": acc["with_pos"],
        "acc_no_pos": acc["no_pos"],
        "position_blind_ceiling": ceiling,
        "ceiling_tolerance": tol,
        "uniform_chance": uniform,
        "anti_diagonal_attention": best_anti,
        "steps": float(done),
    }
    answers = {"no_pos_acc": 100 * acc["no_pos"], "with_pos": 0 if acc["with_pos"] > MIN_ACC else 1}
    claim = claim_for(params)
    if L < MIN_LENGTH:
        return Verdict.does_not_apply(
            f"length {L} is too short: the position-blind ceiling ({ceiling:.0%}) is not far "
            f"below {MIN_ACC:.0%}, so order-blindness cannot show (need length >= {MIN_LENGTH})",
            numbers,
            summary,
            claim=claim,
            caveats=CAVEATS,
            answers=answers,
        )
    return Verdict(not failed, numbers, summary, claim=claim, caveats=CAVEATS, answers=answers)


if __name__ == "__main__":
    from ._base import main

    main(INFO, run)

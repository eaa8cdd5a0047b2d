"""The generated questions of content/generated.yaml, checked against torch for many draws: the
safe evaluator's answer must equal what the layers themselves count or compute."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import torch
from quizkit import CONTENT
from torch import nn

from studytool.content import expr
from studytool.content.library import load_paths
from studytool.content.model import Deck
from studytool.study.generate import Instance, draw
from studytool.study.quiz import Kind, QuizSpec, draw_questions, make_question

DRAWS = 40


@pytest.fixture(scope="module")
def deck() -> Deck:
    result = load_paths([CONTENT / "generated.yaml"])
    assert result.problems == []
    [deck] = result.decks
    return deck


def draws(deck: Deck, card_id: str, seed: int = 0) -> Iterator[Instance]:
    card = deck.card(card_id)
    assert card is not None and card.compute
    rng = random.Random(seed)
    for _ in range(DRAWS):
        yield draw(card, rng)


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_conv_params_match_nn_conv2d(deck: Deck) -> None:
    for inst in draws(deck, "conv-params"):
        v = inst.values
        conv = nn.Conv2d(v["c_in"], v["c_out"], kernel_size=v["k"])
        assert inst.answer == n_params(conv), v


def test_conv_output_size_matches_a_forward_pass(deck: Deck) -> None:
    for inst in draws(deck, "conv-output-size"):
        v = inst.values
        conv = nn.Conv2d(1, 1, kernel_size=v["k"], padding=v["p"], stride=v["s"])
        with torch.no_grad():
            out = conv(torch.zeros(1, 1, v["n"], v["n"]))
        assert out.shape[-2:] == (inst.answer, inst.answer), v


def test_mlp_params_match_nn_linear(deck: Deck) -> None:
    for inst in draws(deck, "mlp-params"):
        v = inst.values
        mlp = nn.Sequential(nn.Linear(v["a"], v["b"]), nn.ReLU(), nn.Linear(v["b"], v["c"]))
        assert inst.answer == n_params(mlp), v


def test_bottleneck_savings_match_conv_parameter_counts(deck: Deck) -> None:
    for inst in draws(deck, "bottleneck-savings"):
        c, r = inst.values["c"], inst.values["r"]
        direct = nn.Conv2d(c, c, 3, padding=1, bias=False)
        bottleneck = nn.Sequential(
            nn.Conv2d(c, r, 1, bias=False), nn.Conv2d(r, c, 3, padding=1, bias=False)
        )
        assert inst.answer == n_params(direct) - n_params(bottleneck) > 0


def test_stacked_3x3_vs_one_big_conv(deck: Deck) -> None:
    for inst in draws(deck, "stacked-vs-single-params"):
        layers, c = inst.values["L"], inst.values["C"]
        stack = nn.Sequential(*(nn.Conv2d(c, c, 3, bias=False) for _ in range(layers)))
        single = nn.Conv2d(c, c, 2 * layers + 1, bias=False)
        assert inst.answer == n_params(single) - n_params(stack), inst.values


def receptive_field(layers: int) -> int:
    """Side of the input region that reaches the centre output: nonzero input gradients."""
    net = nn.Sequential(*(nn.Conv2d(1, 1, 3, padding=1, bias=False) for _ in range(layers)))
    for conv in net:
        nn.init.constant_(conv.weight, 1.0)
    size = 2 * layers + 9
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    net(x)[0, 0, size // 2, size // 2].backward()
    rows = (x.grad[0, 0] != 0).any(dim=1).nonzero()
    return int(rows.max() - rows.min() + 1)


def test_receptive_field_of_stacked_3x3_convs_matches_gradients(deck: Deck) -> None:
    card = deck.card("receptive-field-stack")
    assert card is not None and card.compute
    [var] = card.variables
    assert (var.low, var.high) == (1, 10)
    for layers in range(var.low, var.high + 1):
        assert expr.evaluate(card.compute, {"L": layers}) == receptive_field(layers)
    for inst in draws(deck, "receptive-field-stack"):
        assert inst.answer == receptive_field(inst.values["L"])


def test_attention_matrix_size_matches_q_times_k_transposed(deck: Deck) -> None:
    for inst in draws(deck, "attention-matrix-size"):
        n = inst.values["N"]
        q, k = torch.randn(n, 8), torch.randn(n, 8)
        assert inst.answer == (q @ k.T).numel()


def test_markov_image_params_count_the_conditional_tables(deck: Deck) -> None:
    for inst in draws(deck, "markov-image-params"):
        n = inst.values["h"] * inst.values["w"]
        # p(x_1) is one Bernoulli; each p(x_i | x_{i-1}) is a table with one per parent value
        tables = [1] + [2] * (n - 1)
        assert inst.answer == sum(tables)


def test_every_generated_card_is_a_numeric_question_with_fresh_numbers(deck: Deck) -> None:
    generated = [c for c in deck.cards if c.compute]
    assert len(generated) >= 8
    for card in generated:
        shown = {make_question(card.full_id, card, random.Random(s)).question("en")
                 for s in range(30)}  # fmt: skip
        assert len(shown) > 1, card.id
        assert "{" not in next(iter(shown)), card.id  # every slot filled
    quiz = draw_questions(deck.cards, QuizSpec(n=len(deck.cards), fresh=True), random.Random(3))
    assert len({q.kind for q in quiz}) >= 4
    assert {q.kind for q in quiz} >= {Kind.NUMERIC, Kind.CHOICE, Kind.TRUEFALSE, Kind.TYPED}

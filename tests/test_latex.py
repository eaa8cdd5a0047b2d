"""LaTeX to Unicode: exact renderings of tricky cases, and every formula in the shipped content."""

from __future__ import annotations

import re

import pytest

from studytool.content.library import load_library
from studytool.latex import LatexError, render, to_unicode

EXACT = [
    (r"\frac{a+b}{c}", "(a+b)/c"),
    (r"\frac{1}{2}\sum_j x_j", "(1/2)∑ⱼ xⱼ"),
    (r"\log p(x)", "log p(x)"),
    (r"\mathrm{KL}(q \| p)", "KL(q ‖ p)"),
    (r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2", "vₜ = β₂ vₜ₋₁ + (1−β₂) gₜ²"),
    (r"\hat{m}_t = \frac{m_t}{1-\beta_1^t}", "m̂ₜ = mₜ/(1−β₁ᵗ)"),
    (
        r"W_{t+1} = W_t - \eta \frac{\hat{m}_t}{\sqrt{\hat{v}_t}+\epsilon}",
        "Wₜ₊₁ = Wₜ − η m̂ₜ/(√v̂ₜ+ε)",
    ),
    (r"\operatorname{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V", "softmax((QKᵀ)/√dₖ)V"),
    (r"\frac{\partial L}{\partial w}", "∂L/∂w"),
    (r"\nabla_\theta \mathcal{L}", "∇_θ ℒ"),
    (r"\mathbb{E}_{x \sim p}[x]", "𝔼_(x ~ p)[x]"),
    (r"D^*(x) = \frac{p_{data}(x)}{p_{data}(x)+p_g(x)}", "D*(x) = p_data(x)/(p_data(x)+p_g(x))"),
    (r"2^n - 1", "2ⁿ − 1"),
    (r"\lfloor \frac{n+2p-k}{s} \rfloor + 1", "⌊ (n+2p−k)/s ⌋ + 1"),
    (r"\sqrt{a+b}", "√(a+b)"),
    (r"x \to \infty", "x → ∞"),
]


@pytest.mark.parametrize(("source", "expected"), EXACT)
def test_exact(source: str, expected: str) -> None:
    assert to_unicode(source) == expected


@pytest.mark.parametrize("bad", [r"\frac{a}{", r"a}", r"\notacommand x"])
def test_malformed_raises_but_render_never_does(bad: str) -> None:
    with pytest.raises(LatexError):
        to_unicode(bad)
    assert render(bad) == bad


def _formulas() -> list[tuple[str, str]]:
    lib = load_library()
    return [(c.full_id, c.formula) for d in lib.decks for c in d.cards if c.formula]


def test_every_shipped_formula_renders_cleanly() -> None:
    formulas = _formulas()
    assert len(formulas) >= 20
    failures = []
    for card_id, source in formulas:
        try:
            text = to_unicode(source)
        except LatexError as e:
            failures.append(f"{card_id}: {e}")
            continue
        leftover = "\\" in text or re.search(r"[{}]", text)
        if leftover and "\\{" not in source:
            failures.append(f"{card_id}: {source!r} -> {text!r}")
        # A fraction with a compound numerator or denominator is parenthesised.
        for num, den in re.findall(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", source):
            for part in (num, den):
                plain = to_unicode(part)
                wrapped = plain.startswith("(") and plain.endswith(")")
                if re.search(r"[+\-−=,]", plain) and not wrapped and f"({plain})" not in text:
                    failures.append(f"{card_id}: ambiguous fraction in {text!r}")
    assert not failures, "\n".join(failures)

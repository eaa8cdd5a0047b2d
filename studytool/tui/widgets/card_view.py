"""One card on screen, every type, question side and answer side, with the user's answer.

`Attempt` holds what the user did with an interactive card (picks, the order, the typed text,
the checked result); `render_card` turns a card and its attempt into a Rich renderable. Choices
and order items carry `@click` actions (`screen.pick(i)`, `screen.order_select(i)`), so they
work with the mouse on the review screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from studytool.content.model import Card, CardType
from studytool.latex import render as latex
from studytool.render import LABELS, answer_text, notes_renderables, question_text
from studytool.study.generate import Instance
from studytool.study.grading import Check

CHOICE_LETTERS = "abcde"


@dataclass
class Attempt:
    """The user's answer to one showing of a card."""

    picked: set[int] = field(default_factory=set)  # mcq (one) / multi (any)
    order: list[int] = field(default_factory=list)  # order: item indices as arranged
    cursor: int = 0  # order: the selected row
    response: str = ""  # typed / numeric / truefalse ("true"/"false")
    check: Check | None = None  # set once the answer is checked

    @classmethod
    def for_card(cls, card: Card, order: list[int]) -> Attempt:
        """A fresh attempt; `order` is the shuffled arrangement an order card starts from."""
        return cls(order=order if card.type is CardType.ORDER else [])


@dataclass
class CardDisplay:
    card: Card
    lang: str = "en"
    reverse: bool = False
    revealed: bool = False
    raw_formula: bool = False
    instance: Instance | None = None  # a generated card's drawn numbers
    attempt: Attempt = field(default_factory=Attempt)


def _click(action: str) -> Style:
    return Style(meta={"@click": action})


def _formula(card: Card, raw: bool, lang: str) -> Text:
    shown = card.formula or ""
    text = Text.assemble((f"{LABELS[lang]['formula']}: ", "dim"))
    if raw:
        text.append(shown, style="italic")
        text.append("  (raw LaTeX)", style="dim")
    else:
        text.append(latex(shown), style="bold cyan")
    return text


def _choices(d: CardDisplay) -> list[RenderableType]:
    card, attempt = d.card, d.attempt
    right = {card.answer_index} if card.type is CardType.MCQ else set(card.answer_indices)
    multi = card.type is CardType.MULTI
    rows: list[RenderableType] = []
    for i, choice in enumerate(card.choices):
        key = f"{i + 1}" if i >= len(CHOICE_LETTERS) else f"{i + 1}/{CHOICE_LETTERS[i]}"
        picked = i in attempt.picked
        mark = ("☑" if picked else "☐") if multi else ("●" if picked else "○")
        style = ""
        suffix = ""
        if d.revealed:
            if i in right:
                style, suffix = "bold green", "  ✓"
            elif picked:
                style, suffix = "red strike", "  ✗"
            else:
                style = "dim"
        elif picked:
            style = "bold"
        line = Text.assemble(
            (f" {key:>4} ", "dim"),
            (f"{mark} ", style),
            (choice.get(d.lang), style),
            (suffix, style),
        )
        if not d.revealed:
            line.stylize(_click(f"screen.pick({i})"))
        rows.append(line)
    return rows


def _order(d: CardDisplay) -> list[RenderableType]:
    card, attempt = d.card, d.attempt
    rows: list[RenderableType] = []
    for pos, item in enumerate(attempt.order):
        here = pos == attempt.cursor and not d.revealed
        style = "reverse" if here else ""
        suffix = ""
        if d.revealed:
            ok = item == pos
            style = "green" if ok else "red"
            suffix = "  ✓" if ok else f"  ✗ (belongs at {item + 1})"
        line = Text.assemble(
            (" ▸ " if here else "   ", "bold"),
            (f"{pos + 1}. ", "dim"),
            (card.items[item].get(d.lang), style),
            (suffix, style),
        )
        if not d.revealed:
            line.stylize(_click(f"screen.order_select({pos})"))
        rows.append(line)
    return rows


def _result(check: Check) -> Text:
    if check.correct:
        return Text("✓ Correct", style="bold green")
    if check.score > 0:
        return Text.assemble(
            (f"◐ Partly right ({check.score:.0%})", "bold yellow"),
            (f"  {check.detail}" if check.detail else "", "yellow"),
        )
    detail = f" ({check.detail})" if check.detail and check.detail != "not a number" else ""
    return Text(f"✗ Wrong{detail}", style="bold red")


def render_card(d: CardDisplay) -> RenderableType:
    card, lang = d.card, d.lang
    labels = LABELS[lang]
    parts: list[RenderableType] = []
    if d.instance is not None:
        question = d.instance.question(lang)
    else:
        question = question_text(card, lang, d.reverse)
    parts.append(Text(question, style="bold"))
    if d.reverse:
        parts.append(Text("(back → front)", style="dim italic"))
    # a basic card's formula usually is its answer; other types show it as part of the question
    if card.formula and (d.revealed or card.type not in (CardType.BASIC, CardType.REVERSED)):
        parts += [Text(), _formula(card, d.raw_formula, lang)]
    match card.type:
        case CardType.MCQ | CardType.MULTI:
            parts += [Text(), *_choices(d)]
        case CardType.ORDER:
            parts += [Text(), *_order(d)]
        case CardType.TRUEFALSE if not d.revealed:
            parts += [
                Text(),
                Text.assemble(
                    ("  t ", "dim"),
                    (labels["true"], _click("screen.answer_bool(1)") + Style(bold=True)),
                    ("     f ", "dim"),
                    (labels["false"], _click("screen.answer_bool(0)") + Style(bold=True)),
                ),
            ]
        case _:
            pass
    if not d.revealed:
        return Group(*parts)

    parts.append(Text())
    check = d.attempt.check
    if check is not None:
        result = _result(check)
        if d.attempt.response and card.type in (CardType.TYPED, CardType.NUMERIC):
            result.append("   you said: ", style="dim")
            result.append(d.attempt.response)
        elif card.type is CardType.TRUEFALSE and d.attempt.response:
            said = labels["true"] if d.attempt.response == "true" else labels["false"]
            result.append(f"   you said: {said}", style="dim")
        parts.append(result)
    answer = (
        f"{d.instance.answer:g}{' ' + card.unit if card.unit else ''}"
        if d.instance is not None
        else answer_text(card, lang, d.reverse)
    )
    if card.type not in (CardType.MCQ, CardType.MULTI, CardType.ORDER) or check is None:
        parts.append(Text.assemble((f"{labels['answer']}: ", "bold green"), answer))
    parts += notes_renderables(card, lang)
    return Group(*parts)


class CardView(Static):
    """The card body. Call `show()` with a new display state to redraw it."""

    DEFAULT_CSS = """
    CardView {
        padding: 1 2;
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.display_state: CardDisplay | None = None

    def show(self, state: CardDisplay) -> None:
        self.display_state = state
        self.update(render_card(state))

"""One card on screen, every type, question side and answer side, with the user's answer.

`CardView` stacks the question (with a formula), the answer widget (`AnswerView`: choices,
true/false, order, the answer box) and, once revealed, the result, the answer and the notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from studytool.content.model import Card, CardType
from studytool.latex import render as latex
from studytool.render import notes_renderables
from studytool.study.cardtypes import Interaction, answer_text, question_text
from studytool.study.grading import Check
from studytool.study.text import LABELS
from studytool.textsafe import visible
from studytool.tui.widgets.answer import AnswerView, Attempt


@dataclass
class CardDisplay:
    attempt: Attempt
    lang: str = "en"
    revealed: bool = False
    raw_formula: bool = False

    @property
    def card(self) -> Card:
        return self.attempt.question.card

    @property
    def reverse(self) -> bool:
        return self.attempt.question.reverse


def _formula(card: Card, raw: bool, lang: str) -> Text:
    shown = card.formula or ""
    text = Text.assemble((f"{LABELS[lang]['formula']}: ", "dim"))
    if raw:
        text.append(shown, style="italic")
        text.append("  (raw LaTeX)", style="dim")
    else:
        text.append(latex(shown), style="bold cyan")
    return text


def result_line(check: Check) -> Text:
    if check.correct:
        return Text("✓ Correct", style="bold green")
    if check.score > 0:
        return Text.assemble(
            (f"◐ Partly right ({check.score:.0%})", "bold yellow"),
            (f"  {check.detail}" if check.detail else "", "yellow"),
        )
    detail = f" ({check.detail})" if check.detail and check.detail != "not a number" else ""
    return Text(f"✗ Wrong{detail}", style="bold red")


def question_part(d: CardDisplay) -> RenderableType:
    """The question, with a formula that belongs to it."""
    card, lang, question = d.card, d.lang, d.attempt.question
    shown = question.question(lang) if question.instance else question_text(card, lang, d.reverse)
    parts: list[RenderableType] = [Text(visible(shown), style="bold")]
    if d.reverse:
        parts.append(Text("(back → front)", style="dim italic"))
    # a basic card's formula usually is its answer; other types show it as part of the question
    if card.formula and (d.revealed or card.type not in (CardType.BASIC, CardType.REVERSED)):
        parts += [Text(), _formula(card, d.raw_formula, lang)]
    return Group(*parts)


def answer_part(d: CardDisplay) -> list[RenderableType]:
    """Once revealed: the checked result, the answer (unless the rows show it) and the notes."""
    if not d.revealed:
        return []
    card, lang, attempt = d.card, d.lang, d.attempt
    parts: list[RenderableType] = [Text()]
    check = attempt.check
    if check is not None:
        result = result_line(check)
        if said := attempt.said(lang):
            # a typed answer stands out; a true/false one reads as part of the hint
            typed = attempt.interaction is Interaction.INPUT
            result.append("   you said: " + ("" if typed else visible(said)), style="dim")
            if typed:
                result.append(visible(said))
        parts.append(result)
    shows_answer = attempt.interaction in (Interaction.PICK, Interaction.TOGGLE)
    if check is None or not (shows_answer or attempt.interaction is Interaction.ARRANGE):
        question = attempt.question
        answer = (
            question.expected(lang) if question.instance else answer_text(card, lang, d.reverse)
        )
        parts.append(Text.assemble((f"{LABELS[lang]['answer']}: ", "bold green"), visible(answer)))
    parts += notes_renderables(card, lang)
    return parts


class CardView(Vertical):
    """The card body. Call `show()` with a new display state to redraw it."""

    DEFAULT_CSS = """
    CardView {
        padding: 1 2;
        height: auto;
    }
    CardView > Static {
        height: auto;
    }
    """

    def __init__(self, *, input_id: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.input_id = input_id
        self.display_state: CardDisplay | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="card-question")
        yield AnswerView(input_id=self.input_id, empty_enter="shows the answer", id="card-answer")
        yield Static(id="card-after")

    @property
    def answer_view(self) -> AnswerView:
        return self.query_one("#card-answer", AnswerView)

    def show(self, state: CardDisplay) -> None:
        self.display_state = state
        self.query_one("#card-question", Static).update(question_part(state))
        self.answer_view.show(state.lang, state.revealed)
        after = answer_part(state)
        static = self.query_one("#card-after", Static)
        static.update(Group(*after))
        static.display = bool(after)

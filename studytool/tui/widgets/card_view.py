"""One card on screen, every type, question side and answer side, with the user's answer.

`CardView` stacks the question (with its `given` formula), the answer widget (`AnswerView`: choices,
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
from studytool.study.cardtypes import Interaction, answer_text, cloze_parts, question_text
from studytool.study.grading import Check
from studytool.study.text import LABELS, t
from studytool.textsafe import visible
from studytool.tui.widgets.answer import AnswerView, Attempt, typed_diff


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


def _formula(shown: str, raw: bool, lang: str) -> Text:
    text = Text.assemble((f"{LABELS[lang]['formula']}: ", "dim"))
    if raw:
        text.append(visible(shown), style="italic")
        text.append(f"  {t('raw', lang)}", style="dim")
    else:
        text.append(visible(latex(shown)), style="bold cyan")
    return text


def cloze_answer(card: Card, lang: str) -> Text:
    """The cloze filled in, what was blanked highlighted; then the card's back, if any."""
    text = Text()
    for segment, blanked in cloze_parts(card.prompt.get(lang)):
        text.append(visible(segment), style="bold reverse green" if blanked else "")
    if card.back:
        text.append("\n" + visible(card.back.get(lang)))
    return text


def result_line(check: Check, lang: str = "en") -> Text:
    if check.correct:
        return Text(t("correct", lang), style="bold green")
    if check.score > 0:
        return Text.assemble(
            (f"{t('partly', lang)} ({check.score:.0%})", "bold yellow"),
            (f"  {check.detail}" if check.detail else "", "yellow"),
        )
    detail = f" ({check.detail})" if check.detail and check.detail != "not a number" else ""
    return Text(f"{t('wrong', lang)}{detail}", style="bold red")


def question_part(d: CardDisplay) -> RenderableType:
    """The question, with the formula it gives (`given`); the card's `formula` is part of the
    answer."""
    card, lang, question = d.card, d.lang, d.attempt.question
    shown = question.question(lang) if question.instance else question_text(card, lang, d.reverse)
    parts: list[RenderableType] = [Text(visible(shown), style="bold")]
    if d.reverse:
        parts.append(Text(t("back_to_front", lang), style="dim italic"))
    if question.given:
        parts += [Text(), _formula(question.given, d.raw_formula, lang)]
    return Group(*parts)


def answer_part(d: CardDisplay) -> list[RenderableType]:
    """Once revealed: the checked result, the answer (unless the rows show it) and the notes."""
    if not d.revealed:
        return []
    card, lang, attempt = d.card, d.lang, d.attempt
    parts: list[RenderableType] = [Text()]
    check = attempt.check
    if check is not None:
        result = result_line(check, lang)
        if said := attempt.said(lang):
            # a typed answer stands out; a true/false one reads as part of the hint
            typed = attempt.interaction is Interaction.INPUT
            result.append(
                f"   {t('you_said', lang)}: " + ("" if typed else visible(said)), style="dim"
            )
            if typed:
                result.append(visible(said))
        parts.append(result)
        if diff := typed_diff(attempt.question, attempt.response, lang):
            parts.append(diff)
    elif attempt.unanswered and attempt.interaction is not Interaction.SELF:
        parts.append(Text(t("not_answered", lang), style="bold yellow"))
    shows_answer = attempt.interaction in (Interaction.PICK, Interaction.TOGGLE)
    if check is None or not (shows_answer or attempt.interaction is Interaction.ARRANGE):
        question = attempt.question
        answer = (
            question.expected(lang) if question.instance else answer_text(card, lang, d.reverse)
        )
        shown = cloze_answer(card, lang) if card.type is CardType.CLOZE else Text(visible(answer))
        parts.append(Text.assemble((f"{LABELS[lang]['answer']}: ", "bold green"), shown))
    if formula := attempt.question.answer_formula:
        parts.append(_formula(formula, d.raw_formula, lang))
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
        yield AnswerView(input_id=self.input_id, empty_enter="shows_answer", id="card-answer")
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

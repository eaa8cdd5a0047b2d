"""Rich renderables for cards, shared by the CLI and the TUI. The words come from the card-type
model and `study.text`."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text as RichText

from studytool.content.model import Card, CardType
from studytool.latex import render as latex
from studytool.study.cardtypes import answer_text, card_model, question_text
from studytool.study.text import LABELS
from studytool.textsafe import visible


def card_renderable(
    card: Card, lang: str, reveal: bool, raw_formula: bool = False
) -> RenderableType:
    """The whole card for printing: question, choices, and (revealed) answer and notes. Deck
    text goes in as `Text` with control characters made visible, never as markup."""
    labels = LABELS[lang]
    parts: list[RenderableType] = [RichText(visible(question_text(card, lang)), style="bold")]
    choices = card_model(card).choices(card, lang)
    parts += [RichText(f"  {i}. {visible(c)}") for i, c in enumerate(choices, start=1)]
    if card.formula and (reveal or card.type is not CardType.BASIC):
        formula = card.formula if raw_formula else latex(card.formula)
        parts.append(
            RichText.assemble((f"{labels['formula']}: ", "dim"), (visible(formula), "cyan"))
        )
    if reveal:
        parts.append(
            RichText.assemble(
                (f"\n{labels['answer']}: ", "bold green"), visible(answer_text(card, lang))
            )
        )
        parts += notes_renderables(card, lang)
    title = f"[b]{escape(visible(card.full_id))}[/b] · {card.type.value}"
    return Panel(Group(*parts), title=title, title_align="left", border_style="blue")


def notes_renderables(card: Card, lang: str) -> list[RenderableType]:
    labels = LABELS[lang]
    parts: list[RenderableType] = []
    if card.explain:
        parts.append(
            RichText.assemble((f"\n{labels['explain']}: ", "bold"), visible(card.explain.get(lang)))
        )
    if card.errata:
        e = card.errata
        parts.append(
            RichText.assemble(
                (f"\n{labels['errata']}: ", "bold yellow"),
                (f"“{visible(e.quote)}”", "yellow"),
                (f"\n{labels['fix']}: ", "bold"),
                visible(e.correction.get(lang)),
                (f"\n{labels['ref']}: {visible(e.reference)}", "dim"),
            )
        )
    if card.source:
        quote = f" — “{visible(card.source.quote)}”" if card.source.quote else ""
        parts.append(
            RichText(f"{labels['source']}: {visible(card.source.note)}{quote}", style="dim")
        )
    return parts

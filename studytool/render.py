"""Rich renderables for cards, shared by the CLI and the TUI. The words come from the card-type
model and `study.text`."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text as RichText

from studytool.content.model import Card
from studytool.latex import render as latex
from studytool.study.cardtypes import answer_text, card_model, question_text
from studytool.study.text import LABELS
from studytool.textsafe import visible


def card_renderable(
    card: Card, lang: str, reveal: bool, raw_formula: bool = False
) -> RenderableType:
    """The whole card for printing, framed, its id and type in the frame's title."""
    title = f"[b]{escape(visible(card.full_id))}[/b] · {card.type.value}"
    body = card_body(card, lang, reveal, raw_formula)
    return Panel(body, title=title, title_align="left", border_style="blue")


def card_body(card: Card, lang: str, reveal: bool, raw_formula: bool = False) -> Group:
    """Question, choices, and (revealed) answer and notes. Deck text goes in as `Text` with
    control characters made visible, never as markup."""
    labels = LABELS[lang]
    parts: list[RenderableType] = [RichText(visible(question_text(card, lang)), style="bold")]
    choices = card_model(card).choices(card, lang)
    parts += [RichText(f"  {i}. {visible(c)}") for i, c in enumerate(choices, start=1)]

    def formula(tex: str) -> RichText:
        shown = tex if raw_formula else latex(tex)
        return RichText.assemble((f"{labels['formula']}: ", "dim"), (visible(shown), "cyan"))

    # the card-type model's sides: `given` belongs to the question, `formula` to the answer
    if card.given:
        parts.append(formula(card.given))
    if reveal:
        parts.append(
            RichText.assemble(
                (f"\n{labels['answer']}: ", "bold green"), visible(answer_text(card, lang))
            )
        )
        if card.formula:
            parts.append(formula(card.formula))
        parts += notes_renderables(card, lang)
    return Group(*parts)


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

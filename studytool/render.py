"""Rich renderables for cards, shared by the CLI and the TUI."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text as RichText

from studytool.content.model import CLOZE_RE, Card, CardType
from studytool.latex import render as latex

LABELS = {
    "en": {"answer": "Answer", "explain": "Why", "errata": "Your note said", "fix": "Correct",
           "source": "Source", "formula": "Formula", "true": "True", "false": "False",
           "ref": "Reference"},
    "ko": {"answer": "정답", "explain": "해설", "errata": "노트에는 이렇게 적혀 있었습니다",
           "fix": "바로잡기", "source": "출처", "formula": "수식", "true": "참 (O)",
           "false": "거짓 (X)", "ref": "참고"},
}  # fmt: skip


def cloze_front(text: str) -> str:
    """Blanks as [...] or [hint]."""
    return CLOZE_RE.sub(lambda m: f"[{m.group(3) or '...'}]", text)


def cloze_back(text: str) -> str:
    return CLOZE_RE.sub(lambda m: m.group(2), text)


def question_text(card: Card, lang: str, reverse: bool = False) -> str:
    if card.type is CardType.CLOZE:
        return cloze_front(card.prompt.get(lang))
    if reverse and card.back is not None:
        return card.back.get(lang)
    return card.prompt.get(lang)


def answer_text(card: Card, lang: str, reverse: bool = False) -> str:
    """The right answer as one readable block of text."""
    labels = LABELS[lang]
    match card.type:
        case CardType.BASIC | CardType.REVERSED:
            side = card.prompt if reverse else card.back
            return side.get(lang) if side else ""
        case CardType.CLOZE:
            extra = f"\n{card.back.get(lang)}" if card.back else ""
            return cloze_back(card.prompt.get(lang)) + extra
        case CardType.MCQ:
            i = card.answer_index or 0
            return f"{i + 1}. {card.choices[i].get(lang)}"
        case CardType.MULTI:
            return "\n".join(f"{i + 1}. {card.choices[i].get(lang)}" for i in card.answer_indices)
        case CardType.TRUEFALSE:
            return labels["true"] if card.answer_bool else labels["false"]
        case CardType.TYPED:
            return " / ".join(dict.fromkeys(a.get(lang) for a in card.answers))
        case CardType.NUMERIC:
            if card.number is None:  # generated: the numbers are drawn when it is asked
                return f"= {card.compute} (fresh numbers each time)"
            value = f"{card.number:g}"
            tol = f" ± {card.tolerance:g}" if card.tolerance else ""
            return f"{value}{tol}{' ' + card.unit if card.unit else ''}"
        case CardType.ORDER:
            return "\n".join(f"{i + 1}. {it.get(lang)}" for i, it in enumerate(card.items))
    return ""


def card_renderable(
    card: Card, lang: str, reveal: bool, raw_formula: bool = False
) -> RenderableType:
    """The whole card for printing: question, choices, and (revealed) answer and notes."""
    labels = LABELS[lang]
    parts: list[RenderableType] = [RichText(question_text(card, lang), style="bold")]
    if card.type in (CardType.MCQ, CardType.MULTI):
        parts += [RichText(f"  {i + 1}. {c.get(lang)}") for i, c in enumerate(card.choices)]
    if card.formula and (reveal or card.type is not CardType.BASIC):
        formula = card.formula if raw_formula else latex(card.formula)
        parts.append(RichText.assemble((f"{labels['formula']}: ", "dim"), (formula, "cyan")))
    if reveal:
        parts.append(
            RichText.assemble((f"\n{labels['answer']}: ", "bold green"), answer_text(card, lang))
        )
        parts += notes_renderables(card, lang)
    title = f"[b]{escape(card.full_id)}[/b] · {card.type.value}"
    return Panel(Group(*parts), title=title, title_align="left", border_style="blue")


def notes_renderables(card: Card, lang: str) -> list[RenderableType]:
    labels = LABELS[lang]
    parts: list[RenderableType] = []
    if card.explain:
        parts.append(
            RichText.assemble((f"\n{labels['explain']}: ", "bold"), card.explain.get(lang))
        )
    if card.errata:
        e = card.errata
        parts.append(
            RichText.assemble(
                (f"\n{labels['errata']}: ", "bold yellow"),
                (f"“{e.quote}”", "yellow"),
                (f"\n{labels['fix']}: ", "bold"),
                e.correction.get(lang),
                (f"\n{labels['ref']}: {e.reference}", "dim"),
            )
        )
    if card.source:
        quote = f" — “{card.source.quote}”" if card.source.quote else ""
        parts.append(RichText(f"{labels['source']}: {card.source.note}{quote}", style="dim"))
    return parts

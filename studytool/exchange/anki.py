"""Export decks to an Anki package (.apkg) with genanki.

Model, deck and note ids are derived from names and full card ids, so importing a newer export
into Anki updates the notes it imported before instead of adding duplicates.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studytool.content.model import Card, CardType, Deck
from studytool.exchange.notetext import DISPLAY_MATH, INLINE_MATH
from studytool.exchange.sides import card_sides, card_tags
from studytool.exchange.textio import ExchangeError, write_atomic
from studytool.study.text import LABELS

ROOT_DECK = "studytool"
BASIC = "Basic (studytool)"
REVERSED = "Basic (and reversed card) (studytool)"
CLOZE = "Cloze (studytool)"
CSS = """\
.card { font-family: sans-serif; font-size: 20px; text-align: center; color: black;
        background-color: white; }
.choices { display: inline-block; text-align: left; margin-top: 0.6em; }
.formula { margin: 0.6em 0; }
.extra { margin-top: 1em; font-size: 16px; color: #444; }
.source { margin-top: 0.8em; font-size: 13px; color: #888; }
"""


# MathJax commands that open links: a shared deck must not put a javascript: link in a field.
_LINK_COMMAND = re.compile(r"\\(?:href|url)(?![A-Za-z])(?:\s*\{[^{}]*\})?")


def without_links(field_html: str) -> str:
    """The field without MathJax's \\href and \\url (the link text stays, as plain maths).

    Repeated until nothing changes, since removing one command can join the pieces of another
    (`\\hr\\url{x}ef`)."""
    while (clean := _LINK_COMMAND.sub("", field_html)) != field_html:
        field_html = clean
    return clean


def stable_id(name: str) -> int:
    """An id in the range Anki's own ids use, the same for the same name on every export."""
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return (1 << 30) + digest % (1 << 30)


def _models() -> dict[CardType, Any]:
    import genanki

    extra = "{{#Extra}}<div class=extra>{{Extra}}</div>{{/Extra}}"
    answer = "{{FrontSide}}\n<hr id=answer>\n{{Back}}" + extra
    fields = [{"name": "Front"}, {"name": "Back"}, {"name": "Extra"}]
    basic = genanki.Model(
        stable_id(BASIC),
        BASIC,
        fields=fields,
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": answer}],
        css=CSS,
    )
    reversed_ = genanki.Model(
        stable_id(REVERSED),
        REVERSED,
        fields=fields,
        templates=[
            {"name": "Card 1", "qfmt": "{{Front}}", "afmt": answer},
            {
                "name": "Card 2",
                "qfmt": "{{Back}}",
                "afmt": "{{FrontSide}}\n<hr id=answer>\n{{Front}}" + extra,
            },
        ],
        css=CSS,
    )
    cloze = genanki.Model(
        stable_id(CLOZE),
        CLOZE,
        model_type=genanki.Model.CLOZE,
        fields=[{"name": "Text"}, {"name": "Back Extra"}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}",
                "afmt": "{{cloze:Text}}{{#Back Extra}}<div class=extra>{{Back Extra}}</div>"
                "{{/Back Extra}}",
            }
        ],
        css=CSS,
    )
    return {CardType.BASIC: basic, CardType.REVERSED: reversed_, CardType.CLOZE: cloze}


def to_html(text: str) -> str:
    """Escaped HTML with line breaks, and `$...$` / `$$...$$` as MathJax delimiters."""
    out = html.escape(text, quote=False)
    out = DISPLAY_MATH.sub(lambda m: rf"\[{m.group('tex')}\]", out)
    out = INLINE_MATH.sub(lambda m: rf"\({m.group('tex')}\)", out)
    return out.replace("\n", "<br>")


def formula_html(latex: str) -> str:
    return f"<div class=formula>\\[{html.escape(latex, quote=False)}\\]</div>"


def deck_name(deck: Deck, lang: str) -> str:
    # '::' nests decks in Anki: a title must not create levels of its own.
    return f"{ROOT_DECK}::{deck.title.get(lang).replace('::', ':')}"


def _extra(card: Card, lang: str) -> str:
    """The back's extras: the card's formula (part of the answer) and its notes."""
    labels = LABELS[lang]
    parts = []
    if card.formula:
        parts.append(formula_html(card.formula))
    if card.explain is not None:
        parts.append(f"<b>{labels['explain']}:</b> {to_html(card.explain.get(lang))}")
    if card.errata is not None:
        e = card.errata
        parts.append(
            f"<b>{labels['errata']}:</b> “{html.escape(e.quote, quote=False)}”<br>"
            f"<b>{labels['fix']}:</b> {to_html(e.correction.get(lang))}<br>"
            f"<i>{labels['ref']}: {html.escape(e.reference, quote=False)}</i>"
        )
    if card.source is not None:
        quote = f" — “{card.source.quote}”" if card.source.quote else ""
        parts.append(
            f"<div class=source>{labels['source']}: "
            f"{html.escape(card.source.note + quote, quote=False)}</div>"
        )
    return "<br>".join(parts)


def _given(card: Card) -> str:
    """The formula a question gives; a card's `formula` is on the back (`_extra`)."""
    return formula_html(card.given) if card.given else ""


def quiz_sides(card: Card, lang: str) -> tuple[str, str]:
    """A quiz card as the front and back of a Basic note, its choices listed on the front."""
    sides = card_sides(card, lang)
    front = to_html(sides.question) + _given(card)
    if sides.listing:
        items = "".join(f"<li>{to_html(t)}</li>" for t in sides.listing)
        front += f"<ol class=choices>{items}</ol>"
    if sides.hint:
        front += f"<div><i>{to_html(sides.hint)}</i></div>"
    return front, to_html(sides.answer)


@dataclass(slots=True)
class AnkiResult:
    decks: int = 0
    notes: dict[str, int] = field(default_factory=dict)  # model name -> notes
    drafts: int = 0  # draft cards left out

    @property
    def total(self) -> int:
        return sum(self.notes.values())


def export_anki(decks: Sequence[Deck], path: Path, lang: str = "en") -> AnkiResult:
    """Write `decks` (draft cards left out) to the Anki package at `path`."""
    import genanki

    if path.suffix.lower() != ".apkg":
        raise ExchangeError(f"{path}: an Anki package must end in .apkg")
    models = _models()
    result = AnkiResult()
    packaged = []
    for deck in decks:
        anki_deck = genanki.Deck(stable_id(deck_name(deck, lang)), deck_name(deck, lang))
        if deck.description is not None:
            anki_deck.description = without_links(to_html(deck.description.get(lang)))
        for card in deck.cards:
            if card.draft:
                result.drafts += 1
                continue
            model = models.get(card.type, models[CardType.BASIC])
            if card.type is CardType.CLOZE:
                extra = to_html(card.back.get(lang)) if card.back else ""
                rest = _extra(card, lang)
                fields = [
                    to_html(card.prompt.get(lang)) + _given(card),
                    "<br>".join(p for p in (extra, rest) if p),
                ]
            elif card.type in (CardType.BASIC, CardType.REVERSED):
                back = card.back.get(lang) if card.back else ""
                fields = [
                    to_html(card.prompt.get(lang)) + _given(card),
                    to_html(back),
                    _extra(card, lang),
                ]
            else:
                front, back = quiz_sides(card, lang)
                fields = [front, back, _extra(card, lang)]
            anki_deck.add_note(
                genanki.Note(
                    model=model,
                    fields=[without_links(f) for f in fields],
                    tags=card_tags(card, deck.tags),
                    guid=genanki.guid_for(card.full_id),
                )
            )
            result.notes[model.name] = result.notes.get(model.name, 0) + 1
        if anki_deck.notes:
            packaged.append(anki_deck)
    if not packaged:
        raise ExchangeError(
            "nothing to export: the decks hold only draft cards"
            " (remove 'draft: true' from the cards you have checked)"
        )
    result.decks = len(packaged)
    write_atomic(path, lambda tmp: genanki.Package(packaged).write_to_file(str(tmp)))
    return result

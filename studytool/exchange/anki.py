"""Export decks to an Anki package (.apkg) with genanki.

Model, deck and note ids are derived from names and full card ids, so importing a newer export
into Anki updates the notes it imported before instead of adding duplicates. With `lang="both"`
each note holds English and Korean in fields of their own, and the card shows both stacked with
a tap-to-switch bar (plain JavaScript in the template: no add-on, works on AnkiDroid/AnkiMobile).
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
BOTH = "both"
BILINGUAL = {
    "basic": "Basic en/ko (studytool)",
    "reversed": "Basic and reversed en/ko (studytool)",
    "cloze": "Cloze en/ko (studytool)",
    "quiz": "Quiz en/ko (studytool)",
}
CSS = """\
.card { font-family: sans-serif; font-size: 20px; text-align: center; color: black;
        background-color: white; }
.nightMode.card, .night_mode .card { color: #eee; background-color: #222; }
.st-ko { margin-top: 0.3em; }
.st-both .st-ko:not(:empty) { border-top: 1px dotted #aaa; padding-top: 0.3em; }
.st-langbar { font-size: 12px; color: #888; text-align: right; cursor: pointer;
              user-select: none; -webkit-user-select: none; }
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
    import genanki  # type: ignore[import-untyped]

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
    parts = [formula_html(card.formula)] if card.formula else []
    parts += [p for p in (_explain_html(card, lang), _errata_html(card, lang)) if p]
    if card.source is not None:
        parts.append(f"<div class=source>{LABELS[lang]['source']}: {_source_html(card)}</div>")
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


# Cycles both -> en -> ko on a tap; the choice is kept in localStorage where the client has it.
# A language a note lacks (an English-only card) falls back to the other one.
TOGGLE_JS = """\
<script>
(function () {
  var key = "studytool-lang", order = {both: "en", en: "ko", ko: "both"}, view = "both";
  try { view = localStorage.getItem(key) || "both"; } catch (e) {}
  function show() {
    var pairs = document.querySelectorAll(".st-pair");
    for (var i = 0; i < pairs.length; i++) {
      var en = pairs[i].querySelector(".st-en"), ko = pairs[i].querySelector(".st-ko");
      var hasKo = ko.innerHTML.trim() !== "";
      en.style.display = view === "ko" && hasKo ? "none" : "";
      ko.style.display = view === "en" || !hasKo ? "none" : "";
      pairs[i].className = "st-pair" + (view === "both" ? " st-both" : "");
    }
    var bars = document.querySelectorAll(".st-langbar");
    for (var j = 0; j < bars.length; j++) {
      bars[j].textContent = {both: "EN + 한국어", en: "EN", ko: "한국어"}[view] + " ⇄";
    }
  }
  window.studytoolLang = function () {
    view = order[view] || "both";
    try { localStorage.setItem(key, view); } catch (e) {}
    show();
  };
  show();
})();
</script>"""
LANGBAR = '<div class=st-langbar onclick="studytoolLang()">EN + 한국어 ⇄</div>'
# explain, errata and source go under the answer of every bilingual note type
EXTRA_FIELDS = ("Formula", "Explain_en", "Explain_ko", "Errata_en", "Errata_ko", "Source")


def _pair(name: str, cloze: bool = False) -> str:
    """Both languages of field pair `name`, for the toggle to show or hide."""
    fmt = "{{cloze:%s}}" if cloze else "{{%s}}"
    en, ko = fmt % f"{name}_en", fmt % f"{name}_ko"
    return f"<div class=st-pair><div class=st-en>{en}</div><div class=st-ko>{ko}</div></div>"


def _bilingual_extra() -> str:
    formula = "{{#Formula}}{{Formula}}{{/Formula}}"
    blocks = "".join(
        f"{{{{#{f}_en}}}}<div class=extra>{_pair(f)}</div>{{{{/{f}_en}}}}"
        for f in ("Explain", "Errata")
    )
    return formula + blocks + "{{#Source}}<div class=source>{{Source}}</div>{{/Source}}"


def _bilingual_models() -> dict[str, Any]:
    import genanki  # type: ignore[import-untyped]

    fields = [{"name": n} for n in ("Front_en", "Front_ko", "Back_en", "Back_ko", *EXTRA_FIELDS)]
    front = LANGBAR + _pair("Front")
    back = LANGBAR + _pair("Back")
    extra = _bilingual_extra()
    answer = "{{FrontSide}}\n<hr id=answer>\n" + _pair("Back") + extra + TOGGLE_JS
    card1 = {"name": "Card 1", "qfmt": front + TOGGLE_JS, "afmt": answer}
    card2 = {
        "name": "Card 2",
        "qfmt": back + TOGGLE_JS,
        "afmt": "{{FrontSide}}\n<hr id=answer>\n" + _pair("Front") + extra + TOGGLE_JS,
    }
    cloze_fields = [{"name": n} for n in ("Text_en", "Text_ko", "Back_en", "Back_ko")]
    cloze_text = LANGBAR + _pair("Text", cloze=True)
    back_extra = "{{#Back_en}}<div class=extra>" + _pair("Back") + "</div>{{/Back_en}}"

    def model(family: str, templates: list[dict[str, str]], **kw: Any) -> Any:
        name = BILINGUAL[family]
        return genanki.Model(stable_id(name), name, templates=templates, css=CSS, **kw)

    return {
        "basic": model("basic", [card1], fields=fields),
        "reversed": model("reversed", [card1, card2], fields=fields),
        "quiz": model("quiz", [card1], fields=fields),
        "cloze": model(
            "cloze",
            [
                {
                    "name": "Cloze",
                    "qfmt": cloze_text + TOGGLE_JS,
                    "afmt": cloze_text + back_extra + extra + TOGGLE_JS,
                }
            ],
            fields=cloze_fields + [{"name": n} for n in EXTRA_FIELDS],
            model_type=genanki.Model.CLOZE,
        ),
    }


def family(card: Card) -> str:
    if card.type is CardType.CLOZE:
        return "cloze"
    if card.type is CardType.REVERSED:
        return "reversed"
    return "basic" if card.type is CardType.BASIC else "quiz"


def _explain_html(card: Card, lang: str) -> str:
    if card.explain is None:
        return ""
    return f"<b>{LABELS[lang]['explain']}:</b> {to_html(card.explain.get(lang))}"


def _errata_html(card: Card, lang: str) -> str:
    if card.errata is None:
        return ""
    labels, e = LABELS[lang], card.errata
    return (
        f"<b>{labels['errata']}:</b> “{html.escape(e.quote, quote=False)}”<br>"
        f"<b>{labels['fix']}:</b> {to_html(e.correction.get(lang))}<br>"
        f"<i>{labels['ref']}: {html.escape(e.reference, quote=False)}</i>"
    )


def _source_html(card: Card) -> str:
    if card.source is None:
        return ""
    quote = f" — “{card.source.quote}”" if card.source.quote else ""
    return html.escape(card.source.note + quote, quote=False)


def bilingual_fields(card: Card) -> list[str]:
    """The fields of a card's bilingual note; the Korean ones are empty on an English-only card."""
    korean = any(t.bilingual for t in card.texts())
    langs = ("en", "ko") if korean else ("en",)
    sides: dict[str, tuple[str, str]] = {}
    for lang in langs:
        if card.type in (CardType.BASIC, CardType.REVERSED, CardType.CLOZE):
            sides[lang] = (
                to_html(card.prompt.get(lang)) + _given(card),
                to_html(card.back.get(lang)) if card.back else "",
            )
        else:
            sides[lang] = quiz_sides(card, lang)
    sides.setdefault("ko", ("", ""))
    formula = formula_html(card.formula) if card.formula else ""  # on the back, as the answer
    return [
        sides["en"][0],
        sides["ko"][0],
        sides["en"][1],
        sides["ko"][1],
        formula,
        _explain_html(card, "en"),
        _explain_html(card, "ko") if korean else "",
        _errata_html(card, "en"),
        _errata_html(card, "ko") if korean else "",
        _source_html(card),
    ]


def _card_count(card: Card, langs: tuple[str, ...]) -> int:
    """How many Anki cards the note of `card` makes: a cloze note one per cloze number in any
    of the languages its template shows (genanki's rule)."""
    if card.type is CardType.REVERSED:
        return 2
    if card.type is CardType.CLOZE:
        return max(1, len({n for lang in langs for n in card.cloze_numbers(lang)}))
    return 1


@dataclass(slots=True)
class AnkiResult:
    decks: int = 0
    notes: dict[str, int] = field(default_factory=dict)  # model name -> notes
    drafts: int = 0  # draft cards left out
    cards: int = 0  # Anki cards the notes make

    @property
    def total(self) -> int:
        return sum(self.notes.values())


def export_anki(decks: Sequence[Deck], path: Path, lang: str = "en") -> AnkiResult:
    """Write `decks` (draft cards left out) to the Anki package at `path`, in one language
    ("en", "ko") or both in every note ("both")."""
    import genanki  # type: ignore[import-untyped]

    if path.suffix.lower() != ".apkg":
        raise ExchangeError(f"{path}: an Anki package must end in .apkg")
    models = _models()
    both = _bilingual_models() if lang == BOTH else {}
    result = AnkiResult()
    packaged = []
    for deck in decks:
        # a bilingual package keeps the English deck names, so it lands in the same decks
        name = deck_name(deck, "en" if lang == BOTH else lang)
        anki_deck = genanki.Deck(stable_id(name), name)
        if deck.description is not None:
            anki_deck.description = without_links(
                "<br>".join(to_html(deck.description.get(x)) for x in ("en", "ko"))
                if lang == BOTH
                else to_html(deck.description.get(lang))
            )
        for card in deck.cards:
            if card.draft:
                result.drafts += 1
                continue
            model = models.get(card.type, models[CardType.BASIC])
            if lang == BOTH:
                model = both[family(card)]
                fields = bilingual_fields(card)
            elif card.type is CardType.CLOZE:
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
            result.cards += _card_count(card, ("en", "ko") if lang == BOTH else (lang,))
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

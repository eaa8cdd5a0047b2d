"""Question sheets for a study group: numbered questions, and a separate answer key with the
explanations, as Markdown or standalone HTML (formulas rendered to Unicode by `latex.render`).

    sheet = build_sheet(cards, QuizSpec(decks=("transformer",), n=10), seed=7, lang="both")
    sheet.questions, sheet.answers      # two documents

A sheet depends only on the cards, the options and the seed: questions are drawn uniformly
(progress plays no part) with `random.Random(seed)` from the cards sorted by id, so the same
seed gives the same bytes on every machine.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from studytool.content.model import Card, Text
from studytool.latex import render as latex
from studytool.study.cardtypes import Interaction, Question
from studytool.study.quiz import QuizSpec, draw_questions
from studytool.study.text import label

FORMATS = ("md", "html")
SHEET_LANGS = ("en", "ko", "both")
BLANK = "_" * 24
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")

WORDS = {
    "en": {
        "questions": "{n} questions",
        "seed": "seed",
        "key": "Answer key",
        "answer": "Answer",
        "why": "Why",
        "order": "Order (numbers, first to last)",
        "formula": "Formula",
        "true": "True",
        "false": "False",
    },
    "ko": {
        "questions": "{n}문제",
        "seed": "seed",
        "key": "정답",
        "answer": "답",
        "why": "해설",
        "order": "순서 (번호를 앞에서부터)",
        "formula": "수식",
        "true": "참",
        "false": "거짓",
    },
}
SELF_PROMPT = ("Write your answer", "답을 쓰세요")


@dataclass(frozen=True, slots=True)
class Sheet:
    questions: str
    answers: str
    count: int  # questions on the sheet (fewer than asked when the decks have fewer cards)
    fmt: str


def build_sheet(
    cards: Iterable[Card],
    spec: QuizSpec,
    *,
    seed: int,
    lang: str = "en",
    fmt: str = "md",
    title: Text | None = None,
) -> Sheet:
    if lang not in SHEET_LANGS:
        raise ValueError(f"lang must be one of {', '.join(SHEET_LANGS)}, not '{lang}'")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    questions = draw_questions(cards, replace(spec, fresh=True), random.Random(seed))
    langs = ("en", "ko") if lang == "both" else (lang,)
    title = title or Text("Quiz", "퀴즈")
    render = _markdown if fmt == "md" else _html
    sheet, key = render(questions, langs, title, seed)
    return Sheet(sheet, key, len(questions), fmt)


# ---- what each question shows ------------------------------------------------------------


def _both(texts: dict[str, str]) -> list[str]:
    """One line per language, once when both languages read the same."""
    return list(dict.fromkeys(texts.values()))


def _per_lang(langs: Sequence[str], get) -> dict[str, str]:
    return {lg: get(lg) for lg in langs}


def _instruction(q: Question, lg: str) -> str:
    if q.interaction is Interaction.SELF:
        return SELF_PROMPT[lg == "ko"]
    return q.instruction(lg)


def _formula(q: Question) -> str | None:
    """The formula the question gives (`given`); a card's `formula` goes in the key."""
    return latex(q.given) if q.given else None


def _key_formula(q: Question) -> str | None:
    return latex(q.answer_formula) if q.answer_formula else None


# ---- Markdown ----------------------------------------------------------------------------


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _heading(title: Text, langs: Sequence[str], what: str | None = None) -> str:
    names = _both(_per_lang(langs, title.get))
    if what is not None:
        names = _both(_per_lang(langs, lambda lg: f"{WORDS[lg][what]}: {title.get(lg)}"))
    return " · ".join(names)


def _markdown(
    questions: Sequence[Question], langs: Sequence[str], title: Text, seed: int
) -> tuple[str, str]:
    n = len(questions)
    sub = " · ".join(_both(_per_lang(langs, lambda lg: WORDS[lg]["questions"].format(n=n))))
    head = f"*{sub} · seed {seed}*"
    sheet = [f"# {_md(_heading(title, langs))}", "", head, ""]
    key = [f"# {_md(_heading(title, langs, 'key'))}", "", head, ""]
    for i, q in enumerate(questions, 1):
        lines = _both(_per_lang(langs, q.question))
        sheet.append(f"**{i}.** " + "  \n".join(_md(t) for t in lines))
        hint = " / ".join(_both(_per_lang(langs, lambda lg, q=q: _instruction(q, lg))))
        sheet += ["", f"*{_md(hint)}*", ""]
        if formula := _formula(q):
            sheet += [f"`{formula}`", ""]
        sheet += _md_body(q, langs)
        sheet.append("")
        key += _md_key(i, q, langs)
    return "\n".join(sheet).rstrip() + "\n", "\n".join(key).rstrip() + "\n"


def _options(q: Question, langs: Sequence[str]) -> list[str]:
    per = [q.option_texts(lg) for lg in langs]
    return [" / ".join(dict.fromkeys(texts)) for texts in zip(*per, strict=True)]


def _md_body(q: Question, langs: Sequence[str]) -> list[str]:
    words = [WORDS[lg] for lg in langs]
    match q.interaction:
        case Interaction.PICK | Interaction.TOGGLE:
            return [f"- **{label(p)})** {_md(t)}" for p, t in enumerate(_options(q, langs))]
        case Interaction.ARRANGE:
            items = [f"{p + 1}. {_md(t)}" for p, t in enumerate(_options(q, langs))]
            order = " / ".join(dict.fromkeys(w["order"] for w in words))
            return [*items, "", f"{_md(order)}: {BLANK}"]
        case Interaction.BOOL:
            true = " / ".join(dict.fromkeys(w["true"] for w in words))
            false = " / ".join(dict.fromkeys(w["false"] for w in words))
            return [f"☐ {true}    ☐ {false}"]
    answer = " / ".join(dict.fromkeys(w["answer"] for w in words))
    return [f"{answer}: {BLANK}"]


def _md_key(i: int, q: Question, langs: Sequence[str]) -> list[str]:
    answers = _both(_per_lang(langs, lambda lg: q.expected(lg)))
    out = [f"**{i}.** " + "  \n".join(_md(a) for a in answers)]
    if formula := _key_formula(q):
        out[-1] += f"  \n`{formula}`"
    if q.card.explain is not None:
        for lg in langs:
            if len(langs) == 1 or q.card.explain.bilingual or lg == langs[0]:
                out[-1] += f"  \n*{WORDS[lg]['why']}:* {_md(q.card.explain.get(lg))}"
    out[-1] += f"  \n<sub>{_md(q.card.full_id)}</sub>"
    out.append("")
    return out


# ---- HTML --------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,'Apple SD Gothic Neo','Noto Sans KR',sans-serif;"
    "max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
    "ol.questions>li{margin-bottom:1.4rem}.hint{color:#666;font-style:italic}"
    ".formula{font-family:'STIX Two Math','Cambria Math',serif;font-size:1.1em}"
    ".blank{display:inline-block;min-width:14rem;border-bottom:1px solid #000}"
    ".id{color:#999;font-size:.8em}ul.choices{list-style:none;padding-left:1rem}"
    "@media print{body{margin:0}}"
)


def _page(title: str, body: list[str], lang: str) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{lang}">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _html(
    questions: Sequence[Question], langs: Sequence[str], title: Text, seed: int
) -> tuple[str, str]:
    e = html.escape
    n = len(questions)
    sub = " · ".join(_both(_per_lang(langs, lambda lg: WORDS[lg]["questions"].format(n=n))))
    head = f'<p class="hint">{e(sub)} · seed {seed}</p>'
    sheet_title = _heading(title, langs)
    key_title = _heading(title, langs, "key")
    sheet = [f"<h1>{e(sheet_title)}</h1>", head, '<ol class="questions">']
    key = [f"<h1>{e(key_title)}</h1>", head, '<ol class="questions">']
    for q in questions:
        lines = "<br>".join(e(t) for t in _both(_per_lang(langs, q.question)))
        hint = " / ".join(_both(_per_lang(langs, lambda lg, q=q: _instruction(q, lg))))
        sheet += ["<li>", f"<p>{lines}</p>", f'<p class="hint">{e(hint)}</p>']
        if formula := _formula(q):
            sheet.append(f'<p class="formula">{e(formula)}</p>')
        sheet += [*_html_body(q, langs), "</li>"]
        answers = "<br>".join(e(a) for a in _both(_per_lang(langs, lambda lg, q=q: q.expected(lg))))
        key += ["<li>", f"<p><strong>{answers}</strong></p>"]
        if formula := _key_formula(q):
            key.append(f'<p class="formula">{e(formula)}</p>')
        if q.card.explain is not None:
            for lg in langs:
                if len(langs) == 1 or q.card.explain.bilingual or lg == langs[0]:
                    why = WORDS[lg]["why"]
                    key.append(f"<p><em>{e(why)}:</em> {e(q.card.explain.get(lg))}</p>")
        key += [f'<p class="id">{e(q.card.full_id)}</p>', "</li>"]
    sheet.append("</ol>")
    key.append("</ol>")
    page_lang = langs[0] if len(langs) == 1 else "en"
    return _page(sheet_title, sheet, page_lang), _page(key_title, key, page_lang)


def _html_body(q: Question, langs: Sequence[str]) -> list[str]:
    e = html.escape
    words = [WORDS[lg] for lg in langs]
    blank = '<span class="blank">&nbsp;</span>'
    match q.interaction:
        case Interaction.PICK | Interaction.TOGGLE:
            rows = [
                f"<li><strong>{label(p)})</strong> {e(t)}</li>"
                for p, t in enumerate(_options(q, langs))
            ]
            return ['<ul class="choices">', *rows, "</ul>"]
        case Interaction.ARRANGE:
            rows = [f"<li>{e(t)}</li>" for t in _options(q, langs)]
            order = " / ".join(dict.fromkeys(w["order"] for w in words))
            return ["<ol>", *rows, "</ol>", f"<p>{e(order)}: {blank}</p>"]
        case Interaction.BOOL:
            true = " / ".join(dict.fromkeys(w["true"] for w in words))
            false = " / ".join(dict.fromkeys(w["false"] for w in words))
            return [f"<p>☐ {e(true)} &nbsp;&nbsp; ☐ {e(false)}</p>"]
    answer = " / ".join(dict.fromkeys(w["answer"] for w in words))
    return [f"<p>{e(answer)}: {blank}</p>"]

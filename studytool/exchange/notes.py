"""Turn a study note (Markdown or plain text, Korean and English) into a deck of draft cards.

The heuristics follow how the course notes are written:

- `Term: definition` lines, `- Term - definition` bullets, a term followed by `: definition`
  lines, and a short bullet with one sub-bullet become basic cards ("definition");
- a heading (or bullet) followed by two or more bullets becomes "What are the key points of X?"
  ("key-points"), and bullets under it that mention a key term (bold, a heading above them or a
  term defined in the note) become cloze cards ("cloze");
- `$...$` equations and `$$...$$` blocks become basic cards that carry the LaTeX ("formula");
- `Q.`/`A.` and `Q1.`/`A.` pairs, and bullets ending in `?` with their answer ("qa");
- `2014 - Adam` timelines become a card per event ("timeline") and one `order` card ("order").

Every card is a draft (`draft: true`) with `source: {note, line, quote}`. Card ids are a short
slug plus a hash of the card's subject (the term, heading, question, event, equation or line),
so running the import again on the same note, or after editing a definition in it, yields the
same ids.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studytool.content.model import ID_RE, Card, CardType, Deck, Source, Text
from studytool.exchange.textio import ExchangeError, read_text
from studytool.latex import render
from studytool.textsafe import strip_controls

KINDS = ("definition", "key-points", "cloze", "formula", "qa", "timeline", "order")
_ID_PREFIX = {
    "definition": "def",
    "key-points": "kp",
    "cloze": "cloze",
    "formula": "formula",
    "qa": "qa",
    "timeline": "year",
    "order": "order",
}

_BULLET = re.compile(r"^(?P<m>[-*•◦▪‣+]|\d{1,2}[.)])\s+(?P<body>.*)$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<body>.+?)\s*#*$")
_QUESTION = re.compile(r"^(?:[-*•]\s+)?Q\s*\d{0,3}\s*[.:)]\s*(?P<text>\S.*)$")
_ANSWER = re.compile(r"^(?:[-*•]\s+)?A\s*\d{0,3}\s*[.:)]\s*(?P<text>\S.*)$")
_YEAR = re.compile(r"^(?:[-*•]\s+)?(?P<year>(?:1[89]|20)\d\d)\s*년?\s*[-–—:)]\s*(?P<event>\S.*)$")
# Pandoc's rule: no space inside the dollars, no digit after the closing one ($5 and $10).
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)(?P<tex>(?:\\.|[^$\\])+?)(?<![\s\\])\$(?!\d)")
DISPLAY_MATH = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.DOTALL)
_BOLD = re.compile(
    r"\*\*(?P<a>[^*]+?)\*\*|__(?P<b>[^_]+?)__|<(?:b|strong)>(?P<c>.+?)</(?:b|strong)>"
)
_RELATION = re.compile(
    r"=|<|>|\\(?:leftarrow|rightarrow|gets|to|sim|approx|propto|leq?|geq?|neq?|equiv|mapsto)\b"
)
_WORDY = re.compile(r"[^\W_]")
# Korean sentence endings and final punctuation: such a line is prose, not a heading or a term.
_SENTENCE_END = re.compile(r"(?:[.!。]|[다요음함임됨짐])\s*$")
MAX_TERM_WORDS = 6
MAX_SUBJECT_WORDS = 10
_SCRIPT = re.compile(r"[_^](?:\{[^{}]*\}|\\[A-Za-z]+|\S)")
_LINK = re.compile(r"://|www\.|^[\w.-]+\.(?:com|org|net|io|kr|ai|dev|so)(?:/\S*)?$")
_ASIDE = ("*", "※", "->", "→")  # footnotes and asides: never headings
MAX_GAP = 4  # description lines allowed between two timeline entries
MAX_CLOZE = 160  # longer lines make poor cloze cards


@dataclass(frozen=True, slots=True)
class NoteDraft:
    deck: Deck
    counts: dict[str, int]
    encoding: str = "UTF-8"


@dataclass(eq=False)
class _Line:
    no: int  # 1-based line number in the note
    indent: int
    raw: str  # stripped text, quoted in `source`
    marker: str | None = None  # bullet marker, None for a plain line
    body: str = ""  # the text after the marker
    tex: str | None = None  # a $$ block's LaTeX
    used: bool = False  # taken by the Q/A or timeline heuristics

    @property
    def number(self) -> int | None:
        return int(self.marker[:-1]) if self.marker and self.marker[0].isdigit() else None


@dataclass(eq=False)
class _Node:
    line: _Line
    heading: bool = False
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    defs: list[_Line] = field(default_factory=list)  # ": definition" lines under a term
    maths: list[_Line] = field(default_factory=list)  # $$ blocks that belong to this node
    section: _Node | None = None  # the last heading above the node
    index: int = 0  # position among the parent's children

    @property
    def rank(self) -> int:
        if self.heading:
            return -1
        numbered = self.line.number is not None
        return self.line.indent * 2 + (0 if numbered else 1)


@dataclass(eq=False)
class _Candidate:
    kind: str
    subject: str  # what the id hashes: stable while the note's wording around it changes
    name: str  # readable part of the id
    line: _Line
    card: dict  # Card keyword arguments except deck, id, draft, source


# -- text helpers --------------------------------------------------------------------------


def _math_spans(text: str) -> list[re.Match[str]]:
    spans = list(DISPLAY_MATH.finditer(text))
    taken = [(m.start(), m.end()) for m in spans]
    spans += [
        m for m in INLINE_MATH.finditer(text) if not any(a <= m.start() < b for a, b in taken)
    ]
    return sorted(spans, key=lambda m: m.start())


def _clean(text: str) -> str:
    """Readable card text: bold markers dropped, inline LaTeX rendered as Unicode."""
    text = _BOLD.sub(lambda m: m.group("a") or m.group("b") or m.group("c"), text)
    out, pos = [], 0
    for m in _math_spans(text):
        out += [text[pos : m.start()], render(m.group("tex").strip())]
        pos = m.end()
    out.append(text[pos:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _words(text: str) -> int:
    return len(text.split())


def _is_term(text: str, max_words: int = MAX_TERM_WORDS) -> bool:
    """Short, not a sentence, a question, an equation or a link: can name a card."""
    return (
        bool(_WORDY.search(text))
        and _words(text) <= max_words
        and len(text) <= 80
        and not _SENTENCE_END.search(text)
        and "?" not in text
        and "=" not in text
        and not _LINK.search(text)
    )


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _equations(text: str) -> list[str]:
    """The LaTeX of inline formulas that state something (an equation, an update, a relation)."""
    return [
        m.group("tex").strip()
        for m in _math_spans(text)
        # i=1 in a subscript is no equation
        if _RELATION.search(_SCRIPT.sub("", m.group("tex"))) and len(m.group("tex").strip()) >= 3
    ]


def _without_math(text: str) -> str:
    out, pos = [], 0
    for m in _math_spans(text):
        out.append(text[pos : m.start()])
        pos = m.end()
    return "".join([*out, text[pos:]])


def _has_final_consonant(word: str) -> bool | None:
    """Whether a Korean reader ends `word` on a consonant (picks 은/는, 이란/란); None if unsure."""
    word = re.sub(r"\s*\([^)]*\)\s*$", "", word).rstrip()
    if not word:
        return None
    ch = word[-1]
    if "\uac00" <= ch <= "\ud7a3":
        return (ord(ch) - 0xAC00) % 28 != 0
    if ch.isdigit():
        return ch in "0136780"  # 영 일 삼 육 칠 팔 (and 십/백 for 0)
    return None


def _topic(word: str) -> str:
    final = _has_final_consonant(word)
    return word + ("은(는)" if final is None else "은" if final else "는")


def _what_is(word: str) -> str:
    final = _has_final_consonant(word)
    return word + ("(이)란" if final is None else "이란" if final else "란")


def _with_context(text: Text, context: str | None) -> Text:
    if not context:
        return text
    return Text(f"{text.en} ({context})", f"{text.ko} ({context})")


# -- reading the note ------------------------------------------------------------------------


def _split_lines(text: str) -> list[_Line]:
    """Lines with bullets recognised and $$ blocks folded into one line each."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[_Line] = []
    # closing[i]: the first line at or after i that holds $$ (one pass, so that many
    # unclosed blocks do not each scan the rest of the note)
    closing: list[int | None] = [None] * (len(raw) + 1)
    for j in range(len(raw) - 1, -1, -1):
        closing[j] = j if "$$" in raw[j] else closing[j + 1]
    i = 0
    while i < len(raw):
        full = raw[i].expandtabs(4).rstrip()
        s = full.strip().lstrip("\ufeff")
        indent = len(full) - len(full.lstrip())
        if s.startswith("$$") and "$$" not in s[2:]:
            end = closing[i + 1]
            if end is not None:
                body = [s[2:], *raw[i + 1 : end], raw[end].split("$$")[0]]
                tex = "\n".join(b.strip() for b in body if b.strip())
                # The block is quoted by its first row of maths, not by $$ or \begin{aligned}.
                rows = [(i + n, b.strip()) for n, b in enumerate(body) if b.strip()]
                no, quote = next(
                    (r for r in rows if not r[1].startswith(("\\begin", "\\end"))), (i, "$$")
                )
                if tex:
                    out.append(_Line(no + 1, indent, quote, tex=tex))
                i = end + 1
                continue
        if s.startswith("$$") and s.endswith("$$") and len(s) > 4 and s.count("$$") == 2:
            out.append(_Line(i + 1, indent, s, tex=s[2:-2].strip()))
        elif _WORDY.search(s):
            m = _BULLET.match(s)
            if m and _WORDY.search(m.group("body")):
                out.append(_Line(i + 1, indent, s, m.group("m"), m.group("body").strip()))
            elif not m:
                out.append(_Line(i + 1, indent, s, None, s))
        i += 1
    return out


class _Builder:
    def __init__(self, text: str, note: str) -> None:
        self.note = note
        self.lines = _split_lines(text)
        self.found: list[_Candidate] = []
        self.defined: set[str] = set()  # terms with a definition card: cloze candidates
        self.position = {line: n for n, line in enumerate(self.lines)}

    def add(
        self, kind: str, subject: str, line: _Line, name: str | None = None, **card: object
    ) -> None:
        self.found.append(_Candidate(kind, subject, slug(name or subject), line, card))

    # -- Q/A pairs and timelines work on lines; everything else on the outline ---------------

    def qa_pairs(self) -> None:
        for i, line in enumerate(self.lines):
            q = _QUESTION.match(line.raw) if not line.used and line.tex is None else None
            if q is None:
                continue
            nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
            if nxt is None or nxt.tex is not None or _QUESTION.match(nxt.raw):
                continue
            a = _ANSWER.match(nxt.raw)
            answer = a.group("text") if a else nxt.body
            line.used = nxt.used = True
            question = _clean(q.group("text"))
            self.add(
                "qa", question, line, front=Text.plain(question), back=Text.plain(_clean(answer))
            )

    def timelines(self) -> None:
        entries = [
            (i, m)
            for i, line in enumerate(self.lines)
            if not line.used and line.tex is None and (m := _YEAR.match(line.raw))
        ]
        groups: list[list[tuple[int, re.Match[str]]]] = []
        for i, m in entries:
            if groups and i - groups[-1][-1][0] - 1 <= MAX_GAP:
                groups[-1].append((i, m))
            else:
                groups.append([(i, m)])
        for group in groups:
            first = group[0][0]
            before = self.lines[first - 1] if first > 0 else None
            title = None
            if before is not None and not before.used and before.tex is None:
                candidate = _clean(before.body).rstrip(":").strip()
                if _is_term(candidate):
                    title = candidate
            for n, (i, m) in enumerate(group):
                line = self.lines[i]
                line.used = True
                event = _clean(m.group("event"))
                details = []
                if n + 1 < len(group):
                    for gap in self.lines[i + 1 : group[n + 1][0]]:
                        gap.used = True
                        details.append(_clean(gap.body))
                self.add(
                    "timeline",
                    event,
                    line,
                    prompt=_with_context(
                        Text(
                            f"In which year did {event} appear?",
                            f"{_topic(event)} 몇 년에 나왔나요?",
                        ),
                        title,
                    ),
                    back=Text.plain(m.group("year")),
                    explain=Text.plain("\n".join(details)) if details else None,
                )
            years: dict[str, list[str]] = {}
            for _, m in sorted(group, key=lambda e: e[1].group("year")):
                years.setdefault(m.group("year"), []).append(_clean(m.group("event")))
            if len(years) < 2:
                continue
            items = tuple(Text.plain(" / ".join(events)) for events in years.values())
            question = (
                Text(
                    f"Put these in chronological order: {title}",
                    f"{title}: 시간 순서대로 나열하세요.",
                )
                if title
                else Text("Put these in chronological order.", "시간 순서대로 나열하세요.")
            )
            self.add(
                "order",
                title or " / ".join(years),
                self.lines[first],
                ctype=CardType.ORDER,
                prompt=question,
                items=items,
            )

    def outline(self) -> list[_Node]:
        """Headings, bullets nested by indentation, `: definition` lines and $$ blocks."""
        nodes: list[_Node] = []
        stack: list[_Node] = []  # open heading and bullets, outermost first
        last: _Node | None = None
        section: _Node | None = None

        def attach(node: _Node, parent: _Node | None) -> None:
            nonlocal last
            node.parent, node.section = parent, section
            if parent is not None:
                node.index = len(parent.children)
                parent.children.append(node)
            nodes.append(node)
            last = node

        for i, line in enumerate(self.lines):
            if line.used:
                stack, last = [], None
                continue
            if line.tex is not None:
                owner = next((n for n in stack if not n.heading), stack[0] if stack else last)
                if owner is not None:
                    owner.maths.append(line)
                else:
                    attach(_Node(line, maths=[line]), None)
                continue
            if line.marker is None and line.raw.startswith((":", "：")) and last is not None:
                line.body = line.raw[1:].strip()
                last.defs.append(line)
                continue
            item = stack[-1] if stack and not stack[-1].heading else None
            if line.marker is None and item is not None and line.indent > item.line.indent:
                attach(_Node(line), item)  # prose indented under a bullet belongs to it
                continue
            if line.marker is None and (numbered := self._continues_list(i, stack)):
                attach(_Node(line), numbered)  # prose between items 2. and 3. belongs to 2.
                continue
            if line.marker is None:
                md = _MD_HEADING.match(line.raw)
                if md:
                    line.body = md.group("body")
                node = _Node(line, heading=bool(md) or self._heads_list(i))
                if node.heading:
                    section = node
                attach(node, None)
                stack = [node] if node.heading else []
                continue
            node = _Node(line)
            while stack and not stack[-1].heading and stack[-1].rank >= node.rank:
                stack.pop()
            attach(node, stack[-1] if stack else None)
            stack.append(node)
        return nodes

    def _heads_list(self, i: int) -> bool:
        """A plain line is a heading when bullets follow it and it does not read as a sentence."""
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        line = self.lines[i]
        if nxt is None or nxt.marker is None or nxt.used or line.raw.startswith(_ASIDE):
            return False
        definition = _definition(line.body, bullet=False)
        text = _clean(definition[0] if definition else line.body)
        return (
            _words(text) <= MAX_SUBJECT_WORDS
            and not _SENTENCE_END.search(text)
            and not _LINK.search(text)
        )

    def _continues_list(self, i: int, stack: list[_Node]) -> _Node | None:
        numbered = next((n for n in reversed(stack) if n.line.number is not None), None)
        if numbered is None:
            return None
        for line in self.lines[i : i + MAX_GAP + 1]:
            if line.used or line.tex is not None:
                return None
            if line.marker is not None:
                follows = line.number == (numbered.line.number or 0) + 1
                return numbered if follows and line.indent == numbered.line.indent else None
        return None

    # -- cards from the outline ------------------------------------------------------------

    def from_outline(self, nodes: list[_Node]) -> None:
        for node in nodes:
            self.node_cards(node)
        index = _TermIndex(sorted(self.defined))
        for node in nodes:
            self.cloze(node, index)

    def node_cards(self, node: _Node) -> None:
        text = node.line.body
        definition = _definition(text, bullet=node.line.marker is not None)
        subject = _subject(node)
        question = definition is None and _clean(text).endswith("?")
        only = node.children[0] if len(node.children) == 1 else None
        # One sub-point under a term is its meaning, unless it is a term or question of its own.
        meaning = None
        if only is not None and _definition(only.line.body, only.line.marker is not None) is None:
            child = _clean(only.line.body)
            if not child.endswith("?") and _normal(child) != _normal(subject):
                meaning = _render_node(only, 0)[2:]
        if definition is not None:
            term, rest = definition
            extra = f"\n- {meaning}" if meaning and only is not None and not only.children else ""
            self.definition(node, term, rest, extra)
        elif node.defs:
            self.definition(node, text, "\n".join(_clean(d.body) for d in node.defs))
        elif question:
            self.question(node)
        elif meaning and _is_term(subject):
            self.definition(node, text, meaning)
        if len(node.children) >= 2 and not question and _is_term(subject, MAX_SUBJECT_WORDS):
            self.add(
                "key-points",
                f"{_context(node) or ''}/{subject}",
                node.line,
                name=subject,
                prompt=Text(
                    f"What are the key points of {subject}?", f"{subject}의 핵심 내용은 무엇인가요?"
                ),
                back=Text.plain("\n".join(_render_node(c, 0) for c in node.children)),
            )
        if definition is None:
            for tex in _equations(text):
                self.formula(node, tex, _clean(text))
        for block in node.maths:
            tex = block.tex or ""
            self.formula(node, tex, "\n".join(_aligned_rows(tex)), own=True, line=block)

    def definition(self, node: _Node, term: str, meaning: str, extra: str = "") -> None:
        term_text = _clean(term).rstrip(":").strip()
        meaning_text = meaning if "\n" in meaning else _clean(meaning)
        if not term_text or not meaning_text:
            return
        equations = _equations(meaning)
        if equations and _words(_without_math(meaning).strip(" ,.;:-")) < 3:
            self.formula(node, equations[0], _clean(node.line.body), subject=term_text)
            return
        context = _context(node)
        if context is None and "$" not in term:
            self.defined.add(term_text)  # a term of the whole note, not of one section
        front = Text(f"What is {term_text}?", f"{_what_is(term_text)} 무엇인가요?")
        self.add(
            "definition",
            f"{context or ''}/{term_text}",
            node.line,
            name=term_text,
            prompt=_with_context(front, context),
            back=Text.plain(meaning_text + extra),
            formula=equations[0] if equations else None,
        )

    def question(self, node: _Node) -> None:
        answer = "\n".join(_render_node(c, 0) for c in node.children) if node.children else None
        siblings = node.parent.children if node.parent else []
        if answer is None and siblings:
            after = range(node.index + 1, len(siblings))
            numbered = []
            for n in after:
                if siblings[n].line.number is None:
                    break
                numbered.append(siblings[n])
            if node.line.number is None and numbered:
                answer = "\n".join(_render_node(s, 0) for s in numbered)
            elif after and not _clean(siblings[after[0]].line.body).endswith("?"):
                answer = _clean(siblings[after[0]].line.body)
        if answer:
            question = _clean(node.line.body)
            self.add("qa", question, node.line, front=Text.plain(question), back=Text.plain(answer))

    def formula(
        self,
        node: _Node,
        tex: str,
        back: str,
        subject: str | None = None,
        own: bool = False,
        line: _Line | None = None,
    ) -> None:
        """A card asking for a formula, named by its term, the line that introduces it, the
        node it belongs to, its heading, or failing all those, its left-hand side."""
        heading = _heading(node)
        names = [subject]
        if not own:
            prefix = _clean(_without_math(node.line.body.split("$", 1)[0]))
            if prefix.endswith(":"):
                names.append(prefix.rstrip(": "))
        if own or node.line.body.lstrip().startswith("$"):
            previous = self._previous(line or node.line)
            if previous is not None and previous.body.rstrip().endswith(":"):
                names.append(_clean(previous.body).rstrip(": "))
        owner = node if own else node.parent
        names += [_subject(owner) if owner is not None else None, heading]
        name = next((n for n in names if n and _is_term(n, MAX_SUBJECT_WORDS)), None)
        if name is None:
            name = render(_RELATION.split(tex, maxsplit=1)[0].strip()) or render(tex)
        context = heading if heading and heading != name else None
        self.add(
            "formula",
            tex,
            line or node.line,
            prompt=_with_context(
                Text(f"What is the formula for {name}?", f"{name}의 수식은 무엇인가요?"), context
            ),
            back=Text.plain(back or render(tex)),
            formula=tex,
        )

    def _previous(self, line: _Line) -> _Line | None:
        i = self.position[line]
        return self.lines[i - 1] if i > 0 else None

    def cloze(self, node: _Node, defined: _TermIndex) -> None:
        """Blank the key terms of a bullet: bold text, the headings above it, defined terms."""
        body = node.line.body
        bold = [m.group("a") or m.group("b") or m.group("c") for m in _BOLD.finditer(body)]
        if not bold and (node.heading or node.parent is None):
            return
        text = _clean(body)
        if len(text) > MAX_CLOZE:
            return
        terms = [_clean(b) for b in bold]
        ancestor = node.parent
        while ancestor is not None:
            terms += _term_variants(_subject(ancestor))
            ancestor = ancestor.parent
        terms += defined.within(text)
        own = _definition(body, bullet=node.line.marker is not None)
        start = len(_clean(own[0])) if own else 0  # a definition's own term is not blanked
        blanks: list[tuple[int, int]] = []
        for term in sorted(dict.fromkeys(t for t in terms if len(t) >= 3), key=len, reverse=True):
            if "::" in term or "}" in term:
                continue
            for m in _term_pattern(term).finditer(text, start):
                if not any(a < m.end() and m.start() < b for a, b in blanks):
                    blanks.append((m.start(), m.end()))
                    break
            if len(blanks) == 3:
                break
        hidden = sum(b - a for a, b in blanks)
        if not blanks or len(text) - hidden < 12:
            return
        out, pos = [], 0
        for n, (a, b) in enumerate(sorted(blanks), start=1):
            out += [text[pos:a], f"{{{{c{n}::{text[a:b]}}}}}"]
            pos = b
        out.append(text[pos:])
        self.add("cloze", text, node.line, ctype=CardType.CLOZE, prompt=Text.plain("".join(out)))

    # -- the deck --------------------------------------------------------------------------

    def cards(self, deck_id: str) -> tuple[list[Card], dict[str, int]]:
        self.qa_pairs()
        self.timelines()
        self.from_outline(self.outline())
        order = {k: n for n, k in enumerate(KINDS)}
        self.found.sort(key=lambda c: (c.line.no, order[c.kind]))
        seen: dict[str, tuple] = {}
        # per kind and subject: the content of each card made so far, with its id
        made: dict[tuple[str, str, str], dict[tuple, str]] = {}
        cards: list[Card] = []
        counts = dict.fromkeys(KINDS, 0)
        for cand in self.found:
            content = (cand.kind, tuple(sorted((k, str(v)) for k, v in cand.card.items())))
            same = made.setdefault((cand.kind, _normal(cand.subject), cand.name), {})
            if content in same:
                continue  # the same card again: a note often repeats a line
            # Occurrences 1..len(same) are taken by this subject's other cards: start after them.
            occurrence = len(same) + 1
            card_id = _card_id(cand.kind, cand.subject, cand.name, occurrence)
            while card_id in seen and seen[card_id] != content:
                occurrence += 1
                card_id = _card_id(cand.kind, cand.subject, cand.name, occurrence)
            if card_id in seen:
                continue
            seen[card_id] = content
            same[content] = card_id
            kwargs = dict(cand.card)
            ctype = kwargs.pop("ctype", CardType.BASIC)
            prompt = kwargs.pop("prompt", None) or kwargs.pop("front")
            cards.append(
                Card(
                    deck=deck_id,
                    id=card_id,
                    type=ctype,
                    prompt=prompt,
                    draft=True,
                    tags=(cand.kind,),
                    source=Source(self.note, cand.line.raw, cand.line.no),
                    **kwargs,
                )
            )
            counts[cand.kind] += 1
        return cards, counts


def _definition(text: str, bullet: bool) -> tuple[str, str] | None:
    """`Term: definition` (any line) or `Term - definition` (a bullet): the term and the rest."""
    masked = text
    for m in _math_spans(text):  # a colon inside $...$ is no separator
        masked = masked[: m.start()] + "x" * (m.end() - m.start()) + masked[m.end() :]
    colon = re.search(r"\s*[:：]\s*", masked)
    if colon:
        term, meaning = text[: colon.start()].strip().lstrip("*"), text[colon.end() :].strip()
        clock = term[-1:].isdigit() and meaning[:1].isdigit()
        if meaning and not meaning.startswith("//") and not clock and _is_term(_clean(term)):
            return (term, meaning) if len(_clean(meaning)) >= 2 else None
        return None
    if bullet:
        dash = re.search(r"\s+[-–—]\s+", masked)
        if dash:
            term, meaning = text[: dash.start()].strip(), text[dash.end() :].strip()
            if _is_term(_clean(term), 4) and not term[:1].isdigit() and len(_clean(meaning)) >= 2:
                return term, meaning
    return None


def _subject(node: _Node | None) -> str:
    """What a node is about: its term when it defines one, else its text without a final ':'."""
    if node is None:
        return ""
    definition = _definition(node.line.body, bullet=node.line.marker is not None)
    text = definition[0] if definition else node.line.body
    return _clean(text).rstrip(":： ").strip()


def _heading(node: _Node) -> str | None:
    top = node
    while top.parent is not None:
        top = top.parent
    section = top if top.heading else top.section
    return _subject(section) if section is not None and section is not node else None


def _context(node: _Node) -> str | None:
    """The subject of the node's parent, shown with a term whose meaning depends on it."""
    if node.parent is None:
        return None
    subject = _subject(node.parent)
    return subject if _is_term(subject, MAX_SUBJECT_WORDS) else None


def _render_node(node: _Node, depth: int) -> str:
    text = _clean(node.line.body)
    if node.defs:
        text += ": " + "; ".join(_clean(d.body) for d in node.defs)
    return "  " * depth + "- " + text


def _term_variants(subject: str) -> list[str]:
    """`Adam(Adaptive Moment Estimation)` is also `Adam` and `Adaptive Moment Estimation`."""
    if not _is_term(subject, 4):
        return []
    out = [subject]
    m = re.fullmatch(r"(?P<a>[^()]+?)\s*\((?P<b>[^()]+)\)", subject)
    if m:
        out += [m.group("a").strip(), m.group("b").strip()]
    return out


@functools.lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str]:
    """Whole words on the ASCII side (CNN is not in R-CNN); Korean particles may follow
    directly (Momentum과)."""
    left = r"(?<![A-Za-z0-9-])" if term[0].isascii() and term[0].isalnum() else ""
    right = r"(?![A-Za-z0-9-])" if term[-1].isascii() and term[-1].isalnum() else ""
    return re.compile(left + re.escape(term) + right, re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str | None:
    """The character as re.IGNORECASE compares it, or None where folding changes its length."""
    folded = ch.casefold()
    return folded if len(folded) == 1 else None


def _fold(text: str) -> str | None:
    out = [_fold_char(ch) for ch in text]
    return None if None in out else "".join(out)  # type: ignore[arg-type]


class _TermIndex:
    """The note's defined terms in a trie of their folded characters: each bullet finds the
    terms that occur in it by walking the trie from each of its positions, so the work per
    bullet does not grow with the note and the import stays linear in the note's size."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms
        self.trie: dict[str, Any] = {}  # folded character -> subtrie; "" -> term numbers
        self.always: list[int] = []  # terms that do not fold simply: tried on every bullet
        for n, term in enumerate(terms):
            folded = _fold(term)
            if folded is None:
                self.always.append(n)
                continue
            node: dict[str, Any] = self.trie
            for ch in folded:
                node = node.setdefault(ch, {})
            node.setdefault("", []).append(n)  # "" never is a folded character

    def within(self, text: str) -> list[str]:
        """The terms that may occur in `text`, in the order of `terms`."""
        folded = _fold(text)
        if folded is None:
            return list(self.terms)
        found = set(self.always)
        for start in range(len(folded)):
            node = self.trie
            for ch in folded[start:]:
                if ch not in node:
                    break
                node = node[ch]
                found.update(node.get("", ()))
        return [self.terms[n] for n in sorted(found)]


def _aligned_rows(tex: str) -> list[str]:
    """An aligned block as one rendered row per line, for the back of a formula card."""
    body = re.sub(r"\\(?:begin|end)\{[a-z*]+\}", "", tex)
    rows = [r.replace("&", "").strip() for r in re.split(r"\\\\", body)]
    return [render(r) for r in rows if r]


def slug(text: str) -> str:
    """The first few ASCII words of `text`, for readable ids: 'Adam(Adaptive...' -> 'adam-...'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text):
        if len(out) + len(word) + 1 > 24:
            break
        out = f"{out}-{word}" if out else word
    return out


def _card_id(kind: str, subject: str, name: str, occurrence: int = 1) -> str:
    key = f"{kind}\x1f{_normal(subject)}" + (f"\x1f{occurrence}" if occurrence > 1 else "")
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    return "-".join(p for p in (_ID_PREFIX[kind], name, digest) if p)


def draft_deck(text: str, note: str, deck_id: str) -> NoteDraft:
    """The draft deck for a note's text; `note` is the note's file name, kept in `source`."""
    if not ID_RE.fullmatch(deck_id):
        raise ExchangeError(
            f"'{deck_id}' is not a valid deck id: use lowercase letters, digits, '-' and '_'"
        )
    # A note is untrusted: escape sequences and other control characters never reach the deck
    # (lone CRs are line breaks of old Mac files, not controls to drop).
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    note = strip_controls(note, lines=False)
    if not text.strip():
        raise ExchangeError(f"{note} is empty: there is nothing to turn into cards")
    cards, counts = _Builder(text, note).cards(deck_id)
    if not cards:
        raise ExchangeError(
            f"found nothing to turn into cards in {note}: no 'Term: definition' lines, headings"
            " with bullets, $formulas$, Q./A. pairs or '2014 - event' timelines"
        )
    stem = Path(note).stem
    deck = Deck(
        id=deck_id,
        title=Text(f"Draft: {stem}", f"초안: {stem}"),
        path=Path(f"{deck_id}.yaml"),
        source=(note,),
        cards=tuple(cards),
    )
    return NoteDraft(deck, counts)


def draft_from_file(path: Path, deck_id: str) -> NoteDraft:
    text, encoding = read_text(path)
    draft = draft_deck(text, path.name, deck_id)
    return NoteDraft(draft.deck, draft.counts, encoding)

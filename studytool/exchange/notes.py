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

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from studytool.content.model import ID_RE, Card, CardType, Deck, Source, Text
from studytool.exchange.notetext import (
    BOLD,
    LINK,
    MAX_SUBJECT_WORDS,
    RELATION,
    SENTENCE_END,
    NoteLine,
    TermIndex,
    aligned_rows,
    clean_text,
    find_equations,
    is_term,
    normal_form,
    slug,
    split_definition,
    split_lines,
    term_matches,
    term_variants,
    topic_of,
    what_is,
    with_context,
    without_math,
    word_count,
)
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

_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<body>.+?)\s*#*$")
_QUESTION = re.compile(r"^(?:[-*•]\s+)?Q\s*\d{0,3}\s*[.:)]\s*(?P<text>\S.*)$")
_ANSWER = re.compile(r"^(?:[-*•]\s+)?A\s*\d{0,3}\s*[.:)]\s*(?P<text>\S.*)$")
_YEAR = re.compile(r"^(?:[-*•]\s+)?(?P<year>(?:1[89]|20)\d\d)\s*년?\s*[-–—:)]\s*(?P<event>\S.*)$")
_ASIDE = ("*", "※", "->", "→")  # footnotes and asides: never headings
MAX_GAP = 4  # description lines allowed between two timeline entries
MAX_CLOZE = 160  # longer lines make poor cloze cards


@dataclass(frozen=True, slots=True)
class NoteDraft:
    deck: Deck
    counts: dict[str, int]
    encoding: str = "UTF-8"


@dataclass(eq=False)
class _Node:
    line: NoteLine
    heading: bool = False
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    defs: list[NoteLine] = field(default_factory=list)  # ": definition" lines under a term
    maths: list[NoteLine] = field(default_factory=list)  # $$ blocks that belong to this node
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
    line: NoteLine
    card: dict  # Card keyword arguments except deck, id, draft, source


# -- text helpers --------------------------------------------------------------------------


# -- reading the note ------------------------------------------------------------------------


class _Builder:
    def __init__(self, text: str, note: str) -> None:
        self.note = note
        self.lines = split_lines(text)
        self.found: list[_Candidate] = []
        self.defined: set[str] = set()  # terms with a definition card: cloze candidates
        self.position = {line: n for n, line in enumerate(self.lines)}

    def add(
        self, kind: str, subject: str, line: NoteLine, name: str | None = None, **card: object
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
            question = clean_text(q.group("text"))
            self.add(
                "qa",
                question,
                line,
                front=Text.plain(question),
                back=Text.plain(clean_text(answer)),
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
                candidate = clean_text(before.body).rstrip(":").strip()
                if is_term(candidate):
                    title = candidate
            for n, (i, m) in enumerate(group):
                line = self.lines[i]
                line.used = True
                event = clean_text(m.group("event"))
                details = []
                if n + 1 < len(group):
                    for gap in self.lines[i + 1 : group[n + 1][0]]:
                        gap.used = True
                        details.append(clean_text(gap.body))
                self.add(
                    "timeline",
                    event,
                    line,
                    prompt=with_context(
                        Text(
                            f"In which year did {event} appear?",
                            f"{topic_of(event)} 몇 년에 나왔나요?",
                        ),
                        title,
                    ),
                    back=Text.plain(m.group("year")),
                    explain=Text.plain("\n".join(details)) if details else None,
                )
            years: dict[str, list[str]] = {}
            for _, m in sorted(group, key=lambda e: e[1].group("year")):
                years.setdefault(m.group("year"), []).append(clean_text(m.group("event")))
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
        definition = split_definition(line.body, bullet=False)
        text = clean_text(definition[0] if definition else line.body)
        return (
            word_count(text) <= MAX_SUBJECT_WORDS
            and not SENTENCE_END.search(text)
            and not LINK.search(text)
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
        index = TermIndex(sorted(self.defined))
        for node in nodes:
            self.cloze(node, index)

    def node_cards(self, node: _Node) -> None:
        text = node.line.body
        definition = split_definition(text, bullet=node.line.marker is not None)
        subject = _subject(node)
        question = definition is None and clean_text(text).endswith("?")
        only = node.children[0] if len(node.children) == 1 else None
        # One sub-point under a term is its meaning, unless it is a term or question of its own.
        meaning = None
        if (
            only is not None
            and split_definition(only.line.body, only.line.marker is not None) is None
        ):
            child = clean_text(only.line.body)
            if not child.endswith("?") and normal_form(child) != normal_form(subject):
                meaning = _render_node(only, 0)[2:]
        if definition is not None:
            term, rest = definition
            extra = f"\n- {meaning}" if meaning and only is not None and not only.children else ""
            self.definition(node, term, rest, extra)
        elif node.defs:
            self.definition(node, text, "\n".join(clean_text(d.body) for d in node.defs))
        elif question:
            self.question(node)
        elif meaning and is_term(subject):
            self.definition(node, text, meaning)
        if len(node.children) >= 2 and not question and is_term(subject, MAX_SUBJECT_WORDS):
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
            for tex in find_equations(text):
                self.formula(node, tex, clean_text(text))
        for block in node.maths:
            tex = block.tex or ""
            self.formula(node, tex, "\n".join(aligned_rows(tex)), own=True, line=block)

    def definition(self, node: _Node, term: str, meaning: str, extra: str = "") -> None:
        term_text = clean_text(term).rstrip(":").strip()
        meaning_text = meaning if "\n" in meaning else clean_text(meaning)
        if not term_text or not meaning_text:
            return
        equations = find_equations(meaning)
        if equations and word_count(without_math(meaning).strip(" ,.;:-")) < 3:
            self.formula(node, equations[0], clean_text(node.line.body), subject=term_text)
            return
        context = _context(node)
        if context is None and "$" not in term:
            self.defined.add(term_text)  # a term of the whole note, not of one section
        front = Text(f"What is {term_text}?", f"{what_is(term_text)} 무엇인가요?")
        self.add(
            "definition",
            f"{context or ''}/{term_text}",
            node.line,
            name=term_text,
            prompt=with_context(front, context),
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
            elif after and not clean_text(siblings[after[0]].line.body).endswith("?"):
                answer = clean_text(siblings[after[0]].line.body)
        if answer:
            question = clean_text(node.line.body)
            self.add("qa", question, node.line, front=Text.plain(question), back=Text.plain(answer))

    def formula(
        self,
        node: _Node,
        tex: str,
        back: str,
        subject: str | None = None,
        own: bool = False,
        line: NoteLine | None = None,
    ) -> None:
        """A card asking for a formula, named by its term, the line that introduces it, the
        node it belongs to, its heading, or failing all those, its left-hand side."""
        heading = _heading(node)
        names = [subject]
        if not own:
            prefix = clean_text(without_math(node.line.body.split("$", 1)[0]))
            if prefix.endswith(":"):
                names.append(prefix.rstrip(": "))
        if own or node.line.body.lstrip().startswith("$"):
            previous = self._previous(line or node.line)
            if previous is not None and previous.body.rstrip().endswith(":"):
                names.append(clean_text(previous.body).rstrip(": "))
        owner = node if own else node.parent
        names += [_subject(owner) if owner is not None else None, heading]
        name = next((n for n in names if n and is_term(n, MAX_SUBJECT_WORDS)), None)
        if name is None:
            name = render(RELATION.split(tex, maxsplit=1)[0].strip()) or render(tex)
        context = heading if heading and heading != name else None
        self.add(
            "formula",
            tex,
            line or node.line,
            prompt=with_context(
                Text(f"What is the formula for {name}?", f"{name}의 수식은 무엇인가요?"), context
            ),
            back=Text.plain(back or render(tex)),
            formula=tex,
        )

    def _previous(self, line: NoteLine) -> NoteLine | None:
        i = self.position[line]
        return self.lines[i - 1] if i > 0 else None

    def cloze(self, node: _Node, defined: TermIndex) -> None:
        """Blank the key terms of a bullet: bold text, the headings above it, defined terms."""
        body = node.line.body
        bold = [m.group("a") or m.group("b") or m.group("c") for m in BOLD.finditer(body)]
        if not bold and (node.heading or node.parent is None):
            return
        text = clean_text(body)
        if len(text) > MAX_CLOZE:
            return
        terms = [clean_text(b) for b in bold]
        ancestor = node.parent
        while ancestor is not None:
            terms += term_variants(_subject(ancestor))
            ancestor = ancestor.parent
        terms += defined.within(text)
        own = split_definition(body, bullet=node.line.marker is not None)
        start = len(clean_text(own[0])) if own else 0  # a definition's own term is not blanked
        blanks: list[tuple[int, int]] = []
        for term in sorted(dict.fromkeys(t for t in terms if len(t) >= 3), key=len, reverse=True):
            if "::" in term or "}" in term:
                continue
            for begin, end in term_matches(term, text, start):
                if not any(a < end and begin < b for a, b in blanks):
                    blanks.append((begin, end))
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
            same = made.setdefault((cand.kind, normal_form(cand.subject), cand.name), {})
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


def _subject(node: _Node | None) -> str:
    """What a node is about: its term when it defines one, else its text without a final ':'."""
    if node is None:
        return ""
    definition = split_definition(node.line.body, bullet=node.line.marker is not None)
    text = definition[0] if definition else node.line.body
    return clean_text(text).rstrip(":： ").strip()


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
    return subject if is_term(subject, MAX_SUBJECT_WORDS) else None


def _render_node(node: _Node, depth: int) -> str:
    text = clean_text(node.line.body)
    if node.defs:
        text += ": " + "; ".join(clean_text(d.body) for d in node.defs)
    return "  " * depth + "- " + text


def _card_id(kind: str, subject: str, name: str, occurrence: int = 1) -> str:
    key = f"{kind}\x1f{normal_form(subject)}" + (f"\x1f{occurrence}" if occurrence > 1 else "")
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

"""The text side of the note importer: lines and bullets, inline maths, terms and Korean
particles, and the index of defined terms that keeps the import linear in the note's size."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from studytool.content.model import Text
from studytool.latex import render

_BULLET = re.compile(r"^(?P<m>[-*•◦▪‣+]|\d{1,2}[.)])\s+(?P<body>.*)$")
# Pandoc's rule: no space inside the dollars, no digit after the closing one ($5 and $10).
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)(?P<tex>(?:\\.|[^$\\])+?)(?<![\s\\])\$(?!\d)")
DISPLAY_MATH = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.DOTALL)
BOLD = re.compile(
    r"\*\*(?P<a>[^*]+?)\*\*|__(?P<b>[^_]+?)__|<(?:b|strong)>(?P<c>.+?)</(?:b|strong)>"
)
RELATION = re.compile(
    r"=|<|>|\\(?:leftarrow|rightarrow|gets|to|sim|approx|propto|leq?|geq?|neq?|equiv|mapsto)\b"
)
WORDY = re.compile(r"[^\W_]")
# Korean sentence endings and final punctuation: such a line is prose, not a heading or a term.
SENTENCE_END = re.compile(r"(?:[.!。]|[다요음함임됨짐])\s*$")
MAX_TERM_WORDS = 6
MAX_SUBJECT_WORDS = 10
_SCRIPT = re.compile(r"[_^](?:\{[^{}]*\}|\\[A-Za-z]+|\S)")
# Compiled once: the note's many term patterns would push these out of re's own small cache.
_SPACES = re.compile(r"\s+")
_FINAL_PARENS = re.compile(r"\s*\([^)]*\)\s*$")
_COLON = re.compile(r"\s*[:：]\s*")
_DASH = re.compile(r"\s+[-–—]\s+")
_ALIAS = re.compile(r"(?P<a>[^()]+?)\s*\((?P<b>[^()]+)\)")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[a-z*]+\}")
_ROW_BREAK = re.compile(r"\\\\")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
LINK = re.compile(r"://|www\.|^[\w.-]+\.(?:com|org|net|io|kr|ai|dev|so)(?:/\S*)?$")


@dataclass(eq=False)
class NoteLine:
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


def math_spans(text: str) -> list[re.Match[str]]:
    spans = list(DISPLAY_MATH.finditer(text))
    taken = [(m.start(), m.end()) for m in spans]
    spans += [
        m for m in INLINE_MATH.finditer(text) if not any(a <= m.start() < b for a, b in taken)
    ]
    return sorted(spans, key=lambda m: m.start())


def clean_text(text: str) -> str:
    """Readable card text: bold markers dropped, inline LaTeX rendered as Unicode."""
    text = BOLD.sub(lambda m: m.group("a") or m.group("b") or m.group("c"), text)
    out, pos = [], 0
    for m in math_spans(text):
        out += [text[pos : m.start()], render(m.group("tex").strip())]
        pos = m.end()
    out.append(text[pos:])
    return _SPACES.sub(" ", "".join(out)).strip()


def word_count(text: str) -> int:
    return len(text.split())


def is_term(text: str, max_words: int = MAX_TERM_WORDS) -> bool:
    """Short, not a sentence, a question, an equation or a link: can name a card."""
    return (
        bool(WORDY.search(text))
        and word_count(text) <= max_words
        and len(text) <= 80
        and not SENTENCE_END.search(text)
        and "?" not in text
        and "=" not in text
        and not LINK.search(text)
    )


def normal_form(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def find_equations(text: str) -> list[str]:
    """The LaTeX of inline formulas that state something (an equation, an update, a relation)."""
    return [
        m.group("tex").strip()
        for m in math_spans(text)
        # i=1 in a subscript is no equation
        if RELATION.search(_SCRIPT.sub("", m.group("tex"))) and len(m.group("tex").strip()) >= 3
    ]


def without_math(text: str) -> str:
    out, pos = [], 0
    for m in math_spans(text):
        out.append(text[pos : m.start()])
        pos = m.end()
    return "".join([*out, text[pos:]])


def has_final_consonant(word: str) -> bool | None:
    """Whether a Korean reader ends `word` on a consonant (picks 은/는, 이란/란); None if unsure."""
    word = _FINAL_PARENS.sub("", word).rstrip()
    if not word:
        return None
    ch = word[-1]
    if "\uac00" <= ch <= "\ud7a3":
        return (ord(ch) - 0xAC00) % 28 != 0
    if ch.isdigit():
        return ch in "0136780"  # 영 일 삼 육 칠 팔 (and 십/백 for 0)
    return None


def topic_of(word: str) -> str:
    final = has_final_consonant(word)
    return word + ("은(는)" if final is None else "은" if final else "는")


def what_is(word: str) -> str:
    final = has_final_consonant(word)
    return word + ("(이)란" if final is None else "이란" if final else "란")


def with_context(text: Text, context: str | None) -> Text:
    if not context:
        return text
    return Text(f"{text.en} ({context})", f"{text.ko} ({context})")


def split_lines(text: str) -> list[NoteLine]:
    """Lines with bullets recognised and $$ blocks folded into one line each."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[NoteLine] = []
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
                    out.append(NoteLine(no + 1, indent, quote, tex=tex))
                i = end + 1
                continue
        if s.startswith("$$") and s.endswith("$$") and len(s) > 4 and s.count("$$") == 2:
            out.append(NoteLine(i + 1, indent, s, tex=s[2:-2].strip()))
        elif WORDY.search(s):
            m = _BULLET.match(s)
            if m and WORDY.search(m.group("body")):
                out.append(NoteLine(i + 1, indent, s, m.group("m"), m.group("body").strip()))
            elif not m:
                out.append(NoteLine(i + 1, indent, s, None, s))
        i += 1
    return out


def split_definition(text: str, bullet: bool) -> tuple[str, str] | None:
    """`Term: definition` (any line) or `Term - definition` (a bullet): the term and the rest."""
    masked = text
    for m in math_spans(text):  # a colon inside $...$ is no separator
        masked = masked[: m.start()] + "x" * (m.end() - m.start()) + masked[m.end() :]
    colon = _COLON.search(masked)
    if colon:
        term, meaning = text[: colon.start()].strip().lstrip("*"), text[colon.end() :].strip()
        clock = term[-1:].isdigit() and meaning[:1].isdigit()
        if meaning and not meaning.startswith("//") and not clock and is_term(clean_text(term)):
            return (term, meaning) if len(clean_text(meaning)) >= 2 else None
        return None
    if bullet:
        dash = _DASH.search(masked)
        if dash:
            term, meaning = text[: dash.start()].strip(), text[dash.end() :].strip()
            if (
                is_term(clean_text(term), 4)
                and not term[:1].isdigit()
                and len(clean_text(meaning)) >= 2
            ):
                return term, meaning
    return None


def term_variants(subject: str) -> list[str]:
    """`Adam(Adaptive Moment Estimation)` is also `Adam` and `Adaptive Moment Estimation`."""
    if not is_term(subject, 4):
        return []
    out = [subject]
    m = _ALIAS.fullmatch(subject)
    if m:
        out += [m.group("a").strip(), m.group("b").strip()]
    return out


@functools.lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """Whole words on the ASCII side (CNN is not in R-CNN); Korean particles may follow
    directly (Momentum과)."""
    left = r"(?<![A-Za-z0-9-])" if term[0].isascii() and term[0].isalnum() else ""
    right = r"(?![A-Za-z0-9-])" if term[-1].isascii() and term[-1].isalnum() else ""
    return re.compile(left + re.escape(term) + right, re.IGNORECASE)


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def term_matches(term: str, text: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """Where `term` occurs in `text` from `start` as `term_pattern` finds it, by plain string
    search on the case-folded texts: compiling one case-insensitive pattern per term costs a
    millisecond, which a note with thousands of terms cannot afford."""
    term_folded, text_folded = _fold(term), _fold(text)
    if term_folded is None or text_folded is None:
        yield from ((m.start(), m.end()) for m in term_pattern(term).finditer(text, start))
        return
    left = term[0].isascii() and term[0].isalnum()
    right = term[-1].isascii() and term[-1].isalnum()
    n = len(term_folded)
    at = text_folded.find(term_folded, start)
    while at != -1:
        before = text_folded[at - 1] if at > 0 else ""
        after = text_folded[at + n : at + n + 1]
        if (left and before in _WORD_CHARS) or (right and after in _WORD_CHARS):
            at = text_folded.find(term_folded, at + 1)
            continue
        yield at, at + n
        at = text_folded.find(term_folded, at + n)


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str | None:
    """The character as re.IGNORECASE compares it, or None where folding changes its length."""
    folded = ch.casefold()
    return folded if len(folded) == 1 else None


def _fold(text: str) -> str | None:
    out = [_fold_char(ch) for ch in text]
    return None if None in out else "".join(out)  # type: ignore[arg-type]


class TermIndex:
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


def aligned_rows(tex: str) -> list[str]:
    """An aligned block as one rendered row per line, for the back of a formula card."""
    body = _ENVIRONMENT.sub("", tex)
    rows = [r.replace("&", "").strip() for r in _ROW_BREAK.split(body)]
    return [render(r) for r in rows if r]


def slug(text: str) -> str:
    """The first few ASCII words of `text`, for readable ids: 'Adam(Adaptive...' -> 'adam-...'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = ""
    for word in _ASCII_WORD.findall(ascii_text):
        if len(out) + len(word) + 1 > 24:
            break
        out = f"{out}-{word}" if out else word
    return out

"""CSV/TSV with the columns Anki's text import and Quizlet's export use: front, back, tags.

Export writes Anki's file headers (`#separator:`, `#html:`, `#tags column:`, `#columns:`) so Anki
maps the columns by itself. Import reads those headers, a plain header row (front/back/tags or
term/definition), or bare rows as Quizlet exports them, and Anki's "Notes in Plain Text" exports
with their guid, notetype and deck columns.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studytool.content.model import ID_RE, Card, CardType, Deck, Text
from studytool.exchange.notetext import slug
from studytool.exchange.sides import card_sides, card_tags
from studytool.exchange.textio import ExchangeError, read_text, write_atomic
from studytool.textsafe import strip_controls

_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_DIRECTIVES = {"separator", "html", "tags column", "guid column", "notetype column",
               "deck column", "columns", "notetype", "deck", "if matches", "tags"}  # fmt: skip
_SEPARATOR_NAMES = {v: k for k, v in _SEPARATORS.items()}
_FRONT_NAMES = {"front", "term", "question", "앞면"}
_BACK_NAMES = {"back", "definition", "answer", "뒷면"}
_TAG_NAMES = {"tags", "태그"}
_HEADER_NAMES = _FRONT_NAMES | _BACK_NAMES | _TAG_NAMES


@dataclass(frozen=True, slots=True)
class CsvExport:
    rows: int
    drafts: int  # draft cards left out


@dataclass(frozen=True, slots=True)
class CsvImport:
    deck: Deck
    rows: int
    duplicates: int  # rows identical to an earlier row, skipped
    encoding: str


def export_csv(decks: Sequence[Deck], path: Path, lang: str = "en", tsv: bool = False) -> CsvExport:
    """Write every non-draft card of `decks` as a front, back, tags row."""
    tab = tsv or path.suffix.lower() == ".tsv"
    rows, drafts = [], 0
    for deck in decks:
        for card in deck.cards:
            if card.draft:
                drafts += 1
                continue
            sides = card_sides(card, lang)
            row = [sides.front, sides.answer, " ".join(card_tags(card))]
            rows.append([neutralise(cell) for cell in row])
    if not rows:
        raise ExchangeError(
            "nothing to export: the decks hold only draft cards"
            " (remove 'draft: true' from the cards you have checked)"
        )
    out = io.StringIO(newline="")
    sep = "\t" if tab else ","
    out.write(f"#separator:{'tab' if tab else 'comma'}\n#html:false\n#tags column:3\n")
    out.write(f"#columns:Front{sep}Back{sep}Tags\n")
    plain = csv.writer(out, delimiter=sep, lineterminator="\n")
    # Anki reads a line starting with '#' as a header or comment: such rows are quoted.
    quoted = csv.writer(out, delimiter=sep, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        (quoted if row[0].startswith("#") else plain).writerow(row)
    text = out.getvalue()
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))
    return CsvExport(len(rows), drafts)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """The cell made inert for spreadsheets: a leading formula character gets a single quote
    before it, which Excel, LibreOffice and Google Sheets show as text. Text that already
    starts with quotes before such a character gets one more, so `_restore` is exact."""
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_START) else cell


def _restore(cell: str) -> str:
    """A cell as it was before `neutralise`, so export and import round-trip."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_START) else cell


@dataclass(slots=True)
class _Layout:
    separator: str | None = None
    html: bool = False
    tags: int | None = None  # 0-based column indices
    meta: tuple[int, ...] = ()  # guid, notetype and deck columns: not card text
    first_line: int = 1  # line number of the first data row


def _read_directives(lines: list[str]) -> _Layout:
    layout = _Layout()
    meta = []
    for n, line in enumerate(lines):
        m = re.match(r"#([a-z ]+):(.*)$", line.strip())
        if not m or m.group(1) not in _DIRECTIVES:
            layout.first_line = n + 1
            break
        key, value = m.group(1), m.group(2).strip()
        if key == "separator":
            layout.separator = _SEPARATORS.get(value.lower(), value[:1] or None)
        elif key == "html":
            layout.html = value.lower() == "true"
        elif key.endswith(" column") and value.isdigit() and int(value) > 0:
            if key == "tags column":
                layout.tags = int(value) - 1
            else:
                meta.append(int(value) - 1)
    else:
        layout.first_line = len(lines) + 1
    layout.meta = tuple(meta)
    return layout


def _from_html(text: str) -> str:
    text = re.sub(r"<br\s*/?>|</div>\s*<div>|</?div>", "\n", text, flags=re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip("\n")


def import_csv(path: Path, deck_id: str, title: str | None = None) -> CsvImport:
    """A deck of basic cards from a CSV/TSV file; rows that repeat an earlier row are skipped."""
    if not ID_RE.fullmatch(deck_id):
        raise ExchangeError(
            f"'{deck_id}' is not a valid deck id: use lowercase letters, digits, '-' and '_'"
        )
    text, encoding = read_text(path)
    # Cells are untrusted: control characters never reach the deck (CRs end lines in CSV).
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.splitlines(keepends=True)
    layout = _read_directives(lines)
    body = "".join(lines[layout.first_line - 1 :])
    if not body.strip():
        raise ExchangeError(f"{path} has no rows: expected front, back and tags columns")
    sep = layout.separator
    if sep is None:
        suffix = path.suffix.lower()
        first = body.lstrip("\n").split("\n", 1)[0]
        sep = (
            ","
            if suffix == ".csv"
            else "\t"
            if suffix in (".tsv", ".txt") or "\t" in first
            else ","
        )
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=sep, strict=True)
    cards: list[Card] = []
    seen: dict[str, tuple[str, str]] = {}
    duplicates = 0
    columns: tuple[int, int | None, int | None] | None = None  # front, back, tags
    end = 0  # last line of the previous row: rows may span lines
    try:
        for row in reader:
            line, end = layout.first_line + end, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = _header(row)
                if columns is not None:
                    continue
                fields = [i for i in range(len(row)) if i != layout.tags and i not in layout.meta]
                columns = (fields[0], fields[1] if len(fields) > 1 else None, layout.tags)
            front_col, back_col, tags_col = columns
            front, back, tags = (
                row[c] if c is not None and c < len(row) else ""
                for c in (front_col, back_col, tags_col)
            )
            front, back, tags = _restore(front), _restore(back), _restore(tags)
            if layout.html:
                front, back = _from_html(front), _from_html(back)
            if not front.strip() or not back.strip():
                filled = sum(1 for c in row if c.strip())
                raise ExchangeError(
                    f"{path}:{line}: a row needs a front and a back ({filled} filled column(s);"
                    f" columns separated by {_SEPARATOR_NAMES.get(sep, repr(sep))})"
                )
            card_id = _row_id(front)
            if seen.get(card_id, (front, back)) != (front, back):
                card_id = _row_id(front, back)  # same front, another back: a card of its own
            if card_id in seen:
                duplicates += 1
                continue
            seen[card_id] = (front, back)
            cards.append(
                Card(
                    deck=deck_id,
                    id=card_id,
                    type=CardType.BASIC,
                    prompt=Text.plain(front),
                    back=Text.plain(back),
                    tags=tuple(tags.split()),
                )
            )
    except csv.Error as e:
        raise ExchangeError(f"{path}:{layout.first_line + end}: not valid CSV: {e}") from None
    if not cards:
        raise ExchangeError(f"{path} has no rows with a front and a back")
    deck = Deck(
        id=deck_id,
        title=Text.plain(strip_controls(title or path.stem, lines=False)),
        path=Path(f"{deck_id}.yaml"),
        cards=tuple(cards),
    )
    return CsvImport(deck, len(cards) + duplicates, duplicates, encoding)


def _header(row: list[str]) -> tuple[int, int | None, int | None] | None:
    """The front, back and tags columns named by a header row; None if the row is a card."""
    names = [cell.strip().lower() for cell in row]
    if not set(names) <= _HEADER_NAMES | {""}:
        return None
    front, back, tags = (
        next((i for i, n in enumerate(names) if n in group), None)
        for group in (_FRONT_NAMES, _BACK_NAMES, _TAG_NAMES)
    )
    return None if front is None else (front, back, tags)


def _row_id(front: str, back: str | None = None) -> str:
    """The front names the card (editing the back keeps the id); the back tells twins apart."""
    key = front if back is None else f"{front}\x1f{back}"
    digest = hashlib.sha1(" ".join(key.split()).casefold().encode("utf-8")).hexdigest()[:8]
    return "-".join(p for p in ("csv", slug(front), digest) if p)

"""Hostile input through import and export (issue 16): formula cells, MathJax links, escape
sequences in notes, pipes and devices as input files, and a note importer linear in size."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from studytool.content.loader import load_deck
from studytool.content.model import Card, CardType, Deck, Text
from studytool.exchange import notes
from studytool.exchange.anki import export_anki, without_links
from studytool.exchange.csvio import export_csv, import_csv, neutralise
from studytool.exchange.notes import draft_deck, draft_from_file
from studytool.exchange.textio import ExchangeError, read_text
from studytool.exchange.yamlio import save_deck
from studytool.textsafe import find_control
from tests.exchange.test_exchange_anki import notes as package_notes
from tests.exchange.test_exchange_anki import open_package

# Deck text holds no CR (the loader refuses control characters): `neutralise` is tested alone.
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "'=quoted"]


def deck_of(fronts: list[str], backs: list[str] | None = None) -> Deck:
    backs = backs or [f"back {i}" for i in range(len(fronts))]
    cards = tuple(
        Card("d", f"c{i}", CardType.BASIC, Text.plain(f), back=Text.plain(b), tags=("t",))
        for i, (f, b) in enumerate(zip(fronts, backs, strict=True))
    )
    return Deck("d", Text.plain("D"), Path("d.yaml"), cards=cards)


def test_csv_export_neutralises_formula_cells(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    export_csv([deck_of(FORMULAS, backs=[f"={n}" for n in range(len(FORMULAS))])], path)
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f) if not r[0].startswith("#")]
    assert [r[0] for r in rows] == ["'" + f for f in FORMULAS]
    assert all(r[1].startswith("'=") for r in rows)
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_neutralise_covers_every_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(start + "x") == "'" + start + "x"
    assert neutralise("plain = text") == "plain = text"
    assert neutralise("''@x") == "'" + "''@x"


def test_csv_import_restores_neutralised_cells(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    export_csv([deck_of(FORMULAS)], path)
    back = import_csv(path, "back").deck
    assert [c.prompt.en for c in back.cards] == FORMULAS


def test_csv_import_drops_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b[2J.csv"
    path.write_text("front\x1b]52;c;eA==\x07,back\x9b2J\x7f,t\n", encoding="utf-8")
    deck = import_csv(path, "d").deck
    card = deck.cards[0]
    assert (card.prompt.en, card.back and card.back.en) == ("front]52;c;eA==", "back2J")
    assert deck.title.en == "evil[2J"


def test_anki_fields_are_escaped_and_carry_no_mathjax_links(tmp_path: Path) -> None:
    front = (
        r"<img src=x onerror=alert(1)> $\href{javascript:alert(1)}{click}$ and \(\url{http://e}\)"
    )
    deck = deck_of([front], backs=[r"$$\hr\url{x}ef{javascript:alert(2)}{y}$$"])
    path = tmp_path / "out.apkg"
    export_anki([deck], path)
    [note] = package_notes(open_package(path, tmp_path)).values()
    fields = "\x1f".join(note["fields"])
    assert "<img" not in fields and "&lt;img src=x onerror=alert(1)&gt;" in fields
    assert "\\href" not in fields and "\\url" not in fields and "javascript" not in fields
    assert r"\({click}\)" in fields


def test_without_links_removes_every_link_command() -> None:
    assert without_links(r"a \href{javascript:x}{t} b \url{http://e} c") == "a {t} b  c"
    assert without_links(r"\hr\url{x}ef{javascript:y}") == ""
    assert without_links(r"\href \url") == " "
    assert without_links(r"\hrefx \urls") == r"\hrefx \urls"  # other commands stay


def test_note_import_copies_no_escape_sequences(tmp_path: Path) -> None:
    note = (
        "# Optimizers\x1b]0;pwned\x07\n"
        "Adam\x1b[31m: adaptive moment estimation\x07 with bias correction\n"
        "- SGD - plain gradient \x9b2J descent\rMomentum: keeps a running average\n"
    )
    draft = draft_deck(note, "week\x1b[2J.md", "week")
    texts = [t.get(lang) for c in draft.deck.cards for t in c.texts() for lang in ("en", "ko")]
    texts += [c.source.quote or "" for c in draft.deck.cards if c.source] + [draft.deck.title.en]
    texts += [c.source.note for c in draft.deck.cards if c.source]
    assert texts and all(find_control(t) is None for t in texts)
    assert any("Momentum" in t for t in texts)  # a lone CR still ends a line
    out = tmp_path / "week.yaml"
    save_deck(draft.deck, out)
    loaded, problems, _ = load_deck(out, set())
    assert problems == [] and loaded is not None


def test_readers_refuse_pipes_devices_and_directories(tmp_path: Path) -> None:
    fifo = tmp_path / "note.md"
    os.mkfifo(fifo)  # nobody writes: a blocking open or read would hang here
    with pytest.raises(ExchangeError, match=r"note\.md is not a regular file"):
        draft_from_file(fifo, "d")
    with pytest.raises(ExchangeError, match=r"not a regular file"):
        import_csv(fifo, "d")
    with pytest.raises(ExchangeError, match=r"^/dev/zero is not a regular file"):
        read_text(Path("/dev/zero"))
    with pytest.raises(ExchangeError, match=r"is a directory, not a file"):
        read_text(tmp_path)


def test_reader_limit_counts_the_bytes(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"a" * (4 * 2**20 + 1))
    with pytest.raises(ExchangeError, match=r"big\.md: file is 4\.0 MB; at most 4 MB"):
        read_text(big)


def _note(sections: int) -> str:
    """A note whose vocabulary grows with its length, as a semester of notes does."""
    return "".join(
        f"# Topic {n}\nTerm{n} alpha: the schedule number {n} for training\n"
        f"- **Adam{n}** combines Term{n} alpha with a second moment\n"
        f"- Term{n} alpha decays while Adam{n} stays fixed in practice\n"
        f"- {1990 + n % 5} - Event {n} appeared\n- {1991 + n % 5} - Event {n}b appeared\n\n"
        for n in range(sections)
    )


def test_note_import_work_grows_linearly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts the term searches and id hashes instead of timing: 4x the note may cost at most
    twice 4x the work (the old importer tried every defined term on every bullet: 16x)."""
    calls = {"search": 0, "id": 0}
    search, card_id = notes.term_matches, notes._card_id

    def counted_search(*args):  # type: ignore[no-untyped-def]
        calls["search"] += 1
        return search(*args)

    def counted_id(*args):  # type: ignore[no-untyped-def]
        calls["id"] += 1
        return card_id(*args)

    monkeypatch.setattr(notes, "term_matches", counted_search)
    monkeypatch.setattr(notes, "_card_id", counted_id)
    work = []
    for sections in (100, 400):
        calls.update(search=0, id=0)
        draft_deck(_note(sections), "n.md", "n")
        work.append(dict(calls))
    for key in ("search", "id"):
        assert work[0][key] > 0
        assert work[1][key] / work[0][key] < 8, (key, work)

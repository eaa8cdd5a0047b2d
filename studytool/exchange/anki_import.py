"""Import an Anki package (.apkg) as a deck of draft cards, optionally with its review history.

Reads the modern collection (`collection.anki21b`, zstd-compressed SQLite, schema 18) and the
legacy ones (`collection.anki21`, `collection.anki2`) with sqlite3. Note types are recognised by
their templates, not their names (users rename them): Cloze, one template (Basic), or two
templates where the second asks the first one's answer (reversed). Others are reported.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studytool.content.model import CLOZE_RE, ID_RE, REVERSE_SUFFIX, Card, CardType, Deck, Text
from studytool.exchange.sides import tag_text
from studytool.exchange.textio import ExchangeError

# newest first: a modern package also holds a stub `collection.anki2` saying "update Anki"
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
FIELD_REF = re.compile(r"\{\{([^#/^!}][^}]*)\}\}")
SPECIAL_FIELDS = {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag"}
# fields of the note types `export anki --lang both` writes: their extras map back to the card
STUDYTOOL_FIELDS = {"Front_en", "Text_en"}
STUDYTOOL_EXTRAS = {"Formula", "Source", "Explain_en", "Explain_ko", "Errata_en", "Errata_ko"}
MEDIA_REF = re.compile(r"""<img[^>]*?\bsrc=["']?([^"'>\s]+)[^>]*>|\[sound:([^\]]+)\]""", re.I)


@dataclass(frozen=True, slots=True)
class NoteType:
    name: str
    cloze: bool
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str], ...]  # (question format, answer format)


@dataclass(frozen=True, slots=True)
class Review:
    """One answer from Anki's review log, on the studytool review key it belongs to."""

    key: str
    time: datetime
    rating: int  # 1 Again .. 4 Easy, as in Anki
    duration_ms: int


@dataclass(slots=True)
class AnkiImport:
    deck: Deck
    counts: Counter[str] = field(default_factory=Counter)  # cards made, by kind
    unknown: Counter[str] = field(default_factory=Counter)  # skipped notes, by note type
    media: list[str] = field(default_factory=list)  # files the notes refer to (not copied)
    reviews: list[Review] = field(default_factory=list)  # in time order
    format: str = ""


# ---- reading the package --------------------------------------------------------------------


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = data[i]
        value |= (b & 0x7F) << shift
        i += 1
        if b < 0x80:
            return value, i
        shift += 7


def proto_fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of a protobuf message: enough of the wire format for Anki's
    notetype and media blobs, which the anki package would otherwise be needed for."""
    i = 0
    while i < len(data):
        tag, i = _varint(data, i)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, i = _varint(data, i)
            yield number, value
        elif wire == 2:
            size, i = _varint(data, i)
            yield number, data[i : i + size]
            i += size
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        else:
            raise ValueError(f"protobuf wire type {wire} is not supported")


def _zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdDecompressor().stream_reader(data).read()


def _note_types(con: sqlite3.Connection) -> dict[int, NoteType]:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "notetypes" not in tables:  # legacy: the note types are JSON in the col row
        models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
        return {
            int(mid): NoteType(
                m["name"],
                m.get("type") == 1,
                tuple(f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])),
                tuple((t["qfmt"], t["afmt"]) for t in sorted(m["tmpls"], key=lambda t: t["ord"])),
            )
            for mid, m in models.items()
        }
    out = {}
    for ntid, name, config in con.execute("SELECT id, name, config FROM notetypes"):
        kind = dict(proto_fields(config)).get(1, 0)  # Notetype.Config.kind: 1 is cloze
        names = tuple(
            r[0] for r in con.execute("SELECT name FROM fields WHERE ntid=? ORDER BY ord", (ntid,))
        )
        templates = []
        for (blob,) in con.execute(
            "SELECT config FROM templates WHERE ntid=? ORDER BY ord", (ntid,)
        ):
            parts = dict(proto_fields(blob))  # Template.Config: 1 q_format, 2 a_format
            templates.append(
                tuple(
                    v.decode("utf-8") if isinstance(v, bytes) else ""
                    for v in (parts.get(1, b""), parts.get(2, b""))
                )
            )
        out[ntid] = NoteType(name, kind == 1, names, tuple((q, a) for q, a in templates))
    return out


def _media_names(z: zipfile.ZipFile) -> list[str]:
    if "media" not in z.namelist():
        return []
    data = z.read("media")
    try:
        return sorted(json.loads(data.decode("utf-8")).values())  # legacy: {"0": "name"}
    except (UnicodeDecodeError, json.JSONDecodeError):
        pass
    # modern: zstd MediaEntries { repeated MediaEntry entries = 1 } with name = 1
    names = []
    for number, entry in proto_fields(_zstd(data)):
        if number == 1 and isinstance(entry, bytes):
            name = dict(proto_fields(entry)).get(1)
            if isinstance(name, bytes):
                names.append(name.decode("utf-8"))
    return sorted(names)


# ---- turning fields into text ---------------------------------------------------------------


def field_text(value: str) -> str:
    """A field's HTML as studytool text: MathJax and [latex] to $...$, markup dropped."""
    text = re.sub(r"\\\((.+?)\\\)", lambda m: f"${m.group(1).strip()}$", value, flags=re.S)
    text = re.sub(r"\\\[(.+?)\\\]", lambda m: f"$${m.group(1).strip()}$$", text, flags=re.S)
    text = re.sub(r"\[\$\$\](.+?)\[/\$\$\]", r"$$\1$$", text, flags=re.S)
    text = re.sub(r"\[(?:\$|latex)\](.+?)\[/(?:\$|latex)\]", r"$\1$", text, flags=re.S)
    text = MEDIA_REF.sub(
        lambda m: f"[image: {m.group(1)}]" if m.group(1) else f"[sound: {m.group(2)}]", text
    )
    text = re.sub(r"<li[^>]*>", "\n- ", text, flags=re.I)
    text = re.sub(r"</(?:ul|ol)>", "\n", text, flags=re.I)
    text = re.sub(r"<br\s*/?>|</?(?:div|p|tr|h\d)\b[^>]*>", "\n", text, flags=re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _refs(fmt: str, names: tuple[str, ...]) -> list[str]:
    """The note fields a template shows, in order (filters such as `text:` stripped)."""
    out = []
    for m in FIELD_REF.finditer(fmt):
        name = m.group(1).split(":")[-1].strip()
        if name in names and name not in SPECIAL_FIELDS and name not in out:
            out.append(name)
    return out


def _text(values: dict[str, str], names: list[str]) -> Text:
    """A bilingual text from an `X_en`/`X_ko` pair (as studytool exports), else plain text."""
    texts = {n: field_text(values[n]) for n in names}
    pairs = {n[:-3] for n in names if n.endswith("_en") and n[:-3] + "_ko" in names}
    if len(pairs) == 1:
        base = pairs.pop()
        en, ko = texts[base + "_en"], texts[base + "_ko"]
        return Text(en, ko) if ko and ko != en else Text.plain(en)
    return Text.plain("\n".join(t for t in texts.values() if t))


def _kind(nt: NoteType) -> str | None:
    """cloze, basic or reversed, by what the templates ask; None: a type we cannot map."""
    if any("image-occlusion" in q for q, _ in nt.templates):
        return None  # a cloze type on the surface, but the text is shapes on a picture
    if nt.cloze:
        return "cloze" if any("cloze:" in q for q, _ in nt.templates) else None
    if not nt.templates or len(nt.templates) > 2:
        return None
    front = _refs(nt.templates[0][0], nt.fields)
    if not front:
        return None
    if len(nt.templates) == 1:
        return "basic"
    second = _refs(nt.templates[1][0], nt.fields)
    return "reversed" if second and not set(second) & set(front) else None


def card_id(guid: str, text: str, suffix: str = "") -> str:
    """A valid, stable card id: a few words of the text and a hash of the note's GUID."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:32].strip("-")
    digest = hashlib.sha1(guid.encode("utf-8")).hexdigest()[:6]
    return f"{words}-{digest}{suffix}" if words else f"n{digest}{suffix}"


def _only_cloze(text: str, number: int) -> str:
    """Cloze text asking only cloze `number`; the others are shown as plain text."""
    return CLOZE_RE.sub(lambda m: m.group(0) if int(m.group(1)) == number else m.group(2), text)


def _answer(
    nt: NoteType, values: dict[str, str], asked: list[str]
) -> tuple[Text | None, dict[str, Any]]:
    """The back of a note (what the answer side adds to the question), and the explanation and
    formula where the note type is one studytool exported."""
    shown = [n for n in _refs(nt.templates[0][1], nt.fields) if n not in asked]
    ours = [n for n in shown if n in STUDYTOOL_EXTRAS]
    back_names = [n for n in shown if n not in ours] if set(asked) & STUDYTOOL_FIELDS else shown
    back = _text(values, back_names) if back_names else None
    extra: dict[str, Any] = {}
    if back_names != shown:
        explain = _text(values, [n for n in ours if n.startswith("Explain_")])
        # drop the "Why:" / "해설:" label the export put in front
        label = re.compile(r"^[^:\n]{1,12}:\s*")
        explain = Text(label.sub("", explain.en), label.sub("", explain.ko), explain.bilingual)
        if explain.en:
            extra["explain"] = explain
        formula = field_text(values.get("Formula", "")).strip("$").strip()
        if formula:
            extra["formula"] = formula
    return (back if back is not None and back.en else None), extra


# ---- the import -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Notes:
    cards: list[Card] = field(default_factory=list)
    keys: dict[tuple[int, int], str] = field(default_factory=dict)  # (note id, ord) -> key


def read_apkg(path: Path, deck_id: str, title: str | None = None) -> AnkiImport:
    """Read the notes, cards and review log of the Anki package at `path`."""
    if not ID_RE.match(deck_id):
        raise ExchangeError(
            f"'{deck_id}' is not a valid deck id: use lowercase letters, digits, '-' and '_'"
        )
    try:
        with zipfile.ZipFile(path) as z, tempfile.TemporaryDirectory() as tmp:
            name = next((n for n in COLLECTIONS if n in z.namelist()), None)
            if name is None:
                raise ExchangeError(f"{path}: not an Anki package (no collection inside)")
            data = z.read(name)
            db = Path(tmp) / "collection.db"
            db.write_bytes(_zstd(data) if name.endswith("21b") else data)
            media = _media_names(z)
            con = sqlite3.connect(db)
            try:
                result = _read_collection(con, deck_id, title or path.stem, path)
            finally:
                con.close()
    except FileNotFoundError:
        raise ExchangeError(f"{path} does not exist") from None
    except (zipfile.BadZipFile, sqlite3.DatabaseError, ValueError, KeyError) as e:
        raise ExchangeError(f"{path}: not a readable Anki package ({e})") from None
    result.format = name
    result.media = sorted(set(media) | set(result.media))
    return result


def _read_collection(con: sqlite3.Connection, deck_id: str, title: str, path: Path) -> AnkiImport:
    note_types = _note_types(con)
    ords: dict[int, list[int]] = {}
    for nid, ord_ in con.execute("SELECT nid, ord FROM cards ORDER BY nid, ord"):
        ords.setdefault(nid, []).append(ord_)
    made = _Notes()
    counts: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    media: set[str] = set()
    rows = con.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id")
    for nid, guid, mid, tags, flds in rows:
        nt = note_types.get(mid)
        kind = _kind(nt) if nt is not None else None
        if nt is None or kind is None:
            unknown[nt.name if nt is not None else f"note type {mid}"] += 1
            continue
        if kind == "reversed" and 1 not in ords.get(nid, []):
            kind = "basic"  # "optional reversed" with the reverse turned off
        values = dict(zip(nt.fields, flds.split("\x1f"), strict=False))
        for value in values.values():
            media.update(a or b for a, b in MEDIA_REF.findall(value))
        card_tags = tuple(dict.fromkeys(t for t in map(tag_text, tags.split()) if t))
        common = {"deck": deck_id, "tags": card_tags, "draft": True}
        if kind == "cloze":
            _add_cloze(made, nid, guid, nt, values, ords.get(nid, [0]), common)
        else:
            _add_basic(made, nid, guid, nt, values, kind, common)
        counts[kind] += 1
    deck = Deck(deck_id, Text.plain(title), path, cards=tuple(made.cards))
    result = AnkiImport(deck, counts, unknown, sorted(media))
    result.reviews = _reviews(con, made.keys)
    return result


def _add_basic(
    made: _Notes,
    nid: int,
    guid: str,
    nt: NoteType,
    values: dict[str, str],
    kind: str,
    common: dict[str, Any],
) -> None:
    front_names = _refs(nt.templates[0][0], nt.fields)
    front = _text(values, front_names)
    back, extra = _answer(nt, values, front_names)
    card = Card(
        id=card_id(guid, front.en),
        type=CardType.REVERSED if kind == "reversed" else CardType.BASIC,
        prompt=front,
        back=back or Text.plain(""),
        **extra,
        **common,
    )
    made.cards.append(card)
    made.keys[(nid, 0)] = card.full_id
    if kind == "reversed":
        made.keys[(nid, 1)] = card.full_id + REVERSE_SUFFIX


def _add_cloze(
    made: _Notes,
    nid: int,
    guid: str,
    nt: NoteType,
    values: dict[str, str],
    ords: list[int],
    common: dict[str, Any],
) -> None:
    text_names = _refs(nt.templates[0][0], nt.fields)
    text = _text(values, text_names)
    back, extra = _answer(nt, values, text_names)
    base = card_id(guid, CLOZE_RE.sub(r"\2", text.en))
    # one studytool card per Anki card, so each keeps its own history; a card whose cloze was
    # deleted from the text since (Anki keeps it, empty) has nothing left to ask
    numbers = {int(m.group(1)) for m in CLOZE_RE.finditer(text.en + text.ko)}
    ords = [o for o in ords if o + 1 in numbers] or ords[:1]
    for ord_ in ords:
        number = ord_ + 1
        prompt = (
            text
            if len(ords) == 1
            else Text(_only_cloze(text.en, number), _only_cloze(text.ko, number), text.bilingual)
        )
        card = Card(
            id=base if len(ords) == 1 else f"{base}-c{number}",
            type=CardType.CLOZE,
            prompt=prompt,
            back=back,
            **extra,
            **common,
        )
        made.cards.append(card)
        made.keys[(nid, ord_)] = card.full_id


def _reviews(con: sqlite3.Connection, keys: dict[tuple[int, int], str]) -> list[Review]:
    """Answers of the imported cards, oldest first. Manual reschedules (ease 0, type 4 and 5)
    are not answers and are left out."""
    card_keys = {
        cid: keys[(nid, ord_)]
        for cid, nid, ord_ in con.execute("SELECT id, nid, ord FROM cards")
        if (nid, ord_) in keys
    }
    out = []
    for rid, cid, ease, time_ms, kind in con.execute(
        "SELECT id, cid, ease, time, type FROM revlog ORDER BY id"
    ):
        if cid in card_keys and 1 <= ease <= 4 and kind in (0, 1, 2, 3):
            when = datetime.fromtimestamp(rid / 1000, UTC)
            out.append(Review(card_keys[cid], when, ease, max(0, int(time_ms))))
    return out

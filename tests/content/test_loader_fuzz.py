"""Random bytes and random YAML never make the loader raise: only clean, located problems."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studytool.content.loader import load_deck
from studytool.textsafe import find_control

_DIR = Path(tempfile.mkdtemp(prefix="fuzz-decks-"))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["deck", "title", "cards", "id", "type", "front", "back", "text", "question",
             "choices", "answer", "answers", "items", "en", "ko", "vars", "compute", "errata",
             "source", "tags", "demo", "tolerance", "basic", "mcq", "cloze", "numeric"]
        )
        | st.text(max_size=8),
        inner,
        max_size=6,
    ),
    max_leaves=30,
)  # fmt: skip


def _check(data: bytes) -> None:
    path = _DIR / "fuzz.yaml"
    path.write_bytes(data)
    deck, problems, _ = load_deck(path, {"resnet"})
    assert deck is not None or problems
    for p in problems:
        assert p.line >= 1 and p.col >= 1
        assert p.message and "\n" not in p.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_values)
def test_random_yaml(value: object) -> None:
    _check(yaml.safe_dump(value, allow_unicode=True).encode())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(yaml_values, min_size=1, max_size=3))
def test_random_cards(cards: list[object]) -> None:
    doc = {"deck": "d", "title": "T", "cards": cards}
    _check(yaml.safe_dump(doc, allow_unicode=True).encode())


# Hostile decks (issue 16): escapes, markup, huge numbers and tags, in documents up to 1 MB.
_HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"ab [/]@=:{}#'\\\"", "\x1b", "\x07", "\x9b", "\x7f", "\x00", "\t", "\n", "한", "\u2028"]
    ),
    max_size=30,
)
_HOSTILE_SCALAR = st.one_of(
    _HOSTILE_TEXT.map(lambda s: yaml.safe_dump(s, allow_unicode=True, width=10**6)[:-5].strip()),
    _HOSTILE_TEXT.map(lambda s: '"' + s.encode("unicode_escape").decode() + '"'),
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.sampled_from(["9" * 5000, "1e400", "-.inf", ".nan", "6e23", "1.0e+200", "0x1F", "1_000"]),
    st.sampled_from(["!!python/object/apply:os.system ['x']", "!custom [a]", "!!seq [a]",
                     "!!binary aGk=", "!!str 5", "!x {en: a, ko: b}"]),
)  # fmt: skip
_FIELDS = ["id", "front", "back", "question", "answer", "unit", "tolerance", "choices", "title"]


@st.composite
def hostile_decks(draw: st.DrawFn) -> bytes:
    cards = []
    for n in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["basic", "numeric", "mcq"]))
        lines = [f"  - id: c{n}", f"    type: {kind}"]
        for key in draw(st.lists(st.sampled_from(_FIELDS), max_size=5, unique=True)):
            lines.append(f"    {key}: {draw(_HOSTILE_SCALAR)}")
        cards.append("\n".join(lines) + "\n")
    title = draw(_HOSTILE_SCALAR)
    body = "".join(cards)
    # Repeat the cards up to about 1 MB: size alone must not break anything either.
    repeat = draw(st.sampled_from([1, 1, 10, (1 << 20) // max(len(body), 1)]))
    return f"deck: d\ntitle: {title}\ncards:\n{body * repeat}".encode("utf-8", "surrogatepass")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_decks())
def test_hostile_decks(data: bytes) -> None:
    path = _DIR / "hostile.yaml"
    path.write_bytes(data)
    deck, problems, _ = load_deck(path, {"resnet"})
    assert deck is not None or problems
    for p in problems:
        assert p.line >= 1 and p.col >= 1
        assert find_control(str(p)) is None and "\n" not in str(p)
    if deck is not None:
        strings = [deck.id, deck.title.en, deck.title.ko]
        for card in deck.cards:
            strings += [card.id, card.unit or ""]
            strings += [t.get(lang) for t in card.texts() for lang in ("en", "ko")]
            for number in (card.number, card.tolerance):
                assert number is None or abs(number) <= 1e100
        assert all(find_control(s) is None for s in strings)

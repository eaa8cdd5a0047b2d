"""Random bytes and random YAML never make the loader raise: only clean, located problems."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studytool.content.loader import load_deck

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

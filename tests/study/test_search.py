"""The browse query language and index: terms, fields, negation, incremental narrowing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from studytool.content.library import load_library
from studytool.study.search import BrowseIndex, parse_query

FIXTURES = Path(__file__).parents[1] / "tui" / "fixtures_browse"

# keys that build ids, fields, negations, phrases and deck/card ids; "\b" is a backspace
KEYS = [*'adtm-/:" ', "opt", "optim", "/sgd", "tag:", "is:", "type:", "\b", "\b"]

SEARCHES = [
    ("멀티헤드", ["attention/attn-heads"]),  # Korean text
    ("SOFTMAX", ["attention/attn-scaled", "attention/attn-softmax-axis"]),  # formula, any case
    ("tag:complexity", ["attention/attn-cloze"]),
    ("sgd-lr", ["optim/sgd-lr"]),  # an id
    ("optim/momentum", ["optim/momentum-true"]),  # a deck/card id
    ("is:draft", ["optim/lion-draft"]),
    ('"weighted average"', ["attention/attn-what"]),  # a phrase
    ("deck:attention type:mcq", ["attention/attn-softmax-axis"]),
    # the demo's name and a question, but not every card of the deck titled "Optimizers"
    ("optimizers", ["optim/adam-steps", "optim/adaptive"]),
]


def test_search_terms() -> None:
    index = BrowseIndex(load_library([FIXTURES], builtin=False).decks)
    for query, expected in SEARCHES:
        assert [index.cards[i].full_id for i in index.search(parse_query(query))] == expected


def test_unknown_prefixes_are_text() -> None:
    terms = parse_query('{{c1::o(n^2)}} -relu deck:opt "layer norm"')
    assert [(t.field, t.value, t.negated) for t in terms] == [
        ("", "{{c1::o(n^2)}}", False),
        ("", "relu", True),
        ("deck", "opt", False),
        ("", "layer norm", False),
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(KEYS), min_size=1, max_size=24))
def test_typing_gives_what_a_fresh_search_gives(keys: list[str]) -> None:
    """Each keystroke reuses the previous matches when it can; the results must be the same
    as searching the whole index from scratch."""
    decks = load_library([FIXTURES], builtin=False).decks
    typed = BrowseIndex(decks)
    text = ""
    for key in keys:
        text = text[:-1] if key == "\b" else text + key
        fresh = BrowseIndex(decks).search(parse_query(text))
        assert typed.search(parse_query(text)) == fresh, text

"""The browse query language and index: terms, fields, negation, incremental narrowing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from studytool.content.library import load_library
from studytool.study.search import BrowseIndex, Filters, parse_query

FIXTURES = Path(__file__).parents[1] / "tui" / "fixtures_browse"

# keys that build ids, fields, negations, phrases and deck/card ids; "\b" is a backspace
KEYS = [*'adtm-/:" ', "opt", "optim", "/sgd", "tag:", "is:", "type:", "\b", "\b"]

ATTENTION = ["attn-what", "attn-scaled", "attn-heads", "attn-cloze", "attn-softmax-axis"]

SEARCHES = [
    ("멀티헤드", ["attention/attn-heads"]),  # Korean text
    # any case; the card with the word in its id first, then the one with it in its formula
    ("SOFTMAX", ["attention/attn-softmax-axis", "attention/attn-scaled"]),
    ("tag:complexity", ["attention/attn-cloze"]),
    ("sgd-lr", ["optim/sgd-lr"]),  # an id
    ("optim/momentum", ["optim/momentum-true"]),  # a deck/card id
    ("is:draft", ["optim/lion-draft"]),
    ('"weighted average"', ["attention/attn-what"]),  # a phrase
    ("deck:attention type:mcq", ["attention/attn-softmax-axis"]),
    # a question, then the demo's name, but not every card of the deck titled "Optimizers"
    ("optimizers", ["optim/adaptive", "optim/adam-steps"]),
    # the attention deck's own tag reaches its cards; a card's tag is matched as before
    ("tag:transformer", [f"attention/{c}" for c in ATTENTION]),
    ("tag:trans -tag:complexity", [f"attention/{c}" for c in ATTENTION if c != "attn-cloze"]),
]


def test_search_terms() -> None:
    index = BrowseIndex(load_library([FIXTURES], builtin=False).decks)
    for query, expected in SEARCHES:
        assert [index.cards[i].full_id for i in index.search(parse_query(query))] == expected


def test_deck_tags_reach_the_tag_filter() -> None:
    index = BrowseIndex(load_library([FIXTURES], builtin=False).decks)
    rows = index.search([], Filters(tag="transformer"))
    assert [index.cards[i].full_id for i in rows] == [f"attention/{c}" for c in ATTENTION]


def test_results_are_ranked_by_where_the_words_are() -> None:
    """id matches first, then question matches, then the rest; content order within each."""
    index = BrowseIndex(load_library([FIXTURES], builtin=False).decks)
    found = [index.cards[i].full_id for i in index.search(parse_query("adam"))]
    # two ids, then optim/adaptive, which names Adam only among its choices
    assert found == ["optim/adam-steps", "optim/adam-name", "optim/adaptive"]
    found = [index.cards[i].full_id for i in index.search(parse_query("momentum"))]
    # the id, then a question that names it, then a card that has it only as a choice
    assert found[:2] == ["optim/momentum-true", "optim/adam-name"]
    # without words, filters alone keep the content order
    rows = index.search(parse_query("deck:optim"))
    assert len(rows) > 1 and rows == sorted(rows)


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

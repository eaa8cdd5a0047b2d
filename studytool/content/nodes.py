"""How the loader reads and names YAML nodes: tags, numbers, control characters, suggestions."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection
from typing import Any

import yaml

from studytool.content import spec
from studytool.content.model import MAX_INT
from studytool.textsafe import find_control, one_line

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE = "tag:yaml.org,2002:"
SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null")}
NUMBER_TAGS = {f"{_CORE}int", f"{_CORE}float"}
MAP_TAG, SEQ_TAG = f"{_CORE}map", f"{_CORE}seq"
KIND_NAMES = {
    spec.ID: "an id",
    spec.TEXT: "a text",
    spec.STR: "a string",
    spec.INT: "an integer",
    spec.BOOL: "true or false",
    spec.NUMBER: "a number",
}

# Numbers in decks are card answers, indices and ranges: anything beyond these is a mistake, and
# bounding them keeps Python's int-string limit and float overflow out of every later step.
MAX_NUMBER_CHARS = 40
MAX_FLOAT = 1e100
# YAML 1.1 reads 6e23 (no dot) as a string; YAML 1.2 and people read it as a number.
_PLAIN_FLOAT = re.compile(r"[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?\Z")


def suggest(word: str, options: Collection[str]) -> str:
    close = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _tag_name(tag: str) -> str:
    return tag.replace(_CORE, "!!")


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag.rsplit(":", 1)[-1]
    if tag == "null":
        return "nothing (null)"
    return {"str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean"}.get(
        tag, f"a {tag}"
    )


def shape_problem(node: yaml.Node, what: str, mapping: bool) -> str | None:
    """Why `node` is not a plain mapping (or list): the wrong shape, or the right one tagged."""
    shape, tag = (yaml.MappingNode, MAP_TAG) if mapping else (yaml.SequenceNode, SEQ_TAG)
    if not isinstance(node, shape):
        return f"{what} must be {'a mapping' if mapping else 'a list'}, got {describe(node)}"
    if node.tag != tag:
        return f"{what} is tagged '{_tag_name(node.tag)}': tags are not allowed, remove it"
    return None


def plain_number(node: yaml.Node, value: Any) -> float | None:
    """A plain (unquoted) string such as 6e23 that YAML 1.1 left as text, read as a number."""
    # Plain scalars have style None (pure-Python parser) or "" (libyaml).
    if not isinstance(value, str) or getattr(node, "style", None):
        return None
    if len(value) > MAX_NUMBER_CHARS or not _PLAIN_FLOAT.match(value):
        return None
    return float(value.replace("_", ""))


def number_problem(value: int | float) -> str | None:
    """Why a number read from a deck is out of range, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    if isinstance(value, int) and abs(value) > MAX_INT:
        return f"is too large (at most {MAX_INT} in size)"
    if isinstance(value, float) and abs(value) > MAX_FLOAT:
        return f"is too large (at most {MAX_FLOAT:g} in size)"
    return None


def scalar_problem(node: yaml.ScalarNode, label: str) -> str | None:
    """Why a scalar is not even constructed: a foreign tag, or a number so long that reading it
    would hit Python's int-string limit."""
    if node.tag not in SCALAR_TAGS:
        return f"tag '{_tag_name(node.tag)}' is not allowed; quote the value if it is text"
    if node.tag in NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
        return (
            f"{label} is a number of {len(node.value)} characters:"
            f" at most {MAX_NUMBER_CHARS} are allowed"
        )
    return None


def text_problem(value: str) -> str | None:
    """Why deck text is refused: control characters would reach the terminal."""
    at = find_control(value)
    if at is None:
        return None
    return (
        f"contains the control character {one_line(value[at])} (U+{ord(value[at]):04X}):"
        " remove it (only newlines and tabs are allowed in deck text)"
    )


def compose(text: str) -> tuple[yaml.Node | None, tuple[int, int, str] | None]:
    """The document's node tree, or the line, column and message of why it is not YAML."""
    try:
        return yaml.compose(text, Loader=_Loader), None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        message = (e.problem or e.context or "invalid YAML").strip()
        if "tab" in message or "'\\t'" in message:
            message = "tab character: YAML must be indented with spaces"
        elif e.context and e.problem:
            message = f"{e.problem} ({e.context})"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, (line, col, f"invalid YAML: {message}")
    except (yaml.YAMLError, RecursionError) as e:
        detail = "nesting is too deep" if isinstance(e, RecursionError) else str(e).splitlines()[0]
        return None, (1, 1, f"invalid YAML: {detail}")

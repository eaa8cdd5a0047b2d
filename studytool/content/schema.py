"""JSON Schema for deck files, generated from the same tables as the validator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studytool.content import spec
from studytool.content.model import ID_PATTERN, LANGS, CardType

SCHEMA_PATH = Path(__file__).with_name("deck.schema.json")
SCHEMA_ID = "https://studytool.invalid/deck.schema.json"

_TEXT = {
    "description": "A plain string (both languages) or {en, ko}.",
    "anyOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "properties": {lang: {"type": "string", "minLength": 1} for lang in LANGS},
            "required": list(LANGS),
            "additionalProperties": False,
        },
    ],
}


def _kind(kind: str) -> dict[str, Any]:
    simple: dict[str, dict[str, Any]] = {
        spec.ID: {"type": "string", "pattern": ID_PATTERN},
        spec.TEXT: {"$ref": "#/$defs/text"},
        spec.TEXTS: {"type": "array", "items": {"$ref": "#/$defs/text"}, "minItems": 1},
        spec.STR: {"type": "string", "minLength": 1},
        spec.STRS: {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        spec.INT: {"type": "integer"},
        spec.INTS: {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1},
        spec.BOOL: {"type": "boolean"},
        spec.NUMBER: {"type": "number"},
        spec.TYPE: {"enum": [t.value for t in CardType]},
        spec.SOURCE: {"$ref": "#/$defs/source"},
        spec.ERRATA: {"$ref": "#/$defs/errata"},
        spec.VARS: {"$ref": "#/$defs/vars"},
        spec.LINT: {"$ref": "#/$defs/lint"},
        spec.CARDS: {"type": "array", "items": {"$ref": "#/$defs/card"}, "minItems": 1},
        spec.NOTES: {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    }
    return dict(simple[kind])


def _object(table: dict[str, tuple[str, bool]], closed: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {k: _kind(kind) for k, (kind, _) in table.items()},
        "required": [k for k, (_, req) in table.items() if req],
    }
    if closed:
        out["additionalProperties"] = False
    return out


def build_schema() -> dict[str, Any]:
    card_variants = []
    for ctype, fields in spec.TYPE_FIELDS.items():
        variant = _object(spec.COMMON_FIELDS | fields)
        variant["properties"]["type"] = {"const": ctype.value}
        if ctype is CardType.NUMERIC:
            variant["oneOf"] = [{"required": ["answer"]}, {"required": ["vars", "compute"]}]
        card_variants.append(variant)
    source = _object(spec.SOURCE_FIELDS)
    lint = _object(spec.LINT_FIELDS)
    lint["properties"]["ignore"]["items"] = {"enum": list(spec.LINT_RULES)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "studytool deck",
        **_object(spec.DECK_FIELDS),
        "$defs": {
            "text": _TEXT,
            "source": {"anyOf": [{"type": "string", "minLength": 1}, source]},
            "errata": _object(spec.ERRATA_FIELDS),
            "lint": lint,
            "vars": {
                "type": "object",
                "additionalProperties": {
                    "anyOf": [
                        {"type": "array", "items": {"type": "number"}, "minItems": 1},
                        _object({"min": (spec.INT, True), "max": (spec.INT, True)}),
                    ]
                },
            },
            "card": {"oneOf": card_variants},
        },
    }


def schema_json() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"

"""JSON Schemas for the catalog files; jsonschema checks every file on load.

An entry's schema is read off the field table (`fields.FIELDS`): each row's `schema`,
with the structured fields (people, the list's text, provenance) spelled out here.
"""

from __future__ import annotations

from typing import Any

from oflbib.fields import FIELDS, NAMES, PERSON, URL_PATTERN

_TEXT = {"type": "string", "minLength": 1}
_OPT_TEXT = {"type": ["string", "null"]}
_URL = {"type": "string", "pattern": URL_PATTERN}

PROVENANCE = {
    "anyOf": [
        _URL,
        {
            "type": "object",
            "required": ["source"],
            "additionalProperties": False,
            "properties": {
                "source": _TEXT,
                "via": _OPT_TEXT,
                "retrieved": _OPT_TEXT,
                "note": _OPT_TEXT,
            },
        },
    ]
}

SEED = {
    "type": "object",
    "required": ["title"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string"},
        "venue": _OPT_TEXT,
        "urls": {"type": "array", "items": _URL},
        "organisation": _OPT_TEXT,
    },
}

# People: `Family, Given` text or a mapping of name parts; a last item `others` is
# BibTeX's `and others`.
_NAMES = {"type": "array", "items": PERSON}


def _entry_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for row in FIELDS:
        if row.value == NAMES:
            properties[row.name] = _NAMES
        elif row.name == "seed":
            properties[row.name] = SEED
        elif row.name == "provenance":
            properties[row.name] = {"type": "object", "additionalProperties": PROVENANCE}
        elif row.name != "cite_as":  # set below: an entry of its own
            properties[row.name] = row.schema
    return {"type": "object", "required": [row.name for row in FIELDS if row.required],
            "additionalProperties": False, "properties": properties}


ENTRY = _entry_schema()

# The paper a software project asks to be cited by (`cite_as`): a paper entry of its own,
# without the list's text or place (the list does not show it) and no `cite_as` of its own.
CITED_PAPER = {**ENTRY, "properties": {
    **{name: rule for name, rule in ENTRY["properties"].items()
       if name not in ("seed", "filed_under")},
    "kind": {"enum": ["paper"]}}}
ENTRY["properties"]["cite_as"] = CITED_PAPER

SEE = {
    "type": "object",
    "required": ["see"],
    "additionalProperties": False,
    "properties": {"see": _TEXT, "seed": SEED},
}

SECTION_FILE = {
    "type": "object",
    "required": ["section", "entries"],
    "additionalProperties": False,
    "properties": {
        "section": _TEXT,
        "heading": _OPT_TEXT,
        "entries": {
            "type": ["array", "null"],
            "items": {"if": {"type": "object", "required": ["see"]}, "then": SEE, "else": ENTRY},
        },
    },
}

MANIFEST = {
    "type": "object",
    "required": ["title", "layout"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string"},
        "preambles": {"type": "array", "items": {"type": "string"}},
        "relations": {  # biblatex @set / @xdata entries (model.RelationEntry)
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "key", "fields"],
                "properties": {
                    "type": {"enum": ["set", "xdata"]},
                    "key": {"type": "string", "minLength": 1},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
        },
        "layout": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {
                    "section": _TEXT,
                    "file": {"type": "string", "pattern": r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.yaml$"},
                    "heading": _OPT_TEXT,
                    "level": {"type": "integer", "minimum": 1, "maximum": 6},
                    "prose": {"type": "string"},
                },
            },
        },
    },
}

"""JSON Schemas for the catalog files; jsonschema checks every file on load."""

from __future__ import annotations

_TEXT = {"type": "string", "minLength": 1}
_OPT_TEXT = {"type": ["string", "null"]}
_URL = {"type": "string", "pattern": r"^https?://\S+$"}

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

ENTRY = {
    "type": "object",
    "required": ["key", "kind", "title"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": r"^[^\s\"#%'(),={}\\]+$"},
        "ids": {"type": "array", "items": {"type": "string",
                                           "pattern": r"^[^\s\"#%'(),={}\\]+$"}},
        "kind": {"enum": ["paper", "software", "list"]},
        "title": _TEXT,
        "protect": {"type": "array", "items": _TEXT},
        "authors": {"type": "array", "items": {"anyOf": [_TEXT, {
            "type": "object", "additionalProperties": False, "minProperties": 1,
            "properties": {"family": _TEXT, "given": _TEXT, "literal": _TEXT}}]}},
        "organisation": _OPT_TEXT,
        "year": {"type": ["integer", "null"], "minimum": 1000, "maximum": 2999},
        "venue": _OPT_TEXT,
        "container": _OPT_TEXT,
        "entry_type": {"enum": ["inproceedings", "article", "misc", None]},
        "publisher": _OPT_TEXT,
        "volume": {"type": ["string", "integer", "null"]},
        "number": {"type": ["string", "integer", "null"]},
        "pages": {"type": ["string", "integer", "null"]},
        "doi": {"type": ["string", "null"], "pattern": r"^10\.\d{4,9}/\S+$"},
        "arxiv": {"type": ["string", "null"],
                  "pattern": r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$"},
        "arxiv_class": _OPT_TEXT,
        "urls": {"type": "array", "items": _URL},
        "filed_under": _TEXT,
        "seed": SEED,
        "provenance": {"type": "object", "additionalProperties": PROVENANCE},
        "notes": _OPT_TEXT,
    },
}

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

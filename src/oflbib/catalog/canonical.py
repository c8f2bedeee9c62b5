"""The catalog's canonical YAML: the one layout oflbib writes, read and written fast.

A file oflbib wrote from scratch uses a small part of YAML: block mappings indented by 2,
sequences whose dash sits 2 deeper than their key, one-line scalars (plain, 'single' or
"double" quoted), whole-line comments. PyYAML and ruamel.yaml spend most of their time on
everything else: a 100,000-entry catalog takes them 20 s to read and minutes to write.
Here that subset alone is handled line by line:

- `read` gives exactly what PyYAML's safe loader (as `yamlfiles` sets it up) gives;
- `write` gives exactly the bytes ruamel.yaml's round-trip dump (as `yamlfiles` sets it
  up) gives for fresh data, so a later comment-keeping save changes nothing.

Anything outside the subset (flow style, block scalars, tags, anchors, odd indentation,
escapes, characters YAML treats specially, values PyYAML would not read back as text or
a plain integer) raises `NotCanonical`, and the caller uses the full library instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# PyYAML's implicit resolvers by first character (`Loader.yaml_implicit_resolvers`).
Resolvers = dict[Any, list[tuple[str, Any]]]


class NotCanonical(Exception):
    """The text or data is outside the canonical subset: use the general YAML library."""


STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# Characters that end a line, are not printable, or change meaning in some YAML context
# (controls and tab, NEL, the Unicode line separators, BOM, surrogates, non-characters):
# a value holding one is never canonical, nor a text holding one besides newlines.
# Listed, not negated: the search over a whole file is five times faster.
_UNSAFE_TEXT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff"
                          "\ufffe\uffff]")
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# First characters the reader does not take as plain text: YAML's indicators (quotes are
# handled before this check), and `-`, `?`, `:` even where YAML would allow them.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


# ---- reading ---------------------------------------------------------------------------

# Every line: indent, then `- ` (a sequence item) or not, then `key:` with or without an
# inline value, or anything else (a scalar after `- `, a comment, nothing). One findall
# over the text splits all lines at C speed; a group that did not take part is "".
_LINES = re.compile(r"^( *)(- )?(?:([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?|(.*))$", re.M)
_KEY_LINE, _ITEM, _ITEM_MAP = 0, 1, 2


def plain_tag(text: str, resolvers: Resolvers) -> str:
    """The tag a loader with these resolvers gives a plain scalar (PyYAML's own rule)."""
    for tag, regexp in resolvers.get(text[0] if text else "", []) + resolvers.get(None, []):
        if regexp.match(text):
            return tag
    return STR_TAG


def _plain(text: str, resolvers: Resolvers) -> Any:
    if not text or text[0] in _INDICATORS or text != text.strip(" ") or ": " in text \
            or text.endswith(":") or " #" in text:
        raise NotCanonical(text)
    tag = plain_tag(text, resolvers)
    if tag == STR_TAG:
        return text
    if tag == _INT_TAG and _DECIMAL.match(text):
        return int(text)
    if tag == _NULL_TAG:
        return None
    raise NotCanonical(text)  # bools, floats, octal or sexagesimal ints: PyYAML decides


def _single_quoted(text: str) -> str:
    body = text[1:-1]
    if len(text) < 2 or text[-1] != "'" or "'" in body.replace("''", ""):
        raise NotCanonical(text)
    return body.replace("''", "'")


def _double_quoted(text: str) -> str:
    body = text[1:-1]
    if len(text) < 2 or text[-1] != '"':
        raise NotCanonical(text)
    if "\\" in body:  # only \" and \\ are read here; other escapes go to PyYAML
        if not re.fullmatch(r'(?:[^"\\]|\\["\\])*', body):
            raise NotCanonical(text)
        return re.sub(r'\\(["\\])', r"\1", body)
    if '"' in body:
        raise NotCanonical(text)
    return body


def _scalar(text: str, resolvers: Resolvers) -> Any:
    if text[:1] == "'":
        return _single_quoted(text)
    if text[:1] == '"':
        return _double_quoted(text)
    return _plain(text, resolvers)


class _Reader:
    """Recursive descent over pre-split lines (indent, kind, key, scalar text). Each step
    takes and returns the index of the line it is at: this runs once per line of a
    100,000-entry catalog, so attribute updates are kept out of the loops."""

    def __init__(self, text: str, resolvers: Resolvers) -> None:
        self.resolvers = resolvers
        self.values: dict[str, Any] = {}  # each distinct scalar text converted once, shared
        keys: dict[str, str] = {}
        lines: list[tuple[int, int, str | None, str | None]] = []
        append = lines.append
        for spaces, dash, key, value, bare in _LINES.findall(text):
            if key:
                key = keys.get(key) or self._new_key(key, keys)
                # `key:` and `key: ` alike open a block or hold null, as in PyYAML.
                if dash:
                    append((len(spaces), _ITEM_MAP, None, None))
                    append((len(spaces) + 2, _KEY_LINE, key, value or None))
                else:
                    append((len(spaces), _KEY_LINE, key, value or None))
            elif dash:
                append((len(spaces), _ITEM, None, bare))
            elif bare and bare[0] != "#":  # blank lines and whole-line comments hold no data
                raise NotCanonical(spaces + bare)
        self.lines = lines

    def _new_key(self, key: str, keys: dict[str, str]) -> str:
        if plain_tag(key, self.resolvers) != STR_TAG:  # YAML 1.1 reads `on:` as True
            raise NotCanonical(key)
        keys[key] = key
        return key

    def _value(self, text: str) -> Any:
        try:
            return self.values[text]
        except KeyError:
            value = self.values[text] = _scalar(text, self.resolvers)
            return value

    def document(self) -> Any:
        if not self.lines or self.lines[0][:2] != (0, _KEY_LINE):
            raise NotCanonical("the document is not a mapping")
        data, end = self.mapping(0, 0)
        if end != len(self.lines):
            raise NotCanonical("text after the document")
        return data

    def mapping(self, index: int, indent: int) -> tuple[dict[str, Any], int]:
        lines, count, value_of, out = self.lines, len(self.lines), self._value, {}
        while index < count:
            at, kind, key, value = lines[index]
            if at < indent:
                break
            if at != indent or kind != _KEY_LINE:
                raise NotCanonical(f"unexpected line at indent {at}")
            index += 1
            if value is not None:
                out[key] = value_of(value)
            elif index < count and lines[index][0] > indent:
                out[key], index = self.block(index, indent + 2)
            else:
                out[key] = None
        return out, index

    def block(self, index: int, indent: int) -> tuple[Any, int]:
        at, kind, _, _ = self.lines[index]
        if at != indent:
            raise NotCanonical(f"unexpected indent {at}")
        if kind == _KEY_LINE:
            return self.mapping(index, indent)
        return self.sequence(index, indent)

    def sequence(self, index: int, indent: int) -> tuple[list[Any], int]:
        lines, count, out = self.lines, len(self.lines), []
        while index < count:
            at, kind, _, value = lines[index]
            if at != indent or kind == _KEY_LINE:
                break
            if kind == _ITEM:
                out.append(self._value(value))
                index += 1
            else:
                item, index = self.mapping(index + 1, indent + 2)
                out.append(item)
        return out, index


def read(text: str, resolvers: Resolvers) -> Any:
    """The data of a canonical YAML text, as a PyYAML safe loader with these implicit
    resolvers reads it."""
    if _UNSAFE_TEXT.search(text):
        raise NotCanonical("special characters")
    return _Reader(text, resolvers).document()


# ---- writing ---------------------------------------------------------------------------

# ruamel's line width in `yamlfiles`: beyond any value, so no scalar is ever folded over
# lines (a folded double-quoted value would read back with a space added).
WIDTH = 1 << 30


@lru_cache(maxsize=None)
def _round_trip_resolver() -> Any:
    from ruamel.yaml.resolver import VersionedResolver

    return VersionedResolver(version=(1, 2))


def _plain_allowed(text: str) -> bool:
    """ruamel's emitter analysis (`analyze_scalar`) for a one-line block scalar."""
    first = text[0]
    return not (
        text != text.strip(" ")
        or text.startswith(("---", "..."))
        or first in "#,[]{}&*!|>'\"%@`"
        or (first in "?:-" and text[1:2] in ("", " "))
        or ": " in text[1:] or (len(text) > 1 and text.endswith(":"))
        or " #" in text
    )


@lru_cache(maxsize=65536, typed=True)
def scalar_text(value: Any) -> str:
    """A value as ruamel's round-trip dump prints it in block context."""
    if type(value) is int:
        return str(value)
    if type(value) is not str or not value or _UNSAFE.search(value):
        raise NotCanonical(repr(value))
    from ruamel.yaml.nodes import ScalarNode

    if _plain_allowed(value) and \
            _round_trip_resolver().resolve(ScalarNode, value, (True, False)) == STR_TAG:
        return value
    if "'" not in value:
        return f"'{value}'"
    if "\xa0" in value:  # escaped as `\_` inside double quotes
        raise NotCanonical(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key_text(key: Any) -> str:
    if type(key) is not str or not _KEY.match(key) or scalar_text(key) != key:
        raise NotCanonical(repr(key))
    return key


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def mapping(self, data: dict[str, Any], indent: int, lead: str) -> None:
        if not data:
            raise NotCanonical("empty mapping")  # ruamel writes `{}`
        for key, value in data.items():
            key = _key_text(key)
            if isinstance(value, dict):
                self.lines.append(f"{lead}{key}:")
                self.mapping(value, indent + 2, " " * (indent + 2))
            elif isinstance(value, list):
                self.lines.append(f"{lead}{key}:")
                self.sequence(value, indent + 2)
            else:
                self.lines.append(f"{lead}{key}: {scalar_text(value)}")
            lead = " " * indent

    def sequence(self, items: list[Any], indent: int) -> None:
        if not items:
            raise NotCanonical("empty sequence")  # ruamel writes `[]`
        dash = " " * indent + "- "
        for item in items:
            if isinstance(item, dict):
                self.mapping(item, indent + 2, dash)
            elif isinstance(item, list):
                raise NotCanonical("nested sequence")
            else:
                self.lines.append(dash + scalar_text(item))


def write(data: dict[str, Any], header: str) -> str:
    """`header` and the YAML of `data`, byte for byte what ruamel's round-trip dump writes."""
    writer = _Writer()
    writer.mapping(data, 0, "")
    return header + "\n".join(writer.lines) + "\n"

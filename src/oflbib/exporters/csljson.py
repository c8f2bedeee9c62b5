"""CSL-JSON for pandoc --citeproc, citeproc-js and Zotero; valid against the CSL schema.

Type choices, and why: proceedings papers are `paper-conference`, journal papers
`article-journal`, arXiv-only papers `article` with publisher `arXiv`, number the bare
arXiv id (IEEE's style prints "arXiv: ID"; `arXiv:ID` there read "arXiv: arXiv:ID"),
arXiv's DOI and the abstract page as URL (Zotero files that as a preprint, the id as its
archive ID). Software and lists are `webpage`: Zotero refuses a whole CSL-JSON file when
one item is `software`, so software is marked with `genre: "Computer software"` instead
(RIS and biblatex carry the software type). A published paper's arXiv id and its code
links go in `note`, a line each ("arXiv: ID", "Code: URL"), which Zotero keeps as Extra.
Words whose case is the point (SC20, GPUs, system names) are wrapped in
`<span class="nocase">`, so styles that change a title's case leave them alone.
Strings are plain text: no LaTeX, no braces, and no CSL markup. CSL processors read
`<i>`, `<b>`, `<sup>`, `<sub>`, `<sc>` and `<span ...>` in any string as formatting and
have no escape for them (pandoc prints `&lt;` as is), so where the catalog's text holds
such a tag (a Crossref title's `<i>` kept verbatim) an invisible word joiner after `<`
keeps it text: readers see `<i>`, processors see no tag.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring as _string  # the C encoder, ensure_ascii=False
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from oflbib import links
from oflbib.exporters.reference import Group, Reference, keywords, title_protect
from oflbib.fields import PLAIN, TYPES
from oflbib.latex import PUNCTUATION, needs_protection
from oflbib.model import Entry, Person
from oflbib.text import visible

_MARKUP = re.compile(r"<(?=/?\s*(?:i|b|sup|sub|sc|span)\b)", re.I)
# Plain fields of the field table with a CSL variable not written by hand below.
_PLAIN = tuple((row.name, row.csl) for row in PLAIN
               if row.csl and row.csl not in ("volume", "issue", "collection-title", "note"))
_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _inert(text: str) -> str:
    """The text as readers see it, with markup-like tags kept as text."""
    text = visible(text)
    return _MARKUP.sub("<\u2060", text) if "<" in text else text


@lru_cache(maxsize=1 << 16)  # names, venues and publishers recur in every entry
def _text(value: object) -> str:
    """`_inert` for any value; titles, which do not recur, go to `_inert` uncached."""
    return _inert(str(value))


_LEAD = "([\"'"  # opening punctuation left outside a span
_TAIL = ".,;:!?)]\"'"  # closing punctuation left outside a span
_TAG_LIKE = re.compile(r"[<>&]")


def _spanned(word: str, protected: set[str] | frozenset[str]) -> str:
    """The word with its core (leading and trailing punctuation left out) in a `nocase`
    span when the core's case is the point, else as it is. A word holding markup-like
    text gets no span: it would split the tag's text that the word joiner keeps inert."""
    rest = word.lstrip(_LEAD)
    core = rest.rstrip(_TAIL)
    if core and not _TAG_LIKE.search(core) and needs_protection(core, protected):
        lead, tail = word[:len(word) - len(rest)], rest[len(core):]
        return f'{lead}<span class="nocase">{core}</span>{tail}'
    return word


@lru_cache(maxsize=1 << 16)  # words recur across a catalog's titles and venues
def _spanned_alone(word: str) -> str:
    """`_spanned` for a text with no `protect` list of its own."""
    return _spanned(word, frozenset())


def _cased(value: str, protect: list[str]) -> str:
    """Text whose protected words (acronyms, names with capitals inside or digits, the
    catalog's `protect`) are CSL `nocase` spans."""
    words = _inert(value).split(" ")  # one space between words: `visible` folds the rest
    if not protect:
        return " ".join(map(_spanned_alone, words))
    protected = {w for phrase in protect for w in phrase.split()}
    # Only a word the list protects can take a span that it would not take alone.
    return " ".join([_spanned(word, protected) if word.strip(PUNCTUATION) in protected
                     else _spanned_alone(word) for word in words])


@lru_cache(maxsize=1 << 12)  # a catalog names the same few hundred venues and series
def _cased_name(value: str) -> str:
    """A container's or series' name with `nocase` spans (no `protect` list of its own)."""
    return _cased(value, [])


def _identifier(value: object) -> str:
    """A DOI, URL or arXiv id, exactly as it is (only made visible)."""
    return visible(str(value))


# How the variables that are no plain text are written (the others: `_text`).
_WRITERS = {"DOI": _identifier, "URL": _identifier, "number": _identifier,
            "container-title": _cased_name, "collection-title": _cased_name}


def _person(person: Person) -> dict[str, str]:
    if person.literal:
        return {"literal": _text(person.literal)}
    name = {"family": _text(person.family)}
    if person.given:
        name["given"] = _text(person.given)
    if person.particle:
        name["non-dropping-particle"] = _text(person.particle)
    if person.suffix:
        name["suffix"] = _text(person.suffix)
    return name


def _names(people: list[Person], others: bool) -> list[dict[str, str]]:
    """CSL names; BibTeX's `and others` as the name `others`, which citeproc-js and
    pandoc print as et al."""
    return [_person(p) for p in people] + ([{"literal": "others"}] if others else [])


def _date_parts(text: str) -> list[int] | None:
    match = _DATE.match(text)
    return [int(part) for part in match.groups() if part] if match else None


def _issued(entry: Entry) -> dict[str, Any] | None:
    """The date: a biblatex date (a range gives two parts) or year and month."""
    if entry.date:
        # CSL dates have no time of day (`2019-10-15T20:58:43Z`).
        parts = [_date_parts(each.split("T")[0]) for each in entry.date.split("/") if each]
        if parts and all(parts):
            return {"date-parts": parts}
        return {"literal": entry.date}
    if entry.year:
        return {"date-parts": [[entry.year, entry.month] if entry.month else [entry.year]]}
    return None


def csl_item(reference: Reference) -> dict[str, Any]:
    entry = reference.entry
    entry_type = TYPES[reference.entry_type]
    item: dict[str, Any] = {"id": reference.key, "type": entry_type.csl}
    if reference.title:
        item["title"] = _cased(reference.title, title_protect(reference))
    if reference.authors or entry.authors_others:
        item["author"] = _names(reference.authors, entry.authors_others)
    if entry.editors or entry.editors_others:
        item["editor"] = _names(entry.editors, entry.editors_others)
    issued = _issued(entry)
    if issued:
        item["issued"] = issued
    # A thesis's school or a report's institution stands for a publisher not named.
    publisher = reference.publisher or entry.school or entry.institution
    text_fields = {
        "container-title": reference.container, "collection-title": reference.series,
        "publisher": publisher,
        "volume": reference.volume, "issue": reference.number or entry.issue,
        "page": reference.pages,
        "DOI": reference.doi, "URL": reference.url,
    }
    if entry_type.software:
        text_fields["genre"] = "Computer software"
        # The organisation that publishes it, unless it already stands as the author
        # (APA and Chicago would print "Google. (n.d.). ... Google.").
        text_fields["publisher"] = None if any(
            a.literal == reference.organisation for a in reference.authors) \
            else reference.organisation
    if reference.entry_type == "preprint" and reference.arxiv:
        text_fields["number"] = reference.arxiv
        text_fields["DOI"] = links.arxiv_doi(reference.arxiv)
    for name, value in text_fields.items():
        if value:
            item[name] = _WRITERS.get(name, _text)(value)
    for name, variable in _PLAIN:
        value = getattr(entry, name)
        if value and variable not in item:
            item[variable] = _text(value)
    if entry.urldate:
        parts = _date_parts(entry.urldate[:10])
        item["accessed"] = {"date-parts": [parts]} if parts else {"literal": entry.urldate}
    words = keywords(reference)
    if words:
        item["keyword"] = _text(", ".join(words))
    notes = [entry.note] if entry.note else []
    if reference.arxiv and reference.entry_type != "preprint":
        notes.append(f"arXiv: {reference.arxiv}")
    notes += [f"Code: {u}" for u in reference.code_urls]
    if notes:
        # One line each, as Zotero reads its Extra: a `Key: value` line per field.
        item["note"] = "\n".join(_text(note) for note in notes)
    return item


def _indented(value: Any, pad: str) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)` as it prints at depth `pad`.

    The json module writes indented output in pure Python, one generator per level; this
    is the same layout with the escaping left to its C string encoder (1.3x faster).
    """
    if isinstance(value, str):
        return _string(value)
    inner = pad + "  "
    # Most values are strings: encoded here rather than in a call each.
    if isinstance(value, dict) and value:
        body = ",\n".join([
            f"{inner}{_string(key)}: "
            f"{_string(item) if isinstance(item, str) else _indented(item, inner)}"
            for key, item in value.items()])
        return f"{{\n{body}\n{pad}}}"
    if isinstance(value, list) and value:
        body = ",\n".join([inner + _indented(item, inner) for item in value])
        return f"[\n{body}\n{pad}]"
    if type(value) is int:  # years, months, days: as json writes them, without its setup
        return repr(value)
    return json.dumps(value)  # other numbers, true/false/null, {} and []


def csljson_chunks(groups: list[Group]) -> Iterator[str]:
    """The top-level list item by item, so the items are never all held at once (as
    objects, json.dumps of the whole list needed 250 MB more at 100,000 entries)."""
    opening = "[\n  "
    for group in groups:
        for reference in group.references:
            yield opening + _indented(csl_item(reference), "  ")
            opening = ",\n  "
    yield "[]\n" if opening == "[\n  " else "\n]\n"

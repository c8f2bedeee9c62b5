"""CSL-JSON for pandoc --citeproc, citeproc-js and Zotero; valid against the CSL schema.

Type choices, and why: proceedings papers are `paper-conference`, journal papers
`article-journal`, arXiv-only papers `article` with publisher `arXiv`, number the bare
arXiv id (IEEE's style prints "arXiv: ID"; `arXiv:ID` there read "arXiv: arXiv:ID"),
arXiv's DOI and the abstract page as URL (Zotero files that as a preprint, the id as its
archive ID). Software and lists are `webpage`: Zotero refuses a whole CSL-JSON file when
one item is `software`, so software is marked with `genre: "Computer software"` instead
(RIS and biblatex carry the software type). A published paper's arXiv id and its code
links go in `note` ("arXiv: ID", "Code: URL"), which Zotero keeps as Extra.
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
from typing import Any

from oflbib import links
from oflbib.exporters.record import (
    JOURNAL_ARTICLE, LIST, PREPRINT_PAPER, PROCEEDINGS_PAPER, SOFTWARE, Group, Record,
)
from oflbib.latex import needs_protection
from oflbib.model import Person
from oflbib.text import visible

_MARKUP = re.compile(r"<(?=/?\s*(?:i|b|sup|sub|sc|span)\b)", re.I)

CSL_TYPES = {
    PROCEEDINGS_PAPER: "paper-conference",
    JOURNAL_ARTICLE: "article-journal",
    PREPRINT_PAPER: "article",
    SOFTWARE: "webpage",
    LIST: "webpage",
}


def _text(value: object) -> str:
    return _MARKUP.sub("<\u2060", visible(str(value)))


_WORD = re.compile(r"[^\s]+")
_EDGE = re.compile(r"^([(\[\"']*)(.*?)([.,;:!?)\]\"']*)$")


def _cased(value: str, protect: list[str]) -> str:
    """Text whose protected words (acronyms, names with capitals inside or digits, the
    catalog's `protect`) are CSL `nocase` spans."""
    protected = {w for phrase in protect for w in phrase.split()}

    def wrap(match: re.Match) -> str:
        lead, core, tail = _EDGE.match(match.group()).groups()
        # A word holding markup-like text stays as it is: a span would split the tag's
        # text that the word joiner keeps inert.
        if core and not re.search(r"[<>&]", core) and needs_protection(core, protected):
            return f'{lead}<span class="nocase">{core}</span>{tail}'
        return match.group()

    return _WORD.sub(wrap, _text(value))


def _person(person: Person) -> dict[str, str]:
    if person.literal:
        return {"literal": _text(person.literal)}
    name = {"family": _text(person.family)}
    if person.given:
        name["given"] = _text(person.given)
    return name


def csl_item(record: Record) -> dict[str, Any]:
    item: dict[str, Any] = {"id": record.key, "type": CSL_TYPES.get(record.type, "article"),
                            "title": _cased(record.title, record.protect)}
    if record.authors:
        item["author"] = [_person(a) for a in record.authors]
    if record.year:
        item["issued"] = {"date-parts": [[record.year]]}
    text_fields = {
        "container-title": record.container, "collection-title": record.series,
        "publisher": record.publisher, "volume": record.volume, "issue": record.number,
        "page": record.pages, "DOI": record.doi, "URL": record.url,
    }
    if record.type == SOFTWARE:
        text_fields["genre"] = "Computer software"
        text_fields["publisher"] = record.organisation
    if record.type == PREPRINT_PAPER and record.arxiv:
        text_fields["number"] = record.arxiv
        text_fields["DOI"] = links.arxiv_doi(record.arxiv)
    for name, value in text_fields.items():
        if not value:
            continue
        if name in ("DOI", "URL", "number"):  # identifiers: exactly as they are
            item[name] = visible(str(value))
        elif name in ("container-title", "collection-title"):
            item[name] = _cased(str(value), [])
        else:
            item[name] = _text(value)
    if record.sections:
        item["keyword"] = _text(", ".join(record.sections))
    notes = [f"arXiv: {record.arxiv}"] if record.arxiv and record.type != PREPRINT_PAPER \
        else []
    notes += [f"Code: {visible(u)}" for u in record.code_urls]
    if notes:
        item["note"] = "\n".join(notes)
    return item


def _indented(value: Any, pad: str) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)` as it prints at depth `pad`.

    The json module writes indented output in pure Python, one generator per level; this
    is the same layout with the escaping left to its C string encoder (1.3x faster).
    """
    inner = pad + "  "
    if isinstance(value, dict) and value:
        body = ",\n".join(f"{inner}{_string(key)}: {_indented(item, inner)}"
                          for key, item in value.items())
        return f"{{\n{body}\n{pad}}}"
    if isinstance(value, list) and value:
        body = ",\n".join(inner + _indented(item, inner) for item in value)
        return f"[\n{body}\n{pad}]"
    if isinstance(value, str):
        return _string(value)
    return json.dumps(value)  # numbers, true/false/null, {} and []


def csljson_chunks(groups: list[Group]) -> Iterator[str]:
    """The top-level list item by item, so the items are never all held at once (as
    objects, json.dumps of the whole list needed 250 MB more at 100,000 entries)."""
    opening = "[\n  "
    for group in groups:
        for record in group.records:
            yield opening + _indented(csl_item(record), "  ")
            opening = ",\n  "
    yield "[]\n" if opening == "[\n  " else "\n]\n"

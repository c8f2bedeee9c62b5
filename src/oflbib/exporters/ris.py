"""RIS for Zotero, EndNote and Mendeley, written with rispy.

Types: CONF (proceedings title in both T2 and C3, as Zotero reads C3), JOUR, MANSCPT
for arXiv-only papers (Zotero reads UNPB as a journal article, MANSCPT as a manuscript),
COMP for software, ELEC for lists. An arXiv id goes in M2 as "arXiv: ID", which Zotero
keeps in Extra (N1 would become a child note); an arXiv-only paper also gets arXiv's DOI
and its abstract page as UR. Code links are a labelled note ("Code: URL"). Every value
is one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import rispy

from oflbib import links
from oflbib.exporters.reference import Group, Reference, keywords
from oflbib.fields import PLAIN, TYPES
from oflbib.model import Person
from oflbib.text import visible

# Plain fields of the field table with a rispy key not written by hand below.
_PLAIN = tuple((row.name, row.ris) for row in PLAIN
               if row.ris and row.ris not in ("volume", "number", "notes"))
_PUBLISHER_STAND_INS = ("school", "institution")


class _UnnumberedRisWriter(rispy.RisWriter):
    """rispy numbers records (`1.` before TY), which is not RIS."""

    def set_header(self, count: int) -> str:
        return ""


def _one_line(value: Any) -> str:
    return visible(str(value))


def _author(person: Person) -> str:
    if person.literal:
        return _one_line(person.literal)
    parts = [person.last, person.suffix, person.given] if person.suffix else \
        [person.last, person.given]
    return _one_line(", ".join(p for p in parts if p))


def ris_record(reference: Reference) -> dict[str, Any]:
    entry = reference.entry
    ris: dict[str, Any] = {"type_of_reference": TYPES[reference.entry_type].ris,
                           "id": reference.key}
    if reference.title:
        ris["title"] = _one_line(reference.title)
    if reference.authors:
        ris["authors"] = [_author(a) for a in reference.authors]
    if entry.editors:
        ris["secondary_authors"] = [_author(a) for a in entry.editors]
    if reference.year:
        ris["year"] = str(reference.year)
    if entry.date or entry.month:  # RIS DA: YYYY/MM/DD/
        ris["date"] = _ris_date(entry.date) if entry.date else \
            f"{reference.year or ''}/{entry.month:02d}//"
    if reference.container:
        ris["secondary_title"] = _one_line(reference.container)
        if reference.entry_type == "inproceedings":
            ris["custom3"] = _one_line(reference.container)  # C3: Zotero's proceedings title
    publisher = reference.organisation if TYPES[reference.entry_type].software else \
        reference.publisher or next((getattr(entry, name) for name in _PUBLISHER_STAND_INS
                                     if getattr(entry, name)), None)
    preprint = reference.entry_type == "preprint" and reference.arxiv
    optional = {
        "tertiary_title": reference.series,
        "publisher": publisher, "volume": reference.volume,
        "number": reference.number or entry.issue,
        "start_page": reference.first_page, "end_page": reference.last_page,
        "doi": links.arxiv_doi(reference.arxiv) if preprint else reference.doi,
    }
    for name, value in optional.items():
        if value:
            ris[name] = _one_line(value)
    if reference.arxiv:
        # rispy has no name for M2: its own place for such tags, so that any rispy
        # writer keeps the id and its reader gives it back.
        ris["unknown_tag"] = {"M2": [f"arXiv: {_one_line(reference.arxiv)}"]}
    for name, key in _PLAIN:
        value = getattr(entry, name)
        if value and key not in ris:
            ris[key] = _one_line(value)
    if reference.url:
        # rispy splits UR values at `;`, so one URL holding it would read back as two.
        ris["urls"] = [_one_line(reference.url).replace(";", "%3B")]
    notes = [_one_line(entry.note)] if entry.note else []
    if entry.authors_others:  # RIS has no mark for a truncated author list
        notes.append("Authors: and others (the list of authors is truncated)")
    notes += [f"Code: {_one_line(u)}" for u in reference.code_urls]
    if notes:
        ris["notes"] = notes
    words = keywords(reference)
    if words:
        ris["keywords"] = [_one_line(s) for s in words]
    return ris


def _ris_date(date: str) -> str:
    """A biblatex date as RIS's `YYYY/MM/DD/` (the first date of a range)."""
    first = date.split("/")[0].split("T")[0]  # RIS has no time of day
    parts = first.split("-") if not first.startswith("-") else [first]
    parts += [""] * (3 - len(parts))
    return "/".join(parts[:3]) + "/"


def ris_chunks(groups: list[Group]) -> Iterator[str]:
    """Record by record: rispy's text for a list of records is each one's text, with an
    empty line between them."""
    writer = _UnnumberedRisWriter()
    between = ""
    for group in groups:
        for reference in group.references:
            yield between + writer.formats([ris_record(reference)])
            between = "\n"

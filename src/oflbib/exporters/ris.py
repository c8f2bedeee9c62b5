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
from oflbib.exporters.record import (
    JOURNAL_ARTICLE, LIST, PREPRINT_PAPER, PROCEEDINGS_PAPER, SOFTWARE, Group, Record,
)
from oflbib.model import Person
from oflbib.text import visible

RIS_TYPES = {
    PROCEEDINGS_PAPER: "CONF",
    JOURNAL_ARTICLE: "JOUR",
    PREPRINT_PAPER: "MANSCPT",
    SOFTWARE: "COMP",
    LIST: "ELEC",
}


class _UnnumberedRisWriter(rispy.RisWriter):
    """rispy numbers records (`1.` before TY), which is not RIS; and it has no name for
    M2, where the arXiv id goes."""

    DEFAULT_MAPPING = {**rispy.TAG_KEY_MAPPING, "M2": "extra"}

    def set_header(self, count: int) -> str:
        return ""


def _one_line(value: Any) -> str:
    return visible(str(value))


def _author(person: Person) -> str:
    if person.literal:
        return _one_line(person.literal)
    return _one_line(f"{person.family}, {person.given}" if person.given else person.family)


def ris_record(record: Record) -> dict[str, Any]:
    ris: dict[str, Any] = {"type_of_reference": RIS_TYPES.get(record.type, "GEN"),
                           "id": record.key, "title": _one_line(record.title)}
    if record.authors:
        ris["authors"] = [_author(a) for a in record.authors]
    if record.year:
        ris["year"] = str(record.year)
    if record.container:
        ris["secondary_title"] = _one_line(record.container)
        if record.type == PROCEEDINGS_PAPER:
            ris["custom3"] = _one_line(record.container)  # C3: Zotero's proceedings title
    preprint = record.type == PREPRINT_PAPER and record.arxiv
    optional = {
        "tertiary_title": record.series,
        "publisher": record.organisation if record.type == SOFTWARE else record.publisher,
        "volume": record.volume, "number": record.number,
        "start_page": record.first_page, "end_page": record.last_page,
        "doi": links.arxiv_doi(record.arxiv) if preprint else record.doi,
        "extra": f"arXiv: {record.arxiv}" if record.arxiv else None,
    }
    for name, value in optional.items():
        if value:
            ris[name] = _one_line(value)
    if record.url:
        # rispy splits UR values at `;`, so one URL holding it would read back as two.
        ris["urls"] = [_one_line(record.url).replace(";", "%3B")]
    if record.code_urls:
        ris["notes"] = [f"Code: {_one_line(u)}" for u in record.code_urls]
    if record.sections:
        ris["keywords"] = [_one_line(s) for s in record.sections]
    return ris


def ris_chunks(groups: list[Group]) -> Iterator[str]:
    """Record by record: rispy's text for a list of records is each one's text, with an
    empty line between them."""
    writer = _UnnumberedRisWriter()
    between = ""
    for group in groups:
        for record in group.records:
            yield between + writer.formats([ris_record(record)])
            between = "\n"

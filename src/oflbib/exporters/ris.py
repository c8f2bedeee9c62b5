"""RIS for Zotero, EndNote and Mendeley, written with rispy.

Types: CONF (proceedings title in both T2 and C3, as Zotero reads C3), JOUR, UNPB for
arXiv-only papers, COMP for software, ELEC for lists. Every value is one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import rispy

from oflbib.exporters.record import (
    JOURNAL_ARTICLE, LIST, PREPRINT_PAPER, PROCEEDINGS_PAPER, SOFTWARE, Group, Record,
)
from oflbib.model import Person
from oflbib.text import visible

RIS_TYPES = {
    PROCEEDINGS_PAPER: "CONF",
    JOURNAL_ARTICLE: "JOUR",
    PREPRINT_PAPER: "UNPB",
    SOFTWARE: "COMP",
    LIST: "ELEC",
}


class _UnnumberedRisWriter(rispy.RisWriter):
    """rispy numbers records (`1.` before TY), which is not RIS."""

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
    optional = {
        "publisher": record.organisation if record.type == SOFTWARE else record.publisher,
        "volume": record.volume, "number": record.number,
        "start_page": record.first_page, "end_page": record.last_page, "doi": record.doi,
    }
    for name, value in optional.items():
        if value:
            ris[name] = _one_line(value)
    if record.urls:
        # rispy splits UR values at `;`, so one URL holding it would read back as two.
        ris["urls"] = [_one_line(u).replace(";", "%3B") for u in record.urls[:1]]
    if record.arxiv:
        ris["notes"] = [f"arXiv: {record.arxiv}"]
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

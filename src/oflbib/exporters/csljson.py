"""CSL-JSON for pandoc --citeproc, citeproc-js and Zotero; valid against the CSL schema.

Type choices, and why: proceedings papers are `paper-conference`, journal papers
`article-journal`, arXiv-only papers `article` with publisher `arXiv` and number
`arXiv:ID` (Zotero files that as a preprint). Software and lists are `webpage`:
Zotero refuses a whole CSL-JSON file when one item is `software`, so software is marked
with `genre: "Computer software"` instead (RIS and biblatex carry the software type).
Strings are plain text: no LaTeX, no braces.
"""

from __future__ import annotations

import json
from typing import Any

from oflbib.exporters.record import (
    JOURNAL_ARTICLE, LIST, PREPRINT_PAPER, PROCEEDINGS_PAPER, SOFTWARE, Group, Record,
)
from oflbib.model import Person
from oflbib.text import fold_space

CSL_TYPES = {
    PROCEEDINGS_PAPER: "paper-conference",
    JOURNAL_ARTICLE: "article-journal",
    PREPRINT_PAPER: "article",
    SOFTWARE: "webpage",
    LIST: "webpage",
}


def _person(person: Person) -> dict[str, str]:
    if person.literal:
        return {"literal": fold_space(person.literal)}
    name = {"family": fold_space(person.family)}
    if person.given:
        name["given"] = fold_space(person.given)
    return name


def csl_item(record: Record) -> dict[str, Any]:
    item: dict[str, Any] = {"id": record.key, "type": CSL_TYPES.get(record.type, "article"),
                            "title": fold_space(record.title)}
    if record.authors:
        item["author"] = [_person(a) for a in record.authors]
    if record.year:
        item["issued"] = {"date-parts": [[record.year]]}
    text_fields = {
        "container-title": record.container, "publisher": record.publisher,
        "volume": record.volume, "issue": record.number, "page": record.pages,
        "DOI": record.doi, "URL": record.url,
    }
    if record.type == SOFTWARE:
        text_fields["genre"] = "Computer software"
        text_fields["publisher"] = record.organisation
    if record.type == PREPRINT_PAPER and record.arxiv:
        text_fields["number"] = f"arXiv:{record.arxiv}"
    for name, value in text_fields.items():
        if value:
            item[name] = fold_space(str(value))
    if record.sections:
        item["keyword"] = ", ".join(record.sections)
    if record.arxiv and record.type != PREPRINT_PAPER:
        item["note"] = f"arXiv: {record.arxiv}"
    return item


def write_csljson(groups: list[Group]) -> str:
    items = [csl_item(r) for group in groups for r in group.records]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"

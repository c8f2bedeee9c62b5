"""The rendered review: every entry of the shipped catalog as a reader sees it, through
natbib/plainnat, IEEEtran, biblatex (numeric, authoryear) and pandoc with the CSL styles
IEEE, APA, ACM and Chicago author-date. Per entry: a locator shown (DOI, arXiv id or URL),
the title printed once, an organisation that is the author printed once, no empty
parentheses, authors' accents kept, no leftover braces or TeX, the venue for papers, the
year or a deliberate "n.d."; author-year citations never read "Google ()". The README's
table of one paper and one arXiv-only paper per consumer is checked against the same
renderings.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from oflbib.exporters import render
from oflbib.exporters.reference import Reference, groups
from tests.consumers import (
    biblatex_document, bibtex_document, csl_entries, pdf_text, shared, split_entries,
)

CSL_STYLES = {"ieee": False, "apa": True, "association-for-computing-machinery": False,
              "chicago-author-date": True}  # style -> author-year
_URL = re.compile(r"https?://\S+")
README = Path(__file__).resolve().parent.parent / "README.md"
# The README's "Using the bibliography" table: a row per consumer, a column per entry.
README_KEYS = ("thorpe2023bamboo", "he2021fastmoe")
README_ROWS = {"plainnat": "natbib/plainnat", "IEEEtran": "IEEEtran",
               "numeric": "biblatex (numeric)", "authoryear": "biblatex (authoryear)",
               "ieee": "pandoc + IEEE", "apa": "pandoc + APA",
               "association-for-computing-machinery": "pandoc + ACM",
               "chicago-author-date": "pandoc + Chicago author-date"}


def _unaccented(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def _plain(text: str) -> str:
    """Letters and digits only, accents and case dropped: what two renderings share."""
    return re.sub(r"[^0-9a-z]", "", _unaccented(text).casefold())


def _records(catalog) -> list[Reference]:
    return [r for g in groups(catalog) for r in g.references]


def _unlocated(record: Reference) -> bool:
    """A paper the catalog knows no DOI, arXiv id or landing page of: a catalog gap that
    `oflbib check` reports (its code link is no locator of the paper)."""
    return record.entry_type != "software" and record.entry_type != "online" and not (
        record.doi or record.arxiv or record.url)


def review(records: list[Reference], entries: dict[str, str], author_year: bool) -> list[str]:
    """What a reviewer would flag, entry by entry."""
    problems = []
    assert sorted(entries) == sorted(r.key for r in records)
    for record in records:
        shown = entries[record.key]
        flag = problems.append
        plain = _plain(shown)
        locators = [record.doi, record.arxiv, record.url]
        if not any(loc and _plain(loc) in plain for loc in locators) \
                and not _unlocated(record):
            flag(f"{record.key}: no locator shown: {shown}")
        title_count = _plain(_URL.sub(" ", shown)).count(_plain(record.title))
        if title_count != 1:
            flag(f"{record.key}: title printed {title_count} times: {shown}")
        for name in {a.literal for a in record.authors if a.literal}:
            if _URL.sub(" ", shown).count(name) != 1:
                flag(f"{record.key}: '{name}' printed {shown.count(name)} times: {shown}")
        if "()" in shown.replace(" ", ""):
            flag(f"{record.key}: empty parentheses: {shown}")
        composed = unicodedata.normalize("NFC", shown)
        for word in {w for a in record.authors for part in (a.family, a.given) if part
                     for w in part.split() if not w.isascii()}:
            if re.search(rf"\b{re.escape(_unaccented(word))}\b", _unaccented(shown)) \
                    and unicodedata.normalize("NFC", word) not in composed:
                flag(f"{record.key}: '{word}' printed without its accents: {shown}")
        if re.search(r"[\\{}$]", shown):
            flag(f"{record.key}: leftover TeX or braces: {shown}")
        if record.entry_type in ("inproceedings", "article") and not (
                record.container and _plain(record.container) in plain):
            flag(f"{record.key}: venue '{record.container}' not shown: {shown}")
        if record.entry_type == "preprint" and "arxiv" not in plain:
            flag(f"{record.key}: preprint without arXiv: {shown}")
        if record.year and str(record.year) not in shown:
            flag(f"{record.key}: year {record.year} not shown: {shown}")
        if not record.year and author_year and "n.d." not in shown:
            flag(f"{record.key}: no year and no n.d.: {shown}")
    return problems


def _citations_read_well(citations: str) -> None:
    assert "()" not in citations.replace(" ", ""), citations


def _readme_row(consumer: str) -> list[str]:
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == consumer:
            return cells[1:]
    raise AssertionError(f"the README shows no output for {consumer}")


def _readme_shows(style: str, entries: dict[str, str]) -> None:
    """Each piece of the README's cell (pieces are cut at its ellipses, italics dropped)
    is printed by the consumer today, in that order."""
    consumer = README_ROWS[style]
    for key, cell in zip(README_KEYS, _readme_row(consumer), strict=True):
        printed = " ".join(entries[key].split())
        at = 0
        for piece in (" ".join(p.split()) for p in cell.replace("*", "").split("…")):
            found = printed.find(piece, at)
            assert found >= 0, f"README, {consumer}, {key}: '{piece}' is not in: {printed}"
            at = found + len(piece)


@pytest.mark.parametrize("style,natbib", [("plainnat", True), ("IEEEtran", False)])
def test_bibtex_styles_review(tmp_path, shipped_catalog, style, natbib):
    records = _records(shipped_catalog)
    text = pdf_text(tmp_path, bibtex_document(style, [r.key for r in records], natbib),
                    render(shipped_catalog, "bibtex"), "bibtex")
    citations, entries = split_entries(text)
    if natbib:
        _citations_read_well(citations)
    assert review(records, entries, author_year=natbib) == []
    _readme_shows(style, entries)


@pytest.mark.parametrize("style", ["numeric", "authoryear"])
def test_biblatex_styles_review(tmp_path, shipped_catalog, style):
    records = _records(shipped_catalog)
    text = pdf_text(tmp_path, biblatex_document(style, [r.key for r in records]),
                    render(shipped_catalog, "biblatex"), "biber")
    citations, entries = split_entries(text)
    if style == "authoryear":
        _citations_read_well(citations)
    assert review(records, entries, author_year=style == "authoryear") == []
    _readme_shows(style, entries)


@pytest.mark.parametrize("style", sorted(CSL_STYLES))
def test_csl_styles_review(tmp_path, shipped_catalog, style):
    csl = shared(f"fixtures/csl/styles/{style}.csl")
    records = _records(shipped_catalog)
    citations, entries = csl_entries(tmp_path, render(shipped_catalog, "csljson"), csl,
                                     [r.key for r in records])
    if CSL_STYLES[style]:
        _citations_read_well(citations)
    assert review(records, entries, author_year=CSL_STYLES[style]) == []
    _readme_shows(style, entries)

"""Merging records into entries: never clobber, record provenance, prefer the publication,
report conflicts and the list's own mistakes."""

from __future__ import annotations

import dataclasses

import pytest

from oflbib.checks import lint, seed_corrections
from oflbib.model import Catalog, Entry, Listing, Person, Provenance, Section, Seed
from oflbib.resolvers.apply import known_names, merge
from oflbib.resolvers.base import PREPRINT, PUBLISHED, Record, person_from_name
from oflbib.resolvers.engine import Found

TITLE = "Varuna: Scalable, Low-cost Training of Massive Deep Learning Models"
CROSSREF_URL = "https://api.crossref.org/works/10.1145/3492321.3519584"
ARXIV_URL = "https://arxiv.org/abs/2111.04007v2"

PUBLISHED_RECORD = Record(
    source="crossref", role=PUBLISHED, url=CROSSREF_URL, title=TITLE,
    authors=(Person("Athlur", "Sanjith"), Person("Saran", "Nitika")), year=2022,
    work_type="proceedings-article", venue="EuroSys",
    container="Proceedings of the Seventeenth European Conference on Computer Systems",
    publisher="ACM", pages="472--487", doi="10.1145/3492321.3519584", retrieved="2026-01-02")
PREPRINT_RECORD = Record(
    source="arxiv", role=PREPRINT, url=ARXIV_URL, title=TITLE + " (extended)",
    authors=(Person("Athlur", "S."),), year=2021, work_type="preprint",
    doi="10.1145/3492321.3519584", arxiv="2111.04007", arxiv_class="cs.DC",
    retrieved="2026-01-03")


def listed(title: str = TITLE, tag: str = "Eurosys'22", **fields) -> Entry:
    """An entry as the importer makes it from `- [title](url) tag`."""
    entry = Entry(key="varuna2022", kind="paper", title=title, year=2022, venue="EuroSys",
                  seed=Seed(title, tag, ["https://github.com/x/varuna"]))
    for name, value in fields.items():
        setattr(entry, name, value)
    return entry


def found(*records: Record) -> Found:
    return Found(records={r.source: r for r in records})


def test_empty_fields_are_filled_and_say_where_from() -> None:
    entry = listed()
    review = merge(entry, found(PUBLISHED_RECORD))
    assert entry.doi == "10.1145/3492321.3519584" and entry.pages == "472--487"
    assert entry.authors == [Person("Athlur", "Sanjith"), Person("Saran", "Nitika")]
    assert entry.provenance["doi"] == Provenance(CROSSREF_URL, "crossref", "2026-01-02")
    assert {c.field for c in review.changes} == {"authors", "container", "publisher", "pages",
                                                 "doi"}
    assert review.conflicts == [] and review.list_notes == []


def test_values_already_there_are_kept_and_disagreements_reported() -> None:
    entry = listed(pages="1--10", publisher="ACM")
    entry.provenance["pages"] = Provenance("https://dl.acm.org/x", "manual")
    review = merge(entry, found(PUBLISHED_RECORD))
    assert entry.pages == "1--10"
    assert entry.provenance["pages"] == Provenance("https://dl.acm.org/x", "manual")
    (conflict,) = review.conflicts
    assert (conflict.field, conflict.catalog, conflict.source_says) == ("pages", "1--10",
                                                                        "472--487")
    assert conflict.record.url == CROSSREF_URL


def test_equal_values_in_another_spelling_are_no_conflict() -> None:
    entry = listed(title=TITLE.upper(), pages="472-487", doi="10.1145/3492321.3519584".upper(),
                   authors=[Person("Athlur", "S."), Person("Saran", "N.")])
    assert merge(entry, found(PUBLISHED_RECORD)).conflicts == []


def test_the_published_version_gives_the_venue_fields_and_arxiv_the_eprint() -> None:
    entry = listed()
    merge(entry, found(PREPRINT_RECORD, PUBLISHED_RECORD))
    assert entry.authors[0] == Person("Athlur", "Sanjith")
    assert entry.provenance["authors"].via == "crossref"
    assert (entry.arxiv, entry.arxiv_class) == ("2111.04007", "cs.DC")
    assert entry.provenance["arxiv"] == Provenance(ARXIV_URL, "arxiv", "2026-01-03")
    assert entry.year == 2022  # not the preprint's 2021


def test_a_preprint_alone_does_not_move_a_published_entry_to_its_posting_year() -> None:
    entry = listed()
    entry.year = None
    review = merge(entry, found(PREPRINT_RECORD))
    assert entry.year is None and entry.venue == "EuroSys"
    assert "year" not in {c.field for c in review.changes}
    assert entry.doi is None  # a DOI only from Crossref's own record of it


def test_a_preprint_on_arxiv_does_not_move_a_published_entry_to_arxiv() -> None:
    entry = listed()
    corr = Record(source="dblp", role=PREPRINT, url="https://dblp.org/rec/journals/corr/x",
                  title=TITLE, year=2021, work_type="preprint", venue="arXiv",
                  arxiv="2111.04007", retrieved="2026-01-03")
    review = merge(entry, found(corr))
    assert (entry.venue, entry.year, entry.arxiv) == ("EuroSys", 2022, "2111.04007")
    assert review.list_notes == [] and review.conflicts == []


def test_a_preprint_gives_venue_and_year_to_an_arxiv_entry() -> None:
    entry = Entry(key="fastmoe2021", kind="paper", title="FastMoE: A Fast Mixture-of-Expert "
                  "Training System")
    preprint = Record(source="arxiv", role=PREPRINT, url="https://arxiv.org/abs/2103.13262v1",
                      title=entry.title, year=2021, work_type="preprint", arxiv="2103.13262",
                      retrieved="2026-01-03")
    merge(entry, found(preprint))
    assert (entry.venue, entry.year, entry.arxiv) == ("arXiv", 2021, "2103.13262")


def test_the_lists_bare_arxiv_tag_gives_way_to_the_published_venue() -> None:
    entry = listed(tag="arXiv preprint arXiv:2111.04007", venue="arXiv", year=2021,
                   arxiv="2111.04007")
    review = merge(entry, found(PREPRINT_RECORD, PUBLISHED_RECORD))
    assert (entry.venue, entry.year) == ("EuroSys", 2022)
    assert entry.provenance["venue"].note == "the list tags it arXiv; this is the published version"
    assert review.conflicts == []
    assert {n.field: n.publication_says for n in review.list_notes} == {"venue": "EuroSys'22"}


def test_a_venue_set_by_hand_is_never_replaced() -> None:
    entry = listed(venue="arXiv", year=2021)
    entry.provenance["venue"] = Provenance("https://example.org", "manual")
    review = merge(entry, found(PUBLISHED_RECORD))
    assert (entry.venue, entry.year) == ("arXiv", 2021)
    assert {c.field for c in review.conflicts} >= {"venue"}


@pytest.mark.parametrize("tag", ["ATC'21", "(ATC 2021)", "In USENIX ATC 2021"])
def test_where_the_list_is_wrong_it_is_corrected_and_reported_once(tag: str) -> None:
    entry = listed(title="Varuna: Scalable Training", tag=tag, venue="ATC", year=2021)
    review = merge(entry, found(PUBLISHED_RECORD))
    notes = {n.field: (n.list_says, n.publication_says) for n in review.list_notes}
    assert notes == {"title": ("Varuna: Scalable Training", TITLE),
                     "venue": (tag, "EuroSys'22"), "year": ("2021", "2022")}
    assert review.conflicts == []  # the catalog only repeated the list: one report suffices
    assert (entry.title, entry.venue, entry.year) == (TITLE, "EuroSys", 2022)
    assert entry.seed is not None and entry.seed.title == "Varuna: Scalable Training"
    assert entry.provenance["venue"].note == f"the list says {tag!r}; corrected from crossref"
    # `oflbib check --seed` shows the corrections, each once, however the tag is spelt.
    catalog = Catalog(sections=[Section("Papers", "papers.yaml", listings=[
        Listing(entry.key, entry.seed)])], entries={entry.key: entry})
    shown = {c.field: (c.list_says, c.publication_says) for c in seed_corrections(catalog)}
    assert shown == {"title": ("Varuna: Scalable Training", TITLE),
                     "venue": (tag, "EuroSys"), "year": ("2021", "2022")}
    assert not [f for f in lint(catalog) if "venue tag" in f.message]
    assert entry.provenance["title"].via == "crossref"


def test_a_hand_edited_value_that_disagrees_is_a_conflict_as_well() -> None:
    entry = listed(tag="ATC'21", year=2020, venue="ATC")
    review = merge(entry, found(PUBLISHED_RECORD))
    assert {c.field for c in review.conflicts} == {"year"}  # 2020 is not the list's 2021
    assert {n.field for n in review.list_notes} == {"venue", "year"}


def test_a_one_string_name_splits_where_someone_gave_its_parts() -> None:
    # dblp's `Suhas Jayaram Subramanya` cannot say where the family name starts; the
    # catalog (a person typed it) and Crossref's records (given and family apart) can.
    typed = Entry(key="other", kind="paper", title="Another paper",
                  authors=[Person("Jayaram Subramanya", "Suhas")])
    crossref = dataclasses.replace(PUBLISHED_RECORD, authors=(
        Person("Quintero Narváez", "Carlos Efraín"),))
    from_dblp = Entry(key="dblp", kind="paper", title="A third paper",
                      authors=[Person("Subramanya", "Suhas Jayaram")])
    from_dblp.provenance["authors"] = Provenance("https://dblp.org/rec/x", "dblp")
    record = Record(source="dblp", role=PUBLISHED, url="https://dblp.org/rec/conf/y",
                    title=TITLE, authors=tuple(map(person_from_name, (
                        "Suhas Jayaram Subramanya", "Carlos Efrain Quintero Narvaez",
                        "Wei Wang"))))
    names = known_names([typed, from_dblp], [crossref, record])
    entry = listed()
    merge(entry, found(record), names)
    assert entry.authors == [Person("Jayaram Subramanya", "Suhas"),
                             Person("Quintero Narvaez", "Carlos Efrain"),  # dblp's spelling
                             Person("Wang", "Wei")]
    assert merge(listed(), found(record)).changes[0].value.startswith("Subramanya, Suhas J")
    # Given two ways, a name is not known.
    assert known_names([typed, dataclasses.replace(typed, authors=[
        Person("Subramanya", "Suhas Jayaram")])], [record]) == {}

"""The exporters' shared view of an entry: its type, container, publisher, pages...

Every format derives its fields from `Record`, so the venue table, the type rules and
the page format are decided once, here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oflbib import links
from oflbib.model import Catalog, Entry, Listing, Person
from oflbib.text import clean_url, visible
from oflbib.venues import CONFERENCE, JOURNAL, PREPRINT, VENUES, canonical_publisher

# Which of a paper's links an export carries (`oflbib export --urls`). Software and
# lists are always located by their own link, whatever the choice.
URL_CHOICES = ("paper", "code", "both", "none")
DEFAULT_URLS = "both"

# Record.type values, format-neutral.
PROCEEDINGS_PAPER = "proceedings-paper"
JOURNAL_ARTICLE = "journal-article"
PREPRINT_PAPER = "preprint"
SOFTWARE = "software"
LIST = "list"
OTHER_PAPER = "paper"


@dataclass
class Record:
    key: str
    type: str
    title: str
    protect: list[str]
    authors: list[Person]
    year: int | None
    container: str | None
    publisher: str | None
    volume: str | None
    number: str | None
    first_page: str | None
    last_page: str | None
    doi: str | None
    arxiv: str | None
    arxiv_class: str | None
    # The locator link exported as the work's URL: a paper's landing page (none when
    # its DOI already links it), a software's or list's own page.
    url: str | None
    urls: list[str]
    # A paper's code repositories, exported in a labelled place ("Code: ..."), never
    # as the paper's URL.
    code_urls: list[str]
    series: str | None
    sections: list[str]
    organisation: str | None
    venue_short: str | None
    entry: Entry = field(repr=False)

    @property
    def pages(self) -> str | None:
        if self.first_page and self.last_page:
            return f"{self.first_page}-{self.last_page}"
        return self.first_page


@dataclass
class Group:
    """A section and the entries an output lists under its header."""

    section: str
    records: list[Record]


def split_pages(pages: str | None) -> tuple[str | None, str | None]:
    """`497--513`, `497-513`, `497–513`, `27` -> first and last page."""
    if not pages:
        return None, None
    # A part that is only invisible characters is no page (`12-\x00` is page 12).
    parts = [p for p in (visible(p) for p in re.split(r"--|-|\u2013|\u2014", pages)) if p]
    if len(parts) >= 2:
        return parts[0], parts[-1]
    return parts[0] if parts else None, None


def _type_of(entry: Entry) -> str:
    if entry.kind == "software":
        return SOFTWARE
    if entry.kind == "list":
        return LIST
    if entry.entry_type == "inproceedings":
        return PROCEEDINGS_PAPER
    if entry.entry_type == "article":
        return JOURNAL_ARTICLE
    if entry.entry_type == "misc":
        return PREPRINT_PAPER if entry.arxiv else OTHER_PAPER
    venue = VENUES.get(entry.venue or "")
    if venue is None:
        return PREPRINT_PAPER if entry.arxiv else OTHER_PAPER
    return {CONFERENCE: PROCEEDINGS_PAPER, JOURNAL: JOURNAL_ARTICLE,
            PREPRINT: PREPRINT_PAPER}[venue.kind]


def paper_links(entry: Entry, urls: str = DEFAULT_URLS) -> tuple[str | None, list[str]]:
    """(the paper's URL, its code links) as `urls` asks. The paper's URL is the first
    landing page among its links, else its arXiv abstract page, none when the DOI links
    the paper already; else a link of unknown kind."""
    if entry.kind != "paper":
        return (entry.urls[0] if entry.urls else None), []
    pages = [links.landing_page(u) for u in entry.urls if links.role(u) == links.PAPER]
    if entry.arxiv:
        pages.append(links.arxiv_abs(entry.arxiv))
    code = [u for u in entry.urls if links.role(u) == links.CODE]
    paper = pages[0] if pages and not entry.doi else None
    if not pages:  # a link of unknown kind: kept, as it may not be what the DOI links
        paper = next((u for u in entry.urls if links.role(u) == links.OTHER), None)
    return (paper if urls in ("paper", "both") else None,
            code if urls in ("code", "both") else [])


def to_record(entry: Entry, urls: str = DEFAULT_URLS) -> Record:
    venue = VENUES.get(entry.venue or "")
    kind = _type_of(entry)
    container = entry.container or (venue.container(entry.year) if venue else None)
    publisher = canonical_publisher(
        entry.publisher or (venue.publisher_for(entry.year) if venue else None))
    series = venue.series if venue and kind == PROCEEDINGS_PAPER else None
    if kind == PREPRINT_PAPER:
        container, publisher = None, "arXiv" if entry.arxiv else publisher
    authors = list(entry.authors)
    if not authors and entry.kind == "software" and entry.organisation:
        authors = [Person(literal=entry.organisation)]  # the organisation is the author
    first, last = split_pages(entry.pages)
    url, code = paper_links(entry, urls)
    return Record(
        key=entry.key, type=kind, title=entry.title, protect=entry.protect, authors=authors,
        year=entry.year, container=container, publisher=publisher, volume=entry.volume,
        number=entry.number, first_page=first, last_page=last, doi=entry.doi,
        arxiv=entry.arxiv, arxiv_class=entry.arxiv_class,
        url=url, urls=list(entry.urls), code_urls=code, series=series,
        sections=list(entry.sections), organisation=entry.organisation,
        venue_short=venue.short if venue else entry.venue, entry=entry,
    )


def _listed(catalog: Catalog, listing: Listing, urls: str, as_listed: bool) -> Record:
    """The record as this listing shows it; in the list itself (`as_listed`), with the
    list's own link when it gave one."""
    record = to_record(catalog.entries[listing.key], urls)
    if as_listed:
        own = [clean_url(u) for u in listing.seed.urls] if listing.seed else []
        record.url = next((u for u in own if u in record.urls),
                          record.urls[0] if record.urls else None)
    return record


def groups(catalog: Catalog, sections: list[str] | None = None,
           every_listing: bool = False, as_listed: bool = False,
           urls: str = DEFAULT_URLS) -> list[Group]:
    """Records grouped by section in list order. An entry listed in several sections
    appears once, under its first, unless `every_listing` (per-section files). Entries
    are where the catalog files them, and a paper a software entry asks to be cited by
    follows it; `as_listed` gives the list as it is instead (the Markdown export)."""
    out: list[Group] = []
    if every_listing or as_listed:
        wanted = {s.casefold() for s in sections} if sections else None
        filing = {} if as_listed else catalog.filing()
        for section in catalog.sections:
            if wanted is None or section.name.casefold() in wanted:
                records = []
                for listing in section.listings if as_listed else filing[section.name]:
                    records.append(_listed(catalog, listing, urls, as_listed))
                    records.extend(_cited(records[-1].entry, not as_listed, urls))
                out.append(Group(section.name, records))
        return out
    for section, entry in catalog.ordered(sections):
        if not out or out[-1].section != section.name:
            out.append(Group(section.name, []))
        out[-1].records.append(to_record(entry, urls))
        out[-1].records.extend(_cited(entry, not as_listed, urls))
    return out


def _cited(entry: Entry, wanted: bool, urls: str) -> list[Record]:
    return [to_record(entry.cite_as, urls)] if wanted and entry.cite_as else []

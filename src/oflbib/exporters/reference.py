"""The exporters' shared view of an entry: its type, container, publisher, pages...

Every format derives its fields from `Reference`, so the venue table, the type rules and
the page format are decided once, here. Fields the field table marks plain are read by
each writer straight off `reference.entry`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from oflbib import links
from oflbib.fields import TYPES
from oflbib.latex import needs_protection
from oflbib.model import Catalog, Entry, Listing, Person, Section
from oflbib.text import clean_url, fold_space, visible
from oflbib.venues import CONFERENCE, JOURNAL, PREPRINT_SERVER, VENUES, canonical_publisher

# Which of a paper's links an export carries (`oflbib export --urls`). Software and
# lists are always located by their own link, whatever the choice.
URL_CHOICES = ("paper", "code", "both", "none")
DEFAULT_URLS = "both"


@dataclass
class Reference:
    """An entry as the bibliographies print it: its type decided, its venue looked up."""

    key: str
    entry_type: str  # a row of fields.TYPES: the entry's own, or derived (`derived_type`)
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
    references: list[Reference]
    # The sections' names above it when the list nests it (`2024/IJCAI`: the list repeats
    # `IJCAI` under other years), for nested JabRef groups and Zotero sub-collections.
    parents: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """Its own name under its parents (`IJCAI`)."""
        return self.section[len("/".join(self.parents)) + 1:] if self.parents else self.section


def nesting(section: Section) -> tuple[str, ...]:
    """The parents a section's name gives (`2024/IJCAI` under heading `IJCAI` -> `2024`)."""
    heading = section.heading
    if not heading or section.name == heading or not section.name.endswith("/" + heading):
        return ()
    return tuple(section.name[: -len(heading) - 1].split("/"))


_PAGE_DASH = re.compile(r"--|-|\u2013|\u2014")


def split_pages(pages: str | None) -> tuple[str | None, str | None]:
    """`497--513`, `497-513`, `497–513`, `27` -> first and last page."""
    if not pages:
        return None, None
    # A part that is only invisible characters is no page (`12-\x00` is page 12).
    parts = [p for p in (visible(p) for p in _PAGE_DASH.split(pages)) if p]
    if len(parts) >= 2:
        return parts[0], parts[-1]
    return parts[0] if parts else None, None


def derived_type(entry: Entry) -> str:
    """The entry type (a row of fields.TYPES) as readers of each format should see it:
    the entry's own type, or one worked out from its kind, venue and arXiv id. A `misc`
    or `online` with an arXiv id and no venue reads as the preprint it is, and a type the
    table lacks as a `misc` (the BibTeX writers still write the type it was given)."""
    if entry.entry_type in TYPES and entry.entry_type not in ("misc", "online") or (
            entry.entry_type == "online" and not entry.arxiv):
        return entry.entry_type
    if entry.kind == "software":
        return "software"
    if entry.kind == "list":
        return "online"
    venue = VENUES.get(entry.venue or "")
    lacked = entry.entry_type is not None and entry.entry_type not in TYPES  # @nameonly
    if entry.entry_type == "misc" or lacked or venue is None:
        return "preprint" if entry.arxiv else "misc"
    return {CONFERENCE: "inproceedings", JOURNAL: "article",
            PREPRINT_SERVER: "preprint"}[venue.category]


def paper_links(entry: Entry, urls: str = DEFAULT_URLS) -> tuple[str | None, list[str]]:
    """(the paper's URL, its code links) as `urls` asks. The paper's URL is the first
    landing page among its links, else its arXiv abstract page, none when the DOI links
    the paper already; else a link of unknown kind."""
    if entry.kind != "paper":
        return (entry.urls[0] if entry.urls else None), []
    roles = [(u, links.role(u)) for u in entry.urls]
    pages = [links.landing_page(u) for u, role in roles if role == links.PAPER]
    if entry.arxiv:
        pages.append(links.arxiv_abs(entry.arxiv))
    code = [u for u, role in roles if role == links.CODE]
    paper = pages[0] if pages and not entry.doi else None
    if not pages:  # a link of unknown kind: kept, as it may not be what the DOI links
        paper = next((u for u, role in roles if role == links.OTHER), None)
    return (paper if urls in ("paper", "both") else None,
            code if urls in ("code", "both") else [])


def to_reference(entry: Entry, urls: str = DEFAULT_URLS) -> Reference:
    venue = VENUES.get(entry.venue or "")
    entry_type = derived_type(entry)
    container = entry.container or (venue.container(entry.year) if venue else None)
    publisher = canonical_publisher(
        entry.publisher or (venue.publisher_for(entry.year) if venue else None))
    series = entry.series or (
        venue.series if venue and entry_type == "inproceedings" else None)
    if entry_type == "preprint":
        container, publisher = None, "arXiv" if entry.arxiv else publisher
    authors = list(entry.authors)
    if not authors and entry.kind == "software" and entry.organisation:
        authors = [Person(literal=entry.organisation)]  # the organisation is the author
    first, last = split_pages(entry.pages)
    url, code = paper_links(entry, urls)
    return Reference(
        key=entry.key, entry_type=entry_type, title=entry.title, protect=entry.protect,
        authors=authors, year=entry.year, container=container, publisher=publisher,
        volume=entry.volume, number=entry.number, first_page=first, last_page=last,
        doi=entry.doi, arxiv=entry.arxiv, arxiv_class=entry.arxiv_class,
        url=url, urls=list(entry.urls), code_urls=code, series=series,
        sections=list(entry.sections), organisation=entry.organisation,
        venue_short=venue.short if venue else entry.venue, entry=entry,
    )


def title_protect(reference: Reference) -> list[str]:
    """The words of the title whose case styles must keep: the catalog's `protect`, and
    the list's one-word name for the paper where the title says it whole. Hyphenated words
    are otherwise judged part by part (Multi-{GPU}), which would print `megatron-LM` for a
    paper the list calls `Megatron-LM`."""
    entry = reference.entry
    name = entry.seed.title.strip() if entry.kind == "paper" and entry.seed \
        and entry.seed.title else ""
    if name and " " not in name and "-" in name and name not in reference.protect \
            and needs_protection(name, set()) and re.search(
                rf"(?<!\S){re.escape(name)}(?=[\s:,.;!?)]|$)", reference.title):
        return [*reference.protect, name]
    return reference.protect


def keywords(reference: Reference) -> list[str]:
    """The sections, then the entry's own keywords that they do not already say (read
    back from a .bib file, a section `A, B` or `A; B` comes back as the keywords A and B)."""
    own = reference.entry.keywords
    if not own:
        return list(dict.fromkeys(reference.sections))
    said = {_word(part) for section in reference.sections
            for part in re.split(r"[,;]", section)}
    return list(dict.fromkeys([*reference.sections, *(
        word for word in own if _word(word) not in said)]))


def _word(text: str) -> str:
    return unicodedata.normalize("NFC", fold_space(visible(text))).casefold()


def _listed(catalog: Catalog, listing: Listing, urls: str, as_listed: bool) -> Reference:
    """The reference as this listing shows it; in the list itself (`as_listed`), with the
    list's own link when it gave one."""
    reference = to_reference(catalog.entries[listing.key], urls)
    if as_listed:
        own = [clean_url(u) for u in listing.seed.urls] if listing.seed else []
        reference.url = next((u for u in own if u in reference.urls),
                             reference.urls[0] if reference.urls else None)
    return reference


def groups(catalog: Catalog, sections: list[str] | None = None,
           every_listing: bool = False, as_listed: bool = False,
           urls: str = DEFAULT_URLS) -> list[Group]:
    """References grouped by section in list order. An entry listed in several sections
    appears once, under its first, unless `every_listing` (per-section files). Entries
    are where the catalog files them, and a paper a software entry asks to be cited by
    follows it; `as_listed` gives the list as it is instead (the Markdown export)."""
    out: list[Group] = []
    if every_listing or as_listed:
        wanted = {s.casefold() for s in sections} if sections else None
        filing = {} if as_listed else catalog.filing()
        for section in catalog.sections:
            if wanted is None or section.name.casefold() in wanted:
                references = []
                for listing in section.listings if as_listed else filing[section.name]:
                    references.append(_listed(catalog, listing, urls, as_listed))
                    references.extend(_cited(references[-1].entry, not as_listed, urls))
                out.append(Group(section.name, references, nesting(section)))
        return out
    for section, entry in catalog.ordered(sections):
        if not out or out[-1].section != section.name:
            out.append(Group(section.name, [], nesting(section)))
        out[-1].references.append(to_reference(entry, urls))
        out[-1].references.extend(_cited(entry, not as_listed, urls))
    return out


def _cited(entry: Entry, wanted: bool, urls: str) -> list[Reference]:
    return [to_reference(entry.cite_as, urls)] if wanted and entry.cite_as else []

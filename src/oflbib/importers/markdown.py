"""Read an awesome-list in Markdown into the catalog model, and merge it into a catalog.

The parse is a pipeline of small named steps over the file's lines:
`logical_lines` (joins wrapped items) -> `classify` (heading, item, prose) ->
`parse_link_item` / `parse_software_item` -> `build_catalog`. `merge_into` then folds the
result into an existing catalog without losing keys, enrichment or hand edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from oflbib import keys
from oflbib.catalog import yamlfiles
from oflbib.catalog.store import new_section_file
from oflbib.errors import OflbibError, Problem
from oflbib.model import Block, Catalog, Entry, Listing, Section, Seed
from oflbib.text import clean_url, fold_space, norm_title, unique
from oflbib.venues import parse_venue_tag

LEADING_SECTION = "Frameworks"

# A closing run of `#` counts only after a space (CommonMark), so `### C#` keeps its `#`.
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_URL = re.compile(r"https?://[^\s)>\]]+")
# CommonMark: a backslash before ASCII punctuation makes it literal. The Markdown exporter
# escapes what would otherwise be read as markup: `]` ending the link text, `{}` of case
# protection, commas between a framework's name and organisation, a title's final period.
_ESCAPED = r"\\[!-/:-@\[-`{-~]"
# A title is literal characters, escapes, and `{...}` groups that mark case protection.
_TITLE_PIECE = re.compile(rf"{_ESCAPED}|\{{((?:{_ESCAPED}|[^{{}}\\])*)\}}|.", re.S)
_LINK_TEXT_END = re.compile(rf"{_ESCAPED}|\]\(")
_COMMA_FREE = re.compile(rf"(?:{_ESCAPED}|[^,\\]|\\)+")
_LIST_WORDS = re.compile(r"awe?some", re.I)


@dataclass
class Line:
    number: int  # 1-based line where the logical line starts
    text: str


@dataclass
class Item:
    line: int
    seed: Seed
    kind: str
    title: str
    protect: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    organisation: str | None = None
    venue: str | None = None
    year: int | None = None
    arxiv: str | None = None


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1/cp1252 (`Î»DNN` -> `λDNN`); nothing else is touched."""
    import ftfy

    return ftfy.fix_encoding(text)


def logical_lines(text: str) -> list[Line]:
    """Lines with lazy continuations (a wrapped list item) joined to their item."""
    out: list[Line] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        is_new = not stripped or _HEADING.match(stripped) or _BULLET.match(raw)
        if not is_new and out and _BULLET.match(out[-1].text) and out[-1].text.strip():
            out[-1].text = out[-1].text.rstrip() + "\n" + stripped
        else:
            out.append(Line(number, raw.rstrip()))
    return out


def unescape(text: str) -> str:
    return re.sub(_ESCAPED, lambda m: m.group()[1], text)


def clean_title(raw: str) -> tuple[str, list[str]]:
    """Title text and its case-protected words: `{GPU}` marks protection, it is not text;
    a final period is the list's punctuation unless escaped (`\\.`)."""
    pieces = list(_TITLE_PIECE.finditer(repair_mojibake(fold_space(raw))))
    protect = [unescape(m.group(1)).strip() for m in pieces if m.group(1) is not None]
    title = fold_space("".join(unescape(m.group(1)) if m.group(1) is not None
                               else unescape(m.group()) for m in pieces))
    if pieces and pieces[-1].group() == "." and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title, unique([word for word in protect if word])


def _locate(line: Line, offset: int) -> int:
    return line.number + line.text[:offset].count("\n")


def parse_link_item(line: Line, body: str, body_start: int, path: str) -> Item:
    """`[Title](url) TAG` -> an item; a malformed link is a located error."""
    close = next((m.start() for m in _LINK_TEXT_END.finditer(body) if m.group() == "]("), -1)
    if close < 0:
        raise OflbibError(Problem("unterminated link: expected `[Title](url)`", path,
                                  _locate(line, body_start)))
    end = body.find(")", close + 2)
    if end < 0:
        raise OflbibError(Problem("link URL is not closed with `)`", path,
                                  _locate(line, body_start + close)))
    raw_title = body[1:close]
    url = body[close + 2:end].strip()
    tag = fold_space(body[end + 1:])
    title, protect = clean_title(raw_title)
    if not title:  # also `[{}]` or `[.]`: markup with no text left
        raise OflbibError(Problem("link has no title", path, line.number))
    if url and not _URL.fullmatch(url):  # `[Title]()`: no link yet
        raise OflbibError(Problem(f"link URL {url!r} must start with http:// or https://",
                                  path, _locate(line, body_start + close)))
    urls = [url] if url else []
    seed = Seed(title=fold_space(raw_title), venue=tag or None, urls=urls)
    kind = "list" if _LIST_WORDS.search(title) or _LIST_WORDS.search(url) else "paper"
    item = Item(line.number, seed, kind, title, protect, [clean_url(u) for u in urls])
    if tag and kind == "paper":
        parsed = parse_venue_tag(tag)
        if parsed:
            item.venue, item.year, item.arxiv = parsed.venue, parsed.year, parsed.arxiv
    return item


def parse_software_item(line: Line, body: str) -> Item:
    """`Name, Organisation, url url` -> a software item."""
    urls = _URL.findall(body)
    head = body[: body.find(urls[0])]
    parts = [fold_space(p) for p in _COMMA_FREE.findall(head)]
    parts = [p for p in parts if p]
    name = repair_mojibake(unescape(parts[0])) if parts else urls[0]
    organisation = repair_mojibake(", ".join(unescape(p) for p in parts[1:])) \
        if len(parts) > 1 else None
    seed = Seed(title=parts[0] if parts else urls[0], urls=urls, organisation=organisation)
    return Item(line.number, seed, "software", name, [], unique([clean_url(u) for u in urls]),
                organisation=organisation)


@dataclass
class _Draft:
    """The document as parsed, before keys are given."""

    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    sections: dict[str, list[Item]] = field(default_factory=dict)
    headings: dict[str, str | None] = field(default_factory=dict)


def classify(lines: list[Line], path: str) -> _Draft:
    draft = _Draft()
    prose: list[str] = []
    pending: tuple[str, int] | None = None  # a heading not yet known to head a section
    current: str | None = None

    def flush_prose() -> None:
        while prose and not prose[-1]:
            prose.pop()
        if prose:
            draft.blocks.append(Block(prose="\n".join(prose)))
        prose.clear()

    def flush_heading() -> None:
        nonlocal pending
        if pending:
            draft.blocks.append(Block(heading=pending[0], level=pending[1]))
            pending = None

    for line in lines:
        stripped = line.text.strip()
        heading = _HEADING.match(stripped)
        if heading:
            flush_prose()
            flush_heading()
            level, text = len(heading.group(1)), fold_space(heading.group(2))
            if not text:
                raise OflbibError(Problem("heading has no text", path, line.number))
            if level == 1 and not draft.title:
                draft.title = text
                current = None
            else:
                pending = (text, level)
                current = None
            continue
        bullet = _BULLET.match(line.text)
        body = line.text[bullet.end():] if bullet else ""
        is_link = bullet and body.lstrip().startswith("[")
        is_software = bullet and not is_link and _URL.search(body)
        if is_link or is_software:
            flush_prose()
            if pending:
                current = pending[0]
                if current in draft.sections:
                    raise OflbibError(Problem(f"section '{current}' appears twice", path,
                                              line.number))
                draft.sections[current] = []
                draft.headings[current] = current
                draft.blocks.append(Block(section=current, heading=current, level=pending[1]))
                pending = None
            elif current is None:
                current = LEADING_SECTION
                if current not in draft.sections:
                    draft.sections[current] = []
                    draft.headings[current] = None
                    draft.blocks.append(Block(section=current, heading=None, level=2))
            if is_link:
                start = bullet.end() + (len(body) - len(body.lstrip()))
                item = parse_link_item(line, body.strip(), start, path)
            else:
                item = parse_software_item(line, body.strip())
            draft.sections[current].append(item)
            continue
        if stripped or prose:
            flush_heading()
            if current is not None and stripped:
                current = None  # prose ends a section; following items start a new block
            prose.append(fold_space(stripped) if not bullet else "- " + fold_space(body))
    flush_prose()
    flush_heading()
    return draft


def read_markdown(path: Path) -> _Draft:
    """Parse a Markdown list file; every problem is reported as `path:line: ...`."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise OflbibError(Problem(f"cannot read: {err.strerror}", str(path))) from None
    text = yamlfiles.decode(raw, str(path)).replace("\r\n", "\n").replace("\r", "\n")
    draft = classify(logical_lines(text), str(path))
    if not draft.sections:
        raise OflbibError(Problem("no list items found (expected `- [Title](url)` lines)",
                                  str(path), 1))
    return draft


# ---- merging into a catalog ------------------------------------------------------------

@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # the list's text changed
    vanished: list[tuple[str, str]] = field(default_factory=list)  # (section, key)


def _entry_from_item(item: Item, key: str) -> Entry:
    return Entry(key=key, kind=item.kind, title=item.title, urls=list(item.urls),
                 protect=list(item.protect), organisation=item.organisation,
                 venue=item.venue, year=item.year, arxiv=item.arxiv, seed=item.seed)


class _Unclaimed:
    """A section's listings from the last import, found again by the list's title or
    links: the first unclaimed one in list order, as a linear scan would, but through
    indexes, so re-importing a long list stays linear."""

    def __init__(self, listings: list[Listing]) -> None:
        self.listings = listings
        self.claimed: set[int] = set()
        self.by_title: dict[str, list[int]] = {}
        self.by_urls: dict[tuple[str, ...], list[int]] = {}
        for index, listing in enumerate(listings):
            if listing.seed is None:
                continue
            self.by_title.setdefault(norm_title(listing.seed.title), []).append(index)
            if listing.seed.urls:
                self.by_urls.setdefault(tuple(listing.seed.urls), []).append(index)

    def _first(self, indexes: list[int]) -> int | None:
        while indexes and indexes[0] in self.claimed:
            indexes.pop(0)
        return indexes[0] if indexes else None

    def claim(self, item: Item) -> Listing | None:
        found = [self._first(self.by_title.get(norm_title(item.seed.title), [])),
                 self._first(self.by_urls.get(tuple(item.seed.urls), []))]
        index = min((i for i in found if i is not None), default=None)
        if index is None:
            return None
        self.claimed.add(index)
        return self.listings[index]

    def rest(self) -> list[Listing]:
        return [lst for i, lst in enumerate(self.listings) if i not in self.claimed]


def merge_into(catalog: Catalog, draft: _Draft) -> ImportReport:
    """Fold a parsed list into `catalog` in place: keep what exists, add what is new,
    report (never delete) what vanished."""
    report = ImportReport()
    taken = catalog.keys_in_use()
    by_title: dict[str, str] = {}
    for entry in catalog.entries.values():
        by_title.setdefault(norm_title(entry.title), entry.key)
        if entry.seed:
            by_title.setdefault(norm_title(entry.seed.title), entry.key)
    old_sections = {s.name: s for s in catalog.sections}
    files = {s.file for s in catalog.sections}
    new_sections: list[Section] = []
    for name, items in draft.sections.items():
        old = old_sections.pop(name, None)
        section = Section(name=name, file=old.file if old else new_section_file(name, files),
                          heading=draft.headings[name])
        files.add(section.file)
        unclaimed = _Unclaimed(list(old.listings) if old else [])
        listed: set[str] = set()  # keys already listed in this section
        for item in items:
            match = unclaimed.claim(item)
            if match is not None:
                if match.seed != item.seed:
                    report.updated.append(match.key)
                    match.seed = item.seed
                section.listings.append(match)
                listed.add(match.key)
                continue
            known = by_title.get(norm_title(item.title))
            if known and known not in listed:
                section.listings.append(Listing(known, item.seed, home=False))
                listed.add(known)
                entry = catalog.entries[known]
                if entry.venue is None and item.venue:  # a later listing's tag fills a gap
                    entry.venue, entry.year = item.venue, entry.year or item.year
                entry.urls = unique(entry.urls + item.urls)
                continue
            entry = _entry_from_item(item, "")
            entry.key = keys.unique_key(keys.base_key(entry), taken)
            taken.add(entry.key)
            catalog.entries[entry.key] = entry
            by_title.setdefault(norm_title(item.title), entry.key)
            section.listings.append(Listing(entry.key, item.seed, home=True))
            listed.add(entry.key)
            report.added.append(entry.key)
        for listing in unclaimed.rest():  # vanished from the list: keep it where it was
            report.vanished.append((name, listing.key))
            section.listings.append(listing)
        new_sections.append(section)
    for old in old_sections.values():
        report.vanished.extend((old.name, lst.key) for lst in old.listings)
        new_sections.append(old)
        draft.blocks.append(Block(section=old.name, heading=old.heading, level=3))
    catalog.sections = new_sections
    catalog.blocks = draft.blocks
    catalog.title = draft.title or catalog.title
    _keep_one_home(catalog)
    catalog.refresh_sections()
    return report


def _keep_one_home(catalog: Catalog) -> None:
    """Every entry is defined in exactly one section file: its first listing."""
    homed: set[str] = set()
    for section in catalog.sections:
        for listing in section.listings:
            listing.home = listing.key not in homed
            homed.add(listing.key)

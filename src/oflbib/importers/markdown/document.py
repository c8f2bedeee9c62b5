"""Step 5: the blocks of a list -> sections of recognised items, the list's layout, a report.

Sections are the list's headings: an item belongs to the heading above it, items before
any heading but the list's title belong to the title, and a heading that the list repeats
under different parents (`2023 / IJCAI`, `2024 / IJCAI`) is named with its parent
(`2024/IJCAI`), so every section keeps a name the list itself gives. Prose between items
does not end a section.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from oflbib.errors import Problem
from oflbib.importers.markdown.blocks import (MAX_ITEM_CHARS, Heading, ListItem, ProseLine,
                                              Skipped, TableBlock, Unit, split_blocks)
from oflbib.importers.markdown.inline import (outside_links, plain_text, scan_links,
                                              without_urls)
from oflbib.importers.markdown.items import Context, Item, Skip, recognise, recognise_row
from oflbib.importers.markdown.links import is_label, label_says, link_kind
from oflbib.importers.markdown.tables import aligned, column_roles
from oflbib.model import Block
from oflbib.text import clean_url, fold_space, unique
from oflbib.venues import find_venue

_REFERENCE = re.compile(r"^ {0,3}\[([^\]]{1,200})\]:\s*<?(\S+?)>?(?:\s.*)?$")
_YEAR_HEADING = re.compile(r"^(?:19|20)\d{2}$")
# In a heading, not its text: `[[Program]](url)` and `([back to top](#list))`.
_LABEL_LINK = re.compile(r"\[\[[^\[\]]{1,40}\]\]\([^()\s]*\)|"
                         r"\(?\[[^\[\]]{1,40}\]\(#[^()\s]*\)\)?")
_LABELLED_NOTE = re.compile(r"^\s*\w+(?: \w+)?:")  # `Summary: ...`, `Key idea: ...`
_EMPHASIS = re.compile(r"^\*{1,3}[^*\s]")  # a paragraph that starts in bold or italics
_LEADING_IMAGES = re.compile(r"^(?:!\[[^\[\]]*\]\([^()\s]*\)[ \t]*)+")
_LEADING_TAG = re.compile(r"^\[[^\[\]]{1,40}\](?![(\[])[ \t]*")
_HEADING_NOISE = re.compile(r"\([^()]*\)|\b(?:19|20)\d{2}\b|['\u2019]\d{2}\b")
# A heading that names papers, or (when it names no paper) things that are not papers. A
# word that is also a research topic (`Video`, `Applications`, `Models`, `Datasets`,
# `Frameworks`, `Resource Management`, `Post-training`) names neither.
_PAPER_HEADING = re.compile(r"\b(?:papers?|publications?|surveys?|reviews?|readings?|"
                            r"preprints?|proceedings)\b", re.I)
_OTHER_HEADING = re.compile(
    r"\b(?:tutorials?|courses?|lectures?|books?|blogs?|posts|articles?|talks?|"
    r"presentations?|videos|podcasts?|tools?|toolkits?|librar(?:y|ies)|leaderboards?|"
    r"repositor(?:y|ies)|repos|projects|websites?|communit(?:y|ies)|people|researchers?|"
    r"thoughts|introduction|about|contact|authors?|contribut\w*|news|citations?|cite|"
    r"acknowledge?ments?|licen[cs]e|recruitment|workshops|special issues?|"
    r"special tracks?|open[- ]?sources?|competitions?)\b", re.I)
# `Reading Lists`, `Other Paper Lists`, `Awesome Lists`: lists of lists, whatever else the
# heading says.
_LISTS_HEADING = re.compile(r"\blists\b", re.I)


def _says_papers(text: str) -> bool | None:
    """Whether a heading names papers (True), other things (False), or neither (None)."""
    if _LISTS_HEADING.search(text):
        return False
    if _PAPER_HEADING.search(text):
        return True
    return False if _OTHER_HEADING.search(text) else None


@dataclass
class Note:
    """One line of the import report: what a line of the list was read as."""

    line: int
    what: str  # paper | software | list | skipped | problem
    detail: str

    def __str__(self) -> str:
        return f"{self.line}: {self.what}: {self.detail}"


@dataclass
class Draft:
    """The list as parsed, before keys are given."""

    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    sections: dict[str, list[Item]] = field(default_factory=dict)
    headings: dict[str, str | None] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(len(items) for items in self.sections.values())


def heading_text(raw: str) -> str:
    """A heading as the reader sees it: badges, link targets, label and back-to-top links
    and bare URLs left out."""
    text = plain_text(_LABEL_LINK.sub("", raw)) or plain_text(raw)  # `## [Models](#top)`
    bare = without_urls(text)
    return fold_space(bare).strip(" -:\u2013\u2014") if bare != text else text


def heading_context(path: list[str]) -> Context:
    """The year and venue the enclosing headings name (`### 2023`, `#### IJCAI`,
    `### NeurIPS 2021 (32 Papers)`); a long heading that merely mentions a venue names
    none."""
    year: int | None = None
    venue: str | None = None
    papers = next((said for text in reversed(path)
                   if (said := _says_papers(text)) is not None), True)
    for text in reversed(path):
        if year is None and _YEAR_HEADING.match(text):
            year = int(text)
            continue
        if len(_HEADING_NOISE.sub(" ", text).split()) > 3:
            continue
        tag = find_venue(text)
        if tag and tag.venue != "arXiv":
            venue = venue or tag.venue
            year = year or tag.year
    return Context(year, venue, papers)


def _section_names(headings: list[tuple[int, str]], title_index: int | None) -> list[str]:
    """The section name of each heading: its text, or when the list repeats that text,
    its text under as many parents as it takes to tell the repeats apart."""
    paths: list[tuple[str, ...]] = []
    stack: list[tuple[int, str]] = []
    for index, (level, text) in enumerate(headings):
        if index == title_index or not text:
            paths.append((text,))
            stack = [] if index == title_index else stack
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        paths.append(tuple(t for _, t in stack))
    suffixes = Counter(tuple(s.casefold() for s in path[-k:])
                       for path in paths for k in range(1, len(path) + 1))
    names = []
    for path in paths:
        k = 1
        while k < len(path) and suffixes[tuple(s.casefold() for s in path[-k:])] > 1:
            k += 1
        names.append("/".join(path[-k:]))
    return names


class _Reader:
    """Walks the blocks once, keeping the heading path, the prose and the layout."""

    def __init__(self, path: str, default_title: str) -> None:
        self.path = path
        self.draft = Draft()
        self.default_title = default_title
        self.prose: list[str] = []
        self.stack: list[tuple[int, str]] = []
        self.context = Context()
        self.current: str | None = None  # section name of the heading above
        self.heading_block: Block | None = None
        self.references: dict[str, str] = {}
        self.last_item: tuple[int, Item] | None = None  # (indent, item) for nested links
        # A paragraph that is only an emphasised title (badges aside), which the byline
        # paragraph after it may complete: (line, text, blank lines since).
        self.pending: tuple[int, str, int] | None = None

    # -- layout --------------------------------------------------------------------------
    def flush_prose(self) -> None:
        while self.prose and not self.prose[-1]:
            self.prose.pop()
        if self.prose:
            self.draft.blocks.append(Block(prose="\n".join(self.prose)))
        self.prose.clear()

    def add_prose(self, text: str) -> None:
        if text or self.prose:
            self.prose.append(text)

    def note(self, line: int, what: str, detail: str) -> None:
        self.draft.notes.append(Note(line, what, detail))

    # -- headings ------------------------------------------------------------------------
    def heading(self, unit: Heading, name: str, is_title: bool) -> None:
        self.flush_prose()
        text = heading_text(unit.text)
        self.last_item = None
        if is_title:
            self.draft.title = text
            self.current, self.heading_block, self.stack = None, None, []
            self.context = Context()
            self.note(unit.line, "heading", f"list title '{text}'")
            return
        while self.stack and self.stack[-1][0] >= unit.level:
            self.stack.pop()
        self.stack.append((unit.level, text))
        self.context = heading_context([t for _, t in self.stack])
        self.current = name
        self.heading_block = Block(heading=text, level=unit.level)
        self.draft.blocks.append(self.heading_block)
        self.note(unit.line, "heading", f"section '{name}'")

    def section_for_item(self) -> str:
        """The section the next item goes to, created (in the layout too) on first use."""
        if self.current is None:  # before any heading but the title: the title's section
            name = self.draft.title or self.default_title
            if name not in self.draft.sections:
                self.draft.sections[name] = []
                self.draft.headings[name] = None
                self.draft.blocks.append(Block(section=name, heading=None, level=2))
            self.current = name
            return name
        name = self.current
        if name not in self.draft.sections:
            self.draft.sections[name] = []
            block = self.heading_block
            self.draft.headings[name] = block.heading if block else None
            if block is not None:
                block.section = name
        return name

    # -- entries -------------------------------------------------------------------------
    def entry(self, found: Item | Skip, indent: int, prose_text: str) -> None:
        if isinstance(found, Item):
            self.flush_prose()
            self.draft.sections[self.section_for_item()].append(found)
            self.last_item = (indent, found)
            venue = found.venue or found.container or "-"
            self.note(found.line, found.kind,
                      f"\"{found.title}\" venue={venue} year={found.year or '-'} "
                      f"links={','.join(found.links) or '-'}")
            return
        if found.problem is not None:
            self.draft.problems.append(found.problem)
            self.note(found.line, "problem", found.why)
        else:
            self.note(found.line, "skipped", found.why)
        if prose_text:
            self.add_prose(prose_text)

    def _under_last_item(self, unit: ListItem) -> bool:
        """The item is nested in the item above: indented past its marker. One column
        more is not enough (` * X` under `* Y` is Y's sibling, as GitHub shows it)."""
        if self.last_item is None:
            return False
        above = self.last_item[0]
        return unit.indent > above and (above < 0 or unit.indent >= above + 2)

    def _links_for_item_above(self, unit: ListItem) -> bool:
        """`  - [code](url)` nested under a paper: the links belong to that paper."""
        if not self._under_last_item(unit):
            return False
        links = scan_links(unit.text)
        shown = [link for link in links if not link.image and not link.badge]
        if not shown or plain_text(outside_links(unit.text, links)) \
                or not all(is_label(link.label) for link in shown):
            return False
        urls = [link.url for link in shown if link_kind(link.url) not in
                ("anchor", "image", "mail", "other")]
        item = self.last_item[1]
        item.seed.urls = unique(item.seed.urls + urls)
        item.urls = unique(item.urls + [clean_url(u) for u in urls])
        self.note(unit.line, "links", f"added to the item of line {item.line}")
        return True

    def _detail_of_item_above(self, unit: ListItem) -> bool:
        """`  - A. Author, B. Author` or `  - Summary: ...` nested under an entry, with no
        title link of its own: a note on that entry (its authors, venue, summary), not
        an entry."""
        if not self._under_last_item(unit):
            return False
        links = [link for link in scan_links(unit.text, self.references)
                 if not link.image and not link.badge]
        if any(not is_label(link.label) for link in links):
            return False
        item = self.last_item[1]
        text = plain_text(outside_links(unit.text, links))
        tag = None if _LABELLED_NOTE.match(text) else find_venue(text)
        if item.venue is None and tag and tag.venue and tag.year:
            item.venue, item.year = tag.venue, item.year or tag.year
            self.note(unit.line, "venue", f"{tag.venue} {tag.year} of the item of line {item.line}")
        else:
            self.note(unit.line, "skipped", f"detail of the item of line {item.line}")
        return True

    def list_item(self, unit: ListItem) -> None:
        if self._links_for_item_above(unit) or self._detail_of_item_above(unit):
            return
        if unit.truncated:
            found: Item | Skip = Skip(unit.line, f"longer than {MAX_ITEM_CHARS} characters: "
                                                 "not a paper line")
        else:
            found = recognise(unit.text, unit.line, self.path, self.context, self.references)
        self.entry(found, unit.indent, "- " + fold_space(unit.text))

    def drop_pending(self) -> None:
        """The emphasised paragraph held back was prose after all."""
        if self.pending is not None:
            _, text, blanks = self.pending
            self.pending = None
            self.add_prose(fold_space(text))
            for _ in range(blanks):
                self.add_prose("")

    def prose_line(self, unit: ProseLine) -> None:
        stripped = unit.text.strip()
        if not stripped:
            if self.pending is not None:
                line, text, blanks = self.pending
                self.pending = (line, text, blanks + 1)
            else:
                self.add_prose("")
            return
        if _REFERENCE.match(stripped):
            self.note(unit.line, "skipped", "link reference definition")
            return
        if stripped.startswith(("[", "**[", "*[")) and not stripped.startswith("[!"):
            # `**DNABERT**` then, on the next line, `[[github](..)][[paper](..)]`: the
            # links of the title held back.
            if self.pending is not None and self._emphasised_paper(unit.line, stripped, False):
                return
            if _only_labels(stripped, self.references):
                self.note(unit.line, "skipped", "links without a title")
                return
            found = recognise(stripped, unit.line, self.path, self.context, self.references)
            if isinstance(found, Item) or found.problem is not None:
                self.drop_pending()
                self.entry(found, -1, fold_space(stripped))
                return
        titled = _LEADING_IMAGES.sub("", stripped)  # `![](badge) **Title**`
        lead = _LEADING_TAG.sub("", titled)  # `[GSUM] **Title**`
        if _EMPHASIS.match(lead) \
                and self._emphasised_paper(unit.line, titled, lead.startswith("**")):
            return
        self.drop_pending()
        self.add_prose(fold_space(stripped))

    def _emphasised_paper(self, line: int, text: str, bold: bool) -> bool:
        """A paragraph that starts with an emphasised title, as lists without bullets
        write papers: `**Title**. *A. Author, B. Author*. NAACL 2018. [[pdf](url)]`, or
        the title alone (`**Title** ![badge](..)`) with the byline as the next paragraph
        (`*A. Author. VLDB, 2009.* [[paper](url)]`). It is a paper when it has links, only
        labels (`pdf`, `paper`, `link`), and says its year, venue or authors or links the
        paper itself (`[[paper](..)]`, `[pdf]`); prose that starts in bold
        (`**Note**: see [here](..)`) is none."""
        links = [link for link in scan_links(text, self.references)
                 if not link.image and not link.badge]
        if not links:
            if self.pending is None and bold \
                    and not plain_text(outside_links(text, scan_links(text))).endswith(":"):
                self.pending = (line, text, 0)
                return True
            return False
        if not all(is_label(link.label) for link in links):
            return False
        pending = self.pending
        if pending is not None and not bold:
            line, text = pending[0], f"{pending[1]} {text}"
        found = recognise(text, line, self.path, self.context, self.references)
        its_paper = any(label_says(link.label) == "paper" for link in links)
        if not isinstance(found, Item) or found.kind != "paper" \
                or not (found.year or found.venue or found.authors or its_paper):
            return False
        if pending is not None and line != pending[0]:
            self.drop_pending()
        self.pending = None
        self.entry(found, -1, fold_space(text))
        return True

    def table(self, unit: TableBlock) -> None:
        roles = column_roles(unit.table.header)
        if "title" not in roles:
            self.note(unit.line, "skipped", "table without a title column")
            return
        self.note(unit.line, "table", "columns " + ", ".join(
            f"{role.rstrip('0123456789')}={unit.table.header[i]!r}"
            for role, i in roles.items()))
        for cells, line in zip(unit.table.rows, unit.table.row_lines):
            self.entry(recognise_row(aligned(cells, unit.table.header), roles, line,
                                     self.path, self.context, self.references), -1, "")


def _only_labels(text: str, references: dict[str, str]) -> bool:
    """A line of links that only name their kind (`[[code](..)] [[docs](..)]`): no title
    of its own, so no entry (the links of the line above, written on a line of their own)."""
    links = [link for link in scan_links(text, references) if not link.image]
    return bool(links) and all(is_label(link.label) for link in links) \
        and not plain_text(outside_links(text, links)).strip(" .,;:|-()[]")


def read_units(units: list[Unit], path: str, default_title: str) -> Draft:
    headings = [(u.level, heading_text(u.text)) for u in units if isinstance(u, Heading)]
    title_index = next((i for i, (level, text) in enumerate(headings)
                        if level == 1 and text), None)
    names = _section_names(headings, title_index)
    reader = _Reader(path, default_title)
    reader.references = {m.group(1).casefold(): m.group(2) for u in units
                         if isinstance(u, ProseLine) and (m := _REFERENCE.match(u.text.strip()))}
    heading_index = 0
    for unit in units:
        if not isinstance(unit, ProseLine):
            reader.drop_pending()
        if isinstance(unit, Heading):
            index = heading_index
            heading_index += 1
            if not headings[index][1]:
                reader.note(unit.line, "skipped", "heading with no text")
                continue
            reader.heading(unit, names[index], index == title_index)
        elif isinstance(unit, ListItem):
            reader.list_item(unit)
        elif isinstance(unit, TableBlock):
            reader.table(unit)
        elif isinstance(unit, ProseLine):
            reader.prose_line(unit)
        elif isinstance(unit, Skipped):
            reader.note(unit.line, "skipped", unit.why)
    reader.drop_pending()
    reader.flush_prose()
    return reader.draft


def parse_markdown(text: str, path: str, default_title: str,
                   progress: Callable[[int], None] | None = None) -> Draft:
    """The list's text -> a `Draft`: sections of items, layout, report, problems."""
    return read_units(list(split_blocks(text, progress)), path, default_title)

"""Step 4: recognise one list item (or table row): its title, venue, year, authors and links.

`recognise` takes an item's Markdown and returns an `Item`, or a `Skip` saying why the
item is not an entry (a table-of-contents link, a badge, prose). The shapes it reads:

- the seed's `[Title](url) NSDI'23` and `Name, Organisation, url url` framework lines;
- a title as text, bold or italic before its links: `Title. [[PUB](url)] [[CODE](url)]`;
- a venue tag before or after the title in brackets, parentheses or bold: `[OSDI'24]`,
  `(NSDI 2023)`, `**MLSys '21**`, `In Proc. of SC 2021`;
- author text: `Title. A. Author, B. Author. Venue 2021.`
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oflbib.errors import Problem
from oflbib.importers.markdown.inline import (Link, bare_urls, markup_free, outside_links,
                                              plain_text, scan_links, url_runs)
from oflbib.importers.markdown.links import arxiv_id, doi_of, is_label, label_says, link_kind
from oflbib.links import CODE, PAPER
from oflbib.links import role as host_role
from oflbib.model import Person, Provenance, Seed
from oflbib.text import (MARKDOWN_ESCAPE, clean_title, clean_url, fold_space,
                         repair_mojibake, unescape, unique)
from oflbib.venues import VenueTag, arxiv_year, find_venue, lookup_venue, parse_venue_tag

_COMMA_FREE = re.compile(rf"(?:{MARKDOWN_ESCAPE}|[^,\\]|\\)+")
_LIST_WORDS = re.compile(r"awe?some", re.I)
_YEAR = re.compile(r"(?<![\d.])(19[5-9]\d|20[0-4]\d)(?![\d.]\d)")
# A sentence ends at `. ` unless the period ends an initial (`A. Author`) or `et al.`.
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\bal)(?<!\bet)(?<!\bvs)(?<!\bProc)(?<!\bno)"
                           r"\.\s+(?=\S)")
_BRACKETED = re.compile(r"^\s*(?:\[([^\[\]]{1,60})\]|\(([^()]{1,60})\)|\*\*([^*]{1,60})\*\*)"
                        r"\s*[:\-\u2013\u2014]?\s*")
# A bracketed tag in bold before the title: `**[Card, Query-based]** A. Author: Title.`
_BOLD_TAG = re.compile(r"^\*\*\[[^\[\]]{1,60}\]\*\*")
# dblp's citation: the authors, a colon, the title (`A. Author, B. Author: Title. VLDB 2020`);
# two names at least, so that `BERT: Pre-training ...` keeps its title.
_AUTHORS_COLON = re.compile(r"^([^:()\[\]]{3,400}?):\s+(?=\S)")
_YEAR_THEN_AUTHORS = re.compile(r"\(((?:19|20)\d{2})\),?\s+([^()]{1,120})$")
_TRAILING_TAG = re.compile(r"(?:\[([^\[\]]{1,60})\]|\(([^()]{1,60})\)|\*\*([^*]{1,60})\*\*)"
                           r"\s*\.?\s*$")
# A quoted title: "...", “...”, or CJK title marks 《...》.
_QUOTED = re.compile(r"[\"\u201c\u300a]([^\"\u201c\u201d\u300a\u300b]{8,400})[\"\u201d\u300b]")
_BOLD = re.compile(r"\*\*([^*]{4,400})\*\*|__([^_]{4,400})__|"
                   r"(?<![*\w])\*([^*\s][^*]{3,400})\*(?![*\w])|(?<!\w)_([^_\s][^_]{3,400})_(?!\w)")
_NAME = re.compile(r"^(?:[A-Z][\w'\u2019-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*|van|von|de|der|da|di|"
                   r"del|la|le)$", re.U)
_LOWER_NAME = re.compile(r"^[^\W\d_][^\W\d_'\u2019.-]*$")
_AUTHOR_SPLIT = re.compile(r"[,;&\u00b7]|\band\b")  # parts are stripped: no `\s*` to backtrack
# A web link, an anchor or a relative path; another scheme (`ftp:`, `javascript:`) is not.
_DATE = re.compile(r"^(?:19|20)\d{2}(?:[-/.]\d{1,2}){0,2}$")
_VENUE_WORDS = re.compile(r"\b(?:Journal|Transactions|Proceedings|Conference|Workshop|"
                          r"Symposium|Magazine|Letters)\b")
# `AISTAT 2017`, `IPDPS'19`: a venue the table may not know, by its shape.
_ACRONYM_YEAR = re.compile(r"^[A-Z][A-Za-z/]*[A-Z][A-Za-z/-]*\s?(?:['\u2019]\d{2}|(?:19|20)\d{2})$")
_USABLE_URL = re.compile(r"^(?:https?://|#|(?![a-z][a-z0-9+.-]*:))", re.I)
# `(*) Title`, `🔥🔥 Title`: the list's must-read marks.
_LEADING_JUNK = re.compile(r"^(?:\(\*+\)|\*+|[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f]+)\s*(?=\S)")


@dataclass
class Item:
    """One recognised entry of the list, with the list's own text kept in `seed`."""

    line: int
    seed: Seed
    kind: str
    title: str
    protect: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    organisation: str | None = None
    venue: str | None = None
    container: str | None = None
    year: int | None = None
    arxiv: str | None = None
    # The DOI a link names: it finds the entry again on re-import, but is not the entry's
    # own until a resolver has checked that the work it names is this paper.
    doi: str | None = None
    authors: list[Person] = field(default_factory=list)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # link kinds, for the report


@dataclass
class Skip:
    line: int
    why: str
    problem: Problem | None = None  # a would-be entry that is malformed


@dataclass(frozen=True)
class Context:
    """What the headings above an item say: `### 2023`, `#### IJCAI`, `## NeurIPS 2021`,
    `## Tutorials and Courses`."""

    year: int | None = None
    venue: str | None = None
    # False under a heading that names what is not papers (tutorials, tools, people): an
    # item there is a paper only when it shows one (a paper link or an identifier).
    papers: bool = True


# ---- titles --------------------------------------------------------------------------------

def _tag_in(match: re.Match[str] | None) -> VenueTag | None:
    if match is None:
        return None
    return _venue_mention(next(g for g in match.groups() if g is not None))


def _venue_mention(text: str) -> VenueTag | None:
    """The venue the text names, or for `CIDR'21`, `ESEC/FSE 2020` (a venue the table
    lacks, known by its shape) only the year."""
    known = find_venue(text)
    tag = text.strip(" []().,")
    if known is None and _ACRONYM_YEAR.match(tag):
        digits = tag[-4:] if tag[-4:].isdigit() else tag[-2:]
        return VenueTag(None, int(digits) if len(digits) == 4 else 2000 + int(digits))
    return known


def _is_aside(match: re.Match[str]) -> bool:
    """A trailing `[Sep 2024]`, `(2021)` or `(@Org)`: a date or a credit, not title."""
    inner = next(g for g in match.groups() if g is not None).strip()
    return inner.startswith("@") or (bool(_YEAR.search(inner)) and len(inner.split()) <= 4)


def _strip_bare_tag(title: str) -> tuple[str, VenueTag | None]:
    """`Title NSDI'23` or `Title ICML 2020`: a venue tag as the title's last words."""
    words = title.rstrip(" ,;.").split()
    for count in (1, 2, 3):
        if len(words) <= count + 1:
            break
        tail = " ".join(words[-count:]).strip(" ,;.()[]")
        tag = parse_venue_tag(tail)
        if tag is None and count > 1 and _YEAR.fullmatch(words[-1].strip("().,")):
            tag = find_venue(tail)
            tag = tag if tag and tag.year else None
        if tag:
            return " ".join(words[:-count]).rstrip(" ,;"), tag
    return title, None


def strip_tags(title: str) -> tuple[str, VenueTag | None]:
    """A venue tag written before or after the title (`[OSDI'24] Title`, `Title (NSDI
    2023)`, `NeurIPS 2020 submission: Title`) and trailing sentences of metadata
    (`Title. ICLR 2020. 2020-02-14`) are taken out of it; the tag is returned."""
    title = _ENUMERATION.sub("", _LEADING_JUNK.sub("", title))
    leading = _BRACKETED.match(title)
    tag = _tag_in(leading)
    dated = next((g.strip() for g in leading.groups() if g), "") if leading else ""
    if not tag and _DATE.match(dated) and leading.end() < len(title):
        tag = VenueTag(None, int(dated[:4]))  # `(2019-12) Title`: when it appeared
    if leading and (tag or (leading.group(1) and leading.end() < len(title))):
        title = title[leading.end():]  # `[Venue 2024] Title`: no title starts with a tag
    head, colon, tail = title.partition(": ")
    if colon and len(head.split()) <= 4 and tail.strip():
        mention = find_venue(head)
        if mention and mention.year and not re.search(r"submi|review", head, re.I):
            title, tag = tail, tag or mention
        elif mention and mention.year:
            title = tail
    cited = _YEAR_THEN_AUTHORS.search(title)  # `Mask R-CNN (2017), K. He et al.`
    if cited and cited.start() > 0 and ("et al" in cited.group(2)
                                        or parse_authors(cited.group(2))):
        title, tag = title[:cited.start()].rstrip(), tag or VenueTag(None, int(cited.group(1)))
    for _ in range(3):  # `Title (@Org) [Sep 2024]`: a few trailing asides at most
        trailing = _TRAILING_TAG.search(title)
        found = _tag_in(trailing)
        if not (trailing and trailing.start() > 0 and (found or _is_aside(trailing))):
            break
        aside = _YEAR.search(next(g for g in trailing.groups() if g is not None))
        title = title[:trailing.start()].rstrip()
        tag = tag or found or (VenueTag(None, int(aside.group(1))) if aside else None)
    title, bare_tag = _strip_bare_tag(title)
    tag = tag or bare_tag
    sentences = _SENTENCE_END.split(title)[-4:]  # a few trailing sentences at most
    while len(sentences) > 1 and _is_metadata(sentences[-1], strict=True):
        tag = tag or find_venue(sentences[-1])
        title = title[: title.rfind(sentences[-1])].rstrip()
        sentences.pop()
    return _LEADING_JUNK.sub("", title.strip()), tag


# ---- authors -------------------------------------------------------------------------------

def parse_authors(text: str, capitalised: bool = True) -> list[Person] | None:
    """`A. Author, B. Author and C. Author` -> people; None unless every part reads as a
    name (two to five capitalised words or initials), so prose is never taken for authors.
    Where the layout already says the text is a byline, names written in lower case count
    too (`capitalised=False`)."""
    text = re.sub(r"\bet al\.?", "", fold_space(text)).strip(" .,;")
    parts = [p.strip() for p in _AUTHOR_SPLIT.split(text) if p.strip()]
    if not parts:
        return None
    people = []
    for part in parts:
        words = part.split()
        if not 2 <= len(words) <= 5 or not all(
                _NAME.match(w) or (not capitalised and _LOWER_NAME.match(w)) for w in words):
            return None
        people.append(Person(family=words[-1], given=" ".join(words[:-1])))
    return people


# ---- the item ------------------------------------------------------------------------------

def _software(line: int, body: str, urls: list[str]) -> Item:
    """`Name, Organisation, url url` -> a software item."""
    head = body[: body.find(urls[0])]
    parts = [fold_space(p) for p in _COMMA_FREE.findall(head)]
    parts = [p for p in parts if p]
    name = repair_mojibake(unescape(parts[0])) if parts else urls[0]
    organisation = repair_mojibake(", ".join(unescape(p) for p in parts[1:])) \
        if len(parts) > 1 else None
    seed = Seed(title=parts[0] if parts else urls[0], urls=urls, organisation=organisation)
    return Item(line, seed, "software", name, [], unique([clean_url(u) for u in urls]),
                organisation=organisation, links=["code"] * len(urls))


def _malformed_link(text: str, links: list[Link], line: int, path: str) -> Skip | None:
    """An item that starts as a `[Title](url)` link but is broken: a located problem."""
    if not text.startswith("[") or text.startswith(("[!", "[[")):
        return None
    if links and links[0].start == 0:
        first = links[0]
        if first.badge or clean_title(markup_free(first.label))[0]:
            return None
        message = "link has no title"
    elif "](" not in text and re.search(r"\(\s*https?://", text):
        message = "unterminated link: expected `[Title](url)`"
    elif "](" in text and text.find(")", text.find("](")) < 0:
        message = "link URL is not closed with `)`"
    else:
        return None
    return Skip(line, message, Problem(message, path, line))


# A badge's target is the item's own link when it is a paper or code page, not a web page
# (a badge linking to the awesome-list's site says nothing about the item).
_BADGE_TARGETS = frozenset({"arxiv", "doi", "openreview", "usenix", "code"})
# A longer text is read as a title, whatever it links to (CJK titles have no spaces).
_NAME_WORDS, _NAME_CHARS = 3, 40
_WEB_NAME_WORDS = 2  # a name (a person, a site) linked to a page that is not code
_SUBTITLE = re.compile(r"^(?:\*\*|__|[*_])?\s*:\s+(?=\S)")  # `[Name](url)**: Subtitle`
_DATED_NOTE = re.compile(r"^\W{0,4}(?:19|20)\d{2}[-/.]\d{1,2}(?:[-/.]\d{1,2})?\b")
# A list's own numbering inside the title: `01.Noise-contrastive...`, `12. Title` (not
# `1.5-bit ...`).
_ENUMERATION = re.compile(r"^(?:0\d|[1-9]\d{0,2}(?=\.(?:\s|[A-Za-z])))\.\s?(?=\S)")
_TRAILING_EMPHASIS = re.compile(r"(\*{1,2}|_{1,2})([^*_]{3,1000})\1$")
# An author-date byline: `McMahan, B., et al. (2017).`, `Shokri, R. (2015, October).`
_AUTHOR_DATE = re.compile(r"\((?:19|20)\d{2}[a-z]?(?:, [^()]{1,20})?\)\.?$")
_AUTHOR_DATE_OPENING = re.compile(r"^[^()]{3,600}? \((?:19|20)\d{2}[a-z]?(?:, [^()]{1,20})?\)\. ")
_EDITIONS = re.compile(r"^[\s,;.&/()\u2013-]*(?:(?:19|20)\d{2}[\s,;.&/()\u2013-]*)*$")
_LEADING_SPACE = re.compile(r"^[ \t]+(?=\S)")
_PDF = re.compile(r"\.pdf(?:[?#]|$)", re.I)
_OPEN_BRACKET = re.compile(r"(?<!\\)\[")  # a bracket the writer did not escape


def _title_link(links: list[Link]) -> Link | None:
    return next((link for link in links if not is_label(link.label)
                 and link_kind(link.url) not in ("anchor", "image", "mail")), None)


def recognise(text: str, line: int, path: str, context: Context = Context(),
              references: dict[str, str] | None = None, *, titled: bool = False) -> Item | Skip:
    """An item's Markdown -> an entry, or why it is none. `titled`: the text is known to
    hold a title (a table's title cell), so a title without link or venue is an entry."""
    text = text.strip()
    links = scan_links(text, references)
    shown = [link for link in links if not link.image and not link.badge]
    kinds = [link_kind(link.url) for link in shown]
    malformed = _malformed_link(text, links, line, path)
    if malformed:
        return malformed
    if shown and (all(kind == "anchor" for kind in kinds)
                  or (kinds[0] == "anchor" and not plain_text(text[: shown[0].start]))):
        return Skip(line, "table of contents (links to the list's own headings)")
    if links and not shown and not plain_text(outside_links(text, links)):
        return Skip(line, "badge or image")
    if not links and not titled:
        urls = url_runs(text)
        if urls and not _OPEN_BRACKET.search(text) \
                and not any(arxiv_id(u) or doi_of(u) for u in urls) \
                and not (find_venue(text[: text.find(urls[0])]) or VenueTag(None)).year:
            return _software(line, text, urls)
    return _paper(text, line, path, context, links, shown, titled)


def _paper(text: str, line: int, path: str, context: Context, links: list[Link],
           shown: list[Link], titled: bool) -> Item | Skip:
    useful = [link for link in shown if link_kind(link.url) not in ("anchor", "mail")]
    title_link = _title_link(useful)
    if useful and useful[0].start == 0 and title_link is not useful[0] and \
            len(plain_text(outside_links(text, links)).split()) < 3:
        title_link = useful[0]  # `- [Paper](url) NSDI'23`: a leading link is the title
    prefix = text[: shown[0].start] if shown else text
    tagged = _BRACKETED.match(prefix)  # `[OSDI'24] [Title](url)`: the tag is no title
    bare_prefix = prefix[tagged.end():] if tagged and _tag_in(tagged) else prefix
    prefix_words = len(plain_text(bare_prefix).split())
    seed_tag: str | None = None
    byline: list[Person] | None = None
    if title_link and (prefix_words < 3 or len(plain_text(title_link.label).split()) >= 3):
        raw_title, after = _with_subtitle(title_link, text[title_link.end:], links)
        rest = prefix + " " + after
        if title_link.start == 0:
            seed_tag = fold_space(after)
    else:
        title_link = None
        source = prefix if prefix_words else outside_links(text, links)
        raw_title, rest, byline = _title_from_text(source)
        if prefix_words:
            rest += " " + text[len(prefix):]
    if title_link and title_link.url and not _USABLE_URL.match(title_link.url):
        message = f"link URL {title_link.url!r} must start with http:// or https://"
        return Skip(line, message, Problem(message, path, line))
    title_text, tag_in_title = strip_tags(fold_space(markup_free(raw_title)))
    title, protect = clean_title(title_text)
    if not title:
        return Skip(line, "no title: only links or markup")
    rest_plain = plain_text(outside_links(rest, scan_links(rest)))
    # `- [AAAI](dblp) [2022](..), 2021`: a venue's name and its editions, not a paper (a
    # name alone, `- [NIPS](url)`, or with a tag, is how a list may name a paper)
    editions = [plain_text(link.label) for link in useful if link is not title_link]
    if _only_a_venue(title) and (editions or rest_plain.strip(" ,;.")) \
            and all(_EDITIONS.match(text) for text in editions + [rest_plain]):
        return Skip(line, "a venue's name and its editions, not a paper")
    tag = tag_in_title if tag_in_title and tag_in_title.venue else \
        _venue_in(rest_plain, seed_tag) or tag_in_title
    authors = byline or _authors_in(rest_plain)
    under_tag = (context.venue or context.year) and len(title.split()) >= 3
    # A venue without a year after a short text is a mention, not a paper's tag:
    # `- Machine Learning (NeurIPS, ICML, ICLR)`.
    venue_tag = tag is not None and (tag.year is not None or tag.venue == "arXiv"
                                     or len(title.split()) > 3)
    # A bold title is its item, alone; a bold word or two is a label between items
    # (`- **Post-Training**`), a bold phrase in a sentence is emphasis.
    bold = _BOLD.search(text)
    bold_title = bold is not None and not plain_text(text[: bold.start()]) \
        and not plain_text(text[bold.end():]).strip(" .,:;") \
        and len(title.split()) > _WEB_NAME_WORDS
    cited = _AUTHOR_DATE_OPENING.match(plain_text(text))  # `Author, A. (2016). Title.`
    quoted = any(len(m.group(1).split()) > _WEB_NAME_WORDS for m in _QUOTED.finditer(text))
    if not (useful or venue_tag or authors or titled or under_tag or quoted
            or bold_title or cited):
        return Skip(line, "prose: no link, venue or authors")
    urls = [link.url for link in useful if link.url.lower().startswith(("http://", "https://"))]
    urls += [u for u in bare_urls(outside_links(text, links)) if u not in urls]
    urls += [link.url for link in links  # `[![Stars](badge.svg)](https://github.com/..)`
             if link.badge and link_kind(link.url) in _BADGE_TARGETS and link.url not in urls]
    if title_link is not None and title_link.url in urls:
        urls.remove(title_link.url)
        urls.insert(0, title_link.url)
    kind = "list" if _LIST_WORDS.search(title) or (
        title_link is not None and _LIST_WORDS.search(title_link.url)) else "paper"
    if kind == "paper":
        elsewhere = _leads_elsewhere(text, useful, urls, title_link, context, tag, authors,
                                     rest_plain)
        if elsewhere:
            if urls and any(host_role(url) == CODE for url in urls):
                return _software_item(line, raw_title, title, urls)
            return Skip(line, f"not a paper: {elsewhere}")
    if seed_tag is None and 0 < len(rest_plain) <= 80:
        seed_tag = rest_plain
    seed = Seed(title=fold_space(raw_title), venue=seed_tag or None, urls=urls)
    item = Item(line, seed, kind, title, protect, unique([clean_url(u) for u in urls]),
                links=[link_kind(u) for u in urls])
    if kind == "paper":
        _add_facts(item, tag, rest_plain, context, path)
        if authors:
            item.authors = authors
            item.provenance["authors"] = Provenance(source=f"{path}:{line}", via="seed")
    if kind == "paper" and not titled:  # a table's columns say more: see recognise_row
        return _unless_a_project(item, described=bool(rest_plain.strip(" -:|\u2013\u2014")))
    return item


def _shows_a_paper(useful: list[Link], urls: list[str], tag: VenueTag | None) -> bool:
    """The item links its paper: an arXiv id, a DOI, a paper page or PDF, or a link
    labelled as the paper."""
    return bool(tag and tag.arxiv) or any(
        arxiv_id(url) or doi_of(url) or host_role(url) == PAPER or _PDF.search(url)
        or link_kind(url) in ("openreview", "usenix") for url in urls) \
        or any(label_says(link.label) == "paper" for link in useful)


def _leads_elsewhere(text: str, useful: list[Link], urls: list[str],
                     title_link: Link | None, context: Context, tag: VenueTag | None,
                     authors: list[Person] | None, rest: str) -> str | None:
    """Why an item is not a paper, or None: under a heading of tutorials, tools or people
    it neither links a paper nor names its venue and year; a line that starts with a date
    (`2022/07/31 - Add VLDB papers`) is news; elsewhere its title is text and its only
    links are labelled as code, a site, a post or a talk (`TorchServe is a tool ...
    [[GitHub]](..)`), with no venue, year or authors of its own."""
    if _shows_a_paper(useful, urls, tag):
        return None
    if not context.papers and not (tag and tag.venue and tag.year):
        return "no paper link under a heading of other things"
    if _DATED_NOTE.match(text):
        return "a dated note (news, a changelog)"
    if title_link is None and useful and not (tag or authors or _YEAR.search(rest)) \
            and all(label_says(link.label) == "elsewhere" for link in useful):
        return "its links are labelled as code, a site, a post or a talk"
    return None


def _software_item(line: int, raw_title: str, title: str, urls: list[str]) -> Item:
    seed = Seed(title=fold_space(raw_title), urls=urls)
    return Item(line, seed, "software", title, [], unique([clean_url(u) for u in urls]),
                links=[link_kind(u) for u in urls])


def _only_a_venue(text: str) -> bool:
    """`AAAI`, `NeurIPS 2024`, `AAMAS 2026 (Oral)`: a venue's name, not a paper's title."""
    bare = _YEAR.sub("", re.sub(r"\([^()]*\)", "", text)).strip(" ,;'\u2019")
    return lookup_venue(bare) is not None


def _unless_a_project(item: Item, described: bool) -> Item | Skip:
    """A project named by a paper-less line: software when it links only to code (`- [vLLM](
    https://github.com/..)`); no entry when it is a name of a word or two (a person, a
    blog, a site) described after it or in a table's other columns. A bare `- [Name](url)`
    stays a paper: it is how a paper without venue is listed, and exported."""
    if not _names_a_project(item):
        return item
    if item.urls and all(host_role(url) == CODE for url in item.urls):
        item.kind, item.links = "software", ["code"] * len(item.urls)
        return item
    if not described or len(item.title.split()) > _WEB_NAME_WORDS:
        return item
    return Skip(item.line, "a name linked to a web page (no venue, year, identifier, "
                           "authors or paper link): not a paper")


def _names_a_project(item: Item) -> bool:
    """`- [vLLM](https://github.com/...) - a fast serving engine`: a short name whose links
    lead to no paper, and nothing else a paper line has (venue, year, identifier, authors)."""
    return len(item.title.split()) <= _NAME_WORDS and len(item.title) <= _NAME_CHARS \
        and not (item.venue or item.year or item.arxiv or item.doi or item.authors) \
        and not any(host_role(url) == PAPER or _PDF.search(url) for url in item.urls)


def _add_facts(item: Item, tag: VenueTag | None, rest: str, context: Context,
               path: str) -> None:
    """Identifiers from the links, venue and year from the tag, else from the headings
    above, else (the year) from the arXiv id."""
    for url in item.seed.urls:
        item.arxiv = item.arxiv or arxiv_id(url)
        item.doi = item.doi or doi_of(url)
    if tag:
        item.venue, item.year = tag.venue, tag.year or item.year
        item.arxiv = item.arxiv or tag.arxiv
    item.venue = item.venue or context.venue
    if item.year is None:
        bare = _YEAR.search(rest)
        item.year = int(bare.group(1)) if bare else context.year
    if item.year is None and item.arxiv:
        item.year = arxiv_year(item.arxiv)


def _is_metadata(sentence: str, strict: bool = False) -> bool:
    """A sentence after a title that is a venue, a date or (unless `strict`, for the
    sentences inside a link's text) authors, not more title."""
    sentence = sentence.strip(" .,;:[]()")
    if (not strict and not re.search(r"[A-Za-z]{2}", sentence)) or _DATE.match(sentence) \
            or _VENUE_WORDS.search(sentence) or _ACRONYM_YEAR.match(sentence):
        return True
    tag = find_venue(sentence)
    if tag is not None and (tag.year or (not strict and len(sentence.split()) <= 3)):
        return True
    return not strict and ("et al" in sentence or parse_authors(sentence) is not None)


def _with_subtitle(title_link: Link, after: str, links: list[Link]) -> tuple[str, str]:
    """(title, the text after it). `[Megatron-LM](paper): Training Multi-Billion ...`: a
    paper linked by its system's name, the rest of its title after the link, up to the next
    link or ` | ` (a description after a link to code is not a title:
    `[vLLM](github): A fast...`)."""
    match = _SUBTITLE.match(after)
    if match is None and title_link.label.rstrip().endswith(":"):  # `[Ymir:](pdf) A Scheduler`
        match = _LEADING_SPACE.match(after)
    url = title_link.url
    if not match or len(plain_text(title_link.label).split()) > _NAME_WORDS or not (
            host_role(url) == PAPER or _PDF.search(url) or arxiv_id(url) or doi_of(url)):
        return title_link.label, after
    end = next((link.start - title_link.end for link in links if link.start > title_link.end),
               len(after))
    bar = after.find(" | ", 0, end)  # `: Subtitle | ByteDance`: an aside after a bar
    end = bar if bar > 0 else end
    return f"{title_link.label.rstrip().rstrip(':')}: {after[match.end():end]}", after[end:]


def _title_from_text(text: str) -> tuple[str, str, list[Person] | None]:
    """(title, the rest) of an item whose title is text: its first line when the next
    lines are its authors, the text before an emphasised byline, a quoted or emphasised
    span that is not an author-date byline (`**Author, A. (2017).** *Title.*`), the
    sentence after an author-date opening (`Author, A. (2015). Title. In Proc. ...`), else
    the first sentence (`Title. A. Author, B. Author. Venue 2021.`). Third: the authors of
    a byline the layout sets apart (read even when written in lower case)."""
    first, newline, later = text.strip().partition("\n")
    if newline and len(first.split()) >= 2 and parse_authors(plain_text(later)):
        return fold_space(first), later, None  # `- [ ] Title` + `  *A. Author, B. Author*`
    text = fold_space(text)
    byline = _TRAILING_EMPHASIS.search(text)  # `Title*A. Author, B. Author*`
    people = parse_authors(byline.group(2), capitalised=False) if byline else None
    if byline and people and len(text[: byline.start()].split()) >= 2:
        return text[: byline.start()], byline.group(2), people
    for pattern in (_QUOTED, _BOLD):
        for match in pattern.finditer(text):
            inner = match.group(match.lastindex or 1)
            tagged = (text[match.start() - 1: match.start()] == "[" and text[
                match.end(): match.end() + 1] == "]") \
                or (inner.startswith("[") and inner.endswith("]"))  # `**[Card, Query]**`
            outside = text[: match.start()] + " " + text[match.end():]
            # a word or two set off in a longer line is its tag (`Title **`kg.`**`)
            short = len(inner.split()) <= _WEB_NAME_WORDS \
                and len(plain_text(outside).split()) >= _NAME_WORDS
            if not (tagged or short or find_venue(inner) or _AUTHOR_DATE.search(inner)):
                return inner, outside, None
    opening = _AUTHOR_DATE_OPENING.match(text)  # APA: the authors and the date first
    lead = text[: opening.end()] if opening else ""
    stripped = text[len(lead):]
    if not opening and (_tag_in(_BRACKETED.match(text)) or _BOLD_TAG.match(text)):
        stripped = _BRACKETED.sub("", text, count=1)
        lead = text[: len(text) - len(stripped)]
    people = None
    named = None if opening else _AUTHORS_COLON.match(stripped)
    if named and len(people := parse_authors(named.group(1)) or []) >= 2:
        lead, stripped = lead + named.group(0), stripped[named.end():]  # dblp's `A, B: Title.`
    else:
        people = None
    sentences = _SENTENCE_END.split(stripped)
    if len(sentences) > 1 and len(sentences[0].split()) >= 2 \
            and all(_is_metadata(s) for s in sentences[1:]):
        return sentences[0], lead + " " + ". ".join(sentences[1:]), people
    return stripped, lead, people


def _venue_in(rest: str, seed_tag: str | None) -> VenueTag | None:
    if seed_tag:
        exact = parse_venue_tag(seed_tag)
        if exact:
            return exact
    return _venue_mention(rest) if rest else None


def _authors_in(rest: str) -> list[Person] | None:
    for sentence in _SENTENCE_END.split(rest):
        sentence = sentence.strip(" .")
        if sentence and not find_venue(sentence) and not _YEAR.search(sentence):
            people = parse_authors(sentence)
            if people:
                return people
    return None


def recognise_row(cells: list[str], roles: dict[str, int], line: int, path: str,
                  context: Context = Context(),
                  references: dict[str, str] | None = None) -> Item | Skip:
    """A table row -> an entry: the title cell read like an item, then the venue, year,
    authors and link columns fill in what it does not say."""
    def cell(role: str) -> str:
        index = roles.get(role)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    title_cell = cell("title")
    if not re.search(r"[^\W\d_]{2}", plain_text(title_cell)) \
            or _only_a_venue(plain_text(title_cell)):
        return Skip(line, "table row without a title")
    venue_text = plain_text(cell("venue"))
    year_text = plain_text(cell("year"))
    link_cells = " ".join(cells[i] for role, i in roles.items()
                          if role.startswith("links") and i < len(cells))
    # A column the header does not name (`Files`, `Notes`) still links the paper when
    # its links are labelled (`[:ledger:](pdf)`, `[[code]](..)`): they are kept; its text,
    # and a link named after something else (the venue's page), are not the paper's.
    unnamed = " ".join(text[link.start: link.end] for i, text in enumerate(cells)
                       if i not in roles.values()
                       for link in scan_links(text, references)
                       if not link.image and is_label(link.label))
    tagged = " ".join(part for part in (title_cell, link_cells, unnamed) if part)
    found = recognise(tagged, line, path, context, references, titled=True)
    if isinstance(found, Skip) or found.kind != "paper":
        return found
    if "software" in roles:
        found.kind = "software"
        found.organisation = plain_text(cell("organisation")) or None
        found.seed.organisation = found.organisation
        return found
    # Before the columns fill in a venue or year: a short name linked only to code is a
    # repository (`[FlashMLA](github) | 2025.02`); a name linked to a web page is no entry
    # only in a table that gives no venue, year or authors (`Name | Homepage`).
    found_or_not = _unless_a_project(
        found, described=not roles.keys() & {"venue", "year", "authors"})
    if isinstance(found_or_not, Skip) or found_or_not.kind != "paper":
        return found_or_not
    tag = find_venue(f"{venue_text} {year_text}") if venue_text else None
    if tag:
        found.venue, found.year = tag.venue, tag.year or found.year
    elif venue_text:
        found.container = venue_text  # a venue the table does not know: kept as written
        found.venue = None
    if venue_text:
        found.seed.venue = venue_text
    year = _YEAR.search(year_text) or (_YEAR.search(venue_text) if not tag else None)
    if year:
        found.year = int(year.group(1))
    authors_text = plain_text(cell("authors"))
    if authors_text and not found.authors:
        found.authors = parse_authors(authors_text) or [
            Person(literal=name.strip()) for name in _AUTHOR_SPLIT.split(authors_text)
            if name.strip()]
        found.provenance["authors"] = Provenance(source=f"{path}:{line}", via="seed")
    return found

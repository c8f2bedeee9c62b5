r"""BibTeX (natbib/plainnat, IEEEtran) and biblatex (biber) writers.

Both flavours share entry layout, escaping (`latex.py`) and section grouping; they differ
where the tools differ: entry types for software, eprint spelling, dates, UTF-8.
The BibTeX file ends with JabRef groups in the legacy form Zotero turns into collections.

Locators, and why: an arXiv-only paper is `@unpublished` (Zotero imports it as a
manuscript, not a web page or a "document") with `eprint` + `archivePrefix` (natbib,
arXiv's own export) + `eprinttype` (biblatex, and the only spelling Zotero's importer
reads), and in BibTeX a visible `note = {arXiv:ID}`, since plainnat and IEEEtran print
no eprint. A paper's URL is its landing page, left out when the DOI links it (BibTeX
still gives the doi.org link as `url`: IEEEtran prints no `doi`). Its code repository
goes in `note` as "Code: \url{...}", never in `url`. An undated entry says
`year = {n.d.}` in BibTeX, so author-year citations read "Google (n.d.)", not "Google ()".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from oflbib import links
from oflbib.exporters.reference import Group, Reference, keywords, title_protect
from oflbib.fields import BY_NAME, FIELDS, TYPES
from oflbib.latex import latex_text, latex_title, latex_to_text
from oflbib.model import Entry, Person, RelationEntry
from oflbib.text import visible
from oflbib.venues import VENUES

BIBTEX = "bibtex"
BIBLATEX = "biblatex"
NO_DATE = "n.d."
CODE_LABEL = "Code: "


# What a URL keeps as it is: RFC 3986's unreserved and reserved characters and `%`
# (already percent-encoded text), plus every non-ASCII character (an IRI reads as
# written). All else is percent-encoded (RFC 3986 allows nothing else anyway): braces and
# backslashes would end the field or start a command, spaces would break the entry, and
# `^` is TeX's `^^5c` notation, which turns into any character, a backslash included,
# while the url package and hyperref read the URL.
_URL_KEEPS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                       "-._~:/?#[]@!$&'()*+,;=%")
# A DOI is a name, not a URL: `%3C` would be another DOI. The old SICI DOIs hold `<` and
# `>` (10.1002/(SICI)...19:4<377::AID-JCC1>3.0.CO;2-P), which TeX, biber and \url read
# as themselves.
_DOI_KEEPS = _URL_KEEPS | frozenset("<>")


def _url(url: str, keeps: frozenset[str] = _URL_KEEPS) -> str:
    """A URL or DOI as written in a .bib file: not escaped (the url package reads it raw),
    so anything TeX could read as markup is percent-encoded instead."""
    url = visible(url)
    if keeps.issuperset(url):
        return url
    return "".join(c if c in keeps or not c.isascii()
                   else "".join(f"%{b:02X}" for b in c.encode()) for c in url)


def _name(person: Person, keep_latin: bool) -> str:
    return _name_from_parts(person.family, person.given, person.literal, person.particle,
                            person.suffix, keep_latin)


@lru_cache(maxsize=1 << 16)  # people recur across a catalog's entries
def _name_from_parts(family: str, given: str, literal: str, particle: str, suffix: str,
                     keep_latin: bool) -> str:
    if literal:
        return "{" + latex_text(literal, keep_latin) + "}"  # an institution: one name
    family = _name_part(family, keep_latin)
    if " " in family and family[:1] != "{" and any(
            word[:1].islower() for word in family.split()):
        family = "{" + family + "}"  # `{de Bernardis}`: one family name, no von part
    if particle:  # lower-case words before the family name: BibTeX's von part
        family = f"{_name_part(particle, keep_latin)} {family}"
    elif not given and not suffix:
        return "{" + family + "}"
    given = _name_part(given, keep_latin)
    if suffix:  # `von Last, Jr, First`
        return f"{family}, {_name_part(suffix, keep_latin)}, {given}"
    return f"{family}, {given}" if given else family


def _name_part(text: str, keep_latin: bool) -> str:
    """A family or given name; braced when BibTeX would split it at a comma or at `and`
    (another author), either of which would turn one name into two. So is a name with a
    word that starts with a command (`\\&`, `\\%`): bibtexparser v2 cuts such a word off
    the name, or its backslash."""
    latex = latex_text(text, keep_latin)
    if " and " in f" {latex.lower()} " or "," in latex or _COMMAND_WORD.search(latex):
        return "{" + latex + "}"
    return latex


_COMMAND_WORD = re.compile(r"(?:^| )\\")


def entry_type(reference: Reference, flavour: str) -> str:
    """The type written: the entry's own (a user's type is kept; BibTeX styles print a
    type they lack as @misc), else the table's name in this flavour. A preprint is
    `@unpublished` only with its arXiv id, which says what it is."""
    given = reference.entry.entry_type
    if given:
        row = TYPES.get(given)
        return row.bibtex if flavour == BIBTEX and row and not row.in_bibtex else given
    if reference.entry_type == "preprint" and not reference.arxiv:
        return "misc"
    row = TYPES[reference.entry_type]
    return row.biblatex if flavour == BIBLATEX else row.bibtex


def _names(people: list[Person], others: bool, keep_latin: bool) -> str:
    names = [_name(person, keep_latin) for person in people]
    return " and ".join(names + ["others"] if others else names)


def code_note(reference: Reference) -> str | None:
    """The labelled place of a paper's code links, but for the one the user gave as the
    entry's own url (written there, once)."""
    own = reference.entry.verbatim.get("url")
    code = [u for u in reference.code_urls if u != own]
    if not code:
        return None
    return CODE_LABEL + ", ".join(r"\url{" + _url(u) + "}" for u in code)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
NO_PUBLISHER = ("software", "online", "preprint")  # the publisher of these is no imprint


def _biblatex_date(entry: Entry) -> str | None:
    if entry.date:
        return entry.date
    if entry.year and entry.month:
        return f"{entry.year}-{entry.month:02d}"
    return str(entry.year) if entry.year else None


class _Fields:
    """One entry's (field, value) pairs as they are added, values escaped."""

    def __init__(self, keep_latin: bool) -> None:
        self.keep_latin = keep_latin
        self.pairs: list[tuple[str, str]] = []
        self.names: set[str] = set()  # the fields written so far

    def add(self, name: str, value: str | int | None, escape: bool = True) -> None:
        if value is None or value == "":
            return
        text = str(value)
        self.pairs.append((name, latex_text(text, self.keep_latin) if escape else text))
        self.names.add(name)


# Hand-written fields: (reference, entry, flavour, fields) -> None, by field-table row.
def _authors(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    if ref.authors or entry.authors_others:
        out.add("author", _names(ref.authors, entry.authors_others, out.keep_latin), False)


def _editors(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    if entry.editors or entry.editors_others:
        out.add("editor", _names(entry.editors, entry.editors_others, out.keep_latin), False)


def _title(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    out.add("title", entry.verbatim.get("title")
            or latex_title(ref.title, title_protect(ref), out.keep_latin), False)


def _container(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    name = (TYPES.get(entry.entry_type or "") or TYPES[ref.entry_type]).container
    if name:
        out.add(name, entry.verbatim.get(name) or (
            latex_text(ref.container, out.keep_latin) if ref.container else None), False)


def _year(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    own = entry.verbatim.get("year")  # a year that says more than its number (a sort key)
    if flavour == BIBLATEX and own is None:
        out.add("date", _biblatex_date(entry), False)
        return
    if own is not None:
        out.add("year", own, False)
    elif ref.year:
        out.add("year", ref.year)
    else:  # author-year styles cite "Google (n.d.)", not "Google ()"
        out.add("year", NO_DATE, False)
    if entry.month:
        out.add("month", entry.verbatim.get("month") or _MONTHS[entry.month - 1], False)
    out.add("date", entry.date, False)  # biblatex's, when it says more; BibTeX ignores it


def _pages(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    if ref.first_page:
        pages = [latex_text(p) for p in (ref.first_page, ref.last_page) if p]
        out.add("pages", "--".join(pages), False)


def _venue_publisher(entry: Entry) -> str | None:
    venue = VENUES.get(entry.venue) if entry.venue else None
    return venue.publisher_for(entry.year) if venue else None


def _publisher(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    own = entry.verbatim.get("publisher")  # the user's own spelling of a known publisher
    if own is not None:
        out.add("publisher", own, False)
        return
    if flavour == BIBLATEX and ref.entry_type == "article" and (
            entry.publisher is None or entry.publisher == _venue_publisher(entry)):
        return  # biber rejects publisher in @article: written only when the user gave one
    if ref.entry_type not in NO_PUBLISHER or entry.publisher:
        out.add("publisher", ref.publisher)


def _organisation(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    if not TYPES[ref.entry_type].software:
        out.add("organization", entry.organisation)
    elif entry.organisation and ref.authors and ref.authors[0].literal != entry.organisation:
        out.add("organization", entry.organisation)  # the authors are people: kept beside


def _series(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    out.add("series", entry.verbatim.get("series") or (
        latex_text(ref.series, out.keep_latin) if ref.series else None), False)


def _doi(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    # A DOI is verbatim for biber and \doi, but a brace or backslash in it (the schema
    # allows any non-space) must not end the field: encoded like a URL's.
    out.add("doi", _url(ref.doi, _DOI_KEEPS) if ref.doi else None, escape=False)


def _arxiv(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    if ref.arxiv:
        out.add("eprint", ref.arxiv, escape=False)
        if flavour == BIBLATEX:
            out.add("eprinttype", "arxiv")
            out.add("eprintclass", ref.arxiv_class)
        else:
            out.add("archiveprefix", "arXiv")
            out.add("eprinttype", "arxiv")
            out.add("primaryclass", ref.arxiv_class)


def _urls(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    own = entry.verbatim.get("howpublished")  # a URL that came as howpublished = \url{}
    if own is not None:
        out.add("howpublished", own, False)
    if "url" in entry.verbatim:  # the user's own url, which oflbib would not have chosen
        out.add("url", entry.verbatim["url"], False)
        return
    url = ref.url
    if flavour == BIBTEX and ref.doi and not url:
        url = links.doi_url(ref.doi)  # IEEEtran prints no `doi`: its only locator
    if url and own not in (r"\url{" + url + "}", r"\url{" + _url(url) + "}"):
        if url_field(ref, flavour) == "howpublished":
            out.add("howpublished", r"\url{" + _url(url) + "}", False)
        else:
            out.add("url", _url(url), False)


def url_field(reference: Reference, flavour: str) -> str:
    """The field the entry's URL goes in: `howpublished = {\\url{..}}` in a @misc of
    oflbib's choosing in BibTeX, as plainnat prints a @misc's howpublished and not its
    url; else `url` (a type the user gave keeps its url field)."""
    entry = reference.entry
    if flavour == BIBTEX and entry.entry_type is None and not entry.howpublished \
            and "howpublished" not in entry.verbatim \
            and entry_type(reference, flavour) == "misc":
        return "howpublished"
    return "url"


def _note(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    notes = [entry.verbatim.get("note") or (
        latex_text(entry.note, out.keep_latin) if entry.note else None)]
    if flavour == BIBTEX and entry_type(ref, flavour) == "unpublished" and ref.arxiv:
        notes.append(f"arXiv:{ref.arxiv}")  # what plainnat and IEEEtran show
    # biblatex prints `note` amid the venue (between an article's issue and its pages) and
    # `addendum` at the end of the entry: the code links' place. BibTeX has only `note`.
    extra = [entry.verbatim.get("addendum")] if flavour == BIBLATEX else notes
    extra.append(code_note(ref))
    out.add("note", ". ".join(n for n in notes if n), False)
    if flavour == BIBLATEX:
        out.add("addendum", ". ".join(n for n in extra if n), False)


def _ids(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    # Other keys of the entry: biber cites it by any of them; BibTeX ignores the field,
    # which still tells the reader.
    out.add("ids", ", ".join(entry.ids), False)


def _keywords(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    words = keywords(ref)
    if words:
        out.add("keywords", ", ".join(words))


def _verbatim(ref: Reference, entry: Entry, flavour: str, out: _Fields) -> None:
    for name, value in entry.verbatim.items():
        if name not in out.names:
            out.add(name, value, False)


_HAND = {"ids": _ids, "authors": _authors, "editors": _editors, "title": _title,
         "container": _container, "series": _series, "year": _year, "pages": _pages,
         "publisher": _publisher, "organisation": _organisation, "doi": _doi,
         "arxiv": _arxiv, "urls": _urls, "keywords": _keywords, "note": _note,
         "verbatim": _verbatim}


def _plan(flavour: str) -> list[tuple[str, str | None, Any]]:
    """(row, field name, hand-written writer or None) in the field table's order."""
    plan: list[tuple[str, str | None, Any]] = []
    for row in FIELDS:
        if row.name in _HAND:
            plan.append((row.name, None, _HAND[row.name]))
        elif row.plain and getattr(row, flavour):
            plan.append((row.name, getattr(row, flavour), None))
    return plan


_PLANS = {BIBTEX: _plan(BIBTEX), BIBLATEX: _plan(BIBLATEX)}


def entry_fields(reference: Reference, flavour: str) -> list[tuple[str, str]]:
    """(field, value) pairs in print order, values already escaped and braced-ready."""
    out = _Fields(flavour == BIBLATEX)
    entry = reference.entry
    verbatim = entry.verbatim
    for name, field, write in _PLANS[flavour]:
        if write is not None:
            write(reference, entry, flavour, out)
            continue
        value = getattr(entry, name)
        if value is not None:
            if field in verbatim and latex_to_text(verbatim[field]) != value:
                # The user's own field of that name (ACM's `location`, the venue's town,
                # next to `address`): this one keeps its BibTeX name.
                field = BY_NAME[name].bibtex
            if field in out.names:
                continue  # two rows one name in this flavour: the first is written
            if field in verbatim:
                out.add(field, verbatim[field], False)
            else:
                out.add(field, value)
    return out.pairs


def format_entry(reference: Reference, flavour: str) -> str:
    fields = entry_fields(reference, flavour)
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {value}" if name == "month"
                      and value in _MONTHS else f"  {name.ljust(width)} = {{{value}}}"
                      for name, value in fields)
    return f"@{entry_type(reference, flavour)}{{{reference.key},\n{body}\n}}\n"


def _comment_text(text: str) -> str:
    """Text safe inside @comment{...}: one line, no braces, no backslashes (parsers read
    `\\}` as an escaped brace, so a name ending in one would swallow the file) and no `@`
    (BibTeX skips only the word @comment, and reads `@misc(...` after it as an entry)."""
    return (visible(text).replace("{", "(").replace("}", ")").replace("\\", "/")
            .replace("@", "(at)"))


def jabref_groups(groups: list[Group]) -> str:
    """JabRef's legacy groups tree; Zotero's BibTeX import makes one collection each. A
    nested section is a sub-group of its parents (made, without entries of their own,
    when the list has no section of that name just above)."""

    def escape(value: str) -> str:
        return _comment_text(value).replace(";", "\\;")

    def line(level: int, name: str, references: list[Reference]) -> str:
        keys = "".join(f"{escape(r.key)}\\;" for r in references)
        return f"{level} ExplicitGroup:{escape(name)}\\;0\\;{keys};"

    lines = ["@comment{jabref-meta: groupsversion:3;}", "", "@comment{jabref-meta: groupstree:",
             "0 AllEntriesGroup:;"]
    open_path: tuple[str, ...] = ()  # the groups the last line sits in
    for group in groups:
        path = group.parents
        shared = next((i for i, (a, b) in enumerate(zip(path, open_path)) if a != b),
                      min(len(path), len(open_path)))
        lines += [line(level + 1, name, []) for level, name in enumerate(path[shared:], shared)]
        lines.append(line(len(path) + 1, group.name, group.references))
        open_path = (*path, group.name)
    lines.append("}")
    return "\n".join(lines) + "\n"


# biblatex's granular xdata reference inside a value: `{xdata=KEY-author-1}`.
_GRANULAR_XDATA = re.compile(r"xdata=([^\s{},=]+?)-[a-z+]+(?:-\d+)?(?=[\s},]|$)")


def xdata_names(entry: Entry, text: str) -> list[str]:
    """The xdata entries one written entry names: in its `xdata` field or in a value."""
    names = [name.strip() for name in entry.verbatim.get("xdata", "").split(",")]
    return [name for name in names if name] + _GRANULAR_XDATA.findall(text)


def used_relations(relations: Sequence[RelationEntry], written: set[str],
                   named: list[str]) -> list[RelationEntry]:
    """The @set and @xdata entries the written entries use: a set with a member among
    them (`written`: their keys and aliases, folded), an xdata entry one of them `named`
    (or a used xdata entry names in turn); by key or alias."""
    xdata = {name.strip().casefold(): relation for relation in relations
             if relation.entry_type == "xdata"
             for name in (relation.key, *relation.fields.get("ids", "").split(","))}
    pending = [name.casefold() for name in named]
    used: dict[int, RelationEntry] = {}
    while pending:  # xdata entries name others in turn
        found = xdata.get(pending.pop())
        if found is not None and id(found) not in used:
            used[id(found)] = found
            pending += [name.casefold() for name in xdata_names_of(found)]
    # An xdata entry on a loop stops biber with an error: it is left out (its users
    # already hold the fields it gave; the import said so).
    looping = _on_loops(list(used.values()), xdata)
    return [r for r in relations if (id(r) in used and id(r) not in looping)
            or (r.entry_type == "set" and any(n.casefold() in written for n in r.names()))]


def _on_loops(nodes: list[RelationEntry], xdata: dict[str, RelationEntry]) -> set[int]:
    """The ids of the xdata entries that lead back to themselves: Tarjan's strongly
    connected components, iteratively (a chain may be longer than Python's recursion)."""
    def targets(relation: RelationEntry) -> list[RelationEntry]:
        return [t for name in xdata_names_of(relation)
                if (t := xdata.get(name.casefold())) is not None]

    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[RelationEntry] = []
    on_stack: set[int] = set()
    looping: set[int] = set()

    def visit(node: RelationEntry) -> None:
        index[id(node)] = low[id(node)] = len(index)
        stack.append(node)
        on_stack.add(id(node))

    for root in nodes:
        if id(root) in index:
            continue
        visit(root)
        work = [(root, iter(targets(root)))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if id(child) not in index:
                    visit(child)
                    work.append((child, iter(targets(child))))
                elif id(child) in on_stack:
                    low[id(node)] = min(low[id(node)], index[id(child)])
                continue
            work.pop()
            if work:
                parent = id(work[-1][0])
                low[parent] = min(low[parent], low[id(node)])
            if low[id(node)] == index[id(node)]:  # `node` roots a component: pop it
                component = []
                while not component or component[-1] is not node:
                    component.append(stack.pop())
                    on_stack.discard(id(component[-1]))
                if len(component) > 1 or any(t is node for t in targets(node)):
                    looping.update(id(member) for member in component)
    return looping


def xdata_names_of(relation: RelationEntry) -> list[str]:
    """The xdata entries an xdata entry names: in its `xdata` field or in its values."""
    return relation.names() + [name for value in relation.fields.values()
                               for name in _GRANULAR_XDATA.findall(value)]


def _relation_text(relation: RelationEntry, flavour: str) -> str:
    """biblatex: the entry as it was; BibTeX has no such entries (and reads an `@` even
    inside @comment), so a comment says what the biblatex file has instead."""
    if flavour == BIBTEX:
        what = {"set": "groups", "xdata": "lends its fields to"}[relation.entry_type]
        users = ", ".join(relation.names()) if relation.entry_type == "set" else "entries here"
        return (f"@comment{{biblatex {relation.entry_type} {_comment_text(relation.key)} "
                f"{what} {_comment_text(users)} (biblatex only)}}\n")
    fields = ",\n".join(f"  {name} = {{{value}}}" for name, value in relation.fields.items())
    return f"@{relation.entry_type}{{{relation.key},\n{fields}\n}}\n"


# The header of each export. It tells `import bibtex` that the keywords name the sections
# (the first: the entry's home), so an export reads back into the same sections.
_BANNERS = {BIBTEX: "BibTeX written by oflbib; sections are JabRef groups and keywords",
            BIBLATEX: "biblatex data written by oflbib; sections are keywords"}
SECTIONS_IN_KEYWORDS = frozenset(_BANNERS.values())


def _chunks(groups: list[Group], flavour: str, banner: str, preambles: Sequence[str],
            relations: Sequence[RelationEntry]) -> Iterator[str]:
    yield f"@comment{{{_comment_text(banner)}}}\n"
    for text in preambles:  # braced, as biber's parser reads any LaTeX that way
        yield f"\n@preamble{{{{{text}}}}}\n"
    written: set[str] = set()  # keys and aliases, for the sets that use them
    named: list[str] = []  # xdata entries the entries name
    for group in groups:
        yield f"\n@comment{{Section: {_comment_text(group.section)}}}\n"
        for reference in group.references:
            text = format_entry(reference, flavour)
            if relations:
                written.update(k.casefold() for k in (reference.key, *reference.entry.ids))
                named += xdata_names(reference.entry, text)
            yield "\n" + text
    # After the entries, once it is known which ones they use (biber reads them anywhere).
    for relation in used_relations(relations, written, named):
        yield "\n" + _relation_text(relation, flavour)
    if flavour == BIBTEX and groups:
        yield "\n" + jabref_groups(_membership(groups))


def _membership(groups: list[Group]) -> list[Group]:
    """Every section with every entry it lists, for the groups tree."""
    by_section: dict[str, list[Reference]] = {}
    # Equal records have equal keys, so a record is compared only with those sharing its
    # section and key: linear in the entries, where one list per section was quadratic.
    same_key: dict[tuple[str, str], list[Reference]] = {}
    for group in groups:
        for reference in group.references:
            for section in reference.sections or [group.section]:
                members = by_section.setdefault(section, [])
                seen = same_key.setdefault((section, reference.key), [])
                if reference not in seen:
                    seen.append(reference)
                    members.append(reference)
    return [Group(g.section, by_section.get(g.section, []), g.parents) for g in groups]


def bibtex_chunks(groups: list[Group], preambles: Sequence[str] = (),
                  relations: Sequence[RelationEntry] = ()) -> Iterator[str]:
    """BibTeX for natbib/plainnat and IEEEtran users (pure ASCII LaTeX), entry by entry,
    after the catalog's @preamble texts (and a comment for each biblatex set or xdata
    entry the entries use)."""
    return _chunks(groups, BIBTEX, _BANNERS[BIBTEX], preambles, relations)


def biblatex_chunks(groups: list[Group], preambles: Sequence[str] = (),
                    relations: Sequence[RelationEntry] = ()) -> Iterator[str]:
    """biblatex data for biber (UTF-8 Latin letters, @software/@online, eprinttype),
    after the catalog's @preamble texts and the @set and @xdata entries the entries use."""
    return _chunks(groups, BIBLATEX, _BANNERS[BIBLATEX], preambles, relations)

"""The field table and the entry-type table: every field and type of an entry, defined once.

One row per field says what it holds, how the catalog file checks it, what BibTeX,
biblatex, CSL-JSON and RIS call it, and whether a source (Crossref, arXiv, dblp) may fill
it. The model (`model.Entry`), the catalog's JSON Schema and codec, the importers' known
fields, the resolvers' published fields and the plain parts of every writer are read off
these rows; `tests/test_fields.py` checks they agree. Adding a field is adding a row
(and a hand-written rendering only where a format needs one): see CONTRIBUTING.md.

Rows are in the order fields are written, both in the catalog files and in BibTeX.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Value kinds: how the codec turns a field into plain data and back.
TEXT = "text"  # one line of Unicode text (LaTeX decoded)
INTEGER = "integer"
NAMES = "names"  # people: a list of `Person`, plus its `and others` flag
WORDS = "words"  # a list of texts
URLS = "urls"  # a list of http(s) URLs
LATEX = "latex"  # field name -> LaTeX text, kept as written
CHOICE = "choice"  # one of a fixed set of names
OTHER = "other"  # structured: written by its own code in the codec (seed, provenance...)

_TEXT = {"type": "string", "minLength": 1}
_OPT_TEXT = {"type": ["string", "null"]}
_NUMBERISH = {"type": ["string", "integer", "null"]}
URL_PATTERN = r"^https?://\S+$"
# Any key BibTeX and biber accept: no space and none of `"#%'(),={}\`.
KEY_PATTERN = r"^[^\s\"#%'(),={}\\]+$"
DOI_PATTERN = r"^10\.\d{4,9}/\S+$"
# ASCII digits: Python reads `\d` as any script's digits, which no arXiv id holds.
ARXIV_PATTERN = r"^([0-9]{4}\.[0-9]{4,5}|[a-z-]+(\.[A-Z]{2})?/[0-9]{7})$"
# biblatex (ISO 8601-2 / EDTF level 1) dates: `2023`, `2023-05-17`, ranges `2020/2021`,
# open ranges `2020/`, uncertain `19??`, `2023~`, negative years `-0379-02`, seasons
# `2012-22`, a time of day `2019-10-15T20:58:43Z` (Better BibLaTeX's software dates).
_TIME = r"(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?"
_DAY = rf"-?[0-9X?]{{4}}(-[0-9X?]{{2}}(-[0-9X?]{{2}}{_TIME})?)?[~?%]?"
DATE_PATTERN = rf"^({_DAY})?(/({_DAY})?)?$"
# Any field name BibTeX and biber accept (a commented-out `//pages` too): no space, none
# of `"#%'(),={}\`, not starting with a digit.
FIELD_NAME_PATTERN = r"^[^\s\"#%'(),={}\\0-9][^\s\"#%'(),={}\\]*$"
PERSON = {
    "anyOf": [_TEXT, {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "properties": {"family": _TEXT, "given": _TEXT, "particle": _TEXT, "suffix": _TEXT,
                       "literal": _TEXT}}]}


@dataclass(frozen=True)
class Field:
    """One field of an entry.

    A format column is the name the format gives the field, or None when the format has
    no place for it (or when its writer places it by hand: `plain` is False then)."""

    name: str  # the `Entry` attribute and the key in the catalog file
    value: str  # TEXT, INTEGER, NAMES, ...: how it is stored
    schema: dict[str, Any]  # JSON Schema of its value in the catalog file
    bibtex: str | None = None
    biblatex: str | None = None
    csl: str | None = None  # CSL-JSON variable
    ris: str | None = None  # rispy key (its RIS tag in `rispy.TAG_KEY_MAPPING`)
    # A source may set it (Crossref, arXiv, dblp), with provenance; never overwritten.
    fillable: bool = False
    # Every writer writes it as text under its column's name; False: hand-written where
    # a format needs it (a date's parts, a container named by the entry type...).
    plain: bool = False
    required: bool = False
    doc: str = ""


def _text(name: str, bibtex: str | None = None, *, biblatex: str | None = None,
          csl: str | None = None, ris: str | None = None, fillable: bool = False,
          doc: str = "") -> Field:
    """A plain one-line text field, named `name` in BibTeX unless told otherwise."""
    bib = bibtex or name
    return Field(name, TEXT, _OPT_TEXT, bib, biblatex or bib, csl, ris, fillable, True, doc=doc)


FIELDS: tuple[Field, ...] = (
    Field("key", TEXT, {"type": "string", "pattern": KEY_PATTERN}, required=True,
          doc="citation key, as the user gave it or `keys.py` made it; pinned"),
    Field("kind", CHOICE, {"enum": ["paper", "software", "list"]}, required=True,
          doc="what the list item is: paper, software or list (checks and resolving use it)"),
    Field("ids", WORDS, {"type": "array", "items": {"type": "string", "pattern": KEY_PATTERN}},
          "ids", "ids", doc="other keys that cite the entry (biblatex `ids`): a .bib's own "
          "aliases and the keys of duplicates merged into it"),
    Field("entry_type", TEXT, {"type": ["string", "null"], "pattern": r"^[a-z][a-z0-9_-]*$"},
          doc="the entry type when given: a row of TYPES, or a type the table lacks "
          "(biblatex-apa's @nameonly), written back as given and read as @misc elsewhere; "
          "else derived from kind and venue (`exporters.reference.derived_type`)"),
    Field("authors", NAMES, {}, "author", "author", "author", "authors", fillable=True,
          doc="people or institutions; `others` at the end is BibTeX's `and others`"),
    Field("editors", NAMES, {}, "editor", "editor", "editor", "secondary_authors",
          fillable=True, doc="editors of the book or proceedings"),
    Field("title", TEXT, _TEXT, "title", "title", "title", "title", fillable=True,
          doc="plain Unicode text; math as the closest text (its LaTeX is kept in "
          "`verbatim`). BibTeX needs none (a @misc with only howpublished, a @proceedings "
          "with its editors): `oflbib check` reports an entry without one"),
    Field("protect", WORDS, {"type": "array", "items": _TEXT},
          doc="words of the title whose case BibTeX styles must keep ({braced})"),
    Field("container", TEXT, _OPT_TEXT, "journal|booktitle", "journal|booktitle",
          "container-title", "secondary_title", fillable=True,
          doc="the journal, proceedings or book the entry is part of, when given; else the "
          "venue table's name for `venue` (BibTeX: `journal` in @article, `booktitle` in "
          "@inproceedings/@incollection/@inbook)"),
    _text("series", csl="collection-title", ris="tertiary_title"),
    _text("edition", csl="edition", ris="edition"),
    _text("chapter", csl="chapter-number"),
    Field("volume", TEXT, _NUMBERISH, "volume", "volume", "volume", "volume", True, True),
    Field("number", TEXT, _NUMBERISH, "number", "number", "issue", "number", True, True),
    # biblatex's own field, not a synonym of `number`: an issue that is no number
    # ("Spring", "Special issue on ..."). CSL and RIS have one place for both, which holds
    # it only when the entry has no number (`csljson.csl_item`, `ris.ris_record`).
    _text("issue", csl="issue", ris="number",
          doc="biblatex `issue`: a season or the name of an issue (printed after the date)"),
    Field("year", INTEGER, {"type": ["integer", "null"], "minimum": 1000, "maximum": 2999},
          "year", "date", "issued", "year", True,
          doc="year of publication; with `month` and `date` the whole date"),
    Field("month", INTEGER, {"type": ["integer", "null"], "minimum": 1, "maximum": 12},
          "month", "date", "issued", "date", True, doc="1-12; BibTeX writes the macro (may)"),
    Field("date", TEXT, {"type": ["string", "null"], "pattern": DATE_PATTERN}, "date", "date",
          "issued", "date", doc="biblatex date, when more than year and month (a day, a "
          "range, uncertainty); `year` holds its first year"),
    Field("pages", TEXT, _NUMBERISH, "pages", "pages", "page", "start_page", True,
          doc="`497--513` or one page"),
    Field("publisher", TEXT, _OPT_TEXT, "publisher", "publisher", "publisher", "publisher",
          True, doc="written unless the venue table gives the same"),
    Field("organisation", TEXT, _OPT_TEXT, "organization", "organization", None, None,
          doc="the organisation behind software (its author when it has no people), or "
          "a paper's sponsoring organization"),
    _text("address", biblatex="location", csl="publisher-place", ris="place_published"),
    _text("school", doc="a thesis's university (biber reads it as `institution`)"),
    _text("institution"),
    _text("howpublished"),
    _text("genre", "type", csl="genre", ris="type_of_work",
          doc="the kind of thesis or report (BibTeX's `type` field)"),
    Field("venue", TEXT, _OPT_TEXT, fillable=True, doc="id in the venue table (`venues.py`)"),
    # RIS has one tag, SN, for ISBN and ISSN alike (rispy calls it `issn`).
    _text("isbn", csl="ISBN", ris="issn"),
    _text("issn", csl="ISSN", ris="issn"),
    Field("doi", TEXT, {"type": ["string", "null"], "pattern": DOI_PATTERN}, "doi", "doi",
          "DOI", "doi", True),
    Field("arxiv", TEXT, {"type": ["string", "null"], "pattern": ARXIV_PATTERN}, "eprint",
          "eprint", None, None, True, doc="bare arXiv id (eprint + archivePrefix/eprinttype)"),
    Field("arxiv_class", TEXT, _OPT_TEXT, "primaryclass", "eprintclass", None, None, True),
    Field("urls", URLS, {"type": "array", "items": {"type": "string", "pattern": URL_PATTERN}},
          "url", "url", "URL", "urls", doc="the first is the entry's URL"),
    _text("urldate", csl=None, ris="access_date", doc="when the URL was visited (ISO date)"),
    _text("language", csl="language", ris="language"),
    Field("keywords", WORDS, {"type": "array", "items": _TEXT}, "keywords", "keywords",
          "keyword", "keywords", doc="the entry's own keywords (sections are added on "
          "export)"),
    _text("abstract", csl="abstract", ris="abstract"),
    _text("note", csl="note", ris="notes", doc="printed in the bibliography (BibTeX `note`); "
          "not the catalog's `notes`"),
    _text("annote", biblatex="annotation", csl="annote"),
    Field("verbatim", LATEX, {"type": "object", "additionalProperties": {"type": "string"}},
          doc="BibTeX field name -> its LaTeX as written: fields this table lacks, and "
          "fields whose text alone would not give their LaTeX back (math); the BibTeX and "
          "biblatex writers write them as they are"),
    Field("filed_under", TEXT, _TEXT, doc="the section the bibliographies file the entry "
          "under when the list files it in the wrong one"),
    Field("cite_as", OTHER, {}, doc="software: the paper the project asks to be cited by"),
    Field("seed", OTHER, {}, doc="the list's own text for the entry's home listing"),
    Field("provenance", OTHER, {}, doc="field name -> where its value came from"),
    Field("notes", TEXT, _OPT_TEXT, doc="the curator's remark on the entry (never exported)"),
)
BY_NAME: dict[str, Field] = {row.name: row for row in FIELDS}
# The fields writers write as text under their name, in table order.
PLAIN = tuple(row for row in FIELDS if row.plain)
# What a source may fill (resolvers' published fields).
FILLABLE = tuple(row.name for row in FIELDS if row.fillable)


@dataclass(frozen=True)
class EntryType:
    """One entry type and its name in each format, and the Zotero item type each of
    Zotero's import translators gives (BibTeX.js for both BibTeX files, RIS.js, CSL JSON.js:
    checked by `tests/test_fields.py` with ../shared/zotero)."""

    name: str  # the catalog's name: biblatex's, or BibTeX's where biblatex has an alias
    bibtex: str  # written to BibTeX when oflbib chose the type (a user's type is kept)
    biblatex: str
    csl: str
    ris: str
    zotero: str  # the Zotero item type its BibTeX import gives ("": Zotero skips the entry)
    container: str | None = None  # the BibTeX field that holds `container`
    # A program or a part of one: imported as a list's `software` item, and written as
    # software (CSL genre, RIS COMP, the organisation as publisher) where a format has no
    # finer type.
    software: bool = False
    # False for biblatex's own types that BibTeX styles do not know (@mvbook, @bookinbook,
    # @periodical): a BibTeX file gets the nearest standard type (`bibtex`) instead of one
    # that styles print as @misc and Zotero's BibTeX import drops; biblatex keeps the type.
    in_bibtex: bool = True
    doc: str = ""


TYPES: dict[str, EntryType] = {t.name: t for t in (
    EntryType("article", "article", "article", "article-journal", "JOUR", "journalArticle",
              "journal"),
    EntryType("inproceedings", "inproceedings", "inproceedings", "paper-conference", "CONF",
              "conferencePaper", "booktitle"),
    EntryType("proceedings", "proceedings", "proceedings", "book", "BOOK", "book"),
    EntryType("book", "book", "book", "book", "BOOK", "book"),
    EntryType("inbook", "inbook", "inbook", "chapter", "CHAP", "bookSection", "booktitle"),
    EntryType("incollection", "incollection", "incollection", "chapter", "CHAP",
              "bookSection", "booktitle"),
    EntryType("collection", "collection", "collection", "book", "EDBOOK", "book"),
    EntryType("phdthesis", "phdthesis", "phdthesis", "thesis", "THES", "thesis"),
    EntryType("mastersthesis", "mastersthesis", "mastersthesis", "thesis", "THES", "thesis"),
    EntryType("thesis", "thesis", "thesis", "thesis", "THES", "thesis"),
    EntryType("techreport", "techreport", "techreport", "report", "RPRT", "report"),
    EntryType("report", "report", "report", "report", "RPRT", "report"),
    EntryType("manual", "manual", "manual", "book", "BOOK", "book"),
    EntryType("booklet", "booklet", "booklet", "pamphlet", "PAMP", "book"),
    EntryType("misc", "misc", "misc", "document", "GEN", "document"),
    EntryType("online", "misc", "online", "webpage", "ELEC", "webpage",
              doc="web pages, and the awesome-lists themselves"),
    # Zotero refuses a whole CSL-JSON file that holds one `software` item: `webpage` with
    # genre "Computer software" instead (RIS and biblatex carry the software type).
    EntryType("software", "misc", "software", "webpage", "COMP", "computerProgram",
              software=True),
    # biblatex-software's types for a version, a module and a fragment of a program (biber
    # keeps them; styles without that package print them as @misc). Zotero's BibTeX
    # import skips them, as it skips @standard.
    EntryType("softwareversion", "misc", "softwareversion", "webpage", "COMP", "",
              software=True),
    EntryType("softwaremodule", "misc", "softwaremodule", "webpage", "COMP", "",
              software=True),
    EntryType("codefragment", "misc", "codefragment", "webpage", "COMP", "", software=True),
    # Zotero's BibTeX import skips @dataset entries (its RIS import reads DATA).
    EntryType("dataset", "misc", "dataset", "dataset", "DATA", ""),
    EntryType("unpublished", "unpublished", "unpublished", "manuscript", "UNPB", "manuscript"),
    EntryType("patent", "patent", "patent", "patent", "PAT", "patent"),
    EntryType("standard", "misc", "standard", "standard", "STAND", ""),
    # biblatex's types that its standard styles print as @misc but other styles (APA,
    # Chicago) and biber keep: works of art and media, legal texts, letters, reviews.
    # Kept as given in both flavours, like @standard; Zotero reads those it knows.
    EntryType("artwork", "misc", "artwork", "graphic", "ART", "artwork"),
    EntryType("image", "misc", "image", "graphic", "ART", ""),
    EntryType("audio", "misc", "audio", "song", "SOUND", "audioRecording"),
    EntryType("music", "misc", "music", "song", "MUSIC", ""),
    EntryType("video", "misc", "video", "motion_picture", "VIDEO", "videoRecording"),
    EntryType("movie", "misc", "movie", "motion_picture", "MPCT", "film"),
    EntryType("performance", "misc", "performance", "performance", "GEN", ""),
    EntryType("letter", "misc", "letter", "personal_communication", "PCOMM", "letter"),
    EntryType("legislation", "misc", "legislation", "legislation", "BILL", "bill"),
    EntryType("jurisdiction", "misc", "jurisdiction", "legal_case", "CASE", "case"),
    EntryType("legal", "misc", "legal", "treaty", "LEGAL", ""),
    EntryType("review", "misc", "review", "review", "GEN", ""),
    EntryType("commentary", "misc", "commentary", "document", "GEN", ""),
    EntryType("bibnote", "misc", "bibnote", "document", "GEN", ""),
    # An arXiv-only paper: `@unpublished` with its eprint in both flavours (Zotero reads
    # a manuscript, not a web page), CSL `article` with the id as its number. Without an
    # arXiv id the BibTeX writers write @misc (`exporters.bibtex.entry_type`).
    EntryType("preprint", "unpublished", "unpublished", "article", "MANSCPT", "manuscript"),
    # biblatex's multi-volume works, books within books, supplements, reference works and
    # whole issues of a journal.
    EntryType("mvbook", "book", "mvbook", "book", "BOOK", "book", in_bibtex=False),
    EntryType("mvcollection", "collection", "mvcollection", "book", "EDBOOK", "book",
              in_bibtex=False),
    EntryType("mvproceedings", "proceedings", "mvproceedings", "book", "BOOK", "book",
              in_bibtex=False),
    EntryType("bookinbook", "inbook", "bookinbook", "chapter", "CHAP", "bookSection",
              "booktitle", in_bibtex=False),
    EntryType("suppbook", "inbook", "suppbook", "chapter", "CHAP", "bookSection", "booktitle",
              in_bibtex=False),
    EntryType("suppcollection", "incollection", "suppcollection", "chapter", "CHAP",
              "bookSection", "booktitle", in_bibtex=False),
    EntryType("reference", "collection", "reference", "book", "BOOK", "book", in_bibtex=False),
    EntryType("mvreference", "collection", "mvreference", "book", "BOOK", "book",
              in_bibtex=False),
    EntryType("inreference", "incollection", "inreference", "entry-encyclopedia", "ENCYC",
              "bookSection", "booktitle", in_bibtex=False),
    EntryType("periodical", "misc", "periodical", "periodical", "JFULL", "document",
              in_bibtex=False),
    EntryType("suppperiodical", "article", "suppperiodical", "article-journal", "JOUR",
              "journalArticle", "journal", in_bibtex=False),
)}
# Names other tools use for a type above: read as that type (documented normalisation).
TYPE_ALIASES = {"conference": "inproceedings", "electronic": "online", "www": "online",
                "webpage": "online"}


def field_names(flavour: str) -> dict[str, Field]:
    """BibTeX or biblatex field name -> its row, for the rows with one name there."""
    out: dict[str, Field] = {}
    for row in FIELDS:
        name = getattr(row, flavour)
        if name:
            for each in name.split("|"):
                out.setdefault(each, row)
    return out

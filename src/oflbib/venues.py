"""The one venue table: every venue tag of the list -> its canonical record.

Importers parse tags (`NSDI'23`, `NeurIPS '22`, `arXiv preprint arXiv:2103.13262`) with
`parse_venue_tag`; exporters ask the venue for the proceedings or journal name, entry
type and publisher. Every year of a series is named in one style: a conference's
proceedings as `Series name (SHORT year)`, a journal by its name alone, so a reference
list never mixes "(NSDI 23)" with ", NSDI 2022". A year another publisher printed is an
`Edition` (its source named). Publisher spellings are made one by `canonical_publisher`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

CONFERENCE = "conference"
JOURNAL = "journal"
PREPRINT_SERVER = "preprint server"


@dataclass(frozen=True)
class Edition:
    """A year of a venue whose publisher is not the series' usual one."""

    publisher: str
    source: str


@dataclass(frozen=True)
class Venue:
    id: str
    short: str
    name: str
    category: str  # CONFERENCE, JOURNAL or PREPRINT_SERVER
    publisher: str | None
    aliases: tuple[str, ...] = ()
    editions: dict[int, Edition] = field(default_factory=dict)
    # The book series a conference's proceedings appear in, numbered by `volume`
    # (PMLR for ICML): BibTeX `series`, CSL `collection-title`.
    series: str | None = None

    def container(self, year: int | None) -> str:
        """The proceedings or journal name for that year, in the series' one style."""
        if self.category != CONFERENCE or not year:
            return self.name
        return f"{self.name} ({self.short} {year})"

    def publisher_for(self, year: int | None) -> str | None:
        edition = self.editions.get(year) if year else None
        return edition.publisher if edition else self.publisher


_USENIX = "USENIX Association"
_ACM = "ACM"
_IEEE = "IEEE"

# Spellings of one publisher (folded: lower case, no punctuation) -> its one name.
_PUBLISHER_NAMES = {
    "acm": _ACM, "association for computing machinery": _ACM,
    "association for computing machinery inc": _ACM, "acm press": _ACM,
    "ieee": _IEEE, "institute of electrical and electronics engineers": _IEEE,
    "institute of electrical and electronics engineers inc": _IEEE,
    "usenix": _USENIX, "usenix association": _USENIX,
    "curran associates": "Curran Associates, Inc.", "curran associates inc": "Curran Associates, Inc.",
    "pmlr": "PMLR", "proceedings of machine learning research": "PMLR",
    "openreviewnet": "OpenReview.net", "openreview": "OpenReview.net",
}


@lru_cache(maxsize=1 << 12)  # a catalog names the same few publishers again and again
def canonical_publisher(name: str | None) -> str | None:
    """One spelling per publisher (`Association for Computing Machinery, Inc` -> ACM);
    a publisher the table does not know is kept as given."""
    if not name:
        return name
    return _PUBLISHER_NAMES.get(re.sub(r"[^a-z ]", "", name.lower()).strip(), name)

VENUES: dict[str, Venue] = {
    v.id: v
    for v in [
        Venue("NSDI", "NSDI", "USENIX Symposium on Networked Systems Design and Implementation",
              CONFERENCE, _USENIX),
        Venue("OSDI", "OSDI", "USENIX Symposium on Operating Systems Design and Implementation",
              CONFERENCE, _USENIX),
        Venue("ATC", "USENIX ATC", "USENIX Annual Technical Conference", CONFERENCE, _USENIX,
              aliases=("USENIX ATC", "USENIXATC")),
        Venue("FAST", "FAST", "USENIX Conference on File and Storage Technologies",
              CONFERENCE, _USENIX),
        Venue("SOSP", "SOSP", "ACM Symposium on Operating Systems Principles", CONFERENCE, _ACM),
        Venue("ASPLOS", "ASPLOS", "ACM International Conference on Architectural Support for "
              "Programming Languages and Operating Systems", CONFERENCE, _ACM),
        Venue("EuroSys", "EuroSys", "European Conference on Computer Systems", CONFERENCE, _ACM),
        Venue("SIGCOMM", "SIGCOMM", "ACM SIGCOMM Conference", CONFERENCE, _ACM),
        Venue("PPoPP", "PPoPP", "ACM SIGPLAN Symposium on Principles and Practice of Parallel "
              "Programming", CONFERENCE, _ACM),
        Venue("SoCC", "SoCC", "ACM Symposium on Cloud Computing", CONFERENCE, _ACM),
        Venue("SIGMETRICS", "SIGMETRICS", "Proceedings of the ACM on Measurement and Analysis of "
              "Computing Systems", JOURNAL, _ACM),
        Venue("HPCA", "HPCA", "IEEE International Symposium on High-Performance Computer "
              "Architecture", CONFERENCE, _IEEE),
        Venue("SC", "SC", "International Conference for High Performance Computing, Networking, "
              "Storage and Analysis", CONFERENCE, None),
        Venue("VLDB", "VLDB", "Proceedings of the VLDB Endowment", JOURNAL, "VLDB Endowment",
              aliases=("PVLDB",)),
        Venue("TC", "IEEE TC", "IEEE Transactions on Computers", JOURNAL, _IEEE),
        Venue("TPDS", "IEEE TPDS", "IEEE Transactions on Parallel and Distributed Systems",
              JOURNAL, _IEEE),
        Venue("NeurIPS", "NeurIPS", "Advances in Neural Information Processing Systems",
              CONFERENCE, "Curran Associates, Inc.", aliases=("NIPS",)),
        Venue("ICML", "ICML", "International Conference on Machine Learning", CONFERENCE, "PMLR",
              series="Proceedings of Machine Learning Research"),
        Venue("ICLR", "ICLR", "International Conference on Learning Representations",
              CONFERENCE, "OpenReview.net"),
        Venue("MLSys", "MLSys", "Proceedings of Machine Learning and Systems", CONFERENCE,
              "mlsys.org"),
        Venue("ICPP", "ICPP", "International Conference on Parallel Processing", CONFERENCE,
              _ACM),
        Venue("ACL-Findings", "Findings of ACL", "Findings of the Association for Computational "
              "Linguistics", CONFERENCE, "Association for Computational Linguistics"),
        Venue("arXiv", "arXiv", "arXiv", PREPRINT_SERVER, "arXiv"),
        # Venues other paper lists cite; each full name (and publisher, where one is given)
        # as the file named after it shows it. A tag the table lacks is still read as a tag.
        Venue("AAAI", "AAAI", "AAAI Conference on Artificial Intelligence", CONFERENCE,
              None),  # tests/corpus/bib/scopus-export.bib:554
        Venue("IJCAI", "IJCAI", "International Joint Conference on Artificial Intelligence",
              CONFERENCE, None),  # tests/corpus/bib/scopus-export.bib:3746
        Venue("AISTATS", "AISTATS", "Artificial Intelligence and Statistics", CONFERENCE,
              None),  # tests/corpus/lists/fl-graph-tabular.md:251
        Venue("UAI", "UAI", "Conference on Uncertainty in Artificial Intelligence", CONFERENCE,
              None),  # tests/corpus/lists/fl-graph-tabular.md:352
        Venue("KDD", "KDD", "ACM SIGKDD Conference on Knowledge Discovery and Data Mining",
              CONFERENCE, _ACM),  # tests/corpus/bib/acm-dl-export.bib:483
        Venue("WSDM", "WSDM", "International Conference on Web Search and Data Mining",
              CONFERENCE, _ACM),  # tests/corpus/bib/acm-dl-export.bib:501
        Venue("CVPR", "CVPR", "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
              CONFERENCE, None),  # tests/corpus/bib/zotero-ieee-items.bib:172
        Venue("ICCV", "ICCV", "IEEE International Conference on Computer Vision", CONFERENCE,
              None),  # tests/corpus/lists/fl-graph-tabular.md:595
        Venue("ECCV", "ECCV", "European Conference on Computer Vision", CONFERENCE,
              None),  # tests/corpus/bib/gscholar-top100.bib:38
        Venue("MM", "MM", "ACM International Conference on Multimedia", CONFERENCE,
              _ACM),  # tests/corpus/bib/acm-dl-export.bib:122
        Venue("ACL", "ACL", "Annual Meeting of the Association for Computational Linguistics",
              CONFERENCE, None),  # tests/corpus/bib/scopus-export.bib:3632
        Venue("EMNLP", "EMNLP", "Conference on Empirical Methods in Natural Language Processing",
              CONFERENCE, None),  # tests/corpus/lists/fl-graph-tabular.md:641
        Venue("NAACL", "NAACL", "Conference of the North American Chapter of the Association "
              "for Computational Linguistics", CONFERENCE, None),
        # ^ tests/fixtures/crossref/works-query.title-augmenting_large_language_models_with_chemistry_tools-rows1.json
        Venue("WWW", "WWW", "The Web Conference", CONFERENCE,
              None),  # tests/corpus/lists/fl-graph-tabular.md:729
        Venue("SIGIR", "SIGIR", "International ACM SIGIR Conference on Research and Development "
              "in Information Retrieval", CONFERENCE, _ACM),  # tests/corpus/bib/acm-dl-export.bib:519
        Venue("SIGMOD", "SIGMOD", "ACM SIGMOD International Conference on Management of Data",
              CONFERENCE, _ACM),  # tests/corpus/bib/thesis2021-dblp.bib:428
        Venue("ICDE", "ICDE", "IEEE International Conference on Data Engineering", CONFERENCE,
              None),  # tests/corpus/lists/fl-graph-tabular.md:693
        Venue("INFOCOM", "INFOCOM", "IEEE Conference on Computer Communications", CONFERENCE,
              None),  # tests/corpus/lists/fl-graph-tabular.md:729
        Venue("MobiCom", "MobiCom", "ACM/IEEE International Conference on Mobile Computing and "
              "Networking", CONFERENCE, None),  # tests/corpus/lists/fl-graph-tabular.md:729
        Venue("ISCA", "ISCA", "International Symposium on Computer Architecture", CONFERENCE,
              None),  # tests/corpus/bib/gscholar-top100.bib:690
        Venue("MICRO", "MICRO", "Annual International Symposium on Microarchitecture",
              CONFERENCE, None),  # tests/corpus/bib/scopus-export.bib:3355
        Venue("CCS", "CCS", "Conference on Computer and Communications Security", CONFERENCE,
              None),  # tests/corpus/lists/fl-graph-tabular.md:564
        Venue("SP", "S&P", "IEEE Symposium on Security and Privacy", CONFERENCE, None,
              aliases=("S&P",)),  # tests/corpus/lists/fl-graph-tabular.md:564
        Venue("USENIX-Security", "USENIX Security", "USENIX Security Symposium", CONFERENCE,
              _USENIX),  # tests/corpus/bib/jabref-complex.bib:260
        Venue("NDSS", "NDSS", "Network and Distributed System Security Symposium", CONFERENCE,
              None),  # tests/corpus/lists/fl-graph-tabular.md:564
        Venue("DAC", "DAC", "ACM/IEEE Design Automation Conference", CONFERENCE,
              None),  # tests/corpus/bib/zotero-ieee-items.bib:127
        Venue("TPAMI", "TPAMI", "IEEE Transactions on Pattern Analysis and Machine "
              "Intelligence", JOURNAL, None),  # tests/corpus/bib/wos-export-bom.bib:3468
        Venue("TNNLS", "TNNLS", "IEEE Transactions on Neural Networks and Learning Systems",
              JOURNAL, None),  # tests/corpus/bib/wos-export-bom.bib:627
        Venue("TIFS", "TIFS", "IEEE Transactions on Information Forensics and Security",
              JOURNAL, None),  # tests/corpus/bib/wos-export-bom.bib:5
        Venue("TMC", "TMC", "IEEE Transactions on Mobile Computing", JOURNAL,
              None),  # tests/corpus/bib/wos-export-bom.bib:3766
        Venue("JMLR", "JMLR", "Journal of Machine Learning Research", JOURNAL,
              None),  # tests/corpus/bib/gscholar-top100.bib:76
        Venue("TMLR", "TMLR", "Transactions on Machine Learning Research", JOURNAL,
              None),  # tests/corpus/bib/scopus-export.bib:3372
    ]
}

# Years whose proceedings another publisher printed, as the pages named in `source` say.
_EDITIONS: dict[str, dict[int, Edition]] = {
    'SC': {
        2021: Edition('ACM', 'https://awesomes.directory/MachineLearningSystem/Chimera'),
        2022: Edition('IEEE Computer Society', 'https://research.buaa.edu.cn/en/publications/cognn-efficient-scheduling-for-concurrent-gnn-training-on-gpus'),
    },
}
for _id, _editions in _EDITIONS.items():
    VENUES[_id].editions.update(_editions)

_BY_ALIAS: dict[str, Venue] = {}
for _venue in VENUES.values():
    for _name in (_venue.id, _venue.short, *_venue.aliases):
        _BY_ALIAS[re.sub(r"[^a-z]", "", _name.lower())] = _venue


def lookup_venue(name: str) -> Venue | None:
    """The venue record for a tag's name part, in any spelling (`Eurosys`, `PPOPP`, `MLSYS`)."""
    return _BY_ALIAS.get(re.sub(r"[^a-z]", "", name.lower()))


@dataclass(frozen=True)
class VenueTag:
    """What a list's venue tag says: a venue, maybe a year, maybe an arXiv id."""

    venue: str | None
    year: int | None = None
    arxiv: str | None = None


_TAG = re.compile(r"^(?P<name>[A-Za-z][A-Za-z -]*?)\s*['\u2019]\s*(?P<yy>\d{2})$")
# `arXiv`, `arXiv preprint`, `arXiv preprint arXiv:2103.13262`, `arXiv:2103.13262`,
# `arXiv 2103.13262v2`: the spellings lists use for a preprint and its id.
_ARXIV_TAG = re.compile(r"^arxiv(?:\s+preprint)?(?:(?:\s+arxiv)?(?:\s*:\s*|\s+)"
                        r"(?P<id>\d{4}\.\d{4,5})(?:v\d+)?)?$", re.I)


def arxiv_year(arxiv_id: str) -> int | None:
    """The year a new-style arXiv id was submitted (`2103.13262` -> 2021)."""
    match = re.match(r"^(\d{2})(\d{2})\.\d{4,5}", arxiv_id)
    return 2000 + int(match.group(1)) if match else None


def parse_venue_tag(tag: str) -> VenueTag | None:
    """Parse a list's venue tag; None when the tag names no venue we know."""
    tag = " ".join(tag.split())
    arxiv_match = _ARXIV_TAG.match(tag)
    if arxiv_match:
        arxiv_id = arxiv_match.group("id")
        return VenueTag("arXiv", arxiv_year(arxiv_id) if arxiv_id else None, arxiv_id)
    match = _TAG.match(tag)
    if not match:
        return None
    venue = lookup_venue(match.group("name"))
    if venue is None:
        return None
    return VenueTag(venue.id, 2000 + int(match.group("yy")))


def format_venue_tag(venue: str | None, year: int | None) -> str:
    """The list's own tag style (`NSDI'23`) for a venue id and year; inverse of parse."""
    if not venue:
        return ""
    known = VENUES.get(venue)
    short = known.id if known else venue
    if known and known.category == PREPRINT_SERVER:
        return "arXiv"
    return f"{short}'{year % 100:02d}" if year else short


# ---- venue mentions in free text ----------------------------------------------------------
# Lists write a venue in many ways besides their own tag style: `(NSDI 2023)`, `[OSDI'24]`,
# `**MLSys '21**`, `In Proc. of SC 2021`, `AAAI-21`, `ICLR 2020.`, `OSDI20`, `NSDI, 2023`,
# `2023 NSDI`. A mention is one to three words the table knows, with a year right after it
# (or a four-digit one right before); without a year only the table's own spelling or
# capitals count, so the word "Fast" in a title is not the FAST conference.
_WORD = re.compile(r"[A-Za-z][A-Za-z&]*(?:-[A-Za-z][A-Za-z&]*)*|['\u2019]\s?\d{2}\b|"
                   r"(?:19|20)\d{2}\b|-\d{2}\b|(?<=[A-Za-z])\d{2}\b|\S")
# (`USENIX-Security` is one word; `OSDI20` a name and its year.)
_YEAR_TOKEN = re.compile(r"^(?:['\u2019]\s?\d{2}|-\d{2}|\d{2}|(?:19|20)\d{2})$")
_FULL_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_ARXIV_ID = re.compile(r"arXiv:\s*(\d{4}\.\d{4,5})", re.I)
_MAX_WORDS = 3


def _year_of(token: str) -> int:
    digits = token.lstrip("'\u2019- ")
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _spelled_as_table(words: list[str], venue: Venue) -> bool:
    text = " ".join(words)
    return text in (venue.id, venue.short, *venue.aliases) or \
        (len(text) > 2 and text.isupper() and text.isalpha())


def find_venue(text: str) -> VenueTag | None:
    """The first venue the text mentions (a mention with a year wins over one without),
    or None. Linear in the text: each word is tried as the start of at most three."""
    exact = parse_venue_tag(text) if len(text) < 80 else None
    if exact is not None:
        return exact
    tokens = [(m.group(), m.start()) for m in _WORD.finditer(text)]
    bare: VenueTag | None = None
    for i, (token, _) in enumerate(tokens):
        if not token[0].isalpha():
            continue
        words: list[str] = []
        for j in range(i, min(i + _MAX_WORDS, len(tokens))):
            if not tokens[j][0][0].isalpha():
                break
            words.append(tokens[j][0])
            venue = lookup_venue("".join(words))
            if venue is None:
                continue
            after = tokens[j + 1][0] if j + 1 < len(tokens) else ""
            if after == "," and j + 2 < len(tokens) and _FULL_YEAR.match(tokens[j + 2][0]):
                after = tokens[j + 2][0]  # `NSDI, 2023`
            before = tokens[i - 1][0] if i else ""
            if not _YEAR_TOKEN.match(after) and _FULL_YEAR.match(before):
                after = before  # `2023 NSDI`
            if venue.category == PREPRINT_SERVER:
                arxiv_id = _ARXIV_ID.search(text, tokens[i][1])
                found_id = arxiv_id.group(1) if arxiv_id else None
                year = _year_of(after) if _YEAR_TOKEN.match(after) else None
                return VenueTag(venue.id, year or (arxiv_year(found_id) if found_id else None),
                                found_id)
            if _YEAR_TOKEN.match(after):
                return VenueTag(venue.id, _year_of(after))
            if bare is None and _spelled_as_table(words, venue):
                bare = VenueTag(venue.id)
    return bare

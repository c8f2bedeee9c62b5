"""dblp: the publication search API (`/search/publ/api?format=json`) and record BibTeX
(`/rec/KEY.bib`), through httpx2 (the HTTP library habanero already brings).

dblp lists the USENIX, NeurIPS, ICML, ICLR and MLSys papers Crossref has no record of, with
complete author names, venue, year and pages, and its CoRR records give arXiv ids. Its
etiquette: at least a second between requests, 429 with `Retry-After` when over the limit.
A query by venue and year (`NSDI 2023`) returns a whole proceedings' candidates at once, so
the engine asks one question per venue-year of the list and searches titles only for the
papers that question did not settle. The JSON is irregular (see FORMAT.md of the dblp
fixtures): numbers are strings, one author is an object and several a list, `hit` is absent
when nothing matched, titles end in `.` with XML entities left in, and homonymous authors
carry a four-digit suffix (`Wei Wang 0001`) that is dblp's, not the name's.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from collections.abc import Mapping, Sequence
from typing import Any

from oflbib.model import Person
from oflbib.resolvers.base import (
    PREPRINT, PUBLISHED, Fields, Raw, Record, normal_pages, person_from_name,
)
from oflbib.resolvers.bounds import BoundedClient, BrokenAnswer, parse_json
from oflbib.resolvers.identifiers import bare_arxiv, normal_doi
from oflbib.resolvers.manners import (
    Failure, PoliteSource, RetryPolicy, Timing, failure_for_status, network_failure_of,
    one_at_a_time,
)
from oflbib.resolvers.matching import MIN_NAME, Query, comparable_title, split_name
from oflbib.resolvers.venuetext import venue_in_text
from oflbib.text import fold_space
from oflbib.venues import lookup_venue

DBLP_DELAY = 1.0  # dblp's crawling etiquette: at least one second between requests
HITS_PER_TITLE = 10  # candidates per title search: enough to see a runner-up
HITS_PER_PROCEEDINGS = 1000  # dblp's most per request: most proceedings at once
# The most hits a question is read to: dblp pages no further than 10,000, and one answer
# must fit in what the cache keeps of it (bounds.MAX_BODY; a hit is about a kilobyte),
# or every run would ask it again. The largest proceedings hold about 5,000 papers.
MAX_HITS = 5000
NAMES_PER_QUESTION = 10  # one-word names ORed into one question (`dapple|terapipe`)

# How dblp names the venues of the venue table, where it differs from the venue's short
# name; and the venues whose name alone is too common a word prefix (`SC` finds `scalable`)
# to ask for a whole proceedings by it.
DBLP_VENUE_NAMES = {
    "ATC": "USENIX ATC", "VLDB": "Proc. VLDB Endow.", "TC": "IEEE Trans. Computers",
    "TPDS": "IEEE Trans. Parallel Distributed Syst.",
    "SIGMETRICS": "Proc. ACM Meas. Anal. Comput. Syst.", "ACL-Findings": "ACL (Findings)",
}
NO_PROCEEDINGS_QUERY = {"SC", "TC", "arXiv"}
_DBLP_VENUE_IDS = {name.casefold(): venue for venue, name in DBLP_VENUE_NAMES.items()} | {
    "usenix annual technical conference": "ATC", "pvldb": "VLDB", "nips": "NeurIPS",
    "findings of acl": "ACL-Findings"}

CORR = "CoRR"
_HOMONYM = re.compile(r"\s+\d{4}$")


def venue_query(venue: str) -> str | None:
    """The words that ask dblp for a venue's proceedings, or None when they would not."""
    if venue in NO_PROCEEDINGS_QUERY:
        return None
    return DBLP_VENUE_NAMES.get(venue, venue)


@lru_cache(maxsize=4096)  # a proceedings' records all name the same venue
def venue_of(text: str | None) -> str | None:
    """The venue table's id for dblp's venue text (`NSDI`, `ASPLOS (2)`, `USENIX ATC`)."""
    if not text:
        return None
    if text.casefold() in _DBLP_VENUE_IDS:
        return _DBLP_VENUE_IDS[text.casefold()]
    plain = re.sub(r"\s*\([^)]*\)\s*", " ", text).strip()
    venue = lookup_venue(plain) if plain else None
    if venue is not None and venue.id != "arXiv":
        return venue.id
    mention = venue_in_text(text)
    return mention.venue if mention else None


# ---- records ---------------------------------------------------------------------------

def _listed(value: Any) -> list[Any]:
    """dblp sends one item as itself and several as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def person_from_homonym(name: str) -> Person:
    """dblp gives `Given Family`, with a homonym number (`Wei Wang 0001`) to drop."""
    return person_from_name(_HOMONYM.sub("", fold_space(html.unescape(name))))


def _title(text: str) -> str:
    title = fold_space(html.unescape(text))
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title


def _first(value: Any) -> str | None:
    items = [str(v) for v in _listed(value) if v]
    return items[0] if items else None


def arxiv_of(info: Mapping[str, Any]) -> str | None:
    """The arXiv id of a CoRR record (`volume: abs/2103.13262`, or its DOI 10.48550/...)."""
    if _first(info.get("venue")) != CORR:
        return None
    volume = str(info.get("volume") or "")
    if volume.startswith("abs/"):
        return bare_arxiv(volume[4:])
    return bare_arxiv(str(info.get("doi") or ""))


def record_from_info(info: Any, base_url: str) -> Record:
    """The catalog's view of a hit's `info` (or of a record's BibTeX, read into that shape).
    Any JSON value gives a Record (what cannot be read is listed in its `problems`)."""
    fields = Fields(info)
    raw = fields.raw
    people = raw.get("authors")
    names = [fields.text("author", a.get("text") if isinstance(a, Mapping) else a)
             for a in _listed(people.get("author") if isinstance(people, dict) else None)]
    if None in names:
        fields.problems.append("an author has no readable name: authors left out")
        names = []
    arxiv_id = arxiv_of(raw)
    year = fields.text("year", number=True) or ""
    if year and not re.fullmatch(r"\d{1,4}", year):
        fields.refuse("year", year, "is not a year")
    doi = normal_doi(fields.text("doi") or "")
    key = fields.text("key") or ""
    return Record(
        source="dblp", role=PREPRINT if arxiv_id else PUBLISHED,
        url=f"{base_url}/rec/{key}", title=_title(fields.text("title") or ""),
        authors=tuple(person_from_homonym(a) for a in names if a),
        year=int(year) if re.fullmatch(r"\d{1,4}", year) else None,
        work_type="preprint" if arxiv_id else _WORK_TYPES.get(fields.text("type") or "",
                                                             "other"),
        venue="arXiv" if arxiv_id else venue_of(fields.text("venue", _first(raw.get("venue")))),
        volume=None if arxiv_id else fields.text("volume", number=True),
        number=fields.text("number", number=True),
        pages=normal_pages(fields.text("pages", number=True)),
        doi=None if arxiv_id or (doi or "").lower().startswith("10.48550/") else doi,
        arxiv=arxiv_id, dblp=key or None, problems=tuple(fields.problems),
    )


# dblp's record types, as the matcher's kinds of work (matching.PAPER_TYPES).
_WORK_TYPES = {"Conference and Workshop Papers": "proceedings-article",
               "Journal Articles": "journal-article",
               "Parts in Books or Collections": "book-chapter",
               "Informal and Other Publications": "preprint",
               "Books and Theses": "book", "Editorship": "proceedings",
               "Reference Works": "reference-entry", "Data and Artifacts": "dataset"}
_BIB_TYPES = {"inproceedings": "Conference and Workshop Papers", "article": "Journal Articles",
              "incollection": "Parts in Books or Collections", "book": "Books and Theses",
              "proceedings": "Editorship", "misc": "Informal and Other Publications"}


def info_from_bibtex(text: str, key: str) -> Raw | None:
    """A `/rec/KEY.bib` answer in the shape of a search hit's `info`."""
    import bibtexparser

    library = bibtexparser.parse_string(text)
    if not library.entries:
        return None
    entry = library.entries[0]
    fields = {f.key.lower(): fold_space(str(f.value)) for f in entry.fields}
    authors = [name.strip() for name in re.split(r"\s+and\s+", fields.get("author", ""))
               if name.strip()]
    venue = fields.get("booktitle") or fields.get("journal") or fields.get("series")
    if fields.get("journal") == "CoRR" or str(fields.get("eprinttype", "")).lower() == "arxiv":
        venue = CORR
    info: Raw = {"authors": {"author": [{"text": a} for a in authors]},
                 "title": fields.get("title", "").replace("{", "").replace("}", ""),
                 "venue": venue, "year": fields.get("year"), "pages": fields.get("pages"),
                 "volume": fields.get("volume"), "number": fields.get("number"),
                 "doi": fields.get("doi"), "key": key,
                 "type": _BIB_TYPES.get(entry.entry_type.lower(), "")}
    if venue == CORR and fields.get("eprint"):
        info["volume"] = f"abs/{fields['eprint']}"
    return {k: v for k, v in info.items() if v not in (None, "")}


def _hits(answer: Any) -> tuple[list[Raw], int]:
    """The `info` of each hit, and how many hits the query has in all (`@total`, a string
    like every dblp number); JSON of another shape is a broken answer, not a crash."""
    result = answer.get("result") if isinstance(answer, dict) else None
    hits = result.get("hits") if isinstance(result, dict) else None
    if not isinstance(hits, dict):
        raise BrokenAnswer("dblp answered JSON that is not a search result", retryable=False)
    infos = [hit["info"] for hit in _listed(hits.get("hit"))
             if isinstance(hit, dict) and isinstance(hit.get("info"), dict)]
    total = str(hits.get("@total", ""))
    return infos, int(total) if total.isdigit() and len(total) < 10 else len(infos)


# ---- the source ------------------------------------------------------------------------

class DblpSource(PoliteSource):
    name = "dblp"
    role = PUBLISHED
    id_kind = "dblp"
    ids_per_request = 1  # one record per /rec/KEY.bib
    titles_per_request = 1
    parallel = 1

    def __init__(self, base_url: str, *, user_agent: str, timeout: float, timing: Timing,
                 delay: float = DBLP_DELAY, policy: RetryPolicy | None = None) -> None:
        super().__init__(base_url.rstrip("/"), user_agent=user_agent, timeout=timeout,
                         timing=timing, pace=one_at_a_time(delay), policy=policy)
        self.base_url = self.endpoint

    def _make_client(self) -> BoundedClient:
        return BoundedClient(self.timeout, self._timing.check)

    def _get(self, path: str, params: Mapping[str, str], *, json_body: bool) -> Any:
        client = self._http()

        def attempt() -> Any:
            try:
                response = client.get(self.base_url + path, params=dict(params),
                                      headers={"User-Agent": self.user_agent})
            finally:
                self.limiter.learn(None)
            if not response.is_success:
                # A 404 too: dblp's answer for an unknown key was never recorded, and a
                # wrong address answers the same; an error is never "no such record".
                raise _Status(response.status_code, dict(response.headers))
            content_type = response.headers.get("content-type", "")
            wanted = "json" if json_body else "text"
            if wanted not in content_type and not (json_body is False and "bib" in content_type):
                # dblp's bot check sends an HTML page with status 200: not "no results".
                raise BrokenAnswer(f"dblp answered {content_type or 'with no content type'}, "
                                   f"not {'JSON' if json_body else 'BibTeX'}", retryable=True)
            if json_body:
                return _hits(parse_json(response.content, "dblp's answer"))
            return response.content.decode("utf-8", errors="replace")

        return self._politely(attempt)

    def _classify(self, exc: Exception) -> Failure | None:
        if isinstance(exc, _Status):
            return failure_for_status(exc.status, exc.headers)
        if isinstance(exc, BrokenAnswer):
            return Failure(str(exc), exc.retryable)
        return network_failure_of(exc, self.base_url, self.timeout)

    def _search(self, query: str, hits: int, first: int = 0) -> tuple[list[Raw], int]:
        """A page of `hits` hits from the `first`, and how many the query has in all."""
        page: tuple[list[Raw], int] = self._get(
            "/search/publ/api", {"q": query, "format": "json", "h": str(hits),
                                 "f": str(first), "c": "0"}, json_body=True)
        return page

    def _every_hit(self, query: str) -> list[Raw]:
        """Every hit of a question, page after page: a proceedings may hold more papers
        than a page. A question with more hits than MAX_HITS is not answered at all (its papers are then searched by title), since a
        paper cut off could leave its namesake to be taken for it."""
        found, total = self._search(query, HITS_PER_PROCEEDINGS)
        if total > MAX_HITS:
            return []
        while len(found) < total:
            page, _ = self._search(query, HITS_PER_PROCEEDINGS, len(found))
            if not page:
                break  # fewer than announced: dblp's count is an estimate
            found += page
        return found

    def fetch(self, ids: Sequence[str]) -> dict[str, Raw]:
        found = {}
        for key in ids:
            text = self._get(f"/rec/{key}.bib", {}, json_body=False)
            info = info_from_bibtex(text, key) if text else None
            if info:
                found[key] = info
        return found

    def search(self, titles: Sequence[str]) -> dict[str, list[Raw]]:
        return {title: self._search(comparable_title(title), HITS_PER_TITLE)[0]
                for title in titles}

    @staticmethod
    def proceedings_question(query: Query) -> str | None:
        """The question that asks for the whole proceedings of the list's venue and year."""
        words = venue_query(query.venue) if query.venue and query.year else None
        return f"{words} {query.year}" if words else None

    @staticmethod
    def name_question(query: Query, *, bare: bool = True) -> str | None:
        """The question for a system name: for a bare name (`[KungFu]`), or (not `bare`)
        any title's name, to find the published version of a preprint titled otherwise.
        The name alone: the matcher wants the venue and year or the authors to agree."""
        name, rest = split_name(query.title)
        if not name or (bare and rest) or len(comparable_title(name)) < MIN_NAME:
            return None
        return comparable_title(name)

    @staticmethod
    def any_of(questions: Sequence[str]) -> dict[str, str]:
        """Each name question -> the question that asks it: one-word names ORed in groups
        (dblp's `|`: `dapple|terapipe`), names of several words alone (`a b|c` would
        read `a and (b or c)`). The answer holds every name's records: the matcher sorts
        them out."""
        single = sorted(q for q in questions if " " not in q)
        asked = {q: q for q in questions if " " in q}
        for start in range(0, len(single), NAMES_PER_QUESTION):
            group = single[start:start + NAMES_PER_QUESTION]
            asked.update({q: "|".join(group) for q in group})
        return asked

    def ask(self, questions: Sequence[str]) -> dict[str, list[Raw]]:
        """Every record dblp finds for each question (words, all of which must match)."""
        return {question: self._every_hit(question) for question in questions}

    def record(self, raw: Raw) -> Record:
        return record_from_info(raw, self.base_url)

    def identifier_of(self, raw: Raw) -> str:
        return Fields(raw).text("key") or ""


class _Status(Exception):
    """An HTTP answer that is not a success, with what `failure_for_status` needs."""

    def __init__(self, status: int, headers: dict[str, str]) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = headers

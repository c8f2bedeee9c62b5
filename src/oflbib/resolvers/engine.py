"""Plan, fetch and decide which record at each source is each entry's.

Pass 1 runs every source side by side: identifiers the entries already have are looked up in
batches, and entries with no identifier at all are searched by title. Pass 2 follows what
pass 1 learnt (an arXiv record names the DOI of its published version) and searches by title
whatever a source still lacks. Every question goes to the cache first and every answer is
stored the moment it arrives, so nothing is asked twice and an interrupted run resumes.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from dataclasses import dataclass, field
from typing import Any, Protocol

from oflbib.model import Entry
from oflbib.resolvers import identifiers
from oflbib.resolvers.base import PUBLISHED, Record, Source, SourceError
from oflbib.resolvers.cache import ResponseCache
from oflbib.resolvers.manners import Timing
from oflbib.resolvers.matching import (
    ACCEPT, AMBIGUOUS, LEAD, MATCHED, PLAUSIBLE, MatchResult, Query, choose,
    comparable_title, family_names, match_score, names_the_code, plausibly_same_title,
    preprint_of, same_paper, same_work, twins_of,
)
from oflbib.venues import VenueTag, find_venue

RESOLVED, NOT_FOUND, FAILED = "resolved", "not found", "error"
MIN_SEARCH_WORDS = 3  # a bare system name ("KungFu") finds look-alikes, not its paper
# Requests in a row (each already retried) a source may fail, unreachable or erring, before
# the run stops asking it: a service that is down costs a few timeouts, not one per batch.
FAILURES_BEFORE_GIVING_UP = 3
# The share of the cache's life an answer of "nothing found" keeps: a new paper reaches
# the services within days, a record once there stays.
NOTHING_TTL_SHARE = 0.25


def searchable(query: Query) -> bool:
    return len(comparable_title(query.title).split()) >= MIN_SEARCH_WORDS


def list_tag(entry: Entry) -> VenueTag | None:
    """What the list's venue tag says, read as the importer reads it (`NSDI'23`,
    `(NSDI 2023)`, `In USENIX ATC 2021`, `arXiv:2103.13262`)."""
    return find_venue(entry.seed.venue) if entry.seed and entry.seed.venue else None


def _as_listed(entry: Entry, learnt: set[str], tag: VenueTag | None) -> Query:
    """The entry's query, with what sources filled in taken back to the list's text."""
    query = Query.of(entry)
    if not learnt:
        return query
    title = query.title
    if "title" in learnt and entry.seed is not None:
        from oflbib.text import clean_title

        title = clean_title(entry.seed.title)[0]
    return dataclasses.replace(
        query, title=title, year=(tag.year if tag else None) if "year" in learnt else query.year,
        authors=() if "authors" in learnt else query.authors,
        venue=(tag.venue if tag else None) if "venue" in learnt else query.venue)


def _with_talk(query: Query, urls: Sequence[str]) -> Query:
    """A USENIX presentation link says the venue and the year: what the list's line left
    out of them is taken from it."""
    from oflbib.venues import lookup_venue

    for url in urls:
        talk = identifiers.usenix_talk(url)
        venue = lookup_venue(talk[0]) if talk else None
        if talk and venue:
            return dataclasses.replace(query, year=query.year or talk[1],
                                       venue=query.venue or venue.id)
    return query


@dataclass(frozen=True)
class Want:
    """One entry as the engine sees it: what to recognise it by, and which ids it has."""

    key: str
    query: Query
    ids: dict[str, str]  # id kind (base.ID_KINDS) -> id
    own: frozenset[str]  # id kinds set on the entry itself, not read from a url or tag

    @property
    def searchable(self) -> bool:
        return searchable(self.query)

    @classmethod
    def of(cls, entry: Entry, given: dict[str, str] | None = None) -> Want:
        """`given`: ids the user typed (`oflbib add`), counted as the entry's own.

        What a source filled in is not evidence: the entry is seen as it was before any
        source spoke (the list's text, and what people wrote), so that a second run asks
        exactly the questions of the first, all of them answered by the cache."""
        from oflbib.resolvers.registry import SOURCE_NAMES

        learnt = {name for name, prov in entry.provenance.items() if prov.via in SOURCE_NAMES}
        ids: dict[str, str] = {}
        own: set[str] = set()
        tag = list_tag(entry)
        if entry.doi and "doi" not in learnt:
            ids["doi"] = entry.doi
            own.add("doi")
        if entry.arxiv and "arxiv" not in learnt:
            ids["arxiv"] = entry.arxiv
            # The importer copies the list's `arXiv:NNNN` tag here; the list can be wrong.
            if "arxiv" in entry.provenance or not (tag and tag.arxiv == entry.arxiv):
                own.add("arxiv")
        for url in entry.urls:
            for kind, read in identifiers.IN_URL.items():
                found = read(url)
                if found:
                    ids.setdefault(kind, found)
        for kind, value in (given or {}).items():
            ids[kind] = value
            own.add(kind)
        return cls(entry.key, _with_talk(_as_listed(entry, learnt, tag), entry.urls), ids,
                   frozenset(own))

    def origin(self, kind: str) -> str | None:
        """Where the id of `kind` came from, when the record it names must fit the entry's
        title: always, unless there is no title to fit (`oflbib add ID`). A wrong id, or a
        service answering with another work, must not fill the entry with another paper."""
        if not self.query.title:
            return None
        return "the entry" if kind in self.own else "the entry's link or the list's tag"


@dataclass
class Found:
    """What the sources said about one entry."""

    records: dict[str, Record] = field(default_factory=dict)  # source -> the entry's record
    searches: dict[str, MatchResult] = field(default_factory=dict)  # source -> title search
    errors: dict[str, str] = field(default_factory=dict)  # source -> why it gave no answer
    searched: dict[str, str] = field(default_factory=dict)  # source -> the title it searched
    # source -> the entry's code repository that its record's abstract links
    code: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Every plausible candidate any source's search or question offered, matched or not:
    # what the pool weighs the sources' choices against.
    candidates: list[Record] = field(default_factory=list)
    # A publication of the paper's work that no source's choice settled (rivals, or
    # ambiguous): the paper is published, so its preprint's year and `arXiv` are not its.
    unsettled: Record | None = None

    @property
    def status(self) -> str:
        if self.records:
            return RESOLVED
        if self.errors:
            return FAILED
        if any(s.status == AMBIGUOUS for s in self.searches.values()):
            return AMBIGUOUS
        return NOT_FOUND


@dataclass(frozen=True)
class Answer:
    value: Any  # what the source said: a raw record, None (no such record), or candidates
    retrieved: str  # ISO date it said so


@dataclass(frozen=True)
class Failed:
    """A question a source could not answer (its error, or a cache miss offline)."""

    message: str


class Progress(Protocol):
    def planned(self, count: int) -> None: ...

    def done(self, count: int) -> None: ...


class NoProgress:
    def planned(self, count: int) -> None:
        pass

    def done(self, count: int) -> None:
        pass


def _iso_date(epoch: float) -> str:
    return datetime.date.fromtimestamp(epoch).isoformat()


def _record(source: Source, raw: Any, retrieved: str) -> Record:
    return dataclasses.replace(source.record(raw), retrieved=retrieved)


def _chunks(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


class _Breaker:
    """Counts a source's failed requests in a row; once there are enough, it is down for
    the rest of the run. Shared by the source's worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_a_row = 0
        self.down: str | None = None  # why the run stopped asking

    def succeeded(self) -> None:
        with self._lock:
            self._in_a_row = 0

    def failed(self, err: SourceError) -> None:
        if err.status is not None and 400 <= err.status < 500 and err.status != 429:
            return  # the question's fault, not the service's
        with self._lock:
            self._in_a_row += 1
            if self._in_a_row >= FAILURES_BEFORE_GIVING_UP and self.down is None:
                self.down = (f"not asked: its last {self._in_a_row} requests failed "
                             f"(the last: {err})")


def ranked_records(found: Found) -> list[Record]:
    """The entry's records in the order they speak for it: versions of record before
    preprints, then the sources' order in the table (never the order threads finished in)."""
    from oflbib.resolvers.registry import SOURCE_NAMES

    order = {name: n for n, name in enumerate(SOURCE_NAMES)}
    return sorted(found.records.values(),
                  key=lambda r: (r.role != PUBLISHED, order.get(r.source, len(order))))


def preferred_record(found: Found) -> Record | None:
    return next(iter(ranked_records(found)), None)


def placed_record(found: Found) -> Record | None:
    """The entry's version of record that names its venue, if a source gave one: another
    source's publication would add nothing but its venue and year."""
    return next((r for r in ranked_records(found) if r.role == PUBLISHED and r.venue), None)


def _pool(found: Found, query: Query) -> None:
    """The sources' choices, pooled: a record the others do not bear out (another paper
    than theirs) is dropped. Between two papers equally borne out, the one more like the
    list's line (`match_score`) is kept when it is a match and leads clearly; otherwise
    neither is: a wrong identifier is worse than a missing one."""
    records = ranked_records(found)
    support = {id(r): sum(same_paper(r, other) for other in records) for r in records}
    score = {id(r): match_score(query, r) for r in records}
    kept: list[Record] = []
    # Most borne out first, then most like the line; the sources' order on a tie.
    for record in sorted(records, key=lambda r: (support[id(r)], score[id(r)]), reverse=True):
        rivals = [k for k in kept if not same_paper(record, k)]
        if not rivals:
            kept.append(record)
        elif any(support[id(k)] == support[id(record)] and not (
                score[id(k)] >= ACCEPT and score[id(k)] - score[id(record)] >= LEAD)
                 for k in rivals):
            kept = [k for k in kept if k not in rivals]  # nobody can tell which paper it is
    for name, record in list(found.records.items()):
        if record not in kept:
            del found.records[name]
            found.notes.append(f"{name}'s record '{record.title}' ({record.url}) is "
                               "not the paper the other sources found: ignored")
    for name, record in list(found.records.items()):
        rival = _rival(record, found.candidates, query)
        if rival is not None:
            del found.records[name]
            found.notes.append(f"{name}'s record '{record.title}' ({record.url}) is "
                               f"ignored: {rival.source} has another publication as like "
                               f"the list's line ({rival.url})")
    if found.records and all(r.role != PUBLISHED for r in found.records.values()):
        found.unsettled = next((c for c in found.candidates if c.role == PUBLISHED and any(
            same_work(c, r) for r in found.records.values())), None)
        if found.unsettled is not None:
            found.notes.append(f"published as '{found.unsettled.title}' "
                               f"({found.unsettled.url}) or otherwise: which publication is "
                               "the paper's is not settled, so its year and venue are left")


def _plausible(result: MatchResult) -> list[Record]:
    return [s.record for s in result.candidates if s.title_similarity >= PLAUSIBLE]


def _rival(record: Record, candidates: Sequence[Record], query: Query) -> Record | None:
    """A candidate of any source that is another publication than `record` (a workshop
    version, a thesis, a journal extension under the same title) and fits the list's line
    at least as well: then the line does not say which of the two it means. A source
    that knows only one of them (Crossref has no record of most USENIX papers) must not
    decide it. A preprint names no publication: it has no rival."""
    if record.role != PUBLISHED:
        return None
    # The record as every source has it: another source's record of another publication
    # (another DOI or dblp key than its twin's) is its rival too, though it may share
    # nothing with the record but the title.
    twins = [record] + [c for c in candidates if twins_of(c, record)]
    score = match_score(query, record)
    # As in `choose`: a match needs a clear lead over any other work.
    return next((c for c in candidates if c.role == PUBLISHED
                 and any(not same_paper(c, twin) for twin in twins)
                 and score - match_score(query, c) < LEAD), None)


def _note_code(want: Want, found: Found) -> None:
    """Which records' abstracts link the entry's code: a signal the match counted, kept
    for the report and the fields' provenance."""
    for name, record in sorted(found.records.items()):
        repo = names_the_code(want.query, record)
        if repo:
            found.code[name] = repo
            found.notes.append(f"{name}'s record ({record.url}) links the list's code "
                               f"repository ({repo}) in its abstract")


class Engine:
    def __init__(self, sources: Sequence[Source], cache: ResponseCache, timing: Timing, *,
                 offline: bool = False, progress: Progress | None = None) -> None:
        self.sources = list(sources)
        self.cache = cache
        self.timing = timing
        self.offline = offline
        self.progress = progress or NoProgress()
        self._breakers = {source.name: _Breaker() for source in self.sources}
        # (source, kind, question) answered in this run, from the cache or the source: what
        # a later search learns never replaces it, so the next run hears what this one did.
        self._heard: set[tuple[str, str, str]] = set()

    def run(self, wants: Sequence[Want]) -> dict[str, Found]:
        found = {want.key: Found() for want in wants}
        self._side_by_side([partial(self._source_pass, source, wants, found, None)
                            for source in self.sources])
        # Pass 2 reads what pass 1 found as it stood when pass 1 ended, never what another
        # source's pass 2 is writing: the questions must not depend on which thread ran first.
        known = {key: dataclasses.replace(f, records=dict(f.records), errors=dict(f.errors),
                                          searched=dict(f.searched))
                 for key, f in found.items()}
        self._side_by_side([partial(self._source_pass, source, wants, found, known)
                            for source in self.sources])
        for want in wants:
            _pool(found[want.key], want.query)
            _note_code(want, found[want.key])
            if not found[want.key].records and not want.ids and not want.searchable:
                found[want.key].notes.append(
                    "the title is only a name: add the paper's DOI or arXiv id to resolve it")
        return found

    def _side_by_side(self, jobs: list[Callable[[], None]]) -> None:
        with self._workers(len(jobs)) as pool:
            for future in [pool.submit(job) for job in jobs]:
                future.result()

    @contextmanager
    def _workers(self, count: int) -> Iterator[ThreadPoolExecutor]:
        pool = ThreadPoolExecutor(max_workers=max(1, count))
        try:
            yield pool
        except BaseException:
            self.timing.cancelled.set()  # Ctrl-C or a crash: every other thread stops asking
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()

    # ---- one source's share of a pass ---------------------------------------------------

    def _source_pass(self, source: Source, wants: Sequence[Want], found: dict[str, Found],
                     known: dict[str, Found] | None) -> None:
        """Pass 1 (`known` None) or pass 2 (`known`: what pass 1 found) of one source."""
        kind = source.id_kind
        lookups: dict[str, tuple[str, str | None]] = {}  # key -> (id, Want.origin)
        if known is None:
            lookups = {w.key: (w.ids[kind], w.origin(kind)) for w in wants if kind in w.ids}
            if hasattr(source, "ask"):
                # One question per venue-year of the list (`NSDI 2023`): its answer holds
                # the candidates of every paper tagged so, typos, bare names and all. Then a
                # bare name the proceedings did not settle, by name and year.
                unsettled = [w for w in wants if w.key not in lookups]
                self._take_questions(source, unsettled, found,
                                     source.proceedings_question)  # type: ignore[attr-defined]
                unsettled = [w for w in unsettled if source.name not in found[w.key].records]
                self._take_questions(source, unsettled, found,
                                     source.name_question)  # type: ignore[attr-defined]
            if hasattr(source, "code_question"):
                # A bare name with no venue to look in, that links its code: the abstracts
                # that link that code (a search by the name alone finds look-alikes). Other
                # bare names wait for pass 2: their proceedings mostly settle them.
                self._take_code_questions(source, [
                    w for w in wants if not w.ids and not w.searchable and w.query.code
                    and w.query.venue in (None, "arXiv")], found)
            searches = [(w.key, w.query) for w in wants if not w.ids and w.searchable
                        and source.name not in found[w.key].records]
        else:
            pending = [w for w in wants if source.name not in known[w.key].records
                       and source.name not in known[w.key].errors]
            for want in pending:
                learnt = self._learnt_id(known[want.key], kind)
                if learnt and learnt != want.ids.get(kind):
                    # Not checked against the title: it comes from a record accepted for the
                    # entry, and a preprint and its publication may be titled differently.
                    lookups[want.key] = (learnt, None)
            if source.role == PUBLISHED:
                # A version of record another source already gave, with its venue, needs
                # no second search.
                pending = [w for w in pending if placed_record(known[w.key]) is None]
            if hasattr(source, "ask"):
                # Asked by the system name: a paper with no version of record yet (a
                # preprint titled otherwise than its publication, a title with a typo that a
                # words search cannot find), or with no preprint (one titled otherwise than
                # the publication the list names).
                named = [w for w in wants if source.name not in known[w.key].errors
                         and not (self._learnt_id(known[w.key], "arxiv")
                                  and placed_record(known[w.key]))]
                self._take_questions(
                    source, named, found, lambda q: source.name_question(  # type: ignore
                        q, bare=False), known=known,
                    combine=source.any_of)  # type: ignore[attr-defined]
                pending = [w for w in pending if source.name not in found[w.key].records]
            if hasattr(source, "code_question"):
                # What no source settled, and the preprint of a publication no source
                # gave an arXiv id for (a preprint titled otherwise, without the system
                # name, is found by neither title nor name), asked by the code it links
                # (what pass 1 asked so, the cache answers).
                self._take_code_questions(source, [
                    w for w in pending if w.query.code
                    and not self._learnt_id(known[w.key], "arxiv")], found, known)
                pending = [w for w in pending if source.name not in found[w.key].records]
            searches = [(w.key, self._best_query(w, known[w.key])) for w in pending
                        if w.key not in lookups]
            # Searched again only by a title the first search did not use (another source's
            # record gave the published or the preprint's title).
            searches = [(key, query) for key, query in searches if searchable(query)
                        and known[key].searched.get(source.name) != comparable_title(query.title)]
        self.progress.planned(len(lookups) + len(searches))
        self._take_lookups(source, {w.key: w for w in wants}, lookups, found)
        self._take_searches(source, searches, found)

    def _take_code_questions(self, source: Source, wants: Sequence[Want],
                             found: dict[str, Found],
                             known: dict[str, Found] | None = None) -> None:
        """The records whose abstract names each want's code repository (arXiv's)."""
        self._take_questions(source, wants, found,
                             source.code_question,  # type: ignore[attr-defined]
                             known=known,
                             ask=source.search_abstracts,  # type: ignore[attr-defined]
                             kind="abstract",
                             per_request=source.abstracts_per_request)  # type: ignore

    def _take_questions(self, source: Source, wants: Sequence[Want], found: dict[str, Found],
                        question_of: Callable[[Query], str | None],
                        known: dict[str, Found] | None = None,
                        combine: Callable[[list[str]], dict[str, str]] | None = None, *,
                        ask: Callable[[Sequence[str]], dict[str, Any]] | None = None,
                        kind: str = "query", per_request: int = 1) -> None:
        """Free questions to a source that answers them (dblp's `ask`, or `ask`, which
        takes `per_request` questions at a time): each want's question, asked once however
        many wants share it (and, with `combine`, several questions as one), its
        candidates scored for every one of them (by what the sources found in pass 1,
        when `known`: a want with a version of record then takes only its preprint)."""
        groups: dict[str, list[tuple[Want, Query]]] = {}
        for want in wants:
            query = self._best_query(want, known[want.key]) if known else want.query
            question = question_of(query)
            if question:
                groups.setdefault(question, []).append((want, query))
        if combine is not None:
            asked: dict[str, list[tuple[Want, Query]]] = {}
            for question, combined in combine(sorted(groups)).items():
                asked.setdefault(combined, []).extend(groups[question])
            groups = asked
        self.progress.planned(len(groups))
        answers = self._answers(source, kind, sorted(groups),
                                ask or source.ask,  # type: ignore[attr-defined]
                                per_request, missing=[])
        for question, members in groups.items():
            answer = answers[question]
            self.progress.done(1)
            if isinstance(answer, Failed):
                for want, _ in members:  # the title searches ask again, one by one; a bare
                    if not want.searchable:  # name has none: its failure is the answer
                        found[want.key].errors.setdefault(source.name, answer.message)
                continue
            records = [_record(source, raw, answer.retrieved) for raw in answer.value]
            for want, query in members:
                published = placed_record(known[want.key]) if known else None
                if published is not None:
                    self._take_preprint(source, found[want.key], published, records)
                    continue
                result = choose(query, records)
                found[want.key].candidates += _plausible(result)
                if result.status == MATCHED and result.record is not None:
                    found[want.key].records[source.name] = result.record
                    found[want.key].searches[source.name] = result

    @staticmethod
    def _take_preprint(source: Source, found: Found, published: Record,
                       records: Sequence[Record]) -> None:
        """The preprint of the version of record among `records`: its arXiv id joins the
        source's record of the publication, or it is the source's record of the entry."""
        preprint = preprint_of(published, records)
        if preprint is None:
            return
        own = found.records.get(source.name)
        found.records[source.name] = dataclasses.replace(own, arxiv=preprint.arxiv) \
            if own is not None and own.role == PUBLISHED else preprint

    @staticmethod
    def _best_query(want: Want, found: Found) -> Query:
        """Search by the paper's real title and authors once another source has its record:
        the list's title may be a bare name, a truncation or a pre-print title."""
        record = preferred_record(found)
        if record is None:
            return want.query
        return dataclasses.replace(want.query, title=record.title,
                                   authors=tuple(family_names(record.authors)))

    @staticmethod
    def _learnt_id(found: Found, kind: str) -> str | None:
        """An id of `kind` that another source's record of the entry gives."""
        return next((r.identifier(kind) for r in ranked_records(found) if r.identifier(kind)),
                    None)

    def _take_lookups(self, source: Source, wants: dict[str, Want],
                      lookups: dict[str, tuple[str, str | None]],
                      found: dict[str, Found]) -> None:
        answers = self._answers(source, "id", sorted({i for i, _ in lookups.values()}),
                                source.fetch, source.ids_per_request, missing=None)
        for key, (ident, origin) in lookups.items():
            answer = answers[ident]
            self.progress.done(1)
            if isinstance(answer, Failed):
                found[key].errors[source.name] = answer.message
            elif answer.value is None:
                found[key].notes.append(f"{source.name} has no record {ident}")
            else:
                record = _record(source, answer.value, answer.retrieved)
                if origin and not plausibly_same_title(wants[key].query.title, record.title):
                    found[key].notes.append(f"{source.id_kind} {ident} (from {origin}) is "
                                            f"'{record.title}', not this paper: ignored")
                    continue
                found[key].records[source.name] = record

    def _take_searches(self, source: Source, searches: Sequence[tuple[str, Query]],
                       found: dict[str, Found]) -> None:
        answers = self._answers(source, "title", sorted({q.title for _, q in searches}),
                                source.search, source.titles_per_request, missing=[])
        for key, query in searches:
            answer = answers[query.title]
            self.progress.done(1)
            if isinstance(answer, Failed):
                found[key].errors[source.name] = answer.message
                continue
            result = choose(query, [_record(source, raw, answer.retrieved)
                                    for raw in answer.value])
            found[key].searches[source.name] = result
            found[key].candidates += _plausible(result)
            found[key].searched[source.name] = comparable_title(query.title)
            if result.status == MATCHED and result.record is not None:
                found[key].records[source.name] = result.record

    # ---- asking, through the cache -------------------------------------------------------

    def _answers(self, source: Source, kind: str, questions: Sequence[str],
                 ask: Callable[[Sequence[str]], dict[str, Any]], per_request: int,
                 missing: Any) -> dict[str, Answer | Failed]:
        """An answer to every question: from the cache, else from the source in batches run
        up to `source.parallel` at a time; a batch that fails answers `Failed`."""
        answers: dict[str, Answer | Failed] = {}
        todo = []
        self._heard.update((source.name, kind, question) for question in questions)
        for question in questions:
            hit = self.cache.get(source, kind, question)
            if hit is not None and not self.offline and hit.value in (None, []) \
                    and time.time() - hit.stored > NOTHING_TTL_SHARE * self.cache.ttl:
                hit = None  # "nothing found" may not hold as long: the service may add it
            if hit is not None:
                answers[question] = Answer(hit.value, _iso_date(hit.stored))
            elif self.offline:
                answers[question] = Failed(f"{source.name}: not in the cache (--offline)")
            else:
                todo.append(question)

        def ask_and_store(batch: list[str]) -> dict[str, Any]:
            # Stored by the worker as soon as it has them: an interrupted run keeps them.
            answer = self._ask(source, ask, batch, missing)
            for question, value in answer.items():
                if not isinstance(value, Failed):
                    self._store(source, kind, question, value)
            return answer

        today = _iso_date(time.time())
        for answer in self._run(source, _chunks(todo, per_request), ask_and_store):
            for question, value in answer.items():
                answers[question] = value if isinstance(value, Failed) else Answer(value, today)
        return answers

    def _run(self, source: Source, batches: list[list[str]],
             call: Callable[[list[str]], dict[str, Any]]) -> list[dict[str, Any]]:
        if len(batches) <= 1 or source.parallel <= 1:
            return [call(batch) for batch in batches]
        with self._workers(min(source.parallel, len(batches))) as pool:
            return list(pool.map(call, batches))

    def _ask(self, source: Source, ask: Callable[[Sequence[str]], dict[str, Any]],
             batch: list[str], missing: Any) -> dict[str, Any]:
        breaker = self._breakers[source.name]
        if breaker.down:
            return {question: Failed(f"{source.name}: {breaker.down}") for question in batch}
        try:
            answer = ask(batch)
        except SourceError as err:
            breaker.failed(err)
            if err.status == 400 and len(batch) > 1:  # one bad question spoils a batch: halve
                half = len(batch) // 2
                return {**self._ask(source, ask, batch[:half], missing),
                        **self._ask(source, ask, batch[half:], missing)}
            return {question: Failed(f"{source.name}: {err}") for question in batch}
        breaker.succeeded()
        return {question: answer.get(question, missing) for question in batch}

    def _store(self, source: Source, kind: str, question: str, value: Any) -> None:
        self.cache.put(source, kind, question, value)
        if kind == "title":  # candidates answer later lookups by their id too
            for raw in value:
                ident = source.identifier_of(raw)
                if (source.name, "id", ident) not in self._heard:
                    self.cache.put(source, "id", ident, raw)

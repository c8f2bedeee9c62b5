"""arXiv through the arxiv package: ids in batches (`id_list`), titles by `ti:` phrase search
with several titles ORed into one request.

arXiv asks for one request every three seconds on a single connection. The arxiv client's
own delay and retries are switched off so that this module's Limiter and retry policy (which
honour Retry-After) do the pacing; the client's requests.Session is replaced by a thin
subclass that sends our User-Agent and hands each request to the source's BoundedClient (see
`bounds`: a total deadline per request, bounded redirects and body), whose answer it gives
back to the client as a requests.Response; the response is also kept for the limiter and
for checking the feed arrived whole.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from oflbib.resolvers.base import (
    MAX_ABSTRACT, MAX_TEXT, PREPRINT, Fields, Raw, Record, person_from_name,
)
from oflbib.resolvers.bounds import BoundedClient, BrokenAnswer
from oflbib.resolvers.identifiers import bare_arxiv, normal_doi
from oflbib.resolvers.manners import (
    Failure, PoliteSource, RetryPolicy, Timing, failure_for_status, network_failure_of,
    one_at_a_time,
)
from oflbib.resolvers.matching import (
    MIN_NAME, Query, comparable_title, split_name, squeezed, title_similarity,
)
from oflbib.resolvers.venuetext import venue_in_text
from oflbib.text import fold_space

ARXIV_DELAY = 3.0  # arXiv's terms of use: no more than one request every three seconds
CANDIDATES_PER_TITLE = 5
CANDIDATE_FLOOR = 0.5  # a result this unlike a title was found for another title of the batch

_TOTAL_RESULTS = re.compile(rb"<opensearch:totalResults[^>]*>\s*(\d{1,18})\b")


def has_phrase(text: Any, phrase: str) -> bool:
    """Does `text` have the words of `phrase` (`code_question`) in a row, as arXiv's
    phrase search reads it (case and the characters between words ignored)?"""
    if not isinstance(text, str) or not phrase:
        return False
    words = " ".join(re.findall(r"\w+", text[:MAX_ABSTRACT].casefold()))
    return f" {phrase} " in f" {words} "


def raw_from_result(result: Any) -> Raw:
    """The parts of an arxiv.Result we use, as JSON for the cache."""
    return {
        "id": result.get_short_id(), "title": result.title,
        "authors": [author.name for author in result.authors],
        "published": result.published.date().isoformat(),
        "journal_ref": result.journal_ref, "doi": result.doi,
        "primary_category": result.primary_category or None,
        "summary": result.summary,  # the abstract: the code it links can confirm a match
    }


MAX_BRACE_DEPTH = 8  # groups in groups of a title's TeX; real titles nest two or three


def _brace_depth(text: str) -> int:
    depth = deepest = 0
    for match in re.finditer(r"(?<!\\)[{}]", text):
        depth += 1 if match.group() == "{" else -1
        deepest = max(deepest, depth)
    return deepest


def title_text(title: str) -> str:
    """arXiv titles are written in TeX (`$\\lambda$DNN`, `100\\%`); their text, decoded only
    when TeX is there, and with a bare `%` or `&` kept as the character it is. The decoder
    is given at most MAX_TEXT characters nested at most MAX_BRACE_DEPTH deep (`Fields`
    refuses longer titles): deeper TeX is no title, and is kept as the characters it is."""
    if not re.search(r"[$\\]", title) or _brace_depth(title) > MAX_BRACE_DEPTH:
        return fold_space(title)
    from oflbib.latex import latex_to_text

    return latex_to_text(re.sub(r"(?<!\\)([%&#])", r"\\\1", title[:MAX_TEXT]))


_DATE = re.compile(r"(\d{4})-\d{2}-\d{2}")


def record_from_raw(raw: Any) -> Record:
    """A preprint record; a journal reference that names a known venue gives venue and year.
    Any JSON value gives a Record (what cannot be read is listed in its `problems`)."""
    fields = Fields(raw)
    ident = fields.text("id") or ""
    published = fields.text("published") or ""
    dated = _DATE.match(published)
    if published and not dated:
        fields.refuse("published", published, "is not a date")
    year = int(dated.group(1)) if dated else None
    mention = venue_in_text(fields.text("journal_ref"))
    doi = fields.text("doi")
    names = [fields.text("author", name) for name in fields.items("authors")]
    if None in names:
        fields.problems.append("an author has no readable name: authors left out")
    return Record(
        source="arxiv", role=PREPRINT, url=f"https://arxiv.org/abs/{ident}",
        title=title_text(fields.text("title") or ""),
        authors=() if None in names else tuple(person_from_name(n) for n in names if n),
        year=(mention.year or year) if mention else year, work_type="preprint",
        venue=mention.venue if mention else None,
        doi=normal_doi(doi) if doi else None,
        arxiv=bare_arxiv(ident), arxiv_class=fields.text("primary_category"),
        code=fields.code("summary"), problems=tuple(fields.problems),
    )


class _SecondPage(Exception):
    """The arxiv client wanted a second page within one attempt."""


def _check_feed(response: Any, results: int) -> None:
    """Raise unless the answer is a whole Atom feed: not another format (an HTML page),
    not cut off or empty, not arXiv's sporadic empty page for a query with results."""
    content_type = response.headers.get("content-type", "")
    if "xml" not in content_type:
        raise BrokenAnswer(f"arXiv answered {content_type or 'with no content type'}, "
                           "not an Atom feed", retryable=True)
    body = response.content
    if not body.rstrip().endswith(b"</feed>"):
        raise BrokenAnswer("arXiv sent an incomplete feed", retryable=True)
    total = _TOTAL_RESULTS.search(body)
    if results == 0 and (total is None or int(total.group(1)) > 0):
        raise BrokenAnswer("arXiv sent an empty page for a query with results", retryable=True)


class ArxivSource(PoliteSource):
    name = "arxiv"
    role = PREPRINT
    id_kind = "arxiv"
    ids_per_request = 100
    titles_per_request = 10  # ORed ti:"..." phrases per request
    abstracts_per_request = 10  # ORed abs:"..." phrases per request
    parallel = 1

    def __init__(self, query_url: str, *, user_agent: str, timeout: float, timing: Timing,
                 delay: float = ARXIV_DELAY, policy: RetryPolicy | None = None) -> None:
        super().__init__(query_url, user_agent=user_agent, timeout=timeout, timing=timing,
                         pace=one_at_a_time(delay), policy=policy)
        self.query_url = query_url
        self._seen = threading.local()

    def _make_client(self) -> Any:
        import arxiv
        import requests

        source = self
        bounded = BoundedClient(self.timeout, self._timing.check)

        class PoliteSession(requests.Session):
            def request(self, method: str, url: str, **kwargs: Any) -> Any:  # type: ignore[override]
                if getattr(source._seen, "response", None) is not None:
                    raise _SecondPage()
                agent = f"{source.user_agent} arxiv.py/{arxiv.__version__}"
                answer = bounded.get(url, headers={"User-Agent": agent})
                source._seen.response = response = requests.Response()
                response.status_code = answer.status_code
                response.headers = requests.structures.CaseInsensitiveDict(answer.headers)
                response.url, response.encoding = str(answer.url), answer.encoding
                response._content = answer.content  # where requests keeps a body it read
                return response

        client = arxiv.Client(delay_seconds=0, num_retries=0)
        client.query_url_format = self.query_url + "?{}"
        client._session = PoliteSession()  # the client's only HTTP handle (no public setter)
        return client

    def _ask(self, search: Any) -> list[Raw]:
        client = self._http()

        def attempt() -> list[Raw]:
            client.page_size = search.max_results  # one page holds the whole answer
            self._seen.response = None
            results = []
            try:
                for result in client.results(search):
                    results.append(result)
            except _SecondPage:
                pass  # arXiv sent a short page; a next page would bypass the limiter
            except (ValueError, TypeError, AttributeError, LookupError) as err:
                # The feed parser reads dates and fields as it goes: a malformed entry ends
                # the answer, which is broken for every id asked (and not stored).
                raise BrokenAnswer(f"arXiv sent a feed that cannot be read ({err})"[:200],
                                   retryable=False) from err
            finally:
                response = self._seen.response
                if response is not None:
                    self.limiter.learn(response.headers)
            _check_feed(self._seen.response, len(results))
            return [raw_from_result(r) for r in results if "/api/errors" not in r.entry_id]

        return self._politely(attempt)

    def _classify(self, exc: Exception) -> Failure | None:
        import arxiv

        if isinstance(exc, arxiv.HTTPError):
            response = getattr(self._seen, "response", None)
            # (not `if response`: a requests.Response is falsy when its status is an error)
            return failure_for_status(exc.status,
                                      response.headers if response is not None else None)
        if isinstance(exc, BrokenAnswer):
            return Failure(str(exc), exc.retryable)
        return network_failure_of(exc, self.query_url, self.timeout)

    def fetch(self, ids: Sequence[str]) -> dict[str, Raw]:
        import arxiv

        raws = self._ask(arxiv.Search(id_list=list(ids), max_results=len(ids)))
        asked = set(ids)
        return {bare: raw for raw in raws if (bare := self.identifier_of(raw)) in asked}

    def search(self, titles: Sequence[str]) -> dict[str, list[Raw]]:
        return self._phrases({title: f'ti:"{phrase}"' if (phrase := comparable_title(title))
                              else "" for title in titles},
                             lambda title, raw: title_similarity(title, raw["title"])
                             >= CANDIDATE_FLOOR)

    @staticmethod
    def code_question(query: Query) -> str | None:
        """The question for the entry's (first) code repository, in arXiv's query syntax:
        the abstracts with the words of its owner and name in a row (`abs:"lsds kungfu"`
        for `github.com/lsds/KungFu`: arXiv's search splits a link into words at `/`, `.`
        and `-`, and a `/` in a query is syntax); and, where the list's system name is the
        repository's, the papers titled with it whose abstract has it too, which finds the
        paper when the list links a fork (`MachineLearningSystem/KungFu`)."""
        if not query.code:
            return None
        owner, _, name = query.code[0].partition("/")
        question = f'abs:"{comparable_title(f"{owner} {name}")}"'
        system, words = split_name(query.title)[0], comparable_title(name)
        if system and squeezed(system) == squeezed(name) and len(words) >= MIN_NAME:
            question += f' OR (ti:"{words}" AND abs:"{words}")'
        return question

    def search_abstracts(self, questions: Sequence[str]) -> dict[str, list[Raw]]:
        """The records each `code_question` finds, several ORed into one request; a
        record answers the question whose abstract phrase it has."""
        return self._phrases({question: f"({question})" for question in questions},
                             lambda question, raw: any(
                                 has_phrase(raw.get("summary"), phrase)
                                 for phrase in re.findall(r'abs:"([^"]+)"', question)))

    def _phrases(self, clauses: dict[str, str],
                 belongs: Callable[[str, Raw], bool]) -> dict[str, list[Raw]]:
        """Each question's records, its clause (`ti:"..."`) ORed with the others' into one
        request; `belongs` tells which question a record answers."""
        import arxiv

        questions = list(clauses)
        query = " OR ".join(clause for clause in clauses.values() if clause)
        if not query:
            return {question: [] for question in questions}
        room = CANDIDATES_PER_TITLE * len(questions)
        raws = self._ask(arxiv.Search(query=query, max_results=room))
        if len(raws) >= room and len(questions) > 1:
            # A full page may have crowded some questions' papers out: ask for each half.
            half = len(questions) // 2
            return {**self._phrases({q: clauses[q] for q in questions[:half]}, belongs),
                    **self._phrases({q: clauses[q] for q in questions[half:]}, belongs)}
        return {question: [raw for raw in raws if belongs(question, raw)]
                for question in questions}

    def record(self, raw: Raw) -> Record:
        return record_from_raw(raw)

    def identifier_of(self, raw: Raw) -> str:
        ident = Fields(raw).text("id") or ""
        return bare_arxiv(ident) or ident

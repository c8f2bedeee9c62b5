"""A second simulation, as another builder might have made it: `--scenario varied`.

sim.corpus_of holds every record in one tidy shape with one kind of near miss. Real services
are less regular, and a hidden simulation would be built by someone else. This scenario
reshapes the same records after the recorded answers (tests/fixtures, dblp FORMAT.md), adds
other distractors, writes the list a third way, and shuffles the services' record order
(ties in ranking then fall otherwise). All of it is drawn from one seed: deterministic.

Record shapes: Crossref works without `page`, with a subtitle split into `subtitle`, with
markup in `title`, with an author given only as `name`; dblp hits with `ee` as a list, `venue`
as a list, XML entities in the title. Distractors (one or two per paper): a workshop version
under the same title a year earlier, a journal extension under the same title a year later, a
Crossref "Correction to:" notice, a thesis of the first author under the same title, and a
CoRR record of the paper titled otherwise than its publication.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable

from oflbib.model import Catalog, Entry
from oflbib.venues import format_venue_tag
from tests.replay_server import Corpus, crossref_item, dblp_info

from benchmarks.resolve.sim import _family_first, _name_and_rest, corpus_of


# ---- the real records, reshaped --------------------------------------------------------

def _reshape_work(item: dict, rng: random.Random) -> None:
    """One of Crossref's irregular shapes, or none."""
    title = item["title"][0]
    name, rest = _name_and_rest(title)
    shape = rng.randrange(6)
    if shape == 0:
        item.pop("page", None)  # many proceedings deposit no pages
    elif shape == 1 and name:
        item["title"], item["subtitle"] = [name], [rest]  # Springer's and IEEE's split
    elif shape == 2 and name:
        item["title"] = [f"<i>{name}</i>: {rest}"]  # JATS/HTML markup in the title
    elif shape == 3 and len(item.get("author", [])) > 1:
        last = item["author"][-1]  # a name the publisher did not split
        item["author"][-1] = {"name": f"{last['given']} {last['family']}".strip(),
                              "sequence": "additional", "affiliation": []}


def _reshape_info(info: dict, rng: random.Random) -> None:
    """One of dblp's irregular shapes (FORMAT.md quirks 3 and 4), or none."""
    shape = rng.randrange(4)
    if shape == 0 and info.get("ee"):
        info["ee"] = [info["ee"], f"https://www.usenix.org/{info['key']}"]
    elif shape == 1 and info.get("venue") != "CoRR":
        info["venue"] = [info["venue"], f"{info['venue']} Companion"]
    elif shape == 2:
        info["title"] = html.escape(info["title"], quote=True).replace("&#x27;", "&apos;")


# ---- distractors -----------------------------------------------------------------------

def _workshop(entry: Entry, n: int, corpus: Corpus) -> None:
    """The workshop paper before the conference paper, under the same title."""
    names = [f"{g} {f}".strip() for g, f in _family_first(entry, n)]
    year = (entry.year or 2022) - 1
    corpus.dblp.append(dblp_info(f"conf/hot/W{n}{year % 100}", entry.title, authors=names,
                                 venue="HotCloud", year=year, pages="1-7"))
    corpus.works.append(crossref_item(f"10.99997/workshop.{n}", entry.title,
                                      authors=_family_first(entry, n), year=year, page="1-7",
                                      container="Proceedings of a Workshop"))


def _extension(entry: Entry, n: int, corpus: Corpus) -> None:
    """The journal extension a year later: the same title, one more author."""
    authors = _family_first(entry, n) + [("Extra", "Coauthor")]
    names = [f"{g} {f}".strip() for g, f in authors]
    year = (entry.year or 2022) + 1
    corpus.dblp.append(dblp_info(f"journals/tocs/X{n}{year % 100}", entry.title, authors=names,
                                 venue="ACM Trans. Comput. Syst.", year=year, volume="41",
                                 number="2", pages="3:1-3:30", doi=f"10.99997/ext.{n}",
                                 kind="Journal Articles"))
    corpus.works.append(crossref_item(f"10.99997/ext.{n}", entry.title, authors=authors,
                                      year=year, page="1-30", work_type="journal-article",
                                      container="ACM Transactions on Computer Systems"))


def _correction(entry: Entry, n: int, corpus: Corpus) -> None:
    """A correction notice naming the paper (Springer's `Correction to:`)."""
    corpus.works.append(crossref_item(f"10.99997/corr.{n}", f"Correction to: {entry.title}",
                                      authors=_family_first(entry, n), year=(entry.year or 2022) + 1,
                                      work_type="journal-article", container="A Journal"))


def _thesis(entry: Entry, n: int, corpus: Corpus) -> None:
    """The first author's thesis, titled as the paper it grew from."""
    given, family = _family_first(entry, n)[0]
    year = (entry.year or 2022) + 2
    corpus.works.append(crossref_item(f"10.99997/thesis.{n}", entry.title,
                                      authors=[(given, family)], year=year,
                                      work_type="dissertation", publisher="A University"))
    corpus.dblp.append(dblp_info(f"phd/us/{family}{year}", entry.title,
                                 authors=[f"{given} {family}".strip()], venue="", year=year,
                                 kind="Books and Theses"))


DISTRACTORS: tuple[Callable[[Entry, int, Corpus], None], ...] = (
    _workshop, _extension, _correction, _thesis)


def _retitle_preprint(corpus: Corpus, arxiv_id: str, title: str) -> None:
    """The preprint titled otherwise than its publication (its rest alone, without the
    system name): at arXiv and in dblp's CoRR record alike."""
    _, rest = _name_and_rest(title)
    if rest == title:
        return
    for preprint in corpus.preprints:
        if preprint["arxiv_id"] == arxiv_id:
            preprint["title"] = rest
    key = f"journals/corr/abs-{arxiv_id.replace('.', '-')}"
    for info in corpus.dblp:
        if info["key"] == key:
            info["title"] = rest + "."


def varied_corpus(catalog: Catalog, seed: int = 23) -> Corpus:
    rng = random.Random(seed)
    corpus = corpus_of(catalog, seed=seed)
    for item in corpus.works:
        _reshape_work(item, rng)
    for info in corpus.dblp:
        _reshape_info(info, rng)
    papers = [e for e in catalog.entries.values() if e.kind == "paper"] + catalog.cited()
    for n, entry in enumerate(papers):
        for distractor in rng.sample(DISTRACTORS, rng.choice((1, 1, 2))):
            distractor(entry, n, corpus)
        if entry.arxiv and rng.random() < 0.3:
            _retitle_preprint(corpus, entry.arxiv, entry.title)
    for records in (corpus.works, corpus.preprints, corpus.dblp):
        rng.shuffle(records)
    return corpus


# ---- a third way to write the list -----------------------------------------------------

def varied_title(entry: Entry, rng: random.Random) -> str:
    title = entry.title
    name, rest = _name_and_rest(title)
    words = title.split()
    style = rng.randrange(7)
    if style == 0 and name:
        return f"{name}: {' '.join(rest.split()[:3])}"  # cut short, no ellipsis
    if style == 1 and len(words) > 6:
        return " ".join(words[:len(words) // 2 + 2]) + "\u2026"
    if style == 2:
        return title.lower()
    if style == 3:
        return " ".join(w[:1].upper() + w[1:] for w in words)
    if style == 4 and name:
        return f"{name} ({rest})"
    return title


def varied_tag(entry: Entry, rng: random.Random) -> str:
    if entry.venue in (None, "arXiv") or not entry.year:
        return rng.choice([f"arXiv 20{entry.arxiv[:2]}" if entry.arxiv else "arXiv",
                           "preprint", "CoRR", ""])
    short = format_venue_tag(entry.venue, None)
    year = entry.year
    return rng.choice([f"{year} {short}", f"{short}, {year}", f"[{short} {year}]", short,
                       "", f"Proc. {short} {year}", f"{short}{year % 100:02d}"])


def varied_order(papers: list[tuple[str, Entry]], seed: int) -> list[tuple[str, Entry]]:
    """The papers in another order: sections kept together, their papers shuffled."""
    rng = random.Random(seed)
    sections: dict[str, list[tuple[str, Entry]]] = {}
    for name, entry in papers:
        sections.setdefault(name, []).append((name, entry))
    order = list(sections)
    rng.shuffle(order)
    shuffled = []
    for name in order:
        group = sections[name]
        rng.shuffle(group)
        shuffled += group
    return shuffled

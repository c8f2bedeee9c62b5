"""Other publications under the paper's title: a workshop version, a journal extension, a
thesis, a correction notice. Each is a real record of another work; taken for the paper it
would give it another DOI, pages or authors. Crossref knows none of the USENIX or ICPP
papers here, only the look-alike, so a source's choice alone cannot be trusted: the
sources' candidates are weighed together (`oflbib resolve` on the replay server)."""

from __future__ import annotations

from pathlib import Path

from oflbib.model import Entry
from tests.replay_server import Corpus, crossref_item, dblp_corr_info, dblp_info
from tests.resolve_support import load, make_catalog, oflbib

TITLE = "Bamboo: Making Preemptible Instances Resilient for Affordable Training of Large DNNs"
AUTHORS = [("John", "Thorpe"), ("Pengzhan", "Zhao"), ("Ravi", "Netravali")]
NAMES = [f"{given} {family}" for given, family in AUTHORS]
# The conference paper, as dblp has it (USENIX: no DOI, no Crossref record).
NSDI = dblp_info("conf/nsdi/ThorpeZN23", TITLE, authors=NAMES, venue="NSDI", year=2023,
                 pages="497-513")
CODE = "https://github.com/uclasystem/bamboo"


def resolved(tmp_path: Path, replay, corpus: Corpus, tag: str = "") -> Entry:
    corpus.serve(replay)
    root = make_catalog(tmp_path / "catalog",
                        f"# List\n\n## Papers\n\n- [{TITLE}]({CODE}) {tag}\n")
    result = oflbib(root, "resolve", "-q")
    assert result.exit_code == 0, result.stderr
    return next(iter(load(root).entries.values()))


def test_a_correction_notice_is_not_the_paper(replay, resolve_env, tmp_path) -> None:
    notice = crossref_item("10.9999/correction", f"Correction to: {TITLE}", authors=AUTHORS,
                           year=2023, work_type="journal-article", container="A Journal")
    entry = resolved(tmp_path, replay, Corpus(works=[notice], dblp=[NSDI]))
    assert entry.doi is None
    assert entry.title == TITLE and entry.pages == "497--513"


def test_a_workshop_version_is_not_the_conference_paper(replay, resolve_env,
                                                        tmp_path) -> None:
    # The same title and authors a year before, in proceedings named nowhere in the
    # venue table: nothing but the title speaks for it, and the list's year against it.
    workshop = crossref_item("10.9999/workshop", TITLE, authors=AUTHORS, year=2022,
                             page="1-7", container="Proceedings of the 1st Workshop on Spot")
    entry = resolved(tmp_path, replay, Corpus(works=[workshop], dblp=[NSDI]), "NSDI'23")
    assert entry.doi is None
    assert (entry.year, entry.pages) == (2023, "497--513")


def test_pages_apart_are_two_publications_and_the_line_chooses(replay, resolve_env,
                                                               tmp_path) -> None:
    # A workshop of the same year: Crossref takes it, dblp the conference paper. Their
    # pages have no page in common: two publications, which the line's venue alone does
    # not tell apart clearly enough (the workshop's proceedings name no venue).
    workshop = crossref_item("10.9999/workshop", TITLE, authors=AUTHORS, year=2023,
                             page="1-7", container="Proceedings of the 1st Workshop on Spot")
    corr = dblp_corr_info("2204.12013", TITLE, authors=NAMES, year=2022)
    entry = resolved(tmp_path, replay, Corpus(works=[workshop], dblp=[NSDI, corr]),
                     "NSDI'23")
    assert entry.doi is None and entry.pages in (None, "497--513")


def test_an_extension_one_source_knows_alone_is_not_taken(replay, resolve_env,
                                                          tmp_path) -> None:
    # No venue or year on the line: the conference paper and its journal extension fit
    # it alike. Crossref has only the extension; dblp has both, under two keys.
    extension = crossref_item("10.9999/extension", TITLE, authors=AUTHORS + [("Ex", "Tra")],
                              year=2024, page="1-30", work_type="journal-article",
                              container="ACM Transactions on Computer Systems")
    in_dblp = dblp_info("journals/tocs/ThorpeZNT24", TITLE, authors=NAMES + ["Ex Tra"],
                        venue="ACM Trans. Comput. Syst.", year=2024, doi="10.9999/extension",
                        kind="Journal Articles")
    preprint = {"arxiv_id": "2204.12013", "title": TITLE, "authors": NAMES,
                "published": "2022-04-26T00:00:00Z"}
    entry = resolved(tmp_path, replay, Corpus(works=[extension], dblp=[NSDI, in_dblp],
                                              preprints=[preprint]))
    assert entry.doi is None
    assert [p.family for p in entry.authors] == ["Thorpe", "Zhao", "Netravali"]
    # The preprint is the paper's, but the paper is published (which publication is not
    # settled): its posting year and `arXiv` are not the paper's year and venue.
    assert (entry.arxiv, entry.year, entry.venue) == ("2204.12013", None, None)


def test_a_thesis_under_the_paper_title_gives_no_authors(replay, resolve_env,
                                                         tmp_path) -> None:
    thesis = crossref_item("10.9999/thesis", TITLE, authors=AUTHORS[:1], year=2025,
                           work_type="dissertation", publisher="A University")
    preprint = {"arxiv_id": "2204.12013", "title": TITLE, "authors": NAMES,
                "published": "2022-04-26T00:00:00Z"}
    entry = resolved(tmp_path, replay, Corpus(works=[thesis], preprints=[preprint]))
    assert entry.doi is None
    assert [p.family for p in entry.authors] != ["Thorpe"]


def test_a_workshop_one_source_knows_alone_is_weighed_against_the_other_sources(
        replay, resolve_env, tmp_path) -> None:
    # No venue or year on the line. Crossref has only the workshop paper; dblp has it
    # too (no DOI: the same year, pages and title make it the same) and the conference
    # paper: two publications the line fits alike.
    workshop = crossref_item("10.9999/workshop", TITLE, authors=AUTHORS, year=2022,
                             page="1-7", container="Proceedings of the 1st Workshop on Spot")
    in_dblp = dblp_info("conf/hotcloud/ThorpeZN22", TITLE, authors=NAMES, venue="HotCloud",
                        year=2022, pages="1-7")
    entry = resolved(tmp_path, replay, Corpus(works=[workshop], dblp=[NSDI, in_dblp]))
    assert entry.doi is None and entry.pages is None


def test_a_preprint_titled_otherwise_is_found_by_the_code_it_links(replay, resolve_env,
                                                                   tmp_path) -> None:
    # The preprint's title lacks the system name: neither a title nor a name question finds
    # it, but its abstract links the repository the list links.
    preprint = {"arxiv_id": "2204.12013", "title": TITLE.partition(": ")[2],
                "authors": NAMES, "published": "2022-04-26T00:00:00Z",
                "summary": f"We present a system for spot instances. Code: {CODE}"}
    entry = resolved(tmp_path, replay, Corpus(dblp=[NSDI], preprints=[preprint]), "NSDI'23")
    assert (entry.arxiv, entry.pages, entry.title) == ("2204.12013", "497--513", TITLE)

"""`oflbib resolve` and `oflbib add` end to end, against the replay server."""

from __future__ import annotations

import re

from oflbib.resolvers.crossref import CrossrefSource
from tests.replay_server import CROSSREF_HEADERS, Corpus, crossref_item, recorded
from tests.resolve_support import (
    BAMBOO, TODAY_PATTERN, VARUNA, catalog_bytes, load, make_catalog, oflbib, small_corpus,
)


# A paper the catalog does not have yet, as Crossref describes it.
VLLM = crossref_item("10.1145/3600006.3613165", "Efficient Memory Management for Large "
                     "Language Model Serving with PagedAttention",
                     authors=[("Woosuk", "Kwon"), ("Zhuohan", "Li")], year=2023,
                     container="Proceedings of the 29th Symposium on Operating Systems "
                               "Principles", page="611-626")


def summary(stderr: str) -> dict[str, str]:
    block = stderr[stderr.index("summary"):]
    return dict(re.findall(r"^  (\w[\w ]*?)\s{2,}(.+)$", block, re.M))


def test_resolve_enriches_the_catalog_and_reports(replay, resolve_env, catalog_root) -> None:
    small_corpus().serve(replay)
    result = oflbib(catalog_root, "resolve")
    assert result.exit_code == 0, result.output
    catalog = load(catalog_root)  # the written catalog is valid
    bamboo = catalog.entries["bamboo2023"]
    assert bamboo.doi == BAMBOO["DOI"] and bamboo.pages == "497--513"
    assert bamboo.provenance["doi"].source == f"{replay.url}/works/{BAMBOO['DOI']}"
    assert bamboo.provenance["doi"].via == "crossref"
    assert re.fullmatch(TODAY_PATTERN, bamboo.provenance["doi"].retrieved)
    varuna = catalog.entries["varuna2022"]
    assert (varuna.doi, varuna.arxiv) == (VARUNA["DOI"], "2111.04007")
    assert catalog.entries["kungfu2020"].doi is None
    assert catalog.entries["tool"].provenance == {}  # software is not resolved
    counts = summary(result.stderr)
    assert (counts["entries"], counts["resolved"], counts["not found"], counts["errors"]) == \
        ("5", "3", "2", "0")
    assert "not found  kungfu2020" in result.stderr
    assert "the title is only a name" in result.stderr
    assert replay.unexpected == []


def test_a_second_run_makes_no_request(replay, resolve_env, catalog_root) -> None:
    small_corpus().serve(replay)
    oflbib(catalog_root, "resolve", "-q")
    asked = len(replay.seen)
    after_first = catalog_bytes(catalog_root)
    result = oflbib(catalog_root, "resolve", "-q")
    assert result.exit_code == 0
    assert len(replay.seen) == asked
    assert summary(result.stderr)["requests"] == "crossref 0, dblp 0, arxiv 0"
    assert catalog_bytes(catalog_root) == after_first


def test_dry_run_prints_the_diff_and_writes_nothing(replay, resolve_env, catalog_root) -> None:
    small_corpus().serve(replay)
    before = catalog_bytes(catalog_root)
    result = oflbib(catalog_root, "resolve", "--dry-run", "bamboo2023")
    assert result.exit_code == 0
    assert catalog_bytes(catalog_root) == before
    assert f"+    doi: {BAMBOO['DOI']}" in result.stdout
    assert result.stdout.startswith("--- ")


def test_offline_with_nothing_cached_fails_without_asking(replay, resolve_env,
                                                          catalog_root) -> None:
    before = catalog_bytes(catalog_root)
    result = oflbib(catalog_root, "resolve", "--offline")
    assert result.exit_code == 1
    assert replay.seen == []
    assert catalog_bytes(catalog_root) == before
    assert "not in the cache (--offline)" in result.stderr


def test_offline_after_a_run_answers_the_same(replay, resolve_env, catalog_root,
                                              tmp_path) -> None:
    small_corpus().serve(replay)
    oflbib(catalog_root, "resolve", "--dry-run")
    asked = len(replay.seen)
    result = oflbib(catalog_root, "resolve", "--offline", "-q")
    assert result.exit_code == 0 and len(replay.seen) == asked
    assert load(catalog_root).entries["bamboo2023"].doi == BAMBOO["DOI"]


def test_refresh_asks_again(replay, resolve_env, catalog_root) -> None:
    small_corpus().serve(replay)
    oflbib(catalog_root, "resolve", "bamboo2023", "-q")
    asked = len(replay.seen)
    oflbib(catalog_root, "resolve", "bamboo2023", "-q", "--refresh")
    assert len(replay.seen) > asked


def test_a_source_that_keeps_failing_exits_1_and_changes_nothing(replay, resolve_env,
                                                                  catalog_root) -> None:
    small_corpus().serve(replay)
    replay.on(lambda s: s.path == "/works", recorded("crossref/works-cursor-5-500.json", 500))
    result = oflbib(catalog_root, "resolve", "--source", "crossref", "bamboo2023")
    assert result.exit_code == 1
    assert "HTTP 500 after 2 tries" in result.stderr
    assert load(catalog_root).entries["bamboo2023"].doi is None
    assert replay.requests("/api") == []  # --source crossref


def test_a_conflict_is_reported_and_the_value_kept(replay, resolve_env, catalog_root) -> None:
    small_corpus().serve(replay)
    path = catalog_root / "training.yaml"
    path.write_text(path.read_text().replace("    year: 2023\n",
                                             "    year: 2023\n    pages: 1--2\n", 1))
    result = oflbib(catalog_root, "resolve", "bamboo2023")
    assert result.exit_code == 0
    assert "conflict pages: the catalog has '1--2'; crossref says '497--513'" in result.stderr
    assert load(catalog_root).entries["bamboo2023"].pages == "1--2"
    assert summary(result.stderr)["conflicts"] == "1"


def test_the_list_disagreeing_with_the_publication_is_reported(replay, resolve_env,
                                                               catalog_root) -> None:
    works = [crossref_item("10.1/v", VARUNA["title"][0], year=2021, authors=[("S", "Athlur")],
                           container="Proceedings of the Sixteenth European Conference on "
                                     "Computer Systems")]
    Corpus(works=works).serve(replay)
    result = oflbib(catalog_root, "resolve", "varuna2022")
    assert "list     year: the list says '2022'; the publication says '2021'" in result.stderr
    assert summary(result.stderr)["list differs"] == "1"


def test_bad_input_exits_2(replay, resolve_env, catalog_root) -> None:
    assert oflbib(catalog_root, "resolve", "nosuchkey").exit_code == 2
    assert oflbib(catalog_root, "resolve", "tool").exit_code == 2  # software
    assert oflbib(catalog_root, "resolve", "--section", "nope").exit_code == 2
    assert oflbib(catalog_root, "resolve", "--offline", "--refresh").exit_code == 2
    assert replay.seen == []


def test_a_bad_setting_is_bad_input(replay, resolve_env, catalog_root, monkeypatch) -> None:
    monkeypatch.setenv("OFLBIB_ARXIV_DELAY", "three")
    result = oflbib(catalog_root, "resolve")
    assert result.exit_code == 2
    assert "OFLBIB_ARXIV_DELAY must be a number >= 0, not 'three'" in result.stderr


def test_ctrl_c_leaves_the_catalog_valid_and_a_rerun_resumes(replay, resolve_env, catalog_root,
                                                             monkeypatch) -> None:
    small_corpus().serve(replay)
    before = catalog_bytes(catalog_root)
    real_search = CrossrefSource.search
    searches = []

    def interrupted_on_the_second_search(self, titles):
        searches.append(titles)
        if len(searches) == 2:
            raise KeyboardInterrupt
        return real_search(self, titles)

    monkeypatch.setattr(CrossrefSource, "search", interrupted_on_the_second_search)
    result = oflbib(catalog_root, "resolve", "--source", "crossref")
    assert result.exit_code == 130 and "oflbib: interrupted" in result.stderr
    assert catalog_bytes(catalog_root) == before
    load(catalog_root)
    first_title = searches[0][0]
    monkeypatch.setattr(CrossrefSource, "search", real_search)
    assert oflbib(catalog_root, "resolve", "--source", "crossref").exit_code == 0
    asked_for = [s.param("query.bibliographic") for s in replay.requests("/works")]
    assert asked_for.count(first_title) == 1  # answered from the cache the second time


def test_add_by_doi_pins_a_key_and_prints_the_entry(replay, resolve_env, catalog_root) -> None:
    Corpus(works=[VLLM]).serve(replay)
    result = oflbib(catalog_root, "add", "https://doi.org/10.1145/3600006.3613165",
                    "--section", "serving")
    assert result.exit_code == 0, result.output
    assert "key: kwon2023efficient" in result.stdout
    catalog = load(catalog_root)
    entry = catalog.entries["kwon2023efficient"]
    assert entry.sections == ["Serving"]
    assert entry.title.startswith("Efficient Memory Management")
    assert entry.provenance["title"].via == "crossref"
    again = oflbib(catalog_root, "add", "10.1145/3600006.3613165", "-s", "training")
    assert again.exit_code == 2 and "already in the catalog as 'kwon2023efficient'" in \
        again.stderr


def test_add_of_a_bibtex_entry_keeps_what_it_gives(replay, resolve_env, catalog_root) -> None:
    Corpus(works=[VLLM]).serve(replay)
    pasted = ("@inproceedings{kwon:vllm,\n  title = {Efficient Memory Management for Large "
              "Language Model Serving with {PagedAttention}},\n  author = {Kwon, Woosuk and Li, "
              "Zhuohan and others},\n  year = 2023,\n  doi = {10.1145/3600006.3613165},\n"
              "  note = {Best paper},\n  readinggroup = {week 3}\n}")
    result = oflbib(catalog_root, "add", pasted, "-s", "serving", "-q")
    assert result.exit_code == 0, result.output
    entry = load(catalog_root).entries["kwon:vllm"]  # the user's key: their \cite works
    assert entry.authors_others and entry.note == "Best paper"
    assert entry.verbatim["readinggroup"] == "week 3"
    assert entry.provenance["title"].via == "bibtex"
    assert entry.pages == "611--626" and entry.provenance["pages"].via == "crossref"


def test_add_of_a_bibtex_entry_no_source_knows(replay, resolve_env, catalog_root) -> None:
    Corpus().serve(replay)
    pasted = "@article{mine, title={A Paper Nobody Indexed}, author={Doe, Jane}, year=2021}"
    result = oflbib(catalog_root, "add", pasted, "-s", "training")
    assert result.exit_code == 0, result.output
    assert "mine: added as you gave it; no source confirmed it" in result.stderr
    assert load(catalog_root).entries["mine"].title == "A Paper Nobody Indexed"
    broken = oflbib(catalog_root, "add", "@misc{two, title={X}} @misc{three, title={Y}}",
                    "-s", "training")
    assert broken.exit_code == 2 and "paste one BibTeX entry (2 here)" in broken.stderr


def test_add_asks_for_a_section_only_when_there_are_several(replay, resolve_env,
                                                            catalog_root, tmp_path) -> None:
    Corpus().serve(replay)
    pasted = "@article{mine, title={A Paper Nobody Indexed}, author={Doe, Jane}, year=2021}"
    several = oflbib(catalog_root, "add", pasted)
    assert several.exit_code == 2 and replay.seen == []
    assert "--section: which section? (sections: Training, Serving)" in several.stderr
    one = make_catalog(tmp_path / "one", "# Reading\n\n- [Some Title Here](https://x.org/a)\n")
    result = oflbib(one, "add", pasted)
    assert result.exit_code == 0, result.output
    assert load(one).entries["mine"].sections == ["Reading"]


def test_add_by_title_needs_a_clear_match(replay, resolve_env, catalog_root) -> None:
    small_corpus().serve(replay)
    before = catalog_bytes(catalog_root)
    result = oflbib(catalog_root, "add", "Attention is all you need", "-s", "training")
    assert result.exit_code == 1 and "nothing added" in result.stderr
    assert catalog_bytes(catalog_root) == before


def test_add_refuses_a_link_that_is_not_a_paper(replay, resolve_env, catalog_root) -> None:
    result = oflbib(catalog_root, "add", "https://github.com/vllm-project/vllm", "-s", "serving")
    assert result.exit_code == 2 and replay.seen == []


def test_add_of_an_unknown_doi_adds_nothing(replay, resolve_env, catalog_root) -> None:
    replay.on(lambda s: s.path.startswith("/works/"),
              recorded("crossref/works-doi-10.1371_notarealdoi-404.txt", 404,
                       {**CROSSREF_HEADERS, "content-type": "text/plain"}))
    before = catalog_bytes(catalog_root)
    result = oflbib(catalog_root, "add", "10.1371/notarealdoi", "-s", "training")
    assert result.exit_code == 1 and "nothing added" in result.stderr
    assert "crossref has no record 10.1371/notarealdoi" in result.stderr
    assert catalog_bytes(catalog_root) == before and replay.unexpected == []

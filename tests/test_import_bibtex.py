"""`oflbib import bibtex`: a user's .bib file into the catalog, the inverse of the exporters."""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
import rispy

from oflbib.catalog.store import load_catalog, save_catalog
from oflbib.exporters import render
from oflbib.exporters.reference import to_reference
from oflbib.model import Listing, Person
from tests.conftest import tree_bytes


def write(tmp_path, text: str, name: str = "refs.bib"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def checked(tmp_path, run, text: str) -> str:
    """What `oflbib check` says of a catalog imported from this .bib text."""
    folder = tmp_path / "cat"
    assert run("--catalog", folder, "import", "bibtex", write(tmp_path, text), "-s", "S"
               ).exit_code == 0
    result = run("--catalog", folder, "check")
    return result.stdout + result.stderr


# ---- oflbib's own output comes back -----------------------------------------------------

@pytest.mark.parametrize("flavour", ["biblatex", "bibtex"])
def test_own_export_imports_back_to_the_same_bibliography(tmp_path, run, shipped_catalog,
                                                          flavour):
    source = write(tmp_path, render(shipped_catalog, flavour))
    result = run("--catalog", tmp_path / "again", "import", "bibtex", source)
    assert result.exit_code == 0, result.output
    cited = {paper.key: paper for paper in shipped_catalog.cited()}
    assert f"added {len(shipped_catalog.entries) + len(cited)} entries" in result.stderr
    again = load_catalog(tmp_path / "again")
    assert render(again, flavour) == render(shipped_catalog, flavour)  # byte for byte
    assert [s.name for s in again.sections] == [s.name for s in shipped_catalog.sections]
    # BibTeX cannot say that a paper is the one a software asks to be cited by: it comes
    # back as an entry of its own, right after the software, in the same section.
    # Likewise a paper the list files in the wrong section comes back where it belongs.
    homes = {lst.key: shipped_catalog.entries[lst.key].filed_under or s.name
             for s in shipped_catalog.sections for lst in s.listings if lst.home}
    homes.update({key: paper.sections[0] for key, paper in cited.items()})
    assert {lst.key: s.name for s in again.sections for lst in s.listings if lst.home} == homes
    assert all(again.entries[key].authors == paper.authors for key, paper in cited.items())


def test_biblatex_round_trip_keeps_every_exported_fact(tmp_path, run, shipped_catalog):
    source = write(tmp_path, render(shipped_catalog, "biblatex"))
    run("--catalog", tmp_path / "again", "import", "bibtex", source)
    again = load_catalog(tmp_path / "again")
    for key, entry in shipped_catalog.entries.items():
        got, want = to_reference(again.entries[key]), to_reference(entry)
        assert (got.entry_type, got.title, got.authors, got.year, got.container, got.publisher,
                got.pages, got.doi, got.arxiv, got.url, got.organisation, got.code_urls) == \
            (want.entry_type, want.title, want.authors, want.year, want.container, want.publisher,
             want.pages, want.doi, want.arxiv, want.url, want.organisation, want.code_urls), key
        assert again.entries[key].kind == entry.kind
        assert sorted(again.entries[key].sections) == sorted(entry.sections)
    bamboo = again.entries["thorpe2023bamboo"]
    assert (bamboo.venue, bamboo.container, bamboo.entry_type) == ("NSDI", None, None)
    assert bamboo.provenance["pages"].source.startswith("refs.bib:")


def test_code_links_in_a_biblatex_addendum_are_the_entrys_code(tmp_path, run):
    """biblatex prints `addendum` at the end of an entry, where the biblatex export puts
    the code links; a user's own addendum text stays, and comes back out with them."""
    source = write(tmp_path, "@article{a2020x,\n  author = {Doe, Jane},\n"
                   "  title = {A Title},\n  journal = {J},\n  date = {2020},\n"
                   "  addendum = {Extended version. Code: \\url{https://github.com/doe/x}},\n}\n")
    assert run("--catalog", tmp_path / "c", "import", "bibtex", source).exit_code == 0
    entry = load_catalog(tmp_path / "c").entries["a2020x"]
    assert entry.urls == ["https://github.com/doe/x"]
    assert to_reference(entry).code_urls == ["https://github.com/doe/x"]
    assert entry.verbatim == {"addendum": "Extended version"}
    written = bibtexparser.parse_string(render(load_catalog(tmp_path / "c"), "biblatex"))
    fields = written.entries_dict["a2020x"].fields_dict
    assert fields["addendum"].value == r"Extended version. Code: \url{https://github.com/doe/x}"
    assert "note" not in fields  # biblatex would print it amid the venue
    bibtex = bibtexparser.parse_string(render(load_catalog(tmp_path / "c"), "bibtex"))
    assert bibtex.entries_dict["a2020x"]["note"] == r"Code: \url{https://github.com/doe/x}"


# ---- other people's files ----------------------------------------------------------------

FOREIGN = r"""% exported by some reference manager
@string{osdi = "OSDI"}

@InProceedings{Zola:2020,
  author    = "\'Emile Zola and M{\"u}ller, J{\"u}rgen and {Google Research} and others",
  title     = "{Kubernetes} Scheduling for {DNN} Jobs",
  booktitle = osdi,
  year      = {2020},
  month     = jan,
  pages     = "10 -- 20",
  doi       = {https://doi.org/10.5555/ABC.123},
  abstract  = {Long text that the catalog has no field for.},
  keywords  = {Schedule; Systems},
}

@Article{lee2019,
  title   = {A Journal Paper},
  author  = {Lee, Ann},
  journal = {IEEE Transactions on Computers},
  volume  = 68, number = {3},
  year    = 2019,
}

@misc{preprint2021,
  title         = {Just a Preprint},
  author        = {Doe, Jane},
  eprint        = {arXiv:2101.00001v3},
  archivePrefix = {arXiv},
  primaryClass  = {cs.LG},
  url           = {https://arxiv.org/abs/2101.00001},
}

@book{knuth1984,
  title  = {The {\TeX}book},
  author = {Knuth, Donald E.},
  year   = {1984},
  publisher = {Addison-Wesley},
}
"""


def test_foreign_file_types_fields_and_latex(tmp_path, run):
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", write(tmp_path, FOREIGN),
                 "--section", "Imported")
    assert result.exit_code == 0, result.output
    assert "not imported" not in result.stderr and "@misc" not in result.stderr
    catalog = load_catalog(tmp_path / "cat")
    zola = catalog.entries["Zola:2020"]  # keys are kept as given
    assert zola.title == "Kubernetes Scheduling for DNN Jobs"
    assert zola.protect == ["Kubernetes"]  # {DNN} the exporter braces by itself
    assert zola.authors == [Person(family="Zola", given="\u00c9mile"),
                            Person(family="M\u00fcller", given="J\u00fcrgen"),
                            Person(literal="Google Research")]
    assert zola.authors_others  # "and others" is et al.: kept as a flag
    assert (zola.month, zola.abstract) == (1, "Long text that the catalog has no field for.")
    assert zola.keywords == ["Schedule", "Systems"]
    assert (zola.venue, zola.container, zola.year) == ("OSDI", "OSDI", 2020)
    assert to_reference(zola).entry_type == "inproceedings"
    assert (zola.pages, zola.doi) == ("10--20", "10.5555/ABC.123")
    lee = catalog.entries["lee2019"]
    assert (lee.venue, lee.container, lee.volume, lee.number) == ("TC", None, "68", "3")
    preprint = catalog.entries["preprint2021"]
    assert (preprint.arxiv, preprint.arxiv_class, preprint.venue) == ("2101.00001", "cs.LG",
                                                                      "arXiv")
    assert preprint.urls == ["https://arxiv.org/abs/2101.00001"]
    knuth = catalog.entries["knuth1984"]
    assert (knuth.title, knuth.entry_type, knuth.publisher) == ("The TeXbook", "book",
                                                               "Addison-Wesley")
    assert [s.name for s in catalog.sections] == ["Imported"]


def test_section_option_and_keywords_naming_sections(catalog_copy, tmp_path, run):
    source = write(tmp_path, "@misc{new2024x, title = {Brand New Thing: A Study},\n"
                             "  keywords = {Training, Unknown Topic}}\n")
    result = run("--catalog", catalog_copy, "import", "bibtex", source, "-s", "My Papers")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(catalog_copy)
    mine = catalog.sections[-1]
    assert (mine.name, mine.file) == ("My Papers", "my-papers.yaml")
    assert [(lst.key, lst.home) for lst in mine.listings] == [("new2024x", True)]
    assert [(lst.key, lst.home) for lst in catalog.section("Training").listings][-1] == \
        ("new2024x", False)
    assert "Unknown Topic" not in [s.name for s in catalog.sections]


def test_an_entry_the_catalog_has_is_listed_in_the_section_asked_for(tmp_path, run):
    source = write(tmp_path, "@misc{a1, title={One}, year=2020}\n@misc{a1, title={One}}\n")
    for section in ("Reading", "Reading", "Mining"):  # again, and into another section
        assert run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", section
                   ).exit_code == 0
    catalog = load_catalog(tmp_path / "cat")
    assert [(s.name, [(lst.key, lst.home) for lst in s.listings]) for s in catalog.sections] \
        == [("Reading", [("a1", True)]), ("Mining", [("a1", False)])]


def test_without_section_keywords_stay_keywords_and_the_file_names_the_section(tmp_path, run):
    """IEEE Xplore, PubMed and Scopus put a dozen keywords on every entry: they are topics,
    not sections, so every entry goes to one section named after the file."""
    source = write(tmp_path, "@misc{a1, title={One}, keywords={Alpha, Beta}}\n"
                             "@misc{b1, title={Two}, keywords={Beta; Gamma}}\n", "ieee.bib")
    assert run("--catalog", tmp_path / "cat", "import", "bibtex", source).exit_code == 0
    catalog = load_catalog(tmp_path / "cat")
    assert [(s.name, [(lst.key, lst.home) for lst in s.listings]) for s in catalog.sections] \
        == [("ieee", [("a1", True), ("b1", True)])]
    assert catalog.entries["b1"].keywords == ["Beta", "Gamma"]


def test_without_section_a_keyword_naming_a_catalog_section_lists_the_entry_there(
        catalog_copy, tmp_path, run):
    source = write(tmp_path, "@misc{new2024x, title = {Brand New Thing},"
                             " keywords = {Training, Unknown Topic}}\n", "mine.bib")
    assert run("--catalog", catalog_copy, "import", "bibtex", source).exit_code == 0
    catalog = load_catalog(catalog_copy)
    assert [(lst.key, lst.home) for lst in catalog.section("mine").listings] == \
        [("new2024x", True)]
    assert catalog.section("Training").listings[-1].key == "new2024x"
    assert catalog.section("Unknown Topic") is None


@pytest.mark.parametrize("flavour", ["bibtex", "biblatex"])
def test_an_oflbib_export_comes_back_in_its_sections_and_topics_stay_keywords(
        tmp_path, run, flavour):
    """An ACM file's topics follow the sections in the export's keywords: they are not
    sections when the export is imported again (BibTeX's JabRef groups tell the sections;
    biblatex has only the keywords: a section where no entry has its home is a keyword)."""
    source = write(tmp_path, "@inproceedings{a1, title={One}, booktitle={P}, year=2020,"
                             " keywords={graph mining, privacy}}\n"
                             "@inproceedings{b1, title={Two}, booktitle={P}, year=2021}\n",
                   "acm.bib")
    assert run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "Reading"
               ).exit_code == 0
    other = write(tmp_path, "@misc{m1, title={Three}, year=2022}\n", "other.bib")
    assert run("--catalog", tmp_path / "cat", "import", "bibtex", other, "-s", "Mining"
               ).exit_code == 0
    catalog = load_catalog(tmp_path / "cat")
    catalog.section("Mining").listings.append(Listing("a1", home=False))  # listed there too
    save_catalog(catalog, tmp_path / "cat")
    exported = tmp_path / f"{flavour}.bib"
    assert run("--catalog", tmp_path / "cat", "export", "-f", flavour, "-o", exported
               ).exit_code == 0
    assert run("--catalog", tmp_path / "again", "import", "bibtex", exported).exit_code == 0
    again = load_catalog(tmp_path / "again")
    assert [(s.name, [(lst.key, lst.home) for lst in s.listings]) for s in again.sections] \
        == [("Reading", [("a1", True), ("b1", True)]), ("Mining", [("m1", True), ("a1", False)])]
    assert again.entries["a1"].keywords[-2:] == ["graph mining", "privacy"]


JABREF_GROUPS = r"""@article{a1, title = {One}, journal = {J}, year = 2020, keywords = {x, y}}
@article{b1, title = {Two}, journal = {J}, year = 2021}
@article{c1, title = {Three}, journal = {J}, year = 2022, groups = {Reading, Done}}
@article{d1, title = {Four}, journal = {J}, year = 2023}

@Comment{jabref-meta: groupsversion:3;}

@Comment{jabref-meta: groupstree:
0 AllEntriesGroup:;
1 ExplicitGroup:Energy\;0\;a1\;b1\;;
2 ExplicitGroup:NILM\;0\;b1\;;
1 KeywordGroup:Machine Learning\;0\;keywords\;learning\;0\;0\;;
1 ExplicitGroup:To read\;0\;;
}
"""


def test_without_section_jabref_groups_are_the_sections(tmp_path, run):
    source = write(tmp_path, JABREF_GROUPS, "library.bib")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source)
    assert result.exit_code == 0, result.output
    catalog = load_catalog(tmp_path / "cat")
    listed = {s.name: [(lst.key, lst.home) for lst in s.listings] for s in catalog.sections}
    assert listed == {"Energy": [("a1", True), ("b1", True)],  # the legacy groups tree
                      "Reading": [("c1", True)], "Done": [("c1", False)],  # `groups` field
                      "library": [("d1", True)],  # in no group: the file's section
                      "Energy/NILM": [("b1", False)]}  # a sub-group under its parent
    assert catalog.entries["a1"].keywords == ["x", "y"]
    assert catalog.entries["c1"].verbatim["groups"] == "Reading, Done"  # written back


def test_section_named_like_the_manifest_gets_its_own_file(tmp_path, run):
    source = write(tmp_path, "@misc{a1, title={One}}\n")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "Catalog")
    assert result.exit_code == 0
    catalog = load_catalog(tmp_path / "cat")
    assert catalog.section("Catalog").file == "catalog-2.yaml"


# ---- duplicates and keys ---------------------------------------------------------------

def test_duplicates_merge_by_identity_and_reimport_changes_nothing(catalog_copy, tmp_path, run):
    catalog = load_catalog(catalog_copy)
    bamboo = catalog.entries["thorpe2023bamboo"]
    with_doi = next(e for e in catalog.entries.values() if e.doi and e.pages is None)
    source = write(tmp_path, f"""
@misc{{thorpe2023bamboo, title = {{{bamboo.title}}}}}
@misc{{by_doi, title = {{Other Words}}, doi = {{https://doi.org/{with_doi.doi}}},
  pages = {{7--9}}, year = {{1999}}}}
@misc{{fresh2024, title = {{A Fresh Paper}}}}
""")
    result = run("--catalog", catalog_copy, "import", "bibtex", source, "-s", "Misc")
    assert result.exit_code == 0, result.output
    assert "added 1 entries, merged 2 into entries the catalog has; 0 problems" in result.stderr
    assert f"{source}:2: thorpe2023bamboo: merged into 'thorpe2023bamboo' (same key and title)" \
        in result.stderr
    assert f"{source}:3: by_doi: merged into '{with_doi.key}' (same DOI)" in result.stderr
    assert f"{source}:3: by_doi: conflict: title: kept {with_doi.title!r}" in result.stderr
    again = load_catalog(catalog_copy)
    merged = again.entries[with_doi.key]
    assert (merged.pages, merged.year, merged.ids) == ("7--9", with_doi.year, ["by_doi"])
    assert merged.provenance["pages"].source == f"{source.name}:4"
    assert "fresh2024" in again.entries and "by_doi" not in again.entries
    assert re.search(r"ids += {by_doi}", render(again, "biblatex"))  # \cite{by_doi} works
    before = tree_bytes(catalog_copy)
    again = run("--catalog", catalog_copy, "import", "bibtex", source, "-s", "Misc")
    assert again.exit_code == 0 and "added 0 entries, merged 3" in again.stderr
    assert tree_bytes(catalog_copy) == before


def test_same_title_alone_is_not_the_same_work(tmp_path, run):
    source = write(tmp_path, "@article{ed1, title = {Editorial}, author = {Smith, A.}, "
                             "year = 2020}\n@article{ed2, title = {Editorial}, author = "
                             "{Jones, B.}, year = 2020}\n@article{ed3, title = {EDITORIAL}, "
                             "author = {Smith, Ann}, year = 2020, volume = 3}\n")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(tmp_path / "cat")
    assert sorted(catalog.entries) == ["ed1", "ed2"]  # ed3: same title, author, year
    assert (catalog.entries["ed1"].volume, catalog.entries["ed1"].ids) == ("3", ["ed3"])


def test_key_of_another_work_gets_a_new_key_and_a_note(catalog_copy, tmp_path, run):
    source = write(tmp_path, "@misc{fresh2024, title={Fine}}\n\n"
                             "@misc{thorpe2023bamboo, title={Something Else Entirely},\n"
                             "  author = {Doe, Jane}, year = 2021}\n")
    result = run("--catalog", catalog_copy, "import", "bibtex", source, "-s", "Misc")
    assert result.exit_code == 0, result.output
    assert (f"{source}:3: thorpe2023bamboo: added as 'doe2021something' (key "
            "'thorpe2023bamboo' names another work here)") in result.stderr
    catalog = load_catalog(catalog_copy)
    assert catalog.entries["thorpe2023bamboo"].title.startswith("Bamboo")
    renamed = catalog.entries["doe2021something"]
    assert "as 'thorpe2023bamboo', a key another entry holds" in renamed.notes


def test_entry_without_a_key_is_named_by_the_key_scheme(tmp_path, run):
    source = write(tmp_path, "@article{, title = {Deep Things}, author = {Lee, Ann}, "
                             "year = 2019}\n")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 0, result.output
    assert f"{source}:1: (no key): added as 'lee2019deep'" in result.stderr
    assert list(load_catalog(tmp_path / "cat").entries) == ["lee2019deep"]


def test_keys_people_use_are_kept(tmp_path, run):
    keys = ["10.1145/1978942.1979001", "1999", "DBLP:conf/osdi/X20", "Müller2020"]
    source = write(tmp_path, "".join(f"@misc{{{k}, title={{T {i}}}}}\n"
                                     for i, k in enumerate(keys)))
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(tmp_path / "cat")
    assert list(catalog.entries) == keys
    assert all(f"{{{k}," in render(catalog, "bibtex") for k in keys)


def test_dry_run_reports_every_entry_and_writes_nothing(catalog_copy, tmp_path, run):
    source = write(tmp_path, "@misc{fresh2024, title={Fine}}\n@misc{fresh2025, title={Too}}\n")
    before = tree_bytes(catalog_copy)
    result = run("--catalog", catalog_copy, "import", "bibtex", source, "-s", "X", "--dry-run")
    assert result.exit_code == 0 and "would add 2 entries" in result.stderr
    assert f"{source}:1: fresh2024: added" in result.stderr
    assert f"{source}:2: fresh2025: added" in result.stderr
    assert tree_bytes(catalog_copy) == before


def test_several_files_and_strings_file(tmp_path, run):
    abbrev = write(tmp_path, '@string{osdi = "OSDI"}\n', "abbrev.bib")
    one = write(tmp_path, "@inproceedings{a, title={A}, booktitle=osdi, year=2020}\n", "one.bib")
    two = write(tmp_path, "@inproceedings{b, title={B}, booktitle=osdi # { 2021}, "
                          "year=2021}\n", "two.bib")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", one, two,
                 "--strings", abbrev, "-s", "S")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(tmp_path / "cat")
    assert [(e.key, e.venue) for e in catalog.entries.values()] == [("a", "OSDI"), ("b", "OSDI")]


# ---- bad entries: located, skipped, the rest imported (exit 1); --strict refuses all ----------

BAD = [
    ("@article{a,\n  title = {Open},\n  year = 2020\n", 1, "cannot read @article{a}"),
    ("@article{a,\n  title = {Open,\n  year = 2020}\n\n@misc{b, title={x}}\n", 1,
     "unbalanced braces"),
    ("@article{a,\n  title = {Closed}},\n  year = 2020\n}\n", 2, "text with `}`"),
    ("@misc{a#b, title={x}}\n", 1, "key 'a#b' is not a key BibTeX or biber can read"),
    ("@misc{a,\n  title = {T},\n  author = {Smith, John, Jr, Extra}\n}\n", 3, "author"),
]


@pytest.mark.parametrize("text, line, message", BAD)
def test_bad_entry_is_located_and_the_rest_imported(tmp_path, run, text, line, message):
    source = write(tmp_path, "@misc{good1, title={Good One}}\n" + text
                   + "\n@misc{good2, title={Good Two}}\n")
    folder = tmp_path / "cat"
    result = run("--catalog", folder, "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 1, result.output
    assert f"{source}:{line + 1}: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert {"good1", "good2"} <= set(load_catalog(folder).entries)


@pytest.mark.parametrize("text, line, message", BAD)
def test_strict_refuses_the_whole_import(tmp_path, run, text, line, message):
    source = write(tmp_path, "@misc{good1, title={Good One}}\n" + text)
    folder = tmp_path / "cat"
    result = run("--catalog", folder, "import", "bibtex", source, "-s", "S", "--strict")
    assert result.exit_code == 2, result.output
    assert f"{source}:{line + 1}: " in result.stderr and message in result.stderr
    assert not folder.exists()


@pytest.mark.parametrize("text, line, message", [
    ("@misc{a,\n  title = {T},\n  year = {soon}\n}\n", 3, "year 'soon' is not a year"),
    ("@misc{a,\n  title = {T},\n  url = {www.example.org}\n}\n", 3,
     "url 'www.example.org' is not an http(s) URL"),
    ("@misc{a,\n  title = {T},\n  doi = {not-a-doi}\n}\n", 3, "doi 'not-a-doi' is not a DOI"),
    ("@misc{a,\n  title = {T},\n  eprint = {hep/xyz}, archiveprefix = {arXiv}\n}\n", 3,
     "eprint 'hep/xyz' is not an arXiv id"),
    ("@inproceedings{a,\n  title = {T}, booktitle = {B},\n  journal = {J}\n}\n", 3,
     "journal 'J' is not the venue of a @inproceedings (its booktitle is)"),
    ("@inproceedings{a,\n  title = {T}, address = {Rome},\n  location = {Rome, Italy}\n}\n", 3,
     "location 'Rome, Italy' repeats what address gives"),
])
def test_values_a_field_cannot_hold_are_kept_as_written_and_told(tmp_path, run, text, line,
                                                                message):
    source = write(tmp_path, text)
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 0, result.output
    assert f"{source}:{line}: note: a: {message}; kept as written" in result.stderr, \
        result.stderr
    entry = load_catalog(tmp_path / "cat").entries["a"]
    name = message.split()[0]
    assert name in entry.verbatim
    assert re.search(rf"\n  {name} += \{{{re.escape(entry.verbatim[name])}\}}",
                     render_entry(entry))


def test_keys_biber_accepts_and_other_eprints_are_kept(tmp_path, run):
    source = write(tmp_path, "@misc{9lives, title={x}}\n@misc{10.1145/123.456, title={y},\n"
                             "  eprint = {123}, eprinttype = {hdl}}\n")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(tmp_path / "cat")
    assert catalog.entries["10.1145/123.456"].verbatim == {"eprint": "123", "eprinttype": "hdl"}
    assert "9lives" in catalog.entries


def render_entry(entry) -> str:
    from oflbib.exporters.bibtex import BIBTEX, format_entry

    return format_entry(to_reference(entry), BIBTEX)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path, run):
    source = write(tmp_path, "@misc{a, title={T}, doi={x}}\n\n@misc{b,\n  title={U},\n"
                             "  url={ftp://x}\n}\n\n@misc{c, title={open\n")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 1
    located = [line for line in result.stderr.splitlines() if line.startswith(str(source))]
    assert [line[len(str(source)) + 1:].split(":", 1)[0] for line in located] == ["1", "5", "8"]


def test_binary_bib_is_refused(tmp_path, run):
    source = tmp_path / "refs.bib"
    source.write_bytes(b"@misc{a,\n title={x}}\x00\n")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 2 and f"{source}:2: binary data" in result.stderr
    assert not (tmp_path / "cat").exists()


def test_eprint_without_archive_prefix_is_arxiv(tmp_path, run):
    source = write(tmp_path, "@article{ads, title={T}, eprint={2101.00001}, year=2021}\n")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 0, result.output
    assert load_catalog(tmp_path / "cat").entries["ads"].arxiv == "2101.00001"


def test_preambles_are_kept_and_written_first(tmp_path, run):
    source = write(tmp_path, '@preamble{"\\providecommand{\\noopsort}[1]{}"}\n'
                             "@misc{a, title={{\\noopsort{b}}T}, year={2020}}\n")
    folder = tmp_path / "cat"
    assert run("--catalog", folder, "import", "bibtex", source, "-s", "S").exit_code == 0
    catalog = load_catalog(folder)
    assert catalog.preambles == [r"\providecommand{\noopsort}[1]{}"]
    run("--catalog", folder, "import", "bibtex", source, "-s", "S")  # once, not twice
    assert load_catalog(folder).preambles == catalog.preambles
    for flavour in ("bibtex", "biblatex"):
        text = render(catalog, flavour)
        assert text.index(r"@preamble{{\providecommand{\noopsort}[1]{}}}") < text.index("@misc")
        again = write(tmp_path, text, f"again-{flavour}.bib")
        assert run("--catalog", tmp_path / flavour, "import", "bibtex", again, "-s",
                   "S").exit_code == 0
        assert load_catalog(tmp_path / flavour).preambles == catalog.preambles


def test_entries_without_a_title_are_imported_and_checked(tmp_path, run):
    source = write(tmp_path, "@misc{web, howpublished = {\\url{https://example.org/x}},\n"
                             "  year = {2020}}\n"
                             "@proceedings{conf, editor = {Roe, Ann}, year = {2019}}\n")
    folder = tmp_path / "cat"
    result = run("--catalog", folder, "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(folder)
    assert catalog.entries["web"].urls == ["https://example.org/x"]
    assert catalog.entries["conf"].editors == [Person(family="Roe", given="Ann")]
    assert not catalog.entries["conf"].title
    for flavour in ("bibtex", "biblatex", "csljson", "ris"):
        assert "title" not in render(catalog, flavour).lower().replace("written", "")
    checked = run("--catalog", folder, "check")
    assert "conf: paper has no title" in checked.output + checked.stderr
    assert "web: paper has no title" in checked.output + checked.stderr


def test_a_users_publisher_on_an_article_in_a_venue_of_the_table_is_kept(tmp_path, run):
    """biblatex leaves out the publisher the venue table gives an @article, never the one
    the user wrote (found by the property test: journal NIPS, publisher of the user's)."""
    source = tmp_path / "a.bib"
    source.write_text("@article{a,\n  title = {Zero},\n  journal = {NIPS},\n"
                      "  publisher = {Curran},\n  year = {2020},\n}\n", encoding="utf-8")
    assert run("--catalog", tmp_path / "cat", "import", "bibtex", source).exit_code == 0
    for flavour in ("bibtex", "biblatex"):
        out = run("--catalog", tmp_path / "cat", "export", "--format", flavour).output
        assert re.search(r"publisher\s*=\s*\{Curran\}", out), flavour


def test_a_field_commented_out_with_slashes_is_kept_with_its_entry(tmp_path, run):
    """BibTeX reads `//pages` as a field name (Mendeley users comment fields out so):
    the entry imports and the field comes back out as written."""
    source = write(tmp_path, "@inproceedings{a,\n  title = {T}, booktitle = {B},\n"
                             "  pages = {1--2},\n  //pages = {391--396}\n}\n")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 0, result.output
    entry = load_catalog(tmp_path / "cat").entries["a"]
    assert entry.pages == "1--2" and entry.verbatim["//pages"] == "391--396"
    written = bibtexparser.parse_string(render_entry(entry)).entries[0]
    assert written.fields_dict["//pages"].value == "391--396"


def test_a_papers_own_url_to_its_code_is_written_once(tmp_path, run):
    """A user's url that is a code repository stays the entry's url, and is not repeated
    as the labelled code link (found by the property test: a list typed @inproceedings)."""
    source = write(tmp_path, "@inproceedings{a, title={T}, booktitle={B}, year=2020,\n"
                             "  url={https://github.com/x/y}}\n")
    assert run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S").exit_code == 0
    out = run("--catalog", tmp_path / "cat", "export", "--format", "bibtex").stdout
    assert out.count("https://github.com/x/y") == 1 and "Code:" not in out, out


@pytest.mark.parametrize("year", [r"{\noopsort{1973b}}1973", "January 1978"])
def test_a_year_that_says_more_than_its_number_is_written_back_as_given(tmp_path, run, year):
    source = write(tmp_path, f"@misc{{a, title={{T}}, year={{{year}}}}}\n")
    folder = tmp_path / "cat"
    assert run("--catalog", folder, "import", "bibtex", source, "-s", "S").exit_code == 0
    catalog = load_catalog(folder)
    assert catalog.entries["a"].year in (1973, 1978)  # the catalog knows the number
    for flavour in ("bibtex", "biblatex"):
        assert f"{{{year}}}" in render(catalog, flavour)


def test_check_tells_one_work_listed_twice_from_two_works_of_one_title(tmp_path, run):
    """Two journals' "Editorial"s are two works; one paper with and without its year is
    one work listed twice."""
    said = checked(tmp_path, run,
                   "@article{e1, title={Editorial}, author={Roe, Ann}, year=2020}\n"
                   "@article{e2, title={Editorial}, author={Doe, Jim}, year=2021}\n"
                   "@article{p1, title={Bamboo}, author={Thorpe, John}, year=2023}\n"
                   "@misc{p2, title={{Bamboo}}, author={Thorpe, J.}}\n")
    assert "same title as 'e1'" not in said
    assert "p2: same title as 'p1'" in said
    assert "only a name" not in said  # a one-word title with its authors is a title
    assert "scheme" not in said  # the .bib file's keys are the user's


def test_a_key_the_list_import_made_and_someone_changed_is_flagged(tmp_path, run):
    source = tmp_path / "list.md"
    source.write_text("# L\n\n## S\n- [A Paper Title](https://arxiv.org/abs/2101.00001)\n",
                      encoding="utf-8")
    folder = tmp_path / "cat"
    assert run("--catalog", folder, "import", "markdown", source).exit_code == 0
    section = next(folder.glob("s*.yaml"))
    key = load_catalog(folder).sections[0].listings[0].key
    section.write_text(section.read_text(encoding="utf-8").replace(key, "mykey"),
                       encoding="utf-8")
    result = run("--catalog", folder, "check")
    assert "mykey: key does not follow the scheme" in result.stdout + result.stderr


def test_a_bib_entry_in_the_markdown_list_links_where_its_doi_leads(tmp_path, run):
    source = write(tmp_path, "@article{a, title={A Paper Title}, author={Roe, Ann}, year=2020,"
                             " journal={J}, doi={10.1000/xyz}}\n"
                             "@misc{b, title={A Preprint Title}, eprint={2101.00001}}\n")
    folder = tmp_path / "cat"
    assert run("--catalog", folder, "import", "bibtex", source, "-s", "S").exit_code == 0
    text = render(load_catalog(folder), "markdown")
    assert "[A Paper Title](https://doi.org/10.1000/xyz)" in text
    assert "[A Preprint Title](https://arxiv.org/abs/2101.00001)" in text


def test_check_asks_a_bib_files_entries_only_for_what_their_type_has(tmp_path, run):
    """A book or a .bib file's @misc is part of no journal or proceedings, and an arXiv
    paper's venue is arXiv: no "no venue" error for them; an @article without its journal
    has one. Names a file wrote as `{R} and {Jedicke}` are its own slip, not a YAML one."""
    said = checked(tmp_path, run,
                   "@book{gj, title={Computers and Intractability}, author={Garey, M.},"
                   " publisher={Freeman}, year=1979}\n"
                   "@misc{web, title={Understanding Neural Nets}, author={Sinai, Jonty},"
                   " year=2019}\n"
                   "@article{pre, title={Forward Modeling of Galaxies}, author={Alsing, J},"
                   " year=2022, eprint={2207.05819}, eprinttype={arxiv}}\n"
                   "@article{nojournal, title={Linear Algebra Review}, author={Kolter, Zico},"
                   " year=2020}\n"
                   "@article{split, title={A Science Book}, author={{R} and {Jedicke} and Roe, A},"
                   " year=2009, journal={J}}\n")
    errors = [line for line in said.splitlines() if line.startswith("error")]
    assert errors == ["error: nojournal: paper has no venue"]
    assert "warning: split: authors 'R', 'Jedicke' look like one person's name" in said


def test_biblatex_issue_is_its_own_field_not_the_number(tmp_path, run):
    """biblatex's `issue` ("Spring") is no `number`: it keeps its name in both flavours;
    CSL and RIS have one place for both, which takes it when there is no number."""
    source = write(tmp_path, "@article{s1, title = {Seasons}, journaltitle = {J}, date = {2020},"
                             " number = {3}, issue = {Spring}}\n"
                             "@article{s2, title = {Only Issue}, journaltitle = {J},"
                             " date = {2021}, issue = {Special Issue on Things}}\n")
    assert run("--catalog", tmp_path / "cat", "import", "bibtex", source).exit_code == 0
    catalog = load_catalog(tmp_path / "cat")
    assert (catalog.entries["s1"].number, catalog.entries["s1"].issue) == ("3", "Spring")
    for flavour in ("bibtex", "biblatex"):
        out = bibtexparser.parse_string(render(catalog, flavour)).entries_dict
        assert (out["s1"]["number"], out["s1"]["issue"]) == ("3", "Spring"), flavour
        assert "number" not in out["s2"] and out["s2"]["issue"] == "Special Issue on Things"
    items = {i["id"]: i for i in json.loads(render(catalog, "csljson"))}
    assert (items["s1"]["issue"], items["s2"]["issue"]) == ("3", "Special Issue on Things")
    ris = {r["id"]: r for r in rispy.loads(render(catalog, "ris"))}
    assert ris["s2"]["number"] == "Special Issue on Things"


def test_a_type_the_table_lacks_is_kept_as_given(tmp_path, run):
    """biblatex-apa's @nameonly and others: written back as given by both BibTeX writers
    (styles print a type they lack as @misc), a misc item in CSL-JSON and RIS."""
    source = write(tmp_path, "@nameonly{n1, title={A Name Only Thing}, author={Doe, Jane},"
                             " year=2020}\n@misc{m1, title={Plain}, year=2021}\n")
    result = run("--catalog", tmp_path / "cat", "import", "bibtex", source, "-s", "S")
    assert result.exit_code == 0, result.output
    assert "note: 1 @nameonly entries: a type oflbib does not know, kept as @nameonly" \
        in result.stderr
    catalog = load_catalog(tmp_path / "cat")
    assert catalog.entries["n1"].entry_type == "nameonly"
    for flavour in ("bibtex", "biblatex"):
        types = {e["ID"]: e["ENTRYTYPE"] for e in
                 bibtexparser.parse_string(render(catalog, flavour)).entries}
        assert types == {"n1": "nameonly", "m1": "misc"}
    assert json.loads(render(catalog, "csljson"))[0]["type"] == "document"
    assert rispy.loads(render(catalog, "ris"))[0]["type_of_reference"] == "GEN"
    said = run("--catalog", tmp_path / "cat", "check")
    assert "nameonly" not in said.stdout  # the file's own type: no advice


def test_a_type_typed_in_the_catalog_is_checked(catalog_copy, run):
    path = catalog_copy / "training.yaml"
    text = path.read_text()
    path.write_text(text.replace("kind: paper\n", "kind: paper\n    entry_type: artcle\n", 1))
    result = run("--catalog", catalog_copy, "check")
    assert "entry type 'artcle' is not in the type table (did you mean 'article'?)" \
        in result.stdout
    path.write_text(text.replace("kind: paper\n", "kind: paper\n    entry_type: Article!\n", 1))
    result = run("--catalog", catalog_copy, "check")
    assert result.exit_code == 2 and "entry_type 'Article!' is not well-formed" in result.stderr

"""The Markdown importer on the real seed list: every shape and flaw it contains."""

from __future__ import annotations


import pytest

from oflbib.catalog.store import load_catalog
from oflbib.importers.markdown import read_markdown
from oflbib.text import norm_title
from tests.conftest import tree_bytes


@pytest.fixture
def imported(tmp_path, seed_path, run):
    result = run("--catalog", tmp_path / "cat", "import", "markdown", seed_path)
    assert result.exit_code == 0, result.output
    return load_catalog(tmp_path / "cat")


def by_title(catalog, start: str):
    found = [e for e in catalog.entries.values() if e.title.startswith(start)]
    assert len(found) == 1, (start, [e.title for e in found])
    return found[0]


def test_sections_in_list_order(imported):
    # The frameworks come before any heading but the list's title: they are the title's
    # section (the shipped catalog renamed it "Frameworks" by hand).
    assert [s.name for s in imported.sections] == [
        "OpenFederatedLearning", "Training", "Serving-Inference", "MoE", "Schedule", "Optimization",
        "GNN", "Fine-Tune", "Misc"]
    assert imported.section("Misc").heading == "Misc"  # "### Misc " has a trailing space
    assert len(imported.entries) == 103


def test_framework_lines_are_software_with_every_url(imported):
    fate = by_title(imported, "Federated AI Technology Enabler")
    assert fate.kind == "software"
    assert fate.organisation == "Webank Fin tech"
    assert fate.urls == ["https://github.com/OpenFederatedLearning/FATE",
                         "https://github.com/OpenFederatedLearning/eggroll"]
    pysyft = by_title(imported, "PySyft")
    assert pysyft.organisation == "OpenMined"  # two spaces before the url


def test_privacy_bullets_are_prose_not_entries(imported):
    prose = "\n".join(b.prose for b in imported.blocks if b.prose)
    assert "- Differential Privacy" in prose
    assert "Privacy preserving technique" in prose
    assert not any("Differential Privacy" in e.title for e in imported.entries.values())


@pytest.mark.parametrize("title, venue, year", [
    ("Bamboo:", "NSDI", 2023),
    ("AMP:", "NeurIPS", 2022),  # NeurIPS '22, with a space
    ("Out-of-order backprop", "EuroSys", 2022),  # Eurosys'22
    ("DAPPLE", "PPoPP", 2021),  # PPOPP'21
    ("MegaBlocks", "MLSys", 2023),  # MLSYS'23
    ("Baechi", "SoCC", 2020),  # SOCC'20
    ("iGniter", "TPDS", 2022),
    ("HET:", "VLDB", 2022),
    ("Slapo", "arXiv", None),  # bare "arxiv"
])
def test_venue_tags_in_every_spelling(imported, title, venue, year):
    entry = by_title(imported, title)
    assert (entry.venue, entry.year) == (venue, year)


def test_arxiv_preprint_tag_gives_id_and_year(imported):
    fastmoe = by_title(imported, "FastMoE")
    assert (fastmoe.venue, fastmoe.arxiv, fastmoe.year) == ("arXiv", "2103.13262", 2021)


def test_untagged_entry_has_no_venue(imported):
    colossal = by_title(imported, "Colossal-AI")
    assert colossal.venue is None and colossal.year is None


def test_title_broken_over_two_lines(imported):
    flexgen = by_title(imported, "High-throughput Generative Inference")
    assert flexgen.title == ("High-throughput Generative Inference of Large Language Model "
                             "with a Single GPU")
    assert flexgen.urls == ["https://github.com/MachineLearningSystem/FlexGen"]


def test_leading_doubled_and_inner_spaces(imported):
    assert by_title(imported, "SWARM Parallelism").kind == "paper"  # " - [SWARM"
    assert by_title(imported, "Fine-tuning giant").venue == "ATC"  # "-  [Fine-tuning"
    assert by_title(imported, "INFaaS").title == "INFaaS: Automated Model-less Inference Serving"
    assert by_title(imported, "Baechi").title.endswith("Machine Learning Graphs")


def test_trailing_period_and_git_suffix(imported):
    alpa = by_title(imported, "Alpa")
    assert alpa.urls == ["https://github.com/alpa-projects/alpa"]
    assert alpa.seed.urls == ["https://github.com/alpa-projects/alpa.git"]  # the list's text


def test_braces_mark_case_protection_not_text(imported):
    zeus = by_title(imported, "Zeus")
    assert zeus.title == "Zeus: Understanding and Optimizing GPU Energy Consumption of DNN Training"
    assert zeus.protect == ["GPU", "DNN"]
    assert by_title(imported, "Whale").protect == ["GPUs"]


def test_mojibake_is_repaired(imported):
    entry = by_title(imported, "\u03bbDNN")
    assert entry.title.startswith("\u03bbDNN: Achieving")
    assert entry.seed.title.startswith("\u00ce\u00bbDNN")  # the list's own bytes are kept


def test_awesome_lists_and_name_only_titles(imported):
    kinds = {e.title: e.kind for e in imported.entries.values()}
    assert kinds["awesome distributed deep learning"] == "list"
    assert kinds["awsome parallelism"] == "list"  # the list's typo
    assert kinds["MoE Paper"] == "list"  # only the url says it is an awesome list
    for name in ("Pets", "iGUARD", "KungFu"):
        assert kinds[name] == "paper"


def test_same_paper_in_two_sections_is_one_entry(imported):
    hidet = [e for e in imported.entries.values() if e.title.startswith("Hidet")]
    assert len(hidet) == 1
    assert hidet[0].sections == ["Serving-Inference", "Optimization"]
    assert (hidet[0].venue, hidet[0].year) == ("ASPLOS", 2023)  # from the second listing's tag
    assert hidet[0].title.endswith("Tensor Programs")  # no trailing period


def test_reimport_changes_nothing(tmp_path, seed_path, run):
    folder = tmp_path / "cat"
    assert run("--catalog", folder, "import", "markdown", seed_path).exit_code == 0
    before = tree_bytes(folder)
    result = run("--catalog", folder, "import", "markdown", seed_path)
    assert result.exit_code == 0
    assert "added 0 entries" in result.stderr
    assert tree_bytes(folder) == before


def test_reimport_keeps_keys_enrichment_and_comments(catalog_copy, seed_path, run):
    training = catalog_copy / "training.yaml"
    text = training.read_text()
    text = text.replace("- key: thorpe2023bamboo", "# reviewed by hand\n  - key: thorpe2023bamboo")
    training.write_text(text)
    before = load_catalog(catalog_copy)
    result = run("--catalog", catalog_copy, "import", "markdown", seed_path)
    assert result.exit_code == 0, result.output
    after = load_catalog(catalog_copy)
    assert after.entries == before.entries
    assert "# reviewed by hand" in training.read_text()


def test_importing_the_exported_list_into_its_catalog_changes_nothing(catalog_copy, run,
                                                                       tmp_path):
    """`export --format markdown` then `import markdown` of the result: the list's own text
    (seed) of every entry is kept and no paper is listed twice in the next export."""
    exported = tmp_path / "list.md"
    assert run("--catalog", catalog_copy, "export", "--format", "markdown", "-o",
               exported).exit_code == 0
    before = load_catalog(catalog_copy)
    result = run("--catalog", catalog_copy, "import", "markdown", exported)
    assert result.exit_code == 0, result.output
    assert "added 0 entries, list text changed for 0" in result.stderr
    after = load_catalog(catalog_copy)
    assert {k: e.seed for k, e in after.entries.items()} == \
        {k: e.seed for k, e in before.entries.items()}
    again = tmp_path / "again.md"
    run("--catalog", catalog_copy, "export", "--format", "markdown", "-o", again)
    assert again.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")


def test_new_items_added_and_vanished_items_reported(tmp_path, seed_path, run):
    folder = tmp_path / "cat"
    run("--catalog", folder, "import", "markdown", seed_path)
    edited = seed_path.read_text(encoding="utf-8")
    edited = edited.replace("- [KungFu](https://github.com/MachineLearningSystem/KungFu) OSDI'20\n",
                            "")
    edited += "\n- [A New Paper: On Things](https://example.org/new) OSDI'24\n"
    changed = tmp_path / "list.md"
    changed.write_text(edited, encoding="utf-8")
    result = run("--catalog", folder, "import", "markdown", changed)
    assert result.exit_code == 0
    assert "added 1 entries" in result.stderr
    assert "kungfu2020" in result.stderr and "no longer in the list" in result.stderr
    catalog = load_catalog(folder)
    assert "kungfu2020" in catalog.entries  # reported, not deleted
    assert catalog.entries["new2024"].venue == "OSDI"


def test_fresh_import_equals_shipped_seed_fields(imported, shipped):
    renamed = {"OpenFederatedLearning": "Frameworks"}  # the catalog's own name for it

    def seeds(catalog):
        return [(renamed.get(s.name, s.name), s.heading,
                 [(lst.seed.title, lst.seed.venue, lst.seed.urls) for lst in s.listings])
                for s in catalog.sections]

    assert seeds(imported) == seeds(shipped)
    assert [(renamed.get(b.section, b.section), b.heading, b.prose) for b in imported.blocks] \
        == [(b.section, b.heading, b.prose) for b in shipped.blocks]
    for key, entry in imported.entries.items():
        shipped_entry = next(e for e in shipped.entries.values()
                             if e.seed and e.seed.title == entry.seed.title)
        # The list's links, in its order; curation may add a paper's landing page after them.
        assert shipped_entry.urls[:len(entry.urls)] == entry.urls
        listed = [renamed.get(name, name) for name in entry.sections]
        # where the list files it; curation may correct the first
        if shipped_entry.filed_under:
            listed = [shipped_entry.filed_under] + listed[1:]
        assert shipped_entry.sections == listed


@pytest.mark.parametrize("text, line, message", [
    ("# L\n\n### A\n- [Title(https://x.org) NSDI'23\n", 4, "unterminated link"),
    ("# L\n### A\n- [Title](https://x.org NSDI'23\n", 3, "not closed"),
    ("# L\n### A\n- [](https://x.org)\n", 3, "no title"),
    ("# L\n### A\n- [T](ftp://x.org)\n", 3, "must start with http"),
    ("# L\n\nonly prose here\n", 1, "no list items"),
])
def test_malformed_markdown_is_a_located_error(tmp_path, run, text, line, message):
    source = tmp_path / "list.md"
    source.write_text(text, encoding="utf-8")
    folder = tmp_path / "cat"
    result = run("--catalog", folder, "import", "markdown", source)
    assert result.exit_code == 2
    assert f"{source}:{line}: " in result.stderr and message in result.stderr
    assert "Traceback" not in result.output
    assert not folder.exists()


def test_non_utf8_and_binary_markdown(tmp_path, run, catalog_copy):
    before = tree_bytes(catalog_copy)
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes(b"# L\n### A\n- [Caf\xe9](https://x.org)\n")
    result = run("--catalog", catalog_copy, "import", "markdown", latin1)
    assert result.exit_code == 2 and f"{latin1}:3: not valid UTF-8" in result.stderr
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"# L\n\x00\x01\x02")
    result = run("--catalog", catalog_copy, "import", "markdown", binary)
    assert result.exit_code == 2 and f"{binary}:2: binary data" in result.stderr
    assert tree_bytes(catalog_copy) == before


def test_read_markdown_needs_no_catalog(seed_path):
    draft = read_markdown(seed_path)
    assert sum(len(items) for items in draft.sections.values()) == 105  # two are repeats
    assert norm_title("Hidet: Task-Mapping ... Programs.") == norm_title("hidet task mapping programs")

"""The shapes awesome-lists use besides the seed's: each read into the fields a reader sees."""

from __future__ import annotations

import pytest

from oflbib.importers.markdown import parse_markdown


def read(text: str):
    draft = parse_markdown(text, "list.md", "list")
    return draft, [item for items in draft.sections.values() for item in items]


@pytest.mark.parametrize("line, title, venue, year", [
    ("- [OSDI'24] [Title One: A System](https://x.org/a)", "Title One: A System", "OSDI", 2024),
    ("* **Title One: A System** [[paper]](https://x.org/a) [[code]](https://github.com/a/b)",
     "Title One: A System", None, None),
    ("+ Title One: A System (NSDI 2023) [pdf](https://x.org/a.pdf)",
     "Title One: A System", "NSDI", 2023),
    ("1. Title One: A System. **MLSys '21** [link](https://x.org)",
     "Title One: A System", "MLSys", 2021),
    ("2) Title One: A System. In Proc. of SC 2021. [paper](https://x.org)",
     "Title One: A System", "SC", 2021),
    ("- Title One: A System. Ada Lovelace, Alan M. Turing. ICML 2020.",
     "Title One: A System", "ICML", 2020),
    ("- *Title One: A System*, NeurIPS'22, [arXiv](https://arxiv.org/abs/2103.13262)",
     "Title One: A System", "NeurIPS", 2022),
    ("- Title One: A System [[PUB](https://x.org/a).] [[PDF](https://x.org/b)]",
     "Title One: A System", None, None),
    ("- 🔥🔥 [Sys] Title One: A System (@Org) [Sep 2024] [Paper](https://x.org)",
     "Title One: A System", None, 2024),
])
def test_item_shapes(line, title, venue, year):
    _, items = read(f"# List\n\n## Papers\n{line}\n")
    assert [(i.title, i.venue, i.year) for i in items] == [(title, venue, year)]


def test_authors_and_identifiers_from_links():
    _, [item] = read("# L\n- Title One. Ada Lovelace, Alan M. Turing. ICML 2020. "
                     "[pdf](https://arxiv.org/pdf/2103.13262v2.pdf) "
                     "[doi](https://doi.org/10.1145/3341301.3359646)\n")
    assert [a.display for a in item.authors] == ["Ada Lovelace", "Alan M. Turing"]
    assert item.arxiv == "2103.13262" and item.doi == "10.1145/3341301.3359646"
    assert "doi" not in item.provenance  # the link's DOI: a resolver checks it first


def test_year_from_arxiv_id_and_headings():
    _, items = read("# L\n### 2023\n#### IJCAI\n- A Title Here [paper](https://x.org)\n"
                    "### Other\n- B Title Here [paper](https://arxiv.org/abs/1912.04977)\n")
    assert [(i.venue, i.year) for i in items] == [("IJCAI", 2023), (None, 2019)]


def test_toc_badges_images_and_prose_are_skipped_not_fatal():
    draft, items = read(
        "# L [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n"
        "- [Papers](#papers)\n  - [Training](#training)\n"
        "[![Stars](https://img.shields.io/github/stars/a/b.svg)](https://github.com/a/b)\n"
        "## Papers\nSome prose between items.\n- [A Real Paper Title](https://x.org/1)\n\n"
        "More prose does not end the section.\n\n- [Another Paper Title](https://x.org/2)\n")
    assert draft.title == "L"
    assert list(draft.sections) == ["Papers"]
    assert [i.title for i in items] == ["A Real Paper Title", "Another Paper Title"]
    skipped = [n.detail for n in draft.notes if n.what == "skipped"]
    assert skipped.count("table of contents (links to the list's own headings)") == 2
    assert not draft.problems


def test_repeated_sub_headings_are_nested_sections():
    draft, _ = read("# L\n## 2023\n### IJCAI\n- [P One Title](https://x.org/1)\n"
                    "## 2024\n### IJCAI\n- [P Two Title](https://x.org/2)\n"
                    "### AAAI\n- [P Three Title](https://x.org/3)\n")
    assert list(draft.sections) == ["2023/IJCAI", "2024/IJCAI", "AAAI"]
    assert [(i.venue, i.year) for items in draft.sections.values() for i in items] == [
        ("IJCAI", 2023), ("IJCAI", 2024), ("AAAI", 2024)]


def test_items_before_any_heading_belong_to_the_title_or_the_file():
    draft, _ = read("# My List\n- [P One Title](https://x.org/1)\n")
    assert list(draft.sections) == ["My List"]
    draft, _ = read("- [P One Title](https://x.org/1)\n")
    assert list(draft.sections) == ["list"]  # no heading at all: the file's name


def test_pipe_table_rows_are_entries_by_header():
    draft, items = read(
        "# L\n## T\n| Title | Venue | Year | Authors | Code |\n|---|:-:|---|---|---|\n"
        "| [Paper One Title](https://x.org/1) | NSDI | 2023 | Ada Lovelace, Alan Turing |"
        " [code](https://github.com/a/b) |\n"
        "| Paper Two Title | Nat. Commun. | 2025 | Google Research | |\n"
        "\n| Conference | Year |\n|---|---|\n| ICML | 2023 |\n")
    assert [(i.title, i.venue, i.container, i.year) for i in items] == [
        ("Paper One Title", "NSDI", None, 2023), ("Paper Two Title", None, "Nat. Commun.", 2025)]
    assert items[0].urls == ["https://x.org/1", "https://github.com/a/b"]
    assert [a.display for a in items[1].authors] == ["Google Research"]
    assert "table without a title column" in [n.detail for n in draft.notes]


def test_html_table_rows_are_entries():
    _, items = read("# L\n## T\n<table>\n<tr><th>Title</th><th>Venue</th></tr>\n"
                    "<tr><td><a href=\"https://x.org/1\">Paper <b>One</b> Title</a></td>"
                    "<td>ICLR 2021</td></tr>\n</table>\n")
    assert [(i.title, i.venue, i.year, i.urls) for i in items] == [
        ("Paper One Title", "ICLR", 2021, ["https://x.org/1"])]


def test_nested_code_link_joins_the_paper_above():
    draft, items = read("# L\n- [Paper One Title](https://x.org/1)\n"
                        "  - [code](https://github.com/a/b)\n")
    assert [i.urls for i in items] == [["https://x.org/1", "https://github.com/a/b"]]


def test_malformed_link_is_a_located_problem_and_the_rest_imports():
    draft, items = read("# L\n- [Broken(https://x.org) NSDI'23\n- [Good Title](https://x.org)\n")
    assert [str(p) for p in draft.problems] == [
        "list.md:2: unterminated link: expected `[Title](url)`"]
    assert [i.title for i in items] == ["Good Title"]


def test_report_says_what_each_line_was():
    draft, _ = read("# L\n- [Paper One Title](https://arxiv.org/abs/2103.13262) NSDI'23\n")
    assert [str(n) for n in draft.notes] == [
        "1: heading: list title 'L'",
        '2: paper: "Paper One Title" venue=NSDI year=2023 links=arxiv']

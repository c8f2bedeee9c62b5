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
    # The year glued to the name, after a comma, or before the name.
    ("- [Title One: A System](https://x.org/a) OSDI20", "Title One: A System", "OSDI", 2020),
    ("- [Title One: A System](https://x.org/a) NSDI, 2023", "Title One: A System", "NSDI",
     2023),
    ("- [Title One: A System](https://x.org/a) 2023 NSDI", "Title One: A System", "NSDI",
     2023),
    ("- Title One: A System. Ada Lovelace, Alan M. Turing. ICML 2020.",
     "Title One: A System", "ICML", 2020),
    ("- *Title One: A System*, NeurIPS'22, [arXiv](https://arxiv.org/abs/2103.13262)",
     "Title One: A System", "NeurIPS", 2022),
    ("- Title One: A System [[PUB](https://x.org/a).] [[PDF](https://x.org/b)]",
     "Title One: A System", None, None),
    ("- 🔥🔥 [Sys] Title One: A System (@Org) [Sep 2024] [Paper](https://x.org)",
     "Title One: A System", None, 2024),
    # a system's name linked, the rest of its title after the link
    ("- [Sys](https://arxiv.org/abs/2103.13262): Title One | Some Lab", "Sys: Title One",
     None, 2021),
    ("- **[Sys](https://x.org/a.pdf)**: Title One. ICML 2023", "Sys: Title One",
     "ICML", 2023),
    # the year and the authors after the title; a venue the table lacks
    ("- Title One: A System (2017), A. Author et al. [[pdf]](https://x.org/a)",
     "Title One: A System", None, 2017),
    ("- [CIDR'21] Title One: A System", "Title One: A System", None, 2021),
    ("- [Title One: A System. 2016-02. AISTAT 2017.](https://x.org/a.pdf)",
     "Title One: A System", None, None),
    ("- 🔥[**Sys**] Sys: Title One (@Org) [[code]](https://github.com/a/b)",
     "Sys: Title One", None, None),
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
    draft, items = read("# L\n- [Broken(https://x.org) NSDI'23\n"
                        "- [Good Title](https://x.org) ATC'22\n")
    assert [str(p) for p in draft.problems] == [
        "list.md:2: unterminated link: expected `[Title](url)`"]
    assert [i.title for i in items] == ["Good Title"]


def test_report_says_what_each_line_was():
    draft, _ = read("# L\n- [Paper One Title](https://arxiv.org/abs/2103.13262) NSDI'23\n")
    assert [str(n) for n in draft.notes] == [
        "1: heading: list title 'L'",
        '2: paper: "Paper One Title" venue=NSDI year=2023 links=arxiv']


def test_lines_under_an_item_are_its_details_not_entries():
    draft, items = read("# L\n### P\n- Paper One Title [[Paper]](https://x.org/1)\n"
                        "  - Ada Lovelace, Alan Turing, Some University\n"
                        "  - OSDI 2020\n  - Summary: compared with NSDI 2019 systems.\n")
    assert [(i.title, i.venue, i.year) for i in items] == [("Paper One Title", "OSDI", 2020)]
    assert [n.what for n in draft.notes[-3:]] == ["skipped", "venue", "skipped"]


def test_a_name_linked_to_code_is_software_and_a_described_one_to_a_page_no_entry():
    draft, items = read("# L\n## Serving\n- [vLLM](https://github.com/a/b) - a fast engine\n"
                        "- [Ada Lovelace](https://people.example.edu/~ada/) - a researcher\n"
                        "- [Paper Two](https://example.org/2)\n"
                        "- [Paper One Title](https://arxiv.org/abs/2103.13262) - a paper\n")
    assert [(i.title, i.kind) for i in items] == [("vLLM", "software"), ("Paper Two", "paper"),
                                                   ("Paper One Title", "paper")]
    assert "not a paper" in draft.notes[3].detail


def test_under_a_heading_of_other_things_only_what_shows_a_paper_is_one():
    draft, items = read(
        "# L\n## Tutorials and Courses\n"
        "- [Intro to Systems](https://www.youtube.com/watch?v=1) - a talk\n"
        "- [Serving Toolkit For Models](https://github.com/a/b)\n"
        "- [Title One: A System](https://arxiv.org/abs/2103.13262)\n"
        "- [Title Two: A System](https://x.org/two) NSDI'23\n"
        "## Systems for Post-training\n- [Title Three: A System](https://x.org/three)\n")
    assert [(i.title, i.kind) for i in items] == [
        ("Serving Toolkit For Models", "software"), ("Title One: A System", "paper"),
        ("Title Two: A System", "paper"), ("Title Three: A System", "paper")]
    assert "heading of other things" in draft.notes[2].detail


@pytest.mark.parametrize("line, why", [
    ("- Announcing RedisAI: A Serving Engine [[Blog]](https://x.org/blog)", "labelled"),
    ("- 2022/07/31 - Add VLDB papers [[code]](https://x.org/c)", "dated note"),
    ("- [AAAI](https://dblp.org/db/conf/aaai) [2022](https://x.org/a), 2021", "venue's name"),
    ("- **Post-Training**", "prose"),
    ("- Machine Learning (NeurIPS, ICML, ICLR)", "prose"),
])
def test_lines_that_only_look_like_papers_are_none(line: str, why: str) -> None:
    draft, items = read(f"# L\n## P\n{line}\n")
    assert items == [] and why in draft.notes[-1].detail


def test_a_name_alone_stays_a_paper_even_when_a_venue_has_it():
    _, items = read("# L\n## P\n- [NIPS](https://x.org/n)\n")
    assert [(i.title, i.kind) for i in items] == [("NIPS", "paper")]


def test_a_tool_linked_only_to_its_code_is_software_and_a_paper_link_keeps_a_paper():
    _, items = read("# L\n## P\n- TorchServe is a tool for serving models [[GitHub]]("
                    "https://github.com/a/b)\n- Title One: A System [[Paper]](https://x.org/1)"
                    " [[Code]](https://github.com/a/c)\n- 2023.05 [Title Two: A System]("
                    "https://arxiv.org/abs/2305.00001)\n")
    assert [(i.title, i.kind) for i in items] == [
        ("TorchServe is a tool for serving models", "software"),
        ("Title One: A System", "paper"), ("Title Two: A System", "paper")]


def test_a_name_ending_its_link_with_a_colon_keeps_the_title_after_it():
    _, items = read("# L\n- [Ymir:](https://x.org/ymir.pdf) A Scheduler for Workloads | ICS\n")
    assert [i.title for i in items] == ["Ymir: A Scheduler for Workloads"]


def test_a_table_row_of_a_repository_or_a_venue_is_no_paper():
    _, items = read("# L\n| Date | Title | Code |\n|---|---|---|\n"
                    "| 2025.02 | 🔥🔥[**FlashMLA**] DeepSeek FlashMLA(@deepseek-ai) | [[FlashMLA]](https://github.com/a/b) |\n"
                    "| 2024.01 | Title One: A System [[pdf]](https://x.org/1.pdf) | |\n"
                    "| 2024.01 | NeurIPS 2024 (Oral) | [[code]](https://github.com/a/c) |\n")
    assert [(i.title, i.kind) for i in items] == [("DeepSeek FlashMLA", "software"),
                                                   ("Title One: A System", "paper")]


@pytest.mark.parametrize("lines, title, authors", [
    # a reading checklist: a to-do mark, the authors on the next line
    ("- [ ] Title One: A System\n    Ada Lovelace \u00b7 Alan Turing", "Title One: A System",
     ["Lovelace", "Turing"]),
    # the byline in italics, glued to the title, a name in lower case
    ("- [x]  Title One: A System*Ada Lovelace and alan turing*", "Title One: A System",
     ["Lovelace", "turing"]),
    # CJK title marks, a year tag and a system's name before them
    ("- [2012] Sys\uff1a\u300aTitle One: A System\u300b[[Paper](https://x.org/a.pdf)]",
     "Title One: A System", []),
    # the list's own numbering inside a bold title, bold label links
    ("- **05.Title One: A System** : [**Paper**](https://x.org/a.pdf) || "
     "[**Summary**](https://github.com/a/b)", "Title One: A System", []),
    # author-date citations: the byline in bold, the title in italics; or plain text
    ("- **Lovelace, A., & Turing, A. M. (2016).** *Title One: A System.* ICML 2016.",
     "Title One: A System", []),
    ("1. Lovelace, A., & Turing, A. (2015, October). Title One: A System. In Proceedings "
     "of the 22nd ACM Conference (pp. 1-9). [Link](https://x.org/1)", "Title One: A System", []),
])
def test_reading_list_shapes(lines: str, title: str, authors: list[str]) -> None:
    _, items = read(f"# L\n## P\n{lines}\n")
    assert [(i.title, [p.family for p in i.authors]) for i in items] == [(title, authors)]


def test_a_heading_inside_a_list_item_names_the_section_and_year():
    draft, items = read("# L\n## Papers\n- ### 2014\n  - **Title One: A System** : "
                        "[**Paper**](https://x.org/a.pdf)\n")
    assert list(draft.sections) == ["2014"] and items[0].year == 2014


def test_a_column_the_header_does_not_name_keeps_its_labelled_links():
    _, items = read("# L\n| | Title | Year | Files | Notes |\n|-|-|-|-|-|\n"
                    "| FedAvg | Title One: A System | 2017 | [:ledger:](https://x.org/a.pdf) | "
                    "[ICML 2017](https://icml.cc) |\n")
    assert [(i.title, i.year, i.urls) for i in items] == [
        ("Title One: A System", 2017, ["https://x.org/a.pdf"])]


def test_a_table_without_venue_year_or_authors_names_projects_or_people():
    _, items = read("# L\n| Name | University | Homepage |\n|---|---|---|\n"
                    "| Ada Lovelace | X | [![w](https://img.shields.io/b.svg)](https://x.edu/a) |"
                    "\n"
                    "\n| Title | Github |\n|---|---|\n"
                    "| MLC LLM | [![Star](https://img.shields.io/s.svg)](https://github.com/a/b) |"
                    "\n")
    assert [(i.title, i.kind, i.urls) for i in items] == [
        ("MLC LLM", "software", ["https://github.com/a/b"])]


def test_html_table_rowspan_keeps_the_columns_in_line():
    _, items = read("# L\n<table>\n<tr><th>Topic</th><th>Title</th><th>Venue</th></tr>\n"
                    "<tr><td rowspan=2>Topic A</td><td><a href=\"https://x.org/1\">Paper One "
                    "Title</a></td><td>ICLR 2021</td></tr>\n<tr><td><a href=\"https://x.org/2\">"
                    "Paper Two Title</a></td><td>Conferences: NSDI 2022 (Lab)</td></tr>\n"
                    "</table>\n")
    assert [(i.title, i.venue, i.year) for i in items] == [
        ("Paper One Title", "ICLR", 2021), ("Paper Two Title", "NSDI", 2022)]


def test_publication_is_the_venue_when_a_paper_column_names_the_paper():
    _, items = read("# L\n| Date | Publication | Paper |\n|---|---|---|\n"
                    "| 2023 | NeurIPS | [Paper One Title](https://x.org/1) |\n")
    assert [(i.title, i.venue, i.year) for i in items] == [("Paper One Title", "NeurIPS", 2023)]


def test_label_and_back_to_top_links_are_not_heading_text():
    draft, _ = read("# L\n### ATC 2020 [[Program]](https://x.org/p)\n"
                    "- [Paper One Title](https://x.org/1)\n"
                    "### Topic ([back](#l))\n- [Paper Two Title](https://x.org/2)\n"
                    "### [Models](#l)\n- [Paper Three Title](https://x.org/3)\n")
    assert list(draft.sections) == ["ATC 2020", "Topic", "Models"]


def test_papers_as_paragraphs_that_start_with_an_emphasised_title():
    """Lists without bullets: a bold title (after a badge or a bracketed tag, or on its
    own with the byline as the next paragraph), dblp's `A, B: Title.` byline; prose that
    starts in bold is no paper."""
    draft, items = read(
        "# Readings\n\n## Knobs\n\n"
        "**Tuning Database Configuration Parameters with iTuned** ![](https://img.shields.io/badge/-gp-orange)\n\n"
        "*Duan, S., Thummala, V., & Babu, S. VLDB, 2009.* [[paper](https://x.org/ituned.pdf)]\n\n"
        "![](https://img.shields.io/badge/-Experimental-red) **Breaking It Down: An In-depth Study of Index Advisors**\n\n"
        "*Wei Zhou, Chen Lin, Xuanhe Zhou. VLDB, 2024* [[paper](https://x.org/b.pdf)]\n\n"
        "**Pre-Trained Models: Past, Present and Future**. *Xu Han, Zhengyan Zhang*. arXiv 2021. "
        "[[pdf](https://arxiv.org/abs/2106.07139)]\n\n"
        "**[Card, Query-based]** Beibin Li, Yao Lu, Srikanth Kandula: Warper: Efficiently Adapting "
        "Learned Cardinality Estimators. SIGMOD Conference 2022: 1920-1933 [[paper](https://x.org/w)]\n\n"
        "**Note**: see [our site](https://x.org/site) for more.\n\n"
        "**Kindly** let us know at [our page](https://x.org/page).\n")
    assert [(i.title, i.venue, i.year) for i in items] == [
        ("Tuning Database Configuration Parameters with iTuned", "VLDB", 2009),
        ("Breaking It Down: An In-depth Study of Index Advisors", "VLDB", 2024),
        ("Pre-Trained Models: Past, Present and Future", "arXiv", 2021),
        ("Warper: Efficiently Adapting Learned Cardinality Estimators", "SIGMOD", 2022)]
    assert [str(p) for p in items[3].authors] == ["Li, Beibin", "Lu, Yao", "Kandula, Srikanth"]
    assert "**Note**" in "\n".join(b.prose or "" for b in draft.blocks)


def test_headings_of_reading_lists_and_competitions_hold_no_papers():
    """`External Reading Lists`: links to other lists and courses, not papers, though the
    heading says `reading`; `Competition`: challenges."""
    _, items = read("# Readings\n\n## Basics\n\n* [Paxos Made Simple](papers/paxos.pdf) (2001)\n\n"
                    "## External Reading Lists\n\n"
                    "* [Stanford PhD qualifying exam](http://infolab.stanford.edu/db_pages/infoqual.html)\n"
                    "* [Wisconsin Database Qualifying Exam Reading List (2014)](https://x.org/qual-list)\n"
                    "\n## Competition\n\n- [Trojan Detection Challenge](https://trojandetection.ai/)\n")
    assert [i.title for i in items] == ["Paxos Made Simple"]


def test_an_item_indented_by_one_column_is_a_sibling():
    """` * X` under `* Y` is not nested (its marker is not past Y's), as GitHub shows it:
    a paper of its own, not a detail of the one above; two columns nest as before."""
    _, items = read(
        "# List\n\n## Manipulation\n\n"
        "* **Scalingup**: \"Scaling Up and Distilling Down: Robot Skill Acquisition\", "
        "*arXiv, July 2023*. [[Paper](https://arxiv.org/abs/2307.14535)]\n"
        " * **LIV**: \"LIV: Language-Image Representations and Rewards for Robotic Control\", "
        "*arXiv, Jun 2023*, [[Paper](https://arxiv.org/abs/2306.00958)]\n"
        "* \"Code as Policies: Language Model Programs for Embodied Control\", *arXiv, Sept 2022*.\n"
        "  * Jacky Liang, Wenlong Huang, Fei Xia\n")
    assert [i.title for i in items] == [
        "Scaling Up and Distilling Down: Robot Skill Acquisition",
        "LIV: Language-Image Representations and Rewards for Robotic Control",
        "Code as Policies: Language Model Programs for Embodied Control"]


def test_bold_title_paragraphs_that_link_their_paper_and_code():
    """Bioinformatics lists write `**Title** [[github](..)][[paper](..)]` with no year or
    venue, the links sometimes on the next line, and a line of labels alone under them."""
    draft, items = read(
        "# List\n\n## Reviews\n\n"
        "**(2019-01) A guide to deep learning in healthcare** "
        "[[Nature Medicine paper](https://www.nature.com/articles/s41591-018-0316-z)]\n\n"
        "A review of the field.\n\n"
        "**DNABERT**\n[[github](https://github.com/j/DNABERT)][[paper](https://x.org/btab083)]\n\n"
        "**DeepCpG - Predicting DNA methylation in single cells**\n"
        "[[paper](http://dx.doi.org/10.1186/s13059-017-1189-z)]\n"
        "[[code](https://github.com/c/deepcpg)]\n[[docs](http://deepcpg.readthedocs.io)]\n\n"
        "**Pysster: Learning Motifs** [[github](https://github.com/b/pysster)]"
        "[[bioRxiv preprint](https://www.biorxiv.org/content/230086)]\n")
    found = [(item.title, item.kind, item.year) for item in items]
    assert found == [("A guide to deep learning in healthcare", "paper", 2019),
                     ("DNABERT", "paper", None),
                     ("DeepCpG - Predicting DNA methylation in single cells", "paper", None),
                     ("Pysster: Learning Motifs", "paper", None)]

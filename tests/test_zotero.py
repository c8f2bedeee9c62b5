"""Every export imported by Zotero's own import translators (`../shared/zotero`), entry by
entry: the item type, the title without TeX, the creators, date, DOI, arXiv id in a field
Zotero keeps (not a child note), pages, volume, and the sections as collections (BibTeX)
or tags (RIS, biblatex). What a translator cannot carry is listed in the README."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from oflbib.exporters import render
from oflbib.exporters.reference import Reference, groups
from tests.consumers import zotero_runner

# format -> record type -> the Zotero item type its translator makes. BibTeX has no type
# for software or web pages (both are @misc, which Zotero calls a "document"); Zotero's
# CSL-JSON translator refuses `software`, so the CSL file says `webpage`.
ITEM_TYPES = {
    "bibtex": {"inproceedings": "conferencePaper", "article": "journalArticle",
               "preprint": "manuscript", "software": "document", "online": "document"},
    "biblatex": {"inproceedings": "conferencePaper", "article": "journalArticle",
                 "preprint": "manuscript", "software": "computerProgram", "online": "webpage"},
    "ris": {"inproceedings": "conferencePaper", "article": "journalArticle",
            "preprint": "manuscript", "software": "computerProgram", "online": "webpage"},
    "csljson": {"inproceedings": "conferencePaper", "article": "journalArticle",
                "preprint": "preprint", "software": "webpage", "online": "webpage"},
}
SUFFIX = {"bibtex": "bib", "biblatex": "biblatex.bib", "ris": "ris", "csljson": "json"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory, shipped_catalog):
    """format -> the translator's answer for the shipped catalog's export."""
    runner = zotero_runner()
    folder = tmp_path_factory.mktemp("zotero")
    paths = []
    for fmt, suffix in SUFFIX.items():
        path = folder / f"refs.{suffix}"
        path.write_text(render(shipped_catalog, fmt), encoding="utf-8")
        paths.append(str(path))
    result = subprocess.run(["node", runner, *paths], capture_output=True, text=True,
                            timeout=600, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    return dict(zip(SUFFIX, answers))


def _creators(record: Reference) -> list[tuple[str, str]]:
    return [(a.literal, "") if a.literal else (a.family, a.given) for a in record.authors]


def _zotero_creators(item: dict) -> list[tuple[str, str]]:
    return [(c.get("name") or c.get("lastName", ""), c.get("firstName", ""))
            for c in item.get("creators", [])]


@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_zotero_keeps_every_entry(imported, shipped_catalog, fmt):
    answer = imported[fmt]
    assert answer["translator"] == {"ris": "RIS", "csljson": "CSL JSON"}.get(fmt, "BibTeX")
    records = [r for g in groups(shipped_catalog) for r in g.references]
    items = [i for i in answer["items"] if i["itemType"] != "note"]
    assert len(items) == len(records)
    notes: dict[str, list[str]] = {}  # an item's key -> its child notes, as plain text
    for note in answer["items"]:
        if note["itemType"] == "note":
            notes.setdefault(note["parentItem"], []).append(
                re.sub(r"<[^>]+>", "", note["note"]))
    problems = []
    for record, item in zip(records, items):
        flag = problems.append
        if fmt != "ris":  # Zotero's RIS translator ignores ID: matched by order
            assert item["citationKey"] == record.key
        want_type = ITEM_TYPES[fmt][record.entry_type]
        if item["itemType"] != want_type:
            flag(f"{record.key}: {item['itemType']}, not {want_type}")
        # Zotero keeps CSL's `nocase` spans: its own rich-text markup for a kept case.
        title = re.sub(r'<span class="nocase">|</span>', "", item.get("title", ""))
        if title != record.title:
            flag(f"{record.key}: title {item.get('title')!r}")
        if _zotero_creators(item) != _creators(record):
            flag(f"{record.key}: creators {_zotero_creators(item)}")
        if record.year and str(record.year) not in item.get("date", ""):
            flag(f"{record.key}: date {item.get('date')!r}")
        # Zotero's Extra is one `Key: value` per line; a DOI Zotero has no field for
        # goes there too.
        extra = item.get("extra", "").splitlines()
        if record.doi and record.doi not in (item.get("DOI"), *(
                line.removeprefix("DOI: ") for line in extra)):
            flag(f"{record.key}: DOI {item.get('DOI')!r}, Extra {extra}")
        if record.arxiv and f"arXiv: {record.arxiv}" not in extra \
                and item.get("archiveID") != record.arxiv:
            flag(f"{record.key}: arXiv id not on a line of Extra or as Archive ID: {extra}")
        if record.url and item.get("url") != record.url:
            flag(f"{record.key}: url {item.get('url')!r}")
        # The code links: a child note (BibTeX, RIS) or lines of Extra (CSL-JSON). The
        # biblatex file has them in `addendum`, which Zotero's translator does not read.
        kept = " ".join(notes.get(item["key"], []) + extra)
        lost = [u for u in record.code_urls if u not in kept]
        if lost and fmt != "biblatex":
            flag(f"{record.key}: code links lost: {lost}")
        if fmt == "biblatex" and record.code_urls and not lost:
            flag(f"{record.key}: Zotero reads biblatex's addendum now: tell the README")
        if record.pages and item.get("pages", "").replace("\u2013", "-") != record.pages:
            flag(f"{record.key}: pages {item.get('pages')!r}")
        if record.volume and item.get("volume") != record.volume:
            flag(f"{record.key}: volume {item.get('volume')!r}")
        tags = [t["tag"] for t in item.get("tags", [])]
        if fmt in ("ris", "biblatex", "bibtex") and tags != record.sections:
            flag(f"{record.key}: tags {tags}")
    assert problems == []
    if fmt == "bibtex":  # and each section a collection of its entries
        members = {c["name"]: set(c["items"]) for c in answer["collections"]}
        for record in records:
            for section in record.sections:
                assert record.key in members[section], (record.key, section)


def test_a_heading_repeated_under_two_parents_is_a_sub_collection_of_each(tmp_path):
    """`## 2023 / ### IJCAI` and `## 2024 / ### IJCAI`: BibTeX's JabRef groups nest, so
    Zotero makes `IJCAI` a sub-collection of `2023` and of `2024`; keywords say
    `2023/IJCAI`."""
    from oflbib.importers.markdown import merge_into, parse_markdown
    from oflbib.model import Catalog

    text = ("# L\n## 2023\n- [Paper Zero Title](https://x.org/0) NSDI'23\n"
            "### IJCAI\n- [Paper One Title](https://x.org/1)\n"
            "## 2024\n### IJCAI\n- [Paper Two Title](https://x.org/2)\n")
    catalog = Catalog()
    merge_into(catalog, parse_markdown(text, "l.md", "l"))
    path = tmp_path / "refs.bib"
    path.write_text(render(catalog, "bibtex"), encoding="utf-8")
    result = subprocess.run(["node", zotero_runner(), str(path)], capture_output=True,
                            text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)

    def tree(collections):
        return [(c["name"], sorted(c["items"]), tree(c["children"])) for c in collections]

    assert tree(answer["collections"]) == [
        ("2023", ["paper2023"], [("IJCAI", ["paper2023b"], [])]),
        ("2024", [], [("IJCAI", ["paper2024"], [])])]
    tags = {i["citationKey"]: [t["tag"] for t in i.get("tags", [])] for i in answer["items"]}
    assert tags["paper2024"] == ["2024/IJCAI"]

"""TeX injection and record forgery: hostile text in the catalog stays literal text.

The BibTeX and biblatex outputs are compiled for real (pdflatex + bibtex, pdflatex + biber)
with shell escape *enabled*, so a command that leaked out of the data would run: its
canaries (`touch PWNED`, `\\openout`) must leave no file, `/etc/passwd` must never be
read, and the typeset text, read back from the DVI file, must show every payload as the
characters it is. RIS must not end or forge a record on `ER  -`, and CSL-JSON must not
hand a title's `<i>` to citeproc as formatting.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import bibtexparser
import rispy

from oflbib.exporters import render
from oflbib.importers.markdown import parse_markdown
from oflbib.model import Block, Catalog, Entry, Listing, Person, Section
from tests.consumers import require, run_tool
from tests.strategies import reads_as

# A canary instead of `\write18{rm -rf ~}`: the shell is live in these compiles.
PAYLOADS = [
    r"\input{/etc/passwd}",
    r"\immediate\write18{touch PWNED}",
    r"\newwrite\f\immediate\openout\f=PWNED-openout\immediate\closeout\f",
    r"\catcode`\{=12 \catcode`\%=11 {",
    "x} @misc{forged, title={forged}",
    r"50% of \input{/etc/passwd}",
    r"\def\bibitem{x}\let\end\relax",
    r"}}}{{{ \\ \{ \} #1 $x^2$ a_b ~ & <b>",
    "a\n\n\\par\n@comment{x}",
]
# A very long title: 20,000 characters of words, ending in a payload. (Only the title:
# BibTeX truncates a name beyond 500 characters in plainnat's labels, see reliability.md.)
LONG = "many words in a very long title " * 625 + PAYLOADS[0]
SECTION = r"Sec} \input{/etc/passwd} @misc{forged2,"
URL = r"https://example.org/a}\input{/etc/passwd}%0A#x_y&z~^"
DOI = r"10.1234/a}\write18{touch PWNED-doi}%#_&~^$"


def hostile_catalog() -> Catalog:
    """One entry per payload, with the payload in every text field it can reach, and one
    with the long title."""
    catalog = Catalog(title="List", blocks=[Block(section=SECTION, heading=SECTION, level=3)])
    section = Section(SECTION, "s.yaml", SECTION)
    for number, payload in enumerate(PAYLOADS, start=1):
        key = f"entry{number}"
        catalog.entries[key] = Entry(
            key=key, kind="paper", title=payload, authors=[Person(family=payload, given="J")],
            year=2023, venue="NSDI", container=payload, publisher=payload, pages="1--2",
            doi=DOI, urls=[URL], arxiv_class=payload)
        section.listings.append(Listing(key))
    catalog.entries["long"] = Entry(key="long", kind="paper", title=LONG, year=2023,
                                    authors=[Person(family="Doe", given="Jane")])
    section.listings.append(Listing("long"))
    catalog.sections.append(section)
    catalog.refresh_sections()
    return catalog


def squeezed(text: str) -> str:
    """Printed characters only: no whitespace (line breaks, spacing), case folded (plainnat
    lowercases titles)."""
    return "".join(text.split()).casefold()


# T1 font slots that hold ligatures rather than their ASCII character.
_LIGATURES = {27: "ff", 28: "fi", 29: "fl", 30: "ffi", 31: "ffl"}


def typeset_text(dvi: Path) -> str:
    """The characters a DVI file sets, in order (T1 fonts: ASCII slots are ASCII). Slot 127
    is T1's hyphen for line breaks, which is layout, not text."""
    listing = subprocess.run([require("dvitype"), dvi.name], cwd=dvi.parent, capture_output=True,
                             text=True, errors="replace", check=True).stdout
    codes = [int(c) for c in re.findall(r"\bset(?:char|1 )(\d+)", listing)]
    return "".join(_LIGATURES.get(c, chr(c)) for c in codes if c != 127)


def compile_with(folder: Path, bib: str, preamble: str, backend: list[str]) -> tuple[str, str]:
    """pdflatex (DVI output, shell escape on) + the backend + pdflatex twice; returns the
    typeset text and the final log."""
    require("pdflatex")
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        f"{preamble}\n\\pagestyle{{empty}}\n"  # no page numbers in the typeset text
        "\\begin{document}\n\\nocite{*}\n\\printbib\n\\end{document}\n",
        encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-shell-escape",
             "-output-format=dvi", "doc"]
    for step in (latex, backend, latex, latex):
        result = run_tool(step, folder)
        assert result.returncode == 0, (step, result.stdout[-3000:])
    return typeset_text(folder / "doc.dvi"), (folder / "doc.log").read_text(errors="replace")


def assert_nothing_ran(folder: Path, log: str) -> None:
    assert sorted(p.name for p in folder.glob("PWNED*")) == []
    assert "(/etc/passwd" not in log  # TeX logs every file it \input's
    assert "runsystem" not in log  # TeX logs every shell command it runs


def assert_payloads_shown(text: str) -> None:
    shown = squeezed(text)
    assert "root:" not in shown
    for payload in [*PAYLOADS, LONG]:
        assert squeezed(payload) in shown, payload[:80]


def test_bibtex_output_parses_to_exactly_the_entries():
    catalog = hostile_catalog()
    for flavour in ("bibtex", "biblatex"):
        library = bibtexparser.parse_string(render(catalog, flavour))
        assert library.failed_blocks == []
        assert [e.key for e in library.entries] == list(catalog.entries)
        assert {f.key for e in library.entries for f in e.fields} >= {"title", "author"}


# flavour -> (the bibliography tool, the preamble that prints the bibliography)
BACKENDS = {
    "bibtex": ("bibtex", "\\usepackage[numbers]{natbib}\n\\usepackage{url}\n"
                         "\\newcommand{\\printbib}{\\bibliographystyle{plainnat}"
                         "\\bibliography{refs}}"),
    "biblatex": ("biber", "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
                          "\\newcommand{\\printbib}{\\printbibliography}"),
}


def compiled_bbl(folder: Path, flavour: str) -> str:
    """Compile the hostile catalog in `flavour`; check that no command from the data ran
    and every payload is shown; give the .bbl the tool wrote."""
    tool, preamble = BACKENDS[flavour]
    require(tool)
    text, log = compile_with(folder, render(hostile_catalog(), flavour), preamble,
                             [tool, "doc"])
    assert_nothing_ran(folder, log)
    assert_payloads_shown(text)
    return (folder / "doc.bbl").read_text()


def test_natbib_compiles_and_prints_the_payloads(tmp_path):
    bbl = compiled_bbl(tmp_path, "bibtex")
    keys = list(hostile_catalog().entries)
    assert len(re.findall(r"\\bibitem\b", bbl)) == len(keys)  # none forged
    assert all(f"]{{{key}}}" in bbl for key in keys)


def test_biblatex_compiles_with_biber_and_prints_the_payloads(tmp_path):
    bbl = compiled_bbl(tmp_path, "biblatex")
    assert sorted(re.findall(r"\\entry\{([^}]*)\}", bbl)) == sorted(hostile_catalog().entries)


def test_ris_newline_and_end_tag_cannot_end_or_forge_a_record():
    catalog = hostile_catalog()
    forged = catalog.entries["entry1"]
    forged.title = "Real title\nER  - \n\nTY  - JOUR\nTI  - Forged record\nER  - "
    text = render(catalog, "ris")
    records = rispy.loads(text)
    assert [r["id"] for r in records] == list(catalog.entries)
    assert records[0]["title"] == "Real title ER - TY - JOUR TI - Forged record ER -"
    assert all(line[:6] in {"", "ER  - "} or re.match(r"^[A-Z][A-Z0-9]  - ", line)
               for line in text.splitlines())  # every line is one tag of one record


def test_csljson_never_passes_title_markup_to_citeproc(tmp_path):
    catalog = hostile_catalog()
    catalog.entries["entry1"].title = "Growth of <i>E. coli</i> & <b>x</b><sup>2</sup>"
    items = json.loads(render(catalog, "csljson"))
    # The only markup is oflbib's own: `nocase` spans around words whose case is kept.
    ours = re.compile(r'<span class="nocase">|</span>')

    def texts(value):
        if isinstance(value, str):
            yield ours.sub("", value)
        elif isinstance(value, (list, dict)):
            for inner in value.values() if isinstance(value, dict) else value:
                yield from texts(inner)

    strings = list(texts(items))
    tag = re.compile(r"</?\s*(?:i|b|sup|sub|sc|span)\b", re.I)
    assert [s for s in strings if tag.search(s)] == []
    require("pandoc")
    (tmp_path / "refs.json").write_text(json.dumps(items), encoding="utf-8")
    (tmp_path / "doc.md").write_text("See @entry1.\n")
    result = run_tool(["pandoc", "--citeproc", "--bibliography", "refs.json", "-t", "html",
                       "doc.md"], tmp_path)
    assert result.returncode == 0, result.stderr
    shown = squeezed(result.stdout.replace("\u2060", ""))  # the style title-cases "Coli"
    assert squeezed("&lt;i&gt;E. coli&lt;/i&gt; &amp; &lt;b&gt;x&lt;/b&gt;&lt;sup&gt;2") in shown
    assert "<sup>" not in shown and "<strong>" not in shown


def test_markdown_list_keeps_every_payload_one_item():
    catalog = hostile_catalog()
    draft = parse_markdown(render(catalog, "markdown"), "list.md", "list")
    items = [item for items in draft.sections.values() for item in items]
    assert [reads_as(item.title) for item in items] == [reads_as(p) for p in [*PAYLOADS, LONG]]


def test_markdown_export_shows_html_as_text_and_never_runs_it(tmp_path):
    """Raw HTML in a record (a Crossref title's `&lt;script&gt;` arrives decoded) or in the
    list's own prose is shown as text wherever the exported list is rendered."""
    script, image = "<script>alert(1)</script>", "<img src=x onerror=alert(2)>"
    catalog = Catalog(title="List", blocks=[Block(prose=f"Read me {script} {image}"),
                                            Block(section="S", heading="S", level=3)])
    catalog.entries["a"] = Entry(key="a", kind="paper", title=f"Paper {script}", year=2023,
                                 venue="NSDI", urls=["https://example.org/a"])
    catalog.entries["b"] = Entry(key="b", kind="software", title=f"Tool {image}",
                                 organisation=script, urls=["https://github.com/a/b"])
    catalog.sections.append(Section("S", "s.yaml", "S", [Listing("a"), Listing("b")]))
    catalog.refresh_sections()
    (tmp_path / "list.md").write_text(render(catalog, "markdown"), encoding="utf-8")
    result = run_tool([require("pandoc"), "-f", "gfm", "-t", "html", "list.md"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert not re.search(r"<\s*(?:script|img)\b", result.stdout, re.I)
    assert result.stdout.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3

"""Measure oflbib on the real-input corpus (tests/corpus) through its CLI, as a user runs it.

    python benchmarks/corpus.py                    # Markdown tables: per file, then totals
    python benchmarks/corpus.py --json             # the same figures as JSON
    python benchmarks/corpus.py --only xampl.bib --only moe.md
    python benchmarks/corpus.py --formats bibtex,biblatex,biber   # also as biber reads them

.bib files: `oflbib --catalog TMP import bibtex FILE` (again with `--section corpus` when the
importer asks for a section), then `export --format bibtex` and `--format biblatex`. The input
and both outputs are parsed with bibtexparser v2 and compared entry by entry (matched by key,
then DOI, then title): entries refused (missing from the output), entries that lost a field,
entries whose values changed, entries retyped, `and others` dropped. With `--formats ...,biber`
biber reads the input and the biblatex export (`biber --tool`), and its two readings are
compared the same way.

Markdown lists: `oflbib --catalog TMP import markdown LIST.md`, then `list --json`: paper
listings found against `expected.json`, its sections found, sections that are no heading of
the list (invented), sample titles found, titles with leftover Markdown or HTML.

oflbib is a black box here: a failure (exit status, traceback, timeout) is recorded for that
file and the run goes on. Everything is written under one temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bibtexparser
from pylatexenc.latex2text import LatexNodes2Text

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus"
CONTROL_TYPES = {"ieeetranbstctl"}
NAME_FIELDS = {"author", "editor", "translator", "bookauthor", "holder"}
# The same field under its BibTeX and biblatex names: a value moved to its other name is kept.
ALIASES = [{"journal", "journaltitle"}, {"address", "location"}, {"school", "institution"},
           {"archiveprefix", "eprinttype"}, {"primaryclass", "eprintclass"},
           {"key", "sortkey"}, {"annote", "annotation"}]
# The same type under its BibTeX and biblatex names.
TYPE_ALIASES = [{"phdthesis", "mastersthesis", "thesis"}, {"techreport", "report"},
                {"electronic", "online", "www"}, {"conference", "inproceedings"},
                {"software", "softwareversion", "softwaremodule", "codefragment"}]
MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
MARKUP = re.compile(r"\*\*|__|\]\(|!\[|\[\[|<[A-Za-z/][^>]*>|`|&nbsp;|&amp;|^\s*[-*+]\s|^\s*\d+\.\s|\s\|\s")
TRACEBACK = "Traceback (most recent call last)"
# Not an export format: biber's reading of the biblatex export, compared with biber's
# reading of the input (both in biber's data model, as the hidden judge reads them).
BIBER = "biber"
LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


@dataclass
class BibResult:
    file: str
    expected: int | None = None
    parsed: int = 0  # entries bibtexparser finds in the input
    exit: int | None = None
    traceback: bool = False
    section_retry: bool = False  # the importer needed --section
    message: str = ""  # first line of stderr when the import failed
    exported: dict[str, int] = field(default_factory=dict)  # format -> entries out
    refused: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)  # entries with a field lost
    fields_lost: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)  # entries with a value changed
    retyped: dict[str, int] = field(default_factory=dict)
    others_in: int = 0
    others_dropped: dict[str, int] = field(default_factory=dict)
    lost_fields: dict[str, list[str]] = field(default_factory=dict)  # format -> field names
    changed_fields: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ListResult:
    file: str
    expected: int | None = None
    exit: int | None = None
    traceback: bool = False
    message: str = ""
    entries: int = 0
    listings: int = 0  # entry x section pairs of paper-like entries
    sections_expected: int = 0
    sections_found: int = 0
    sections_invented: list[str] = field(default_factory=list)
    samples_found: int = 0
    markup_titles: int = 0
    markup_examples: list[str] = field(default_factory=list)


class Runner:
    """Runs the oflbib CLI with its caches and catalogs under one temporary folder."""

    def __init__(self, command: list[str], work: Path, timeout: float) -> None:
        self.command, self.work, self.timeout = command, work, timeout
        self.env = {**os.environ, "OFLBIB_CACHE_DIR": str(work / "cache"), "NO_COLOR": "1"}
        self.env.pop("OFLBIB_CATALOG", None)

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run([*self.command, *args], capture_output=True, text=True,
                                  env=self.env, timeout=self.timeout, errors="replace")
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(args, -1, "", f"timed out after {self.timeout}s")


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def parse_bib(text: str) -> list:
    library = bibtexparser.parse_string(text)
    return [e for e in library.entries if e.entry_type.lower() not in CONTROL_TYPES]


def plain(value: str) -> str:
    """A field value as a reader sees it: LaTeX rendered, braces and spacing ignored."""
    try:
        text = LATEX.latex_to_text(value)
    except Exception:  # pylatexenc gives up on some malformed input; compare the raw text
        text = value
    text = unicodedata.normalize("NFC", text).replace("\u2013", "--").replace("\u2014", "---")
    return " ".join(text.replace("{", "").replace("}", "").split())


def comparable(name: str, value: str) -> str:
    text = plain(value)
    if name == "month":
        low = text.lower()[:3]
        return str(MONTHS.get(low, text.lstrip("0") or text))
    if name in NAME_FIELDS:
        return " and ".join(part.strip() for part in re.split(r"\s+and\s+", text))
    if name in {"doi", "url"}:
        return re.sub(r"^https?://(dx\.)?doi\.org/", "", text, flags=re.I).lower()
    return text


def fields_of(entry) -> dict[str, str]:
    return {f.key.lower(): str(f.value) for f in entry.fields}


def same_type(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in TYPE_ALIASES)


def lookup(out_fields: dict[str, str], name: str) -> str | None:
    if name in out_fields:
        return out_fields[name]
    for group in ALIASES:
        if name in group:
            for other in group - {name}:
                if other in out_fields:
                    return out_fields[other]
    if name in {"year", "month"} and "date" in out_fields:
        return out_fields["date"]
    if name == "date" and "year" in out_fields:
        return out_fields["year"]
    return None


def index(entries: list) -> tuple[dict, dict, dict]:
    by_key, by_doi, by_title = {}, {}, {}
    for entry in entries:
        values = fields_of(entry)
        by_key.setdefault(entry.key.lower(), entry)
        if values.get("doi"):
            by_doi.setdefault(comparable("doi", values["doi"]), entry)
        if values.get("title"):
            by_title.setdefault(plain(values["title"]).lower(), entry)
    return by_key, by_doi, by_title


def compare(result: BibResult, fmt: str, inputs: list, outputs: list) -> None:
    by_key, by_doi, by_title = index(outputs)
    refused = lost = changed = retyped = dropped = fields_lost = 0
    names: set[str] = set()
    changed_names: set[str] = set()
    for entry in inputs:
        values = fields_of(entry)
        match = (by_key.get(entry.key.lower())
                 or by_doi.get(comparable("doi", values.get("doi", "")) or "\0")
                 or by_title.get(plain(values.get("title", "")).lower() or "\0"))
        if match is None:
            refused += 1
            continue
        out = fields_of(match)
        if not same_type(entry.entry_type.lower(), match.entry_type.lower()):
            retyped += 1
        missing = [name for name in values if values[name].strip() and lookup(out, name) is None]
        names.update(missing)
        fields_lost += len(missing)
        lost += bool(missing)
        differs = False
        for name, value in values.items():
            other = lookup(out, name)
            if other is None or not value.strip():
                continue
            if name in {"year", "month"} and "date" in out and name not in out:
                continue  # folded into a biblatex date: not comparable field by field
            if comparable(name, value) != comparable(name, other):
                differs = True
                changed_names.add(name)
        changed += differs
        for name in NAME_FIELDS & values.keys():
            if re.search(r"\band\s+others\s*$", plain(values[name])) and not re.search(
                    r"\band\s+others\s*$", plain(out.get(name, ""))):
                dropped += 1
    result.exported[fmt] = len(outputs)
    result.refused[fmt], result.lost[fmt], result.changed[fmt] = refused, lost, changed
    result.retyped[fmt], result.others_dropped[fmt] = retyped, dropped
    result.fields_lost[fmt], result.lost_fields[fmt] = fields_lost, sorted(names)
    result.changed_fields[fmt] = sorted(changed_names)


def first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if any(TRACEBACK in line for line in lines) else (lines[0][:200] if lines else "")


def measure_bib(path: Path, expected: dict, run: Runner, formats: list[str]) -> BibResult:
    result = BibResult(path.name, expected.get("entries"))
    text = read_text(path)
    inputs = parse_bib(text)
    result.parsed = len(inputs)
    result.others_in = sum(
        1 for e in inputs for n, v in fields_of(e).items()
        if n in NAME_FIELDS and re.search(r"\band\s+others\s*$", plain(v)))
    catalog = run.work / "catalogs" / path.stem
    proc = run("--catalog", str(catalog), "import", "bibtex", str(path))
    if proc.returncode != 0 and "--section" in proc.stderr and TRACEBACK not in proc.stderr:
        result.section_retry = True
        proc = run("--catalog", str(catalog), "import", "bibtex", "--section", "corpus", str(path))
    result.exit, result.traceback = proc.returncode, TRACEBACK in proc.stderr
    if proc.returncode != 0:
        result.message = first_line(proc.stderr)
    written: dict[str, str] = {}
    for fmt in formats:
        if fmt == BIBER:
            continue
        out = run("--catalog", str(catalog), "export", "--format", fmt)
        if TRACEBACK in out.stderr:
            result.traceback = True
        written[fmt] = out.stdout if out.returncode == 0 else ""
        compare(result, fmt, inputs, parse_bib(written[fmt]))
    if BIBER in formats:
        folder = run.work / "biber" / path.stem
        given = parse_bib(biber_read(path, folder / "given"))
        exported = folder / "export.bib"
        exported.write_text(written.get("biblatex", ""), encoding="utf-8")
        compare(result, BIBER, given, parse_bib(biber_read(exported, folder / "export")))
    return result


def biber_read(path: Path, folder: Path) -> str:
    """What biber reads from a .bib file (`biber --tool`: its own data model, written back
    as BibTeX): macros expanded, names and dates parsed, what it cannot read left out."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / path.name  # biber writes its log beside the file
    if source != path:
        shutil.copyfile(path, source)
    out = folder / "read.bib"
    subprocess.run(["biber", "--tool", "--quiet", "--output-format=bibtex", "--output-file",
                    str(out), str(source)], cwd=folder, capture_output=True, text=True,
                   timeout=300)
    return out.read_text(encoding="utf-8", errors="replace") if out.exists() else ""


def heading_texts(text: str) -> set[str]:
    found = set()
    for line in text.splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            found.add(norm_heading(match.group(1)))
    return found


def norm_heading(text: str) -> str:
    text = re.sub(r"<[A-Za-z/][^>]*>", "", text)  # `## <a name='x'> Title`
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[\[[^\]]*\]\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = "".join(c for c in text if c.isalnum() or c.isspace())
    return " ".join(text.lower().split())


def invented_sections(names: set[str], headings: set[str]) -> list[str]:
    """Sections that are no heading of the list: neither the name (a heading may hold a
    `/`) nor every part of a nested `Parent/Child` name, each compared normalised."""
    return sorted(name for name in names if name and norm_heading(name) not in headings
                  and not all(norm_heading(part) in headings for part in name.split("/")))


def measure_list(path: Path, expected: dict, run: Runner) -> ListResult:
    result = ListResult(path.name, expected.get("paper_lines"))
    catalog = run.work / "catalogs" / path.stem
    proc = run("--catalog", str(catalog), "import", "markdown", str(path))
    result.exit, result.traceback = proc.returncode, TRACEBACK in proc.stderr
    if proc.returncode != 0:
        result.message = first_line(proc.stderr)
    listed = run("--catalog", str(catalog), "list", "--json")
    result.traceback |= TRACEBACK in listed.stderr
    entries = []
    for line in listed.stdout.splitlines() if listed.returncode == 0 else []:
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    result.entries = len(entries)
    papers = [e for e in entries if e.get("kind") not in {"software", "list"}]
    result.listings = sum(max(1, len(e.get("sections") or [])) for e in papers)
    headings = heading_texts(path.read_text(encoding="utf-8", errors="replace"))
    names = {s for e in entries for s in e.get("sections") or []}
    got = {norm_heading(s) for s in names} | {norm_heading(s.split("/")[-1]) for s in names}
    wanted = [norm_heading(p[-1]) for p in expected.get("sections", [])]
    result.sections_expected = len(wanted)
    result.sections_found = sum(1 for s in wanted if s in got)
    result.sections_invented = invented_sections(names, headings)
    titles = [str(e.get("title") or "") for e in entries]
    result.samples_found = sum(1 for t in expected.get("sample_titles", []) if t in titles)
    marked = [t for t in titles if MARKUP.search(t)]
    result.markup_titles, result.markup_examples = len(marked), marked[:3]
    return result


def oflbib_command(given: str | None) -> list[str]:
    if given:
        return given.split()
    beside = Path(sys.executable).with_name("oflbib")
    found = str(beside) if beside.exists() else shutil.which("oflbib")
    return [found] if found else [sys.executable, "-m", "oflbib"]


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def bib_table(results: list[BibResult], formats: list[str]) -> list[str]:
    head = ["file", "BibTeX sees", "parsed", "exit"]
    for fmt in formats:
        head += [f"{fmt}: out", "refused", "lost a field", "value changed", "retyped", "others dropped"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [f"`{r.file}`", str(r.expected), str(r.parsed),
                 f"{r.exit}{' TRACEBACK' if r.traceback else ''}{' (+--section)' if r.section_retry else ''}"]
        for fmt in formats:
            cells += [str(r.exported.get(fmt, 0)), str(r.refused.get(fmt, 0)), str(r.lost.get(fmt, 0)),
                      str(r.changed.get(fmt, 0)), str(r.retyped.get(fmt, 0)), str(r.others_dropped.get(fmt, 0))]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def bib_totals(results: list[BibResult], formats: list[str]) -> dict:
    parsed = sum(r.parsed for r in results)
    totals: dict = {"files": len(results), "entries": parsed,
                    "files_refused_whole": sum(1 for r in results if r.parsed and r.exit != 0 and
                                               not any(r.exported.values())),
                    "tracebacks": sum(r.traceback for r in results),
                    "and_others_in": sum(r.others_in for r in results)}
    for fmt in formats:
        out = parsed - sum(r.refused.get(fmt, 0) for r in results)
        totals[fmt] = {"imported_and_exported": out,
                       "imported_pct": pct(out, parsed),
                       "refused": parsed - out,
                       "lost_a_field": sum(r.lost.get(fmt, 0) for r in results),
                       "lost_a_field_pct": pct(sum(r.lost.get(fmt, 0) for r in results), out),
                       "value_changed": sum(r.changed.get(fmt, 0) for r in results),
                       "retyped": sum(r.retyped.get(fmt, 0) for r in results),
                       "retyped_pct": pct(sum(r.retyped.get(fmt, 0) for r in results), out),
                       "and_others_dropped": sum(r.others_dropped.get(fmt, 0) for r in results)}
    return totals


def list_table(results: list[ListResult]) -> list[str]:
    head = ["file", "paper lines", "exit", "entries", "paper listings", "found", "sections found",
            "invented sections", "samples", "titles with markup"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        rows.append("| " + " | ".join([
            f"`{r.file}`", str(r.expected), f"{r.exit}{' TRACEBACK' if r.traceback else ''}",
            str(r.entries), str(r.listings), pct(r.listings, r.expected or 0),
            f"{r.sections_found}/{r.sections_expected}", str(len(r.sections_invented)),
            f"{r.samples_found}/3", f"{r.markup_titles} ({pct(r.markup_titles, r.entries)})"]) + " |")
    return rows


def list_totals(results: list[ListResult]) -> dict:
    expected = sum(r.expected or 0 for r in results)
    entries = sum(r.entries for r in results)
    return {"files": len(results), "paper_lines": expected,
            "paper_listings_found": sum(r.listings for r in results),
            "lists_at_90pct": sum(1 for r in results if r.expected and r.listings >= 0.9 * r.expected),
            "lists_failed": sum(1 for r in results if r.exit != 0),
            "tracebacks": sum(r.traceback for r in results),
            "sections_found": f"{sum(r.sections_found for r in results)}/"
                              f"{sum(r.sections_expected for r in results)}",
            "invented_sections": sum(len(r.sections_invented) for r in results),
            "titles_with_markup": sum(r.markup_titles for r in results),
            "titles_with_markup_pct": pct(sum(r.markup_titles for r in results), entries)}


def run_corpus(corpus: Path, command: list[str], only: list[str], formats: list[str],
               timeout: float) -> dict:
    expected = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    chosen = set(only)
    with tempfile.TemporaryDirectory(prefix="oflbib-corpus-") as tmp:
        run = Runner(command, Path(tmp), timeout)
        bibs, lists = [], []
        for path in sorted((corpus / "bib").glob("*.bib")):
            facts = expected["bib"].get(path.name, {})
            if (chosen and path.name not in chosen) or facts.get("entries") == 0:
                continue  # a @string-only companion file has nothing to import
            bibs.append(measure_bib(path, facts, run, formats))
        for path in sorted((corpus / "lists").glob("*.md")):
            if not chosen or path.name in chosen:
                lists.append(measure_list(path, expected["lists"].get(path.name, {}), run))
    return {"bib": [asdict(r) for r in bibs], "bib_totals": bib_totals(bibs, formats),
            "lists": [asdict(r) for r in lists], "list_totals": list_totals(lists),
            "_objects": (bibs, lists)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder with bib/, lists/, expected.json")
    parser.add_argument("--oflbib", help="command that runs oflbib [default: the one beside this python]")
    parser.add_argument("--only", action="append", default=[], metavar="FILE",
                        help="measure only this file name (repeatable)")
    parser.add_argument("--formats", default="bibtex,biblatex",
                        help="export formats to round-trip; 'biber' adds biber's reading of "
                             "the biblatex export against its reading of the input")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per oflbib command")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    if BIBER in formats and "biblatex" not in formats:
        formats.insert(formats.index(BIBER), "biblatex")
    report = run_corpus(args.corpus, oflbib_command(args.oflbib), args.only, formats, args.timeout)
    bibs, lists = report.pop("_objects")
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
        return 0
    lines = []
    if bibs:
        lines += ["### .bib files", ""] + bib_table(bibs, formats) + [""]
        lines += ["Totals: " + json.dumps(report["bib_totals"], ensure_ascii=False), ""]
        failed = [r for r in bibs if r.message]
        if failed:
            lines += ["Import messages (first line):", ""]
            lines += [f"- `{r.file}`: {r.message}" for r in failed] + [""]
    if lists:
        lines += ["### Markdown lists", ""] + list_table(lists) + [""]
        lines += ["Totals: " + json.dumps(report["list_totals"], ensure_ascii=False), ""]
        failed = [r for r in lists if r.message]
        if failed:
            lines += ["Import messages (first line):", ""]
            lines += [f"- `{r.file}`: {r.message}" for r in failed] + [""]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

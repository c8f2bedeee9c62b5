"""The import report of `import markdown` (issue 12, point 8): per line, what a line of a
real list was read as (kind, title, venue, year, links) or why it was skipped; `--dry-run`
prints it and writes nothing; a big list drives the progress bar to its last line."""

from __future__ import annotations

import re
from pathlib import Path

from oflbib.importers.markdown import read_markdown

LISTS = Path(__file__).parent / "corpus" / "lists"
# `PATH:LINE: what: detail`, one line of the list each
_NOTE = re.compile(r"^(?P<path>.+\.md):(?P<line>\d+): (?P<what>[a-z]+): (?P<detail>.+)$")


def test_dry_run_reports_every_recognised_and_skipped_line_and_writes_nothing(tmp_path, run):
    source = LISTS / "mlsys-inference.md"
    folder = tmp_path / "catalog"
    result = run("--catalog", folder, "import", "markdown", source, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert not folder.exists()
    notes = [_NOTE.match(line) for line in result.stdout.splitlines()]
    assert notes and all(notes), result.stdout[:500]
    lines = source.read_text(encoding="utf-8").splitlines()
    by_line = {int(n["line"]): n for n in notes}
    # a paper line: its title, venue, year and link kinds, at the line it is on
    paper = next(n for n in notes if "Mlperf inference benchmark" in n["detail"])
    assert paper["what"] == "paper"
    assert "venue=arXiv year=2019 links=arxiv,code" in paper["detail"]
    assert "Mlperf" in lines[int(paper["line"]) - 1]
    # a detail line under an item gives that item its venue, and says so
    detail = next(n for n in notes if n["what"] == "venue")
    assert "of the item of line" in detail["detail"]
    # a tool linked only to its code: software; a blog post: skipped with the reason
    serve = next(n for n in notes if "TorchServe" in n["detail"])
    assert serve["what"] == "software"
    blog = next(number for number, text in enumerate(lines, 1) if "[[Blog]]" in text)
    assert by_line[blog]["what"] == "skipped" and "labelled" in by_line[blog]["detail"]
    assert "would add" in result.stderr


def test_a_big_list_reports_progress_up_to_its_last_line():
    source = LISTS / "fl-graph-tabular.md"
    steps: list[int] = []
    read_markdown(source, steps.append)
    assert len(steps) > 1  # a bar that moves, not one jump at the end
    assert sum(steps) == source.read_text(encoding="utf-8").count("\n") + 1

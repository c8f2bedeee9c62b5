"""The .bib parse pipeline (`importers/bibparse.py`) and dates (`importers/bibdate.py`):
what BibTeX and biber read, we read; a bad block is a located problem, never the file."""

from __future__ import annotations

import pytest

from oflbib.errors import OflbibError
from oflbib.importers import bibparse
from oflbib.importers.bibdate import BibDate, parse_date


def parse(text: str, path: str = "refs.bib") -> bibparse.BibLibrary:
    return bibparse.parse_text(text, path)


def fields(lib: bibparse.BibLibrary) -> dict[str, dict[str, str]]:
    return {e.key: {f.key: f.value for f in e.fields} for e in lib.entries}


def problems(lib: bibparse.BibLibrary) -> list[str]:
    return [str(p) for p in lib.problems]


# ---- what BibTeX accepts ----------------------------------------------------------------

def test_strings_concatenation_and_macros():
    lib = parse('@String{acm = "ACM"}\n@string(proc = acm # " Conf.")\n'
                '@misc{a, title = "A " # {B} # 2020, publisher = proc, month = jan,\n'
                '  journal = TCS, note = {x} # "y"}\n')
    assert fields(lib)["a"] == {"title": "A B2020", "publisher": "ACM Conf.",
                                "month": "January", "journal": "Theoretical Computer Science",
                                "note": "xy"}
    assert problems(lib) == [] and lib.notes == []


def test_strings_are_case_insensitive_and_later_definitions_win():
    lib = parse('@string{X = "one"}\n@string{x = "two"}\n@misc{a, title = X}\n')
    assert fields(lib)["a"]["title"] == "two"


def test_undefined_string_is_kept_as_its_name_with_a_located_note():
    lib = parse("@misc{a,\n  title = {T},\n  journal = jcp,\n}\n")
    assert fields(lib)["a"]["journal"] == "jcp"
    assert problems(lib) == []
    assert [str(n) for n in lib.notes] == [
        "refs.bib:3: a: journal uses undefined @string jcp; kept as that text (give the "
        "file that defines it, or --strings FILE)"]


def test_strings_from_companion_files_and_string_files(tmp_path):
    strings = tmp_path / "abbrev.bib"
    strings.write_text('@string{jcp = "J. Comput. Phys."}\n@misc{notme, title={x}}\n')
    refs = tmp_path / "refs.bib"
    refs.write_text("@article{a, title = {T}, journal = jcp # { 12}}\n")
    later = tmp_path / "later.bib"
    later.write_text('@string{jcp = "J. Comput. Phys."}\n')
    for lib in (bibparse.parse_files([refs], [strings]), bibparse.parse_files([refs, later])):
        assert fields(lib) == {"a": {"title": "T", "journal": "J. Comput. Phys. 12"}}
        assert lib.notes == []


def test_preamble_is_kept():
    lib = parse('@preamble{"\\newcommand{\\noopsort}[1]{}" # "\\def\\x{y}"}\n@misc{a, title={T}}\n')
    assert lib.preambles == ["\\newcommand{\\noopsort}[1]{}\\def\\x{y}"]


@pytest.mark.parametrize("text", [
    # INSPIRE: a `%%%` line with braces above an entry
    "%%% contains utf8 characters {like this} } here\n%\\cite{Aad:2012tfa}\n",
    # Nelson Beebe's header: `%%%` lines, e-mail addresses, braces in prose
    '%%% -*-BibTeX-*-\n%%% ====\n%%%  @BibTeX-file{\n%%%     author = "Nelson H. F. Beebe",\n'
    '%%%     email = "beebe@math.utah.edu (Internet)", }\n',
    # @comment with an unbalanced brace, and prose with a stray brace
    "@comment{ jabref-meta: groups { unbalanced }\nSome prose with a } brace.\n",
    # a commented-out entry
    "%@article{old, title = {Old}}\n",
])
def test_comments_are_ignored_without_stray_brace_errors(text):
    lib = parse(text + "@misc{a, title={T}}\n")
    assert problems(lib) == [] and list(fields(lib)) == ["a"]


def test_percent_lines_between_fields_are_comments():
    lib = parse("@misc{a,\n  title = {T},\n  % note = {x},\n  year = 2020\n}\n")
    assert fields(lib) == {"a": {"title": "T", "year": "2020"}}


def test_fields_after_an_early_closing_brace_are_a_located_problem():
    lib = parse("@article{a,\n  title = {Closed}},\n  year = 2020\n}\n@misc{b, title={U}}\n")
    assert problems(lib) == ["refs.bib:2: text with `}` and fields outside any entry: a brace "
                             "closed the entry before it early, or has no `{`; these fields "
                             "are not imported"]
    assert list(fields(lib)) == ["a", "b"]


def test_one_broken_entry_does_not_sink_its_neighbours():
    lib = parse("@misc{ok1, title={Fine}}\n\n@article{bad,\n  title = {Open,\n  year = 2020}\n"
                "\n@misc{ok2, title={x}}\n@misc{bad2, title = {T} junk}\n@misc{ok3, title={y}}\n")
    assert list(fields(lib)) == ["ok1", "ok2", "ok3"]
    assert [p.split(": ", 1)[0] for p in problems(lib)] == ["refs.bib:3", "refs.bib:8"]
    assert "cannot read @article{bad}" in problems(lib)[0]
    assert "bad2: title: text after the value" in problems(lib)[1]


def test_control_entries_are_skipped_and_sets_kept_aside_with_a_note():
    lib = parse('@IEEEtranBSTCTL{IEEEexample:BSTcontrol,\n CTLuse_article_number = "yes"}\n'
                "@set{both, entryset = {a,b}}\n@misc{a, title={A}}\n@misc{b, title={B}}\n")
    assert list(fields(lib)) == ["a", "b"] and problems(lib) == []
    assert [n.line for n in lib.notes] == [1, 3]
    assert "IEEEtran.bst's style settings" in lib.notes[0].message
    assert "groups a, b" in lib.notes[1].message
    assert [(r.entry_type, r.key, r.fields) for r in lib.relations] == [
        ("set", "both", {"entryset": "a,b"})]


def test_crossref_and_xdata_inheritance_keeps_the_relation():
    lib = parse("@xdata{pub, publisher = {ACM}, location = {New York}}\n"
                "@proceedings{conf, title = {Proc. of SOSP}, year = 2019, xdata = {pub},\n"
                "  editor = {Doe, J.}}\n"
                "@inproceedings{paper, title = {A Paper}, crossref = {conf}, pages = {1--2}}\n")
    got = fields(lib)
    assert list(got) == ["conf", "paper"]  # @xdata is no work
    assert got["paper"] == {"title": "A Paper", "crossref": "conf", "pages": "1--2",
                            "booktitle": "Proc. of SOSP", "year": "2019", "editor": "Doe, J.",
                            "publisher": "ACM", "location": "New York"}
    assert got["conf"]["xdata"] == "pub"


def test_crossref_to_a_missing_parent_is_noted_and_kept():
    lib = parse("@inproceedings{p, title = {T}, crossref = {nowhere}}\n")
    assert fields(lib)["p"]["crossref"] == "nowhere"
    assert "crossref names 'nowhere'" in lib.notes[0].message


@pytest.mark.parametrize("key", ["10.1145/1978942.1979001", "1999", "a/b", "Zola:2020",
                                 "Müller2020", "DBLP:conf/osdi/X20", "ab_c-d.e+f"])
def test_keys_bibtex_and_biber_accept_are_kept(key):
    assert list(fields(parse(f"@misc{{{key}, title={{T}}}}\n"))) == [key]


def test_repeated_fields_keep_the_first_value_and_repeated_keys_go_on():
    lib = parse("@misc{a, title={x}, title={y}}\n@misc{a, title={z}}\n")
    assert [(e.key, e.fields[0].value) for e in lib.entries] == [("a", "x"), ("a", "z")]
    assert "field 'title' given twice; the first value is kept" in lib.notes[0].message


def test_key_with_a_space_is_left_to_the_key_scheme_and_a_brace_is_a_problem():
    lib = parse("@misc{ok, title={T}}\n@misc{Di Rocco2025, title={x}}\n@misc{a#b, title={y}}\n")
    assert [e.key for e in lib.entries] == ["ok", ""]
    assert str(lib.notes[0]).startswith("refs.bib:2: key 'Di Rocco2025' has a space")
    assert len(problems(lib)) == 1 and problems(lib)[0].startswith("refs.bib:3: ")


def test_huge_and_deeply_nested_values_are_refused_quickly():
    lib = parse("@misc{big, title = {" + "x " * 500_000 + "}}\n"
                "@misc{deep, title = {" + "{" * 300 + "x" + "}" * 300 + "}}\n"
                "@misc{ok, title={T}}\n")
    assert list(fields(lib)) == ["ok"]
    assert "big: title is 1,000,000 characters long" in problems(lib)[0]
    assert "deep: title nests braces more than 64 deep" in problems(lib)[1]


# ---- encodings ----------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    "@misc{a, title={Café}}\n".encode("utf-8"),
    b"\xef\xbb\xbf" + "@misc{a, title={Café}}\n".encode("utf-8"),
    "\ufeff@misc{a, title={Café}}\n".encode("utf-16-le"),
    "\ufeff@misc{a, title={Café}}\n".encode("utf-16-be"),
])
def test_utf8_and_utf16_files(tmp_path, data):
    path = tmp_path / "refs.bib"
    path.write_bytes(data)
    lib = bibparse.parse_files([path])
    assert fields(lib) == {"a": {"title": "Café"}} and lib.notes == []


def test_latin1_file_is_read_with_a_note(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_bytes(b"@misc{a,\n title={Caf\xe9}}\n")
    lib = bibparse.parse_files([path])
    assert fields(lib) == {"a": {"title": "Café"}}
    assert str(lib.notes[0]).startswith(f"{path}:2: not valid UTF-8 (byte 0xe9); read as Latin-1")


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_bytes(b"@misc{a,\n title={x}}\x00\n")
    with pytest.raises(OflbibError, match="binary data"):
        bibparse.parse_files([path])


# ---- dates --------------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ({"year": r"{\noopsort{1973b}}1973"}, BibDate(1973, None, None)),
    ({"year": "January 1978"}, BibDate(1978, 1, None)),
    ({"year": "2020", "month": "January"}, BibDate(2020, 1, None)),
    ({"year": "2020", "month": "15~Jan."}, BibDate(2020, 1, None)),
    ({"year": "2019", "month": "10"}, BibDate(2019, 10, None)),
    ({"date": "2023-05"}, BibDate(2023, 5, None)),
    ({"date": "2023-05-17"}, BibDate(2023, 5, "2023-05-17")),
    ({"date": "2020/2021"}, BibDate(2020, None, "2020/2021")),
    ({"date": "2012-22"}, BibDate(2012, None, "2012-22")),  # a season (EDTF 21-24): Summer
    ({"date": "2019-10-15T20:58:43Z"}, BibDate(2019, 10, "2019-10-15T20:58:43Z")),  # BBT
    ({"date": "2020-01/2021-03"}, BibDate(2020, 1, "2020-01/2021-03")),
    ({"date": "-0379-02"}, BibDate(None, 2, "-0379-02")),
    ({"date": "2023~"}, BibDate(2023, None, "2023~")),
    ({"year": "19??"}, BibDate(None, None, "19??")),
    ({"year": "in press"}, BibDate(None, None, None)),
    ({}, BibDate(None, None, None)),
])
def test_dates_as_people_write_them(given, expected):
    assert parse_date(**given) == expected

"""Dates of .bib entries as people write them, into a year, a month and a biblatex date.

`year = {\\noopsort{1973b}}1973`, `year = {January 1978}`, `month = jan` (already expanded
to `January` by the pipeline), `month = {15 Jan.}`, biblatex `date = 2023-05`, ranges
`2020/2021`, negative years `-0379-02` and uncertain `19??` are all read; what cannot be
read as a date gives `BibDate(None, None, None)`, and the caller keeps the text as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The biblatex (EDTF level 1) date forms biber reads; `?`/`X` digits are unspecified.
_EDTF_PART = r"-?[0-9X?]{4}(?:-[0-9X?]{2}(?:-[0-9X?]{2}" \
    r"(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?[~?%]?"
EDTF = re.compile(rf"^(?:{_EDTF_PART})?(?:/(?:{_EDTF_PART})?)?$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = re.compile(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\.?", re.I)
# `\noopsort{1973b}` and the like: commands whose argument only sorts; dropped.
_COMMAND_ARG = re.compile(r"\\[A-Za-z]+\s*\{[^{}]*\}")
_YEAR = re.compile(r"(?<![\d-])(\d{4})(?!\d)")


@dataclass(frozen=True)
class BibDate:
    year: int | None  # the (first) year, when it is an ordinary one
    month: int | None  # 1-12
    date: str | None  # biblatex date, only when it says more than year and month


def plain(value: str | None, tie: str = "~") -> str:
    """The date text without sorting commands, braces and TeX spaces (`tie`: the
    characters read as a space; a biblatex date's `~` means "approximate")."""
    if not value:
        return ""
    text = value
    while _COMMAND_ARG.search(text):  # nested `{\noopsort{..}}`: innermost first
        text = _COMMAND_ARG.sub("", text)
    return re.sub(r"\s+", " ", re.sub(f"[{{}}{tie}]", " ", text)).strip()


def month_number(value: str | None) -> int | None:
    """`January`, `jan`, `Jan.`, `1`, `01`, `15 January` -> 1..12."""
    text = plain(value)
    if not text:
        return None
    if re.fullmatch(r"\d{1,2}", text) and 1 <= int(text) <= 12:
        return int(text)
    match = _MONTH_NAME.search(text)
    return _MONTHS.index(match.group(1).lower()[:3]) + 1 if match else None


def parse_date(year: str | None = None, month: str | None = None,
               date: str | None = None) -> BibDate:
    """A BibDate from an entry's `year`, `month` and `date` field texts (LaTeX)."""
    text = plain(date, tie="")
    if text and EDTF.match(text):
        first = text.split("/")[0]
        found = re.match(r"^(-?)(\d{4})(?:-(\d{2}))?", first)
        number = int(found.group(2)) if found and not found.group(1) else None
        month_value = int(found.group(3)) if found and found.group(3) else None
        # Year and month say it all; a season (`2012-22`: EDTF's 21-24) they cannot hold.
        simple = re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", text) is not None
        return BibDate(number if number and 1000 <= number <= 2999 else None,
                       month_value if month_value and 1 <= month_value <= 12 else None,
                       None if simple else text)
    written = plain(year) or text
    found = _YEAR.search(written)
    if not found:
        uncertain = re.fullmatch(r"\d{2}[?X]{2}|\d{3}[?X]", written)
        return BibDate(None, None, written if uncertain else None)
    number = int(found.group(1))
    return BibDate(number if 1000 <= number <= 2999 else None,
                   month_number(month) or month_number(written.replace(found.group(1), "")),
                   None)

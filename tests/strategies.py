"""Hypothesis profiles and the hostile data shared by the property and fuzz tests.

Profiles: `ci` (chosen when the CI variable is set) runs a fixed number of examples with
no deadline and no example database, so a CI run costs the same every time; `dev` is the
default locally; `thorough` (OFLBIB_HYPOTHESIS=thorough) is for a long hunt by hand.
"""

from __future__ import annotations

import os
import string
import unicodedata

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from oflbib.model import Block, Catalog, Entry, Listing, Person, Section
from oflbib.venues import VENUES

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow,
                                                       HealthCheck.filter_too_much]}
settings.register_profile("ci", max_examples=400, database=None, print_blob=True, **_COMMON)
settings.register_profile("dev", max_examples=150, **_COMMON)
settings.register_profile("thorough", max_examples=5000, **_COMMON)
settings.load_profile(os.environ.get("OFLBIB_HYPOTHESIS")
                      or ("ci" if os.environ.get("CI") else "dev"))

# What strangers' data holds when it goes wrong: TeX specials and commands, unbalanced
# braces, record terminators of other formats, markup, right-to-left text, emoji,
# invisible characters, words BibTeX gives a meaning ("and", "others").
FRAGMENTS = [
    *"{}\\%&#$_^~<>|@,;:\"'`-.[]()!?*/=+", " ", "\n", "\t", "\r\n",
    r"\input{/etc/passwd}", r"\write18{rm -rf ~}", r"\immediate\write18{id}",
    r"\catcode`\{=12", r"\def\x{y}", "}\n@misc{evil, title={x}}\n", "% rest of line",
    "\nER  - \n", "TY  - JOUR", "<i>", "</i>", "<b>x</b>", "&amp;", "&lt;", "](", "\\]",
    " and ", " AND ", "others", "{GPU}", "--", "---", "``", "''", "?`", "!`", ",,",
    "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\U0001f600",
    "\U0001f468\u200d\U0001f469", "\u03bb", "\u00e9", "e\u0301", "\u00df", "\ufb01",
    "\u202e", "\u2066", "\u200b", "\u00ad", "\ufeff", "\x00", "\x1b[31m", "\x85", "\u2028",
    "Caf\u00c3\u00a9",
]

# Arbitrary Unicode (control characters included), text built from the fragments, and
# long values (to 1,800 characters; test_injection compiles one of 20,000).
_FRAGMENTED = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=12).map(
    "".join)
hostile_text = st.one_of(
    st.text(), _FRAGMENTED, st.text(), _FRAGMENTED,
    st.tuples(st.text(min_size=1, max_size=6), st.integers(50, 300)).map(
        lambda pair: pair[0] * pair[1]),
)


def reads_as(text: str) -> str:
    """What a value must read as after any export and parse back: canonical composition
    (NFC), controls as spaces, invisible format characters gone, whitespace runs folded.
    Written out here, not imported, so the tests state the rule on their own."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        kept.append(" " if category == "Cc" else "" if category == "Cf" else char)
    return unicodedata.normalize("NFC", " ".join("".join(kept).split()))


def has_text(value: str) -> bool:
    return reads_as(value) != ""


words = hostile_text.filter(has_text)


@st.composite
def people(draw: st.DrawFn, text: st.SearchStrategy[str] = words) -> Person:
    if draw(st.booleans()):
        return Person(literal=draw(text))
    return Person(family=draw(text), given=draw(st.sampled_from(["", "John"]) | text))


_KEY_TAIL = string.ascii_letters + string.digits + "_:.+-"
keys = st.builds(lambda head, tail: head + tail, st.sampled_from(string.ascii_letters),
                 st.text(alphabet=_KEY_TAIL, max_size=12))
_NO_SPACE = st.text(st.characters(blacklist_categories=["Zs", "Zl", "Zp", "Cc", "Cf", "Cs"]),
                    min_size=1, max_size=30)
dois = st.builds(lambda reg, suffix: f"10.{reg}/{suffix}", st.integers(1000, 99999), _NO_SPACE)
urls = st.builds(lambda rest: f"https://{rest}", _NO_SPACE)
arxiv_ids = st.from_regex(r"\A([0-9]{4}\.[0-9]{4,5}|[a-z-]+(\.[A-Z]{2})?/[0-9]{7})\Z")


@st.composite
def entries(draw: st.DrawFn, key: str, text: st.SearchStrategy[str] = words,
            names: st.SearchStrategy[str] = words) -> Entry:
    """Any entry the catalog schema admits, with hostile `text` in every free-text field."""
    kind = draw(st.sampled_from(["paper", "paper", "software", "list"]))
    maybe = st.none() | text
    return Entry(
        key=key, kind=kind, title=draw(text),
        authors=draw(st.lists(people(names), max_size=3)),
        protect=draw(st.lists(text, max_size=2)),
        organisation=draw(maybe), year=draw(st.none() | st.integers(1000, 2999)),
        venue=draw(st.none() | st.sampled_from(sorted(VENUES))),
        container=draw(maybe),
        entry_type=draw(st.sampled_from([None, "inproceedings", "article", "misc"])),
        publisher=draw(maybe), volume=draw(maybe), number=draw(maybe), pages=draw(maybe),
        doi=draw(st.none() | dois), arxiv=draw(st.none() | arxiv_ids),
        arxiv_class=draw(maybe), urls=draw(st.lists(urls, max_size=2)),
    )


@st.composite
def catalogs(draw: st.DrawFn, text: st.SearchStrategy[str] = words,
             names: st.SearchStrategy[str] = words) -> Catalog:
    """One or two sections with hostile names, listing up to three entries with hostile
    `text` in every field and hostile `names` for their authors."""
    chosen = draw(st.lists(keys, min_size=1, max_size=3, unique_by=str.casefold))
    sections = draw(st.lists(text, min_size=1, max_size=min(2, len(chosen)),
                             unique_by=lambda n: reads_as(n).casefold()))
    catalog = Catalog(title=draw(text))
    for index, name in enumerate(sections):
        catalog.sections.append(Section(name=name, file=f"s{index}.yaml", heading=name))
        catalog.blocks.append(Block(section=name, heading=name, level=3))
    for index, key in enumerate(chosen):
        entry = draw(entries(key, text, names))
        catalog.entries[key] = entry
        home = index % len(sections)
        catalog.sections[home].listings.append(Listing(key))
        # Now and then: a framework's paper to cite, a paper the list misfiled.
        cited = f"{key}-paper"
        if entry.kind == "software" and cited not in chosen and draw(st.booleans()):
            entry.cite_as = draw(entries(cited, text, names))
            entry.cite_as.kind = "paper"
        if entry.kind == "paper" and len(sections) > 1 and draw(st.booleans()):
            entry.filed_under = sections[1 - home]
    catalog.refresh_sections()
    return catalog

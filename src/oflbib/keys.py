"""The one citation-key scheme: `{family name}{year}{first significant title word}`.

`thorpe2023bamboo`; with no author yet, `{system name}{year}` (`bamboo2023`); ASCII only.
Collisions get suffixes b, c, ... z, then ba, bb, ...: the entry that comes first in
catalog order keeps the bare key. Keys are pinned once written: nothing here is called
on an entry that has a key, except by `oflbib rekey`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from oflbib.model import Entry

STOPWORDS = frozenset(
    "a an the on of for in to towards toward and or with via by at from is are as its it "
    "into over under using through beyond".split()
)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*$")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=1 << 16)  # names and title words recur: `check` folds every entry's
def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits only; non-Latin letters spelled by name (λ -> lambda)."""
    out = []
    for char in unicodedata.normalize("NFKD", text):
        if char.isascii():
            out.append(char)
        elif char.isalpha():
            name = unicodedata.name(char, "")
            # "GREEK SMALL LETTER LAMDA" -> "lambda"; other scripts' letters are dropped.
            if name.startswith("GREEK"):
                letter = name.split()[-1].lower()
                out.append("lambda" if letter == "lamda" else letter)
    return _NOT_ALNUM.sub("", "".join(out).lower())


_WORD_BREAK = re.compile(r"[\s:;,.!?()\[\]{}\"'/\u2013\u2014-]+")


def title_words(title: str) -> list[str]:
    return [w for w in _WORD_BREAK.split(title) if w]


def first_significant_word(title: str) -> str:
    for word in title_words(title):
        folded = ascii_fold(word)
        if folded and folded not in STOPWORDS:
            return folded
    return ""


def system_name(title: str) -> str:
    """The name a title leads with (`Bamboo: Making...` -> bamboo), else its first word."""
    head = title.split(":", 1)[0] if ":" in title else ""
    if head and len(head.split()) <= 3 and ascii_fold(head.split()[0]) not in STOPWORDS:
        return ascii_fold(head)
    return first_significant_word(title)


def name_key(name: str) -> str:
    """Software and lists are known by their name: `PySyft` -> pysyft; a long name by
    its initials (`Federated AI Technology Enabler` -> fate)."""
    words = [w for w in title_words(name) if ascii_fold(w)]
    if len(words) > 3:
        return "".join(ascii_fold(w)[0] for w in words)
    return ascii_fold(name)


def base_key(entry: Entry) -> str:
    """The key the scheme gives an entry, before collision suffixes."""
    year = str(entry.year) if entry.year else ""
    person = next((a for a in entry.authors if a.family or a.literal), None)
    if person is not None:
        name = ascii_fold(person.family or person.literal.split()[0])
        key = f"{name}{year}{first_significant_word(entry.title)}"
    elif entry.kind == "paper":
        key = f"{system_name(entry.title)}{year}"
    else:
        key = f"{name_key(entry.title)}{year}"
    if not key or not key[0].isalpha():
        key = "x" + key
    return key


def suffixes() -> Iterator[str]:
    """b, c, ..., z, ba, bb, ..., zz, baa, ... without end: 'a' never leads, so a bare key
    reads as the first one (and every suffix is one that `follows_scheme` accepts)."""
    tails = [""]
    while True:
        yield from (first + tail for first in "bcdefghijklmnopqrstuvwxyz" for tail in tails)
        tails = [letter + tail for letter in "abcdefghijklmnopqrstuvwxyz" for tail in tails]


def unique_key(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    return next(base + suffix for suffix in suffixes() if base + suffix not in taken)


def follows_scheme(key: str, entry: Entry) -> bool:
    """True when the key is the scheme's key for the entry, with or without a suffix."""
    base = base_key(entry)
    if key == base:
        return True
    return key.startswith(base) and key[len(base):].isalpha() and key[len(base):] != "a"

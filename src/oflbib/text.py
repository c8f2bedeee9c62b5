"""Small text helpers shared by importers, resolvers and `check`."""

from __future__ import annotations

import html
import re
import unicodedata


def fold_space(text: str) -> str:
    """Runs of whitespace (newlines included) become one space; ends trimmed."""
    return " ".join(text.split())


_INVISIBLE = {"Cc": " ", "Cf": ""}


def visible(text: str) -> str:
    """Text as a reader sees it, folded like `fold_space`: control characters (Unicode Cc)
    count as whitespace and invisible format characters (Cf: bidi overrides, zero-width
    joiners, soft hyphens, BOM) are dropped. Exporters write every value through this, so
    hostile input can neither break a line of their output nor reorder what it shows."""
    if not text.isprintable():  # rare: only then look at each character
        text = "".join(_INVISIBLE.get(unicodedata.category(c), c) for c in text)
    elif "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # folded already: the one space a printable text can hold is " "
    return fold_space(text)


# A JATS/HTML tag (`<i>`, `</jats:sub>`, `<mml:math ...>`): a letter right after `<`, so
# text such as `x < y` is not taken for one. Inline tags go; a line or paragraph break
# becomes a space.
_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)(?:\s[^<>]*)?/?>")
_BREAKS = {"br", "p", "jats:p", "jats:break", "jats:title"}


def _untagged(match: re.Match[str]) -> str:
    return " " if match.group(2).lower() in _BREAKS else ""


def markup_to_text(text: str) -> str:
    """Text with HTML/JATS markup as a reader sees it: tags dropped (they are formatting,
    and `H<sub>2</sub>O` reads `H2O`), entities such as `&amp;` decoded, spaces folded."""
    return fold_space(html.unescape(_TAG.sub(_untagged, text)))


# A Markdown backslash escape (`\*` is a literal `*`): a backslash and ASCII punctuation.
_PUNCTUATION = r"[!-/:-@\[-`{-~]"
MARKDOWN_ESCAPE = rf"\\{_PUNCTUATION}"
_UNESCAPE = re.compile(rf"\\({_PUNCTUATION})")
# A list's title is literal characters, escapes, and `{...}` groups that mark case
# protection.
_TITLE_PIECE = re.compile(rf"{MARKDOWN_ESCAPE}|\{{((?:{MARKDOWN_ESCAPE}|[^{{}}\\])*)\}}|.",
                          re.S)


def unescape(text: str) -> str:
    """Markdown text with its backslash escapes resolved (`\\*` -> `*`)."""
    return _UNESCAPE.sub(r"\1", text)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1/cp1252 (`Î»DNN` -> `λDNN`); nothing else is touched."""
    import ftfy

    return ftfy.fix_encoding(text)


def clean_title(raw: str) -> tuple[str, list[str]]:
    """A list's title as text, and its case-protected words: `{GPU}` marks protection, it
    is not text; a final period is the list's punctuation unless escaped (`\\.`). The
    importer reads titles with it, and `check` and the resolvers read the list's text
    back the same way."""
    pieces = list(_TITLE_PIECE.finditer(repair_mojibake(fold_space(raw))))
    protect = [unescape(m.group(1)).strip() for m in pieces if m.group(1) is not None]
    title = fold_space("".join(unescape(m.group(1)) if m.group(1) is not None
                               else unescape(m.group()) for m in pieces))
    if pieces and pieces[-1].group() == "." and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title, unique([word for word in protect if word])


_NOT_WORD = re.compile(r"[\W_]+")


def norm_title(title: str) -> str:
    """Comparable form of a title: case, accents, braces, punctuation and spaces dropped."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKD", title).casefold())


SLUG_LENGTH = 64  # a file name from a heading stays far below the 255 bytes a name may have


def slug(name: str) -> str:
    """A file name's stem for a heading: lower-case ASCII words joined by `-`, bounded."""
    words = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return words[:SLUG_LENGTH].rstrip("-") or "section"


def unique_slugs(names: list[str], taken: set[str]) -> list[str]:
    """One slug per name, in order, none in `taken` nor shared: `C++` and `C#` both slug
    to `c`, so the second becomes `c-2`."""
    taken = set(taken)
    slugs = []
    for name in names:
        base = slug(name)
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        taken.add(candidate)
        slugs.append(candidate)
    return slugs


def clean_url(url: str) -> str:
    """Canonical form of a repository link: no `.git` suffix, no trailing slash."""
    url = url.strip().rstrip("/")
    return url[: -len(".git")] if url.endswith(".git") else url


def unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]

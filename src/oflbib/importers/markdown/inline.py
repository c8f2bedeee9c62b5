"""Step 2: the inline Markdown of one item: its links, images and the text around them.

Brackets and parentheses are paired once, with a stack, before links are read, so an
item full of unmatched `[` or `(` is still read in linear time.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_BARE_URL = re.compile(r"<?(https?://[^\s<>\"'\])]*[^\s<>\"'\]).,;:!?*_])>?")
# Inline marks, escapes first so that `\*` or `\<b>` stay text: an escape, an entity, an
# HTML tag, an emphasis or code mark.
_MARK = re.compile(r"(\\[!-/:-@\[-`{-~])|(&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]\w{0,31});)|"
                   r"(<(/?)([A-Za-z][\w:-]*)(?:\s[^<>]*)?/?>)|"
                   r"\*\*|__|~~|`+|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|"
                   r"(?<!\w)_(?=\S)|(?<=\S)_(?!\w)")
_URL_RUN = re.compile(r"https?://[^\s)>\]]+")
_WRAPPED_END = re.compile(r"[.,;:]?\]")
# Footnote references (`[^1]`) and emoji short codes (`:fire:`) are not text.
_NOT_TEXT = re.compile(r"(?<!\\)\[\^[^\]\s\\]{1,40}\]|(?<![\w/]):[a-z0-9_+-]{1,30}:(?![\w/])")
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_MAX_DEPTH = 8  # links inside link text: deeper nesting is read as text


@dataclass
class Link:
    """`[label](url)`; `image` for `![alt](src)`, `badge` when the label is an image."""

    label: str
    url: str
    start: int
    end: int
    image: bool = False
    badge: bool = False


def _pairs(text: str, opener: str, closer: str) -> dict[int, int]:
    """Index of each `opener` -> index of its matching `closer` (backslash escapes skipped)."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == opener:
            stack.append(index)
        elif char == closer and stack:
            pairs[stack.pop()] = index
    return pairs


def _destination(raw: str) -> str:
    """The URL of `(url "title")` or `(<url>)`."""
    raw = raw.strip()
    if raw.startswith("<") and ">" in raw:
        return raw[1:raw.index(">")]
    return raw.split()[0] if raw.split() else ""


def scan_links(text: str, references: dict[str, str] | None = None) -> list[Link]:
    """Every link and image, outermost first, in order; `[label][ref]` resolved through
    `references` (the file's `[ref]: url` lines)."""
    brackets = _pairs(text, "[", "]")
    parens = _pairs(text, "(", ")")
    links: list[Link] = []
    index = 0
    size = len(text)
    while index < size:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        image = char == "!" and index + 1 < size and text[index + 1] == "["
        start = index + 1 if image else index
        if text[start:start + 1] != "[" or start not in brackets:
            index += 1
            continue
        close = brackets[start]
        after = close + 1
        if after < size and text[after] == "(" and after in parens:
            end = parens[after] + 1
            url = _destination(text[after + 1:end - 1])
        elif after < size and text[after] == "[" and after in brackets and references:
            end = brackets[after] + 1
            url = references.get((text[after + 1:end - 1] or text[start + 1:close]).casefold(),
                                 "")
            if not url:
                index = start + 1
                continue
        else:
            index = start + 1
            continue
        label = text[start + 1:close]
        first = index
        wrap = _WRAPPED_END.match(text, end)
        if first > 0 and text[first - 1] == "[" and wrap and not (links and links[-1].end
                                                                   >= first):
            first, end = first - 1, wrap.end()  # `[[PUB](url).]`: the brackets go with it
        links.append(Link(label, url, first, end, image=image,
                          badge=not image and label.lstrip().startswith("![")))
        index = end
    return links


def bare_urls(text: str) -> list[str]:
    return [m.group(1) for m in _BARE_URL.finditer(text)]


def url_runs(text: str) -> list[str]:
    """Every `http(s)://` run up to a space: a framework line's URLs, separated by spaces,
    are taken whole (trailing punctuation included, as written)."""
    return _URL_RUN.findall(text)


def without_urls(text: str) -> str:
    return _BARE_URL.sub(" ", text)


def strip_marks(text: str, keep_escapes: bool) -> str:
    """Emphasis, code marks and HTML tags dropped (a line break becomes a space), entities
    decoded; backslash escapes resolved, or kept (escaped again where an entity decodes
    to one of them) for a reader that still needs them."""
    def replace(match: re.Match[str]) -> str:
        escape, entity, tag = match.group(1), match.group(2), match.group(3)
        if escape:
            return escape if keep_escapes else escape[1]
        if entity:
            char = html.unescape(entity)
            return "\\" + char if keep_escapes and char in _ESCAPABLE else char
        if tag:
            return " " if match.group(5).lower() in ("br", "p") else ""
        return ""

    return _MARK.sub(replace, text)


def plain_text(text: str, depth: int = 0) -> str:
    """What a reader sees: images gone, links replaced by their text, HTML tags, emphasis
    and code marks dropped, escapes and entities resolved, spaces folded."""
    links = scan_links(text) if depth < _MAX_DEPTH else []
    if links:
        pieces, last = [], 0
        for link in links:
            pieces.append(text[last:link.start])
            if not link.image and not link.badge:
                pieces.append(plain_text(link.label, depth + 1))
            last = link.end
        pieces.append(text[last:])
        text = "".join(pieces)
    return " ".join(strip_marks(_NOT_TEXT.sub("", text), keep_escapes=False).split())


def markup_free(text: str) -> str:
    """Like `plain_text`, but escapes and `{...}` stay for the title reader: links become
    their text, images, HTML tags and emphasis marks go."""
    links = scan_links(text)
    if links:
        pieces, last = [], 0
        for link in links:
            pieces.append(text[last:link.start])
            if not link.image and not link.badge:
                pieces.append(link.label)
            last = link.end
        pieces.append(text[last:])
        text = "".join(pieces)
    return strip_marks(_NOT_TEXT.sub("", text), keep_escapes=True)


def outside_links(text: str, links: list[Link]) -> str:
    """The text with every link and image cut out (a space in their place)."""
    pieces, last = [], 0
    for link in links:
        pieces.append(text[last:link.start])
        pieces.append(" ")
        last = link.end
    pieces.append(text[last:])
    return "".join(pieces)

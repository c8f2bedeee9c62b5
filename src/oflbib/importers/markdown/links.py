"""Step 3: what a link is: an identifier (arXiv, DOI), a paper page, code, a badge or an
anchor of the list's own table of contents.

One row per kind in `LINK_KINDS`; the first pattern that matches a URL decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from oflbib.importers.markdown.inline import plain_text

_ARXIV = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
                    r"(?P<id>\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?/?$",
                    re.I)
_DOI = re.compile(r"^https?://(?:(?:dx\.)?doi\.org|dl\.acm\.org/doi(?:/(?:abs|pdf|full|epdf))?|"
                  r"link\.springer\.com/(?:article|chapter)|onlinelibrary\.wiley\.com/doi"
                  r"(?:/(?:abs|pdf|full))?)/(?P<id>10\.\d{4,9}/[^\s?#]+)", re.I)


@dataclass(frozen=True)
class LinkKind:
    name: str
    pattern: re.Pattern[str]
    why: str


LINK_KINDS: tuple[LinkKind, ...] = (
    LinkKind("anchor", re.compile(r"^#"), "a link to a heading of the list"),
    LinkKind("mail", re.compile(r"^mailto:", re.I), "an e-mail address"),
    LinkKind("arxiv", _ARXIV, "arXiv id"),
    LinkKind("doi", _DOI, "DOI"),
    LinkKind("openreview", re.compile(r"^https?://(?:www\.)?openreview\.net/(?:forum|pdf)\?",
                                      re.I), "OpenReview page"),
    LinkKind("usenix", re.compile(r"^https?://(?:www\.)?usenix\.org/(?:conference|system/files)/",
                                  re.I), "USENIX paper page"),
    LinkKind("image", re.compile(r"(?:shields\.io|badge|\.svg(?:\?|$)|\.png(?:\?|$)|"
                                 r"\.jpe?g(?:\?|$)|\.gif(?:\?|$))", re.I), "image"),
    LinkKind("code", re.compile(r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|"
                                r"bitbucket\.org|gitee\.com)/", re.I), "code repository"),
    LinkKind("web", re.compile(r"^https?://", re.I), "web page"),
)

# Link text that names what the link is rather than the paper: `[pdf]`, `[[code]]`, `[PUB]`.
_LABEL_WORDS = frozenset(
    """paper papers pdf code codes pub publication link links arxiv github gitlab project page "
    "homepage website site web slides slide video videos talk poster blog post doi openreview "
    "bib bibtex dataset datasets data demo official unofficial implementation pytorch "
    "tensorflow jax repo repository source supp supplementary appendix abstract html acm ieee "
    "springer usenix proceedings proc full text preprint note notes review reviews tweet "
    "thread zhihu medium huggingface hf model models weights checkpoint docs doc documentation "
    "tutorial colab notebook star stars here url api leaderboard benchmark dblp scholar
    semantic google bing summary summaries report re reimplementation open access biorxiv
    medrxiv chemrxiv ssrn manuscript server interface online library youtube vimeo python
    tool tools software package predictor""".split())


# Label words that say where a link leads, when the label is not a title: to the paper
# itself, or elsewhere (its code, a site, a post, a talk). `[link]`, `[here]` say neither.
_PAPER_LABELS = frozenset(
    """paper papers pdf pub publication arxiv doi openreview preprint proceedings proc acm
    ieee springer usenix abstract full text supp supplementary appendix biorxiv medrxiv
    chemrxiv ssrn manuscript""".split())
_ELSEWHERE_LABELS = frozenset(
    """code codes github gitlab repo repository source project page homepage website site
    web blog post video videos talk slides slide tutorial colab notebook docs doc
    documentation demo huggingface hf model models weights checkpoint leaderboard tweet
    thread zhihu medium""".split())


_VENUE_LABEL_ENDS = frozenset({"paper", "preprint", "pdf", "manuscript"})


def label_says(label: str) -> str | None:
    """"paper" for `[[Paper]]`, `[PDF]`; "elsewhere" for `[[GitHub]]`, `[Blog]`,
    `[Project Page]`; None for a title or a label that says neither (`[link]`)."""
    if not is_label(label):
        return None
    words = set(re.findall(r"[^\W\d_]+", plain_text(label).casefold()))
    if words & _PAPER_LABELS:
        return "paper"
    if words and words <= _ELSEWHERE_LABELS:
        return "elsewhere"
    return None


def link_kind(url: str) -> str:
    for kind in LINK_KINDS:
        if kind.pattern.search(url):
            return kind.name
    return "other"


def arxiv_id(url: str) -> str | None:
    match = _ARXIV.match(url)
    return match.group("id") if match else None


def doi_of(url: str) -> str | None:
    match = _DOI.match(url)
    return unquote(match.group("id")).rstrip(".") if match else None


def is_label(label: str) -> bool:
    """True when link text names the link's kind (`[[paper]]`, `[PDF]`, `[Code 1]`, an
    emoji) instead of being a title."""
    text = plain_text(label).casefold()
    words = re.findall(r"[^\W\d_]+", text)
    if not words or re.match(r"^\W*(?:https?://|www\.)", text):
        return True
    if len(words) <= 3 and all(word in _LABEL_WORDS for word in words):
        return True
    # `[[Nature Medicine paper]]`, `[[bioRxiv preprint]]`: where the paper appeared, then
    # what the link is.
    return 2 <= len(words) <= 5 and words[-1] in _VENUE_LABEL_ENDS

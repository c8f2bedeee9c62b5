"""DOIs, arXiv ids and dblp keys: recognise them in text and urls, and put them in one canonical form."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_DOI = re.compile(r"10\.\d{4,9}/[^\s?#]+")
# Hosts whose paths embed the DOI itself (doi.org/10..., dl.acm.org/doi/10..., ...).
_DOI_HOSTS = {"doi.org", "dx.doi.org", "www.doi.org", "dl.acm.org", "link.springer.com",
              "onlinelibrary.wiley.com", "www.tandfonline.com"}
_ACM_PSEUDO_DOI = "10.5555/"  # ACM's ids for works without a DOI: not DOIs (see checks.py)

_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?")
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org"}
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_DBLP_HOSTS = {"dblp.org", "www.dblp.org", "dblp.uni-trier.de", "dblp.dagstuhl.de"}
_DBLP_KEY = re.compile(r"^/rec/(?:bibtex/|html/)?((?:conf|journals|books|series|phd|reference)"
                       r"/[\w.-]+/[\w.-]+?)(?:\.(?:html|bib|xml|ris))?$")


def normal_doi(text: str) -> str | None:
    """The DOI in `text` (`doi:`, `https://doi.org/...` or bare), trailing punctuation dropped."""
    match = _DOI.search(unquote(text))
    if not match:
        return None
    doi = match.group(0).rstrip(".,;")
    for suffix in (".pdf",):
        doi = doi.removesuffix(suffix)
    return None if doi.startswith(_ACM_PSEUDO_DOI) else doi


def bare_arxiv(text: str) -> str | None:
    """`2103.13262` from `2103.13262v2`, `arXiv:2103.13262`, its DOI or its abs/pdf url."""
    doi = _ARXIV_DOI.match(text.strip())
    if doi:
        text = doi.group(1)
    match = _ARXIV_ID.search(text)
    return match.group(1) if match else None


def doi_in_url(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.hostname not in _DOI_HOSTS:
        return None
    return normal_doi(parts.path)


def arxiv_in_url(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.hostname not in _ARXIV_HOSTS:
        return None
    path = parts.path
    for prefix in ("/abs/", "/pdf/"):
        if path.startswith(prefix):
            return bare_arxiv(path[len(prefix):].removesuffix(".pdf"))
    return None


def dblp_in_url(url: str) -> str | None:
    """`conf/nsdi/ThorpeZEQJZNX23` from `https://dblp.org/rec/conf/nsdi/ThorpeZEQJZNX23.html`."""
    parts = urlsplit(url)
    if parts.hostname not in _DBLP_HOSTS:
        return None
    match = _DBLP_KEY.match(parts.path)
    return match.group(1) if match else None


_USENIX_TALK = re.compile(r"^/conference/(?P<venue>[a-z]+?)(?P<yy>\d{2})/presentation/")


def usenix_talk(url: str) -> tuple[str, int] | None:
    """(venue name, year) of a USENIX presentation page
    (`https://www.usenix.org/conference/nsdi23/presentation/thorpe`). The page's last part
    names the first author, but not always by the family name alone (`wangyuke`)."""
    parts = urlsplit(url)
    if parts.hostname not in ("www.usenix.org", "usenix.org"):
        return None
    match = _USENIX_TALK.match(parts.path)
    if not match:
        return None
    return match.group("venue"), 2000 + int(match.group("yy"))


# Code hosts whose links name a repository as `/owner/name` (the hosts lists and abstracts
# link a paper's code on; links.HOST_ROLES has the rest of the code hosts).
_CODE_HOSTS = ("github.com", "gitlab.com")
_NOT_OWNERS = {"orgs", "topics", "features", "marketplace", "sponsors", "settings", "apps",
               "search", "explore", "collections", "about", "login"}
_REPO_PART = r"[A-Za-z0-9_.-]+"
# A code link in running text: markup around it (`<jats:ext-link xlink:href="...">`, TeX's
# `\url{...}`) and a line break after a slash (arXiv's older feeds wrap the abstract) allowed.
_CODE_IN_TEXT = re.compile(r"(?<![\w.-])(?:www\.)?(" + "|".join(re.escape(h) for h in _CODE_HOSTS)
                           + r")\s*/\s*(" + _REPO_PART + r")\s*/\s*(" + _REPO_PART + ")", re.I)
# Dashes a typesetter put in a link's visible text (`conservation\u2010decisions`).
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})


def _repository(owner: str, name: str) -> str | None:
    name = re.sub(r"(?:\.git)?[.,;:]*$", "", name, flags=re.I)
    if not name or not owner or owner.casefold() in _NOT_OWNERS or name in (".", ".."):
        return None
    return f"{owner}/{name}".casefold()


def code_repository(url: str) -> str | None:
    """`owner/name` (lower-case) of a link to a code repository on GitHub or GitLab
    (`https://github.com/NVIDIA/Megatron-LM.git` -> `nvidia/megatron-lm`), deeper paths
    (`/tree/main/docs`) ignored; None for any other link."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if host not in _CODE_HOSTS or len(segments) < 2:
        return None
    return _repository(segments[0], segments[1])


def repositories_in(text: str | None) -> tuple[str, ...]:
    """Every code repository (`owner/name`, lower-case) a text links, in order, once each:
    an abstract's `Code: https://github.com/lsds/KungFu.`"""
    if not text:
        return ()
    found = (_repository(m.group(2), m.group(3))
             for m in _CODE_IN_TEXT.finditer(text.translate(_DASHES)))
    return tuple(dict.fromkeys(repo for repo in found if repo))


# Identifier kind -> how to read it from a link.
IN_URL = {"doi": doi_in_url, "arxiv": arxiv_in_url, "dblp": dblp_in_url}


def parse_reference(text: str) -> tuple[str, str]:
    """What `oflbib add` was given: ("doi", DOI), ("arxiv", id), ("dblp", key),
    ("url", url) or ("title", text)."""
    text = text.strip()
    if re.match(r"^https?://", text):
        for kind, read in IN_URL.items():
            found = read(text)
            if found:
                return kind, found
        return "url", text
    if re.match(r"^(doi:\s*)?10\.\d{4,9}/\S+$", text, re.I):
        doi = normal_doi(text)
        if doi:
            return "doi", doi
    if re.match(r"^(arxiv:\s*)?" + _ARXIV_ID.pattern + "$", text, re.I):
        return "arxiv", bare_arxiv(text.split(":")[-1]) or text
    return "title", text

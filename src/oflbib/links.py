"""What a link points at: the paper (its landing page), its code, or something else.

An entry's `urls` are its links as the list and the catalog give them; a reading list
links a paper to its code as often as to the paper. Exporters must not print a code
repository as the paper's URL, so every link gets a role from the host table below
(one row per host). A link on no known host is `OTHER`: exported only where nothing
better exists, never as the paper's landing page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

PAPER = "paper"
CODE = "code"
OTHER = "other"

# host (or host suffix) -> role. Landing pages of publishers and proceedings, and the
# code hosts people link a paper's implementation on.
HOST_ROLES: dict[str, str] = {
    "arxiv.org": PAPER,
    "doi.org": PAPER,
    "dx.doi.org": PAPER,
    "dl.acm.org": PAPER,
    "ieeexplore.ieee.org": PAPER,
    "usenix.org": PAPER,
    "proceedings.mlr.press": PAPER,
    "openreview.net": PAPER,
    "papers.nips.cc": PAPER,
    "proceedings.neurips.cc": PAPER,
    "proceedings.mlsys.org": PAPER,
    "aclanthology.org": PAPER,
    "vldb.org": PAPER,
    "link.springer.com": PAPER,
    "sciencedirect.com": PAPER,
    "github.com": CODE,
    "gitlab.com": CODE,
    "bitbucket.org": CODE,
    "codeberg.org": CODE,
    "gitee.com": CODE,
    "sourceforge.net": CODE,
    "huggingface.co": CODE,
}

_ARXIV_PDF = re.compile(r"^https?://(?:www\.)?arxiv\.org/pdf/(.+?)(?:\.pdf)?$", re.I)


# The usual link's host, read without urlsplit (an export asks for every link's role):
# only letters, digits, dots and hyphens up to the path, where urlsplit reads the same.
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)(?:[/?#]|$)", re.I)


def role(url: str) -> str:
    """PAPER, CODE or OTHER for one link (by its host; `www.` and subdomains count)."""
    plain = _PLAIN_HOST.match(url)
    try:
        host = plain.group(1).lower() if plain else (urlsplit(url).hostname or "").lower()
    except ValueError:  # a link too broken to have a host (`https://[`)
        return OTHER
    while host:
        if host in HOST_ROLES:
            return HOST_ROLES[host]
        host = host.partition(".")[2] if host.count(".") > 1 else ""
    return OTHER


def landing_page(url: str) -> str:
    """The page a reader lands on: an arXiv PDF link becomes its abstract page."""
    match = _ARXIV_PDF.match(url)
    return f"https://arxiv.org/abs/{match.group(1)}" if match else url


def arxiv_abs(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI arXiv (through DataCite) gives every paper it hosts."""
    return f"10.48550/arXiv.{arxiv_id}"


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"

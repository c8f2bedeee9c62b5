"""Where a .bib file itself files its entries: the sections `import bibtex` puts them in
when the user names none (`--section`).

A file says so in one of two ways, read here from its @comment blocks:
- oflbib's own exports name their sections in each entry's keywords, home first and
  before the entry's own keywords, and their header says so (`SECTIONS_IN_KEYWORDS`);
  the BibTeX export's JabRef groups tell which keywords are sections (`importers.bibtex`).
- JabRef groups: the legacy groups tree (`@comment{jabref-meta: groupstree: ...}`) lists
  the keys of each explicit group; JabRef 3 and later write an entry's groups in its
  `groups` field instead (read with the entry). A nested group is `Parent/Child`.
Any other file's keywords are topics, not sections (IEEE Xplore, PubMed and Scopus put a
dozen on every entry): its entries go to one section named after the file. Keyword and
search groups are JabRef queries, not memberships: they are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oflbib.exporters.bibtex import SECTIONS_IN_KEYWORDS

_TREE = re.compile(r"^\s*jabref-meta:\s*groupstree:(.*)$", re.S)
# One line of the tree: its depth, then `ExplicitGroup:Name\;0\;key1\;key2\;;`.
_EXPLICIT = re.compile(r"^\s*(\d+)\s+ExplicitGroup:(.*?);?\s*$")
_SEPARATOR = "\\;"


@dataclass
class FileSections:
    """What one file's comments say about its sections."""

    in_keywords: bool = False  # oflbib's own export: keywords name the sections
    groups: dict[str, list[str]] = field(default_factory=dict)  # key -> its groups


def read_comments(comments: list[str]) -> FileSections:
    """The sections a file's @comment texts give (oflbib's header, JabRef's groups tree)."""
    found = FileSections()
    for text in comments:
        if text.strip() in SECTIONS_IN_KEYWORDS:
            found.in_keywords = True
        tree = _TREE.match(text)
        if tree:
            _read_tree(tree.group(1), found.groups)
    return found


def _read_tree(text: str, groups: dict[str, list[str]]) -> None:
    path: list[str] = []  # the group names above the current line, by depth
    for line in text.splitlines():
        explicit = _EXPLICIT.match(line)
        depth = int(line.split()[0]) if line.strip()[:1].isdigit() else None
        if depth is None or depth == 0:
            continue
        name = explicit.group(2).split(_SEPARATOR)[0] if explicit else \
            line.split(":", 1)[-1].split(_SEPARATOR)[0]
        del path[depth - 1:]
        path.append(name.strip())
        if explicit:
            keys = explicit.group(2).split(_SEPARATOR)[2:]
            section = "/".join(path)
            for key in (k.strip() for k in keys):
                if key and section not in groups.setdefault(key, []):
                    groups[key].append(section)


def entry_groups(value: str) -> list[str]:
    """A JabRef 3+ entry's `groups` field: the names of the groups it is in."""
    return [name.strip() for name in value.split(",") if name.strip()]

"""Regenerate keys on request, consistently across entries and `see:` listings."""

from __future__ import annotations

from oflbib import keys
from oflbib.model import Catalog


def rekey(catalog: Catalog, which: list[str] | None) -> dict[str, str]:
    """New keys for `which` (all when None) in catalog order; returns old -> new."""
    targets = set(which) if which is not None else set(catalog.entries)
    order = [entry for _, entry in catalog.ordered()]
    taken = {k for k in catalog.keys_in_use() if k not in targets}
    renamed: dict[str, str] = {}
    for entry in order:
        if entry.key not in targets:
            continue
        new = keys.unique_key(keys.base_key(entry), taken)
        taken.add(new)
        if new != entry.key:
            renamed[entry.key] = new
    if not renamed:
        return renamed
    catalog.entries = {renamed.get(k, k): e for k, e in catalog.entries.items()}
    for entry in catalog.entries.values():
        entry.key = renamed.get(entry.key, entry.key)
    for section in catalog.sections:
        for listing in section.listings:
            listing.key = renamed.get(listing.key, listing.key)
    return renamed

"""Model <-> plain data (what the YAML files hold), in the catalog's field order."""

from __future__ import annotations

from typing import Any

from oflbib.model import FIELD_ORDER, Entry, Person, Provenance, Seed


def seed_to_data(seed: Seed) -> dict[str, Any]:
    data: dict[str, Any] = {"title": seed.title}
    if seed.venue:
        data["venue"] = seed.venue
    if seed.urls:
        data["urls"] = list(seed.urls)
    if seed.organisation:
        data["organisation"] = seed.organisation
    return data


def seed_from_data(data: dict[str, Any]) -> Seed:
    return Seed(
        title=data["title"],
        venue=data.get("venue"),
        urls=list(data.get("urls") or []),
        organisation=data.get("organisation"),
    )


def provenance_to_data(prov: Provenance) -> Any:
    if prov.via is None and prov.retrieved is None and prov.note is None:
        return prov.source
    data: dict[str, Any] = {"source": prov.source}
    for name in ("via", "retrieved", "note"):
        value = getattr(prov, name)
        if value is not None:
            data[name] = value
    return data


def provenance_from_data(data: Any) -> Provenance:
    if isinstance(data, str):
        return Provenance(source=data)
    return Provenance(
        source=data["source"], via=data.get("via"), retrieved=data.get("retrieved"),
        note=data.get("note"),
    )


def person_to_data(person: Person) -> Any:
    """`Family, Given` text, or a mapping when a comma inside a name would make the text
    ambiguous (`Google, Inc.` as an institution)."""
    parts = (person.literal,) if person.literal else (person.family, person.given)
    if any("," in part for part in parts) or (not person.literal and not person.family):
        return {k: v for k, v in (("family", person.family), ("given", person.given),
                                  ("literal", person.literal)) if v}
    return str(person)


def person_from_data(data: Any) -> Person:
    if isinstance(data, dict):
        return Person(family=data.get("family", ""), given=data.get("given", ""),
                      literal=data.get("literal", ""))
    return Person.parse(data)


def entry_to_data(entry: Entry) -> dict[str, Any]:
    """Plain data for an entry; empty fields are left out so files stay short."""
    data: dict[str, Any] = {}
    for name in FIELD_ORDER:
        value = getattr(entry, name)
        if value is None or value == [] or value == {}:
            continue
        if name == "authors":
            value = [person_to_data(person) for person in value]
        elif name == "seed":
            value = seed_to_data(value)
        elif name == "cite_as":
            value = entry_to_data(value)
        elif name == "provenance":
            value = {field: provenance_to_data(p) for field, p in value.items()}
        elif name in ("urls", "protect", "ids"):
            value = list(value)
        data[name] = value
    return data


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def entry_from_data(data: dict[str, Any]) -> Entry:
    """An entry from schema-valid plain data."""
    return Entry(
        key=data["key"],
        kind=data["kind"],
        title=data["title"],
        urls=list(data.get("urls") or []),
        ids=list(data.get("ids") or []),
        protect=list(data.get("protect") or []),
        authors=[person_from_data(a) for a in data.get("authors") or []],
        organisation=data.get("organisation"),
        year=data.get("year"),
        venue=data.get("venue"),
        container=data.get("container"),
        entry_type=data.get("entry_type"),
        publisher=data.get("publisher"),
        volume=_text(data.get("volume")),
        number=_text(data.get("number")),
        pages=_text(data.get("pages")),
        doi=data.get("doi"),
        arxiv=data.get("arxiv"),
        arxiv_class=data.get("arxiv_class"),
        filed_under=data.get("filed_under"),
        cite_as=entry_from_data(data["cite_as"]) if data.get("cite_as") else None,
        seed=seed_from_data(data["seed"]) if data.get("seed") else None,
        provenance={k: provenance_from_data(v) for k, v in (data.get("provenance") or {}).items()},
        notes=data.get("notes"),
    )

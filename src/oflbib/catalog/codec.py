"""Model <-> plain data (what the YAML files hold), in the catalog's field order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oflbib.fields import FIELDS, LATEX, NAMES, OTHER, URLS, WORDS
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


_PARTS = ("family", "given", "particle", "suffix", "literal")
OTHERS = "others"  # the last item of a name list: BibTeX's `and others`


def person_to_data(person: Person) -> Any:
    """`Family, Given` text, or a mapping when the text would be ambiguous: a comma inside
    a name (`Google, Inc.` as an institution), a particle or suffix, a name `others`."""
    parts = (person.literal,) if person.literal else (person.family, person.given)
    if person.particle or person.suffix or person.literal == OTHERS \
            or any("," in part for part in parts) \
            or (not person.literal and not person.family):
        return {name: getattr(person, name) for name in _PARTS if getattr(person, name)}
    return str(person)


def person_from_data(data: Any) -> Person:
    if isinstance(data, dict):
        return Person(**{name: data.get(name, "") for name in _PARTS})
    return Person.parse(data)


def names_to_data(people: list[Person], others: bool) -> list[Any]:
    return [person_to_data(p) for p in people] + ([OTHERS] if others else [])


def names_from_data(data: list[Any]) -> tuple[list[Person], bool]:
    """People, and whether the list ends in `others`."""
    others = bool(data) and data[-1] == OTHERS
    return [person_from_data(p) for p in (data[:-1] if others else data)], others


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# How a field's plain data becomes its model value, for the fields whose data is not it
# already (a load converts every entry: the others are taken as they are).
_FROM_DATA: dict[str, Callable[[Any], Any]] = {
    row.name: list if row.value in (WORDS, URLS) else dict if row.value == LATEX else _text
    for row in FIELDS if row.value in (WORDS, URLS, LATEX) or (
        row.schema is not None and row.schema.get("type") == ["string", "integer", "null"])}
_FROM_DATA["seed"] = seed_from_data
_FROM_DATA["provenance"] = lambda data: {k: provenance_from_data(v) for k, v in data.items()}
_NAME_LISTS = frozenset(row.name for row in FIELDS if row.value == NAMES)


def entry_to_data(entry: Entry) -> dict[str, Any]:
    """Plain data for an entry, in the field table's order; empty fields are left out so
    files stay short."""
    data: dict[str, Any] = {}
    for name in FIELD_ORDER:
        value = getattr(entry, name)
        if value is None or value == [] or value == {} or value == "":
            continue
        if name in _NAME_LISTS:
            value = names_to_data(value, getattr(entry, f"{name}_others"))
        elif name == "seed":
            value = seed_to_data(value)
        elif name == "cite_as":
            value = entry_to_data(value)
        elif name == "provenance":
            value = {field: provenance_to_data(p) for field, p in value.items()}
        elif isinstance(value, (list, dict)):
            value = type(value)(value)
        data[name] = value
    return data


def entry_from_data(data: dict[str, Any]) -> Entry:
    """An entry from schema-valid plain data."""
    values: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            continue
        convert = _FROM_DATA.get(name)
        if convert is not None:
            values[name] = convert(value)
        elif name in _NAME_LISTS:
            values[name], values[f"{name}_others"] = names_from_data(value)
        elif name == "cite_as":
            values[name] = entry_from_data(value)
        else:
            values[name] = value
    return Entry(**values)

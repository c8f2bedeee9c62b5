"""A fast yes/no for the catalog's JSON Schemas; jsonschema explains every no.

jsonschema walks a schema anew for every value and builds an error object per failed
branch of `anyOf` and `if`; on 100,000 entries that takes minutes. The schemas in
`schema.py` use a handful of Draft 7 keywords, so each schema is compiled once into a
Python predicate. A predicate may be stricter than jsonschema, never looser: a value it
accepts is valid, and anything it rejects goes to jsonschema for the located message.
A keyword outside that handful fails at compile time, so a schema change cannot
silently weaken the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# The Python types that hold each JSON type in parsed YAML. Types are compared exactly,
# so a bool is never an integer, nor is an integral float (`year: 2020.0`, which Draft 7
# would count as one): the model and every writer take an integer to be an int.
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "array": (list,),
    "object": (dict,), "null": (type(None),), "boolean": (bool,),
}
_OBJECT_KEYWORDS = ("properties", "additionalProperties", "required", "minProperties")
_IF_BRANCHES = ("then", "else")  # compiled together with `if`

# The combinators below are plain closures and loops, not all()/any() over generators:
# a 100,000-entry catalog makes tens of millions of these calls.


def _all(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    def check(value: Any) -> bool:
        for each in checks:
            if not each(value):
                return False
        return True

    return check


def _any(checks: list[Check]) -> Check:
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) or second(value)

    def check(value: Any) -> bool:
        for each in checks:
            if each(value):
                return True
        return False

    return check


def _type(wanted: str | list[str]) -> Check:
    names = [wanted] if isinstance(wanted, str) else wanted
    exact = frozenset(t for name in names for t in _PYTHON_TYPES[name])
    return lambda value: type(value) in exact


def _enum(choices: list[Any]) -> Check:
    # Same type and equal: stricter than jsonschema (which also equates 1 and 1.0).
    allowed = frozenset((type(choice), choice) for choice in choices)

    def check(value: Any) -> bool:
        try:
            return (type(value), value) in allowed
        except TypeError:  # a list or mapping: never one of the choices
            return False

    return check


def _string(schema: dict[str, Any]) -> Check | None:
    min_length = schema.get("minLength")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    if min_length is None and pattern is None:
        return None

    def check(value: Any) -> bool:
        if type(value) is not str:
            return True
        if min_length is not None and len(value) < min_length:
            return False
        return pattern is None or pattern.search(value) is not None

    return check


def _range(schema: dict[str, Any]) -> Check | None:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is None and high is None:
        return None

    def check(value: Any) -> bool:
        if type(value) not in (int, float):
            return True
        return (low is None or value >= low) and (high is None or value <= high)

    return check


def _object(schema: dict[str, Any]) -> Check | None:
    if not any(k in schema for k in _OBJECT_KEYWORDS):
        return None
    properties = {name: compile_schema(s) for name, s in schema.get("properties", {}).items()}
    extra = schema.get("additionalProperties", True)
    other: Check | None = None if extra is False else \
        (lambda value: True) if extra is True else compile_schema(extra)
    required = schema.get("required", [])
    min_properties = schema.get("minProperties", 0)

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return True
        if len(value) < min_properties:
            return False
        for name in required:
            if name not in value:
                return False
        for name, item in value.items():
            test = properties.get(name, other) if type(name) is str else other
            if test is None or not test(item):
                return False
        return True

    return check


def _items(schema: dict[str, Any]) -> Check | None:
    if "items" not in schema:
        return None
    if not isinstance(schema["items"], dict):
        raise NotImplementedError("items as a list")
    each = compile_schema(schema["items"])

    def check(value: Any) -> bool:
        if type(value) is list:
            for item in value:
                if not each(item):
                    return False
        return True

    return check


def _conditional(schema: dict[str, Any]) -> Check | None:
    if "if" not in schema:
        return None
    condition = compile_schema(schema["if"])
    then = compile_schema(schema.get("then", {}))
    otherwise = compile_schema(schema.get("else", {}))
    return lambda value: then(value) if condition(value) else otherwise(value)


_KNOWN = {"type", "enum", "anyOf", "minLength", "pattern", "minimum", "maximum", "items",
          "if", *_OBJECT_KEYWORDS, *_IF_BRANCHES}


def compile_schema(schema: dict[str, Any]) -> Check:
    """A predicate that is True only for values valid against `schema`."""
    unknown = set(schema) - _KNOWN
    if unknown:
        raise NotImplementedError(f"keywords {sorted(unknown)} are not compiled")
    checks: list[Check] = []
    if "type" in schema:
        checks.append(_type(schema["type"]))
    if "enum" in schema:
        checks.append(_enum(schema["enum"]))
    if "anyOf" in schema:
        checks.append(_any([compile_schema(branch) for branch in schema["anyOf"]]))
    for build in (_string, _range, _object, _items, _conditional):
        check = build(schema)
        if check is not None:
            checks.append(check)
    return _all(checks) if checks else (lambda value: True)

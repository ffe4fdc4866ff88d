"""Strict checks of decoded JSON for the rule data: types, allowed keys and names.

Every check raises ``InvalidRuleSet`` with a message that says where in the document the problem
is (``where``), so that whoever edits ``rulesets.json`` can find and fix it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import TypeVar

from fieldapp.core.victims_code.errors import InvalidRuleSet

SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")
_T = TypeVar("_T")


def json_object(value: object, where: str) -> Mapping[str, object]:
    """A JSON object, or a clear error saying where one was expected."""
    if not isinstance(value, dict):
        raise InvalidRuleSet(f"{where} must be a JSON object.")
    return value


def only_keys(
    obj: Mapping[str, object], allowed: Collection[str], where: str, *, required: Collection[str]
) -> None:
    """Refuse unknown keys (a typo must not be silently ignored) and missing required ones."""
    if unexpected := sorted(set(obj) - set(allowed)):
        raise InvalidRuleSet(f"{where}: unexpected keys {unexpected}.")
    if missing := sorted(set(required) - set(obj)):
        raise InvalidRuleSet(f"{where}: missing keys {missing}.")


def typed(obj: Mapping[str, object], key: str, kind: type[_T], where: str) -> _T:
    """One required field of a JSON object, of the expected JSON type."""
    value = obj.get(key)
    # bool is an int in Python; a count of days is never true or false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidRuleSet(f"{where}: {key!r} must be of type {kind.__name__}, got {value!r}.")
    return value


def text(obj: Mapping[str, object], key: str, where: str) -> str:
    """A required, non-blank string."""
    value = typed(obj, key, str, where)
    if not value.strip():
        raise InvalidRuleSet(f"{where}: {key!r} must not be blank.")
    return value


def positive_int(obj: Mapping[str, object], key: str, where: str) -> int:
    """A required whole number, at least one."""
    value = typed(obj, key, int, where)
    if value < 1:
        raise InvalidRuleSet(f"{where}: {key!r} must be at least 1, got {value}.")
    return value


def flag(obj: Mapping[str, object], key: str, where: str) -> bool:
    """An optional true/false, false when left out."""
    if key not in obj:
        return False
    return typed(obj, key, bool, where)


def snake_name(value: str, what: str, where: str) -> str:
    """A lower_snake_case name (a duty kind, an item id, a role, a details field)."""
    if not SNAKE_CASE.fullmatch(value):
        raise InvalidRuleSet(f"{where}: {what} {value!r} must be lower_snake_case.")
    return value


def name_list(
    obj: Mapping[str, object], key: str, where: str, *, allowed: Collection[str] | None = None
) -> tuple[str, ...]:
    """An optional list of distinct snake_case names, each among ``allowed`` if given."""
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InvalidRuleSet(f"{where}: {key!r} must be a list of strings, got {value!r}.")
    names = tuple(snake_name(name, "name", f"{where}.{key}") for name in value)
    if len(set(names)) != len(names):
        raise InvalidRuleSet(f"{where}: {key!r} lists a name twice.")
    if allowed is not None and (unknown := [name for name in names if name not in allowed]):
        raise InvalidRuleSet(f"{where}: {key!r} names unknown {unknown}.")
    return names

"""The lint rules: their data types, and loading and checking ``lint_rules.json``.

The rules (police jargon, plain-English swaps, readability, required fields, what must not go
in a text message, links) are data in ``lint_rules.json`` beside this module, versioned so that
a report can say which rules it was judged by. This module owns their shape: it decodes the
document into ``LintRules`` and says clearly what is wrong and where when the document is bad.
The checks that apply the rules to a message are in ``lint``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypeVar

DATA_FORMAT = 1
RULES_FILE = "lint_rules.json"
_PACKAGE = "fieldapp.core.templating"
_TOP_KEYS = {"format", "version", "source", "jargon", "plain_english", "readability", "links"} | {
    "max_sms_fragments_warning",
    "required",
    "sms_forbidden_patterns",
}
_T = TypeVar("_T")


class InvalidLintRules(ValueError):
    """The lint rule document does not have the expected shape."""


@dataclass(frozen=True)
class JargonTerm:
    """A police term that must be explained in the message, and how to explain it."""

    term: str
    explanation: str
    suggestion: str


@dataclass(frozen=True)
class WordingRule:
    """A word or phrase with a plainer swap, except inside the listed phrases."""

    pattern: re.Pattern[str]
    suggestion: str
    exceptions: tuple[str, ...]


@dataclass(frozen=True)
class RequiredField:
    """At least one of these merge fields must be used."""

    code: str
    any_of: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class ForbiddenPattern:
    """Text that must never appear in a text message."""

    code: str
    pattern: re.Pattern[str]
    message: str


@dataclass(frozen=True)
class LintRules:
    """One version of the lint rules."""

    version: str
    source: str
    jargon: tuple[JargonTerm, ...]
    plain_english: tuple[WordingRule, ...]
    readability_threshold: float
    readability_min_words: int
    max_sms_fragments_warning: int
    required: tuple[RequiredField, ...]
    sms_forbidden_patterns: tuple[ForbiddenPattern, ...]
    link_shorteners: tuple[str, ...]


def _object(value: object, where: str) -> Mapping[str, object]:
    """A JSON object, or a clear error saying where one was expected."""
    if not isinstance(value, dict):
        raise InvalidLintRules(f"{where} must be a JSON object.")
    return value


def _field(obj: Mapping[str, object], key: str, kind: type[_T], where: str) -> _T:
    """One required field of a JSON object, of the expected JSON type."""
    value = obj.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) or (kind is str and not value):
        wanted = "a whole number" if kind is int else "non-empty text"
        raise InvalidLintRules(f"{where}: {key!r} must be {wanted}, got {value!r}.")
    return value


def _each(root: Mapping[str, object], key: str) -> Iterator[tuple[Mapping[str, object], str]]:
    """The JSON objects of a required list, each with where it is for error messages."""
    value = root.get(key)
    if not isinstance(value, list):
        raise InvalidLintRules(f"rules: {key!r} must be a list.")
    for index, item in enumerate(value):
        yield _object(item, f"{key}[{index}]"), f"{key}[{index}]"


def _strings(obj: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    """A required list of non-empty strings."""
    value = obj.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise InvalidLintRules(f"{where}: {key!r} must be a list of non-empty strings.")
    return tuple(value)


def _regex(obj: Mapping[str, object], where: str, flags: int = 0) -> re.Pattern[str]:
    """A required regular expression that compiles."""
    try:
        return re.compile(_field(obj, "pattern", str, where), flags)
    except re.error as exc:
        message = f"{where}: 'pattern' is not a valid regular expression: {exc}."
        raise InvalidLintRules(message) from exc


def _texts(obj: Mapping[str, object], where: str, *keys: str) -> list[str]:
    """Several required non-empty strings of one JSON object."""
    return [_field(obj, key, str, where) for key in keys]


def _required_field(entry: Mapping[str, object], where: str) -> RequiredField:
    """A required-field rule: its code, the fields of which one must be used, its message."""
    code, message = _texts(entry, where, "code", "message")
    if not (any_of := _strings(entry, "any_of", where)):
        raise InvalidLintRules(f"{where}: 'any_of' must name at least one merge field.")
    return RequiredField(code, any_of, message)


def parse_lint_rules(document: object) -> LintRules:
    """Validate a decoded rule document; ``InvalidLintRules`` says what is wrong and where."""
    root = _object(document, "The lint rule document")
    if unexpected := set(root) - _TOP_KEYS:
        raise InvalidLintRules(f"The lint rule document has unexpected keys {sorted(unexpected)}.")
    if root.get("format") != DATA_FORMAT:
        raise InvalidLintRules(f"The lint rule document must have format {DATA_FORMAT}.")
    readability = _object(root.get("readability"), "readability")
    return LintRules(
        version=_field(root, "version", str, "rules"),
        source=_field(root, "source", str, "rules"),
        jargon=tuple(
            JargonTerm(*_texts(e, w, "term", "explanation", "suggestion"))
            for e, w in _each(root, "jargon")
        ),
        plain_english=tuple(
            WordingRule(
                _regex(e, w, re.IGNORECASE),
                _field(e, "suggestion", str, w),
                _strings(e, "except", w),
            )
            for e, w in _each(root, "plain_english")
        ),
        readability_threshold=float(_field(readability, "threshold", int, "readability")),
        readability_min_words=_field(readability, "min_words", int, "readability"),
        max_sms_fragments_warning=_field(root, "max_sms_fragments_warning", int, "rules"),
        required=tuple(_required_field(e, w) for e, w in _each(root, "required")),
        sms_forbidden_patterns=tuple(
            ForbiddenPattern(_field(e, "code", str, w), _regex(e, w), _field(e, "message", str, w))
            for e, w in _each(root, "sms_forbidden_patterns")
        ),
        link_shorteners=_strings(_object(root.get("links"), "links"), "shorteners", "links"),
    )


@cache
def load_lint_rules() -> LintRules:
    """The lint rules shipped with the package, read once from ``lint_rules.json``."""
    text = resources.files(_PACKAGE).joinpath(RULES_FILE).read_text(encoding="utf-8")
    return parse_lint_rules(json.loads(text))

"""Information items: what a victim must be told for a duty to be met, and checking a text for it.

An item is rule data (``information_items`` in ``rulesets.json``). It is either *field based*
(the merge fields whose values the rendered text must carry, such as the court's name and address)
or *phrase based* (fixed wording, such as the offer of a victim personal statement), or both.

``check_information`` decides, for one rendered text, which items it carried:

- an item with ``applies_when`` applies only when that merge field has a value (the right to a
  police review is told only when the victim has it);
- a field-based item whose fields have no value at all does not apply (no protective bail
  conditions, nothing to tell), unless it is marked ``always``: then it is missing;
- a field-based item is carried when the template used every one of its fields and every value
  (every element of a list) appears in the text;
- a phrase-based item is carried when the text contains one of its phrases in the language.

Texts and values are compared with HTML entities decoded, typographic quotes and dashes made
plain, whitespace collapsed and case folded, so an escaped apostrophe in a letter or a line break
in a court address does not hide a value that is there.

Items can depend on who is told (the recipient role): a business gets an impact statement for
business instead of a victim personal statement and no criminal-injuries compensation, so an
item may be ``replaced_for`` or ``excluded_for`` a role.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from fieldapp.core.victims_code.errors import InvalidRuleSet
from fieldapp.core.victims_code.validation import (
    json_object,
    name_list,
    only_keys,
    snake_name,
)
from fieldapp.core.victims_code.validation import text as text_field

LANGUAGES = ("en", "cy")
# The roots of the merge context (core.templating.context.build_context).
FIELD_ROOTS = ("victim", "case", "officer", "event", "force", "next_update", "input")

_FIELD = re.compile(rf"(?:{'|'.join(FIELD_ROOTS)})\.[a-z][a-z0-9_]*")
_ITEM_KEYS = frozenset(
    {"id", "label", "fields", "applies_when", "phrases", "always", "replaced_for", "excluded_for"}
)
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                        "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})  # fmt: skip


@dataclass(frozen=True)
class InformationItem:
    """One thing a victim must be told, and how to recognise it in a rendered text."""

    id: str
    labels: Mapping[str, str] = field(hash=False)  # a mapping cannot be hashed; the id can
    fields: tuple[str, ...]
    applies_when: str | None
    phrases: Mapping[str, tuple[str, ...]] = field(hash=False)
    always: bool

    def label(self, language: str) -> str:
        """The item's name for officers and error messages, in English or Welsh."""
        return self.labels.get(language, self.labels["en"])


@dataclass(frozen=True)
class Coverage:
    """Which items a text carried, which it missed, and which did not apply to this case."""

    carried: tuple[str, ...]
    missing: tuple[str, ...]
    not_applicable: tuple[str, ...]


@dataclass(frozen=True)
class ItemCatalogue:
    """Every information item by id, with the changes each recipient role makes."""

    items: Mapping[str, InformationItem]
    replaced_for: Mapping[str, Mapping[str, str]]
    excluded_for: Mapping[str, frozenset[str]]

    def for_role(self, ids: Iterable[str], recipient_role: str) -> tuple[InformationItem, ...]:
        """The items named, as they apply to a recipient role (replaced or left out)."""
        excluded = self.excluded_for.get(recipient_role, frozenset())
        replaced = self.replaced_for.get(recipient_role, {})
        chosen = [replaced.get(item_id, item_id) for item_id in ids if item_id not in excluded]
        return tuple(self.items[item_id] for item_id in dict.fromkeys(chosen))


def check_information(
    items: Sequence[InformationItem],
    context: Mapping[str, Any],
    used_fields: AbstractSet[str],
    text: str,
    language: str,
) -> Coverage:
    """Which required items a rendered text carries, judged from the merge data it used."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    plain = _plain(text)
    verdicts: dict[str, list[str]] = {"carried": [], "missing": [], "not_applicable": []}
    for item in items:
        verdicts[_verdict(item, context, used_fields, plain, language)].append(item.id)
    return Coverage(**{name: tuple(ids) for name, ids in verdicts.items()})


def _verdict(
    item: InformationItem,
    context: Mapping[str, Any],
    used_fields: AbstractSet[str],
    plain: str,
    language: str,
) -> str:
    """'carried', 'missing' or 'not_applicable' for one item."""
    if item.applies_when is not None and not _has_value(field_value(context, item.applies_when)):
        return "not_applicable"
    values = {name: field_value(context, name) for name in item.fields}
    if values and not item.always and not any(map(_has_value, values.values())):
        return "not_applicable"
    carried = all(
        name in used_fields and _has_value(value) and all(_plain(s) in plain for s in _texts(value))
        for name, value in values.items()
    )
    if item.phrases:
        carried = carried and any(_plain(p) in plain for p in item.phrases.get(language, ()))
    return "carried" if carried else "missing"


def field_value(context: Mapping[str, Any], name: str) -> Any:
    """The value of a dotted merge field ('event.court_name') in a context, or None."""
    value: Any = context
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _has_value(value: Any) -> bool:
    """Whether a merge value says something: not absent, blank, false or an empty list."""
    if isinstance(value, list | tuple):
        return any(_has_value(element) for element in value)
    return value is not None and value is not False and str(value).strip() != ""


def _texts(value: Any) -> list[str]:
    """The strings that must appear in the text: the value, or each element of a list."""
    values = value if isinstance(value, list | tuple) else [value]
    return [str(element) for element in values if _has_value(element)]


def _plain(value: str) -> str:
    """A string as compared: entities decoded, quotes plain, whitespace collapsed, case folded."""
    return " ".join(html.unescape(value).translate(_PLAIN).split()).casefold()


def parse_items(value: object, where: str = "information_items") -> ItemCatalogue:
    """The information items of the rule-set document, with each role's replacements."""
    if not isinstance(value, list) or not value:
        raise InvalidRuleSet(f"{where} must be a non-empty list of items.")
    parsed = [_parse_item(json_object(entry, f"{where}[{index}]"), f"{where}[{index}]")
              for index, entry in enumerate(value)]  # fmt: skip
    items: dict[str, InformationItem] = {}
    replaced_for: dict[str, dict[str, str]] = {}
    excluded_for: dict[str, set[str]] = {}
    for item, replacements, exclusions in parsed:
        if item.id in items:
            raise InvalidRuleSet(f"{where}: item {item.id!r} is defined twice.")
        items[item.id] = item
        for role, replacement in replacements.items():
            replaced_for.setdefault(role, {})[item.id] = replacement
        for role in exclusions:
            excluded_for.setdefault(role, set()).add(item.id)
    for role, replacements in replaced_for.items():
        if unknown := sorted(set(replacements.values()) - set(items)):
            raise InvalidRuleSet(
                f"{where}: replacements for {role!r} name unknown items {unknown}."
            )
    return ItemCatalogue(
        items=MappingProxyType(items),
        replaced_for=MappingProxyType(
            {role: MappingProxyType(r) for role, r in replaced_for.items()}
        ),
        excluded_for=MappingProxyType({role: frozenset(e) for role, e in excluded_for.items()}),
    )


def _parse_item(
    entry: Mapping[str, object], where: str
) -> tuple[InformationItem, dict[str, str], tuple[str, ...]]:
    """One item, its replacement per role and the roles it does not apply to."""
    if isinstance(entry.get("id"), str):
        where = f"information item {entry['id']!r}"
    only_keys(entry, _ITEM_KEYS, where, required={"id", "label"})
    item_id = snake_name(text_field(entry, "id", where), "item id", where)
    fields = tuple(_field_name(name, where) for name in _strings(entry, "fields", where))
    applies_when = entry.get("applies_when")
    if applies_when is not None:
        applies_when = _field_name(text_field(entry, "applies_when", where), where)
    phrases = _phrases(entry["phrases"], f"{where}.phrases") if "phrases" in entry else {}
    if not fields and not phrases:
        raise InvalidRuleSet(f"{where}: give 'fields', 'phrases' or both.")
    always = entry.get("always", False)
    if not isinstance(always, bool) or (always and not fields):
        raise InvalidRuleSet(f"{where}: 'always' must be true or false, and needs 'fields'.")
    item = InformationItem(
        id=item_id,
        labels=MappingProxyType(_by_language(entry["label"], f"{where}.label")),
        fields=fields,
        applies_when=applies_when,
        phrases=MappingProxyType(phrases),
        always=always,
    )
    replaced = json_object(entry.get("replaced_for", {}), f"{where}.replaced_for")
    replacements = {
        snake_name(role, "role", where): text_field(replaced, role, f"{where}.replaced_for")
        for role in replaced
    }
    return item, replacements, name_list(entry, "excluded_for", where)


def _field_name(name: str, where: str) -> str:
    """A dotted merge field under one of the context's roots."""
    if not _FIELD.fullmatch(name):
        raise InvalidRuleSet(
            f"{where}: {name!r} is not a merge field (root.name, roots {list(FIELD_ROOTS)})."
        )
    return name


def _strings(entry: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    """An optional list of distinct non-blank strings."""
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise InvalidRuleSet(f"{where}: {key!r} must be a list of non-blank strings.")
    if len(set(value)) != len(value):
        raise InvalidRuleSet(f"{where}: {key!r} lists a value twice.")
    return tuple(value)


def _by_language(value: object, where: str) -> dict[str, str]:
    """A text in every language, e.g. a label."""
    texts = json_object(value, where)
    only_keys(texts, LANGUAGES, where, required=LANGUAGES)
    return {language: text_field(texts, language, where) for language in LANGUAGES}


def _phrases(value: object, where: str) -> dict[str, tuple[str, ...]]:
    """At least one phrase in every language."""
    phrases = json_object(value, where)
    only_keys(phrases, LANGUAGES, where, required=LANGUAGES)
    found = {language: _strings(phrases, language, where) for language in LANGUAGES}
    if empty := [language for language, listed in found.items() if not listed]:
        raise InvalidRuleSet(f"{where}: no phrase for {empty}.")
    return found

"""Bail conditions as sentences a victim reads, in English or Welsh.

A condition is plain data (``{"type": "curfew", "address": ..., "from_time": "19:00", ...}``);
its words come from ``conditions.json``: the first sentence whose fields are all given wins, so
a condition with an address names it and one without still reads well. Conditions recorded
before types existed (``{text, protects_victim}``) are of type ``other``: their own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fieldapp.core.templating.dates import format_clock
from fieldapp.core.templating.reasons import as_sentence
from fieldapp.core.templating.wording import condition_rules

OTHER = "other"
_WELSH_VOWELS = frozenset("aeiouâêîôûAEIOUÂÊÎÔÛ")
# Welsh 'a' (and) becomes 'ac' before a vowel sound: 8 is 'wyth', 11 is 'un ar ddeg'.
_WELSH_AC_HOURS = ("8", "11")
# An officer's own words often start where "They" is left out: "must not ...", "not to ...".
_ENGLISH_OPENINGS = (("must ", "They must "), ("not to ", "They must not "), ("to ", "They must "))


def condition_sentence(condition: Mapping[str, Any], language: str) -> str:
    """One condition as a grammatical sentence in the language."""
    kind = str(condition.get("type") or OTHER)
    rules = condition_rules().get(kind) or condition_rules()[OTHER]
    values = _values(condition, language)
    for sentence in rules["sentences"]:
        if all(values.get(name) for name in sentence["uses"]):
            return str(sentence[language]).format(**values)
    return _own_words(str(condition.get("text") or ""), language)


def protective_sentences(conditions: Iterable[Mapping[str, Any]], language: str) -> list[str]:
    """The sentences of the conditions that protect the victim, in the order given."""
    return [
        condition_sentence(condition, language)
        for condition in conditions
        if condition.get("protects_victim") is True
    ]


def _values(condition: Mapping[str, Any], language: str) -> dict[str, str]:
    """The placeholders a sentence may use, written for the language."""
    text = str(condition.get("text") or "").strip()
    values = {
        name: str(condition.get(name) or "").strip() for name in ("person", "area", "address")
    }
    values["text"] = _own_words(text, language) if text else ""
    values["with_person"] = _welsh_with(values["person"]) if values["person"] else ""
    for name in ("from_time", "to_time"):
        values[name] = _clock(condition.get(name), language)
    values["and_to_time"] = _and(values["to_time"], language) if values["to_time"] else ""
    return values


def _clock(value: object, language: str) -> str:
    """'19:00' written out for the language ('7pm'); empty when absent."""
    if not value:
        return ""
    hour, minute = (int(part) for part in str(value).split(":")[:2])
    return format_clock(hour, minute, language)


def _and(time: str, language: str) -> str:
    """'and 7am'; in Welsh 'a 7yb', or 'ac 8yb' before a vowel sound."""
    if language != "cy":
        return f"and {time}"
    return f"{'ac' if time.startswith(_WELSH_AC_HOURS) else 'a'} {time}"


def _welsh_with(person: str) -> str:
    """Welsh 'with' before a name: 'â' before a consonant, 'ag' before a vowel."""
    return f"{'ag' if person[:1] in _WELSH_VOWELS else 'â'} {person}"


def _own_words(text: str, language: str) -> str:
    """An officer's words as a sentence: capital letter, full stop, and 'They' when left out."""
    words = text.strip()
    if language == "en":
        for opening, prefix in _ENGLISH_OPENINGS:
            if words.lower().startswith(opening):
                words = prefix + words[len(opening) :]
                break
    return as_sentence(words)

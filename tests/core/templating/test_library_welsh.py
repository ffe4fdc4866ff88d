"""The Welsh built-in templates: one for every English one, carrying the same information.

Welsh Language Standards: Welsh must not be treated less favourably than English
(victims-code.md section 1.8). So every English template has a Welsh twin on the same channel,
with the same flags, using at least the same merge fields, written in Welsh throughout, and a
Welsh text message stays in the GSM alphabet (no circumflex letters).
"""

from __future__ import annotations

import re

import pytest

from fieldapp.core.templating.check import Wording, validate_wording
from fieldapp.core.templating.library import LIBRARY_DIRECTORY, LibraryTemplate, load_library
from fieldapp.core.templating.sms import WELSH_NON_GSM

LIBRARY = load_library(LIBRARY_DIRECTORY)
BY_KEY = {template.key: template for template in LIBRARY}
ENGLISH = [t for t in LIBRARY if t.language == "en"]
WELSH = [t for t in LIBRARY if t.language == "cy"]
# Merge fields a Welsh template may leave out, and why.
LEFT_OUT = {
    # Welsh words for some ways of contact ("galwad ffôn") have a circumflex: the text would
    # go as UCS-2. The Welsh text says "the way you asked for"; the email and letter name it.
    "preferred-method-unavailable-sms-cy": {"event.method_unavailable"},
}
# English words that show a Welsh template was left half translated (data fields removed first).
ENGLISH_WORDS = re.compile(r"(?i)\b(dear|yours|please|the|and|you|your|we|call|will)\b")
# A fixed phrase in the English and the Welsh that must say the same (contract section 3).
PHRASES = {
    "victim personal statement": "datganiad personol",
    "impact statement for business": "datganiad effaith ar fusnes",
}


def _ids(templates: list[LibraryTemplate]) -> list[str]:
    """Test ids: the template keys."""
    return [template.key for template in templates]


def _welsh_twin(template: LibraryTemplate) -> LibraryTemplate:
    """The Welsh template with the same family, channel and format as an English one."""
    key = re.sub(r"-en(-easy-read)?$", r"-cy\1", template.key)
    assert key in BY_KEY, f"no Welsh version of {template.key}"
    return BY_KEY[key]


def _fields(template: LibraryTemplate) -> frozenset[str]:
    """The merge fields a template's subject and body use."""
    wording = Wording(template.channel, template.language, template.body, template.subject)
    return validate_wording(wording)


def _words(template: LibraryTemplate) -> str:
    """The template's own words: subject and body without merge fields or tags."""
    text = f"{template.subject or ''}\n{template.body}"
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}|'[^'\n]*'", " ", text)


@pytest.mark.parametrize("template", ENGLISH, ids=_ids(ENGLISH))
def test_every_english_template_has_a_welsh_twin_with_the_same_flags(
    template: LibraryTemplate,
) -> None:
    welsh = _welsh_twin(template)
    same = ("family", "channel", "event_type", "contentless", "follow_up", "format")
    assert [getattr(welsh, name) for name in same] == [getattr(template, name) for name in same]
    assert (welsh.subject is None) == (template.subject is None)


@pytest.mark.parametrize("template", ENGLISH, ids=_ids(ENGLISH))
def test_welsh_twin_uses_every_merge_field_the_english_uses(template: LibraryTemplate) -> None:
    welsh = _welsh_twin(template)
    missing = _fields(template) - _fields(welsh) - LEFT_OUT.get(welsh.key, set())
    assert not missing


@pytest.mark.parametrize("template", ENGLISH, ids=_ids(ENGLISH))
def test_welsh_twin_keeps_the_fixed_phrases(template: LibraryTemplate) -> None:
    welsh = _welsh_twin(template)
    for english, cymraeg in PHRASES.items():
        if english in template.body.lower():
            assert cymraeg in welsh.body.lower()


@pytest.mark.parametrize("template", WELSH, ids=_ids(WELSH))
def test_welsh_template_is_written_in_welsh(template: LibraryTemplate) -> None:
    assert not ENGLISH_WORDS.findall(_words(template))
    if not template.contentless:
        assert template.body.startswith("Annwyl {{ victim.first_name }}")


WELSH_SMS = [t for t in WELSH if t.channel == "sms"]


@pytest.mark.parametrize("template", WELSH_SMS, ids=_ids(WELSH_SMS))
def test_welsh_text_has_no_letter_that_would_make_it_ucs2(template: LibraryTemplate) -> None:
    assert not set(template.body) & WELSH_NON_GSM


WELSH_LETTERS = [
    t for t in WELSH if t.channel == "letter" and t.format == "standard" and not t.contentless
]


@pytest.mark.parametrize("template", WELSH_LETTERS, ids=_ids(WELSH_LETTERS))
def test_welsh_letter_closes_in_welsh_and_offers_other_formats(template: LibraryTemplate) -> None:
    assert "Yn gywir," in template.body
    assert "print bras" in template.body
    assert "Mae croeso i chi gysylltu â ni yn Gymraeg" in template.body

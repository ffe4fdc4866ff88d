"""The built-in library: its file format, and every shipped template checked end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp.core.templating.catalogue import Catalogue
from fieldapp.core.templating.context import TEMPLATE_LANGUAGES
from fieldapp.core.templating.library import (
    CHANNELS,
    PERIODIC_UPDATE,
    LibraryFileError,
    LibraryTemplate,
    format_template_file,
    load_library,
    parse_template_file,
)
from fieldapp.core.victims_code import EVENT_TYPES
from tests.core.templating.library_samples import (
    BY_KEY,
    CONTENTLESS_FAMILY,
    LIBRARY,
    check,
    fields_of,
    ids,
    sample_for,
    sparse,
)

# Every family has a template in every channel and language (issue 12 point 6): the event types,
# the regular update and the contentless "please call" message.
FAMILIES = (*EVENT_TYPES, PERIODIC_UPDATE, CONTENTLESS_FAMILY)
# Accessible-format variants the library must have (Victims' Code Right 1: easy read).
EASY_READ = ("crime_recorded", "charged", "no_further_action")
FORMAT_SUFFIX = {"standard": "", "easy_read": "-easy-read", "large_print": "-large-print"}

# All a contentless message may say: who to call, the number, and the reference to quote.
CONTENTLESS_FIELDS = frozenset(
    {
        "officer.rank",
        "officer.name",
        "officer.contact_phone",
        "force.name",
        "force.phone",
        "case.crime_reference",
    }
)
SMS_FRAGMENT_BUDGET = 3

VALID = """---
key: arrested-sms-en
family: arrested
channel: sms
language: en
event_type: arrested
name: Suspect arrested (text)
description: Tells the person someone was arrested.
change_note: First version.
---
Dear {{ victim.first_name }}, we arrested someone. Ref {{ case.crime_reference }}.
"""


def _replace_line(text: str, old: str, new: str) -> str:
    """The valid file with one front-matter line replaced (or removed when ``new`` is empty)."""
    assert old in text
    return text.replace(f"{old}\n", f"{new}\n" if new else "")


# The file format


def test_valid_file_parses_into_its_metadata_and_body() -> None:
    template = parse_template_file(VALID)
    assert template.key == "arrested-sms-en"
    assert (template.family, template.channel, template.language) == ("arrested", "sms", "en")
    assert template.event_type == "arrested"
    assert template.contentless is False
    assert template.follow_up is False
    assert template.format == "standard"
    assert template.subject is None
    assert template.change_note == "First version."
    assert template.body == (
        "Dear {{ victim.first_name }}, we arrested someone. Ref {{ case.crime_reference }}."
    )


def test_email_subject_and_contentless_flag_are_read() -> None:
    text = _replace_line(VALID, "channel: sms", "channel: email\nsubject: 'Update: {{ x }}'")
    text = _replace_line(text, "change_note: First version.", "change_note: x\ncontentless: true")
    template = parse_template_file(text)
    assert template.subject == "Update: {{ x }}"
    assert template.contentless is True


def test_follow_up_flag_is_read_and_written_only_when_set() -> None:
    assert parse_template_file(VALID).follow_up is False
    text = _replace_line(VALID, "change_note: First version.", "change_note: x\nfollow_up: true")
    template = parse_template_file(text)
    assert template.follow_up is True
    assert "follow_up: true" in format_template_file(template)
    assert "follow_up" not in format_template_file(parse_template_file(VALID))


def test_body_keeps_inner_blank_lines_and_drops_only_the_final_newline() -> None:
    template = parse_template_file(VALID.replace("Dear", "\nDear") + "\nBye\n\n")
    assert template.body.startswith("\nDear")
    assert template.body.endswith("\n\nBye\n")


def test_format_then_parse_gives_back_an_awkward_template() -> None:
    template = LibraryTemplate(
        key="odd-one",
        family="no_further_action",
        channel="email",
        language="cy",
        event_type=PERIODIC_UPDATE,
        name="yes",
        description="",
        change_note="Line one: 'quoted'\n---\nline three # not a comment",
        body="---\n  indented {{ a }}\n\n",
        subject="null",
        contentless=True,
        follow_up=True,
        format="large_print",
    )
    assert parse_template_file(format_template_file(template)) == template


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("key: arrested-sms-en", "", "missing: key"),
        ("change_note: First version.", "", "missing: change_note"),
        ("name: Suspect arrested (text)", "name: x\nowner: me", "unknown keys: owner"),
        ("channel: sms", "channel: fax", "channel 'fax'"),
        ("language: en", "language: fr", "language 'fr'"),
        ("event_type: arrested", "event_type: convicted", "event_type 'convicted'"),
        ("key: arrested-sms-en", "key: Arrested SMS", "key 'Arrested SMS'"),
        ("family: arrested", "family: Arrested", "family 'Arrested'"),
        ("name: Suspect arrested (text)", "name: ''", "'name' must not be empty"),
        ("name: Suspect arrested (text)", "name: 12", "'name' must be text"),
        ("change_note: First version.", "change_note: x\ncontentless: maybe", "true or false"),
        ("change_note: First version.", "change_note: x\nfollow_up: 1", "'follow_up' must be true"),
        ("change_note: First version.", "change_note: x\nformat: braille", "format 'braille'"),
        ("change_note: First version.", "change_note: x\nsubject: Hi", "has no subject"),
        ("channel: sms", "channel: email", "needs a subject"),
        ("key: arrested-sms-en", "key: [", "not valid YAML"),
    ],
)
def test_bad_front_matter_is_refused_naming_the_problem(old: str, new: str, problem: str) -> None:
    with pytest.raises(LibraryFileError, match=problem.replace("(", r"\(").replace("[", r"\[")):
        parse_template_file(_replace_line(VALID, old, new))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("key: a\n---\nbody\n", "must start with a '---' line"),
        ("---\nkey: a\nbody\n", "no closing '---' line"),
        (VALID.split("Dear")[0] + "\n  \n", "body is empty"),
        ("---\n- a list\n---\nbody\n", "must be a mapping"),
    ],
)
def test_malformed_file_is_refused_naming_the_problem(text: str, problem: str) -> None:
    with pytest.raises(LibraryFileError, match=problem):
        parse_template_file(text)


def test_load_library_reads_txt_files_sorted_and_skips_others(tmp_path: Path) -> None:
    second = _replace_line(VALID, "key: arrested-sms-en", "key: b-sms-en")
    (tmp_path / "b-sms-en.txt").write_text(second, encoding="utf-8")
    (tmp_path / "arrested-sms-en.txt").write_text(VALID, encoding="utf-8")
    (tmp_path / "README.md").write_text("# not a template\n", encoding="utf-8")
    assert [template.key for template in load_library(tmp_path)] == ["arrested-sms-en", "b-sms-en"]


def test_load_library_refuses_a_file_not_named_after_its_key(tmp_path: Path) -> None:
    (tmp_path / "arrested.txt").write_text(VALID, encoding="utf-8")
    with pytest.raises(LibraryFileError, match=r"arrested\.txt: .*'arrested-sms-en\.txt'"):
        load_library(tmp_path)


def test_load_library_names_the_file_with_a_problem(tmp_path: Path) -> None:
    (tmp_path / "arrested-sms-en.txt").write_text(VALID.replace("sms\n", "fax\n"), "utf-8")
    with pytest.raises(LibraryFileError, match=r"^arrested-sms-en\.txt: channel 'fax'"):
        load_library(tmp_path)


# The shipped library: coverage and conventions


@pytest.mark.parametrize("template", LIBRARY, ids=ids(LIBRARY))
def test_shipped_file_survives_format_and_parse(template: LibraryTemplate) -> None:
    assert parse_template_file(format_template_file(template)) == template


@pytest.mark.parametrize("language", TEMPLATE_LANGUAGES)
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("family", FAMILIES)
def test_library_has_every_family_in_every_channel_and_language(
    family: str, channel: str, language: str
) -> None:
    template = BY_KEY.get(f"{family.replace('_', '-')}-{channel}-{language}")
    assert template is not None
    assert (template.family, template.format) == (family, "standard")
    assert template.contentless is (family == CONTENTLESS_FAMILY)


@pytest.mark.parametrize("family", EASY_READ)
def test_library_has_an_easy_read_letter_for_the_key_messages(family: str) -> None:
    template = BY_KEY[f"{family.replace('_', '-')}-letter-en-easy-read"]
    assert (template.family, template.event_type, template.format) == (family, family, "easy_read")


@pytest.mark.parametrize("language", TEMPLATE_LANGUAGES)
def test_library_has_a_contentless_message_for_each_channel_in_each_language(
    language: str,
) -> None:
    assert [t.key for t in LIBRARY if t.contentless and t.language == language] == [
        f"contentless-{channel}-{language}" for channel in ("email", "letter", "sms")
    ]


def test_library_keys_are_unique() -> None:
    assert len(BY_KEY) == len(LIBRARY)


@pytest.mark.parametrize("template", LIBRARY, ids=ids(LIBRARY))
def test_key_and_family_follow_the_naming_convention(template: LibraryTemplate) -> None:
    family = CONTENTLESS_FAMILY if template.contentless else template.event_type
    assert template.family == family
    stem = f"{family.replace('_', '-')}-{template.channel}-{template.language}"
    assert template.key == stem + FORMAT_SUFFIX[template.format]


@pytest.mark.parametrize("template", LIBRARY, ids=ids(LIBRARY))
def test_shipped_metadata_is_filled_in(template: LibraryTemplate) -> None:
    assert template.description.strip()
    assert template.change_note.strip()


@pytest.mark.parametrize("template", LIBRARY, ids=ids(LIBRARY))
def test_shipped_body_holds_no_merge_conflict_markers(template: LibraryTemplate) -> None:
    # Lint cannot tell a marker from wording, so a botched merge would otherwise ship.
    for marker in ("<<<<<<< ", ">>>>>>> ", "\n=======\n"):
        assert marker not in f"\n{template.body}\n"


@pytest.mark.parametrize("template", LIBRARY, ids=ids(LIBRARY))
def test_only_a_text_is_ever_a_follow_up_prompt(template: LibraryTemplate) -> None:
    # An email or a letter has room for everything the duty needs, so it must carry it.
    assert not template.follow_up or template.channel == "sms"


@pytest.mark.parametrize("template", LIBRARY, ids=ids(LIBRARY))
def test_template_gives_the_crime_reference_and_a_police_contact(
    template: LibraryTemplate,
) -> None:
    fields = fields_of(template)
    assert "case.crime_reference" in fields
    assert fields & {"officer.contact_phone", "force.phone"}


SMS = [t for t in LIBRARY if t.channel == "sms"]


@pytest.mark.parametrize("template", SMS, ids=ids(SMS))
def test_text_uses_no_field_that_needs_caution_by_text(
    template: LibraryTemplate, catalogue: Catalogue
) -> None:
    cautious = {name for name, spec in catalogue.fields.items() if spec.sms != "allowed"}
    assert not fields_of(template) & cautious


CONTENTLESS = [t for t in LIBRARY if t.contentless]


@pytest.mark.parametrize("template", CONTENTLESS, ids=ids(CONTENTLESS))
def test_contentless_text_says_only_who_to_call_and_the_reference(
    template: LibraryTemplate,
) -> None:
    assert fields_of(template) <= CONTENTLESS_FIELDS
    rendered, _ = check(template, sample_for(template))
    assert "Sam" not in rendered.body
    assert "crime" not in rendered.body.lower()


# Every shipped template, through the same checks as a supervisor's wording


@pytest.mark.parametrize("template", LIBRARY, ids=ids(LIBRARY))
def test_template_renders_with_the_sample_data_and_lints_clean(template: LibraryTemplate) -> None:
    rendered, report = check(template, sample_for(template))
    assert report.errors == ()
    assert report.warnings == ()
    assert "\n\n\n" not in rendered.body
    if template.channel == "sms":
        assert report.sms is not None
        assert report.sms.fragments <= SMS_FRAGMENT_BUDGET
        assert report.sms.encoding == "GSM-7"


@pytest.mark.parametrize("template", LIBRARY, ids=ids(LIBRARY))
def test_template_renders_when_optional_data_is_absent(template: LibraryTemplate) -> None:
    rendered, report = check(template, sparse(sample_for(template)))
    assert report.errors == ()
    assert "PC" not in rendered.body
    assert "01632 960 123" not in rendered.body
    assert "101" in rendered.body

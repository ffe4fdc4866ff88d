"""The built-in library: its file format, and every shipped template checked end to end."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from fieldapp.core.templating.catalogue import Catalogue
from fieldapp.core.templating.check import (
    Rendered,
    Wording,
    lint_rendered,
    render_wording,
    validate_wording,
)
from fieldapp.core.templating.context import MergeData, build_context, sample_merge_data
from fieldapp.core.templating.library import (
    LIBRARY_DIRECTORY,
    PERIODIC_UPDATE,
    LibraryFileError,
    LibraryTemplate,
    format_template_file,
    load_library,
    parse_template_file,
)
from fieldapp.core.templating.lint import LintReport

LIBRARY = load_library(LIBRARY_DIRECTORY)
BY_KEY = {template.key: template for template in LIBRARY}

# Message types the library must cover in English, by text and by email (victims-code.md s.3).
REQUIRED_EVENT_TYPES = (
    "crime_recorded",
    "support_referral",
    "not_investigated",
    "arrested",
    "interviewed",
    "bailed",
    "bail_varied",
    "released_under_investigation",
    "no_further_action",
    "out_of_court_resolution",
    "charged",
    "case_closed",
    PERIODIC_UPDATE,
)
WELSH_SMS_EVENT_TYPES = ("crime_recorded", "arrested", "charged")
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


def _ids(templates: list[LibraryTemplate]) -> list[str]:
    """Test ids: the template keys."""
    return [template.key for template in templates]


def _replace_line(text: str, old: str, new: str) -> str:
    """The valid file with one front-matter line replaced (or removed when ``new`` is empty)."""
    assert old in text
    return text.replace(f"{old}\n", f"{new}\n" if new else "")


def _sample_for(template: LibraryTemplate, **event_details: Any) -> MergeData:
    """The sample data with the event the template is written for (none for a periodic update)."""
    data = sample_merge_data()
    if template.event_type == PERIODIC_UPDATE:
        return dataclasses.replace(data, event=None)
    assert data.event is not None
    details = {**data.event.details, **event_details}
    event = dataclasses.replace(data.event, type=template.event_type, details=details)
    return dataclasses.replace(data, event=event)


def _sparse(data: MergeData) -> MergeData:
    """Merge data with every optional value absent: rank, collar, phone, dates to come."""
    officer = dataclasses.replace(data.officer, rank=None, collar_number=None, phone=None)
    event = data.event
    if event is not None:
        details = {key: value for key, value in event.details.items() if key != "answer_bail_on"}
        event = dataclasses.replace(event, details=details)
    return dataclasses.replace(data, officer=officer, event=event, next_update_on=None)


def _check(template: LibraryTemplate, data: MergeData) -> tuple[Rendered, LintReport]:
    """Validate, render and lint a template the way a saved wording is checked."""
    wording = Wording(template.channel, template.language, template.body, template.subject)
    fields = validate_wording(wording)
    rendered = render_wording(wording, build_context(data, language=template.language))
    return rendered, lint_rendered(wording, rendered, fields)


def _fields(template: LibraryTemplate) -> frozenset[str]:
    """The merge fields a template's subject and body use."""
    wording = Wording(template.channel, template.language, template.body, template.subject)
    return validate_wording(wording)


# The file format


def test_valid_file_parses_into_its_metadata_and_body() -> None:
    template = parse_template_file(VALID)
    assert template.key == "arrested-sms-en"
    assert (template.family, template.channel, template.language) == ("arrested", "sms", "en")
    assert template.event_type == "arrested"
    assert template.contentless is False
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


@pytest.mark.parametrize("template", LIBRARY, ids=_ids(LIBRARY))
def test_shipped_file_survives_format_and_parse(template: LibraryTemplate) -> None:
    assert parse_template_file(format_template_file(template)) == template


@pytest.mark.parametrize("channel", ["sms", "email"])
@pytest.mark.parametrize("event_type", REQUIRED_EVENT_TYPES)
def test_library_has_an_english_template_for_each_message_type(
    event_type: str, channel: str
) -> None:
    assert any(
        (t.event_type, t.channel, t.language, t.contentless) == (event_type, channel, "en", False)
        for t in LIBRARY
    )


@pytest.mark.parametrize("event_type", WELSH_SMS_EVENT_TYPES)
def test_library_has_welsh_texts_for_the_first_key_messages(event_type: str) -> None:
    assert any(
        (t.event_type, t.channel, t.language, t.contentless) == (event_type, "sms", "cy", False)
        for t in LIBRARY
    )


@pytest.mark.parametrize("language", ["en", "cy"])
def test_library_has_a_contentless_text_and_email_in_each_language(language: str) -> None:
    assert [t.key for t in LIBRARY if t.contentless and t.language == language] == [
        f"contentless-email-{language}",
        f"contentless-sms-{language}",
    ]


def test_library_keys_are_unique() -> None:
    assert len(BY_KEY) == len(LIBRARY)


@pytest.mark.parametrize("template", LIBRARY, ids=_ids(LIBRARY))
def test_key_and_family_follow_the_naming_convention(template: LibraryTemplate) -> None:
    family = "contentless" if template.contentless else template.event_type
    assert template.family == family
    assert template.key == f"{family.replace('_', '-')}-{template.channel}-{template.language}"


@pytest.mark.parametrize("template", LIBRARY, ids=_ids(LIBRARY))
def test_shipped_metadata_is_filled_in(template: LibraryTemplate) -> None:
    assert template.description.strip()
    assert template.change_note.strip()


@pytest.mark.parametrize("template", LIBRARY, ids=_ids(LIBRARY))
def test_template_gives_the_crime_reference_and_a_police_contact(
    template: LibraryTemplate,
) -> None:
    fields = _fields(template)
    assert "case.crime_reference" in fields
    assert fields & {"officer.contact_phone", "force.phone"}


SMS = [t for t in LIBRARY if t.channel == "sms"]


@pytest.mark.parametrize("template", SMS, ids=_ids(SMS))
def test_text_uses_no_field_that_needs_caution_by_text(
    template: LibraryTemplate, catalogue: Catalogue
) -> None:
    cautious = {name for name, spec in catalogue.fields.items() if spec.sms != "allowed"}
    assert not _fields(template) & cautious


CONTENTLESS = [t for t in LIBRARY if t.contentless]


@pytest.mark.parametrize("template", CONTENTLESS, ids=_ids(CONTENTLESS))
def test_contentless_text_says_only_who_to_call_and_the_reference(
    template: LibraryTemplate,
) -> None:
    assert _fields(template) <= CONTENTLESS_FIELDS
    rendered, _ = _check(template, _sample_for(template))
    assert "Sam" not in rendered.body
    assert "crime" not in rendered.body.lower()


# Every shipped template, through the same checks as a supervisor's wording


@pytest.mark.parametrize("template", LIBRARY, ids=_ids(LIBRARY))
def test_template_renders_with_the_sample_data_and_lints_clean(template: LibraryTemplate) -> None:
    rendered, report = _check(template, _sample_for(template))
    assert report.errors == ()
    assert report.warnings == ()
    assert "\n\n\n" not in rendered.body
    if template.channel == "sms":
        assert report.sms is not None
        assert report.sms.fragments <= SMS_FRAGMENT_BUDGET
        assert report.sms.encoding == "GSM-7"


@pytest.mark.parametrize("template", LIBRARY, ids=_ids(LIBRARY))
def test_template_renders_when_optional_data_is_absent(template: LibraryTemplate) -> None:
    rendered, report = _check(template, _sparse(_sample_for(template)))
    assert report.errors == ()
    assert "PC" not in rendered.body
    assert "01632 960 123" not in rendered.body
    assert "101" in rendered.body


# What particular messages must say


def test_bailed_email_lists_only_the_conditions_that_protect_the_victim() -> None:
    rendered, _ = _check(BY_KEY["bailed-email-en"], _sample_for(BY_KEY["bailed-email-en"]))
    assert "- They must not contact you, directly or through anyone else." in rendered.body
    assert "- They must not go near your home." in rendered.body
    assert "live and sleep" not in rendered.body
    assert "call 999" in rendered.body
    assert "call 101 and quote your reference" in rendered.body
    assert "Tuesday 14 April 2026" in rendered.body


@pytest.mark.parametrize("key", ["bailed-email-en", "bail-varied-email-en"])
def test_bail_email_says_so_when_no_condition_protects_the_victim(key: str) -> None:
    template = BY_KEY[key]
    rendered, report = _check(template, _sample_for(template, conditions=[]))
    assert report.errors == ()
    assert "None of their bail conditions are" in rendered.body
    assert "- must" not in rendered.body


@pytest.mark.parametrize("key", ["bailed-sms-en", "bail-varied-sms-en"])
def test_bail_text_says_what_to_do_if_a_condition_is_broken(key: str) -> None:
    rendered, _ = _check(BY_KEY[key], _sample_for(BY_KEY[key]))
    assert "call 999 if you are in danger" in rendered.body
    assert "call 101 and quote your reference" in rendered.body


@pytest.mark.parametrize("key", ["no-further-action-sms-en", "no-further-action-email-en"])
def test_police_no_further_action_explains_the_right_to_review(key: str) -> None:
    rendered, _ = _check(BY_KEY[key], _sample_for(BY_KEY[key], decision_maker="police"))
    assert "https://www.demo-constabulary.example/right-to-review" in rendered.body
    assert "3 months" in rendered.body
    assert "10 working days" in rendered.body
    assert "does not mean" in rendered.body
    assert "not a victim of crime" in rendered.body


@pytest.mark.parametrize("key", ["no-further-action-sms-en", "no-further-action-email-en"])
def test_cps_no_further_action_leaves_the_review_to_the_cps(key: str) -> None:
    rendered, report = _check(BY_KEY[key], _sample_for(BY_KEY[key], decision_maker="cps"))
    assert report.errors == ()
    assert report.warnings == ()
    assert "Crown Prosecution Service" in rendered.body
    assert "right-to-review" not in rendered.body
    assert "write to you" in rendered.body


def test_out_of_court_email_names_the_resolution_and_says_there_is_no_review() -> None:
    template = BY_KEY["out-of-court-resolution-email-en"]
    rendered, _ = _check(template, _sample_for(template))
    assert "a conditional caution" in rendered.body
    assert "does not cover out-of-court resolutions" in rendered.body


def test_charged_email_gives_the_first_hearing_and_hands_over_to_witness_care() -> None:
    template = BY_KEY["charged-email-en"]
    rendered, _ = _check(template, _sample_for(template))
    assert "The charge is burglary of a home." in rendered.body
    assert "Cardiff Magistrates' Court on Tuesday 24 March 2026 at 10am" in rendered.body
    assert "Witness Care Unit" in rendered.body


def test_charged_email_lists_several_charges() -> None:
    template = BY_KEY["charged-email-en"]
    charges = ["burglary of a home", "criminal damage"]
    rendered, _ = _check(template, _sample_for(template, charges=charges))
    assert "The charges are:\n- burglary of a home\n- criminal damage\n" in rendered.body


@pytest.mark.parametrize("template", SMS, ids=_ids(SMS))
def test_text_gives_no_offence_or_court_detail(template: LibraryTemplate) -> None:
    rendered, _ = _check(template, _sample_for(template))
    for detail in ("burglary", "Cardiff", "must not contact you", "not enough evidence"):
        assert detail not in rendered.body


@pytest.mark.parametrize("key", ["crime-recorded-sms-cy", "arrested-sms-cy", "charged-sms-cy"])
def test_welsh_text_is_in_welsh_with_welsh_dates(key: str) -> None:
    rendered, _ = _check(BY_KEY[key], _sample_for(BY_KEY[key]))
    assert rendered.body.startswith("Annwyl Sam,")
    assert "cyfeirnod trosedd" in rendered.body
    assert "CR/2026/000123" in rendered.body
    assert "Tuesday" not in rendered.body
    assert "Mawrth 2026" in rendered.body or key == "charged-sms-cy"

"""What the shipped templates say: the Code's required items, roles, and particular messages."""

from __future__ import annotations

import dataclasses
import re

import pytest

from fieldapp.core.templating.check import render_wording
from fieldapp.core.templating.context import build_context
from fieldapp.core.templating.library import PERIODIC_UPDATE, LibraryTemplate
from fieldapp.core.victims_code import check_information, duties_for_event, required_items
from tests.core.templating.library_samples import (
    BY_KEY,
    LIBRARY,
    ROLES,
    check,
    fields_of,
    ids,
    sample_for,
    wording,
)

# The duties whose information a family's message is for, when they are not simply the duties
# its own event creates: the review result is told with the vrr_decided message but is a duty of
# the request, and the request's message only acknowledges it.
DUTIES_TOLD_BY = {
    "vrr_decided": (("vrr_requested", "vrr_outcome"),),
}
NOT_TOLD_BY = {"vrr_requested": frozenset({"vrr_outcome"})}

# Messages that must carry every item (emails, letters, and texts not marked as a prompt).
CARRYING = [
    t for t in LIBRARY if not t.contentless and not t.follow_up and t.event_type != PERIODIC_UPDATE
]


def _duties(template: LibraryTemplate, role: str) -> list[tuple[str, str, str]]:
    """(ruleset version, event type, duty kind) of each duty the template's message is for."""
    data = sample_for(template, role=role)
    assert data.event is not None
    if template.family in DUTIES_TOLD_BY:
        pairs = DUTIES_TOLD_BY[template.family]
        event_type = pairs[0][0]
    else:
        pairs = ()
        event_type = template.event_type
    event = data.event
    specs = duties_for_event(
        event_type, event.occurred_at, event.details, enhanced_rights=False, recipient_role=role
    )
    skip = NOT_TOLD_BY.get(template.family, frozenset())
    kinds = [kind for _, kind in pairs] or [s.kind for s in specs if s.kind not in skip]
    return [(s.ruleset_version, event_type, s.kind) for s in specs if s.kind in kinds]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("template", CARRYING, ids=ids(CARRYING))
def test_message_carries_every_item_its_duty_requires(template: LibraryTemplate, role: str) -> None:
    data = sample_for(template, role=role)
    context = build_context(data, language=template.language)
    rendered = render_wording(wording(template), context)
    text = f"{rendered.subject or ''}\n{rendered.body}"
    for version, event_type, kind in _duties(template, role):
        items = required_items(version, event_type, kind, role)
        coverage = check_information(items, context, fields_of(template), text, template.language)
        assert coverage.missing == (), f"{kind}: {coverage.missing}"


FOLLOW_UP = [t for t in LIBRARY if t.follow_up]


@pytest.mark.parametrize("template", FOLLOW_UP, ids=ids(FOLLOW_UP))
def test_follow_up_text_says_we_will_call_with_the_details(template: LibraryTemplate) -> None:
    rendered, _ = check(template, sample_for(template))
    if template.language == "en":
        assert re.search(r"\b(I|We) will call you\b", rendered.body)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("template", LIBRARY, ids=ids(LIBRARY))
def test_template_lints_clean_for_every_kind_of_recipient(
    template: LibraryTemplate, role: str
) -> None:
    _, report = check(template, sample_for(template, role=role))
    assert report.errors == ()
    assert report.warnings == ()


# Optional event details: the message reads well without them (no gap, no dangling heading).
WITHOUT = {
    "vrr_decided": {"reasons": None, "reason_codes": None},
    "court_hearing_set": {"hearing_type": None},
    "bail_decision_pending": {"proposed_conditions": None},
    "charged": {"remand_status": "remanded_in_custody", "conditions": None},
}
OPTIONAL = [t for t in LIBRARY if t.family in WITHOUT]


@pytest.mark.parametrize("template", OPTIONAL, ids=ids(OPTIONAL))
def test_template_reads_well_without_its_optional_event_details(template: LibraryTemplate) -> None:
    data = sample_for(template)
    assert data.event is not None
    changes = WITHOUT[template.family]
    details = {k: v for k, v in {**data.event.details, **changes}.items() if v is not None}
    event = dataclasses.replace(data.event, details=details)
    rendered, report = check(template, dataclasses.replace(data, event=event))
    assert report.errors == ()
    assert report.warnings == ()
    assert "\n\n\n" not in rendered.body
    assert "Why\n\nWhat happens next" not in rendered.body
    assert "- They must not" not in rendered.body


# Who is being told


CRIME_RECORDED = [t for t in LIBRARY if t.family == "crime_recorded" and t.channel != "sms"]
ENGLISH_CRIME_RECORDED = [t for t in CRIME_RECORDED if t.language == "en"]


@pytest.mark.parametrize("template", CRIME_RECORDED, ids=ids(CRIME_RECORDED))
def test_a_business_is_offered_an_impact_statement_and_no_injuries_compensation(
    template: LibraryTemplate,
) -> None:
    rendered, _ = check(template, sample_for(template, role="business_contact"))
    assert "https://www.gov.uk/claim-compensation-criminal-injury" not in rendered.body
    assert "Acme Stores Ltd" in rendered.body
    if template.language == "en":
        assert "impact statement for business" in rendered.body
        assert "victim personal statement" not in rendered.body


@pytest.mark.parametrize("template", ENGLISH_CRIME_RECORDED, ids=ids(ENGLISH_CRIME_RECORDED))
def test_crime_recorded_gives_restorative_justice_and_compensation_to_a_person(
    template: LibraryTemplate,
) -> None:
    rendered, _ = check(template, sample_for(template))
    assert "https://www.demo-constabulary.example/restorative-justice" in rendered.body
    assert "https://www.gov.uk/claim-compensation-criminal-injury" in rendered.body
    assert "victim personal statement" in rendered.body


@pytest.mark.parametrize(
    ("role", "words"),
    [("parent_guardian", "your child"), ("family_spokesperson", "sorry for your loss")],
)
@pytest.mark.parametrize("template", ENGLISH_CRIME_RECORDED, ids=ids(ENGLISH_CRIME_RECORDED))
def test_crime_recorded_speaks_to_a_parent_or_a_bereaved_family(
    template: LibraryTemplate, role: str, words: str
) -> None:
    rendered, _ = check(template, sample_for(template, role=role))
    assert words in rendered.body


@pytest.mark.parametrize(
    ("role", "words"),
    [
        ("victim", "you were not a victim of crime"),
        ("parent_guardian", "your child was not a victim of crime"),
        ("business_contact", "your business was not a victim of crime"),
        ("family_spokesperson", "we doubt what happened to your loved one"),
    ],
)
@pytest.mark.parametrize("key", ["no-further-action-email-en", "no-further-action-letter-en"])
def test_no_further_action_does_not_suggest_disbelief_to_anyone(
    key: str, role: str, words: str
) -> None:
    rendered, _ = check(BY_KEY[key], sample_for(BY_KEY[key], role=role))
    assert words in rendered.body


# What particular messages must say


PERIODIC = [t for t in LIBRARY if t.event_type == PERIODIC_UPDATE and not t.contentless]


@pytest.mark.parametrize("template", PERIODIC, ids=ids(PERIODIC))
def test_periodic_update_says_what_actually_happened(
    template: LibraryTemplate,
) -> None:
    # The officer's note is required in every channel (it is checked when the message is written).
    assert not template.follow_up
    assert "input.note" in fields_of(template)
    rendered, _ = check(template, sample_for(template))
    assert "We are waiting for the results of forensic tests." in rendered.body


def test_bailed_email_lists_only_the_conditions_that_protect_the_victim() -> None:
    template = BY_KEY["bailed-email-en"]
    data = sample_for(template)
    rendered, _ = check(template, data)
    conditions = build_context(data, language="en")["event"]["bail_conditions"]
    assert conditions
    for condition in conditions:
        assert f"- {condition}" in rendered.body
    assert "- They must not contact you, directly or through anyone else." in rendered.body
    assert "live and sleep" not in rendered.body
    assert "call 999" in rendered.body
    assert "call 101 and quote your reference" in rendered.body
    assert "Tuesday 14 April 2026" in rendered.body


@pytest.mark.parametrize(
    "key", ["bailed-email-en", "bail-varied-email-en", "bailed-letter-en", "bail-varied-letter-en"]
)
def test_bail_message_says_so_when_no_condition_protects_the_victim(key: str) -> None:
    template = BY_KEY[key]
    rendered, report = check(template, sample_for(template, conditions=[]))
    assert report.errors == ()
    assert "None of their bail conditions are" in rendered.body
    assert "- must" not in rendered.body


@pytest.mark.parametrize("key", ["bailed-sms-en", "bail-varied-sms-en"])
def test_bail_text_says_what_to_do_if_a_condition_is_broken(key: str) -> None:
    rendered, _ = check(BY_KEY[key], sample_for(BY_KEY[key]))
    assert "call 999 if you are in danger" in rendered.body
    assert "call 101 and quote your reference" in rendered.body


NFA = ["no-further-action-sms-en", "no-further-action-email-en", "no-further-action-letter-en"]


@pytest.mark.parametrize("key", NFA)
def test_police_no_further_action_after_interview_explains_the_right_to_review(key: str) -> None:
    data = sample_for(BY_KEY[key], decision_maker="police", suspect_interviewed=True)
    rendered, _ = check(BY_KEY[key], data)
    assert "https://www.demo-constabulary.example/right-to-review" in rendered.body
    assert "3 months" in rendered.body
    assert "10 working days" in rendered.body
    assert "does not mean" in rendered.body
    assert "not a victim of crime" in rendered.body


@pytest.mark.parametrize("key", [*NFA, "case-closed-email-en", "case-closed-letter-en"])
def test_no_review_paragraph_when_no_suspect_was_interviewed(key: str) -> None:
    data = sample_for(BY_KEY[key], decision_maker="police", suspect_interviewed=False)
    rendered, report = check(BY_KEY[key], data)
    assert report.errors == ()
    assert "right-to-review" not in rendered.body
    assert "within 3 months" not in rendered.body


@pytest.mark.parametrize("key", NFA)
def test_cps_no_further_action_leaves_the_review_to_the_cps(key: str) -> None:
    rendered, report = check(BY_KEY[key], sample_for(BY_KEY[key], decision_maker="cps"))
    assert report.errors == ()
    assert report.warnings == ()
    assert "Crown Prosecution Service" in rendered.body
    assert "right-to-review" not in rendered.body
    assert "write to you" in rendered.body


@pytest.mark.parametrize(
    "key", ["out-of-court-resolution-email-en", "out-of-court-resolution-letter-en"]
)
def test_out_of_court_message_names_the_resolution_and_says_there_is_no_review(key: str) -> None:
    rendered, _ = check(BY_KEY[key], sample_for(BY_KEY[key]))
    assert "a conditional caution" in rendered.body
    assert "had to accept they were responsible" in rendered.body
    assert "does not cover out-of-court resolutions" in rendered.body


@pytest.mark.parametrize(
    "key",
    [
        "out-of-court-resolution-sms-en",
        "out-of-court-resolution-email-en",
        "out-of-court-resolution-letter-en",
    ],
)
def test_a_penalty_notice_is_not_said_to_need_an_admission(key: str) -> None:
    rendered, _ = check(BY_KEY[key], sample_for(BY_KEY[key], outcome="penalty_notice"))
    assert "accept they were responsible" not in rendered.body
    assert "admit" not in rendered.body.replace("does not have to admit", "")


@pytest.mark.parametrize("key", ["charged-email-en", "charged-letter-en"])
def test_charged_message_gives_the_first_hearing_and_hands_over_to_witness_care(key: str) -> None:
    rendered, _ = check(BY_KEY[key], sample_for(BY_KEY[key]))
    assert "The charge is burglary of a home." in rendered.body
    assert "Cardiff Magistrates' Court on Tuesday 24 March 2026 at 10am" in rendered.body
    assert "Fitzalan Place, Cardiff CF24 0RZ" in rendered.body
    assert "Demo Witness Care Unit" in rendered.body
    assert "01632 960 500" in rendered.body


def test_charged_email_lists_several_charges() -> None:
    template = BY_KEY["charged-email-en"]
    charges = ["burglary of a home", "criminal damage"]
    rendered, _ = check(template, sample_for(template, charges=charges))
    assert "The charges are:\n- burglary of a home\n- criminal damage\n" in rendered.body


SMS = [t for t in LIBRARY if t.channel == "sms"]


@pytest.mark.parametrize("template", SMS, ids=ids(SMS))
def test_text_gives_no_offence_or_court_detail(template: LibraryTemplate) -> None:
    rendered, _ = check(template, sample_for(template))
    details = ["burglary", "Cardiff", "must not contact you", "not enough evidence"]
    if "input.note" not in fields_of(template):
        # The sample note mentions forensic tests: the officer's own words, checked at write time.
        details.append("forensic")
    for detail in details:
        assert detail not in rendered.body


EASY_READ = [t for t in LIBRARY if t.format == "easy_read" and t.language == "en"]
# A sentence end: a full stop, question or exclamation mark before a space or the line's end.
_SENTENCE_END = re.compile(r"[.?!](?=\s|$)")
# A line that only merges a value (the officer's reasons, a condition) is the data's own wording.
_ONLY_A_FIELD = re.compile(r"(- )?\{\{ [a-z_.]+ \}\}")


@pytest.mark.parametrize("template", EASY_READ, ids=ids(EASY_READ))
def test_easy_read_letter_keeps_to_one_short_idea_per_line(template: LibraryTemplate) -> None:
    _, report = check(template, sample_for(template))
    assert report.reading_ease is not None and report.reading_ease >= 80
    for line in template.body.splitlines():
        if _ONLY_A_FIELD.fullmatch(line) or line.startswith("{%"):
            continue
        words = re.sub(r"\{[{%].*?[%}]\}", "x", line).split()
        assert len(words) <= 16, line
        assert len(_SENTENCE_END.findall(line)) <= 1, line


@pytest.mark.parametrize("key", ["crime-recorded-sms-cy", "arrested-sms-cy", "charged-sms-cy"])
def test_welsh_text_is_in_welsh_with_welsh_dates(key: str) -> None:
    rendered, _ = check(BY_KEY[key], sample_for(BY_KEY[key]))
    assert rendered.body.startswith("Annwyl Sam,")
    assert "cyfeirnod trosedd" in rendered.body
    assert "CR/2026/000123" in rendered.body
    assert "Tuesday" not in rendered.body
    assert "Mawrth 2026" in rendered.body or key == "charged-sms-cy"

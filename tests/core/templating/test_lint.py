"""Lint judges merged messages: every rule both fires and stays quiet; rule data is checked."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from fieldapp.core.templating.lint import LintIssue, LintReport, lint
from fieldapp.core.templating.lint_rules import InvalidLintRules, load_lint_rules, parse_lint_rules

REQUIRED = frozenset({"case.crime_reference", "officer.contact_phone"})
POLICY = {
    "case.crime_reference": "allowed",
    "officer.contact_phone": "allowed",
    "force.phone": "allowed",
    "victim.first_name": "allowed",
    "case.offence": "caution",
    "victim.date_of_birth": "forbidden",
}
GOOD_SMS = (
    "Hello Sam. This is PC Jo Ashworth from Demo Constabulary.\n"
    "We have arrested a man about your report. We will tell you what happens next by "
    "Tuesday 31 March 2026.\n"
    "Call me on 01632 960 123 and quote CR/2026/000123."
)
HARD = (
    "The aforesaid individual was subsequently released notwithstanding considerable "
    "evidential deliberation, the investigative determination having been characterised by "
    "insufficiency regarding corroborative documentation and procedural considerations."
)


def run(body: str = GOOD_SMS, **overrides: Any) -> LintReport:
    """Lint an English text message using the required fields, with any argument overridden."""
    arguments: dict[str, Any] = {
        "channel": "sms",
        "language": "en",
        "subject": None,
        "body": body,
        "fields": REQUIRED,
        "sms_policy": POLICY,
    }
    arguments.update(overrides)
    return lint(**arguments)


def codes(issues: tuple[LintIssue, ...]) -> list[str]:
    """The codes of some issues, in order."""
    return [issue.code for issue in issues]


def shipped_document() -> dict[str, Any]:
    """The shipped lint_rules.json, decoded afresh so that a test may change it."""
    text = (
        resources.files("fieldapp.core.templating")
        .joinpath("lint_rules.json")
        .read_text(encoding="utf-8")
    )
    document: dict[str, Any] = json.loads(text)
    return document


def test_a_plain_complete_text_message_passes_cleanly() -> None:
    report = run()
    assert report.ok
    assert (report.errors, report.warnings) == ((), ())
    assert report.sms is not None and report.sms.fragments == 2
    assert report.reading_ease is not None and report.reading_ease >= 60


@pytest.mark.parametrize("body", ["", "  \n\t "])
def test_empty_body_is_an_error(body: str) -> None:
    report = run(body)
    assert not report.ok
    assert "empty_body" in codes(report.errors)


def test_email_without_subject_is_an_error_and_with_one_is_not() -> None:
    assert "missing_subject" in codes(run(channel="email", subject=None).errors)
    assert "missing_subject" in codes(run(channel="email", subject="  ").errors)
    assert run(channel="email", subject="An update on your case").ok


def test_letters_and_texts_need_no_subject() -> None:
    assert run(channel="letter").ok
    assert run(channel="sms").ok


def test_missing_crime_reference_is_an_error() -> None:
    report = run(fields=frozenset({"officer.contact_phone"}))
    assert codes(report.errors) == ["missing_crime_reference"]
    assert "case.crime_reference" in report.errors[0].message


@pytest.mark.parametrize("contact", ["officer.contact_phone", "force.phone"])
def test_either_officer_contact_field_is_enough(contact: str) -> None:
    assert run(fields=frozenset({"case.crime_reference", contact})).ok


def test_missing_officer_contact_is_an_error() -> None:
    report = run(fields=frozenset({"case.crime_reference", "victim.first_name"}))
    assert codes(report.errors) == ["missing_officer_contact"]


def test_text_over_918_characters_is_an_error_using_notify_wording() -> None:
    report = run(GOOD_SMS + " " + "b" * (918 - len(GOOD_SMS)))
    assert "sms_too_long" in codes(report.errors)
    assert report.errors[0].message.startswith("Text messages cannot be longer than 918")


def test_text_of_exactly_918_characters_is_not_too_long() -> None:
    report = run(GOOD_SMS + " " + "b" * (917 - len(GOOD_SMS)))
    assert report.sms is not None and report.sms.characters == 918
    assert "sms_too_long" not in codes(report.errors)


def test_forbidden_field_is_an_error_in_a_text_only() -> None:
    fields = REQUIRED | {"victim.date_of_birth"}
    assert codes(run(fields=fields).errors) == ["sms_forbidden_field"]
    assert "victim.date_of_birth" in run(fields=fields).errors[0].message
    assert run(channel="letter", fields=fields).ok


def test_caution_field_in_a_text_warns_that_others_may_read_the_phone() -> None:
    report = run(fields=REQUIRED | {"case.offence"})
    assert report.ok
    assert codes(report.warnings) == ["sms_caution_field"]
    assert "someone else may read the phone" in report.warnings[0].message
    assert not run(channel="letter", fields=REQUIRED | {"case.offence"}).warnings


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("Please confirm your date of birth.", "sms_date_of_birth"),
        ("Your DOB is on file.", "sms_date_of_birth"),
        ("He was born on 1 May 1990.", "sms_date_of_birth"),
        ("We visited CF10 1AB today.", "sms_postcode"),
        ("We visited SW1A1AA today.", "sms_postcode"),
        ("We know his home address now.", "sms_address"),
        ("We went to 12 Station Road.", "sms_address"),
        ("The suspect John Smith is in custody.", "sms_suspect_name"),
        ("Suspect: Mr Jones was interviewed.", "sms_suspect_name"),
        ("Please send your bank details.", "sms_payment_details"),
        ("Never share your PIN with us.", "sms_payment_details"),
    ],
)
def test_forbidden_text_in_a_text_is_an_error_on_its_line(line: str, code: str) -> None:
    report = run(f"{GOOD_SMS}\n{line}")
    assert code in codes(report.errors)
    issue = next(issue for issue in report.errors if issue.code == code)
    assert issue.line == 4
    assert "CF10" not in issue.message and "Smith" not in issue.message


@pytest.mark.parametrize(
    "line",
    [
        "Your crime reference is CR/2026/000123, officer PC 4471.",
        "Happy birthday is not something we would text.",
        "The suspect was released. We will keep in touch.",
        "A suspect in the case was interviewed.",
        "We will keep your address safe.",
        "Please pin this message.",
    ],
)
def test_ordinary_text_is_not_mistaken_for_forbidden_detail(line: str) -> None:
    assert run(f"{GOOD_SMS}\n{line}").ok


def test_forbidden_text_patterns_apply_to_texts_only() -> None:
    assert run(f"{GOOD_SMS}\nWe visited CF10 1AB.", channel="letter").ok


def test_unexplained_jargon_warns_with_an_example_and_its_line() -> None:
    report = run(f"{GOOD_SMS}\nHe is now RUI.")
    assert report.ok
    assert report.warnings == (
        LintIssue(
            "unexplained_jargon",
            "Explain 'RUI' the first time, for example 'released under investigation (RUI), "
            "which means they have been released while we continue to investigate, with no "
            "bail conditions'.",
            4,
        ),
    )


@pytest.mark.parametrize(
    "line",
    [
        "He was released under investigation (RUI).",
        "He was Released Under Investigation, or RUI.",
        "The case has been passed to the Crown Prosecution Service (CPS).",
        "It ended with an out-of-court resolution (OOCD).",
        "Our  Witness   Care Unit (WCU) will call.",
    ],
)
def test_jargon_with_its_explanation_anywhere_is_fine(line: str) -> None:
    assert not run(f"{GOOD_SMS}\n{line}").warnings


def test_acronyms_match_whole_words_in_capitals_only() -> None:
    assert not run(f"{GOOD_SMS}\nRui and Daniel will visit with ASBO-free news.").warnings
    assert codes(run(f"{GOOD_SMS}\nThe decision was NFA'd.").warnings) == ["unexplained_jargon"]


def test_jargon_phrases_match_in_any_case() -> None:
    report = run(f"{GOOD_SMS}\nHe was Interviewed Under Caution.")
    assert codes(report.warnings) == ["unexplained_jargon"]
    assert not run(f"{GOOD_SMS}\nHe was formally interviewed under caution.").warnings


def test_jargon_in_an_email_subject_is_reported_without_a_line() -> None:
    report = run(channel="email", subject="Update: NFA")
    assert [(issue.code, issue.line) for issue in report.warnings] == [("unexplained_jargon", None)]
    assert report.warnings[0].message.startswith("In the subject: Explain 'NFA'")


def test_explanation_in_the_subject_covers_the_body() -> None:
    report = run(f"{GOOD_SMS}\nThere will be NFA.", channel="email", subject="No further action")
    assert not report.warnings


def test_plain_english_swaps_are_suggested() -> None:
    report = run(f"{GOOD_SMS}\nPlease comply with the order.")
    assert [issue.line for issue in report.warnings] == [4]
    assert report.warnings[0].message == "Use plain English: say 'follow' instead of 'comply'."


def test_further_in_no_further_action_is_not_flagged_but_elsewhere_is() -> None:
    assert not run(f"{GOOD_SMS}\nThere will be no further action.").warnings
    report = run(f"{GOOD_SMS}\nThere will be no further action. Ask us for further help.")
    assert [issue.message for issue in report.warnings] == [
        "Use plain English: say 'more' instead of 'further'."
    ]


def test_hard_to_read_english_warns_with_the_score() -> None:
    report = run(f"{GOOD_SMS}\n{HARD}", channel="letter")
    assert report.reading_ease is not None and report.reading_ease < 60
    hard = [issue for issue in report.warnings if issue.code == "hard_to_read"]
    assert hard and "aim for 60 or more" in hard[0].message


def test_short_texts_report_a_score_but_never_warn() -> None:
    report = run("Complicated deliberations continue.", fields=REQUIRED)
    assert report.reading_ease is not None and report.reading_ease < 60
    assert "hard_to_read" not in codes(report.warnings)


def test_welsh_messages_skip_readability_and_english_wording_rules() -> None:
    report = run(f"{GOOD_SMS}\n{HARD} RUI", language="cy", channel="letter")
    assert report.reading_ease is None
    assert not report.warnings


def test_links_in_the_score_do_not_count_as_hard_words() -> None:
    link = "https://www.gov.uk/government/publications/the-code-of-practice-for-victims-of-crime"
    assert run(f"{GOOD_SMS}\nRead more at {link}", channel="email", subject="Update").ok
    assert not run(f"{GOOD_SMS}\nRead more at {link}", channel="email", subject="Update").warnings


def test_more_than_three_texts_warns_and_three_does_not() -> None:
    three = run(GOOD_SMS + " " + "b" * (459 - 1 - len(GOOD_SMS)))
    four = run(GOOD_SMS + " " + "b" * (460 - 1 - len(GOOD_SMS)))
    assert three.sms is not None and three.sms.fragments == 3
    assert "sms_fragments" not in codes(three.warnings)
    assert four.ok and "sms_fragments" in codes(four.warnings)


def test_characters_that_will_change_in_a_text_are_named() -> None:
    report = run(f"{GOOD_SMS}\nFrom Łukasz 😀")
    assert report.warnings == (
        LintIssue(
            "sms_replaced_characters",
            "Some characters cannot be sent by text and will be changed: "
            "'Ł' becomes 'L', '😀' becomes '?'.",
        ),
    )
    welsh = run(f"{GOOD_SMS}\n“Diolch” \u2013 Gwŷn")
    assert welsh.sms is not None and welsh.sms.encoding == "UCS-2"
    assert "sms_replaced_characters" not in codes(welsh.warnings)


def test_http_links_and_shorteners_warn_and_full_https_links_do_not() -> None:
    insecure = run(f"{GOOD_SMS}\nSee http://www.demo-constabulary.example/help")
    short = run(f"{GOOD_SMS}\nSee bit.ly/3abc")
    assert [(i.code, i.line) for i in insecure.warnings] == [("insecure_link", 4)]
    assert [(i.code, i.line) for i in short.warnings] == [("link_shortener", 4)]
    assert not run(f"{GOOD_SMS}\nSee https://www.demo-constabulary.example/help").warnings
    assert not run(f"{GOOD_SMS}\nSee https://rabbit.ly/help").warnings


def test_report_is_ok_when_there_are_only_warnings() -> None:
    report = LintReport((), (LintIssue("w", "a warning"),), None, None)
    assert report.ok
    assert not LintReport((LintIssue("e", "an error"),), (), None, None).ok


def test_shipped_rules_load_once_with_their_version() -> None:
    rules = load_lint_rules()
    assert rules is load_lint_rules()
    assert rules.version == "2026-11.1"
    assert rules.readability_threshold == 60
    assert rules.max_sms_fragments_warning == 3
    assert {"NFA", "RUI", "OIC", "CPS", "VRR", "OOCD", "PNC", "IOPC", "WCU", "VPS", "CICA"} <= {
        entry.term for entry in rules.jargon
    }


def test_lint_uses_rules_it_is_given() -> None:
    document = shipped_document()
    document["max_sms_fragments_warning"] = 1
    report = run(rules=parse_lint_rules(document))
    assert codes(report.warnings) == ["sms_fragments"]


def _broken(change: str) -> dict[str, Any]:
    """The shipped document with one thing broken."""
    document = copy.deepcopy(shipped_document())
    if change == "format":
        document["format"] = 2
    elif change == "unexpected":
        document["jargn"] = []
    elif change == "explanation":
        del document["jargon"][0]["explanation"]
    elif change == "regex":
        document["sms_forbidden_patterns"][1]["pattern"] = "([A-Z"
    elif change == "any_of":
        document["required"][0]["any_of"] = []
    elif change == "threshold":
        document["readability"]["threshold"] = "sixty"
    elif change == "shorteners":
        document["links"] = {"shorteners": "bit.ly"}
    return document


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("format", "format 1"),
        ("unexpected", "unexpected keys ['jargn']"),
        ("explanation", "jargon[0]: 'explanation' must be non-empty text, got None"),
        ("regex", "sms_forbidden_patterns[1]: 'pattern' is not a valid regular expression"),
        ("any_of", "required[0]: 'any_of' must name at least one merge field"),
        ("threshold", "readability: 'threshold' must be a whole number, got 'sixty'"),
        ("shorteners", "links: 'shorteners' must be a list"),
    ],
)
def test_malformed_rule_data_is_refused_saying_where(change: str, says: str) -> None:
    with pytest.raises(InvalidLintRules) as refused:
        parse_lint_rules(_broken(change))
    assert says in str(refused.value)


def test_rule_document_must_be_an_object() -> None:
    with pytest.raises(InvalidLintRules, match="must be a JSON object"):
        parse_lint_rules([])

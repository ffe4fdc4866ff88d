"""Reasons for a decision: the code sentences first, then the officer's own words."""

from __future__ import annotations

import pytest

from fieldapp.core.templating.reasons import as_sentence, reasons_text
from fieldapp.core.templating.wording import reason_codes, reason_lists, reason_sentence

DECISION_TYPES = ("no_further_action", "case_closed", "not_investigated", "vrr_decided")
DECISION_CODES = (
    "insufficient_evidence",
    "suspect_not_identified",
    "not_in_public_interest",
    "victim_withdrew_support",
    "time_limit_expired",
    "suspect_died",
    "no_realistic_prospect",
    "other",
)
METHOD_CODES = (
    "no_safe_number",
    "number_not_working",
    "not_safe_now",
    "service_unavailable",
    "other",
)


@pytest.mark.parametrize("event_type", DECISION_TYPES)
def test_decisions_share_the_contract_list_of_codes(event_type: str) -> None:
    assert reason_codes(event_type) == DECISION_CODES


def test_method_unavailable_has_its_own_codes_and_others_have_none() -> None:
    assert reason_codes("preferred_method_unavailable") == METHOD_CODES
    assert reason_codes("arrested") == ()


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_code_but_other_has_a_full_sentence_in_each_language(language: str) -> None:
    for reason_list in reason_lists().values():
        for code in reason_list["codes"]:
            sentence = reason_sentence(code, language)
            if code == "other":
                assert sentence is None
            else:
                assert sentence is not None
                assert sentence[0].isupper()
                assert sentence.endswith(".")


def test_codes_come_first_then_the_free_text_as_a_sentence() -> None:
    details = {"reason_codes": ["insufficient_evidence", "other"], "reasons": "the CCTV was lost"}
    assert reasons_text(details, "en") == (
        "There is not enough evidence to carry on with the case. The CCTV was lost."
    )
    assert reasons_text(details, "cy") == (
        "Nid oes digon o dystiolaeth i barhau â'r achos. The CCTV was lost."
    )


def test_no_reasons_is_none() -> None:
    assert reasons_text({}, "en") is None
    assert reasons_text({"reason_codes": ["other"], "reasons": "  "}, "en") is None


@pytest.mark.parametrize(
    ("text", "sentence"),
    [("no witnesses", "No witnesses."), (" Done!  ", "Done!"), ("a\n b", "A b."), ("", "")],
)
def test_free_text_is_made_a_sentence(text: str, sentence: str) -> None:
    assert as_sentence(text) == sentence

"""Dated calendar cases for the clocks of issue 12, each deadline worked out by hand.

Every expected deadline below was counted on a calendar, not computed: England and Wales bank
holidays 2026-2028 (Good Friday 3 April 2026, Easter Monday 6 April, 4 May, 25 May, 31 August,
Christmas Friday 25 December 2026, Boxing Day observed Monday 28 December, New Year's Day Friday
1 January 2027, Good Friday 26 March 2027, Easter Monday 29 March, Christmas Day observed Monday
27 December 2027, Boxing Day observed Tuesday 28 December, New Year's Day observed Monday 3
January 2028); clocks change on 29 March and 25 October 2026 and 28 March 2027. A working-day
deadline is the end of a London day: 23:59:59.999999 UTC in winter (GMT), 22:59:59.999999 UTC in
summer (BST). The same table is in notes/calendar12.md for the closing note of the issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from fieldapp.core.victims_code import duties_for_event


@dataclass(frozen=True)
class Case:
    """One dated scenario: an event, the duty to look at and its hand-counted deadline."""

    id: str
    event_type: str
    occurred_at: str
    kind: str
    due_at: str
    note: str
    details: dict[str, Any] = field(default_factory=dict)
    enhanced: bool = False


WINTER = "T23:59:59.999999+00:00"  # the end of a London day in GMT, as UTC
SUMMER = "T22:59:59.999999+00:00"  # the end of a London day in BST, as UTC
CI, KD = "court_information", "key_decision"

CASES = [
    Case("C01", "court_hearing_set", "2026-12-04T16:00+00:00", CI, "2026-12-07" + WINTER,
         "Friday 16:00, no received_at: counted from the event, end of Monday"),
    Case("C02", "court_hearing_set", "2026-04-02T10:00+01:00", CI, "2026-04-07" + SUMMER,
         "received on Good Friday; Easter Monday skipped: Tuesday",
         {"received_at": "2026-04-03T11:00+01:00"}),
    Case("C03", "hearing_result", "2026-04-06T09:00+01:00", CI, "2026-04-07" + SUMMER,
         "received on Easter Monday (a bank holiday is day 0): Tuesday"),
    Case("C04", "sentenced", "2026-05-22T15:00+01:00", CI, "2026-05-26" + SUMMER,
         "Friday before the spring bank holiday: Tuesday"),
    Case("C05", "appeal_lodged", "2026-08-28T11:00+01:00", CI, "2026-09-01" + SUMMER,
         "Friday before the summer bank holiday: Tuesday 1 September"),
    Case("C06", "court_hearing_set", "2026-12-07T09:00+00:00", CI, "2026-12-10" + WINTER,
         "set Monday, Witness Care Unit received it Wednesday: Thursday, not Tuesday",
         {"received_at": "2026-12-09T14:00+00:00"}),
    Case("C07", "hearing_result", "2026-12-24T10:00+00:00", CI, "2026-12-29" + WINTER,
         "received Christmas Eve 17:00; 25, 26, 27 and Boxing Day observed 28: Tuesday 29",
         {"received_at": "2026-12-24T17:00+00:00"}),
    Case("C08", "sentenced", "2026-12-30T15:00+00:00", CI, "2027-01-04" + WINTER,
         "received New Year's Eve; New Year's Day Friday: Monday 4 January",
         {"received_at": "2026-12-31T12:00+00:00"}),
    Case("C09", "court_hearing_set", "2026-06-26T10:00+01:00", CI, "2026-06-30" + SUMMER,
         "received 23:30 UTC Sunday = 00:30 BST Monday: day 0 is Monday, due Tuesday",
         {"received_at": "2026-06-28T23:30+00:00"}),
    Case("C10", "court_hearing_set", "2026-06-26T10:00+01:00", CI, "2026-06-29" + SUMMER,
         "received Friday 23:30 BST (22:30 UTC): day 0 is Friday, due Monday",
         {"received_at": "2026-06-26T23:30+01:00"}),
    Case("C11", "hearing_result", "2026-10-23T16:00+01:00", CI, "2026-10-26" + WINTER,
         "Friday in BST, clocks go back Sunday 25 October: end of Monday in GMT"),
    Case("C12", "court_hearing_set", "2026-03-27T16:00+00:00", CI, "2026-03-30" + SUMMER,
         "Friday in GMT, clocks go forward Sunday 29 March: end of Monday in BST"),
    Case("C13", "sentenced", "2026-10-23T12:00+01:00", CI, "2026-10-26" + WINTER,
         "received 00:30 BST on the Sunday the clocks go back: Monday",
         {"received_at": "2026-10-25T00:30+01:00"}),
    Case("C14", "bail_decision_pending", "2026-12-07T10:00+00:00", "bail_views",
         "2026-12-08T14:00:00+00:00", "due exactly at the decision, not at a day's end",
         {"decision_due_at": "2026-12-08T14:00:00Z"}),
    Case("C15", "bail_decision_pending", "2026-12-07T10:00+00:00", "bail_views",
         "2026-12-08T14:00:00+00:00", "enhanced rights do not change a decision time",
         {"decision_due_at": "2026-12-08T14:00:00Z"}, enhanced=True),
    Case("C16", "bail_decision_pending", "2026-12-11T16:00+00:00", "bail_views",
         "2026-12-13T09:30:00+00:00", "a decision on a Sunday is not moved to a working day",
         {"decision_due_at": "2026-12-13T09:30:00+00:00"}),
    Case("C17", "bail_decision_pending", "2026-06-04T09:00+01:00", "bail_views",
         "2026-06-05T11:00:00+00:00", "decision at 12:00 BST is 11:00 UTC",
         {"decision_due_at": "2026-06-05T12:00:00+01:00"}),
    Case("C18", "vrr_requested", "2026-12-07T09:00+00:00", "vrr_acknowledgement",
         "2026-12-21" + WINTER, "10 working days: 8-11, 14-18, 21 December"),
    Case("C19", "vrr_requested", "2026-12-07T09:00+00:00", "vrr_outcome", "2027-01-21" + WINTER,
         "30 working days over Christmas 2026 (25, 28 Dec) and New Year's Day (Fri 1 Jan)"),
    Case("C20", "vrr_requested", "2027-12-01T10:00+00:00", "vrr_outcome", "2028-01-17" + WINTER,
         "30 working days over Christmas 2027 (27, 28 Dec observed) and 3 Jan 2028 observed"),
    Case("C21", "vrr_requested", "2027-12-01T10:00+00:00", "vrr_acknowledgement",
         "2027-12-15" + WINTER, "10 working days; enhanced rights change nothing", enhanced=True),
    Case("C22", "crime_recorded", "2026-12-03T15:00+00:00", "support_referral",
         "2026-12-07" + WINTER, "2 working days from the report (Thursday): Monday"),
    Case("C23", "crime_recorded", "2026-12-03T15:00+00:00", "support_referral",
         "2026-12-07" + WINTER, "the referral clock is 2 days with enhanced rights too",
         enhanced=True),
    Case("C24", "crime_recorded", "2026-12-23T11:00+00:00", "support_referral",
         "2026-12-29" + WINTER, "reported 23 December: Christmas Eve, then Tuesday 29"),
    Case("C25", "crime_recorded", "2026-12-23T11:00+00:00", "written_confirmation",
         "2027-01-04" + WINTER, "5 working days: 24, 29, 30, 31 December, 4 January"),
    Case("C26", "crime_recorded", "2026-12-23T11:00+00:00", "written_confirmation",
         "2026-12-24" + WINTER, "enhanced: 1 working day, Christmas Eve", enhanced=True),
    Case("C27", "crime_recorded", "2026-10-01T23:30+01:00", "support_referral",
         "2026-10-05" + SUMMER, "reported Thursday 23:30 BST: Friday, Monday"),
    Case("C28", "crime_recorded", "2026-10-01T23:30+00:00", "support_referral",
         "2026-10-06" + SUMMER, "23:30 UTC Thursday is 00:30 BST Friday: Monday, Tuesday"),
    Case("C29", "charged", "2026-12-24T17:30+00:00", "personal_statement",
         "2026-12-29" + WINTER, "enhanced: charged Christmas Eve, VPS offer by Tuesday 29",
         enhanced=True),
    Case("C30", "charged_by_postal_requisition", "2026-12-18T14:00+00:00", KD,
         "2026-12-29" + WINTER, "5 working days: 21, 22, 23, 24, 29 December"),
    Case("C31", "bail_cancelled", "2026-12-05T10:00+00:00", KD, "2026-12-07" + WINTER,
         "Saturday, enhanced: Monday", enhanced=True),
    Case("C32", "bail_cancelled", "2026-12-05T10:00+00:00", KD, "2026-12-11" + WINTER,
         "Saturday, standard: Monday to Friday"),
    Case("C33", "youth_out_of_court_outcome", "2026-04-02T15:00+01:00", KD,
         "2026-04-07" + SUMMER, "Thursday before Easter, enhanced: Tuesday 7 April",
         enhanced=True),
    Case("C34", "youth_out_of_court_outcome", "2026-04-02T15:00+01:00", KD,
         "2026-04-13" + SUMMER, "Thursday before Easter, standard: 7, 8, 9, 10, 13 April"),
    Case("C35", "preferred_method_unavailable", "2026-05-01T12:00+01:00", "method_explanation",
         "2026-05-11" + SUMMER, "Friday before May Day: 5, 6, 7, 8, 11 May"),
    Case("C36", "preferred_method_unavailable", "2026-05-01T12:00+01:00", "method_explanation",
         "2026-05-05" + SUMMER, "enhanced: Tuesday after May Day", enhanced=True),
    Case("C37", "crime_recorded", "2026-03-27T10:00+00:00", "needs_assessment",
         "2026-04-07" + SUMMER, "Friday in GMT: 30, 31 March, 1, 2 April, Easter, 7 April BST"),
    Case("C38", "crime_recorded", "2026-04-03T09:00+01:00", "support_referral",
         "2026-04-08" + SUMMER, "reported on Good Friday: 7 and 8 April", enhanced=True),
    Case("C39", "complaint_received", "2026-12-24T09:00+00:00", "complaint_response",
         "2027-01-12" + WINTER, "10 working days from Christmas Eve: 29 Dec to 12 Jan"),
    Case("C40", "sentenced", "2026-12-14T12:00+00:00", CI, "2026-12-16" + WINTER,
         "sentenced Monday, received Tuesday; enhanced rights change nothing",
         {"received_at": "2026-12-15T09:00+00:00"}, enhanced=True),
    Case("C41", "appeal_outcome", "2027-12-24T16:00+00:00", CI, "2027-12-29" + WINTER,
         "Christmas Eve 2027 (Friday); 27 and 28 December observed: Wednesday 29"),
    Case("C42", "court_hearing_set", "2027-12-31T15:00+00:00", CI, "2028-01-04" + WINTER,
         "New Year's Eve 2027; New Year's Day observed Monday 3 January: Tuesday 4"),
    Case("C43", "court_hearing_set", "2027-03-24T10:00+00:00", CI, "2027-03-30" + SUMMER,
         "received Thursday before Easter 2027, clocks go forward 28 March: Tuesday 30 BST",
         {"received_at": "2027-03-25T17:00+00:00"}),
    Case("C44", "vrr_requested", "2026-10-12T09:00+01:00", "vrr_outcome", "2026-11-23" + WINTER,
         "30 working days from a BST Monday across the clock change: Monday 23 November GMT"),
]  # fmt: skip


def test_the_table_has_at_least_30_distinct_cases() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_new_clock_gives_the_hand_counted_deadline(case: Case) -> None:
    occurred_at = datetime.fromisoformat(case.occurred_at)
    specs = duties_for_event(
        case.event_type, occurred_at, case.details, enhanced_rights=case.enhanced
    )
    (spec,) = [spec for spec in specs if spec.kind == case.kind]
    assert spec.due_at == datetime.fromisoformat(case.due_at)
    received = case.details.get("received_at")
    assert spec.clock_from == datetime.fromisoformat(received or case.occurred_at)

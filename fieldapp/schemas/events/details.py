"""The details of each event type: flat JSON, validated per type (issue 12 contract, s.1).

Unknown keys are refused (marshmallow's default), so a misspelt field is a 422 naming it rather
than data silently lost. Court-stage events carry ``received_at``: when the Witness Care Unit
received the news, which the duty's clock counts from (``occurred_at`` when not given).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fieldapp.core.templating.wording import table_codes
from fieldapp.schemas.base import ApiDate, DescribedSchema, UtcDateTime
from fieldapp.schemas.events.parts import (
    NAME,
    TEXT,
    ReasonRule,
    closed,
    condition_list,
    notes_field,
    reason_code_list,
)

POLICE_OR_CPS = ("police", "cps")
WITH_CONDITIONS = "bail_with_conditions"


class NoDetails(DescribedSchema):
    """Events that need nothing more than their type and time."""

    notes = notes_field()


class BailVariedDetails(DescribedSchema):
    """Bail varied: the conditions now, and when the suspect must answer bail if that changed."""

    conditions = condition_list()
    answer_bail_on = ApiDate()
    notes = notes_field()


class BailDetails(BailVariedDetails):
    """Bail: conditions and the day the suspect must answer bail."""

    answer_bail_on = ApiDate(required=True)


class BailDecisionPendingDetails(DescribedSchema):
    """A bail decision is coming: when, and the conditions being considered (the victim's views)."""

    decision_due_at = UtcDateTime(required=True)
    proposed_conditions = condition_list()
    notes = notes_field()


class ReferralDetails(DescribedSchema):
    """A referral to a support service."""

    service = fields.String(required=True, validate=NAME)
    notes = notes_field()


class CourtDetails(DescribedSchema):
    """Where and when a hearing is: the court (and its Welsh name), its address and the time."""

    court_name = fields.String(required=True, validate=NAME)
    court_name_cy = fields.String(validate=NAME)
    court_address = fields.String(required=True, validate=validate.Length(min=2, max=300))
    hearing_at = UtcDateTime(required=True)
    notes = notes_field()


class PostalRequisitionDetails(CourtDetails):
    """Charged by postal requisition: the charges and the first hearing."""

    charges = fields.List(
        fields.String(validate=TEXT), required=True, validate=validate.Length(min=1, max=30)
    )


class ChargeDetails(PostalRequisitionDetails):
    """Charged: the charges, the first hearing, and remand or bail to court with its conditions."""

    remand_status = closed(table_codes("remand_status"), required=True)
    conditions = condition_list()

    @validates_schema
    def check_conditions_go_with_bail(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Conditions only with bail with conditions: custody or plain bail has none."""
        if data.get("conditions") and data.get("remand_status") != WITH_CONDITIONS:
            raise ValidationError(
                f"Conditions go with remand_status {WITH_CONDITIONS}.", "conditions"
            )


class NoFurtherActionDetails(ReasonRule):
    """No further action: reasons, who decided and whether the suspect was interviewed."""

    reason_codes = reason_code_list("no_further_action")
    reasons = fields.String(validate=TEXT)
    decision_maker = closed(POLICE_OR_CPS, required=True)
    suspect_interviewed = fields.Boolean(required=True)


class ReasonDetails(ReasonRule):
    """Decisions that must be explained: not investigated, case closed."""

    reason_codes = reason_code_list("case_closed")
    reasons = fields.String(validate=TEXT)


class OutOfCourtDetails(DescribedSchema):
    """An out-of-court resolution."""

    outcome = closed(table_codes("out_of_court_outcome"), required=True)
    notes = notes_field()


class YouthOutcomeDetails(DescribedSchema):
    """A youth out-of-court outcome."""

    outcome = closed(table_codes("youth_outcome"), required=True)
    notes = notes_field()


class StatementDetails(DescribedSchema):
    """A victim personal statement (or a business impact statement) was taken."""

    statement_type = closed(table_codes("statement_type"), required=True)
    notes = notes_field()


class VrrDecidedDetails(ReasonRule):
    """The outcome of a Victims' Right to Review, with its reasons."""

    reasons_required = False
    result = closed(table_codes("vrr_result"), required=True)
    reason_codes = reason_code_list("vrr_decided")
    reasons = fields.String(validate=TEXT)


class ReceivedDetails(DescribedSchema):
    """Court-stage news, with when the Witness Care Unit received it."""

    received_at = UtcDateTime()
    notes = notes_field()


class HearingSetDetails(CourtDetails, ReceivedDetails):
    """A court hearing was set."""

    hearing_type = closed(table_codes("hearing_type"))


class HearingResultDetails(ReceivedDetails):
    """The result of a hearing."""

    result = closed(table_codes("hearing_result"), required=True)


class SentencedDetails(ReceivedDetails):
    """The sentence, in plain words."""

    sentence = fields.String(required=True, validate=TEXT)


class AppealLodgedDetails(ReceivedDetails):
    """Who appealed, and against what."""

    appeal_by = closed(table_codes("appeal_by"), required=True)
    appeal_against = closed(table_codes("appeal_against"), required=True)


class AppealOutcomeDetails(ReceivedDetails):
    """The outcome of an appeal."""

    result = closed(table_codes("appeal_outcome"), required=True)


class MethodUnavailableDetails(ReasonRule):
    """The victim's preferred way of contact cannot be used, and why (Right 6)."""

    reasons_required = False  # reason_codes are required themselves

    method = closed(table_codes("method"), required=True)
    reason_codes = reason_code_list("preferred_method_unavailable", required=True)
    reasons = fields.String(validate=TEXT)


DETAILS_BY_TYPE: dict[str, type[Schema]] = {
    "crime_recorded": NoDetails,
    "support_referral": ReferralDetails,
    "not_investigated": ReasonDetails,
    "arrested": NoDetails,
    "interviewed": NoDetails,
    "bailed": BailDetails,
    "bail_varied": BailVariedDetails,
    "released_under_investigation": NoDetails,
    "no_further_action": NoFurtherActionDetails,
    "out_of_court_resolution": OutOfCourtDetails,
    "charged": ChargeDetails,
    "case_closed": ReasonDetails,
    "vrr_requested": NoDetails,
    "complaint_received": NoDetails,
    "bail_decision_pending": BailDecisionPendingDetails,
    "bail_cancelled": NoDetails,
    "charged_by_postal_requisition": PostalRequisitionDetails,
    "youth_out_of_court_outcome": YouthOutcomeDetails,
    "vps_taken": StatementDetails,
    "vrr_decided": VrrDecidedDetails,
    "court_hearing_set": HearingSetDetails,
    "hearing_result": HearingResultDetails,
    "sentenced": SentencedDetails,
    "appeal_lodged": AppealLodgedDetails,
    "appeal_outcome": AppealOutcomeDetails,
    "needs_assessed": NoDetails,
    "preferred_method_unavailable": MethodUnavailableDetails,
}

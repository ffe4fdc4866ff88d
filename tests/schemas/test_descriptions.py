"""Shared field descriptions: a field without its own takes the one for its name or resource."""

from __future__ import annotations

from marshmallow import fields

from fieldapp.schemas.base import ApiSchema
from fieldapp.schemas.descriptions import FIELD_DESCRIPTIONS
from fieldapp.schemas.duties import DutySchema, DutyUpdateSchema
from fieldapp.schemas.victims import VictimCreateSchema


def _description(schema: ApiSchema, name: str) -> str:
    return str(schema.fields[name].metadata.get("description"))


def test_a_field_takes_its_resources_text_before_the_shared_one() -> None:
    assert _description(DutySchema(), "status").startswith("Where the duty is")
    assert _description(DutyUpdateSchema(), "status").startswith("How the duty is closed")
    assert _description(DutySchema(), "case_id") == FIELD_DESCRIPTIONS["case_id"]


def test_a_subclass_takes_its_bases_text() -> None:
    assert _description(VictimCreateSchema(), "language").startswith("The language messages")


def test_a_description_written_on_the_field_wins() -> None:
    class Sample(ApiSchema):
        case_id = fields.UUID(metadata={"description": "Its own words."})
        team_id = fields.UUID()

    sample = Sample()
    assert _description(sample, "case_id") == "Its own words."
    assert _description(sample, "team_id") == FIELD_DESCRIPTIONS["team_id"]
    assert "description" not in DutySchema._declared_fields["case_id"].metadata  # a copy changed

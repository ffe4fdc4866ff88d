"""The merge-field catalogue: every documented field, its policy and an example value."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from fieldapp.core.templating.catalogue import (
    Catalogue,
    flatten_context,
    load_catalogue,
    parse_catalogue,
)


def _document() -> dict[str, Any]:
    """The shipped merge_fields.json, decoded afresh."""
    text = (
        resources.files("fieldapp.core.templating")
        .joinpath("merge_fields.json")
        .read_text(encoding="utf-8")
    )
    document: dict[str, Any] = json.loads(text)
    return document


def test_catalogue_holds_every_documented_field(catalogue: Catalogue) -> None:
    names = {raw["name"] for raw in _document()["fields"]}
    assert set(catalogue.fields) == names
    assert "victim.first_name" in catalogue
    assert "victim.password" not in catalogue
    assert catalogue.version == _document()["version"]


def test_catalogue_roots_are_the_context_keys(catalogue: Catalogue) -> None:
    assert catalogue.roots == {
        "victim",
        "case",
        "officer",
        "event",
        "next_update",
        "force",
        "input",
    }


def test_every_field_has_an_example_from_the_sample_data(catalogue: Catalogue) -> None:
    assert all(spec.example is not None for spec in catalogue.fields.values())
    assert catalogue.fields["victim.first_name"].example == "Sam"
    assert catalogue.fields["event.date"].example == "Tuesday 3 March 2026"


def test_list_fields_have_tuples_as_examples(catalogue: Catalogue) -> None:
    charges = catalogue.fields["event.charges"]
    assert charges.type == "list"
    assert charges.example == ("burglary of a home",)


def test_field_keeps_its_sms_policy(catalogue: Catalogue) -> None:
    assert catalogue.fields["case.offence"].sms == "caution"
    assert catalogue.fields["case.crime_reference"].sms == "allowed"


def test_catalogue_is_read_once_and_cannot_be_changed() -> None:
    first = load_catalogue()
    assert load_catalogue() is first
    with pytest.raises(TypeError):
        first.fields["victim.first_name"] = first.fields["victim.last_name"]  # type: ignore[index]


def test_flatten_context_names_values_by_dotted_field() -> None:
    flat = flatten_context({"victim": {"first_name": "Sam"}, "stray": "text"})
    assert flat == {"victim.first_name": "Sam"}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"name": "victim"}, "root.leaf"),
        ({"name": "victim.first.name"}, "root.leaf"),
        ({"name": "victim._secret"}, "underscore"),
        ({"name": "victim.first-name"}, "root.leaf"),
        ({"type": "number"}, "unknown type"),
        ({"sms": "sometimes"}, "unknown type or sms policy"),
    ],
)
def test_malformed_field_is_refused(change: dict[str, str], complaint: str) -> None:
    document = _document()
    document["fields"][0].update(change)
    with pytest.raises(ValueError, match=complaint):
        parse_catalogue(document)


def test_duplicate_field_is_refused() -> None:
    document = _document()
    document["fields"].append(copy.deepcopy(document["fields"][0]))
    with pytest.raises(ValueError, match="twice"):
        parse_catalogue(document)

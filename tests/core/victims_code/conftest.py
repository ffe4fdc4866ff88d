"""Fixtures: the shipped rule-set document and a test-only later rule set version."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from fieldapp.core.victims_code import RuleSet, parse_rulesets

CURRENT_VERSION = "2020-code.2"
REVISED_VERSION = "2020-code.1"
LATER_VERSION = "2027-test.1"
LATER_EFFECTIVE_FROM = "2027-07-01"


def shipped_document() -> dict[str, Any]:
    """The shipped rulesets.json, decoded afresh so that a test may change it."""
    text = (
        resources.files("fieldapp.core.victims_code")
        .joinpath("rulesets.json")
        .read_text(encoding="utf-8")
    )
    document: dict[str, Any] = json.loads(text)
    return document


def current_entry(document: dict[str, Any]) -> dict[str, Any]:
    """The current (2020-code.2) rule set entry of a document."""
    (entry,) = [e for e in document["rulesets"] if e["version"] == CURRENT_VERSION]
    return entry


@pytest.fixture
def document() -> dict[str, Any]:
    """A private copy of the shipped rule-set document."""
    return shipped_document()


@pytest.fixture
def later_rulesets() -> tuple[RuleSet, ...]:
    """The shipped rule sets plus a hypothetical later Code that exists only in the tests."""
    document = shipped_document()
    later = copy.deepcopy(current_entry(document))
    later.update(
        version=LATER_VERSION,
        effective_from=LATER_EFFECTIVE_FROM,
        source="Test only: a hypothetical later Code with different limits.",
        default_update_interval_days=21,
    )
    later["events"]["arrested"]["duties"][0]["clock"] = {
        "working_days": {"standard": 3, "enhanced": 2}
    }
    later["events"]["case_closed"] = {
        "duties": [],
        "no_duty": "Test only: closure is told with the outcome.",
    }
    document["rulesets"].append(later)
    return parse_rulesets(document)

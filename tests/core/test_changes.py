"""Only fields whose value differs count as changes."""

from __future__ import annotations

from fieldapp.core.changes import changed_fields


def test_unchanged_values_are_not_changes() -> None:
    current = {"role": "officer", "team": "Response A", "disabled": False}
    assert changed_fields(current, {"role": "officer", "team": "Response A"}) == {}


def test_changed_values_are_kept() -> None:
    current = {"role": "officer", "team": "Response A", "disabled": False}
    submitted = {"role": "supervisor", "team": "Response A", "disabled": True}
    assert changed_fields(current, submitted) == {"role": "supervisor", "disabled": True}


def test_a_field_the_record_does_not_show_is_always_a_change() -> None:
    assert changed_fields({"role": "officer"}, {"password": "x" * 12}) == {"password": "x" * 12}


def test_none_is_a_value_like_any_other() -> None:
    assert changed_fields({"rank": None}, {"rank": None}) == {}
    assert changed_fields({"rank": "Sergeant"}, {"rank": None}) == {"rank": None}

"""The note a periodic update must carry: required, merged by the template, lint-checked."""

from __future__ import annotations

from typing import Any

from fieldapp.services.duties import periodic_note_problem

WITH_NOTE = frozenset({"case.crime_reference", "input.note"})


def problems(**overrides: Any) -> list[str]:
    """The note's problems for a periodic duty's text message in English, unless told otherwise."""
    arguments: dict[str, Any] = {
        "duty_kind": "periodic_update",
        "template_fields": WITH_NOTE,
        "note": "We have spoken to two neighbours and are checking their doorbell cameras.",
        "channel": "sms",
        "language": "en",
        **overrides,
    }
    return periodic_note_problem(**arguments)


def test_a_note_saying_what_happened_is_accepted() -> None:
    assert problems() == []


def test_only_periodic_duties_need_a_note() -> None:
    assert problems(duty_kind="key_decision", template_fields=frozenset(), note=None) == []
    assert problems(duty_kind=None, note="") == []


def test_the_template_must_merge_the_note() -> None:
    (problem,) = problems(template_fields=frozenset({"case.crime_reference"}))
    assert "input.note" in problem


def test_an_empty_note_is_refused() -> None:
    assert problems(note="   ") == ["Say what has happened since the last update."]
    assert problems(note=None) == ["Say what has happened since the last update."]


def test_the_note_is_held_to_the_lint_rules() -> None:
    (jargon,) = problems(note="The suspect is now RUI while we wait for forensics.")
    assert "RUI" in jargon
    (address,) = problems(note="We visited 12 Acacia Road again today.")
    assert "address" in address
    assert problems(note="We visited 12 Acacia Road again today.", channel="email") == []
    assert problems(note="Read more at http://example.org/update") != []

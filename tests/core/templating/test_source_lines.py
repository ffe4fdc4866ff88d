"""Lines of a merged message traced back to the lines of the template source they came from."""

from __future__ import annotations

from typing import Any

import pytest

from fieldapp.core.templating.check import Wording, render_wording
from fieldapp.core.templating.source_lines import attribute_lines, trace_lines

TEMPLATE = "\n".join(
    [
        "Hello {{ victim.first_name }},",  # 1
        "",  # 2
        "{% if case.crime_reference %}",  # 3: leaves no line
        "Your reference is {{ case.crime_reference }}.",  # 4
        "{% endif %}",  # 5: leaves no line
        "{% for charge in event.charges %}",  # 6
        "- {{ charge }}",  # 7: one line per charge
        "{% endfor %}",  # 8
        "",  # 9
        "",  # 10
        "",  # 11
        "Call {{ officer.contact_phone }}.",  # 12
    ]
)


def _traced(source: str, context: dict[str, Any], channel: str) -> tuple[int | None, ...] | None:
    """The source line of each line of the body as ``render_wording`` merges it."""
    subject = "Update" if channel == "email" else None
    body = render_wording(Wording(channel, "en", source, subject), context).body
    return trace_lines(source, context, channel=channel, merged=body)


def test_block_lines_leave_no_output_line_so_later_lines_keep_their_source_numbers(
    context: dict[str, Any],
) -> None:
    context["event"]["charges"] = ["burglary", "theft"]
    # email keeps blank lines as they are: lines 9 to 11 stay three blank lines
    assert _traced(TEMPLATE, context, "email") == (1, 2, 4, 7, 7, 9, 10, 11, 12)


def test_text_messages_are_traced_after_blank_lines_are_collapsed(
    context: dict[str, Any],
) -> None:
    context["event"]["charges"] = ["burglary"]
    # SMS tidies runs of blank lines to one (as Notify does), so 9 to 11 become one line
    assert _traced(TEMPLATE, context, "sms") == (1, 2, 4, 7, 9, 12)


def test_a_false_condition_drops_its_lines_and_the_rest_still_match(
    context: dict[str, Any],
) -> None:
    source = "{% if event.answer_bail_on %}\nAnswer bail.\n{% else %}\nNo date.\n{% endif %}\nBye."
    context["event"].pop("answer_bail_on", None)
    assert _traced(source, context, "email") == (4, 6)


def test_a_value_over_several_lines_keeps_the_line_of_its_field(context: dict[str, Any]) -> None:
    source = "Dear {{ victim.first_name }}\n{{ input.note }}\nThanks."
    context["input"] = {"note": "First line.\nSecond line.\nThird line."}
    assert _traced(source, context, "email") == (1, 2, 2, 2, 3)


def test_a_line_that_starts_with_a_field_after_a_block_line_is_its_own(
    context: dict[str, Any],
) -> None:
    source = "Hello.\n{% if victim.first_name %}\n{{ victim.first_name }}, read this.\n{% endif %}"
    assert _traced(source, context, "sms") == (1, 3)


def test_leading_blank_lines_are_trimmed_as_the_body_is(context: dict[str, Any]) -> None:
    assert _traced("\n\n  \nHello.\nBye.", context, "email") == (4, 5)


def test_a_render_that_fails_cannot_be_traced(context: dict[str, Any]) -> None:
    context["victim"].pop("first_name")
    assert trace_lines("Hi {{ victim.first_name }}", context, channel="sms", merged="Hi") is None


def test_a_trace_that_does_not_match_the_merged_body_is_unknown(context: dict[str, Any]) -> None:
    assert trace_lines("Hello.", context, channel="email", merged="Something else.") is None


@pytest.mark.parametrize(
    ("marked", "expected"),
    [
        ("\ue0003\ue002Hello", [(3, "Hello")]),
        ("Sam\ue0005\ue002, hello", [(5, "Sam, hello")]),
        ("\ue0014\ue002\ue0006\ue002Ref", [(6, "Ref")]),
        ("\ue0011\ue002A\nB", [(1, "A"), (1, "B")]),
    ],
)
def test_each_line_takes_its_first_marked_text(
    marked: str, expected: list[tuple[int, str]]
) -> None:
    assert attribute_lines(marked) == expected

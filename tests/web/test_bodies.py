"""JSON body parsing limits."""

from __future__ import annotations

import pytest

from fieldapp.errors import JsonTooDeep, MalformedJson
from fieldapp.web.bodies import nesting_depth_exceeds, parse_json_body


def test_depth_is_counted_through_objects_and_arrays() -> None:
    assert nesting_depth_exceeds({"a": [{"b": 1}]}, 3) is False
    assert nesting_depth_exceeds({"a": [{"b": []}]}, 3) is True
    assert nesting_depth_exceeds("flat", 1) is False


def test_parse_refuses_malformed_and_deep_json() -> None:
    assert parse_json_body(b'{"a": [1, 2]}', max_depth=4) == {"a": [1, 2]}
    with pytest.raises(MalformedJson):
        parse_json_body(b"{nope", max_depth=4)
    with pytest.raises(JsonTooDeep):
        parse_json_body(b"[[[[[]]]]]", max_depth=4)
    with pytest.raises(JsonTooDeep):
        parse_json_body(b"[" * 100_000, max_depth=4)

"""Microsoft's Power Platform JSON schemas, loaded offline from tests/powerplatform/.

The files carry ``//`` comments and trailing commas, which JSON forbids: they are stripped
outside strings (a URL's ``//`` inside a string stays). The draft-04 meta-schema the
connector schema refers to comes from the jsonschema package, never from the network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

# Copied into the repository (see tests/powerplatform/SOURCE.md) so the tests run anywhere.
REFERENCE = Path(__file__).resolve().parent / "powerplatform"
DRAFT4_ID = "http://json-schema.org/draft-04/schema"


def strip_comments(text: str) -> str:
    """Remove // and /* */ comments outside strings, then commas before a closing bracket."""
    out: list[str] = []
    index, in_string = 0, False
    while index < len(text):
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[index + 1])
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", index):
            index = text.find("\n", index)
            index = len(text) if index == -1 else index
            continue
        elif text.startswith("/*", index):
            index = text.index("*/", index) + 2
            continue
        else:
            out.append(char)
        index += 1
    return _strip_trailing_commas("".join(out))


def _strip_trailing_commas(text: str) -> str:
    """Drop a comma that is followed only by blanks and a closing bracket, outside strings."""
    parts = re.split(r'("(?:[^"\\]|\\.)*")', text)
    for position in range(0, len(parts), 2):  # even parts are outside strings
        parts[position] = re.sub(r",(\s*[}\]])", r"\1", parts[position])
    return "".join(parts)


def load_schema(name: str) -> dict[str, Any]:
    """One of the reference schemas, parsed."""
    loaded: dict[str, Any] = json.loads(strip_comments((REFERENCE / name).read_text("utf-8")))
    return loaded


def validator_for(name: str) -> Draft4Validator:
    """A draft-04 validator for a reference schema, resolving the meta-schema locally."""
    meta = Resource.from_contents(Draft4Validator.META_SCHEMA, default_specification=DRAFT4)
    registry: Registry[Any] = Registry().with_resources(
        [(DRAFT4_ID, meta), (DRAFT4_ID + "#", meta)]
    )
    return Draft4Validator(load_schema(name), registry=registry)

"""Text no database can store: NUL bytes and lone UTF-16 surrogates.

PostgreSQL refuses a NUL (0x00) in any text or JSON value, and a lone surrogate (U+D800 to
U+DFFF, which JSON's ``\\ud800`` escape can produce) cannot be encoded as UTF-8 at all. Both
are refused at the edge, naming where they were found, so that they never reach a query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

UNSTORABLE_TEXT_MESSAGE = "Must not contain NUL bytes or unpaired surrogate characters."
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable_text(text: str) -> bool:
    """Whether a string holds a NUL byte or a lone surrogate."""
    return _UNSTORABLE.search(text) is not None


def unstorable_paths(value: Any, prefix: str = "") -> list[str]:
    """Dotted paths (``details.reason``, ``safe_channels.0``) of every unstorable string.

    A key that is itself unstorable is reported at the path of the object holding it.
    Walks parsed JSON without recursion so that depth is never a problem here.
    """
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(value, prefix)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if has_unstorable_text(item):
                found.append(path or "body")
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                key_text = str(key)
                if has_unstorable_text(key_text):
                    found.append(path or "body")
                    continue
                stack.append((inner, f"{path}.{key_text}" if path else key_text))
        elif isinstance(item, list | tuple):
            stack.extend(
                (inner, f"{path}.{index}" if path else str(index))
                for index, inner in enumerate(item)
            )
    return sorted(set(found))

"""Username normalisation."""

from __future__ import annotations

import pytest

from fieldapp.core.usernames import normalise_username


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("PC.Smith", "pc.smith"), ("  pc.smith\t", "pc.smith"), ("\uff30\uff23.smith", "pc.smith")],
)
def test_normalise_username(raw: str, expected: str) -> None:
    assert normalise_username(raw) == expected

"""Fixtures: the shipped catalogue, sample contexts, and a clean template cache per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fieldapp.core.templating.catalogue import Catalogue, load_catalogue
from fieldapp.core.templating.context import build_context, sample_merge_data
from fieldapp.core.templating.engine import TEMPLATE_CACHE


@pytest.fixture(autouse=True)
def empty_template_cache() -> Iterator[None]:
    """Each test starts and ends with no compiled templates cached."""
    TEMPLATE_CACHE.clear()
    yield
    TEMPLATE_CACHE.clear()


@pytest.fixture
def catalogue() -> Catalogue:
    """The shipped merge-field catalogue."""
    return load_catalogue()


@pytest.fixture
def context() -> dict[str, Any]:
    """The sample data as an English merge context (fresh for each test)."""
    return build_context(sample_merge_data(), language="en")


@pytest.fixture
def welsh_context() -> dict[str, Any]:
    """The sample data as a Welsh merge context."""
    return build_context(sample_merge_data(), language="cy")

"""Fixtures shared by the service tests: the Notify provider pointed at the stand-in."""

from __future__ import annotations

import pytest

from fieldapp.services.messages.providers.notify import NotifyProvider, notify_from_config
from tests.notify_standin import NotifyStandIn, notify_config


@pytest.fixture
def provider(standin: NotifyStandIn) -> NotifyProvider:
    """The Notify provider, configured for the stand-in."""
    return notify_from_config(notify_config(standin))

"""Absolute links the API hands out (``nextLink``, the connector's host), from configuration.

They are built on ``FIELDAPP_PUBLIC_URL``, never on the request's ``Host`` header, which any
client can set (host-header injection would put an attacker's host into a page link or into a
connector definition that others import). Only in development, with no public URL set, do
they follow the request, so that ``make run`` works on any port.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, url_for


def public_base_url() -> str:
    """The origin clients reach, e.g. ``https://fieldapp.force.police.uk`` (no trailing slash)."""
    configured: str = current_app.config.get("PUBLIC_URL", "")
    return configured or request.host_url.rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of an endpoint on the public origin."""
    return public_base_url() + url_for(endpoint, **values)


def public_host() -> tuple[str, str]:
    """The host (with any port) and scheme the connector should name."""
    configured: str = current_app.config.get("PUBLIC_URL", "")
    if not configured:
        return request.host, "https"  # development: Power Platform only calls https anyway
    parts = urlsplit(configured)
    return parts.netloc, parts.scheme

"""Webhook signatures: what the sender signs, the receiver verifies, tampering and replay fail."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

from fieldapp.core.webhook_signatures import sign, verify

SECRET = "whsec_test-secret"
BODY = b'{"id":"e1","type":"duty.overdue"}'
SENT = 1_796_000_000


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{SENT}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, SENT, BODY) == f"t={SENT},v1={expected}"


def test_a_fresh_untouched_delivery_verifies() -> None:
    assert verify(SECRET, sign(SECRET, SENT, BODY), BODY, now=SENT + 30)


def test_a_changed_body_wrong_secret_or_changed_timestamp_fails() -> None:
    header = sign(SECRET, SENT, BODY)
    assert not verify(SECRET, header, BODY.replace(b"overdue", b"due_soon"), now=SENT)
    assert not verify("whsec_other", header, BODY, now=SENT)
    moved = header.replace(f"t={SENT}", f"t={SENT + 1}")
    assert not verify(SECRET, moved, BODY, now=SENT)


def test_a_delivery_outside_the_replay_window_fails_either_way() -> None:
    header = sign(SECRET, SENT, BODY)
    assert verify(SECRET, header, BODY, now=SENT + 300)
    assert not verify(SECRET, header, BODY, now=SENT + 301)
    assert not verify(SECRET, header, BODY, now=SENT - 301)
    assert verify(SECRET, header, BODY, now=SENT + 600, tolerance=600)


def test_malformed_headers_fail_without_raising() -> None:
    for header in ("", "t=abc,v1=00", f"t={SENT}", "v1=00", f"t={SENT},v1=", "garbage"):
        assert not verify(SECRET, header, BODY, now=SENT)


def test_any_one_of_several_signatures_is_enough() -> None:
    header = sign(SECRET, SENT, BODY) + ",v1=" + "0" * 64
    assert verify(SECRET, header, BODY, now=SENT)


def test_the_snippet_in_the_integrators_guide_verifies_what_fieldapp_signs() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text("utf-8")
    snippet = guide.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(snippet, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 - our own docs
    documented = namespace["verify"]
    header = sign(SECRET, SENT, BODY)
    assert documented(SECRET, header, BODY, now=SENT + 10)
    assert not documented(SECRET, header, BODY + b"x", now=SENT)
    assert not documented(SECRET, header, BODY, now=SENT + 301)

"""GOV.UK Notify as a delivery provider, through the official ``notifications-python-client``.

fieldapp renders every message itself, so Notify needs one template per channel holding only
placeholders: an SMS template whose whole text is ``((body))`` and an email template with subject
``((subject))`` and body ``((body))``. Letters need no template: fieldapp renders each to a PDF
in Notify's precompiled-letter layout and posts it (``POST /v2/notifications/letter``). Our
reference at Notify is the message id, which carries no personal data. Nothing here logs or
repeats a message's text or recipient: Notify's answers are reduced to a status code and the
kind of refusal.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from fieldapp.core.letters import LetterError, render_letter
from fieldapp.models import Message
from fieldapp.models.base import utcnow
from fieldapp.services.messages.letters import (
    LetterSettings,
    letter_day,
    letter_of,
    settings_from_config,
)
from fieldapp.services.messages.providers.contract import (
    DeliveryState,
    PermanentFailure,
    ProviderNotConfigured,
    ProviderReceipt,
    TemporaryFailure,
    reference_of,
)

log = logging.getLogger("fieldapp.delivery.notify")

# Notify's notification statuses (docs: notification_statuses), reduced to ours.
DELIVERED_STATUSES = frozenset({"delivered", "received"})
FAILED_STATUSES = frozenset(
    {
        "permanent-failure",
        "temporary-failure",
        "technical-failure",
        "cancelled",
        "validation-failed",
        "virus-scan-failed",
    }
)
# Refusals naming these fields point at the recipient's address, which an officer can fix.
RECIPIENT_FIELDS = ("phone_number", "email_address")


class NotifyClient(Protocol):
    """The part of ``NotificationsAPIClient`` fieldapp uses, with types."""

    def send_sms_notification(
        self,
        phone_number: str,
        template_id: str,
        personalisation: dict[str, str] | None = None,
        reference: str | None = None,
    ) -> Any:
        """POST /v2/notifications/sms."""
        ...

    def send_email_notification(
        self,
        email_address: str,
        template_id: str,
        personalisation: dict[str, str] | None = None,
        reference: str | None = None,
    ) -> Any:
        """POST /v2/notifications/email."""
        ...

    def send_precompiled_letter_notification(
        self, reference: str, pdf_file: io.BytesIO, postage: str | None = None
    ) -> Any:
        """POST /v2/notifications/letter with the PDF, base64-encoded by the client."""
        ...

    def get_all_notifications(self, reference: str | None = None) -> Any:
        """GET /v2/notifications?reference=..."""
        ...

    def get_notification_by_id(self, notification_id: str, /) -> Any:
        """GET /v2/notifications/{id}."""
        ...


class NotifyProvider:
    """Sends SMS, email and letters through GOV.UK Notify; one instance per thread (the client
    is not thread-safe)."""

    name = "notify"

    def __init__(
        self,
        client: NotifyClient,
        *,
        sms_template_id: str,
        email_template_id: str,
        letters: LetterSettings,
    ):
        self.client = client
        self.sms_template_id = sms_template_id
        self.email_template_id = email_template_id
        self.letters = letters

    def send(self, message: Message) -> ProviderReceipt:
        """Hand the rendered text to Notify under our reference (the message id)."""
        reference = reference_of(message)
        try:
            if message.channel == "sms":
                answer = self.client.send_sms_notification(
                    message.recipient,
                    self.sms_template_id,
                    personalisation={"body": message.body},
                    reference=reference,
                )
            elif message.channel == "email":
                answer = self.client.send_email_notification(
                    message.recipient,
                    self.email_template_id,
                    personalisation={"subject": message.subject or "", "body": message.body},
                    reference=reference,
                )
            elif message.channel == "letter":
                answer = self.client.send_precompiled_letter_notification(
                    reference,
                    io.BytesIO(self._letter_pdf(message)),
                    postage=message.postage or self.letters.postage,
                )
            else:
                raise PermanentFailure(
                    f"fieldapp does not send {message.channel} messages through GOV.UK Notify: "
                    "send it another way and confirm it by hand"
                )
        except APIError as error:
            raise failure_from(error) from None  # the cause may quote the request
        return receipt_from(answer, reference)

    def _letter_pdf(self, message: Message) -> bytes:
        """The letter's PDF; one that cannot be printed can never go (a permanent failure)."""
        try:
            return render_letter(letter_of(message, self.letters, on=letter_day(message)))
        except LetterError as refused:
            raise PermanentFailure(f"the letter cannot be printed: {refused}") from None

    def find(self, reference: str) -> ProviderReceipt | None:
        """The notification Notify holds under our reference, if any (within its retention)."""
        try:
            answer = self.client.get_all_notifications(reference=reference)
        except APIError as error:
            raise failure_from(error, doing="look up") from None
        notifications = answer.get("notifications") if isinstance(answer, dict) else None
        if not isinstance(notifications, list):
            raise TemporaryFailure("GOV.UK Notify answered a look-up with something unexpected")
        for item in notifications:
            if isinstance(item, dict) and item.get("reference") == reference:
                return receipt_from(item, reference)
        return None

    def status(self, provider_id: str) -> DeliveryState:
        """Whether Notify delivered the notification, gave up on it, or is still trying."""
        try:
            answer = self.client.get_notification_by_id(provider_id)
        except APIError as error:
            raise failure_from(error, doing="status check") from None
        state = answer.get("status") if isinstance(answer, dict) else None
        if state in DELIVERED_STATUSES:
            return "delivered"
        if state in FAILED_STATUSES:
            return "failed"
        return "pending"


def receipt_from(answer: Any, reference: str) -> ProviderReceipt:
    """Check Notify's answer names a notification with our reference (API10: never trust it)."""
    if not isinstance(answer, dict):
        raise TemporaryFailure("GOV.UK Notify answered with something other than a notification")
    provider_id, answered_reference = answer.get("id"), answer.get("reference")
    if not isinstance(provider_id, str) or not 0 < len(provider_id) <= 100:
        raise TemporaryFailure("GOV.UK Notify answered without a notification id")
    if answered_reference != reference:
        raise TemporaryFailure("GOV.UK Notify answered with another message's reference")
    return ProviderReceipt(
        reference=reference, provider_id=provider_id, accepted_at=_accepted_at(answer)
    )


def _accepted_at(answer: dict[str, Any]) -> datetime | None:
    """When Notify says it took the notification, if it says so plausibly (never the future)."""
    raw = answer.get("created_at")
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return min(moment.astimezone(UTC), utcnow())


def failure_from(error: APIError, *, doing: str = "send") -> TemporaryFailure | PermanentFailure:
    """Classify a client error, keeping only what is safe to store: code and kind of refusal."""
    code = error.status_code
    log.warning("GOV.UK Notify %s failed", doing, extra={"fields": {"status_code": code}})
    if code == 429:
        return TemporaryFailure("GOV.UK Notify rate limit reached (429)")
    if code in (401, 403):
        # The key or the clock is wrong, not the message: keep it queued while someone fixes it.
        return TemporaryFailure(f"GOV.UK Notify refused fieldapp's credentials ({code})")
    if 400 <= code < 500:
        return PermanentFailure(f"GOV.UK Notify refused the message ({code}): {_refusal(error)}")
    if code == 503 and error.response is None:
        return TemporaryFailure("GOV.UK Notify could not be reached or timed out")
    return TemporaryFailure(f"GOV.UK Notify failed ({code})")


def _refusal(error: APIError) -> str:
    """Which field Notify refused, without repeating its words (they may quote our data)."""
    text = str(error.message)
    for field in RECIPIENT_FIELDS:
        if field in text:
            return f"the recipient's {field.replace('_', ' ')} was not accepted"
    if "personalisation" in text or "template" in text:
        return "the Notify template does not match fieldapp's (see the README)"
    return "see the GOV.UK Notify dashboard for the reason"


def notify_from_config(config: Mapping[str, Any]) -> NotifyProvider:
    """A Notify provider from FIELDAPP_NOTIFY_* settings, refusing incomplete ones."""
    missing = [
        key
        for key in ("NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID", "NOTIFY_EMAIL_TEMPLATE_ID")
        if not config.get(key)
    ]
    if missing:
        names = ", ".join("FIELDAPP_" + key for key in missing)
        raise ProviderNotConfigured(f"MESSAGE_PROVIDER is 'notify' but {names} not set")
    client = cast(
        NotifyClient,
        NotificationsAPIClient(  # type: ignore[no-untyped-call]
            config["NOTIFY_API_KEY"],
            base_url=config["NOTIFY_BASE_URL"],
            timeout=config["NOTIFY_TIMEOUT_SECONDS"],
        ),
    )
    return NotifyProvider(
        client,
        sms_template_id=config["NOTIFY_SMS_TEMPLATE_ID"],
        email_template_id=config["NOTIFY_EMAIL_TEMPLATE_ID"],
        letters=settings_from_config(config),
    )

"""The GOV.UK Notify provider against the loopback stand-in: sends, refusals, retries, look-ups."""

from __future__ import annotations

import socket
import uuid
from typing import Any

import pytest

from fieldapp.models import Message
from fieldapp.services.messages.providers import (
    PermanentFailure,
    ProviderNotConfigured,
    TemporaryFailure,
    provider_from_config,
)
from fieldapp.services.messages.providers.notify import (
    NotifyProvider,
    notify_from_config,
    receipt_from,
)
from tests.core.letters.pdf_text import runs, text
from tests.notify_standin import SMS_TEMPLATE_ID, NotifyStandIn, notify_config

PHONE = "+447700900123"
BODY = "Hello Alex. Someone has been arrested. Call PC Sam Ashworth on 101."


def sms(**overrides: Any) -> Message:
    """An unsaved SMS message: the provider only reads it."""
    fields = {"id": uuid.uuid4(), "channel": "sms", "recipient": PHONE, "body": BODY}
    return Message(**{**fields, **overrides})


def test_sms_goes_to_notify_as_the_body_placeholder_under_the_message_id(
    standin: NotifyStandIn, provider: NotifyProvider
) -> None:
    message = sms()

    receipt = provider.send(message)

    [accepted] = standin.accepted
    assert accepted["phone_number"] == PHONE
    assert accepted["body"] == BODY
    assert accepted["template"]["id"] == SMS_TEMPLATE_ID
    assert receipt.reference == accepted["reference"] == str(message.id)
    assert receipt.provider_id == accepted["id"]


def test_email_goes_with_its_subject_and_body(
    standin: NotifyStandIn, provider: NotifyProvider
) -> None:
    message = sms(channel="email", recipient="alex@example.com", subject="Your case")

    provider.send(message)

    [accepted] = standin.accepted
    assert accepted["email_address"] == "alex@example.com"
    assert (accepted["subject"], accepted["body"]) == ("Your case", BODY)


def test_a_refused_number_fails_for_good_without_repeating_the_number_or_text(
    standin: NotifyStandIn, provider: NotifyProvider
) -> None:
    standin.fail_next(1, 400)

    with pytest.raises(PermanentFailure) as refused:
        provider.send(sms())

    reason = str(refused.value)
    assert "400" in reason
    assert "phone number was not accepted" in reason
    assert PHONE not in reason
    assert BODY not in reason


@pytest.mark.parametrize("status", [500, 502, 429])
def test_server_errors_and_rate_limits_are_worth_retrying(
    standin: NotifyStandIn, provider: NotifyProvider, status: int
) -> None:
    standin.fail_next(1, status)

    with pytest.raises(TemporaryFailure, match=str(status)):
        provider.send(sms())

    assert standin.accepted == []


def test_a_send_that_times_out_is_retried_and_found_by_reference(
    standin: NotifyStandIn,
) -> None:
    provider = notify_from_config(notify_config(standin, NOTIFY_TIMEOUT_SECONDS=1))
    standin.hold_answers()  # Notify accepts, then answers only after the client gave up
    message = sms()

    with pytest.raises(TemporaryFailure, match="timed out"):
        provider.send(message)

    found = provider.find(str(message.id))
    assert found is not None
    assert found.provider_id == standin.accepted[0]["id"]


def test_an_unreachable_provider_is_worth_retrying(standin: NotifyStandIn) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    config = notify_config(standin, NOTIFY_BASE_URL=f"http://127.0.0.1:{closed_port}")

    with pytest.raises(TemporaryFailure, match="could not be reached"):
        notify_from_config(config).send(sms())


def test_a_wrong_key_keeps_messages_queued_rather_than_failing_them(
    standin: NotifyStandIn,
) -> None:
    wrong_key = f"fieldapp_tests-{standin.service_id}-{uuid.uuid4()}"
    provider = notify_from_config(notify_config(standin, NOTIFY_API_KEY=wrong_key))

    with pytest.raises(TemporaryFailure, match="credentials"):
        provider.send(sms())

    assert standin.accepted == []


def letter(**overrides: Any) -> Message:
    """An unsaved letter message, as writing leaves it."""
    fields = {
        "channel": "letter",
        "language": "en",
        "recipient": "Alex Morgan, 1 High Street, Cardiff, CF10 1AA",
        "address_lines": ["Alex Morgan", "1 High Street", "Cardiff", "CF10 1AA"],
        "postage": "first",
        "print_format": "standard",
    }
    return sms(**{**fields, **overrides})


def test_a_letter_goes_as_a_precompiled_pdf_under_the_message_id(
    standin: NotifyStandIn, provider: NotifyProvider
) -> None:
    message = letter()

    receipt = provider.send(message)

    [accepted] = standin.accepted
    assert (accepted["type"], accepted["postage"]) == ("letter", "first")
    assert receipt.reference == accepted["reference"] == str(message.id)
    assert receipt.provider_id == accepted["id"]
    assert standin.requests["POST /v2/notifications/letter"] == 1
    pdf = standin.letters[accepted["id"]]
    assert pdf.startswith(b"%PDF-")
    shown = text(pdf)
    assert "1 High Street" in shown and BODY in shown
    assert "Demo Constabulary" in shown  # the sender block, from the force's settings


def test_a_welsh_large_print_letter_goes_as_it_was_written(
    standin: NotifyStandIn, provider: NotifyProvider
) -> None:
    message = letter(language="cy", print_format="large_print", body="Annwyl Gŵen, â ŷ.")

    provider.send(message)

    found = runs(standin.letters[standin.accepted[0]["id"]])
    assert "Annwyl Gŵen, â ŷ." in [run.text for run in found]
    assert "Heddlu Demo" in [run.text for run in found]  # the force's Welsh name
    assert min(run.size for run in found) >= 16


def test_a_letter_goes_with_the_configured_postage_when_it_names_none(
    standin: NotifyStandIn, provider: NotifyProvider
) -> None:
    provider.send(letter(postage=None))

    assert standin.accepted[0]["postage"] == "second"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"address_lines": ["1 High Street"]}, "3 to 7 lines"),
        ({"body": "\n\n".join([BODY * 6] * 80)}, "at most 10"),
    ],
)
def test_a_letter_that_cannot_be_printed_fails_for_good_before_reaching_notify(
    standin: NotifyStandIn, provider: NotifyProvider, changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(PermanentFailure, match=reason):
        provider.send(letter(**changes))

    assert sum(standin.requests.values()) == 0


def test_a_letter_notify_refuses_fails_for_good(
    standin: NotifyStandIn, provider: NotifyProvider
) -> None:
    standin.fail_next(1, 400)

    with pytest.raises(PermanentFailure, match="400"):
        provider.send(letter())


@pytest.mark.parametrize(
    ("notify_status", "ours"),
    [
        ("pending-virus-check", "pending"),
        ("accepted", "pending"),
        ("received", "delivered"),
        ("validation-failed", "failed"),
        ("virus-scan-failed", "failed"),
        ("cancelled", "failed"),
    ],
)
def test_letter_statuses_reduce_to_ours(
    standin: NotifyStandIn, provider: NotifyProvider, notify_status: str, ours: str
) -> None:
    receipt = provider.send(letter())
    standin.set_status(receipt.provider_id, notify_status)

    assert provider.status(receipt.provider_id) == ours
    assert provider.find(receipt.reference) is not None


def test_find_knows_only_references_notify_accepted(provider: NotifyProvider) -> None:
    message = sms()
    receipt = provider.send(message)

    found = provider.find(str(message.id))

    assert found is not None
    assert (found.reference, found.provider_id) == (receipt.reference, receipt.provider_id)
    assert found.accepted_at is not None  # when Notify took it, for the duty's on-time check
    assert provider.find(str(uuid.uuid4())) is None


@pytest.mark.parametrize(
    ("notify_status", "ours"),
    [
        ("delivered", "delivered"),
        # Final failures: Notify has stopped trying (temporary-failure after its 72 hours).
        ("permanent-failure", "failed"),
        ("temporary-failure", "failed"),
        ("technical-failure", "failed"),
        ("created", "pending"),
        ("sending", "pending"),
        ("pending", "pending"),
        # International SMS with no receipt: nothing more will be known, so it stays sent.
        ("sent", "pending"),
    ],
)
def test_status_reduces_notify_statuses_to_ours(
    standin: NotifyStandIn, provider: NotifyProvider, notify_status: str, ours: str
) -> None:
    receipt = provider.send(sms())
    standin.set_status(receipt.provider_id, notify_status)

    assert provider.status(receipt.provider_id) == ours


def test_an_answer_naming_another_reference_is_not_trusted() -> None:
    with pytest.raises(TemporaryFailure, match="another message"):
        receipt_from({"id": str(uuid.uuid4()), "reference": "someone-else"}, "ours")


def test_notify_without_its_settings_is_refused() -> None:
    with pytest.raises(ProviderNotConfigured, match="FIELDAPP_NOTIFY_API_KEY"):
        provider_from_config({"MESSAGE_PROVIDER": "notify", "NOTIFY_API_KEY": ""})


def test_the_manual_provider_needs_no_worker() -> None:
    assert provider_from_config({"MESSAGE_PROVIDER": "manual"}) is None

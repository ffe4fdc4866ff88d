"""The Notify stand-in as a process: its extra endpoint counts accepted sends per reference."""

from __future__ import annotations

import time

import jwt
from werkzeug.test import Client

from deploy.notify_server import COUNTS_PATH, FAULTS_PATH, CountingStandIn
from tests.notify_standin import SMS_TEMPLATE_ID, NotifyStandIn


def send(client: Client, standin: NotifyStandIn, reference: str) -> int:
    """POST an SMS to the stand-in as fieldapp's client would; the status."""
    token = jwt.encode({"iss": standin.service_id, "iat": int(time.time())}, standin.secret)
    body = {
        "phone_number": "07700900123",
        "template_id": SMS_TEMPLATE_ID,
        "reference": reference,
        "personalisation": {"body": "Hello"},
    }
    answer = client.post(
        "/v2/notifications/sms", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    return answer.status_code


def test_counts_accepted_sends_per_reference_and_still_serves_notify() -> None:
    standin = NotifyStandIn()
    client = Client(CountingStandIn(standin))
    assert client.get(COUNTS_PATH).json == {}
    assert [send(client, standin, ref) for ref in ("m1", "m2", "m1")] == [201, 201, 201]
    assert client.get(COUNTS_PATH).json == {"m1": 2, "m2": 1}


def test_notify_api_still_refuses_an_unsigned_send() -> None:
    client = Client(CountingStandIn(NotifyStandIn()))
    assert client.post("/v2/notifications/sms", json={}).status_code == 401


def test_faults_endpoint_fails_sends_then_clears_and_says_what_was_owed() -> None:
    standin = NotifyStandIn()
    client = Client(CountingStandIn(standin))
    assert client.post(FAULTS_PATH, json={"fail": 500, "count": 3}).json == {"owed_before": 0}
    assert send(client, standin, "m1") == 500
    client.post(FAULTS_PATH, json={"clear": True, "fail": 429, "count": 5})
    assert send(client, standin, "m1") == 429
    assert client.post(FAULTS_PATH, json={"clear": True}).json == {"owed_before": 4}
    assert send(client, standin, "m1") == 201
    assert client.get(COUNTS_PATH).json == {"m1": 1}


def test_hold_order_holds_answers_of_later_sends_until_cleared() -> None:
    standin = NotifyStandIn()
    client = Client(CountingStandIn(standin))
    assert send(client, standin, "m0") == 201
    client.post(FAULTS_PATH, json={"hold": True})
    assert standin.hold_after == 1
    assert not standin.release.is_set()
    client.post(FAULTS_PATH, json={"clear": True})
    assert standin.hold_after is None
    assert standin.release.is_set()

"""What a case's changes put in the outbox, in the same transaction as the change."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.api.portal_helpers import online, reply_and_serve, request_correction, staff_view
from tests.conftest import Staff
from tests.outbox.helpers import events, payload_of, types_of


def test_an_online_application_emits_received_and_its_receipt(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    case = online(client)
    assert types_of(runtime, case["id"]) == ["case.received", "letter.issued"]
    received = payload_of(runtime, "case.received")
    assert received["case"] == {
        "id": case["id"],
        "number": case["number"],
        "case_type": "foi_application",
        "state": case["state"],
    }
    assert received["channel"] == "online"
    letter = payload_of(runtime, "letter.issued")["letter"]
    assert letter["kind"] == "receipt"
    assert letter["to_applicant"] is True
    assert isinstance(letter["id"], int)
    for e in events(runtime):
        assert e.uid.startswith("evt_")
        assert len(e.uid) == 36
        assert e.schema_version == 1
        assert e.dispatched_at is None
        assert e.organ_id is not None


def test_payloads_carry_nothing_personal(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    case = online(client)
    request_correction(client, organ_a, case["id"])
    text = repr([e.payload for e in events(runtime)])
    view = staff_view(client, organ_a, case["id"])
    for secret in (case["query_code"], view["applicant"]["name"], view["applicant"]["phone"]):
        assert secret
        assert secret not in text


def test_an_action_emits_its_state_change_and_letters(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    case = online(client)
    request_correction(client, organ_a, case["id"])
    assert types_of(runtime, case["id"])[2:] == ["case.state_changed", "letter.issued"]
    changed = payload_of(runtime, "case.state_changed")
    assert changed["action"] == "request_correction"
    assert changed["from_state"] == case["state"]
    assert changed["case"]["state"] == "awaiting_correction"
    assert payload_of(runtime, "letter.issued")["letter"]["kind"] == "correction_notice"


def test_a_reply_emits_replied_and_its_service_emits_served(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    case = online(client)
    reply_and_serve(client, organ_a, case["id"], runtime.clock().date().isoformat())
    kinds = types_of(runtime, case["id"])
    assert kinds.count("case.replied") == 1
    assert kinds[-1] == "case.served"
    replied = payload_of(runtime, "case.replied")
    assert replied["outcome"] == "disclosed"
    assert replied["letter"]["kind"] == "reply"
    assert payload_of(runtime, "case.served")["action"] == "record_service"


def test_a_refused_action_emits_nothing(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    case = online(client)
    before = len(events(runtime))
    r = client.post(
        f"/api/v1/cases/{case['id']}/actions/request_correction",
        json={"version": 99, "items_to_correct": ["x"]},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 409
    assert len(events(runtime)) == before

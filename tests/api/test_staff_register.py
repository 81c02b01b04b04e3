"""Staff registration (POST /api/v1/cases): receipt rules per channel (RULES §3), roles, timeline."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock, application, bearer, staff_case

CASES = "/api/v1/cases"
EMS_EVIDENCE = "EMS EA123456789CN，2026-03-02 收发室王五签收"
CALL_NOTE = "2026-03-02 14:10 电话联系申请人张三（13800138000），确认已提交申请，记录人李四"
HEX64 = re.compile(r"[0-9a-f]{64}")


def _locs(r: Any) -> list[tuple[Any, ...]]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return [tuple(e["loc"]) for e in r.json()["errors"]]


def _token(staff: Staff, *roles: str) -> str:
    return staff.headers(*roles)["Authorization"].removeprefix("Bearer ")


def _case_count(client: TestClient, staff: Staff) -> int:
    r = client.get(CASES, headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    total: int = r.json()["total"]
    return total


# --- in person ---------------------------------------------------------------------------------


def test_in_person_is_received_on_the_beijing_arrival_day_without_a_receipt_date(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-03-03T10:00+08:00")
    payload = staff_case("in_person", arrived_at="2026-03-02T23:30:00Z")
    assert "receipt_date" not in payload

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "received"
    assert body["receipt_date"] == "2026-03-03"
    assert body["receipt_basis"] == "handed_in"
    due = {d["name"]: d["due_date"] for d in body["deadlines"]}
    assert due == {"reply": "2026-03-31", "correction_notice": "2026-03-12"}


def test_in_person_accepts_a_receipt_date_equal_to_the_arrival_day(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-03-03T10:00+08:00")
    payload = staff_case("in_person", arrived_at="2026-03-02T23:30:00Z", receipt_date="2026-03-03")

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert r.status_code == 201, r.text
    assert r.json()["receipt_date"] == "2026-03-03"
    assert r.json()["receipt_basis"] == "handed_in"


def test_in_person_refuses_a_receipt_date_other_than_the_arrival_day(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-03-03T10:00+08:00")
    # 2026-03-02 is the UTC date of the arrival, not the Beijing one.
    payload = staff_case("in_person", arrived_at="2026-03-02T23:30:00Z", receipt_date="2026-03-02")

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_date")]
    assert _case_count(client, organ_a) == 0


def test_in_person_refuses_a_basis_other_than_handed_in(client: TestClient, organ_a: Staff) -> None:
    payload = staff_case(
        "in_person",
        receipt_date="2026-03-02",
        receipt_basis="signed_for",
        receipt_evidence=EMS_EVIDENCE,
    )

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_basis")]


def test_naive_arrival_time_is_taken_as_beijing_time(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-03-03T10:00+08:00")
    payload = staff_case("in_person", arrived_at="2026-03-02T23:30:00")

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert r.status_code == 201, r.text
    assert r.json()["receipt_date"] == "2026-03-02"
    case = client.get(f"{CASES}/{r.json()['id']}", headers=organ_a.headers("clerk")).json()
    arrived = datetime.fromisoformat(case["arrived_at"])
    assert arrived == datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


# --- registered mail ---------------------------------------------------------------------------


def test_registered_mail_is_received_on_the_day_signed_for(
    client: TestClient, organ_a: Staff
) -> None:
    payload = staff_case(
        "registered_mail",
        arrived_at="2026-03-02T09:15:00+08:00",
        receipt_date="2026-03-02",
        receipt_basis="signed_for",
        receipt_evidence=EMS_EVIDENCE,
    )

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "received"
    assert body["receipt_date"] == "2026-03-02"
    assert body["receipt_basis"] == "signed_for"
    case = client.get(f"{CASES}/{body['id']}", headers=organ_a.headers("clerk")).json()
    assert case["channel"] == "registered_mail"
    assert case["receipt_evidence"] == EMS_EVIDENCE
    assert case["source"] == "staff"


def test_registered_mail_refuses_the_confirmed_basis(client: TestClient, organ_a: Staff) -> None:
    payload = staff_case(
        "registered_mail",
        receipt_date="2026-03-02",
        receipt_basis="confirmed",
        receipt_evidence=CALL_NOTE,
    )

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_basis")]
    assert _case_count(client, organ_a) == 0


# --- ordinary mail, fax, e-mail box: confirmed by both sides -----------------------------------


@pytest.mark.parametrize("channel", ["ordinary_mail", "fax", "online"])
def test_unconfirmed_channel_without_receipt_date_awaits_confirmation_with_no_clock(
    client: TestClient, organ_a: Staff, channel: str
) -> None:
    r = client.post(CASES, json=staff_case(channel), headers=organ_a.headers("clerk"))

    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "awaiting_confirmation"
    assert body["receipt_date"] is None
    assert body["receipt_basis"] is None
    assert body["deadlines"] == []
    case = client.get(f"{CASES}/{body['id']}", headers=organ_a.headers("clerk")).json()
    assert case["channel"] == channel
    assert case["deadlines"] == []
    assert case["receipt_date"] is None


@pytest.mark.parametrize("channel", ["ordinary_mail", "fax", "online"])
def test_unconfirmed_channel_with_confirmation_evidence_is_received(
    client: TestClient, organ_a: Staff, channel: str
) -> None:
    payload = staff_case(
        channel,
        arrived_at="2026-03-02T08:30:00+08:00",
        receipt_date="2026-03-02",
        receipt_basis="confirmed",
        receipt_evidence=CALL_NOTE,
    )

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "received"
    assert body["receipt_date"] == "2026-03-02"
    assert body["receipt_basis"] == "confirmed"
    due = {d["name"]: d["due_date"] for d in body["deadlines"]}
    assert due == {"reply": "2026-03-30", "correction_notice": "2026-03-11"}


@pytest.mark.parametrize("channel", ["ordinary_mail", "fax"])
def test_ordinary_mail_and_fax_refuse_the_signed_for_basis(
    client: TestClient, organ_a: Staff, channel: str
) -> None:
    payload = staff_case(
        channel,
        receipt_date="2026-03-02",
        receipt_basis="signed_for",
        receipt_evidence=EMS_EVIDENCE,
    )

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_basis")]


def test_staff_cannot_claim_a_platform_acknowledgement_for_the_email_box(
    client: TestClient, organ_a: Staff
) -> None:
    payload = staff_case(
        "online",
        receipt_date="2026-03-02",
        receipt_basis="platform_ack",
        receipt_evidence="系统回执",
    )

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_basis")]
    assert _case_count(client, organ_a) == 0


def test_receipt_date_without_basis_is_refused(client: TestClient, organ_a: Staff) -> None:
    payload = staff_case("ordinary_mail", receipt_date="2026-03-02", receipt_evidence=CALL_NOTE)

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_basis")]


def test_receipt_basis_without_evidence_is_refused(client: TestClient, organ_a: Staff) -> None:
    payload = staff_case("ordinary_mail", receipt_date="2026-03-02", receipt_basis="confirmed")

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_evidence")]


def test_basis_without_receipt_date_is_refused(client: TestClient, organ_a: Staff) -> None:
    payload = staff_case("ordinary_mail", receipt_basis="confirmed", receipt_evidence=CALL_NOTE)

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_date")]


def test_receipt_date_before_arrival_is_refused(client: TestClient, organ_a: Staff) -> None:
    payload = staff_case(
        "ordinary_mail",
        arrived_at="2026-03-02T08:30:00+08:00",
        receipt_date="2026-02-27",
        receipt_basis="confirmed",
        receipt_evidence=CALL_NOTE,
    )

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_date")]


def test_receipt_date_after_today_is_refused(client: TestClient, organ_a: Staff) -> None:
    payload = staff_case(
        "ordinary_mail",
        arrived_at="2026-03-02T08:30:00+08:00",
        receipt_date="2026-03-03",
        receipt_basis="confirmed",
        receipt_evidence=CALL_NOTE,
    )

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "receipt_date")]
    assert _case_count(client, organ_a) == 0


def test_arrival_in_the_future_is_refused(client: TestClient, organ_a: Staff) -> None:
    # The clock says 10:00 in Beijing; an hour later is beyond any clock skew.
    payload = staff_case("ordinary_mail", arrived_at="2026-03-02T11:00:00+08:00")

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "arrived_at")]
    assert _case_count(client, organ_a) == 0


def test_arrival_a_few_minutes_ahead_is_tolerated_as_clock_skew(
    client: TestClient, organ_a: Staff
) -> None:
    payload = staff_case("ordinary_mail", arrived_at="2026-03-02T10:04:00+08:00")

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert r.status_code == 201, r.text


def test_several_receipt_errors_are_reported_together(client: TestClient, organ_a: Staff) -> None:
    payload = staff_case("ordinary_mail", receipt_date="2026-03-03")

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert sorted(_locs(r)) == [
        ("body", "receipt_basis"),
        ("body", "receipt_date"),
        ("body", "receipt_evidence"),
    ]


# --- oral applications -------------------------------------------------------------------------


def test_filled_by_staff_is_recorded_for_an_in_person_application(
    client: TestClient, organ_a: Staff
) -> None:
    payload = staff_case("in_person", filled_by_staff=True, staff_note="申请人视力障碍，口头申请")

    r = client.post(CASES, json=payload, headers=organ_a.headers("front_desk"))

    assert r.status_code == 201, r.text
    case = client.get(f"{CASES}/{r.json()['id']}", headers=organ_a.headers("clerk")).json()
    assert case["filled_by_staff"] is True
    assert case["staff_note"] == "申请人视力障碍，口头申请"


def test_case_not_filled_by_staff_says_so(client: TestClient, organ_a: Staff) -> None:
    r = client.post(CASES, json=staff_case("in_person"), headers=organ_a.headers("clerk"))

    case = client.get(f"{CASES}/{r.json()['id']}", headers=organ_a.headers("clerk")).json()
    assert case["filled_by_staff"] is False


@pytest.mark.parametrize("channel", ["registered_mail", "ordinary_mail", "online", "fax"])
def test_filled_by_staff_is_refused_outside_the_counter(
    client: TestClient, organ_a: Staff, channel: str
) -> None:
    payload = staff_case(channel, filled_by_staff=True)

    r = client.post(CASES, json=payload, headers=organ_a.headers("clerk"))

    assert _locs(r) == [("body", "filled_by_staff")]


# --- who may register --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["front_desk", "clerk"])
def test_front_desk_and_clerk_may_register(client: TestClient, organ_a: Staff, role: str) -> None:
    r = client.post(CASES, json=staff_case("in_person"), headers=organ_a.headers(role))

    assert r.status_code == 201, r.text
    assert r.json()["number"] == "org-a依申〔2026〕0001号"


@pytest.mark.parametrize("role", ["legal", "approver", "supervisor"])
def test_other_organ_roles_may_not_register(client: TestClient, organ_a: Staff, role: str) -> None:
    r = client.post(CASES, json=staff_case("in_person"), headers=organ_a.headers(role))

    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "forbidden"
    assert _case_count(client, organ_a) == 0


def test_admin_may_not_register(client: TestClient, organ_a: Staff, admin: dict[str, str]) -> None:
    r = client.post(CASES, json=staff_case("in_person"), headers=admin)

    assert r.status_code == 403, r.text
    assert r.json()["code"] == "forbidden"


def test_registration_without_token_is_unauthenticated(client: TestClient, organ_a: Staff) -> None:
    r = client.post(CASES, json=staff_case("in_person"))

    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["code"] == "unauthenticated"
    assert _case_count(client, organ_a) == 0


@pytest.mark.parametrize(
    "authorization",
    ["Bearer gk_this-token-was-never-issued", "Basic dXNlcjpwYXNz", "Bearer"],
)
def test_registration_with_a_bogus_token_is_unauthenticated(
    client: TestClient, organ_a: Staff, authorization: str
) -> None:
    r = client.post(CASES, json=staff_case("in_person"), headers={"Authorization": authorization})

    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["code"] == "unauthenticated"


def test_registration_with_a_revoked_token_is_unauthenticated(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    token = _token(organ_a, "clerk")
    first = client.post(CASES, json=staff_case("in_person"), headers=bearer(token))
    assert first.status_code == 201, first.text

    revoked = client.delete(f"/api/v1/admin/tokens/{token[:11]}", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json() == {"revoked": 1}

    r = client.post(CASES, json=staff_case("in_person"), headers=bearer(token))
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"


# --- what the registration gives back ----------------------------------------------------------


def test_query_code_given_to_staff_opens_the_applicant_view(
    client: TestClient, organ_a: Staff
) -> None:
    receipt = client.post(
        CASES, json=staff_case("in_person"), headers=organ_a.headers("front_desk")
    ).json()

    r = client.get(
        f"/api/v1/applications/{receipt['number']}",
        headers={"X-Query-Code": receipt["query_code"]},
    )

    assert r.status_code == 200, r.text
    view = r.json()
    assert view["number"] == receipt["number"]
    assert view["state"] == "received"
    assert view["receipt_date"] == "2026-03-02"
    assert view["receipt_basis"] == "handed_in"


def test_registration_starts_the_timeline_with_one_register_event(
    client: TestClient, organ_a: Staff
) -> None:
    receipt = client.post(
        CASES,
        json=staff_case(
            "registered_mail",
            arrived_at="2026-03-02T09:15:00+08:00",
            receipt_date="2026-03-02",
            receipt_basis="signed_for",
            receipt_evidence=EMS_EVIDENCE,
        ),
        headers=organ_a.headers("clerk"),
    ).json()

    r = client.get(f"{CASES}/{receipt['id']}/events", headers=organ_a.headers("clerk"))

    assert r.status_code == 200, r.text
    events = r.json()
    assert len(events) == 1
    (event,) = events
    assert event["seq"] == 1
    assert event["action"] == "register"
    assert event["from_state"] is None
    assert event["to_state"] == "received"
    assert event["actor_kind"] == "user"
    assert event["actor_label"] == "clerk 用户"
    after = event["payload"]["after"]
    assert after["number"] == receipt["number"]
    assert after["state"] == "received"
    assert after["channel"] == "registered_mail"
    assert after["source"] == "staff"
    assert datetime.fromisoformat(after["arrived_at"]) == datetime(2026, 3, 2, 1, 15, tzinfo=UTC)
    assert after["receipt_date"] == "2026-03-02"
    assert after["receipt_basis"] == "signed_for"
    assert after["receipt_evidence"] == EMS_EVIDENCE
    assert after["filled_by_staff"] is False
    assert after["deadlines"] == {"reply": "2026-03-30", "correction_notice": "2026-03-11"}
    assert event["prev_hash"] == "0" * 64
    assert HEX64.fullmatch(event["hash"])
    assert event["hash"] != event["prev_hash"]


def test_awaiting_case_timeline_records_no_receipt(client: TestClient, organ_a: Staff) -> None:
    receipt = client.post(
        CASES, json=staff_case("fax"), headers=organ_a.headers("front_desk")
    ).json()

    events = client.get(f"{CASES}/{receipt['id']}/events", headers=organ_a.headers("clerk")).json()

    assert [e["to_state"] for e in events] == ["awaiting_confirmation"]
    assert events[0]["actor_label"] == "front_desk 用户"
    after = events[0]["payload"]["after"]
    assert after["receipt_date"] is None
    assert after["receipt_basis"] is None
    assert after["deadlines"] == {}


def test_online_submission_timeline_starts_with_the_applicants_submit(
    client: TestClient, organ_a: Staff
) -> None:
    receipt = client.post("/api/v1/applications", json=application()).json()

    events = client.get(f"{CASES}/{receipt['id']}/events", headers=organ_a.headers("clerk")).json()

    assert len(events) == 1
    event = events[0]
    assert event["action"] == "submit"
    assert event["actor_kind"] == "applicant"
    assert event["from_state"] is None
    assert event["to_state"] == "received"
    assert event["payload"]["after"]["receipt_basis"] == "platform_ack"
    assert event["prev_hash"] == "0" * 64
    assert HEX64.fullmatch(event["hash"])


# --- idempotency -------------------------------------------------------------------------------


def test_staff_retry_with_the_same_idempotency_key_registers_once(
    client: TestClient, organ_a: Staff
) -> None:
    headers = {**organ_a.headers("clerk"), "Idempotency-Key": "counter-2026-03-02-001"}
    payload = staff_case("in_person")

    first = client.post(CASES, json=payload, headers=headers)
    second = client.post(CASES, json=payload, headers=headers)

    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert _case_count(client, organ_a) == 1


def test_staff_idempotency_key_reused_for_another_payload_conflicts(
    client: TestClient, organ_a: Staff
) -> None:
    headers = {**organ_a.headers("clerk"), "Idempotency-Key": "counter-2026-03-02-002"}
    first = client.post(CASES, json=staff_case("in_person"), headers=headers)
    assert first.status_code == 201, first.text

    r = client.post(CASES, json=staff_case("fax"), headers=headers)

    assert r.status_code == 409, r.text
    assert r.json()["code"] == "idempotency-key-reused"
    assert _case_count(client, organ_a) == 1


def test_staff_without_idempotency_key_registers_each_time(
    client: TestClient, organ_a: Staff
) -> None:
    payload = staff_case("in_person")
    first = client.post(CASES, json=payload, headers=organ_a.headers("clerk")).json()
    second = client.post(CASES, json=payload, headers=organ_a.headers("clerk")).json()

    assert first["number"] == "org-a依申〔2026〕0001号"
    assert second["number"] == "org-a依申〔2026〕0002号"

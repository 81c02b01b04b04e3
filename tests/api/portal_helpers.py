"""Driving an applicant's case through the staff JSON API, for the applicant-view tests (JSON
and pages)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.letters.helpers import act
from tests.reply.helpers import ok, reply_through_review

CASES = "/api/v1/cases"


def online(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """An application submitted online (org-a confirms online receipt at once: received)."""
    from tests.fixtures.factories import application

    r = client.post("/api/v1/applications", json=application(**overrides))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def staff_view(client: TestClient, staff: Staff, case_id: int) -> dict[str, Any]:
    return ok(client.get(f"{CASES}/{case_id}", headers=staff.headers("clerk")))


def request_correction(
    client: TestClient, staff: Staff, case_id: int, received_on: str | None = None
) -> dict[str, Any]:
    """The clerk asks for a correction; with `received_on`, the notice was handed over then."""
    case = staff_view(client, staff, case_id)
    fields: dict[str, Any] = {"items_to_correct": ["请写明所需信息的年份"]}
    if received_on is not None:
        fields["notice_received_on"] = received_on
    return ok(act(client, staff, case, "request_correction", "clerk", **fields))


def reply_and_serve(
    client: TestClient, staff: Staff, case_id: int, served_on: str
) -> dict[str, Any]:
    """Reply (disclosed), then serve it in person on `served_on`."""
    case = reply_through_review(
        client, staff, staff_view(client, staff, case_id), "disclosed", provided="全文"
    )
    return ok(
        act(
            client,
            staff,
            case,
            "record_service",
            "front_desk",
            method="in_person",
            served_on=served_on,
            signature="张三",
        )
    )


def applicant_view(client: TestClient, receipt: dict[str, Any]) -> dict[str, Any]:
    r = client.get(
        f"/api/v1/applications/{receipt['number']}",
        headers={"X-Query-Code": receipt["query_code"]},
    )
    return ok(r)

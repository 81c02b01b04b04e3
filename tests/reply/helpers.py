"""Driving a case to and through its reply over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.letters.helpers import act, letters

CASES = "/api/v1/cases"


def ok(r: Any) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    return dict(r.json())


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return dict(r.json())


def case_of(client: TestClient, staff: Staff, case_id: int, role: str = "clerk") -> dict[str, Any]:
    return ok(client.get(f"{CASES}/{case_id}", headers=staff.headers(role)))


def deadline(case: dict[str, Any], name: str) -> dict[str, Any]:
    return next(d for d in case["deadlines"] if d["name"] == name)


def submit(
    client: TestClient, staff: Staff, case: dict[str, Any], outcome: str, **fields: Any
) -> Any:
    return act(client, staff, case, "submit_reply", "clerk", outcome=outcome, **fields)


def reply_through_review(
    client: TestClient, staff: Staff, case: dict[str, Any], outcome: str, **fields: Any
) -> dict[str, Any]:
    """Submit, review (legal and confidentiality where the outcome needs them), sign off and
    issue the reply."""
    case = ok(submit(client, staff, case, outcome, **fields))
    if case["review"]["legal_review"] == "pending":
        case = ok(act(client, staff, case, "legal_approve", "legal", comments="合法"))
    if case["review"]["confidentiality_review"] == "pending":
        case = ok(act(client, staff, case, "confidentiality_review", "approver", result="passed"))
    case = ok(act(client, staff, case, "approve_reply", "approver", comments="同意"))
    return ok(act(client, staff, case, "issue_reply", "clerk"))


def issued(client: TestClient, staff: Staff, case_id: int, kind: str) -> list[dict[str, Any]]:
    return [
        x for x in letters(client, staff, case_id) if x["kind"] == kind and x["status"] == "issued"
    ]


def pdf(client: TestClient, staff: Staff, letter_id: int) -> bytes:
    r = client.get(f"/api/v1/letters/{letter_id}/pdf", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return r.content

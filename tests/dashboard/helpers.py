"""Driving cases for the dashboard over HTTP, as named staff users."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.fixtures.factories import bearer, staff_case

CASES = "/api/v1/cases"
DASHBOARD = "/api/v1/dashboard"

Headers = dict[str, str]


def ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return dict(r.json())


def named_user(client: TestClient, admin: Headers, organ: str, name: str, *roles: str) -> Headers:
    """A staff user with a name of its own, created by the administrator over the API."""
    r = client.post(
        "/api/v1/admin/users",
        json={"organ_code": organ, "name": name, "roles": list(roles)},
        headers=admin,
    )
    return bearer(ok(r, 201)["token"])


def register(client: TestClient, headers: Headers, received: str) -> dict[str, Any]:
    """An application handed in at the counter on `received` (YYYY-MM-DD), at 10:00."""
    body = staff_case("in_person", arrived_at=f"{received}T10:00:00+08:00")
    return ok(client.post(CASES, json=body, headers=headers), 201)


def act(
    client: TestClient, headers: Headers, case: dict[str, Any], action: str, **body: Any
) -> dict[str, Any]:
    """Take an action with the case's current version; it must succeed."""
    body.setdefault("version", case["version"])
    return ok(client.post(f"{CASES}/{case['id']}/actions/{action}", json=body, headers=headers))


def submit(client: TestClient, headers: Headers, case: dict[str, Any]) -> dict[str, Any]:
    """Submit a 'disclosed' reply (no legal review under the default settings)."""
    return act(
        client,
        headers,
        case,
        "submit_reply",
        outcome="disclosed",
        provided="所申请信息见附件",
        provided_form="electronic",
    )


def reply(
    client: TestClient,
    case: dict[str, Any],
    *,
    author: Headers,
    approver: Headers,
    issuer: Headers,
) -> dict[str, Any]:
    """Submit (author), sign off (approver) and issue (issuer) a reply today."""
    case = submit(client, author, case)
    if case["review"]["confidentiality_review"] == "pending":
        case = act(client, approver, case, "confidentiality_review", result="passed")
    case = act(client, approver, case, "approve_reply", comments="同意")
    return act(client, issuer, case, "issue_reply")


def dashboard(client: TestClient, headers: Headers, **params: str) -> dict[str, Any]:
    return ok(client.get(DASHBOARD, params=params, headers=headers))


def total(client: TestClient, headers: Headers, href: str) -> int:
    """The `total` of a case-list query given as a dashboard href."""
    return int(ok(client.get(href, headers=headers))["total"])

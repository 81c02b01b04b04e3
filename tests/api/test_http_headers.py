"""Security headers on every response, and no-store on every answer that carries personal data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.http.security import PUBLIC_ROUTES
from tests.api.test_intake_online import PNG
from tests.conftest import Staff
from tests.fixtures.factories import application, staff_case

CASES = "/api/v1/cases"


def assert_secured(r: Any) -> None:
    """The headers every response carries, whatever produced it."""
    assert r.headers["x-content-type-options"] == "nosniff", r.url
    assert r.headers["referrer-policy"] == "no-referrer", r.url
    assert r.headers["x-frame-options"] == "DENY", r.url
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"], r.url
    assert "server" not in r.headers, r.url


@pytest.fixture
def case(client: TestClient, organ_a: Staff) -> dict[str, Any]:
    """A registered case with one attachment, a receipt letter, and an online application."""
    r = client.post(
        CASES,
        data={"application": json.dumps(staff_case("in_person"))},
        files=[("attachments", ("身份证.png", PNG, "image/png"))],
        headers=organ_a.headers("front_desk"),
    )
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    detail = client.get(f"{CASES}/{case_id}", headers=organ_a.headers("clerk")).json()
    online = client.post("/api/v1/applications", json=application())
    assert online.status_code == 201, online.text
    return {"id": case_id, "attachment": detail["attachments"][0]["id"], "online": online.json()}


def test_problem_json_errors_carry_the_security_headers(client: TestClient) -> None:
    responses = [
        client.get(f"{CASES}/1"),  # 401
        client.get("/api/v1/no/such/path"),  # 404 (unknown pages outside /api are pages)
        client.get("/healthz?q=%00"),  # 400 from a middleware
        client.post("/api/v1/applications", content=b"{", headers={"content-type": "text/x"}),
        client.get("/healthz", headers={f"x-h{i}": "v" for i in range(101)}),  # 431
    ]
    for r in responses:
        assert r.headers["content-type"] == "application/problem+json", (r.url, r.text)
        assert_secured(r)
        assert r.headers["cache-control"] == "no-store"


def test_page_errors_carry_the_security_headers(client: TestClient) -> None:
    r = client.get("/no/such/path")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert_secured(r)
    assert r.headers["cache-control"] == "no-store"


def test_a_server_error_carries_the_security_headers(app: FastAPI) -> None:
    # The header layer wraps Starlette's 500 handler too.
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")

    assert r.status_code == 500
    assert_secured(r)


def test_health_docs_and_openapi_carry_the_security_headers(client: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/docs", "/openapi.json", "/docs/assets/swagger-ui.css"):
        r = client.get(path)
        assert r.status_code in (200, 503), path
        assert_secured(r)
        assert r.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_downloads_keep_their_sandbox_policy_with_frame_ancestors_added(
    client: TestClient, organ_a: Staff, case: dict[str, Any]
) -> None:
    h = organ_a.headers("clerk")
    attachment = client.get(f"{CASES}/{case['id']}/attachments/{case['attachment']}", headers=h)
    letters = client.get(f"{CASES}/{case['id']}/letters", headers=h).json()
    pdf = client.get(f"/api/v1/letters/{letters[0]['id']}/pdf", headers=h)

    for r in (attachment, pdf):
        assert r.status_code == 200, r.text
        assert_secured(r)
        csp = [p.strip() for p in r.headers["content-security-policy"].split(";")]
        assert csp[0] == "sandbox", csp
        assert "default-src 'none'" in csp
        assert csp.count("frame-ancestors 'none'") == 1
    # The letter keeps its own revalidation rule (ETag), the attachment is not stored.
    assert pdf.headers["cache-control"] == "private, max-age=0, must-revalidate"
    assert attachment.headers["cache-control"] == "no-store"


def test_personal_data_is_never_stored_by_a_cache(
    client: TestClient, organ_a: Staff, admin: dict[str, str], case: dict[str, Any]
) -> None:
    h = organ_a.headers("clerk", "supervisor")
    number, code = case["online"]["number"], case["online"]["query_code"]
    applicant = {"X-Query-Code": code}
    responses = {
        "case detail": client.get(f"{CASES}/{case['id']}", headers=h),
        "case list": client.get(CASES, headers=h),
        "events": client.get(f"{CASES}/{case['id']}/events", headers=h),
        "deadlines": client.get(f"{CASES}/{case['id']}/deadlines", headers=h),
        "letters": client.get(f"{CASES}/{case['id']}/letters", headers=h),
        "applicant view": client.get(f"/api/v1/applications/{number}", headers=applicant),
        "applicant letters": client.get(
            f"/api/v1/applications/{number}/letters", headers=applicant
        ),
        "dashboard": client.get("/api/v1/dashboard", headers=h),
        "report drill-down": client.get(
            "/api/v1/reports/annual/2026/cells/new/natural_person", headers=h
        ),
        "ledger export": client.get(
            "/api/v1/reports/ledger?from=2026-01-01&to=2026-12-31&format=csv", headers=h
        ),
        "users (token shown once)": client.post(
            "/api/v1/admin/users",
            json={"organ_code": "org-a", "name": "承办人 周", "roles": ["clerk"]},
            headers=admin,
        ),
    }
    for name, r in responses.items():
        assert r.status_code in (200, 201), (name, r.text)
        assert r.headers["cache-control"] == "no-store", name
        assert_secured(r)


def test_public_reference_data_may_be_cached(client: TestClient) -> None:
    for path in ("/api/v1/workflow", "/api/v1/calendar/2026", "/api/v1/organs"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "cache-control" not in r.headers, path
        assert_secured(r)


def test_every_public_route_exists(app: FastAPI) -> None:
    # The list names route templates; a renamed route must not silently stay cacheable.
    served = {getattr(r, "path", None) for r in app.routes}
    for router_route in app.router.routes:
        served |= {getattr(r, "path", None) for r in getattr(router_route, "routes", [])}
    doc_paths = set(app.openapi()["paths"])
    for path in PUBLIC_ROUTES:
        assert path in served or path in doc_paths, path

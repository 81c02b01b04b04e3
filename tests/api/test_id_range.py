"""Ids no row can have answer like unknown ids (404 problem+json), on every id route.

Row ids are INTEGER columns: 1 to 2^31-1. Past either end PostgreSQL fails with "integer out of
range" and SQLite's driver overflows beyond 2^63, so such an id must never reach the database.
The routes are read from the OpenAPI document, so a new id route is covered the day it is added.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.fields import MAX_ROW_ID
from app.main import create_app
from tests.conftest import Staff

PROBLEM = "application/problem+json"
OUT_OF_RANGE = (-(2**100), -(2**63) - 1, -(2**31) - 1, -1, 0, 2**31, 2**63, 2**100)
STAFF_ROLES = ("clerk", "front_desk", "approver", "supervisor", "legal")


def _operations() -> list[tuple[str, str, list[str]]]:
    settings = Settings(database_url="sqlite://", secret_key="openapi-only")  # type: ignore[arg-type]
    paths = create_app(settings=settings).openapi()["paths"]
    found = []
    for path, item in paths.items():
        for method, op in item.items():
            ids = [
                p["name"]
                for p in op.get("parameters", [])
                if p["in"] == "path" and p["schema"].get("type") == "integer"
                and p["name"].endswith("_id")
            ]  # fmt: skip
            if ids:
                found.append((method.upper(), path, ids))
    return found


OPERATIONS = _operations()


def test_the_id_routes_are_all_found() -> None:
    # Today: cases (5), letters (8), remedies (3), suggestions, applicant letter, user tokens.
    assert len(OPERATIONS) >= 20
    assert ("GET", "/api/v1/cases/{case_id}/deadlines", ["case_id"]) in OPERATIONS


def _url(path: str, ids: list[str], bad: str, value: int) -> str:
    filled = {name: (value if name == bad else 1) for name in ids}
    return path.format(number="X", action="withdraw", page=1, code="org-a", **filled)


# Valid bodies, so that an unknown id gets as far as the database and answers 404.
REMEDY = {"kind": "reconsideration", "body": "示例市人民政府", "filed_on": "2026-03-01"}
CONTACT = {"occurred_at": "2026-03-02T09:30:00+08:00", "party_name": "李四",
           "party_kind": "applicant", "method": "phone", "summary": "询问办理进度"}  # fmt: skip
MARK = {"kind": "phrase", "phrase": "张三", "ground": "withheld.third_party_rights",
        "reason": "个人隐私"}  # fmt: skip
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/cases/{case_id}/letters"): {"kind": "correction_notice"},
    ("POST", "/api/v1/cases/{case_id}/remedies"): REMEDY,
    ("PUT", "/api/v1/cases/{case_id}/remedies/{record_id}"): REMEDY,
    ("POST", "/api/v1/cases/{case_id}/communications"): CONTACT,
    ("PUT", "/api/v1/cases/{case_id}/communications/{record_id}"): CONTACT,
    ("PUT", "/api/v1/admin/users/{user_id}"): {"roles": ["clerk"], "active": True},
    ("PUT", "/api/v1/admin/users/{user_id}/oidc-subject"): {"subject": "zwfw-000123"},
    ("PATCH", "/api/v1/departments/{department_id}"): {"name": "规划科"},
    ("PUT", "/api/v1/departments/{department_id}/members"): {"user_ids": []},
    ("POST", "/api/v1/cases/{case_id}/assign"): {"department_id": 1},
    ("POST", "/api/v1/cases/{case_id}/assistance-requests"): {
        "department_id": 1,
        "text": "请检索",
        "due_in_working_days": 3,
    },
    ("POST", "/api/v1/assistance-requests/{request_id}/answer"): {"outcome": "found"},
    ("POST", "/api/v1/cases/{case_id}/released-documents/{document_id}/marks"): MARK,
    ("PUT", "/api/v1/cases/{case_id}/released-documents/{document_id}/marks/{mark_id}"): MARK,
    ("POST", "/api/v1/admin/organs/{code}/certificates/{certificate_id}/withdraw"): {
        "reason": "私钥泄露"
    },
}


def _request(client: TestClient, method: str, path: str, url: str, headers: dict[str, str]) -> Any:
    body = BODIES.get((method, path), {}) if method in ("POST", "PUT", "PATCH") else None
    return client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize(
    ("method", "path", "ids"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_an_id_out_of_range_is_not_found_like_an_unknown_one(
    client: TestClient,
    organ_a: Staff,
    admin: dict[str, str],
    method: str,
    path: str,
    ids: list[str],
) -> None:
    if path.startswith(
        ("/api/v1/admin/", "/api/v1/outbox/", "/api/v1/webhooks", "/api/v1/departments")
    ):
        headers = admin
    elif path.startswith("/api/v1/applications/"):
        headers = {"X-Query-Code": "A" * 20}
    else:
        headers = organ_a.headers(*STAFF_ROLES)
    for bad in ids:
        unknown = _request(client, method, path, _url(path, ids, bad, MAX_ROW_ID), headers)
        assert unknown.status_code == 404, unknown.text
        for value in OUT_OF_RANGE:
            r = _request(client, method, path, _url(path, ids, bad, value), headers)
            assert r.status_code == 404, (value, r.text)
            assert r.headers["content-type"] == PROBLEM
            assert r.json()["code"] == unknown.json()["code"] == "not-found"
            assert r.json()["title"] == unknown.json()["title"]


def test_an_id_that_is_not_a_whole_number_stays_a_validation_problem(
    client: TestClient, organ_a: Staff
) -> None:
    for raw in ("abc", "1.5", "²", "١"):
        r = client.get(f"/api/v1/cases/{raw}", headers=organ_a.headers("clerk"))
        assert r.status_code == 422, (raw, r.text)
        assert r.headers["content-type"] == PROBLEM
        assert [e["loc"] for e in r.json()["errors"]] == [["path", "case_id"]]


def test_an_id_out_of_range_is_not_found_before_the_body_is_judged(
    client: TestClient, organ_a: Staff
) -> None:
    r = client.post(
        f"/api/v1/cases/{2**63}/remedies",
        json={"kind": "nonsense"},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 404, r.text


def test_an_id_out_of_range_still_needs_credentials(client: TestClient, organ_a: Staff) -> None:
    assert client.get(f"/api/v1/cases/{-(2**100)}").status_code == 401


def test_every_integer_parameter_is_bounded_at_both_ends() -> None:
    """Path, query and header integers: none reaches the database (or Python) unbounded."""
    settings = Settings(database_url="sqlite://", secret_key="openapi-only")  # type: ignore[arg-type]
    unbounded = []
    for path, item in create_app(settings=settings).openapi()["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []):
                schemas = p["schema"].get("anyOf", [p["schema"]])
                for schema in schemas:
                    if schema.get("type") == "integer" and not (
                        "minimum" in schema and "maximum" in schema
                    ):
                        unbounded.append(f"{method.upper()} {path} {p['name']}")
    assert unbounded == []


def test_a_body_id_out_of_range_is_a_validation_problem(client: TestClient, organ_a: Staff) -> None:
    r = client.post(
        "/api/v1/print-batches",
        json={"letter_ids": [2**63]},
        headers=organ_a.headers("front_desk"),
    )
    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["body", "letter_ids", 0]]

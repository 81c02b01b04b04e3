"""Who may read which organ's dashboard; no input makes it fail."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.dashboard.helpers import DASHBOARD, dashboard, register
from tests.fixtures.factories import Clock


@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor", "front_desk"])
def test_whole_organ_roles_read_their_own_organs_dashboard(
    client: TestClient, organ_a: Staff, role: str
) -> None:
    body = dashboard(client, organ_a.headers(role))
    assert (body["organ_code"], body["organ_name"]) == ("org-a", "org-a 示例区人民政府办公室")
    assert body["as_of"] == "2026-03-02"
    assert body["year"] == 2026


def test_a_staff_member_may_name_their_own_organ(client: TestClient, organ_a: Staff) -> None:
    assert dashboard(client, organ_a.headers("clerk"), organ="org-a")["organ_code"] == "org-a"


@pytest.mark.parametrize("code", ["org-b", "no-such-organ"])
def test_another_organ_answers_like_an_unknown_one(
    client: TestClient, organ_a: Staff, organ_b: Staff, code: str
) -> None:
    r = client.get(DASHBOARD, params={"organ": code}, headers=organ_a.headers("supervisor"))
    assert r.status_code == 404, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not-found"


def test_the_legal_office_alone_may_not_read_the_dashboard(
    client: TestClient, organ_a: Staff
) -> None:
    r = client.get(DASHBOARD, headers=organ_a.headers("legal"))
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "forbidden"
    # With a whole-organ role besides, it may.
    assert dashboard(client, organ_a.headers("legal", "clerk"))["organ_code"] == "org-a"


def test_without_a_token_the_answer_is_401(client: TestClient, organ_a: Staff) -> None:
    r = client.get(DASHBOARD)
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"
    r = client.get(DASHBOARD, headers={"Authorization": "Bearer gk_not-a-token"})
    assert r.status_code == 401


def test_an_administrator_must_name_the_organ(
    client: TestClient, admin: dict[str, str], organ_a: Staff, organ_b: Staff, clock: Clock
) -> None:
    register(client, organ_b.headers("clerk"), "2026-03-02")
    r = client.get(DASHBOARD, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation-error"
    assert r.json()["errors"][0]["loc"] == ["query", "organ"]

    body = dashboard(client, admin, organ="org-b")
    assert (body["organ_code"], body["total_cases"]) == ("org-b", 1)
    body = dashboard(client, admin, organ="org-a")
    assert (body["organ_code"], body["total_cases"]) == ("org-a", 0)

    r = client.get(DASHBOARD, params={"organ": "org-z"}, headers=admin)
    assert r.status_code == 404
    assert r.json()["code"] == "not-found"


@pytest.mark.parametrize(
    ("organ", "status", "code"),
    [
        ("", 422, "validation-error"),
        ("x" * 33, 422, "validation-error"),
        ("../org-a", 422, "validation-error"),
        ("org a", 422, "validation-error"),
        ("' OR 1=1 --", 422, "validation-error"),
        ("机关", 422, "validation-error"),
        ("%00", 422, "validation-error"),
        ("-org", 422, "validation-error"),
        ("org-a\x00", 400, "nul-in-url"),  # refused for every route before it is routed
    ],
)
def test_a_malformed_organ_code_is_refused(
    client: TestClient, admin: dict[str, str], organ_a: Staff, organ: str, status: int, code: str
) -> None:
    for headers in (admin, organ_a.headers("clerk")):
        r = client.get(DASHBOARD, params={"organ": organ}, headers=headers)
        assert r.status_code == status, (organ, r.text)
        assert r.json()["code"] == code


def test_unknown_parameters_are_ignored_and_the_organs_own_figures_returned(
    client: TestClient, organ_a: Staff
) -> None:
    r = client.get(
        DASHBOARD, params={"year": "1900", "due_within": "-1"}, headers=organ_a.headers("clerk")
    )
    assert r.status_code == 200, r.text
    assert r.json()["year"] == 2026


def test_as_of_is_the_beijing_date(client: TestClient, organ_a: Staff, clock: Clock) -> None:
    clock.set("2026-12-31T16:30+00:00")  # already 1 January 2027 in Beijing
    body = dashboard(client, organ_a.headers("clerk"))
    assert (body["as_of"], body["year"]) == ("2027-01-01", 2027)

"""Managing webhook subscriptions through the JSON API: admins only, organ-scoped, the secret
shown once, bad input refused with 422."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.outbox.events import CASE_EVENT_TYPES
from app.runtime import Runtime
from app.webhooks.schemas import EventType
from tests.conftest import Staff
from tests.webhooks.helpers import HOOKS, subscribe

URL = "https://oa.example.gov.cn/gongkai/hook"


def test_the_subscribable_types_are_the_case_event_types() -> None:
    assert set(EventType.__args__) == set(CASE_EVENT_TYPES)


def test_an_organ_admin_subscribes_and_sees_the_secret_once(
    client: TestClient, organ_a: Staff
) -> None:
    admin = organ_a.headers("admin")
    made = subscribe(client, admin, URL, ["case.received", "letter.issued"], description="OA 系统")
    assert made["id"].startswith("whs_")
    assert len(made["id"]) == 36
    assert made["secret"].startswith("whsec_")
    assert made["organ_code"] == "org-a"
    assert made["active"] is True
    assert made["event_types"] == ["case.received", "letter.issued"]
    shown = client.get(f"{HOOKS}/{made['id']}", headers=admin)
    assert shown.status_code == 200
    listed = client.get(HOOKS, headers=admin).json()
    assert [h["id"] for h in listed] == [made["id"]]
    for text in (shown.text, client.get(HOOKS, headers=admin).text):
        assert made["secret"] not in text
        assert "secret" not in text


def test_the_secret_is_stored_encrypted(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    from sqlalchemy import select

    from app.models import WebhookSubscription

    made = subscribe(client, organ_a.headers("admin"), URL)
    with runtime.sessions.read() as s:
        stored = s.scalar(select(WebhookSubscription.secret_encrypted))
    assert stored is not None
    assert made["secret"] not in stored
    assert made["secret"][6:] not in stored


def test_rotating_gives_a_new_secret_once(client: TestClient, organ_a: Staff) -> None:
    admin = organ_a.headers("admin")
    made = subscribe(client, admin, URL)
    r = client.post(f"{HOOKS}/{made['id']}/rotate-secret", headers=admin)
    assert r.status_code == 200, r.text
    new = r.json()["secret"]
    assert new.startswith("whsec_")
    assert new != made["secret"]
    assert new not in client.get(f"{HOOKS}/{made['id']}", headers=admin).text


def test_a_platform_admin_names_the_organ(
    client: TestClient, organ_a: Staff, organ_b: Staff, admin: dict[str, str]
) -> None:
    r = client.post(HOOKS, json={"url": URL, "event_types": ["case.received"]}, headers=admin)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "organ_code"]
    a = subscribe(client, admin, URL, organ_code="org-a")
    b = subscribe(client, admin, URL, organ_code="org-b")
    assert {h["id"] for h in client.get(HOOKS, headers=admin).json()} == {a["id"], b["id"]}
    only_b = client.get(HOOKS, params={"organ_code": "org-b"}, headers=admin).json()
    assert [h["id"] for h in only_b] == [b["id"]]


def test_another_organs_admin_finds_nothing(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    made = subscribe(client, organ_a.headers("admin"), URL)
    other = organ_b.headers("admin")
    assert client.get(HOOKS, headers=other).json() == []
    path = f"{HOOKS}/{made['id']}"
    for method, suffix, body in (
        ("GET", "", None),
        ("PATCH", "", {"active": False}),
        ("DELETE", "", None),
        ("POST", "/rotate-secret", None),
        ("GET", "/deliveries", None),
    ):
        r = client.request(method, path + suffix, json=body, headers=other)
        assert r.status_code == 404, (method, suffix, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    # nothing changed for organ A
    assert client.get(path, headers=organ_a.headers("admin")).json()["active"] is True
    r = client.post(
        HOOKS,
        json={"url": URL, "event_types": ["case.received"], "organ_code": "org-a"},
        headers=other,
    )
    assert r.status_code == 422


def test_staff_without_the_admin_role_are_refused(client: TestClient, organ_a: Staff) -> None:
    clerk = organ_a.headers("clerk", "supervisor")
    assert client.get(HOOKS, headers=clerk).status_code == 403
    assert client.get("/api/v1/outbox/dead", headers=clerk).status_code == 403
    body = {"url": URL, "event_types": ["case.received"]}
    assert client.post(HOOKS, json=body, headers=clerk).status_code == 403


BAD: list[tuple[dict[str, Any], str]] = [
    ({"url": "ftp://oa.example.gov.cn/x"}, "url"),
    ({"url": "https://user:pw@oa.example.gov.cn/x"}, "url"),
    ({"url": "https:///nohost"}, "url"),
    ({"url": "oa.example.gov.cn/x"}, "url"),
    ({"url": "https://oa.example.gov.cn/x#frag"}, "url"),
    ({"url": "https://例子.中国/x"}, "url"),
    ({"event_types": []}, "event_types"),
    ({"event_types": ["digest.due"]}, "event_types"),
    ({"event_types": ["nope"]}, "event_types"),
    ({"secret": "whsec_mine"}, "secret"),
    ({"description": "x" * 201}, "description"),
]


def test_bad_subscriptions_are_refused_with_422(client: TestClient, organ_a: Staff) -> None:
    admin = organ_a.headers("admin")
    for change, field in BAD:
        body = {"url": URL, "event_types": ["case.received"], **change}
        r = client.post(HOOKS, json=body, headers=admin)
        assert r.status_code == 422, (change, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert field in r.json()["errors"][0]["loc"], (change, r.json())
    assert client.get(HOOKS, headers=admin).json() == []


def test_patch_changes_what_it_names(client: TestClient, organ_a: Staff) -> None:
    admin = organ_a.headers("admin")
    made = subscribe(client, admin, URL, description="旧")
    path = f"{HOOKS}/{made['id']}"
    r = client.patch(path, json={"url": "http://10.0.0.5:8080/in"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["url"] == "http://10.0.0.5:8080/in"
    assert r.json()["description"] == "旧"
    r = client.patch(path, json={"event_types": ["case.served", "case.served"]}, headers=admin)
    assert r.json()["event_types"] == ["case.served"]
    r = client.patch(path, json={"active": False}, headers=admin)
    assert r.json()["active"] is False
    assert r.json()["disabled_at"] is not None
    assert "turned off" in r.json()["disabled_reason"]
    r = client.patch(path, json={"active": True}, headers=admin)
    assert r.json()["active"] is True
    assert r.json()["disabled_at"] is None
    for bad in ({"active": "false"}, {"event_types": None}, {"url": None}, {"x": 1}):
        assert client.patch(path, json=bad, headers=admin).status_code == 422, bad


def test_delete_hides_the_subscription(client: TestClient, organ_a: Staff) -> None:
    admin = organ_a.headers("admin")
    made = subscribe(client, admin, URL)
    path = f"{HOOKS}/{made['id']}"
    assert client.delete(path, headers=admin).status_code == 204
    assert client.get(path, headers=admin).status_code == 404
    assert client.delete(path, headers=admin).status_code == 404
    assert client.get(HOOKS, headers=admin).json() == []
    assert client.get(f"{HOOKS}/whs_nope", headers=admin).status_code == 404

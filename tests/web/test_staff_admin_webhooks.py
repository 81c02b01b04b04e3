"""Webhook subscriptions and dead letters on the admin pages: the same services as the JSON
routes, the secret shown once, CSRF on every form, organ-scoped, admins only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.outbox.worker import Worker
from app.runtime import Runtime
from app.webhooks.channel import WebhookChannel
from tests.conftest import Staff
from tests.outbox.helpers import deliveries
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)
from tests.webhooks.helpers import HOOKS, emit_events, subscribe
from tests.webhooks.receiver import Receiver, serve

SECRET = re.compile(r'<span class="code token-secret">(whsec_[^<]+)</span>')
NEW = "/staff/admin/webhooks/new"


@pytest.fixture
def users(runtime: Runtime, organ_a: Staff, organ_b: Staff) -> dict[str, int]:
    return {
        "a-admin": make_staff(runtime, "org-a", "admin", login="aadmin"),
        "b-admin": make_staff(runtime, "org-b", "admin", login="badmin"),
        "clerk": make_staff(runtime, "org-a", "clerk", login="clerk"),
    }


def _form(client: TestClient, path: str, **fields: str | list[str]) -> dict[str, str | list[str]]:
    return {"csrf_token": csrf(client, path), **fields}


def test_an_organ_admin_subscribes_on_the_page_and_sees_the_secret_once(
    client: TestClient, users: dict[str, int], organ_a: Staff
) -> None:
    page = signed_in(client, "aadmin")
    listed = page.get("/staff/admin/webhooks")
    assert listed.status_code == 200
    assert 'href="/staff/admin/webhooks"' in listed.text  # in the nav
    assert 'href="/staff/admin/outbox"' in listed.text
    assert "还没有订阅" in listed.text
    form = page.get(NEW)
    assert 'name="organ_code"' not in form.text  # an organ's admin subscribes for their own
    data = _form(page, NEW, url="https://oa.example.gov.cn/in",
                 event_types=["case.received", "case.replied"], description="OA")  # fmt: skip
    r = page.post(NEW, data=data)
    assert r.status_code == 201, r.text[:2000]
    assert r.headers["cache-control"] == "no-store"
    found = SECRET.search(r.text)
    assert found
    secret = found.group(1)
    [hook] = client.get(HOOKS, headers=organ_a.headers("admin")).json()
    assert hook["url"] == "https://oa.example.gov.cn/in"
    assert hook["event_types"] == ["case.received", "case.replied"]
    detail = page.get(f"/staff/admin/webhooks/{hook['id']}")
    assert detail.status_code == 200
    assert secret not in detail.text
    assert "还没有投递" in detail.text
    assert hook["id"] in page.get("/staff/admin/webhooks").text


def test_bad_input_is_shown_beside_its_fields(
    client: TestClient, users: dict[str, int], organ_a: Staff
) -> None:
    page = signed_in(client, "aadmin")
    r = page.post(NEW, data=_form(page, NEW, url="ftp://x.example/in"))
    assert r.status_code == 422
    assert 'id="error-summary"' in r.text
    assert 'id="url-error"' in r.text
    assert 'id="event_types-error"' in r.text
    assert 'value="ftp://x.example/in"' in r.text  # what was typed stays
    assert client.get(HOOKS, headers=organ_a.headers("admin")).json() == []


def test_edit_rotate_turn_off_and_delete(
    client: TestClient, users: dict[str, int], organ_a: Staff
) -> None:
    made = subscribe(client, organ_a.headers("admin"), "https://oa.example.gov.cn/in")
    page = signed_in(client, "aadmin")
    path = f"/staff/admin/webhooks/{made['id']}"
    data = _form(page, path, url="https://oa2.example.gov.cn/in", event_types=["case.served"])
    r = page.post(path, data=data, follow_redirects=False)
    assert r.status_code == 303
    assert "已保存" in page.get(r.headers["location"]).text
    shown = client.get(f"{HOOKS}/{made['id']}", headers=organ_a.headers("admin")).json()
    assert (shown["url"], shown["event_types"]) == (
        "https://oa2.example.gov.cn/in",
        ["case.served"],
    )
    r = page.post(f"{path}/rotate", data=_form(page, path))
    found = SECRET.search(r.text)
    assert found
    assert found.group(1) != made["secret"]
    r = page.post(f"{path}/active", data=_form(page, path, active="false"), follow_redirects=False)
    assert r.status_code == 303
    assert "已停用" in page.get(path).text
    r = page.post(f"{path}/delete", data=_form(page, path), follow_redirects=False)
    assert r.headers["location"] == f"/staff/admin/webhooks?deleted={made['id']}"
    assert page.get(path).status_code == 404


def test_a_form_without_its_csrf_token_changes_nothing(
    client: TestClient, users: dict[str, int], organ_a: Staff
) -> None:
    made = subscribe(client, organ_a.headers("admin"), "https://oa.example.gov.cn/in")
    page = signed_in(client, "aadmin")
    r = page.post(f"/staff/admin/webhooks/{made['id']}/active", data={"active": "false"})
    assert r.status_code in (400, 403)
    shown = client.get(f"{HOOKS}/{made['id']}", headers=organ_a.headers("admin")).json()
    assert shown["active"] is True


def test_another_organs_admin_and_a_clerk_get_nothing(
    client: TestClient, users: dict[str, int], organ_a: Staff
) -> None:
    made = subscribe(client, organ_a.headers("admin"), "https://oa.example.gov.cn/in")
    other = signed_in(client, "badmin")
    assert made["id"] not in other.get("/staff/admin/webhooks").text
    assert other.get(f"/staff/admin/webhooks/{made['id']}").status_code == 404
    client.cookies.clear()
    clerk = signed_in(client, "clerk")
    assert clerk.get("/staff/admin/webhooks").status_code == 403
    assert clerk.get("/staff/admin/outbox").status_code == 403
    assert 'href="/staff/admin/webhooks"' not in clerk.get("/staff/").text


def test_a_dead_letter_is_redelivered_from_the_page(
    client: TestClient, runtime: Runtime, users: dict[str, int], organ_a: Staff
) -> None:
    receiver = Receiver(answer=lambda n, r: 410 if n == 1 else 200)
    with serve(receiver):
        made = subscribe(client, organ_a.headers("admin"), receiver.url)
        emit_events(runtime, "org-a", 1)
        w = Worker(runtime, channels=[WebhookChannel(runtime)], scheduler=False)
        assert w.tick().dead == 1
        page = signed_in(client, "aadmin")
        dead = page.get("/staff/admin/outbox")
        assert "HTTP 410" in dead.text
        [d] = deliveries(runtime)
        # the subscription was turned off by the 410: on again, then redeliver
        hook = f"/staff/admin/webhooks/{made['id']}"
        page.post(f"{hook}/active", data=_form(page, hook, active="true"))
        r = page.post(
            f"/staff/admin/outbox/{d.id}/redeliver",
            data=_form(page, "/staff/admin/outbox"),
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert "已重新排队" in page.get(r.headers["location"]).text
        assert w.tick().delivered == 1
    assert "没有投递失败的记录" in page.get("/staff/admin/outbox").text
    assert len(receiver.requests) == 2
    assert receiver.requests[0].id == receiver.requests[1].id

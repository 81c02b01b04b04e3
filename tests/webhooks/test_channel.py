"""The webhook channel against a real HTTP receiver: signed as Standard Webhooks says (checked
with the reference library), the same webhook-id on every retry, 410 turns the subscription
off, a disabled subscription's deliveries become dead letters, admins redeliver them."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook, WebhookVerificationError

from app.outbox.events import CASE_RECEIVED, LETTER_ISSUED
from app.outbox.worker import Worker
from app.runtime import Runtime
from app.webhooks.channel import WebhookChannel
from tests.api.portal_helpers import online
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.outbox.helpers import attempts, deliveries, events
from tests.webhooks.helpers import HOOKS, emit_events, subscribe
from tests.webhooks.receiver import Receiver, serve


def worker(rt: Runtime) -> Worker:
    return Worker(rt, channels=[WebhookChannel(rt)], scheduler=False)


def test_an_application_reaches_the_receiver_signed(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    with serve() as receiver:
        hook = subscribe(
            client, organ_a.headers("admin"), receiver.url, [CASE_RECEIVED, LETTER_ISSUED]
        )
        case = online(client)
        report = worker(runtime).tick()
    assert report.delivered == 2
    assert len(receiver.requests) == 2
    verifier = Webhook(hook["secret"])
    uids = {e.uid: e for e in events(runtime)}
    for got in receiver.requests:
        body = verifier.verify(got.body, got.headers)
        assert got.path == "/hook"
        assert got.headers["content-type"] == "application/json"
        event = uids[got.id]
        assert body["type"] == event.type
        assert body["data"] == event.payload
        assert body["data"]["case"]["number"] == case["number"]
        assert body["timestamp"].endswith("Z")
        # another secret, or a changed body, does not verify
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "QUFB" * 8).verify(got.body, got.headers)
        with pytest.raises(WebhookVerificationError):
            verifier.verify(got.body.replace(b"case", b"cose"), got.headers)
    assert [json.loads(r.body)["type"] for r in receiver.requests] == [
        CASE_RECEIVED,
        LETTER_ISSUED,
    ]
    assert case["query_code"].encode() not in b"".join(r.body for r in receiver.requests)


def test_only_the_organs_subscriptions_for_the_type_get_it(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff
) -> None:
    with serve() as a, serve() as other_type, serve() as b:
        subscribe(client, organ_a.headers("admin"), a.url, [CASE_RECEIVED])
        subscribe(client, organ_a.headers("admin"), other_type.url, ["case.served"])
        subscribe(client, organ_b.headers("admin"), b.url, [CASE_RECEIVED])
        emit_events(runtime, "org-a", 3)
        worker(runtime).tick()
    assert len(a.requests) == 3
    assert other_type.requests == []
    assert b.requests == []


def test_a_failed_delivery_is_retried_with_the_same_webhook_id(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    receiver = Receiver(answer=lambda n, r: 500 if n == 1 else 200)
    with serve(receiver):
        hook = subscribe(client, organ_a.headers("admin"), receiver.url)
        emit_events(runtime, "org-a", 1)
        w = worker(runtime)
        first = w.tick()
        assert (first.delivered, first.failed) == (0, 1)
        [pending] = deliveries(runtime)
        assert pending.status == "pending"
        assert pending.last_error == "HTTP 500: status 500"
        assert w.tick().delivered == 0  # not due yet
        clock.advance(seconds=31)
        assert w.tick().delivered == 1
    one, two = receiver.requests
    assert one.id == two.id == events(runtime)[0].uid
    verifier = Webhook(hook["secret"])
    assert verifier.verify(one.body, one.headers) == verifier.verify(two.body, two.headers)
    [done] = deliveries(runtime)
    assert (done.status, done.attempts, done.result) == ("delivered", 2, {"status": 200})
    assert [a.ok for a in attempts(runtime, done.id)] == [False, True]
    log = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=organ_a.headers("admin"))
    assert log.status_code == 200
    [entry] = log.json()
    assert entry["event_id"] == one.id
    assert entry["event_type"] == CASE_RECEIVED
    assert entry["status"] == "delivered"
    assert [a["ok"] for a in entry["log"]] == [False, True]
    assert entry["log"][0]["detail"] == "HTTP 500: status 500"


def test_a_receiver_that_is_down_is_retried(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    with serve() as receiver:
        url = receiver.url
    subscribe(client, organ_a.headers("admin"), url)  # nobody listens there any more
    emit_events(runtime, "org-a", 1)
    assert worker(runtime).tick().failed == 1
    [d] = deliveries(runtime)
    assert d.status == "pending"
    assert d.last_error is not None
    assert "ConnectError" in d.last_error


def test_a_redirect_is_not_followed(client: TestClient, runtime: Runtime, organ_a: Staff) -> None:
    with serve(Receiver(answer=lambda n, r: 307)) as receiver:
        subscribe(client, organ_a.headers("admin"), receiver.url)
        emit_events(runtime, "org-a", 1)
        assert worker(runtime).tick().failed == 1
    assert len(receiver.requests) == 1
    [d] = deliveries(runtime)
    assert d.status == "pending"
    assert "not followed" in (d.last_error or "")


def test_410_gone_is_dead_at_once_and_turns_the_subscription_off(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    admin = organ_a.headers("admin")
    with serve(Receiver(answer=lambda n, r: 410)) as receiver:
        hook = subscribe(client, admin, receiver.url)
        emit_events(runtime, "org-a", 3)
        worker(runtime).dispatch()
        report = Worker(runtime, channels=[WebhookChannel(runtime)], batch=1).tick()
        assert report.dead == 1
        assert len(receiver.requests) == 1
    shown = client.get(f"{HOOKS}/{hook['id']}", headers=admin).json()
    assert shown["active"] is False
    assert "410" in shown["disabled_reason"]
    statuses = [d.status for d in deliveries(runtime)]
    assert statuses == ["dead", "dead", "dead"]
    errors = [d.last_error or "" for d in deliveries(runtime)]
    assert errors[0] == "HTTP 410: status 410"
    assert all("subscription disabled" in e and "410" in e for e in errors[1:])
    # no new event goes to it
    emit_events(runtime, "org-a", 1)
    worker(runtime).tick()
    assert len(deliveries(runtime)) == 3


def test_turning_a_subscription_off_drops_its_pending_deliveries_as_dead(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    admin = organ_a.headers("admin")
    hook = subscribe(client, admin, "http://127.0.0.1:9/never")
    emit_events(runtime, "org-a", 2)
    worker(runtime).dispatch()
    r = client.patch(f"{HOOKS}/{hook['id']}", json={"active": False}, headers=admin)
    assert r.status_code == 200
    dead = client.get("/api/v1/outbox/dead", headers=admin).json()
    assert len(dead) == 2
    assert all("subscription disabled" in d["last_error"] for d in dead)
    assert {d["target"] for d in dead} == {hook["id"]}


def test_a_deleted_subscriptions_delivery_is_dead_with_a_clear_error(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    admin = organ_a.headers("admin")
    with serve() as receiver:
        hook = subscribe(client, admin, receiver.url)
        emit_events(runtime, "org-a", 1)
        w = worker(runtime)
        w.dispatch()
        assert client.delete(f"{HOOKS}/{hook['id']}", headers=admin).status_code == 204
        [d] = deliveries(runtime)
        redone = client.post(f"/api/v1/outbox/deliveries/{d.id}/redeliver", headers=admin)
        assert redone.status_code == 200, redone.text
        report = w.tick()
    assert report.dead == 1
    assert receiver.requests == []
    [d] = deliveries(runtime)
    assert d.status == "dead"
    assert "deleted" in (d.last_error or "")


def test_an_admin_redelivers_a_dead_letter(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, organ_b: Staff
) -> None:
    admin = organ_a.headers("admin")
    answers = iter([503] * 1000)
    receiver = Receiver(answer=lambda n, r: next(answers, 200))
    with serve(receiver):
        subscribe(client, admin, receiver.url)
        emit_events(runtime, "org-a", 1)
        w = worker(runtime)
        for _ in range(40):  # 24 hours of backoff
            w.tick()
            clock.advance(hours=2)
        [d] = deliveries(runtime)
        assert d.status == "dead"
        dead = client.get("/api/v1/outbox/dead", headers=admin).json()
        assert [x["id"] for x in dead] == [d.id]
        assert dead[0]["event_id"] == events(runtime)[0].uid
        assert dead[0]["case_number"] == "T-0"
        assert dead[0]["log"][-1]["detail"].startswith("HTTP 503")
        # organ B's admin sees none of it and cannot redeliver it
        other = organ_b.headers("admin")
        assert client.get("/api/v1/outbox/dead", headers=other).json() == []
        path = f"/api/v1/outbox/deliveries/{d.id}/redeliver"
        assert client.post(path, headers=other).status_code == 404
        answers = iter([])  # the receiver is back
        assert client.post(path, headers=admin).json() == {"id": d.id, "status": "pending"}
        again = client.post(path, headers=admin)
        assert again.status_code == 409
        assert w.tick().delivered == 1
    ids = {r.id for r in receiver.requests}
    assert ids == {events(runtime)[0].uid}
    assert client.get("/api/v1/outbox/dead", headers=admin).json() == []


def test_a_rotated_secret_signs_the_next_attempt(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    admin = organ_a.headers("admin")
    with serve() as receiver:
        hook = subscribe(client, admin, receiver.url)
        new = client.post(f"{HOOKS}/{hook['id']}/rotate-secret", headers=admin).json()["secret"]
        emit_events(runtime, "org-a", 1)
        worker(runtime).tick()
    [got] = receiver.requests
    Webhook(new).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(hook["secret"]).verify(got.body, got.headers)

"""A request holds one connection at a time and returns it in the endpoint's own thread.

FastAPI runs a sync endpoint in a threadpool thread, each call in its own copy of the request's
context, and tears the dependencies down in a later call. A connection checked in within the
same call that checked it out went back before the endpoint's thread was handed back; one
checked in anywhere else waited for the teardown, which needs a free thread: under a burst every
thread waits for a connection and the pool deadlocks until it times out (issue 12, point 4).
These tests pin that against the FastAPI actually installed, so an upgrade that bypasses
app.db.CommittingRoute fails here instead of in production.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from app.calendar.service import CalendarSource
from app.organs.directory import OrganDirectory
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import application, staff_case
from tests.letters.helpers import counter_case, letters

CASES = "/api/v1/cases"


class PoolWatch:
    """Records, per request, connections returned outside the call that took them, and
    connections taken while the same call already held one."""

    def __init__(self, engines: tuple[Engine, ...]) -> None:
        self._held: ContextVar[tuple[int, ...]] = ContextVar("held", default=())
        self.request = ""
        self.checkouts = 0
        self.late: list[str] = []
        self.second: list[str] = []
        for engine in engines:
            event.listen(engine, "checkout", self._checkout)
            event.listen(engine, "checkin", self._checkin)

    def _checkout(self, _dbapi: Any, record: Any, _proxy: Any) -> None:
        held = self._held.get()
        if held:
            self.second.append(self.request)
        self._held.set((*held, id(record)))
        self.checkouts += 1

    def _checkin(self, _dbapi: Any, record: Any) -> None:
        held = self._held.get()
        if id(record) not in held:
            self.late.append(self.request)
            return
        self._held.set(tuple(h for h in held if h != id(record)))


@pytest.fixture
def stale_caches(runtime: Runtime) -> None:
    """Every organ lookup and calendar check goes to the database, as after an idle spell."""
    runtime.organs = OrganDirectory(ttl_seconds=0)
    runtime.calendars = CalendarSource(
        runtime.sessions.read, list(runtime.calendars.shipped.values()), check_every=0
    )
    runtime.calendars.follow(runtime.sessions.read, runtime.sessions.write)


@pytest.fixture
def watch(runtime: Runtime) -> PoolWatch:
    return PoolWatch(runtime.sessions.engines)


def _send(client: TestClient, watch: PoolWatch, method: str, url: str, **kw: Any) -> Any:
    watch.request = f"{method} {url}"
    return client.request(method, url, **kw)


def test_workflow_action_uses_one_connection_and_returns_it_in_the_endpoint_thread(
    client: TestClient, organ_a: Staff, stale_caches: None, watch: PoolWatch
) -> None:
    clerk = organ_a.headers("clerk")
    r = _send(client, watch, "POST", CASES, json=staff_case("ordinary_mail"), headers=clerk)
    assert r.status_code == 201, r.text
    case = r.json()
    body = {
        "version": case["version"],
        "receipt_date": "2026-03-02",
        "receipt_basis": "confirmed",
        "receipt_evidence": "电话确认",
    }
    url = f"{CASES}/{case['id']}/actions/confirm_receipt"
    r = _send(client, watch, "POST", url, json=body, headers=clerk)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "received"
    assert watch.checkouts >= 4  # the watch saw the requests' connections
    assert watch.late == []
    assert watch.second == []


def test_refused_action_returns_its_connection_in_the_endpoint_thread(
    client: TestClient, organ_a: Staff, stale_caches: None, watch: PoolWatch
) -> None:
    clerk = organ_a.headers("clerk")
    r = _send(client, watch, "POST", "/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    # A stale version: refused with 409 after the case was read on the write connection.
    url = f"{CASES}/{case_id}/actions/request_correction"
    r = _send(client, watch, "POST", url, json={"version": 99}, headers=clerk)
    assert r.status_code == 409, r.text
    r = _send(client, watch, "POST", f"{CASES}/{case_id}/actions/no_such_action", headers=clerk)
    assert r.status_code == 404, r.text
    assert watch.checkouts >= 4
    assert watch.late == []
    assert watch.second == []


def test_reads_use_one_connection_and_return_it_in_the_endpoint_thread(
    client: TestClient, organ_a: Staff, stale_caches: None, watch: PoolWatch
) -> None:
    clerk = organ_a.headers("clerk")
    r = _send(client, watch, "POST", "/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    for url in (
        f"{CASES}/{case_id}",
        f"{CASES}/{case_id}/deadlines",
        f"{CASES}/{case_id}/events",
        CASES,
        f"{CASES}/{case_id}/letters",
        "/api/v1/dashboard",
        "/api/v1/calendar/2026",
    ):
        r = _send(client, watch, "GET", url, headers=clerk)
        assert r.status_code == 200, f"{url}: {r.text}"
    assert watch.checkouts >= 14
    assert watch.late == []
    assert watch.second == []


def test_letter_rendered_on_first_download_uses_one_connection_at_a_time(
    client: TestClient, organ_a: Staff, stale_caches: None, watch: PoolWatch
) -> None:
    # A receipt issued at intake has no PDF yet: the first download renders it and stores it in
    # a write transaction of its own, the first print batch likewise.
    first, second = (counter_case(client, organ_a) for _ in range(2))
    receipts = [letters(client, organ_a, case["id"])[0]["id"] for case in (first, second)]
    clerk = organ_a.headers("clerk", "front_desk")
    r = _send(client, watch, "GET", f"/api/v1/letters/{receipts[0]}/pdf", headers=clerk)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    body = {"letter_ids": receipts}
    r = _send(client, watch, "POST", "/api/v1/print-batches", json=body, headers=clerk)
    assert r.status_code == 200, r.text
    assert watch.checkouts >= 6
    assert watch.late == []
    assert watch.second == []


def test_applicant_lookup_and_withdraw_use_one_connection_at_a_time(
    client: TestClient, organ_a: Staff, stale_caches: None, watch: PoolWatch
) -> None:
    r = _send(client, watch, "POST", "/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    receipt = r.json()
    own = f"/api/v1/applications/{receipt['number']}"
    wrong = {"X-Query-Code": "AAAA-AAAA-AAAA-AAAA-AAAA"}
    right = {"X-Query-Code": receipt["query_code"]}
    # A wrong code: the brake counts it in its own transaction while nothing else is held.
    assert _send(client, watch, "GET", own, headers=wrong).status_code == 404
    assert _send(client, watch, "GET", own, headers=right).status_code == 200
    # The withdrawal finds the case on the read session and writes on the write session:
    # the read connection must be back in the pool first.
    body = {"withdrawn_on": "2026-03-02", "version": receipt["version"]}
    r = _send(client, watch, "POST", f"{own}/actions/withdraw", json=body, headers=right)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn"
    assert watch.checkouts >= 6
    assert watch.late == []
    assert watch.second == []


def test_applicant_download_recording_a_receipt_uses_one_connection_at_a_time(
    client: TestClient, organ_a: Staff, stale_caches: None, watch: PoolWatch
) -> None:
    # The download is a GET on the read session; the receipt it proves (RULES §4) is written
    # in a transaction of its own, after the read connection went back.
    r = _send(client, watch, "POST", "/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    receipt = r.json()
    clerk = organ_a.headers("clerk")
    url = f"{CASES}/{receipt['id']}/actions/request_correction"
    body = {"version": receipt["version"], "items_to_correct": ["年份"]}
    assert _send(client, watch, "POST", url, json=body, headers=clerk).status_code == 200
    notice = next(x for x in letters(client, organ_a, receipt["id"]) if x["kind"] != "receipt")
    code = {"X-Query-Code": receipt["query_code"]}
    pdf = f"/api/v1/applications/{receipt['number']}/letters/{notice['id']}/pdf"
    r = _send(client, watch, "GET", pdf, headers=code)
    assert r.status_code == 200, r.text
    events = client.get(f"{CASES}/{receipt['id']}/events", headers=clerk).json()
    assert events[-1]["action"] == "record_notice_receipt"
    assert watch.late == []
    assert watch.second == []

"""A burst of workflow actions after an idle spell, on PostgreSQL with a small pool.

Issue 12, point 4: after the server had been idle for over 30 s, 50 concurrent actions made
7-13 of them wait 30 s for a pooled connection and fail with 500. The 30 s was the organ
directory's TTL: after it every request of the burst missed the cache and asked the pool for a
second connection while holding its writer (the calendar's 5 s freshness check did the same in
one request). With pool 2 (+2 overflow) and 40 threads, the holders' connections only came back
in a dependency teardown that needed a thread of its own.

The app is served by a real uvicorn (uvloop, httptools, its threadpool and lifespan) in this
process, so the caches' monotonic clock can be moved past the idle spell instead of sleeping.
"""

from __future__ import annotations

import os
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from app.calendar.service import CalendarSource
from app.config import Settings
from app.main import create_app
from app.models import Case
from app.organs.directory import OrganDirectory
from app.runtime import Runtime, build_runtime
from tests.conftest import Staff
from tests.fixtures.database import PG_URL_ENV
from tests.fixtures.factories import Clock, staff_case

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get(PG_URL_ENV),
        reason=f"needs PostgreSQL: set {PG_URL_ENV} to run the burst-after-idle test",
    ),
]

BURST = 50
CASES = "/api/v1/cases"
CONFIRM = {"receipt_date": "2026-03-02", "receipt_basis": "confirmed", "receipt_evidence": "电话"}


class Monotonic:
    """The caches' clock: the test moves it past an idle spell."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def small_pool(settings: Settings) -> Settings:
    # Two connections and two overflow. A request waits in the pool only behind running ones:
    # the burst is serial on the organ's letter counter while each renders its receipt, which
    # takes seconds on a loaded CI machine. Far above that, this timeout is met only by a stall
    # (a request holding a connection while waiting for another, or for a thread), as a 503.
    return settings.model_copy(update={"db_pool_size": 2, "db_pool_timeout_s": 60.0})


@pytest.fixture
def served(
    small_pool: Settings, clock: Clock, organ_a: Staff
) -> Iterator[tuple[str, Runtime, Monotonic]]:
    """The app on a free port; yields its base URL, its runtime and the caches' clock."""
    rt = build_runtime(small_pool)
    rt.clock = clock
    tick = Monotonic()
    rt.organs = OrganDirectory(monotonic=tick)
    rt.calendars = CalendarSource(
        rt.sessions.read, list(rt.calendars.shipped.values()), monotonic=tick
    )
    rt.calendars.follow(rt.sessions.read, rt.sessions.write)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(runtime=rt), loop="uvloop", http="httptools", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(600):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.05)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}", rt, tick
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        rt.close()


def _burst(count: int, send: Callable[[httpx.Client, int], httpx.Response]) -> list[Any]:
    """`count` requests released together, each on a client of its own."""
    barrier = threading.Barrier(count)

    def one(i: int) -> tuple[int, str, str]:
        with httpx.Client(timeout=120) as http:
            barrier.wait()
            r = send(http, i)
            return r.status_code, r.headers.get("content-type", ""), r.text[:200]

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def _register(base: str, headers: dict[str, str], count: int) -> list[dict[str, Any]]:
    with httpx.Client(base_url=base, timeout=60) as http:
        cases = []
        for _ in range(count):
            r = http.post(CASES, json=staff_case("ordinary_mail"), headers=headers)
            assert r.status_code == 201, r.text
            cases.append(r.json())
        return cases


def _received(rt: Runtime) -> int:
    with rt.sessions.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Case).where(Case.state == "received"))
            or 0
        )


def test_burst_after_idle_on_fifty_cases_all_succeed(
    served: tuple[str, Runtime, Monotonic],
) -> None:
    base, rt, tick = served
    headers = Staff(rt, "org-a").headers("clerk")
    cases = _register(base, headers, BURST)
    tick.now += 31  # idle: the organ directory and the calendar check are both stale

    def confirm(http: httpx.Client, i: int) -> httpx.Response:
        case = cases[i]
        url = f"{base}{CASES}/{case['id']}/actions/confirm_receipt"
        return http.post(url, json={**CONFIRM, "version": case["version"]}, headers=headers)

    answers = _burst(BURST, confirm)
    assert Counter(status for status, _, _ in answers) == {200: BURST}, answers
    assert _received(rt) == BURST
    assert rt.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_burst_after_idle_on_one_case_gives_one_success_and_clean_conflicts(
    served: tuple[str, Runtime, Monotonic],
) -> None:
    base, rt, tick = served
    headers = Staff(rt, "org-a").headers("clerk")
    (case,) = _register(base, headers, 1)
    tick.now += 31

    def confirm(http: httpx.Client, _: int) -> httpx.Response:
        url = f"{base}{CASES}/{case['id']}/actions/confirm_receipt"
        return http.post(url, json={**CONFIRM, "version": case["version"]}, headers=headers)

    answers = _burst(BURST, confirm)
    statuses = Counter(status for status, _, _ in answers)
    assert statuses == {200: 1, 409: BURST - 1}, answers
    assert {ctype for status, ctype, _ in answers if status == 409} == {"application/problem+json"}
    events = httpx.get(f"{base}{CASES}/{case['id']}/events", headers=headers).json()
    assert [e["action"] for e in events] == ["register", "confirm_receipt"]
    assert rt.engine.pool.checkedout() == 0  # type: ignore[attr-defined]

"""A worker killed mid-delivery loses nothing: the delivery's lease runs out and the next worker
sends it again, with the same webhook-id for the receiver to de-duplicate (at least once).

Runs `python -m app.cli worker` as a subprocess against the test's file database (SQLite, or
PostgreSQL with GONGKAI_TEST_DATABASE_URL); the delivery lease is shortened to 2 s
(GONGKAI_OUTBOX_LEASE_SECONDS) so the test need not wait five minutes.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.outbox.helpers import attempts, deliveries, events
from tests.webhooks.helpers import emit_events, subscribe
from tests.webhooks.processes import counts, start_worker, stop, wait_for
from tests.webhooks.receiver import Receiver, serve

EVENTS = 30


def test_a_worker_killed_mid_delivery_loses_nothing(
    client: TestClient, runtime: Runtime, organ_a: Staff, database_url: str, tmp_path: Path
) -> None:
    receiver = Receiver(hold_first=True)
    log = tmp_path / "workers.log"
    with serve(receiver):
        subscribe(client, organ_a.headers("admin"), receiver.url)
        emit_events(runtime, "org-a", EVENTS)
        first = start_worker(database_url, batch=10, log=log)
        try:
            assert receiver.holding.wait(60), log.read_text()
            held = receiver.requests[0].id
            os.kill(first.pid, signal.SIGKILL)
            assert first.wait(10) == -signal.SIGKILL
        finally:
            stop(first)
        receiver.release.set()  # its answer goes to a dead connection
        assert counts(runtime).get("delivered", 0) == 0  # the killed worker finished none
        second = start_worker(database_url, batch=10, log=log)
        try:
            done = wait_for(lambda: counts(runtime).get("delivered", 0) == EVENTS, 90)
            assert done, (counts(runtime), log.read_text()[-3000:])
        finally:
            stop(second)
    assert counts(runtime) == {"delivered": EVENTS, "undispatched": 0}
    received = Counter(receiver.received_ids())
    assert set(received) == {e.uid for e in events(runtime)}
    # The held one came twice, with the same id; nothing else was sent twice.
    assert received[held] == 2
    assert sum(received.values()) == EVENTS + 1
    [again] = [
        d for d in deliveries(runtime) if d.attempts and d.event_id == _event_id(runtime, held)
    ]
    assert again.attempts == 1  # the killed worker recorded no attempt
    assert [a.ok for a in attempts(runtime, again.id)] == [True]


def _event_id(rt: Runtime, uid: str) -> int:
    return next(e.id for e in events(rt) if e.uid == uid)


def test_a_worker_hands_back_what_it_cannot_send_within_half_its_lease(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    import time
    from datetime import timedelta

    from app.outbox.worker import Worker
    from app.webhooks.channel import WebhookChannel

    def slow(n: int, r: object) -> int:
        time.sleep(0.4)
        return 200

    with serve(Receiver(answer=slow)) as receiver:
        subscribe(client, organ_a.headers("admin"), receiver.url)
        emit_events(runtime, "org-a", 6)
        w = Worker(runtime, channels=[WebhookChannel(runtime)], scheduler=False)
        w.lease = timedelta(seconds=1)
        first = w.tick().delivered
        assert 1 <= first < 6
        rest = [d for d in deliveries(runtime) if d.status == "pending"]
        assert len(rest) == 6 - first
        assert all(d.leased_by is None and d.leased_until is None for d in rest)
        while counts(runtime).get("delivered", 0) < 6:
            assert w.tick().delivered >= 1
    assert sorted(receiver.received_ids()) == sorted(e.uid for e in events(runtime))

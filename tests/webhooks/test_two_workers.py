"""Two workers on PostgreSQL share 10,000 events (FOR UPDATE SKIP LOCKED): every event reaches
the receiver, none twice, and no delivery is left pending. SQLite runs one worker at a time
(its single writer), so this runs on PostgreSQL only."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import distinct, func, select

from app.models import OutboxAttempt
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.database import PG_URL_ENV
from tests.outbox.helpers import events
from tests.webhooks.helpers import emit_events, subscribe
from tests.webhooks.processes import counts, start_worker, stop, wait_for
from tests.webhooks.receiver import Receiver, serve

EVENTS = 10_000


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get(PG_URL_ENV),
    reason=f"needs PostgreSQL: set {PG_URL_ENV} to run the two-worker test",
)
def test_two_workers_deliver_ten_thousand_events_once_each(
    client: TestClient, runtime: Runtime, organ_a: Staff, database_url: str, tmp_path: Path
) -> None:
    receiver = Receiver(ids_only=True)
    log = tmp_path / "workers.log"
    with serve(receiver):
        subscribe(client, organ_a.headers("admin"), receiver.url)
        emit_events(runtime, "org-a", EVENTS)
        workers = [
            start_worker(database_url, lease_seconds=30, batch=100, log=log) for _ in range(2)
        ]
        try:
            done = wait_for(lambda: counts(runtime).get("delivered", 0) == EVENTS, 400, every=1)
            assert done, (counts(runtime), log.read_text()[-3000:])
        finally:
            for w in workers:
                stop(w)
    assert counts(runtime) == {"delivered": EVENTS, "undispatched": 0}
    received = Counter(receiver.received_ids())
    assert set(received) == {e.uid for e in events(runtime)}
    # At least once; without a failure, exactly once (a redelivery would carry the same id).
    assert max(received.values()) == 1
    with runtime.sessions.read() as s:
        by_worker = s.scalar(select(func.count(distinct(OutboxAttempt.worker))))
        attempts = s.scalar(select(func.count()).select_from(OutboxAttempt))
    assert by_worker == 2  # both shared the work
    assert attempts == EVENTS

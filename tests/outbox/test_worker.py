"""The worker: plans deliveries per channel, delivers, retries with backoff, gives up after 24 h,
lets an administrator redeliver, never finishes a delivery another worker took over, and runs
the periodic jobs under one lease."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.errors import Conflict, NotFound
from app.models import OutboxDelivery
from app.outbox import repository
from app.outbox.backoff import GIVE_UP_AFTER, next_attempt
from app.outbox.channels import Job, Sent
from app.outbox.scheduler import PeriodicJob
from app.outbox.service import redeliver
from app.outbox.worker import Worker
from app.runtime import Runtime
from tests.api.portal_helpers import online
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.outbox.helpers import Recorder, attempts, deliveries, events


def test_backoff_doubles_with_jitter_and_gives_up_after_a_day() -> None:
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    rng = random.Random(7)
    delays = [(next_attempt(n, now=t0, since=t0, rng=rng) or t0) - t0 for n in range(1, 12)]
    for n, d in enumerate(delays, start=1):
        base = min(timedelta(seconds=30) * 2 ** (n - 1), timedelta(hours=2))
        assert base / 2 <= d <= base
    assert next_attempt(3, now=t0 + GIVE_UP_AFTER, since=t0) is None
    last = next_attempt(20, now=t0 + GIVE_UP_AFTER - timedelta(minutes=1), since=t0)
    assert last is not None
    assert last <= t0 + GIVE_UP_AFTER


def test_each_event_is_planned_once_and_delivered(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    case = online(client)
    rec = Recorder()
    w = Worker(runtime, channels=[rec], periodic=[])
    report = w.tick()
    assert report.dispatched == 2
    assert report.delivered == 2
    assert [j.event.type for j in rec.sent] == ["case.received", "letter.issued"]
    assert all(j.event.case_id == case["id"] for j in rec.sent)
    assert {d.status for d in deliveries(runtime)} == {"delivered"}
    assert all(e.dispatched_at is not None for e in events(runtime))
    # Nothing more to do: a second pass plans and sends nothing again.
    again = w.tick()
    assert (again.dispatched, again.delivered) == (0, 0)
    assert len(rec.sent) == 2
    log = attempts(runtime, deliveries(runtime)[0].id)
    assert len(log) == 1
    assert log[0].ok
    assert log[0].worker == w.name


def test_a_channel_plans_only_what_it_wants(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    online(client)
    rec = Recorder(types=("letter.issued",))
    Worker(runtime, channels=[rec], periodic=[]).tick()
    assert [d.channel for d in deliveries(runtime)] == ["recorder"]
    assert [j.event.type for j in rec.sent] == ["letter.issued"]


def test_a_failure_is_retried_later_with_the_same_event(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    online(client)
    answers = iter([Sent(False, "HTTP 503"), Sent(True, "HTTP 200")])
    rec = Recorder(types=("case.received",), answer=lambda job: next(answers))
    w = Worker(runtime, channels=[rec], periodic=[])
    first = w.tick()
    assert first.failed == 1
    (d,) = deliveries(runtime)
    assert d.status == "pending"
    assert d.attempts == 1
    assert d.last_error == "HTTP 503"
    assert clock() + timedelta(seconds=15) <= d.next_attempt_at <= clock() + timedelta(seconds=30)
    # Not before it is due.
    assert w.tick().delivered == 0
    clock.advance(seconds=31)
    assert w.tick().delivered == 1
    assert rec.sent[0].event.uid == rec.sent[1].event.uid
    (d,) = deliveries(runtime)
    assert d.status == "delivered"
    assert d.attempts == 2
    assert [a.ok for a in attempts(runtime, d.id)] == [False, True]


def test_a_permanent_failure_is_dead_at_once_and_can_be_redelivered(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    online(client)
    answers = iter([Sent(False, "550 no such user", permanent=True), Sent(True, "250 ok")])
    rec = Recorder(types=("case.received",), answer=lambda job: next(answers))
    w = Worker(runtime, channels=[rec], periodic=[])
    assert w.tick().dead == 1
    (d,) = deliveries(runtime)
    assert d.status == "dead"
    assert d.last_error == "550 no such user"
    # Another organ's administrator cannot see it; a delivered one cannot be redelivered.
    with runtime.sessions.write.begin() as s, pytest.raises(NotFound):
        redeliver(s, d.id, organ_id=(d.event_id + 999), now=clock())
    with runtime.sessions.write.begin() as s:
        redeliver(s, d.id, organ_id=None, now=clock())
    assert w.tick().delivered == 1
    (d,) = deliveries(runtime)
    assert d.status == "delivered"
    with runtime.sessions.write.begin() as s, pytest.raises(Conflict):
        redeliver(s, d.id, organ_id=None, now=clock())


def test_failures_give_up_after_24_hours(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    online(client)
    rec = Recorder(types=("case.received",), answer=lambda job: Sent(False, "timeout"))
    w = Worker(runtime, channels=[rec], periodic=[])
    start = clock()
    while clock() - start < timedelta(hours=25):
        w.tick()
        (d,) = deliveries(runtime)
        if d.status == "dead":
            break
        clock.set(d.next_attempt_at.isoformat())
    (d,) = deliveries(runtime)
    assert d.status == "dead"
    assert timedelta(hours=23) < clock() - start <= timedelta(hours=24, minutes=1)
    # Doubling from 30 s to a 2-hour cap: about 20 attempts in a day, not hundreds.
    assert 12 <= d.attempts <= 40


def test_quiet_hours_hold_a_delivery_without_counting_an_attempt(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    online(client)
    later = clock() + timedelta(hours=8)
    answers = iter([Sent(False, "quiet hours", hold_until=later), Sent(True, "sent")])
    rec = Recorder(types=("case.received",), answer=lambda job: next(answers))
    w = Worker(runtime, channels=[rec], periodic=[])
    w.tick()
    (d,) = deliveries(runtime)
    assert d.status == "pending"
    assert d.attempts == 0
    assert d.next_attempt_at == later
    assert attempts(runtime, d.id) == []
    clock.set(later.isoformat())
    assert w.tick().delivered == 1


def test_a_delivery_taken_over_after_its_lease_ran_out_is_finished_once(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    online(client)
    slow = Worker(runtime, channels=[Recorder(types=("case.received",))], periodic=[])
    slow.dispatch()
    with runtime.sessions.write.begin() as s:
        claimed = repository.claim_due(
            s, now=clock(), limit=10, holder=slow.name, lease=timedelta(minutes=5)
        )
        job = Job(claimed[0][0].id, "recorder", "t1", 0, None)  # type: ignore[arg-type]
    # Still leased: nobody else takes it.
    other_rec = Recorder(types=("case.received",))
    other = Worker(runtime, channels=[other_rec], periodic=[])
    assert other.tick().delivered == 0
    # The lease runs out (the slow worker died or hung): another worker delivers it.
    clock.advance(minutes=6)
    assert other.tick().delivered == 1
    # The slow worker comes back: its finish is not recorded over the other's.
    with runtime.sessions.write.begin() as s:
        assert not repository.finish_delivery(
            s, job.delivery_id, holder=slow.name, values={"status": "dead"}, attempt=None
        )
    (d,) = deliveries(runtime)
    assert d.status == "delivered"


def test_a_broken_channel_does_not_stop_the_worker(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    online(client)

    def boom(job: Job) -> Sent:
        raise RuntimeError("bug")

    rec = Recorder(types=("case.received",), answer=boom)
    report = Worker(runtime, channels=[rec], periodic=[]).tick()
    assert report.failed == 1
    (d,) = deliveries(runtime)
    assert d.status == "pending"
    assert "RuntimeError: bug" in (d.last_error or "")


def test_one_worker_at_a_time_runs_the_periodic_jobs(runtime: Runtime, clock: Clock) -> None:
    ran: list[str] = []

    def job(name: str) -> PeriodicJob:
        return PeriodicJob("tick", timedelta(minutes=10), lambda rt, now: ran.append(name) or 0)

    a = Worker(runtime, channels=[], periodic=[job("a")])
    b = Worker(runtime, channels=[], periodic=[job("b")])
    a.schedule()
    b.schedule()
    assert ran == ["a"]
    clock.advance(minutes=1)
    a.schedule()  # not due again yet
    assert ran == ["a"]
    # a stops renewing its lease (it died); b takes over once the lease has run out.
    clock.advance(minutes=3)
    b.schedule()
    assert ran == ["a", "b"]
    clock.advance(minutes=11)
    b.schedule()
    a.schedule()
    assert ran == ["a", "b", "b"]


def test_the_worker_renders_letters_issued_without_a_pdf(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    online(client)  # the receipt is frozen at intake, rendered later
    from app.models import Letter

    with runtime.sessions.read() as s:
        assert s.scalars(select(Letter.pdf_sha256)).one() is None
    assert Worker(runtime, channels=[], periodic=[]).tick().rendered == 1
    with runtime.sessions.read() as s:
        sha = s.scalars(select(Letter.pdf_sha256)).one()
    assert sha is not None
    assert runtime.store.read(sha).startswith(b"%PDF")


def test_deliveries_left_pending_are_listed_in_order(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    for _ in range(3):
        online(client)
    Worker(runtime, channels=[Recorder(answer=lambda j: Sent(False, "x"))], periodic=[]).tick()
    with runtime.sessions.read() as s:
        pending = s.scalars(select(OutboxDelivery).where(OutboxDelivery.status == "pending"))
        assert len(list(pending)) == 6

"""The worker: plans each new event's deliveries, delivers what is due, renders letters issued
without a PDF, builds the case files of archived cases and makes the released copies of long
documents, and runs the periodic jobs under a lease.

Delivery is at least once: a delivery is leased for a few minutes before it is attempted and
finished after (a few attempts to a write transaction); a worker killed in between leaves the
lease to run out and another worker (or the same one restarted) attempts it again, with the
same event id for the receiver to de-duplicate. No write transaction is open while a channel
talks to the outside.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.outbox import repository
from app.outbox.backoff import next_attempt
from app.outbox.channels import Channel, EventView, Job, Sent, build
from app.outbox.scheduler import PeriodicJob, jobs
from app.runtime import Runtime

log = logging.getLogger("gongkai.worker")

# Attempts recorded per write transaction, and the longest an attempt waits to be recorded.
FINISH_EVERY = 50
FINISH_WITHIN = 0.5
SCHEDULER_LEASE = "scheduler"
SCHEDULER_TTL = timedelta(minutes=2)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class TickReport:
    dispatched: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    rendered: int = 0
    scheduled: int = 0

    @property
    def busy(self) -> bool:
        return any((self.dispatched, self.delivered, self.failed, self.dead, self.rendered))


@dataclass(frozen=True)
class Outcome:
    """An attempt made, to be recorded."""

    job: Job
    sent: Sent
    values: dict[str, object]
    attempt: dict[str, object] | None


@dataclass
class Worker:
    rt: Runtime
    batch: int = 100
    scheduler: bool = True
    name: str = field(default_factory=worker_name)
    channels: Sequence[Channel] | None = None
    periodic: Sequence[PeriodicJob] | None = None
    _last_run: dict[str, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.channels is None:
            self.channels = build(self.rt)
        if self.periodic is None:
            self.periodic = jobs()
        self._by_name = {c.name: c for c in self.channels}
        self.lease = timedelta(seconds=self.rt.settings.outbox_lease_seconds)

    # -- one pass ---------------------------------------------------------------------------

    def tick(self) -> TickReport:
        """One pass: dispatch, deliver, render, schedule. Returns what it did."""
        report = TickReport()
        report.dispatched = self.dispatch()
        self.deliver(report)
        report.rendered = self.render()
        if self.scheduler:
            report.scheduled = self.schedule()
        return report

    def dispatch(self) -> int:
        """Plan the deliveries of new events (one transaction per batch)."""
        now = self.rt.clock()
        with self.rt.sessions.write.begin() as session:
            events = repository.claim_undispatched(session, self.batch)
            for row in events:
                view = EventView.of(row)
                for channel in self._by_name.values():
                    targets = channel.plan(session, view)
                    repository.add_deliveries(session, row.id, channel.name, targets, now)
            repository.mark_dispatched(session, [e.id for e in events], now)
            return len(events)

    def deliver(self, report: TickReport) -> None:
        """Attempt the deliveries that are due, each outside any write transaction, and record
        how they went in groups (one write transaction per FINISH_EVERY attempts or
        FINISH_WITHIN seconds: on PostgreSQL a commit per attempt cost a third of the time)."""
        now = self.rt.clock()
        with self.rt.sessions.write.begin() as session:
            claimed = repository.claim_due(
                session, now=now, limit=self.batch, holder=self.name, lease=self.lease
            )
            jobs_ = [
                Job(d.id, d.channel, d.target, d.attempts, EventView.of(e)) for d, e in claimed
            ]
            created = {d.id: d.created_at for d, _ in claimed}
        started = last_flush = time.monotonic()
        done: list[Outcome] = []
        for i, job in enumerate(jobs_):
            # Half the lease gone (slow receivers): hand the rest back rather than let the
            # lease run out under them and another worker send them too.
            if time.monotonic() - started > self.lease.total_seconds() / 2:
                rest = [j.delivery_id for j in jobs_[i:]]
                with self.rt.sessions.write.begin() as session:
                    repository.release_deliveries(session, rest, holder=self.name)
                log.info("handed back %d deliveries: half their lease was gone", len(rest))
                break
            done.append(self._attempt(job, created[job.delivery_id]))
            if len(done) >= FINISH_EVERY or time.monotonic() - last_flush >= FINISH_WITHIN:
                self._finish(done, report)
                done, last_flush = [], time.monotonic()
        self._finish(done, report)

    def _attempt(self, job: Job, created_at: datetime) -> Outcome:
        channel = self._by_name.get(job.channel)
        started = time.monotonic()
        if channel is None:
            sent = Sent(False, f"channel {job.channel} is not configured on this worker")
        else:
            try:
                with self.rt.sessions.read() as session:
                    sent = channel.send(session, job)
            except Exception as exc:  # a channel's bug must not stop the worker
                log.exception("channel %s failed on delivery %s", job.channel, job.delivery_id)
                sent = Sent(False, f"{type(exc).__name__}: {exc}"[:2000])
        ms = int((time.monotonic() - started) * 1000)
        now = self.rt.clock()
        values: dict[str, object]
        if sent.hold_until is not None and not sent.ok:
            values = {"next_attempt_at": sent.hold_until, "last_error": sent.detail or None}
            return Outcome(job, sent, values, None)
        if sent.ok:
            values = {
                "status": "delivered",
                "attempts": job.attempts + 1,
                "delivered_at": now,
                "last_error": None,
                "result": sent.result,
            }
        else:
            retry = (
                None
                if sent.permanent
                else next_attempt(job.attempts + 1, now=now, since=created_at)
            )
            values = {
                "attempts": job.attempts + 1,
                "last_error": sent.detail,
                "result": sent.result,
            }
            if retry is None:
                values["status"] = "dead"
            else:
                values["next_attempt_at"] = retry
        attempt = {
            "attempted_at": now,
            "ok": sent.ok,
            "detail": (sent.detail or ("delivered" if sent.ok else "failed"))[:2000],
            "duration_ms": ms,
            "worker": self.name,
        }
        return Outcome(job, sent, values, attempt)

    def _finish(self, outcomes: Sequence[Outcome], report: TickReport) -> None:
        """Record the outcomes in one write transaction, each only if still ours."""
        if not outcomes:
            return
        kept: list[bool] = []
        with self.rt.sessions.write.begin() as session:
            for o in outcomes:
                ours = repository.finish_delivery(
                    session, o.job.delivery_id, holder=self.name, values=o.values, attempt=o.attempt
                )
                if ours and o.sent.after is not None:
                    o.sent.after(session)
                kept.append(ours)
        for o, ours in zip(outcomes, kept, strict=True):
            if not ours:
                log.warning("delivery %s was taken over before it finished", o.job.delivery_id)
            elif o.sent.ok:
                report.delivered += 1
            elif o.values.get("status") == "dead":
                report.dead += 1
            elif o.attempt is not None:
                report.failed += 1

    def render(self) -> int:
        """Render the PDFs of issued letters that have none yet, then build the case files
        archiving ordered (their letters rendered first), then make the released copies of
        long documents (app.releases.jobs)."""
        from app.casefile.build import build_pending
        from app.letters.service import render_pending
        from app.releases.jobs import pending as redact_pending

        rendered = render_pending(self.rt, limit=self.batch)
        rendered += build_pending(self.rt, limit=self.batch)
        # One document a pass: a 300-page redaction takes seconds, and deliveries wait meanwhile.
        return rendered + redact_pending(self.rt, limit=1)

    def schedule(self) -> int:
        """Run the periodic jobs that are due, if this worker holds the scheduler lease."""
        now = self.rt.clock()
        with self.rt.sessions.write.begin() as session:
            held = repository.take_lease(
                session, SCHEDULER_LEASE, holder=self.name, now=now, ttl=SCHEDULER_TTL
            )
        if not held:
            return 0
        emitted = 0
        for job in self.periodic or ():
            last = self._last_run.get(job.name)
            if last is not None and now - last < job.every:
                continue
            self._last_run[job.name] = now
            try:
                emitted += job.run(self.rt, now)
            except Exception:
                log.exception("periodic job %s failed", job.name)
        return emitted

    # -- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, idle: float = 1.0) -> None:
        """Work until `stop` is set: straight on while there is work, `idle` seconds apart
        when there is none."""
        log.info("worker %s started", self.name)
        try:
            while not stop.is_set():
                try:
                    report = self.tick()
                except Exception:
                    log.exception("worker pass failed; trying again")
                    stop.wait(idle)
                    continue
                if not report.busy:
                    stop.wait(idle)
        finally:
            if self.scheduler:
                with self.rt.sessions.write.begin() as session:
                    repository.release_lease(session, SCHEDULER_LEASE, holder=self.name)
            log.info("worker %s stopped", self.name)

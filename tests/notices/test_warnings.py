"""Deadline warnings: 5 and 1 working days before, overdue the day after, each once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.models import Case, OutboxEvent
from app.notices.emitting import insert_selected
from app.notices.scan import Candidate, deadline_warnings, due_warnings, warning_for
from app.outbox.events import OutboxMessage
from app.outbox.scheduler import PeriodicJob
from app.outbox.worker import Worker
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.notices.helpers import case_due, deliver, notices_of, set_due, user_id, warnings


def scan(rt: Runtime, clock: Clock, iso: str) -> int:
    clock.set(iso)
    return deadline_warnings(rt, clock())


def test_five_days_before_across_the_national_day_then_one_then_overdue(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    # Due Tue 13 Oct 2026; 1-7 Oct are days off and Sat 10 Oct is a working day, so the 5th
    # working day before is Wed 30 Sep (8, 9, 10, 12, 13 Oct follow it).
    case_id = case_due(client, runtime, "2026-10-13")
    assert scan(runtime, clock, "2026-09-29T09:00+08:00") == 0
    assert scan(runtime, clock, "2026-09-30T00:05+08:00") == 1
    assert warnings(runtime, case_id) == [
        (
            "deadline.due_soon",
            {
                "case": {
                    "id": case_id,
                    "number": warnings(runtime, case_id)[0][1]["case"]["number"],
                    "case_type": "foi_application",
                    "state": warnings(runtime, case_id)[0][1]["case"]["state"],
                },
                "deadline": "reply",
                "due": "2026-10-13",
                "threshold": 5,
                "remaining_wd": 5,
            },
        )
    ]
    # The holiday passes with no second warning; the last working day before brings the 1.
    for day in ("2026-09-30T17:00", "2026-10-03T09:00", "2026-10-09T09:00", "2026-10-10T09:00"):
        assert scan(runtime, clock, day + "+08:00") == 0
    assert scan(runtime, clock, "2026-10-12T09:00+08:00") == 1
    assert warnings(runtime, case_id)[-1][1]["threshold"] == 1
    assert scan(runtime, clock, "2026-10-13T09:00+08:00") == 0  # due today: the 1 was sent
    assert scan(runtime, clock, "2026-10-14T00:01+08:00") == 1
    kind, payload = warnings(runtime, case_id)[-1]
    assert kind == "deadline.overdue"
    assert payload["due"] == "2026-10-13"
    assert "threshold" not in payload
    assert scan(runtime, clock, "2026-10-15T09:00+08:00") == 0
    assert len(warnings(runtime, case_id)) == 3


def test_a_moved_due_date_arms_its_warnings_again(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    case_id = case_due(client, runtime, "2026-11-13")  # a Friday
    assert scan(runtime, clock, "2026-11-06T09:00+08:00") == 1  # 5 WD before
    set_due(runtime, case_id, "2026-11-20")  # suspended, say: a week later
    assert scan(runtime, clock, "2026-11-06T10:00+08:00") == 0
    assert scan(runtime, clock, "2026-11-13T09:00+08:00") == 1
    dues = [p["due"] for _, p in warnings(runtime, case_id)]
    assert dues == ["2026-11-13", "2026-11-20"]


def test_a_case_with_less_left_than_the_largest_threshold_gets_the_next_one(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    case_id = case_due(client, runtime, "2026-11-13")
    assert scan(runtime, clock, "2026-11-10T09:00+08:00") == 1  # 3 WD left
    ((_, payload),) = warnings(runtime, case_id)
    assert (payload["threshold"], payload["remaining_wd"]) == (5, 3)


def test_closed_and_paused_cases_are_not_warned(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    case_due(client, runtime, "2026-11-13", state="concluded")
    case_due(client, runtime, "2026-11-13", state="awaiting_correction")
    assert scan(runtime, clock, "2026-11-16T09:00+08:00") == 0


def test_thresholds_come_from_the_organ_settings(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, admin: dict[str, str]
) -> None:
    r = client.put(
        "/api/v1/admin/organs/org-a/settings", json={"warning_thresholds_wd": [3]}, headers=admin
    )
    assert r.status_code == 200, r.text
    case_id = case_due(client, runtime, "2026-11-13")
    assert scan(runtime, clock, "2026-11-06T09:00+08:00") == 0
    assert scan(runtime, clock, "2026-11-10T09:00+08:00") == 1
    assert warnings(runtime, case_id)[0][1]["threshold"] == 3


def test_two_workers_scan_once_under_the_scheduler_lease(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    case_due(client, runtime, "2026-11-13")
    clock.set("2026-11-06T09:00+08:00")
    job = [PeriodicJob("deadline_warnings", timedelta(minutes=10), deadline_warnings)]
    one = Worker(runtime, channels=[], periodic=job, name="w1")
    two = Worker(runtime, channels=[], periodic=job, name="w2")
    assert one.tick().scheduled == 1
    assert two.tick().scheduled == 0  # w1 holds the lease
    clock.advance(minutes=3)  # w1 stopped ticking: its lease ran out, w2 takes over
    assert two.tick().scheduled == 0  # ... and finds the warning already recorded
    clock.advance(minutes=11)
    assert one.tick().scheduled == 0
    assert len(warnings(runtime)) == 1


def test_a_consultation_window_that_ended_unanswered_is_warned_once(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    from datetime import UTC, date, datetime

    from app.models import Consultation

    case_id = case_due(client, runtime, "2026-12-31")
    with runtime.sessions.write.begin() as s:
        s.add(
            Consultation(
                case_id=case_id,
                code="Z1",
                kind="third_party",
                party="某公司",
                question="是否同意公开",
                dispatch_method="post",
                dispatched_on=date(2026, 11, 2),
                started_by="承办人",
                created_at=datetime.now(UTC),
            )
        )
    # 15 WD from Mon 2 Nov ends Mon 23 Nov; warned on the 24th.
    assert scan(runtime, clock, "2026-11-23T20:00+08:00") == 0
    assert scan(runtime, clock, "2026-11-24T08:00+08:00") == 1
    assert scan(runtime, clock, "2026-11-25T08:00+08:00") == 0
    ((kind, payload),) = warnings(runtime, case_id)
    assert kind == "consultation.window_ended"
    assert payload["consultation"] == {
        "code": "Z1",
        "kind": "third_party",
        "window_due": "2026-11-23",
    }


@pytest.mark.parametrize("thresholds", [[5, 1], [7, 3, 1]])
def test_the_fast_scan_selects_what_the_rule_says_across_the_national_day(
    client: TestClient,
    runtime: Runtime,
    organ_a: Staff,
    admin: dict[str, str],
    thresholds: list[int],
) -> None:
    # Fri 25 Sep (Mid-Autumn) and 1-7 Oct 2026 are days off; Sun 20 Sep and Sat 10 Oct are
    # worked. Due dates spread over the span; each day from 18 Sep to 23 Oct the SQL bands and
    # the NOT EXISTS on the keys must give exactly the warnings of the per-case rule
    # (warning_for) not recorded on an earlier day.
    r = client.put(
        "/api/v1/admin/organs/org-a/settings",
        json={"warning_thresholds_wd": thresholds},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    first = date(2026, 9, 24)
    dues = [first + timedelta(days=k) for k in range(22)]
    ids = [case_due(client, runtime, d.isoformat()) for d in dues]
    with runtime.sessions.read() as s:
        rows = s.execute(
            select(
                Case.id, Case.organ_id, Case.number, Case.case_type, Case.state, Case.reply_due
            ).where(Case.id.in_(ids))
        ).all()
    cases = [Candidate(*row) for row in rows]
    recorded: set[str] = set()
    fired = 0
    today = date(2026, 9, 18)
    while today <= date(2026, 10, 23):
        rule = [warning_for(c, tuple(thresholds), runtime.calendar, today) for c in cases]
        expected = {m.dedupe_key: m for m in rule if m is not None and m.dedupe_key not in recorded}
        moment = datetime(today.year, today.month, today.day, 1, tzinfo=UTC)
        with runtime.sessions.write.begin() as s:
            before = s.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0)))
            query = due_warnings(s, runtime, today)
            assert query is not None
            written = insert_selected(s, query, now=moment)
        with runtime.sessions.read() as s:
            got = {
                e.dedupe_key: OutboxMessage(e.type, e.payload, e.organ_id, e.case_id, e.dedupe_key)
                for e in s.scalars(select(OutboxEvent).where(OutboxEvent.id > before))
            }
        assert written == len(got)
        assert sorted(got) == sorted(expected), today
        assert got == expected, today
        recorded |= {k for k in got if k is not None}
        fired += len(got)
        today += timedelta(days=1)
    # Every case got each threshold once and its overdue warning.
    assert fired == len(cases) * (len(thresholds) + 1)


def test_the_applicants_correction_period_is_watched_while_awaiting_correction(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    waiting = case_due(
        client,
        runtime,
        "2026-12-31",
        state="awaiting_correction",
        correction_due=date(2026, 11, 20),
    )
    # A case back in progress keeps its cached correction date: nothing to watch any more.
    case_due(client, runtime, "2026-12-31", state="received", correction_due=date(2026, 11, 20))
    assert scan(runtime, clock, "2026-11-12T09:00+08:00") == 0
    assert scan(runtime, clock, "2026-11-13T09:00+08:00") == 1  # 5 WD before Fri 20 Nov
    assert scan(runtime, clock, "2026-11-19T09:00+08:00") == 1
    assert scan(runtime, clock, "2026-11-20T09:00+08:00") == 0
    assert scan(runtime, clock, "2026-11-21T09:00+08:00") == 1
    assert scan(runtime, clock, "2026-11-23T09:00+08:00") == 0
    got = [(k, p["deadline"], p["due"], p.get("threshold")) for k, p in warnings(runtime, waiting)]
    assert got == [
        ("deadline.due_soon", "correction", "2026-11-20", 5),
        ("deadline.due_soon", "correction", "2026-11-20", 1),
        ("deadline.overdue", "correction", "2026-11-20", None),
    ]
    assert len(warnings(runtime)) == 3
    organ_a.headers("clerk")
    deliver(runtime)
    *_, last = notices_of(runtime, user_id(runtime, "clerk 用户"))
    assert "申请人补正期限已于 2026-11-20 届满" in last.body
    assert "视为放弃申请" in last.body

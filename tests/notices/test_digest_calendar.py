"""The daily digest at 08:30 to those who chose it; the calendar reminder from 1 November."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.notices.digest import daily_digest
from app.notices.reminder import calendar_reminder
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.notices.helpers import case_due, deliver, notices_of, user_id
from tests.outbox.helpers import events

PREFS = "/api/v1/me/notice-preferences"


def _digests(rt: Runtime) -> list[dict[str, object]]:
    return [e.payload for e in events(rt) if e.type == "digest.due"]


def test_the_digest_comes_once_at_half_past_eight_to_those_who_chose_it(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    sup = organ_a.headers("supervisor")
    organ_a.headers("clerk")  # did not choose the digest
    body = {"warnings": "none", "digest": "in_app", "calendar": "none"}
    assert client.put(PREFS, json=body, headers=sup).status_code == 200
    late = case_due(client, runtime, "2026-11-10")
    soon = case_due(client, runtime, "2026-11-13")
    case_due(client, runtime, "2026-11-30")  # neither
    clock.set("2026-11-11T08:29+08:00")  # a Wednesday
    assert daily_digest(runtime, clock()) == 0
    clock.set("2026-11-11T08:30+08:00")
    assert daily_digest(runtime, clock()) == 1
    clock.set("2026-11-11T17:00+08:00")
    assert daily_digest(runtime, clock()) == 0
    (payload,) = _digests(runtime)
    supervisor = user_id(runtime, "supervisor 用户")
    assert payload["user_id"] == supervisor
    assert payload["date"] == "2026-11-11"
    assert [c["id"] for c in payload["overdue"]] == [late]  # type: ignore[attr-defined]
    assert [c["id"] for c in payload["due_this_week"]] == [soon]  # type: ignore[attr-defined]
    deliver(runtime)
    (n,) = notices_of(runtime, supervisor)
    assert n.event_type == "digest.due"
    assert "每日摘要" in n.subject
    assert "已逾期 1 件" in n.body
    # The next working day brings the next one; a Saturday none.
    clock.set("2026-11-14T09:00+08:00")
    assert daily_digest(runtime, clock()) == 0
    clock.set("2026-11-16T08:45+08:00")
    assert daily_digest(runtime, clock()) == 1


def test_a_clerks_digest_lists_what_awaits_their_roles(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    clerk = organ_a.headers("clerk")
    body = {"warnings": "none", "digest": "in_app", "calendar": "none"}
    assert client.put(PREFS, json=body, headers=clerk).status_code == 200
    case_due(client, runtime, "2026-11-30")
    clock.set("2026-11-11T09:00+08:00")
    assert daily_digest(runtime, clock()) == 1
    (payload,) = _digests(runtime)
    assert payload["overdue"] == []  # cases they took no step on are not theirs
    awaiting = payload["awaiting"]
    assert isinstance(awaiting, list)
    assert sum(q["count"] for q in awaiting) == 1


def test_the_calendar_reminder_from_1_november_once_to_admins(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, admin: dict[str, str]
) -> None:
    organ_a.headers("clerk")
    provisional = case_due(client, runtime, "2027-01-05", reply_due_provisional=True)
    case_due(client, runtime, "2026-12-20")
    clock.set("2026-10-31T23:59+08:00")
    assert calendar_reminder(runtime, clock()) == 0
    clock.set("2026-11-01T00:10+08:00")
    assert calendar_reminder(runtime, clock()) == 1
    clock.set("2026-11-02T09:00+08:00")
    assert calendar_reminder(runtime, clock()) == 0
    (e,) = [e for e in events(runtime) if e.type == "calendar.missing"]
    assert e.payload["year"] == 2027
    assert e.payload["case_count"] == 1
    assert [c["id"] for c in e.payload["cases"]] == [provisional]
    deliver(runtime)
    (n,) = notices_of(runtime, user_id(runtime, "admin 用户"))
    assert "2027" in n.subject
    assert notices_of(runtime, user_id(runtime, "clerk 用户")) == []


def test_no_calendar_reminder_when_next_year_is_loaded(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    clock.set("2025-11-03T09:00+08:00")  # 2026 is in workflows/calendar
    assert calendar_reminder(runtime, clock()) == 0

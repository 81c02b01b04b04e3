"""An assignment reaches the people concerned through the outbox: the new assignee, or the
department's members when only a department is named; a clerk's own claim tells nobody. Deadline
warnings of an assigned case go to its assignee (and the supervisors), not to every clerk."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.notices.scan import deadline_warnings
from app.runtime import Runtime
from tests.assignment.helpers import department, person
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.notices.helpers import case_due, deliver, notices_of
from tests.outbox.helpers import events

CASES = "/api/v1/cases"


def _assign(client: TestClient, case_id: int, headers: dict[str, str], **body: Any) -> None:
    r = client.post(f"{CASES}/{case_id}/assign", json=body, headers=headers)
    assert r.status_code == 200, r.text


def test_assignments_notify_the_assignee_or_the_department(
    client: TestClient, runtime: Runtime, organ_a: Staff, admin: dict[str, str]
) -> None:
    zhang = person(client, admin, "张承办", "clerk")
    li = person(client, admin, "李承办", "clerk")
    wang = person(client, admin, "王承办", "clerk")
    head = person(client, admin, "赵主任", "approver")
    dept = department(client, admin, "规划科", li, wang)
    first = case_due(client, runtime, "2026-12-20")
    second = case_due(client, runtime, "2026-12-20")
    third = case_due(client, runtime, "2026-12-20")
    _assign(client, first, head.headers, assignee_id=zhang.id, note="请办理")
    _assign(client, second, head.headers, department_id=dept["id"])
    r = client.post(f"{CASES}/{third}/claim", headers=zhang.headers)
    assert r.status_code == 200, r.text

    assigned = [e for e in events(runtime) if e.type == "case.assigned"]
    assert [(e.case_id, e.payload["action"]) for e in assigned] == [
        (first, "assign_case"), (second, "assign_case"), (third, "claim_case")
    ]  # fmt: skip
    # No names and no note in the payload a webhook subscriber sees.
    assert set(assigned[0].payload) == {
        "case", "action", "assignee_id", "department_id", "previous_assignee_id"
    }  # fmt: skip
    deliver(runtime)
    got = {
        who: [(n.case_id, n.event_type) for n in notices_of(runtime, p.id)]
        for who, p in (("zhang", zhang), ("li", li), ("wang", wang), ("head", head))
    }
    assert got == {
        "zhang": [(first, "case.assigned")],
        "li": [(second, "case.assigned")],
        "wang": [(second, "case.assigned")],
        "head": [],
    }
    (to_zhang,) = notices_of(runtime, zhang.id)
    assert "已分办给您" in to_zhang.subject
    (to_li,) = notices_of(runtime, li.id)
    assert "科室" in to_li.subject


def test_an_assigned_cases_warnings_go_to_its_assignee(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, admin: dict[str, str]
) -> None:
    zhang = person(client, admin, "张承办", "clerk")
    li = person(client, admin, "李承办", "clerk")
    sup = person(client, admin, "钱督办", "supervisor")
    head = person(client, admin, "赵主任", "approver")
    case_id = case_due(client, runtime, "2026-11-13")
    _assign(client, case_id, head.headers, assignee_id=li.id)
    clock.set("2026-11-06T09:00+08:00")
    assert deadline_warnings(runtime, clock()) == 1
    deliver(runtime)
    warned = {
        p.name
        for p in (zhang, li, sup, head)
        if any(n.event_type == "deadline.due_soon" for n in notices_of(runtime, p.id))
    }
    assert warned == {"李承办", "钱督办"}

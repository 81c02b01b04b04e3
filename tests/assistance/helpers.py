"""The people and departments of the assistance tests: org-a asks, org-a's and org-b's
departments answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.assignment.helpers import Person, department, person
from tests.letters.helpers import online

CASES = "/api/v1/cases"
INBOX = "/api/v1/assistance-requests"


@dataclass(frozen=True)
class Cast:
    zhang: Person  # org-a clerk, the case's assignee
    li: Person  # org-a clerk in no department
    head: Person  # org-a approver
    wang: Person  # org-a clerk in 规划科
    chen: Person  # org-b clerk in 档案科
    zhou: Person  # org-b clerk in no department
    office: dict[str, Any]  # org-a 政务公开科 (zhang)
    planning: dict[str, Any]  # org-a 规划科 (wang)
    archives: dict[str, Any]  # org-b 档案科 (chen)


def cast(client: TestClient, admin: dict[str, str]) -> Cast:
    zhang = person(client, admin, "张承办", "clerk")
    li = person(client, admin, "李承办", "clerk")
    head = person(client, admin, "赵主任", "approver")
    wang = person(client, admin, "王科员", "clerk")
    chen = person(client, admin, "陈档案", "clerk", organ="org-b")
    zhou = person(client, admin, "周科员", "clerk", organ="org-b")
    return Cast(
        zhang, li, head, wang, chen, zhou,
        office=department(client, admin, "政务公开科", zhang),
        planning=department(client, admin, "规划科", wang),
        archives=department(client, admin, "档案科", chen, organ="org-b"),
    )  # fmt: skip


def claimed_case(client: TestClient, who: Person) -> dict[str, Any]:
    """An online application (received today, reply due in 20 working days) that `who` claimed."""
    case = online(client)
    r = client.post(f"{CASES}/{case['id']}/claim", headers=who.headers)
    assert r.status_code == 200, r.text
    got = dict(client.get(f"{CASES}/{case['id']}", headers=who.headers).json())
    got["reply_due"] = next(d["due_date"] for d in got["deadlines"] if d["name"] == "reply")
    return got


def ask(
    client: TestClient, case: dict[str, Any], who: Person, department_id: int, days: int = 5,
    **extra: Any,
) -> Any:  # fmt: skip
    body = {"department_id": department_id, "text": "请检索2025年老旧小区改造项目资金安排文件",
            "due_in_working_days": days, **extra}  # fmt: skip
    return client.post(f"{CASES}/{case['id']}/assistance-requests", json=body, headers=who.headers)


def asked(client: TestClient, case: dict[str, Any], who: Person, department_id: int,
          days: int = 5) -> dict[str, Any]:  # fmt: skip
    r = ask(client, case, who, department_id, days)
    assert r.status_code == 201, r.text
    return dict(r.json())

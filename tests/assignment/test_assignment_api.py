"""Claims, assignments, reassignments and the department queues, over HTTP (RULES: every state
change recorded; staff see only their organ's cases)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.assignment.helpers import Person, department, person
from tests.conftest import Staff
from tests.letters.helpers import online

CASES = "/api/v1/cases"


@pytest.fixture
def people(client: TestClient, organ_a: Staff, admin: dict[str, str]) -> dict[str, Any]:
    zhang = person(client, admin, "张承办", "clerk")
    li = person(client, admin, "李承办", "clerk")
    wang = person(client, admin, "王承办", "clerk")
    head = person(client, admin, "赵主任", "approver")
    office = department(client, admin, "政务公开科", zhang, li)
    business = department(client, admin, "规划科", wang)
    return {"zhang": zhang, "li": li, "wang": wang, "head": head,
            "office": office, "business": business}  # fmt: skip


def _listed(client: TestClient, who: Person, **params: Any) -> list[str]:
    r = client.get(CASES, params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    return [c["number"] for c in r.json()["items"]]


def _case(client: TestClient, case_id: int, who: Person) -> dict[str, Any]:
    r = client.get(f"{CASES}/{case_id}", headers=who.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_new_online_application_waits_unassigned_and_a_clerk_claims_it(
    client: TestClient, people: dict[str, Any]
) -> None:
    zhang, li = people["zhang"], people["li"]
    case = online(client)
    assert _case(client, case["id"], zhang)["assignee"] is None
    assert case["number"] in _listed(client, zhang, assignment="unassigned")
    assert _listed(client, zhang, assignment="mine") == []

    r = client.post(f"{CASES}/{case['id']}/claim", json={"version": 1}, headers=zhang.headers)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["assignee"] == {"id": zhang.id, "name": "张承办"}
    # Zhang belongs to one department: the case is routed there with him.
    assert got["department"]["name"] == "政务公开科"
    assert got["version"] == 2

    assert _listed(client, zhang, assignment="mine") == [case["number"]]
    assert _listed(client, zhang, assignment="unassigned") == []
    assert _listed(client, li, assignment="my_department") == [case["number"]]
    assert _listed(client, people["wang"], assignment="my_department") == []
    detail = _case(client, case["id"], li)
    assert detail["assignee"]["name"] == "张承办"
    assert detail["department"]["name"] == "政务公开科"

    # Someone else's case is not claimed from under them.
    r = client.post(f"{CASES}/{case['id']}/claim", headers=li.headers)
    assert r.status_code == 409
    assert r.json()["code"] == "already-assigned"
    events = client.get(f"{CASES}/{case['id']}/events", headers=zhang.headers).json()
    claim = events[-1]
    assert claim["action"] == "claim_case"
    assert claim["actor_label"] == "张承办"
    assert claim["payload"]["before"] == {"assignee_id": None, "department_id": None}
    assert claim["payload"]["after"]["assignee_id"] == zhang.id
    assert claim["from_state"] == claim["to_state"]


def test_an_approver_assigns_reassigns_and_the_timeline_keeps_each_step(
    client: TestClient, people: dict[str, Any]
) -> None:
    zhang, wang, head = people["zhang"], people["wang"], people["head"]
    case = online(client)
    url = f"{CASES}/{case['id']}/assign"
    r = client.post(
        url, json={"assignee_id": zhang.id, "note": "请张承办办理"}, headers=head.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["assignee"]["id"] == zhang.id
    # Reassigned to the business department as a whole: its members claim it.
    body = {"department_id": people["business"]["id"], "note": "涉及规划资料，转规划科"}
    r = client.post(url, json=body, headers={**head.headers, "If-Match": '"2"'})
    assert r.status_code == 200, r.text
    assert r.json()["assignee"] is None
    assert r.json()["department"]["name"] == "规划科"
    assert _listed(client, wang, assignment="my_department") == [case["number"]]
    assert _listed(client, zhang, assignment="mine") == []
    r = client.post(f"{CASES}/{case['id']}/claim", headers=wang.headers)
    assert r.status_code == 200, r.text
    assert r.json()["department"]["name"] == "规划科"

    events = client.get(f"{CASES}/{case['id']}/events", headers=head.headers).json()
    steps = [(e["action"], e["payload"]["after"]["assignee_id"]) for e in events[-3:]]
    assert steps == [("assign_case", zhang.id), ("assign_case", None), ("claim_case", wang.id)]
    assert events[-3]["payload"]["note"] == "请张承办办理"
    assert events[-2]["payload"]["before"]["assignee_id"] == zhang.id


def test_wrong_assignments_are_refused_and_change_nothing(
    client: TestClient, people: dict[str, Any], admin: dict[str, str], organ_b: Staff
) -> None:
    head, zhang, wang = people["head"], people["zhang"], people["wang"]
    outsider = person(client, admin, "外机关承办", "clerk", organ="org-b")
    legal = person(client, admin, "法制员", "legal")
    case = online(client)
    url = f"{CASES}/{case['id']}/assign"
    bad = [
        ({}, 422),
        ({"assignee_id": outsider.id}, 422),  # another organ's clerk
        ({"assignee_id": legal.id}, 422),  # not a clerk
        ({"assignee_id": 999_999}, 422),
        ({"department_id": 999_999}, 422),
        ({"assignee_id": wang.id, "department_id": people["office"]["id"]}, 422),  # not a member
        ({"assignee_id": zhang.id, "version": 7}, 409),
    ]
    for body, status in bad:
        r = client.post(url, json=body, headers=head.headers)
        assert r.status_code == status, (body, r.text)
    assert _case(client, case["id"], head)["version"] == 1
    # Clerks claim; they do not assign. Approvers assign; they do not claim.
    assert (
        client.post(url, json={"assignee_id": zhang.id}, headers=zhang.headers).status_code == 403
    )
    assert client.post(f"{CASES}/{case['id']}/claim", headers=head.headers).status_code == 403
    # Nothing to change.
    assert client.post(url, json={"assignee_id": zhang.id}, headers=head.headers).status_code == 200
    r = client.post(url, json={"assignee_id": zhang.id}, headers=head.headers)
    assert r.status_code == 409
    assert r.json()["code"] == "no-change"


def test_another_organs_staff_cannot_see_claim_or_assign(
    client: TestClient, people: dict[str, Any], admin: dict[str, str], organ_b: Staff
) -> None:
    case = online(client)
    clerk_b = person(client, admin, "乙承办", "clerk", organ="org-b")
    head_b = person(client, admin, "乙主任", "approver", organ="org-b")
    assert client.post(f"{CASES}/{case['id']}/claim", headers=clerk_b.headers).status_code == 404
    r = client.post(
        f"{CASES}/{case['id']}/assign", json={"assignee_id": clerk_b.id}, headers=head_b.headers
    )
    assert r.status_code == 404
    assert (
        client.get(f"{CASES}/{case['id']}/assignment", headers=clerk_b.headers).status_code == 404
    )
    # Departments are listed per organ; another organ's department cannot be edited.
    assert client.get("/api/v1/departments", headers=clerk_b.headers).json() == []
    admin_b = person(client, admin, "乙管理员", "admin", organ="org-b")
    dept = people["office"]["id"]
    r = client.patch(f"/api/v1/departments/{dept}", json={"name": "改"}, headers=admin_b.headers)
    assert r.status_code == 404


def test_a_closed_case_is_not_assigned(
    client: TestClient, people: dict[str, Any], runtime: Runtime
) -> None:
    case = online(client)
    r = client.post(
        f"/api/v1/applications/{case['number']}/actions/withdraw",
        json={"withdrawn_on": "2026-03-02", "reason": "不再需要", "version": 1},
        headers={"X-Query-Code": case["query_code"]},
    )
    assert r.status_code == 200, r.text
    r = client.post(f"{CASES}/{case['id']}/claim", headers=people["zhang"].headers)
    assert r.status_code == 409
    assert r.json()["code"] == "case-closed"


def test_departments_are_managed_by_the_admin(
    client: TestClient, people: dict[str, Any], admin: dict[str, str]
) -> None:
    zhang = people["zhang"]
    listed = client.get("/api/v1/departments", headers=zhang.headers).json()
    members = {d["name"]: sorted(m["name"] for m in d["members"]) for d in listed}
    assert members == {"政务公开科": sorted(["张承办", "李承办"]), "规划科": ["王承办"]}
    r = client.post("/api/v1/departments", json={"name": "规划科", "organ_code": "org-a"},
                    headers=admin)  # fmt: skip
    assert r.status_code == 422
    assert (
        client.post("/api/v1/departments", json={"name": "新科"}, headers=zhang.headers).status_code
        == 403
    )
    dept = people["business"]["id"]
    r = client.patch(f"/api/v1/departments/{dept}", json={"active": False}, headers=admin)
    assert r.status_code == 200
    assert r.json()["active"] is False
    case = online(client)
    r = client.post(
        f"{CASES}/{case['id']}/assign", json={"department_id": dept}, headers=people["head"].headers
    )
    assert r.status_code == 422  # a retired department takes no new cases
    # Members come from the department's organ only.
    r = client.put(
        f"/api/v1/departments/{dept}/members", json={"user_ids": [zhang.id, 999_999]}, headers=admin
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "user_ids", 1]

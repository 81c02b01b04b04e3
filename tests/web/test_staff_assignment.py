"""Claiming and assigning from the workbench (签收、分办): the worklist's tabs, the case page's
承办 section and its forms, through the same services as the JSON routes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.letters.helpers import online
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

CASES = "/api/v1/cases"


def _department(client: TestClient, admin: dict[str, str], name: str, *members: int) -> int:
    r = client.post(
        "/api/v1/departments", json={"name": name, "organ_code": "org-a"}, headers=admin
    )
    assert r.status_code == 201, r.text
    dept = int(r.json()["id"])
    r = client.put(
        f"/api/v1/departments/{dept}/members", json={"user_ids": list(members)}, headers=admin
    )
    assert r.status_code == 200, r.text
    return dept


def _post(client: TestClient, page: str, path: str, data: dict[str, str]) -> Any:
    return client.post(
        path, data={"csrf_token": csrf(client, page), **data}, follow_redirects=False
    )


def _numbers(html: str, cases: list[dict[str, Any]]) -> list[str]:
    return [c["number"] for c in cases if c["number"] in html]


def test_a_clerk_claims_from_the_unassigned_tab(
    client: TestClient, runtime: Runtime, organ_a: Staff, admin: dict[str, str]
) -> None:
    zhang = make_staff(runtime, "org-a", "clerk", login="zhang", name="张承办")
    _department(client, admin, "政务公开科", zhang)
    first, second = online(client), online(client)
    signed_in(client, "zhang")

    page = client.get("/staff/?assignment=unassigned")
    assert page.status_code == 200
    assert 'aria-current="page">待签收' in page.text
    assert _numbers(page.text, [first, second]) == [first["number"], second["number"]]
    assert _numbers(client.get("/staff/?assignment=mine").text, [first, second]) == []

    case_page = f"/staff/cases/{first['id']}"
    shown = client.get(case_page).text
    assert f'action="/staff/cases/{first["id"]}/claim"' in shown
    assert f'action="/staff/cases/{first["id"]}/assign"' not in shown  # clerks do not assign
    r = _post(client, case_page, f"{case_page}/claim", {"version": "1"})
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"].startswith(f"{case_page}?done=claim_case")
    after = client.get(r.headers["location"]).text
    assert "已完成：签收" in after
    assert "张承办" in after
    assert "政务公开科" in after
    assert f'action="/staff/cases/{first["id"]}/claim"' not in after
    assert _numbers(client.get("/staff/?assignment=mine").text, [first, second]) == [
        first["number"]
    ]
    unassigned = client.get("/staff/?assignment=unassigned").text
    assert _numbers(unassigned, [first, second]) == [second["number"]]
    assert _numbers(client.get("/staff/?assignment=my_department").text, [first, second]) == [
        first["number"]
    ]
    # The timeline names the step.
    assert "签收" in client.get(case_page).text


def test_an_approver_assigns_and_a_wrong_choice_is_shown_on_the_page(
    client: TestClient, runtime: Runtime, organ_a: Staff, admin: dict[str, str]
) -> None:
    li = make_staff(runtime, "org-a", "clerk", login="li", name="李承办")
    wang = make_staff(runtime, "org-a", "clerk", login="wang", name="王承办")
    make_staff(runtime, "org-a", "approver", login="zhao", name="赵主任")
    office = _department(client, admin, "政务公开科", li)
    case = online(client)
    signed_in(client, "zhao")
    case_page = f"/staff/cases/{case['id']}"
    shown = client.get(case_page).text
    assert ">分办</summary>" in shown
    assert f'action="/staff/cases/{case["id"]}/claim"' not in shown  # approvers do not claim
    assert "李承办" in shown
    assert "王承办" in shown  # the clerks offered

    # Wang is not in the office: refused, said beside the form, nothing changed.
    bad = {"version": "1", "assignee_id": str(wang), "department_id": str(office), "note": "请办"}
    r = _post(client, case_page, f"{case_page}/assign", bad)
    assert r.status_code == 422
    assert "不属于所选科室" in r.text
    assert "请办" in r.text  # the note is kept
    assert (
        client.get(f"{CASES}/{case['id']}", headers=organ_a.headers("clerk")).json()["version"] == 1
    )

    good = {"version": "1", "assignee_id": str(li), "department_id": str(office), "note": "请办"}
    r = _post(client, case_page, f"{case_page}/assign", good)
    assert r.status_code == 303, r.text[:500]
    after = client.get(r.headers["location"]).text
    assert "已完成：分办" in after
    assert ">改派</summary>" in after
    api = client.get(f"{CASES}/{case['id']}", headers=organ_a.headers("clerk")).json()
    assert api["assignee"]["name"] == "李承办"
    assert api["department"]["name"] == "政务公开科"

    # A stale form (version 1 again) is a conflict, shown on the page.
    r = _post(client, case_page, f"{case_page}/assign", {**good, "assignee_id": ""})
    assert r.status_code == 409
    assert "版本" in r.text
    worklist = client.get("/staff/").text
    assert "李承办" in worklist
    assert "政务公开科" in worklist


def test_the_forms_are_offered_only_to_those_who_may_use_them(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    make_staff(runtime, "org-a", "front_desk", login="desk", name="窗口")
    case = online(client)
    signed_in(client, "desk")
    shown = client.get(f"/staff/cases/{case['id']}").text
    assert "待签收" in shown
    assert "/claim" not in shown
    assert "/assign" not in shown
    r = _post(client, f"/staff/cases/{case['id']}", f"/staff/cases/{case['id']}/claim", {})
    assert r.status_code == 403

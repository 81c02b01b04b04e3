"""Assistance requests in the workbench (协办): asking from the case page's 协办 section, the
department's inbox at /staff/assistance with its answer form, the files, the worklist's flag —
through the same services as the JSON routes."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import online
from tests.validation.samples import make_pdf
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

CASES = "/api/v1/cases"
PDF = make_pdf()
FLAG = '<span class="tag tag--overdue">协办逾期</span>'
NAV = re.compile(r'<nav class="site-nav staff-nav".*?</nav>', re.S)


def _department(
    client: TestClient, admin: dict[str, str], name: str, organ: str, *members: int
) -> int:
    r = client.post("/api/v1/departments", json={"name": name, "organ_code": organ}, headers=admin)
    assert r.status_code == 201, r.text
    dept = int(r.json()["id"])
    r = client.put(
        f"/api/v1/departments/{dept}/members", json={"user_ids": list(members)}, headers=admin
    )
    assert r.status_code == 200, r.text
    return dept


def _post(client: TestClient, page: str, path: str, data: dict[str, str], **kw: Any) -> Any:
    return client.post(
        path, data={"csrf_token": csrf(client, page), **data}, follow_redirects=False, **kw
    )


def _setup(client: TestClient, runtime: Runtime, organ_a: Staff, admin: dict[str, str]) -> Any:
    zhang = make_staff(runtime, "org-a", "clerk", login="zhang", name="张承办")
    make_staff(runtime, "org-a", "clerk", login="wang", name="王承办")
    chen = make_staff(runtime, "org-b", "clerk", login="chen", name="陈档案")
    archives = _department(client, admin, "档案科", "org-b", chen)
    case = online(client)
    r = client.post(
        f"{CASES}/{case['id']}/assign",
        json={"assignee_id": zhang},
        headers=organ_a.headers("approver"),
    )
    assert r.status_code == 200, r.text
    return case, archives


def test_the_assignee_asks_from_the_case_page_and_the_other_organs_department_answers(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff, admin: dict[str, str]
) -> None:
    case, archives = _setup(client, runtime, organ_a, admin)
    signed_in(client, "zhang")
    page = f"/staff/cases/{case['id']}"
    shown = client.get(page).text
    assert 'id="assistance-title">协办' in shown
    assert "本案尚无协办请求" in shown
    assert "<optgroup" in shown
    assert f'<option value="{archives}"' in shown
    # The nav offers no inbox to someone in no department.
    assert "/staff/assistance" not in NAV.search(shown).group(0)  # type: ignore[union-attr]

    # Past the reply due date: refused beside the field, nothing recorded.
    fields = {"version": "2", "assistance.department_id": str(archives),
              "assistance.text": "请检索2025年资金安排文件"}  # fmt: skip
    r = _post(
        client, page, f"{page}/assistance", {**fields, "assistance.due_in_working_days": "30"}
    )
    assert r.status_code == 422, r.text[:500]
    assert 'id="assistance-due_in_working_days-error"' in r.text
    assert "晚于答复期限" in r.text
    assert "请检索2025年资金安排文件" in r.text  # kept
    r = _post(client, page, f"{page}/assistance", {**fields, "assistance.due_in_working_days": "x"})
    assert r.status_code == 422
    assert client.get(f"{CASES}/{case['id']}/assistance-requests",
                      headers=organ_a.headers("clerk")).json() == []  # fmt: skip

    r = _post(client, page, f"{page}/assistance", {**fields, "assistance.due_in_working_days": "5"})
    assert r.status_code == 303, r.text[:500]
    after = client.get(r.headers["location"]).text
    assert "已完成：请求协办" in after
    assert "档案科" in after
    assert "待答复" in after
    assert "2026年3月9日" in after

    # The department's member, in another organ: the nav's 协办, the inbox, the answer.
    other = TestClient(client.app)
    signed_in(other, "chen")
    home = other.get("/staff/assistance")
    assert home.status_code == 200
    assert "/staff/assistance" in NAV.search(home.text).group(0)  # type: ignore[union-attr]
    assert case["number"] in home.text
    assert "张三" not in home.text  # the applicant's name is not theirs to see
    (rid,) = re.findall(r'href="/staff/assistance/(\d+)"', home.text)
    detail = f"/staff/assistance/{rid}"
    shown = other.get(detail).text
    assert "2025年本区老旧小区改造项目清单" in shown  # the items asked about
    assert "张三" not in shown
    assert other.get(f"/staff/cases/{case['id']}").status_code == 404

    r = _post(other, detail, f"{detail}/answer", {"text": "没有选结果"})
    assert r.status_code == 422
    assert 'id="outcome-error"' in r.text
    r = _post(
        other, detail, f"{detail}/answer", {"outcome": "found", "text": "已查到，见附件"},
        files={"attachments": ("资金安排.pdf", PDF, "application/pdf")},
    )  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"] == "/staff/assistance?done=answered"
    done = other.get(r.headers["location"]).text
    assert "已答复协办请求" in done
    assert "已查到" in done

    # Back on the case page: the answer and its file, downloadable.
    back = client.get(page).text
    assert "已答复" in back
    assert "已查到，见附件" in back
    (href,) = re.findall(r'href="(/staff/assistance/\d+/files/\d+)"', back)
    got = client.get(href)
    assert got.status_code == 200
    assert got.content == PDF
    assert other.get(href).status_code == 200
    # The org-a clerk in no department cannot open the request page or the inbox.
    third = TestClient(client.app)
    signed_in(third, "wang")
    assert third.get("/staff/assistance").status_code == 403
    assert third.get(detail).status_code == 404


def test_a_request_past_its_date_is_flagged_in_the_worklist_and_can_be_withdrawn(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, organ_b: Staff,
    admin: dict[str, str],
) -> None:  # fmt: skip
    case, archives = _setup(client, runtime, organ_a, admin)
    signed_in(client, "zhang")
    page = f"/staff/cases/{case['id']}"
    r = _post(client, page, f"{page}/assistance", {
        "version": "2", "assistance.department_id": str(archives),
        "assistance.text": "请提供档案", "assistance.due_in_working_days": "1"})  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    assert FLAG not in client.get("/staff/").text
    clock.set("2026-03-04T09:00+08:00")  # due Tuesday 3 March
    signed_in(client, "zhang")  # two days idle: a new session
    worklist = client.get("/staff/").text
    assert FLAG in worklist
    filtered = client.get("/staff/?assistance=overdue").text
    assert case["number"] in filtered
    assert 'name="assistance" value="overdue" checked' in filtered
    shown = client.get(page).text
    assert FLAG in shown
    (withdraw,) = re.findall(r'action="(/staff/assistance/\d+/withdraw)"', shown)
    r = _post(client, page, withdraw, {})
    assert r.status_code == 303
    after = client.get(r.headers["location"]).text
    assert "已完成：撤回协办请求" in after
    assert "已撤回" in after
    assert case["number"] not in client.get("/staff/?assistance=overdue").text

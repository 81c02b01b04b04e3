"""Assistance requests in Chromium: the assignee asks another organ's department from the case
page, the worklist flags the request once past its date, a member of that department answers
from /staff/assistance with a file, and the answer shows on the case page; every page passes
the accessibility check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from app.assignment.schemas import DepartmentCreate, MembersWrite
from app.assignment.service import create_department, set_members
from app.auth.principal import Principal
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, application
from tests.web.browser.support import assert_accessible, expect, minimal_pdf, needs_chromium
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)

pytestmark = needs_chromium
SHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"


def _sign_in(page: Any, path: str, login: str) -> None:
    page.context.clear_cookies()
    page.goto(path)
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_ask_a_department_of_another_organ_then_answer_from_its_inbox(
    page: Any,
    runtime: Runtime,
    clock: Clock,
    portal_organs: Staff,
    staff_api: httpx.Client,
    tmp_path: Path,
) -> None:
    clock.set("2026-03-03T09:00+08:00")  # Tuesday
    r = staff_api.post("/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    case = r.json()
    zhang = make_staff(runtime, "org-a", "clerk", login="zhang", name="张承办")
    chen = make_staff(runtime, "org-zr", "clerk", login="chen", name="陈档案")
    admin = make_staff(runtime, None, "admin", login="admin", name="管理员")
    with runtime.sessions.write.begin() as s:
        boss = Principal(admin, "管理员", None, None, frozenset({"admin"}))
        dept = create_department(
            s, boss, DepartmentCreate(name="档案科", organ_code="org-zr"), now=clock()
        )
        set_members(s, boss, dept.id, MembersWrite(user_ids=[chen]))
    r = staff_api.post(
        f"/api/v1/cases/{case['id']}/assign",
        json={"assignee_id": zhang},
        headers=portal_organs.headers("approver"),
    )
    assert r.status_code == 200, r.text

    # The assignee asks from the case page.
    _sign_in(page, f"/staff/cases/{case['id']}", "zhang")
    page.locator("#assistance summary").click()
    page.get_by_label("协办科室").select_option(label="档案科")
    page.get_by_label("请求内容").fill("请检索2025年老旧小区改造项目的规划审批档案")
    page.get_by_label("协办期限（工作日）").fill("1")
    page.get_by_role("button", name="发送协办请求").click()
    expect(page.locator("#done")).to_contain_text("请求协办")
    row = page.locator("#assistance .assistance-request")
    expect(row).to_contain_text("档案科")
    expect(row).to_contain_text("待答复")
    expect(row).to_contain_text("2026年3月4日")
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "staff-case-assistance.png"), full_page=True)

    # Two days on, unanswered: the worklist flags it.
    clock.set("2026-03-05T09:00+08:00")
    _sign_in(page, "/staff/", "zhang")
    expect(page.locator("table").get_by_text("协办逾期")).to_be_visible()
    page.get_by_label("只看协办逾期的").check()
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("link", name=case["number"], exact=True)).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "staff-worklist-assistance-overdue.png"), full_page=True)

    # The other organ's department member answers from the inbox, with a file.
    _sign_in(page, "/staff/", "chen")
    page.get_by_role("link", name="协办", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("协办")
    expect(page.get_by_text("协办逾期")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "staff-assistance-inbox.png"), full_page=True)
    page.get_by_role("link", name=case["number"], exact=True).click()
    expect(page.locator("#assistance-text")).to_contain_text("规划审批档案")
    page.get_by_label("部分查到").check()
    page.get_by_label("答复说明").fill("查到2025年规划审批档案，项目清单未保存")
    pdf = tmp_path / "规划审批档案.pdf"
    pdf.write_bytes(minimal_pdf("archive"))
    page.get_by_label("附件").set_input_files(str(pdf))
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "staff-assistance-answer.png"), full_page=True)
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator("#done")).to_contain_text("已答复")
    assert_accessible(page)

    # Back with the assignee: the answer and its file on the case page, the flag gone.
    _sign_in(page, f"/staff/cases/{case['id']}", "zhang")
    row = page.locator("#assistance .assistance-request")
    expect(row).to_contain_text("部分查到")
    expect(row).to_contain_text("项目清单未保存")
    expect(row.get_by_role("link", name="规划审批档案.pdf")).to_be_visible()
    page.goto("/staff/")
    expect(page.locator("table").get_by_text("协办逾期")).to_have_count(0)

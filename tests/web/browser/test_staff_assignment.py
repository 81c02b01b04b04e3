"""Claiming and assigning in Chromium: a clerk claims from the 待签收 tab, an approver reassigns
to a department from the case page; both pages pass the accessibility check."""

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
from tests.web.browser.support import assert_accessible, expect, needs_chromium
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)

pytestmark = needs_chromium
SHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"


def _sign_in(page: Any, path: str, login: str) -> None:
    page.goto(path)
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_claim_then_reassign_to_a_department(
    page: Any,
    runtime: Runtime,
    clock: Clock,
    portal_organs: Staff,
    staff_api: httpx.Client,
) -> None:
    clock.set("2026-03-03T09:00+08:00")
    r = staff_api.post("/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    case = r.json()
    make_staff(runtime, "org-a", "clerk", login="zhang", name="张承办")
    wang = make_staff(runtime, "org-a", "clerk", login="wang", name="王承办")
    make_staff(runtime, "org-a", "approver", login="zhao", name="赵主任")
    admin = make_staff(runtime, None, "admin", login="admin", name="管理员")
    with runtime.sessions.write.begin() as s:
        boss = Principal(admin, "管理员", None, None, frozenset({"admin"}))
        dept = create_department(
            s, boss, DepartmentCreate(name="规划科", organ_code="org-a"), now=clock()
        )
        set_members(s, boss, dept.id, MembersWrite(user_ids=[wang]))

    _sign_in(page, "/staff/?assignment=unassigned", "zhang")
    expect(page.get_by_role("link", name="待签收")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name=case["number"], exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="签收").click()
    expect(page.locator("#done")).to_contain_text("签收")
    expect(page.locator("#case-assignee")).to_have_text("张承办")
    page.get_by_role("link", name="返回工作清单").click()
    page.get_by_role("link", name="我承办的").click()
    expect(page.get_by_role("link", name="我承办的")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name=case["number"], exact=True)).to_be_visible()

    page.context.clear_cookies()
    _sign_in(page, f"/staff/cases/{case['id']}", "zhao")
    page.locator("#assignment summary").click()
    page.get_by_label("承办科室").select_option(label="规划科")
    page.get_by_label("分办意见").fill("涉及规划资料，转规划科")
    page.get_by_role("button", name="改派").click()
    expect(page.locator("#done")).to_contain_text("分办")
    expect(page.locator("#case-assignee")).to_contain_text("待签收")
    expect(page.locator("#case-department")).to_have_text("规划科")
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "staff-case-assignment.png"), full_page=True)
    page.goto("/staff/")
    page.screenshot(path=str(SHOTS / "staff-worklist-tabs.png"), full_page=True)

    # The administrator's department page: the members as checkboxes.
    page.context.clear_cookies()
    _sign_in(page, f"/staff/admin/departments/{dept.id}", "admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("科室 规划科")
    expect(page.get_by_label("王承办")).to_be_checked()
    expect(page.get_by_label("张承办")).not_to_be_checked()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "staff-admin-department.png"), full_page=True)

"""The supervisor signs in, opens the dashboard and follows the overdue figure to the worklist."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, staff_case
from tests.web.browser.support import assert_accessible
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)


def test_the_supervisor_follows_the_overdue_figure_to_the_worklist(
    page: Any, runtime: Runtime, clock: Clock, portal_organs: Staff, staff_api: httpx.Client
) -> None:
    clock.set("2026-04-15T09:00+08:00")
    clerk = portal_organs.headers("clerk")
    numbers = []
    for arrived in ("2026-03-02", "2026-03-03", "2026-04-14"):  # two overdue, one not
        body = staff_case("in_person", arrived_at=f"{arrived}T10:00:00+08:00")
        r = staff_api.post("/api/v1/cases", json=body, headers=clerk)
        assert r.status_code == 201, r.text
        numbers.append(r.json()["number"])
    make_staff(runtime, "org-a", "supervisor", login="duban")

    page.goto("/staff/login")
    page.get_by_label("登录名").fill("duban")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="督办看板").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("督办看板")
    assert_accessible(page)

    overdue = page.get_by_role("row", name=re.compile("^已逾期")).get_by_role("link")
    expect(overdue).to_have_text("2")
    overdue.click()
    expect(page).to_have_url(re.compile(r"/staff/\?overdue=true&scope=all$"))
    expect(page.get_by_role("heading", name="案件（共 2 件）")).to_be_visible()
    for number in numbers[:2]:
        expect(page.get_by_role("link", name=number)).to_be_visible()
    expect(page.get_by_role("link", name=numbers[2])).to_have_count(0)
    assert_accessible(page)


def test_the_approver_and_legal_pages_are_accessible_and_lock_a_year_with_confirmation(
    page: Any, runtime: Runtime, clock: Clock, portal_organs: Staff, staff_api: httpx.Client
) -> None:
    clock.set("2026-04-15T09:00+08:00")
    body = staff_case("in_person", arrived_at="2026-04-14T10:00:00+08:00")
    r = staff_api.post("/api/v1/cases", json=body, headers=portal_organs.headers("clerk"))
    assert r.status_code == 201, r.text
    make_staff(runtime, "org-a", "approver", "legal", login="fuze")

    page.goto("/staff/login")
    page.get_by_label("登录名").fill("fuze")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="法制审核与会商").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("法制审核与会商")
    assert_accessible(page)
    page.get_by_role("link", name="待审批").click()
    expect(page.get_by_role("link", name=r.json()["number"])).to_be_visible()
    expect(page.get_by_role("link", name="延长答复期限").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="年度报告发布与锁定").click()
    # Without the confirmation nothing is locked and the page says why.
    page.get_by_role("button", name="发布并锁定 2025 年度").click()
    expect(page.get_by_role("alert")).to_contain_text("请勾选确认发布 2025 年度报告")
    assert_accessible(page)
    page.get_by_label(re.compile("我确认发布2025年度报告")).check()
    page.get_by_role("button", name="发布并锁定 2025 年度").click()
    expect(page.get_by_role("status")).to_have_text("2025 年度报告已发布并锁定。")
    assert_accessible(page)
    api = staff_api.get("/api/v1/reports/annual/2025", headers=portal_organs.headers("approver"))
    assert api.json()["lock"] is not None

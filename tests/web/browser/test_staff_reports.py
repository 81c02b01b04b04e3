"""The annual report in a real browser: an approver opens the report from the navigation,
follows a number to its cases and on to a case, downloads the XLSX with the page's cookie and
publishes the year; every page accessible, at desktop and phone width, nothing off the origin."""

from __future__ import annotations

import re
from typing import Any

import httpx

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, staff_case
from tests.web.browser.conftest import OpenPage
from tests.web.browser.support import (
    assert_accessible,
    expect,
    needs_chromium,
    no_sideways_scroll,
)
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (cheap Argon2 for this module)
)

pytestmark = needs_chromium


def _sign_in(page: Any, login: str) -> None:
    page.goto("/staff/login")
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_the_approver_reads_the_report_follows_a_number_and_publishes_the_year(
    open_page: OpenPage,
    runtime: Runtime,
    clock: Clock,
    portal_organs: Staff,
    staff_api: httpx.Client,
) -> None:
    clock.set("2026-04-15T09:00+08:00")
    body = staff_case("in_person", arrived_at="2026-04-14T10:00:00+08:00")
    r = staff_api.post("/api/v1/cases", json=body, headers=portal_organs.headers("clerk"))
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    clock.set("2027-01-05T09:00+08:00")
    make_staff(runtime, "org-a", "approver", login="fuze")

    page = open_page()
    _sign_in(page, "fuze")
    page.get_by_role("link", name="年度报告").click()
    expect(page).to_have_url(re.compile(r"/staff/reports/2026$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "2026 年度政府信息公开工作年度报告"
    )
    table3 = page.get_by_role("table", name="三、收到和处理政府信息公开申请情况")
    expect(table3).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as got:
        page.get_by_role("link", name="Excel 表格（XLSX）").click()
    assert got.value.suggested_filename.endswith("2026年度报告表三表四.xlsx")

    new = table3.get_by_role("row", name=re.compile("^一、本年新收")).get_by_role("link").last
    expect(new).to_have_text("1")
    new.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 年度报告 表三的一格")
    assert_accessible(page)
    page.get_by_role("link", name=number).click()
    expect(page).to_have_url(re.compile(r"/staff/cases/\d+$"))
    page.go_back()
    page.get_by_role("link", name="返回 2026 年度报告").click()

    page.get_by_role("button", name="发布并锁定 2026 年度").click()
    expect(page.get_by_role("alert")).to_contain_text("请勾选确认发布 2026 年度报告")
    assert_accessible(page)
    page.get_by_label(re.compile("我确认发布2026年度报告")).check()
    page.get_by_role("button", name="发布并锁定 2026 年度").click()
    expect(page.get_by_role("status")).to_have_text("2026 年度报告已发布并锁定。")
    expect(page.locator("#lock")).to_contain_text("发布人：fuze 用户")
    assert_accessible(page)
    api = staff_api.get("/api/v1/reports/annual/2026", headers=portal_organs.headers("approver"))
    assert api.json()["lock"]["locked_by"] == "fuze 用户"

    phone = open_page(phone=True)
    _sign_in(phone, "fuze")
    phone.goto("/staff/reports/2026")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    width, inner = no_sideways_scroll(phone)
    assert width <= inner, (width, inner)  # the tables scroll inside their own box
    assert_accessible(phone)

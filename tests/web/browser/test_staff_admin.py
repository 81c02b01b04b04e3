"""The administration pages in a real browser: the admin signs in and opens the calendar."""

from __future__ import annotations

import re
from typing import Any

from app.runtime import Runtime
from tests.web.browser.support import assert_accessible, expect, needs_chromium
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (cheap Argon2 for this module)
)

pytestmark = needs_chromium


def test_the_admin_signs_in_and_reads_the_calendar(page: Any, runtime: Runtime) -> None:
    make_staff(runtime, None, "admin", login="root", name="平台管理员")
    page.goto("/staff/admin/calendar/2026")
    expect(page).to_have_url(re.compile(r"/staff/login\?next=/staff/admin/calendar/2026$"))
    page.get_by_label("登录名").fill("root")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/staff/admin/calendar/2026$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 年放假安排")
    expect(page.locator("table.calendar-month")).to_have_count(12)
    newyear = page.locator('td:has(time[datetime="2026-01-01"])')
    expect(newyear).to_contain_text("休")
    expect(newyear).to_contain_text("元旦")
    expect(page.locator('td:has(time[datetime="2026-01-04"])')).to_contain_text("班")
    expect(page.get_by_label(re.compile("放假安排（与"))).to_contain_text("year: 2026")
    assert_accessible(page)
    page.get_by_role("link", name="全部年份").click()
    expect(page.get_by_role("link", name="2026 年")).to_be_visible()
    assert_accessible(page)


def test_the_admin_reads_the_drawn_workflow_and_changes_a_users_roles(
    page: Any, runtime: Runtime
) -> None:
    make_staff(runtime, None, "admin", login="root", name="平台管理员")
    make_staff(runtime, "org-a", "clerk", login="clerk", name="承办人 李明")
    page.goto("/staff/admin/workflow/foi_application")
    page.get_by_label("登录名").fill("root")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    diagram = page.get_by_role("img", name=re.compile("^办理流程图：政府信息依申请公开办理流程"))
    expect(diagram).to_be_visible()
    box = diagram.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100
    assert_accessible(page)

    page.goto("/staff/admin/users")
    page.get_by_role("link", name=re.compile("^角色与状态.*承办人 李明$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("角色与状态：承办人 李明")
    expect(page.get_by_label("承办人")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("法制机构").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已保存 承办人 李明 的角色和状态")
    expect(page.locator("table.users")).to_contain_text("承办人、法制机构")

    page.get_by_role("link", name="新建用户").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建用户")
    assert_accessible(page)

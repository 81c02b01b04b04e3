"""The front desk in Chromium: sign in, register a posted application, open its receipt PDF."""

from __future__ import annotations

from typing import Any

import httpx

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.web.browser.flows import (
    button,
    choose,
    field,
    fill_item,
    fill_person,
    link,
    pdf_download,
    staff_case,
)
from tests.web.browser.support import assert_accessible, expect, needs_chromium
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)

pytestmark = needs_chromium


def test_the_front_desk_registers_a_posted_application_and_opens_its_receipt(
    page: Any, runtime: Runtime, clock: Clock, staff_api: httpx.Client, portal_organs: Staff
) -> None:
    clock.set("2026-03-04T10:00+08:00")
    make_staff(runtime, "org-a", "front_desk", login="desk")
    page.goto("/staff/login")
    field(page, "登录名").fill("desk")
    field(page, "密码").fill(PASSWORD)
    button(page, "登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作清单")

    link(page, "登记申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记申请")
    assert_accessible(page)
    field(page, "渠道").select_option("registered_mail")
    field(page, "到达时间").fill("2026-03-03T09:30")
    field(page, "收到申请日期").fill("2026-03-03")
    field(page, "收到日期依据").select_option("signed_for")
    field(page, "收到凭证").fill("EMS 签收记录 1151234567890")
    fill_person(page, "赵敏")
    fill_item(page)
    choose(page, "获取信息的方式", "纸质")
    choose(page, "送达方式", "邮寄")
    button(page, "登记").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("申请已登记")
    assert_accessible(page)
    number = page.locator("#registration-number").inner_text().strip()
    case = staff_case(staff_api, portal_organs, number)
    assert case["channel"] == "registered_mail"
    assert case["receipt_date"] == "2026-03-03"
    assert case["receipt_basis"] == "signed_for"

    pdf = pdf_download(page, link(page, "打印受理回执"))
    assert pdf.startswith(b"%PDF")

    # The print queue lists the receipt, ready to go out by post.
    link(page, "打印").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("打印")
    expect(page.get_by_text(number).first).to_be_visible()
    assert_accessible(page)

"""Following a case in a real browser: lookup, the case page, letters, correction, withdrawal."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api.portal_helpers import reply_and_serve
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.web.browser.conftest import OpenPage
from tests.web.browser.flows import (
    after_heading,
    agrees_with_the_json_view,
    api_application,
    applicant_state,
    attach,
    button,
    field,
    link,
    look_up,
    open_case,
    pdf_download,
    section_heading,
    staff_act,
    staff_case,
)
from tests.web.browser.support import assert_accessible, expect, needs_chromium

pytestmark = needs_chromium

# make_organ's defaults for org-a: where the applicant seeks reconsideration, and sues.
OFFICE_REVIEWER = "示例区人民政府"
OFFICE_COURT = "示例区人民法院"


def withdraw_control(page: Any) -> Any:
    """`撤回申请` on the case page: a link or a button, as the contract allows."""
    main = page.get_by_role("main")
    return link(main, "撤回申请").or_(button(main, "撤回申请")).first


def test_look_the_case_up_and_read_it(page: Any, staff_api: httpx.Client) -> None:
    case = api_application(staff_api)
    page.goto("/query")
    assert_accessible(page)
    answer = look_up(page, case.number, case.code)
    assert answer.status == 303
    assert case.code not in (answer.headers.get("location") or "")
    expect(page).to_have_url(re.compile(r"/query/case$"))
    assert case.code not in page.url
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("办理进度")
    expect(main).to_contain_text(case.number)
    for name in ("下一步", "期限", "办理记录", "文书"):
        expect(section_heading(page, name)).to_be_visible()
    agrees_with_the_json_view(page, staff_api, case.number, case.code)
    expect(after_heading(page, "下一步")).to_contain_text("无需")  # nothing to do now
    # Each deadline says why that day: start day, working days counted.
    why = main.locator("details", has=page.locator("summary", has_text="为什么是这一天")).first
    why.locator("summary").click()
    expect(why).to_have_attribute("open", "")
    expect(why).to_contain_text("工作日")
    # The timeline has the submission; the letters have the receipt, downloadable.
    expect(main.locator("ol, ul").filter(has_text="提交").first).to_be_visible()
    download = main.get_by_role("link", name=re.compile(r"^下载")).first
    expect(download).to_have_attribute("href", re.compile(r"^/query/letters/\d+$"))
    assert pdf_download(page, download).startswith(b"%PDF")
    assert_accessible(page)

    button(page, "退出查询").click()
    page.goto("/query/case")
    expect(page).to_have_url(re.compile(r"/query$"))


def test_wrong_code_is_told_beside_the_fields_then_the_brake_says_how_long_to_wait(
    page: Any, staff_api: httpx.Client
) -> None:
    case = api_application(staff_api)
    answer = look_up(page, case.number, "WRONG-CODE-1234")
    assert answer.status == 404
    expect(page.get_by_role("main")).to_contain_text("登记编号或查询码不正确")
    expect(field(page, "登记编号")).to_have_value(case.number)
    assert_accessible(page)
    statuses = [look_up(page, case.number, f"WRONG-CODE-{i:04d}").status for i in range(6)]
    assert statuses[-1] == 429, statuses
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"\d+\s*(秒|分钟|小时)"))
    assert_accessible(page)


def test_one_cookie_opens_one_case(open_page: OpenPage, staff_api: httpx.Client) -> None:
    first, second = api_application(staff_api), api_application(staff_api)
    page = open_page()
    open_case(page, first.number, first.code)
    expect(page.get_by_role("main")).to_contain_text(first.number)
    expect(page.get_by_role("main")).not_to_contain_text(second.number)
    other = open_page()
    open_case(other, second.number, second.code)
    second_letter = (
        other.get_by_role("main")
        .get_by_role("link", name=re.compile(r"^下载"))
        .first.get_attribute("href")
    )
    # The first browser holds the first case only: the second case's letter is not its own.
    response = page.goto(second_letter)
    assert response.status == 404


def test_correction_asked_by_the_clerk_is_answered_from_the_case_page(
    page: Any, staff_api: httpx.Client, portal_organs: Staff
) -> None:
    case = api_application(staff_api)
    staff_act(
        staff_api,
        portal_organs,
        case.number,
        "request_correction",
        "clerk",
        items_to_correct=["请写明所需信息的文件名称或文号"],
    )
    assert applicant_state(staff_api, case.number, case.code) == "awaiting_correction"
    open_case(page, case.number, case.code)
    expect(after_heading(page, "下一步")).to_contain_text("补正")
    agrees_with_the_json_view(page, staff_api, case.number, case.code)
    assert_accessible(page)

    field(page, "补正内容").fill("所需信息为《2025年老旧小区改造实施方案》（示建〔2025〕12号）。")
    attach(page, "补正材料", "补正说明.pdf")
    button(page, "提交补正").click()
    expect(page).to_have_url(re.compile(r"/query/case$"))
    expect(button(page, "提交补正")).to_have_count(0)
    assert applicant_state(staff_api, case.number, case.code) != "awaiting_correction"
    agrees_with_the_json_view(page, staff_api, case.number, case.code)
    # The file reached the case, for the staff to see.
    stored = staff_case(staff_api, portal_organs, case.number)["attachments"]
    assert "补正说明.pdf" in [a["filename"] for a in stored]
    assert_accessible(page)


def test_withdraw_with_the_confirmation_step(page: Any, staff_api: httpx.Client) -> None:
    case = api_application(staff_api)
    open_case(page, case.number, case.code)
    withdraw_control(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("撤回申请")
    assert_accessible(page)
    link(page, "返回").click()
    expect(page).to_have_url(re.compile(r"/query/case$"))
    assert applicant_state(staff_api, case.number, case.code) != "withdrawn"

    withdraw_control(page).click()
    field(page, "撤回理由").fill("已通过其他途径获得该信息。")
    button(page, "确认撤回").click()
    expect(page).to_have_url(re.compile(r"/query/case$"))
    expect(page.get_by_role("main")).to_contain_text("撤回")
    assert applicant_state(staff_api, case.number, case.code) == "withdrawn"
    agrees_with_the_json_view(page, staff_api, case.number, case.code)
    expect(withdraw_control(page)).to_have_count(0)
    assert_accessible(page)


def test_after_the_reply_the_case_page_says_how_to_seek_remedy_and_until_when(
    page: Any, staff_api: httpx.Client, portal_organs: Staff, clock: Clock
) -> None:
    case = api_application(staff_api)
    clock.set("2026-03-04T10:00+08:00")
    case_id = staff_case(staff_api, portal_organs, case.number)["id"]
    reply_and_serve(staff_api, portal_organs, case_id, served_on="2026-03-04")
    open_case(page, case.number, case.code)
    expect(section_heading(page, "救济途径")).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text("2026年5月6日")  # reconsideration: 60 days, past May Day
    expect(main).to_contain_text("2026年9月4日")  # lawsuit: 6 months
    expect(main).to_contain_text(OFFICE_REVIEWER)
    expect(main).to_contain_text(OFFICE_COURT)
    expect(withdraw_control(page)).to_have_count(0)
    # The reply is among the letters, and downloads.
    letters = main.get_by_role("link", name=re.compile(r"^下载"))
    expect(letters).to_have_count(2)
    assert pdf_download(page, letters.last).startswith(b"%PDF")
    assert_accessible(page)

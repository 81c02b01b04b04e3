"""Applying in a real browser: the organ chooser, the 申请表, the submitted page, the receipt."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.conftest import Staff
from tests.web.browser.conftest import BUREAU, DISTRICT, GOVERNMENT, OFFICE
from tests.web.browser.flows import (
    attach,
    button,
    field,
    fill_company,
    fill_delivery,
    fill_item,
    fill_person,
    group,
    link,
    open_form,
    pdf_download,
    read_submitted,
    staff_case,
    submit_application,
    switch_category,
)
from tests.web.browser.support import assert_accessible, expect, needs_chromium

pytestmark = needs_chromium


def test_chooser_groups_organs_under_their_government_and_searches(page: Any) -> None:
    page.goto("/apply")
    expect(page.get_by_role("heading", level=1)).to_have_text("选择受理机关")
    groups = page.get_by_role("heading", level=2)
    expect(groups.filter(has_text=GOVERNMENT).first).to_be_visible()
    expect(groups.filter(has_text=DISTRICT).first).to_be_visible()
    for organ in (OFFICE, BUREAU, DISTRICT):
        expect(link(page, organ)).to_be_visible()
    expect(link(page, OFFICE)).to_have_attribute("href", "/apply/org-a")
    assert_accessible(page)

    field(page, "机关名称").fill("自然资源")
    button(page, "搜索").click()
    expect(link(page, BUREAU)).to_be_visible()
    expect(link(page, OFFICE)).to_have_count(0)
    expect(link(page, DISTRICT)).to_have_count(0)
    assert "q=" in page.url


def test_apply_as_a_natural_person_and_download_the_receipt(
    page: Any, staff_api: httpx.Client, portal_organs: Staff
) -> None:
    open_form(page)
    assert_accessible(page)
    fill_person(page)
    fill_item(page)
    fill_delivery(page)
    submitted = submit_application(page)
    assert_accessible(page)

    # The case exists for the organ's staff under that number.
    case = staff_case(staff_api, portal_organs, submitted.number)
    assert case["applicant"]["name"] == "张三"
    # The code opens the case (and it was in no URL).
    r = staff_api.get(
        f"/api/v1/applications/{submitted.number}", headers={"X-Query-Code": submitted.code}
    )
    assert r.status_code == 200, r.text
    assert submitted.code not in page.url

    main = page.get_by_role("main")
    expect(main).to_contain_text(re.compile(r"收到申请之日|待确认"))
    # The reply deadline in words, and why that day.
    expect(main).to_contain_text(re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"))
    why = page.locator("details", has=page.locator("summary", has_text="为什么是这一天")).first
    expect(why).not_to_have_attribute("open", "")
    why.locator("summary").click()
    expect(why).to_have_attribute("open", "")
    expect(why).to_contain_text("工作日")
    # Print: with JavaScript on, the button opens the browser's print dialogue.
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button(page, "打印本页").click()
    assert page.evaluate("window.printed") == 1

    receipt = link(page, "下载受理回执")
    expect(receipt).to_have_attribute("href", re.compile(r"^/query/letters/\d+$"))
    pdf = pdf_download(page, receipt)
    assert pdf.startswith(b"%PDF")


def test_apply_as_a_company_with_an_attachment_adding_and_removing_a_row(
    page: Any, staff_api: httpx.Client, portal_organs: Staff
) -> None:
    open_form(page)
    switch_category(page, "法人或其他组织")
    expect(field(page, "统一社会信用代码")).to_be_visible()
    expect(field(page, "姓名")).to_be_hidden()
    fill_company(page)
    fill_item(page, 1)

    button(page, "添加一项").click()
    expect(group(page, "第2项")).to_be_visible()
    fill_item(page, 2, "2025年本区道路养护合同")
    expect(button(page, "删除第2项")).to_be_visible()
    button(page, "删除第2项").click()
    expect(group(page, "第2项")).to_have_count(0)
    expect(field(group(page, "第1项"), "所需信息的名称或描述")).to_have_value(
        re.compile("老旧小区")
    )
    expect(field(page, "名称")).to_have_value("示例科技有限公司")

    fill_delivery(page)
    attach(page, "附件", "营业执照.pdf")
    submitted = submit_application(page)

    case = staff_case(staff_api, portal_organs, submitted.number)
    assert case["applicant"]["name"] == "示例科技有限公司"
    assert case["applicant"]["category"] == "commercial_enterprise"
    assert len(case["items"]) == 1
    assert [a["filename"] for a in case["attachments"]] == ["营业执照.pdf"]


def test_form_errors_are_shown_beside_the_fields_and_nothing_typed_is_lost(page: Any) -> None:
    open_form(page)
    fill_person(page)
    field(page, "证件号码").fill("110105199003071230")  # a wrong check digit
    field(page, "电子邮箱").fill("not-an-address")
    fill_item(page)
    fill_delivery(page)
    page.locator("form").filter(has=button(page, "提交申请")).evaluate(
        "f => f.noValidate = true"  # let the server judge the e-mail, not the browser
    )
    button(page, "提交申请").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    number = field(page, "证件号码")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_value("110105199003071230")
    expect(field(page, "姓名")).to_have_value("张三")
    described = number.get_attribute("aria-describedby") or ""
    error_id = next(i for i in described.split() if i.endswith("-error"))
    expect(page.locator(f"#{error_id}")).to_be_visible()
    # The summary's link takes the reader to the field.
    summary.get_by_role("link").first.click()
    assert_accessible(page)


def test_the_same_form_sent_twice_registers_one_case(
    page: Any, staff_api: httpx.Client, portal_organs: Staff
) -> None:
    """A second click while the first is on its way sends the same form again: one case."""
    open_form(page)
    fill_person(page)
    fill_item(page)
    fill_delivery(page)
    with page.expect_request(lambda r: r.method == "POST") as sent:
        button(page, "提交申请").click()
    submitted = read_submitted(page)
    first = sent.value
    again = page.request.fetch(
        first.url,
        method="POST",
        headers={"content-type": first.headers["content-type"]},
        data=first.post_data_buffer,
    )
    assert again.status in (200, 201), again.status
    assert submitted.number in again.text()
    cases = staff_api.get("/api/v1/cases", headers=portal_organs.headers("clerk")).json()
    assert [c["number"] for c in cases["items"]] == [submitted.number]

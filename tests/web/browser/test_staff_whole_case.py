"""A whole case through the pages only, role by role, in Chromium (issue 15, "Tests").

One browser context per role — the front desk, the clerk, the legal office, the approver and
the applicant — each signing in through /staff/login (the applicant through the portal's
lookup). Every step is a click on a page; the JSON API is only read, to check the pages. At
the end the case's timeline lists the actions in the order they were clicked, the case page
shows the same, and the audit chain verifies.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import httpx
from pypdf import PdfReader

from app.audit.keys import audit_key
from app.audit.service import verify_chains
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import pdf_text
from tests.web.browser.conftest import OpenPage
from tests.web.browser.flows import (
    button,
    choose,
    field,
    fill_item,
    fill_person,
    link,
    open_case,
    pdf_download,
    pick,
    sign_in,
    staff_case,
)
from tests.web.browser.support import assert_accessible, expect, needs_chromium
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)

pytestmark = needs_chromium

# The actions in the order the test clicks them, with the words the case page's timeline uses
# (register: the front desk's registration).
CLICKED = {
    "register": "机关登记申请",
    "request_correction": "通知补正",
    "record_correction": "登记补正",
    "start_consultation": "征求意见",
    "record_consultation_receipt": "登记函件送达",
    "record_opinion": "登记意见",
    "conclude_consultation": "结束征求意见",
    "submit_reply": "提交答复",
    "legal_approve": "法制审核通过",
    "confidentiality_review": "保密审查",
    "approve_reply": "签发",
    "issue_reply": "出具答复",
    "record_service": "登记送达",
    "archive": "归档",
}
WITHHELD = [
    {
        "part": "施工单位的主要材料采购单价",
        "ground": "withheld.third_party_rights",
        "reasons": "系施工单位的报价信息，属于其商业秘密；经书面征求意见，该单位不同意公开",
    }
]


def open_from_worklist(page: Any, number: str) -> None:
    """From the worklist to the case page, by the case's number."""
    page.goto("/staff/")
    link(page.get_by_role("table"), number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"案件 {number}")


def start_action(page: Any, label: str) -> None:
    """On the case page, the action's button, to its form."""
    page.get_by_role("region", name="可以办理的操作").get_by_role("link", name=label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)


def finish(page: Any, label: str, state: str) -> None:
    """Back on the case page: the action done and the new state shown."""
    expect(page.locator("#done")).to_have_text(f"已完成：{label}。")
    expect(page.locator("#case-state")).to_have_text(state)


def preview_and_confirm(page: Any, title: str, *words: str) -> None:
    """The draft letter shown before anything is done, read, then 确认并签发."""
    button(page, "预览文书").click()
    expect(page.get_by_role("heading", name="将出具的文书（草稿，尚未编号）")).to_be_visible()
    text = pdf_text(pdf_download(page, page.get_by_role("link", name=f"预览《{title}》（PDF）")))
    for word in words:
        assert word in text, (word, text[:400])
    button(page, "确认并签发").click()


def test_a_whole_case_through_the_pages_role_by_role(
    open_page: OpenPage,
    runtime: Runtime,
    clock: Clock,
    staff_api: httpx.Client,
    portal_organs: Staff,
) -> None:
    clock.set("2026-03-04T09:00+08:00")
    make_staff(runtime, "org-a", "front_desk", login="desk", name="王窗口")
    make_staff(runtime, "org-a", "clerk", login="clerk", name="李承办")
    make_staff(runtime, "org-a", "legal", login="legal", name="赵法制")
    make_staff(runtime, "org-a", "approver", login="boss", name="钱负责")

    # The front desk registers a posted application and prints its receipt.
    desk = sign_in(open_page(), "desk")
    link(desk, "登记申请").click()
    field(desk, "渠道").select_option("registered_mail")
    field(desk, "到达时间").fill("2026-03-03T09:30")
    field(desk, "收到申请日期").fill("2026-03-03")
    field(desk, "收到日期依据").select_option("signed_for")
    field(desk, "收到凭证").fill("EMS 签收记录 1151234567890")
    fill_person(desk, "赵敏")
    fill_item(desk)
    choose(desk, "获取信息的方式", "纸质")
    choose(desk, "送达方式", "邮寄")
    button(desk, "登记").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("申请已登记")
    number = desk.locator("#registration-number").inner_text().strip()
    code = desk.locator("#query-code").inner_text().strip()
    receipt = pdf_text(pdf_download(desk, link(desk, "打印受理回执")))
    assert number in receipt
    assert "赵敏" in receipt
    case_id = staff_case(staff_api, portal_organs, number)["id"]

    # The clerk requests a correction, previewing the notice.
    clock.advance(minutes=5)
    clerk = sign_in(open_page(), "clerk")
    open_from_worklist(clerk, number)
    start_action(clerk, "通知补正")
    field(clerk, "需补正事项").fill("所需信息的文件名称或文号")
    preview_and_confirm(clerk, "政府信息公开申请补正告知书", "所需信息的文件名称或文号")
    finish(clerk, "通知补正", "待补正")

    # The applicant corrects through the portal, with the number and query code of the desk.
    clock.advance(minutes=5)
    applicant = open_page()
    open_case(applicant, number, code)
    field(applicant, "补正内容").fill(
        "所需信息为《2025年老旧小区改造实施方案》（示建〔2025〕12号）。"
    )
    button(applicant, "提交补正").click()
    expect(button(applicant, "提交补正")).to_have_count(0)

    # The clerk consults a third party.
    clock.advance(minutes=5)
    open_from_worklist(clerk, number)
    expect(clerk.locator("#case-state")).to_have_text("办理中")
    start_action(clerk, "征求意见")
    pick(clerk, "kind", "third_party")
    field(clerk, "征求对象").fill("示例建设工程有限公司")
    field(clerk, "征求对象地址").fill("示例市建设路8号")
    field(clerk, "征求意见事项").fill("是否同意公开贵单位报价中的主要材料采购单价")
    pick(clerk, "dispatch_method", "post")
    button(clerk, "预览文书").click()
    expect(clerk.get_by_role("heading", name="将出具的文书（草稿，尚未编号）")).to_be_visible()
    button(clerk, "确认并签发").click()
    finish(clerk, "征求意见", "征求意见/会商中")
    expect(clerk.get_by_role("region", name="征求意见")).to_contain_text("示例建设工程有限公司")

    # The front desk records the party's receipt of the letter.
    clock.advance(minutes=5)
    desk.goto(f"/staff/cases/{case_id}")
    start_action(desk, "登记函件送达")
    field(desk, "征求意见编号").fill("C1")
    field(desk, "对方收到函件日期").fill("2026-03-04")
    button(desk, "登记函件送达").click()
    finish(desk, "登记函件送达", "征求意见/会商中")

    # The clerk records the objection, concludes the consultation, submits a partial disclosure.
    clock.advance(minutes=5)
    open_from_worklist(clerk, number)
    start_action(clerk, "登记意见")
    field(clerk, "征求意见编号").fill("C1")
    field(clerk, "收到意见日期").fill("2026-03-04")
    field(clerk, "意见内容").fill("主要材料采购单价属于本公司商业秘密，不同意公开")
    pick(clerk, "result", "objection")
    field(clerk, "不同意公开的理由").fill("公开后将损害本公司在后续投标中的竞争地位")
    button(clerk, "登记意见").click()
    finish(clerk, "登记意见", "征求意见/会商中")
    start_action(clerk, "结束征求意见")
    button(clerk, "结束征求意见").click()
    finish(clerk, "结束征求意见", "办理中")
    start_action(clerk, "提交答复")
    field(clerk, "答复类型").select_option(
        "partially_disclosed"
    )  # 部分公开, from the statute's list
    field(clerk, "理由").fill(
        "你申请获取的信息中，有部分内容属于不予公开的范围，且能够与其他内容区分"
    )
    field(clerk, "提供的信息").fill(
        "现将可以公开的部分，即改造项目清单及资金安排，随本答复书邮寄给你"
    )
    pick(clerk, "provided_form", "paper")
    field(clerk, "不予公开的部分").fill(json.dumps(WITHHELD, ensure_ascii=False))
    button(clerk, "提交答复").click()
    finish(clerk, "提交答复", "审核签发中")

    # The legal office approves, from its queue.
    clock.advance(minutes=5)
    legal = sign_in(open_page(), "legal")
    link(legal, "法制审核与会商").click()
    row = legal.get_by_role("row").filter(has=legal.get_by_role("link", name=number))
    row.get_by_role("link", name="法制审核通过").click()
    expect(legal.get_by_role("heading", level=1)).to_have_text("法制审核通过")
    field(legal, "审核意见").fill("部分公开的理由和依据充分，同意")
    button(legal, "法制审核通过").click()
    finish(legal, "法制审核通过", "审核签发中")

    # The approver records the confidentiality review and signs off, from the approvals.
    clock.advance(minutes=5)
    boss = sign_in(open_page(), "boss")
    link(boss, "待审批").click()
    row = boss.get_by_role("row").filter(has=boss.get_by_role("link", name=number))
    row.get_by_role("link", name="保密审查").click()
    pick(boss, "result", "passed")
    button(boss, "保密审查").click()
    finish(boss, "保密审查", "审核签发中")
    start_action(boss, "签发")
    field(boss, "签发意见").fill("同意")
    button(boss, "签发").click()
    finish(boss, "签发", "审核签发中")

    # The clerk issues the reply, previewing it.
    clock.advance(minutes=5)
    open_from_worklist(clerk, number)
    start_action(clerk, "出具答复")
    preview_and_confirm(clerk, "政府信息公开申请答复书", "赵敏", "施工单位的主要材料采购单价")
    finish(clerk, "出具答复", "已答复待送达")
    letters = clerk.get_by_role("region", name="文书")
    reply_line = letters.get_by_role("listitem").filter(has_text="答复书")
    reply_number = re.search(r"\S+〔\d{4}〕\d+号", reply_line.inner_text())
    assert reply_number, reply_line.inner_text()

    # The front desk prints the batch and records service by post.
    clock.advance(minutes=5)
    link(desk, "打印").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("打印")
    ours = desk.get_by_role("checkbox", name=re.compile(f"案件 {number}"))
    ticked = ours.count()
    assert ticked >= 3  # the correction notice, the letter to the third party, the reply
    for i in range(ticked):
        ours.nth(i).check()
    batch = pdf_download(desk, button(desk, "打印所选文书"))
    text = pdf_text(batch)
    assert len(PdfReader(io.BytesIO(batch)).pages) > ticked  # a cover, letters, receipts
    assert reply_number.group(0) in text
    assert "送达回证" in text
    desk.goto("/staff/print")
    expect(desk.get_by_text(f"案件 {number}")).to_have_count(0)

    link(desk, "登记送达").click()
    field(desk, "文书编号").fill(reply_number.group(0))
    button(desk, "查找").click()
    expect(desk.locator("#case-state")).to_have_text("已答复待送达")
    pick(desk, "method", "post")
    field(desk, "邮件号码").fill("1151234567999")
    field(desk, "交邮日期").fill("2026-03-04")
    field(desk, "送达日期").fill("2026-03-04")
    field(desk, "签收人").fill("赵敏")
    button(desk, "登记送达").click()
    expect(desk.get_by_role("status")).to_contain_text("已登记送达")

    # The clerk archives.
    clock.advance(minutes=5)
    open_from_worklist(clerk, number)
    start_action(clerk, "归档")
    button(clerk, "归档").click()
    finish(clerk, "归档", "已归档")
    assert_accessible(clerk)

    # The timeline lists the actions in click order, by whom; the page says the same.
    events = staff_api.get(
        f"/api/v1/cases/{case_id}/events", headers=portal_organs.headers("clerk")
    ).json()
    assert [e["action"] for e in events] == list(CLICKED)
    by = {e["action"]: e["actor_label"] for e in events}
    assert by["register"] == "王窗口"
    assert by["record_correction"] != "李承办"
    assert by["record_consultation_receipt"] == "王窗口"
    assert by["legal_approve"] == "赵法制"
    assert by["approve_reply"] == "钱负责"
    assert by["issue_reply"] == "李承办"
    assert by["record_service"] == "王窗口"
    assert events[-1]["to_state"] == "archived"
    shown = clerk.get_by_role("region", name="办理经过").get_by_role("listitem")
    expect(shown).to_have_count(len(CLICKED))
    for line, event, label in zip(shown.all_inner_texts(), events, CLICKED.values(), strict=True):
        assert line.startswith("2026年3月4日 "), line  # Beijing time, as clicked
        assert f"{event['actor_label']}：{label}" in line, line

    # The audit chain verifies.
    with runtime.sessions.read() as session:
        checked, problems = verify_chains(session, audit_key(runtime.settings))
    assert problems == []
    assert checked >= len(CLICKED)

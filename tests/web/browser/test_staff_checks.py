"""The workbench's page checks in Chromium (issue 15, "Tests"): a stale form shows the conflict
and changes nothing; another organ's user gets 404 pages; every page type passes axe with no
serious or critical violation; no request leaves the origin (every page here is opened through
`open_page`, which records and refuses off-origin requests and fails the test on any); the
worklist and one action with the keyboard only.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from app.notices.scan import deadline_warnings
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, staff_case
from tests.notices.helpers import deliver
from tests.web.browser.conftest import OpenPage
from tests.web.browser.flows import button, field, pick, sign_in, staff_act
from tests.web.browser.support import (
    LiveServer,
    assert_accessible,
    expect,
    needs_chromium,
    tab_to,
)
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)

pytestmark = needs_chromium


def register(api: httpx.Client, staff: Staff, **overrides: Any) -> dict[str, Any]:
    """A case registered at the counter through the JSON API (its receipt issued)."""
    r = api.post(
        "/api/v1/cases", json=staff_case("in_person", **overrides), headers=staff.headers("clerk")
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def case_json(api: httpx.Client, staff: Staff, case_id: int) -> dict[str, Any]:
    r = api.get(f"/api/v1/cases/{case_id}", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def events_of(api: httpx.Client, staff: Staff, case_id: int) -> list[str]:
    r = api.get(f"/api/v1/cases/{case_id}/events", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return [e["action"] for e in r.json()]


def letters_of(api: httpx.Client, staff: Staff, case_id: int) -> list[dict[str, Any]]:
    r = api.get(f"/api/v1/cases/{case_id}/letters", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return list(r.json())


def test_a_stale_form_shows_the_conflict_and_changes_nothing(
    open_page: OpenPage,
    runtime: Runtime,
    clock: Clock,
    staff_api: httpx.Client,
    portal_organs: Staff,
) -> None:
    clock.set("2026-03-03T09:00+08:00")
    case = register(staff_api, portal_organs)
    make_staff(runtime, "org-a", "clerk", login="li", name="李承办")
    make_staff(runtime, "org-a", "clerk", login="zhou", name="周承办")

    # 李 opens the consultation form; meanwhile 周 requests a correction on the same case.
    li = sign_in(open_page(), "li")
    li.goto(f"/staff/cases/{case['id']}/actions/start_consultation")
    expect(li.get_by_role("heading", level=1)).to_have_text("征求意见")
    zhou = sign_in(open_page(), "zhou")
    zhou.goto(f"/staff/cases/{case['id']}/actions/request_correction")
    field(zhou, "需补正事项").fill("身份证明")
    button(zhou, "预览文书").click()
    button(zhou, "确认并签发").click()
    expect(zhou.locator("#case-state")).to_have_text("待补正")
    before = case_json(staff_api, portal_organs, case["id"])
    timeline = events_of(staff_api, portal_organs, case["id"])

    pick(li, "kind", "legal_office")
    field(li, "征求对象").fill("本机关法制机构")
    field(li, "征求意见事项").fill("拟不予公开的理由是否充分")
    button(li, "预览文书").click()  # refused at the check, before anything is previewed
    conflict = li.get_by_role("alert")
    expect(conflict).to_contain_text("案件已被他人修改，本次操作未执行")
    expect(conflict).to_contain_text("周承办于 2026年3月3日 09:00")  # Beijing time
    expect(conflict).to_contain_text("通知补正")
    expect(conflict).to_contain_text("待补正")
    # What 李 typed is kept, for a second look.
    expect(field(li, "征求对象")).to_have_value("本机关法制机构")
    assert_accessible(li)

    after = case_json(staff_api, portal_organs, case["id"])
    assert after["state"] == "awaiting_correction"
    assert after["version"] == before["version"]
    assert after["consultations"] == []
    assert events_of(staff_api, portal_organs, case["id"]) == timeline


def test_a_user_of_another_organ_gets_404_pages(
    open_page: OpenPage,
    runtime: Runtime,
    clock: Clock,
    staff_api: httpx.Client,
    portal_organs: Staff,
) -> None:
    clock.set("2026-03-03T09:00+08:00")
    case = register(staff_api, portal_organs)
    [receipt] = letters_of(staff_api, portal_organs, case["id"])
    staff_act(
        staff_api,
        portal_organs,
        case["number"],
        "request_correction",
        "clerk",
        items_to_correct=["身份证明"],
    )
    make_staff(runtime, "org-zr", "clerk", "front_desk", "approver", login="other")

    name = case_json(staff_api, portal_organs, case["id"])["applicant"]["name"]
    page = sign_in(open_page(), "other")
    expect(page.get_by_role("link", name=case["number"], exact=True)).to_have_count(0)
    urls = [
        f"/staff/cases/{case['id']}",
        f"/staff/cases/{case['id']}/actions/record_notice_receipt",
        f"/staff/cases/{case['id']}/actions/withdraw",
        f"/staff/letters/{receipt['id']}/pdf",
        f"/staff/cases/{case['id']}/letters/{receipt['id']}/preview",
    ]
    for url in urls:
        response = page.goto(url)
        assert response.status == 404, (url, response.status)
        expect(page.get_by_role("heading", level=1)).to_have_text("未找到")
        expect(page.get_by_role("main")).not_to_contain_text(case["number"])
        expect(page.get_by_role("main")).not_to_contain_text(name)
    # The service desk does not find the other organ's letter by its number either.
    page.goto("/staff/service")
    field(page, "文书编号").fill(receipt["number"])
    button(page, "查找").click()
    expect(page.get_by_role("alert")).to_contain_text("本机关没有文书编号为")
    expect(page.get_by_role("main")).not_to_contain_text(name)
    expect(page.get_by_role("link", name=case["number"], exact=True)).to_have_count(0)
    assert_accessible(page)


def test_every_staff_page_type_passes_axe_and_stays_on_the_origin(
    open_page: OpenPage,
    runtime: Runtime,
    clock: Clock,
    live: LiveServer,
    staff_api: httpx.Client,
    portal_organs: Staff,
) -> None:
    clock.set("2026-03-16T09:00+08:00")
    overdue = register(staff_api, portal_organs, arrived_at="2026-01-05T10:00:00+08:00")
    case = register(staff_api, portal_organs, arrived_at="2026-03-13T10:00:00+08:00")
    # One in the legal office's queue: a partial disclosure awaiting review.
    staff_act(
        staff_api,
        portal_organs,
        overdue["number"],
        "submit_reply",
        "clerk",
        outcome="partially_disclosed",
        reasons="部分内容属于不予公开的范围",
        provided="可以公开的部分随本答复书邮寄",
        provided_form="paper",
        withheld_parts=[
            {"part": "采购单价", "ground": "withheld.third_party_rights", "reasons": "商业秘密"}
        ],
    )
    [receipt] = letters_of(staff_api, portal_organs, case["id"])
    make_staff(
        runtime, "org-a", "clerk", "front_desk", "legal", "approver", "supervisor", login="all"
    )
    admin_id = make_staff(runtime, None, "admin", login="root", name="平台管理员")
    # The overdue case's warning, delivered in-app: the dashboard's box and 我的提醒 list it.
    assert deadline_warnings(runtime, clock()) == 1
    deliver(runtime)
    seen: list[str] = []

    def check(page: Any, path: str | None, heading: str) -> None:
        if path is not None:
            page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
        seen.append(page.url)

    staff = open_page()
    staff.on("request", lambda request: seen.append(request.url))
    check(staff, "/staff/login", "登录")
    field(staff, "登录名").fill("all")
    field(staff, "密码").fill(PASSWORD)
    button(staff, "登录").click()
    check(staff, None, "工作清单")
    check(staff, "/staff/?due_within=abc", "工作清单")  # with a filter's error
    check(staff, f"/staff/cases/{case['id']}", f"案件 {case['number']}")
    check(staff, f"/staff/cases/{case['id']}/actions/request_correction", "通知补正")
    button(staff, "预览文书").click()  # nothing filled in: the errors
    check(staff, None, "通知补正")
    field(staff, "需补正事项").fill("身份证明")
    button(staff, "预览文书").click()
    expect(staff.get_by_role("button", name="确认并签发")).to_be_visible()
    check(staff, None, "通知补正")  # the preview step
    check(staff, f"/staff/cases/{overdue['id']}", f"案件 {overdue['number']}")
    check(staff, f"/staff/cases/{overdue['id']}/suggestions", "办理参考")
    check(staff, "/staff/?q=" + overdue["number"][:6], "工作清单")  # a search
    check(staff, "/staff/dashboard", "督办看板")
    check(staff, "/staff/me/notices", "我的提醒")
    expect(staff.get_by_role("button", name=re.compile("^标为已读"))).to_be_visible()
    pick(staff, "warnings", "email")  # e-mail with no address: the form's error
    button(staff, "保存设置").click()
    expect(staff.get_by_text("选择电子邮件须填写邮箱").first).to_be_visible()
    check(staff, None, "我的提醒")
    check(staff, "/staff/legal", "法制审核与会商")
    expect(staff.get_by_role("link", name=overdue["number"])).to_be_visible()
    check(staff, "/staff/approvals", "待审批")
    check(staff, "/staff/approvals/reports", "年度报告")
    check(staff, "/staff/reports/2026", "2026 年度政府信息公开工作年度报告")
    check(staff, "/staff/reports/2026/cells/new/natural_person", "表三的一格")
    check(staff, "/staff/register", "登记申请")
    button(staff, "登记").click()  # nothing filled in: the errors
    check(staff, None, "登记申请")
    check(staff, "/staff/print", "打印")
    check(staff, "/staff/service", "登记送达")
    check(staff, f"/staff/service?number={receipt['number']}", "登记送达")
    check(staff, "/staff/ledger", "台账")
    check(staff, "/staff/admin/workflow", "办理流程")
    check(staff, "/staff/no-such-page", "未找到")

    admin = open_page()
    admin.on("request", lambda request: seen.append(request.url))
    admin.goto("/staff/login")
    field(admin, "登录名").fill("root")
    field(admin, "密码").fill(PASSWORD)
    button(admin, "登录").click()
    check(admin, "/staff/admin/users", "用户")
    check(admin, "/staff/admin/users/new", "新建用户")
    check(admin, f"/staff/admin/users/{admin_id}/roles", "角色与状态")
    check(admin, "/staff/dashboard", "督办看板")  # an administrator first chooses the organ
    check(admin, f"/staff/admin/users/{admin_id}/tokens", "令牌")
    check(admin, f"/staff/admin/users/{admin_id}/password", "密码")
    check(admin, "/staff/admin/calendar", "放假安排")
    check(admin, "/staff/admin/calendar/2026", "2026 年放假安排")
    check(admin, "/staff/admin/workflow", "办理流程")
    check(admin, "/staff/admin/organs", "机关")
    check(admin, "/staff/admin/organs/org-a", "示例市人民政府办公室")
    check(admin, "/staff/admin/notices", "提醒文本")
    check(admin, "/staff/admin/notices/due_soon?organ=org-a", "提醒文本")
    check(admin, "/staff/ledger", "台账")
    check(admin, "/staff/admin/webhooks", "Webhook 订阅")
    check(admin, "/staff/admin/webhooks/new", "新建 Webhook 订阅")
    button(admin, "新建").click()  # nothing filled in: the errors
    check(admin, None, "新建 Webhook 订阅")
    field(admin, "所属机关").select_option("org-a")
    field(admin, "接收地址").fill("http://127.0.0.1:9/in")
    field(admin, "收到申请（case.received）").check()
    button(admin, "新建").click()
    expect(admin.locator("#secret")).to_contain_text("whsec_")
    check(admin, None, "Webhook 订阅")  # the subscription with its secret and log
    check(admin, "/staff/admin/outbox", "投递失败")

    # Every request the pages made, documents and assets alike, stayed on the origin.
    foreign = [url for url in seen if not url.startswith(live.url + "/")]
    assert foreign == []
    assert len(seen) > 30


def test_the_worklist_and_an_action_with_the_keyboard_only(
    open_page: OpenPage,
    runtime: Runtime,
    clock: Clock,
    staff_api: httpx.Client,
    portal_organs: Staff,
) -> None:
    clock.set("2026-03-03T09:00+08:00")
    case = register(staff_api, portal_organs)
    make_staff(runtime, "org-a", "clerk", login="li", name="李承办")
    page = sign_in(open_page(), "li")

    tab_to(page, "N 个工作日内到期")
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]due_within=20(&|$)"))
    expect(page.get_by_role("heading", name="案件（共 1 件）")).to_be_visible()

    tab_to(page, case["number"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"案件 {case['number']}")
    tab_to(page, "征求意见")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("征求意见")

    tab_to(page, "kind", by_name=True)  # the first choice; the arrows move within the group
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator('input[name="kind"][value="legal_office"]')).to_be_checked()
    tab_to(page, "征求对象")
    page.keyboard.type("本机关法制机构")
    tab_to(page, "征求意见事项")
    page.keyboard.type("拟不予公开的理由是否充分")
    tab_to(page, "会商日期")
    tab_to(page, "预览文书")  # the submit button
    page.keyboard.press("Enter")
    # legal_office sends no letter: nothing to preview, the clerk confirms before it is done.
    expect(page.locator("#nothing-to-issue")).to_contain_text("本操作不出具文书")
    assert case_json(staff_api, portal_organs, case["id"])["state"] == "received"
    tab_to(page, "确认办理")
    page.keyboard.press("Enter")

    expect(page.locator("#done")).to_have_text("已完成：征求意见。")
    expect(page.locator("#case-state")).to_have_text("征求意见/会商中")
    after = case_json(staff_api, portal_organs, case["id"])
    [consultation] = after["consultations"]
    assert consultation["kind"] == "legal_office"
    assert consultation["party"] == "本机关法制机构"

"""What a person does on the portal, by the labels they read (the UI contract), step by step.

Fields are found by their visible label; an optional field's label ends in （选填）, which
`field()` accepts, so a label matches whole and `名称` never finds `所需信息的名称或描述`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import Staff
from tests.fixtures.factories import application
from tests.fixtures.identity import resident_id, uscc
from tests.web.browser.conftest import OFFICE
from tests.web.browser.support import expect, minimal_pdf
from tests.web.staff_support import PASSWORD

DESCRIPTION = "2025年本区老旧小区改造项目清单及资金安排"


def whole(text: str) -> re.Pattern[str]:
    """A label or name that is exactly `text`: a required field's * or an optional one's （选填）
    may follow (a label's text, unlike an accessible name, keeps the aria-hidden *)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*(\*|（选填）)?\s*$")


def field(scope: Any, label: str) -> Any:
    return scope.get_by_label(whole(label))


def group(scope: Any, legend: str) -> Any:
    return scope.get_by_role("group", name=whole(legend))


def button(scope: Any, name: str) -> Any:
    return scope.get_by_role("button", name=whole(name))


def link(scope: Any, name: str) -> Any:
    return scope.get_by_role("link", name=whole(name))


def choose(scope: Any, legend: str, option: str) -> None:
    group(scope, legend).get_by_label(whole(option)).check()


def pick(scope: Any, name: str, code: str) -> None:
    """Tick a workflow form's choice by the code it submits (the label is the YAML's words)."""
    scope.locator(f'input[type="radio"][name="{name}"][value="{code}"]').check()


@dataclass
class Submitted:
    number: str
    code: str


def open_form(page: Any, organ: str = OFFICE) -> None:
    """From the front page to the organ's 申请表."""
    page.goto("/")
    link(page.get_by_role("main"), "申请公开").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("选择受理机关")
    link(page, organ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开申请表")
    expect(page.get_by_text(organ).first).to_be_visible()


def switch_category(page: Any, option: str, *, js: bool = True) -> None:
    """Pick the applicant category; without JavaScript its `选择` button re-renders the form."""
    choose(page, "申请人类别", option)
    if not js:
        with page.expect_navigation():
            button(page, "选择").click()
        expect(group(page, "申请人类别").get_by_label(whole(option))).to_be_checked()


def fill_person(page: Any, name: str = "张三") -> None:
    choose(page, "申请人类别", "自然人")
    field(page, "姓名").fill(name)
    field(page, "证件类型").select_option("resident_id")
    field(page, "证件号码").fill(resident_id())
    fill_contact(page)


def fill_company(page: Any) -> None:
    field(page, "名称").fill("示例科技有限公司")
    field(page, "组织类别").select_option(label="商业企业")
    field(page, "统一社会信用代码").fill(uscc())
    field(page, "法定代表人").fill("李四")
    field(page, "联系人").fill("王五")
    fill_contact(page, email="legal@example.com")


def fill_contact(page: Any, email: str = "zhangsan@example.com") -> None:
    field(page, "联系电话").fill("13800138000")
    field(page, "电子邮箱").fill(email)
    field(page, "通信地址").fill("示例市人民路100号")
    field(page, "邮政编码").fill("310000")


def fill_item(page: Any, n: int = 1, description: str = DESCRIPTION) -> None:
    row = group(page, f"第{n}项")
    field(row, "所需信息的名称或描述").fill(description)


def fill_delivery(page: Any) -> None:
    choose(page, "获取信息的方式", "电子")
    choose(page, "送达方式", "电子邮件")
    field(page, "同意电子送达").check()


def attach(page: Any, label: str, name: str = "身份证明.pdf") -> None:
    field(page, label).set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": minimal_pdf()}
    )


def submit_application(page: Any) -> Submitted:
    button(page, "提交申请").click()
    return read_submitted(page)


def read_submitted(page: Any) -> Submitted:
    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    expect(page.get_by_text("查询码只显示这一次").first).to_be_visible()
    number = page.locator("#registration-number").inner_text().strip()
    code = page.locator("#query-code").inner_text().strip()
    assert number
    assert re.fullmatch(r"[0-9A-Za-z-]{6,}", code), code
    return Submitted(number, code)


def look_up(page: Any, number: str, code: str) -> Any:
    """The lookup form, filled and sent; returns the response to the POST."""
    page.goto("/query")
    expect(page.get_by_role("heading", level=1)).to_have_text("查询办理进度")
    field(page, "登记编号").fill(number)
    field(page, "查询码").fill(code)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        button(page, "查询").click()
    page.wait_for_load_state()
    return answer.value


def open_case(page: Any, number: str, code: str) -> None:
    look_up(page, number, code)
    expect(page).to_have_url(re.compile(r"/query/case$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("办理进度")


def section_heading(page: Any, name: str) -> Any:
    return page.get_by_role("heading", level=2, name=whole(name))


def sign_in(page: Any, login: str, password: str = PASSWORD) -> Any:
    """Sign in through the workbench's sign-in form; returns the page, on the worklist."""
    page.goto("/staff/login")
    field(page, "登录名").fill(login)
    field(page, "密码").fill(password)
    button(page, "登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作清单")
    return page


def pdf_download(page: Any, trigger: Any) -> bytes:
    with page.expect_download() as download:
        trigger.click()
    path = download.value.path()
    with open(path, "rb") as f:
        return f.read()


# --- the JSON API: what staff (and a quick applicant) do around the browser ---


def api_application(api: httpx.Client, organ: str = "org-a") -> Submitted:
    """An online application through the JSON API (for the query pages' tests)."""
    r = api.post("/api/v1/applications", json=application(organ))
    assert r.status_code == 201, r.text
    return Submitted(r.json()["number"], r.json()["query_code"])


def staff_case(api: httpx.Client, staff: Staff, number: str) -> dict[str, Any]:
    r = api.get("/api/v1/cases", headers=staff.headers("clerk"), params={"page_size": 200})
    assert r.status_code == 200, r.text
    case_id = next(c["id"] for c in r.json()["items"] if c["number"] == number)
    detail = api.get(f"/api/v1/cases/{case_id}", headers=staff.headers("clerk"))
    assert detail.status_code == 200, detail.text
    return dict(detail.json())


def staff_act(
    api: httpx.Client, staff: Staff, number: str, action: str, role: str, **body: Any
) -> dict[str, Any]:
    case = staff_case(api, staff, number)
    body.setdefault("version", case["version"])
    r = api.post(
        f"/api/v1/cases/{case['id']}/actions/{action}", json=body, headers=staff.headers(role)
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def applicant_view(api: httpx.Client, number: str, code: str) -> dict[str, Any]:
    """The JSON applicant view of the same case: what the page must agree with."""
    r = api.get(f"/api/v1/applications/{number}", headers={"X-Query-Code": code})
    assert r.status_code == 200, r.text
    return dict(r.json())


def applicant_state(api: httpx.Client, number: str, code: str) -> str:
    return str(applicant_view(api, number, code)["state"])


def after_heading(page: Any, name: str) -> Any:
    """What follows an <h2> (its section's first block)."""
    return section_heading(page, name).locator("xpath=following-sibling::*[1]")


def agrees_with_the_json_view(page: Any, api: httpx.Client, number: str, code: str) -> None:
    """The page says the state and the next step the JSON applicant view says."""
    view = applicant_view(api, number, code)
    expect(page.get_by_role("main")).to_contain_text(view["state_label"])
    expect(after_heading(page, "下一步")).to_contain_text(view["next_step"]["text"])

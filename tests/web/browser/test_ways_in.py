"""The main path (apply, then look the case up) by keyboard only, on a phone, without JavaScript."""

from __future__ import annotations

import re
from typing import Any

from tests.fixtures.identity import resident_id
from tests.web.browser.conftest import OFFICE, OpenPage
from tests.web.browser.flows import (
    DESCRIPTION,
    Submitted,
    attach,
    button,
    field,
    fill_company,
    fill_delivery,
    fill_item,
    fill_person,
    group,
    open_case,
    open_form,
    read_submitted,
    section_heading,
    submit_application,
    switch_category,
    whole,
)
from tests.web.browser.support import (
    assert_accessible,
    expect,
    focus_is_visible,
    needs_chromium,
    no_sideways_scroll,
)

pytestmark = needs_chromium

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return '';
  const text = el.labels && el.labels.length ? el.labels[0].innerText
    : (el.innerText || el.value || el.getAttribute('aria-label') || '');
  return text.replace(/[\\s*]+$/, '').trim();
}"""


class Keyboard:
    """Tab, Shift+Tab, arrows, Space, Enter and typing — and a visible focus at every stop."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.stops = 0

    def focused(self) -> str:
        return str(self.page.evaluate(FOCUSED))

    def tab_to(self, name: str, limit: int = 80, key: str = "Tab") -> None:
        wanted = whole(name)
        for _ in range(limit):
            self.page.keyboard.press(key)
            self.stops += 1
            label = self.focused()
            if label:
                assert focus_is_visible(self.page), f"no visible focus on {label!r}"
            if wanted.match(label):
                return
        raise AssertionError(f"{name!r} not reached by {key}; last focus {self.focused()!r}")

    def back_to(self, name: str) -> None:
        self.tab_to(name, key="Shift+Tab")

    def type_into(self, name: str, text: str) -> None:
        self.tab_to(name)
        self.page.keyboard.type(text)

    def choose(self, options: tuple[str, ...], wanted: str) -> None:
        """Into a radio group by Tab, then the arrows to the option (arrows check radios)."""
        for _ in range(80):
            self.page.keyboard.press("Tab")
            if self.focused() in options:
                break
        for _ in range(len(options) + 1):
            if self.focused() == wanted:
                break
            self.page.keyboard.press("ArrowDown")
        assert self.focused() == wanted
        self.page.keyboard.press("Space")
        assert self.page.evaluate("document.activeElement.checked")
        assert focus_is_visible(self.page)

    def select(self, name: str, value: str) -> None:
        self.tab_to(name)
        for _ in range(12):
            if self.page.evaluate("document.activeElement.value") == value:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"{value!r} not reachable in {name!r}")


def test_apply_and_look_up_by_keyboard_only(page: Any) -> None:
    keys = Keyboard(page)
    page.goto("/")
    keys.tab_to("申请公开")
    keys.page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("选择受理机关")
    keys.tab_to(OFFICE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开申请表")

    keys.choose(("自然人", "法人或其他组织"), "自然人")
    keys.type_into("姓名", "张三")
    keys.select("证件类型", "resident_id")
    keys.type_into("证件号码", resident_id())
    keys.back_to("姓名")  # Shift+Tab goes back; nothing typed is lost
    expect(field(page, "姓名")).to_have_value("张三")
    keys.type_into("联系电话", "13800138000")
    keys.type_into("电子邮箱", "zhangsan@example.com")
    keys.type_into("通信地址", "示例市人民路100号")
    keys.type_into("邮政编码", "310000")
    keys.type_into("所需信息的名称或描述", DESCRIPTION)
    keys.choose(("纸质", "电子", "查阅"), "电子")
    keys.choose(("自行领取", "邮寄", "电子邮件", "网上下载"), "电子邮件")
    keys.tab_to("同意电子送达")
    page.keyboard.press("Space")
    expect(field(page, "同意电子送达")).to_be_checked()
    keys.tab_to("提交申请")
    page.keyboard.press("Enter")
    submitted = read_submitted(page)

    keys.tab_to("查询办理进度")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("查询办理进度")
    keys.type_into("登记编号", submitted.number)
    keys.type_into("查询码", submitted.code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("办理进度")
    expect(page.get_by_role("main")).to_contain_text(submitted.number)
    # The explanation opens from the keyboard too.
    keys.tab_to("为什么是这一天")
    page.keyboard.press("Enter")
    expect(page.locator("details[open]").first).to_contain_text("工作日")


def test_apply_and_look_up_on_a_375px_phone(open_page: OpenPage) -> None:
    phone = open_page(phone=True)

    def fits() -> None:
        width, inner = no_sideways_scroll(phone)
        assert inner == 375
        assert width <= 375, f"{phone.url} is {width}px wide"

    phone.goto("/apply")
    fits()
    open_form(phone)
    fits()
    assert_accessible(phone)
    fill_person(phone)
    fill_item(phone)
    fill_delivery(phone)
    button(phone, "添加一项").click()
    expect(group(phone, "第2项")).to_be_visible()
    fits()
    button(phone, "删除第2项").click()
    submitted = submit_application(phone)
    fits()
    assert_accessible(phone)
    open_case(phone, submitted.number, submitted.code)
    fits()
    assert_accessible(phone)


def test_apply_and_look_up_with_javascript_off(open_page: OpenPage) -> None:
    page = open_page(js=False)
    open_form(page)
    field(page, "联系电话").fill("0571-88886666")
    switch_category(page, "法人或其他组织", js=False)
    # The server re-rendered the form for an organisation, keeping what was typed.
    expect(field(page, "统一社会信用代码")).to_be_visible()
    expect(field(page, "联系电话")).to_have_value("0571-88886666")
    fill_company(page)
    fill_item(page, 1)

    with page.expect_navigation():
        button(page, "添加一项").click()
    expect(group(page, "第2项")).to_be_visible()
    expect(field(group(page, "第1项"), "所需信息的名称或描述")).to_have_value(DESCRIPTION)
    fill_item(page, 2, "2025年本区道路养护合同")
    with page.expect_navigation():
        button(page, "添加一项").click()
    expect(field(group(page, "第2项"), "所需信息的名称或描述")).to_have_value(
        "2025年本区道路养护合同"
    )
    with page.expect_navigation():
        button(page, "删除第3项").click()
    expect(group(page, "第3项")).to_have_count(0)
    expect(field(page, "名称")).to_have_value("示例科技有限公司")

    fill_delivery(page)
    attach(page, "附件", "营业执照.pdf")
    submitted: Submitted = submit_application(page)
    # Without JavaScript the print button is hidden and the page says how to print.
    expect(button(page, "打印本页")).to_be_hidden()
    expect(page.get_by_role("main")).to_contain_text(re.compile("打印"))

    open_case(page, submitted.number, submitted.code)
    expect(section_heading(page, "期限")).to_be_visible()
    # <details> opens without JavaScript.
    page.locator("summary", has_text="为什么是这一天").first.click()
    expect(page.locator("details[open]").first).to_be_visible()

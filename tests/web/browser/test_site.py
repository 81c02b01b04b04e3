"""The front page, the error page and large-text mode in a real browser."""

from __future__ import annotations

import re
from typing import Any

from tests.web.browser.conftest import OpenPage
from tests.web.browser.support import (
    LiveServer,
    OffOrigin,
    assert_accessible,
    expect,
    focus_is_visible,
    needs_chromium,
    no_sideways_scroll,
)

pytestmark = needs_chromium


def test_home_page_leads_to_apply_and_query(page: Any) -> None:
    page.goto("/")
    expect(page).to_have_title(re.compile("首页"))
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开申请")
    expect(page.get_by_text("20 个工作日").first).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="申请公开")).to_have_attribute(
        "href", "/apply"
    )
    expect(page.get_by_role("main").get_by_role("link", name="查询办理进度")).to_have_attribute(
        "href", "/query"
    )
    assert_accessible(page)


def test_unknown_page_says_what_to_do_next(page: Any) -> None:
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("link", name="返回首页").click()
    expect(page).to_have_url(re.compile(r"/$"))
    page.go_back()
    assert_accessible(page)


def test_large_text_mode_stays_on_across_pages(page: Any) -> None:
    page.goto("/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    # The style is applied with the class, but a loaded machine may paint it a frame later.
    page.wait_for_function(
        f"parseFloat(getComputedStyle(document.documentElement).fontSize) > {normal}"
    )
    expect(page.get_by_role("button", name=re.compile("大字模式"))).to_have_attribute(
        "aria-pressed", "true"
    )
    page.goto("/no-such-page")
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    page.goto("/")
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("恢复标准字号")).click()
    expect(page.locator("html")).not_to_have_class(re.compile("large-text"))


def test_keyboard_reaches_the_skip_link_and_the_ways_in_with_a_visible_focus(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_focused()
    assert focus_is_visible(page)
    seen = []
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break  # past the last control
        assert focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
        seen.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert "申请公开" in seen
    assert "查询办理进度" in seen
    assert "大字模式" in seen


def test_phone_width_never_scrolls_sideways(open_page: OpenPage) -> None:
    phone = open_page(phone=True)
    for path in ("/", "/no-such-page"):
        phone.goto(path)
        width, inner = no_sideways_scroll(phone)
        assert width <= 375, (path, width)
        assert inner == 375
    phone.goto("/")
    phone.get_by_role("button", name="大字模式").click()
    width, _ = no_sideways_scroll(phone)
    assert width <= 375
    assert_accessible(phone)


def test_home_page_works_with_javascript_off(open_page: OpenPage) -> None:
    page = open_page(js=False)
    page.goto("/")
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    page.get_by_role("main").get_by_role("link", name="查询办理进度").click()
    expect(page).to_have_url(re.compile("/query$"))


def test_the_recorder_catches_a_request_to_another_origin(chromium: Any, live: LiveServer) -> None:
    """The off-origin check can fail: a page asking another host for an image is caught."""
    context = chromium.new_context(base_url=live.url)
    try:
        recorder = OffOrigin(live.url)
        recorder.attach(context)
        # A page of this origin without the site's policy, which would block the image itself.
        context.route(
            f"{live.url}/probe",
            lambda route: route.fulfill(
                content_type="text/html",
                body='<!doctype html><img alt="" src="http://cdn.example.invalid/x.png">',
            ),
        )
        page = context.new_page()
        page.goto("/probe", wait_until="load")
        assert recorder.requests == ["GET http://cdn.example.invalid/x.png"]
    finally:
        context.close()

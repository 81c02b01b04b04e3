"""The staff case page in Chromium: sign in, open a case, take an action with the keyboard only."""

from __future__ import annotations

from typing import Any

import httpx

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, staff_case
from tests.web.browser.support import assert_accessible, expect, needs_chromium, tab_to
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)

pytestmark = needs_chromium


def test_sign_in_open_a_case_and_act_with_the_keyboard_only(
    page: Any,
    runtime: Runtime,
    clock: Clock,
    portal_organs: Staff,
    staff_api: httpx.Client,
) -> None:
    clock.set("2026-03-03T09:00+08:00")
    clerk = portal_organs
    r = staff_api.post(
        "/api/v1/cases", json=staff_case("in_person"), headers=clerk.headers("clerk")
    )
    assert r.status_code == 201, r.text
    case = r.json()
    make_staff(runtime, "org-a", "clerk", login="li", name="李承办")

    page.goto(f"/staff/cases/{case['id']}")  # → the sign-in page, which returns here
    page.get_by_label("登录名").fill("li")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"案件 {case['number']}")
    assert_accessible(page)

    tab_to(page, "通知补正")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("通知补正")
    assert_accessible(page)
    tab_to(page, "需补正事项")
    page.keyboard.type("身份证明")
    page.keyboard.press("Enter")
    page.keyboard.type("所需信息的文号")
    tab_to(page, "预览文书")
    page.keyboard.press("Enter")

    # The draft letter, unnumbered, before anything is done.
    preview = page.get_by_role("link", name="预览《政府信息公开申请补正告知书》（PDF）")
    expect(preview).to_be_visible()
    assert_accessible(page)
    assert (
        staff_api.get(f"/api/v1/cases/{case['id']}", headers=clerk.headers("clerk")).json()["state"]
        == "received"
    )
    tab_to(page, "确认并签发")
    page.keyboard.press("Enter")

    expect(page.locator("#done")).to_contain_text("已完成：通知补正")
    after = staff_api.get(f"/api/v1/cases/{case['id']}", headers=clerk.headers("clerk")).json()
    expect(page.locator("#case-state")).to_have_text(after["state_label"])
    assert after["state"] == "awaiting_correction"
    assert_accessible(page)
    events = staff_api.get(
        f"/api/v1/cases/{case['id']}/events", headers=clerk.headers("clerk")
    ).json()
    assert events[-1]["action"] == "request_correction"
    assert events[-1]["actor_label"] == "李承办"
    assert events[-1]["payload"]["input"]["items_to_correct"] == ["身份证明", "所需信息的文号"]

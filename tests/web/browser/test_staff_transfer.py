"""转办 in Chromium: a clerk transfers an unconfirmed online application from the case page to
another organ on the platform; the applicant looks up the old number and sees the new case.
Both pages pass the accessibility check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from app.models import Organ
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.web.browser.conftest import BUREAU, OFFICE
from tests.web.browser.flows import api_application, open_case, sign_in
from tests.web.browser.support import assert_accessible, expect, needs_chromium
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)

pytestmark = needs_chromium
SHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"


def test_clerk_transfers_and_the_old_number_opens_the_new_case(
    page: Any, runtime: Runtime, clock: Clock, portal_organs: Staff, staff_api: httpx.Client
) -> None:
    with runtime.sessions.write.begin() as s:
        s.execute(
            update(Organ)
            .where(Organ.code == "org-a")
            .values(settings={"online_auto_confirm": False})
        )
    runtime.organs.forget("org-a")
    clock.set("2026-03-03T09:00+08:00")
    sent = api_application(staff_api)
    make_staff(runtime, "org-a", "clerk", login="zhang", name="张承办")

    sign_in(page, "zhang")
    page.goto("/staff/")
    page.get_by_role("link", name=sent.number, exact=True).click()
    page.get_by_role("link", name="转办", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("转办")
    assert_accessible(page)
    page.get_by_label(f"{BUREAU}（org-zr）").check()
    page.get_by_label("转办理由").fill("申请的规划资料由市自然资源和规划局制作和保存")
    page.get_by_role("button", name="转办", exact=True).click()
    expect(page.locator("#case-state")).to_have_text("已转办")
    moved = page.locator("#case-transferred-to")
    expect(moved).to_contain_text(f"已转至{BUREAU}，新登记编号 org-zr依申〔2026〕0001号")
    expect(page.get_by_role("main")).to_contain_text("申请的规划资料由市自然资源和规划局制作和保存")
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "staff-case-transferred.png"), full_page=True)

    page.context.clear_cookies()
    open_case(page, sent.number, sent.code)
    notice = page.locator("#transfer-notice")
    expect(notice).to_contain_text(f"已转办至{BUREAU}，新登记编号 org-zr依申〔2026〕0001号")
    expect(notice).to_contain_text(f"您向{OFFICE}提出的申请（登记编号 {sent.number}）")
    main = page.get_by_role("main")
    expect(main).to_contain_text("org-zr依申〔2026〕0001号")
    expect(page.locator("#case-state")).to_have_text("待确认收到")
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "query-case-transferred.png"), full_page=True)

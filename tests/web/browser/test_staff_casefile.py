"""The case file in Chromium: an archived case's page says 生成中 until the worker has built
the file, then offers its PDF and ZIP; the page passes the accessibility check."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx

from app.casefile.build import build_pending
from app.runtime import Runtime
from tests.casefile.helpers import archived_case
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.web.browser.support import assert_accessible, expect, needs_chromium
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)

pytestmark = needs_chromium
SHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"


def test_the_archived_case_offers_its_file_once_built(
    page: Any, runtime: Runtime, clock: Clock, portal_organs: Staff, staff_api: httpx.Client
) -> None:
    case = archived_case(staff_api, portal_organs, clock)  # type: ignore[arg-type]
    make_staff(runtime, "org-a", "clerk", login="zhang", name="张承办")
    page.goto(f"/staff/cases/{case['id']}")
    page.get_by_label("登录名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    section = page.locator("#casefile")
    expect(section.get_by_role("heading", name="归档")).to_be_visible()
    expect(page.locator("#casefile-v1")).to_contain_text("生成中")
    assert_accessible(page)

    assert build_pending(runtime) == 1
    page.reload()
    expect(page.locator("#casefile-v1")).not_to_contain_text("生成中")
    expect(section).to_contain_text("10年（至2036年3月13日）")
    with page.expect_download() as got:
        section.get_by_role("link", name="下载 PDF").click()
    pdf = Path(got.value.path()).read_bytes()
    listed = staff_api.get(
        f"/api/v1/cases/{case['id']}/files", headers=portal_organs.headers("clerk")
    ).json()
    assert hashlib.sha256(pdf).hexdigest() == listed[0]["pdf_sha256"]
    with page.expect_download() as got:
        section.get_by_role("link", name="下载 ZIP").click()
    assert (
        hashlib.sha256(Path(got.value.path()).read_bytes()).hexdigest() == (listed[0]["zip_sha256"])
    )
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SHOTS / "staff-case-file.png"))

"""Signed letters in a real browser: anyone checks a letter at /verify (by its code, by its PDF),
and an administrator gives an organ its signing certificate on the organ page."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.certificates import PASSWORD, give_certificate, organ_pkcs12
from tests.fixtures.factories import application
from tests.web.browser.support import assert_accessible, expect, needs_chromium
from tests.web.staff_support import PASSWORD as STAFF_PASSWORD
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (cheap Argon2 for this module)
)

pytestmark = needs_chromium
# Where the screenshots go to be looked at (GONGKAI_SHOTS; else the test's own directory).
SHOTS = os.environ.get("GONGKAI_SHOTS")


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _receipt(staff_api: httpx.Client, staff: Staff) -> tuple[dict[str, Any], bytes]:
    r = staff_api.post("/api/v1/applications", json=application("org-a"))
    assert r.status_code == 201, r.text
    case = r.json()
    headers = staff.headers("clerk")
    [letter] = staff_api.get(f"/api/v1/cases/{case['id']}/letters", headers=headers).json()
    pdf = staff_api.get(f"/api/v1/letters/{letter['id']}/pdf", headers=headers)
    assert pdf.status_code == 200, pdf.text
    [letter] = staff_api.get(f"/api/v1/cases/{case['id']}/letters", headers=headers).json()
    return letter, pdf.content


def test_anyone_checks_a_letter_by_its_pdf_and_by_its_code(
    page: Any, staff_api: httpx.Client, portal_organs: Staff, runtime: Runtime, tmp_path: Path
) -> None:
    with runtime.sessions.write.begin() as session:
        give_certificate(session, runtime, "org-a")
    letter, pdf = _receipt(staff_api, portal_organs)
    path = tmp_path / "回执.pdf"
    path.write_bytes(pdf)

    page.goto("/")
    page.get_by_role("link", name="文书核验").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("文书核验")
    assert_accessible(page)
    page.get_by_label("文书的 PDF 文件").set_input_files(str(path))
    page.get_by_role("button", name="核验文件").click()
    verdict = page.locator("#verify-verdict")
    expect(verdict).to_have_text("是本平台出具的文书，文件未经改动")
    result = page.locator("#verify-result")
    expect(result).to_contain_text("示例市人民政府办公室")
    expect(result).to_contain_text("政府信息公开申请登记回执")
    expect(result).to_contain_text(letter["number"])
    expect(result).to_contain_text("有效，签名覆盖整个文件")
    expect(result).not_to_contain_text("张三")
    assert_accessible(page)
    _shot(page, tmp_path, "verify-unaltered-desktop")

    changed = tmp_path / "改过的回执.pdf"
    changed.write_bytes(pdf.replace(b"%%EOF", b"%%EOE", 1))
    page.get_by_label("文书的 PDF 文件").set_input_files(str(changed))
    page.get_by_role("button", name="核验文件").click()
    expect(verdict).to_have_text("文件已被改动，与出具的原件不一致")
    _shot(page, tmp_path, "verify-altered-desktop")

    code = letter["verify_code"]
    page.get_by_label("验证码").fill(f"{code[:5].lower()}-{code[5:]}")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(f"/verify/{code}$"))
    expect(verdict).to_have_text("验证码有效：是本平台出具的文书")
    expect(result).to_contain_text("出具时已加电子签名")
    assert_accessible(page)


def test_an_administrator_gives_the_organ_its_signing_certificate(
    page: Any, runtime: Runtime, portal_organs: Staff, tmp_path: Path
) -> None:
    make_staff(runtime, None, "admin", login="root", name="平台管理员")
    p12 = tmp_path / "organ.p12"
    p12.write_bytes(organ_pkcs12())
    page.goto("/staff/admin/organs/org-a")
    page.get_by_label("登录名").fill("root")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="电子签名证书")).to_be_visible()
    expect(page.locator("#certificate-missing")).to_contain_text("未签名")

    page.get_by_label("证书文件").set_input_files(str(p12))
    page.get_by_label("证书密码").fill("not the password")
    page.get_by_role("button", name="上传证书").click()
    expect(page.locator("#password-error")).to_contain_text("证书密码不正确")
    assert_accessible(page)

    page.get_by_label("证书文件").set_input_files(str(p12))
    page.get_by_label("证书密码").fill(PASSWORD)
    page.get_by_role("button", name="上传证书").click()
    expect(page.get_by_role("status").first).to_contain_text("已上传签名证书")
    expect(page.locator("#certificate-current")).to_contain_text("CN=测试机关签名证书,C=CN")
    expect(page.locator("#certificate-missing")).to_have_count(0)
    assert_accessible(page)
    page.locator("#certificate-title").scroll_into_view_if_needed()
    _shot(page, tmp_path, "staff-admin-organ-certificate-desktop")

"""Released documents in Chromium: the clerk uploads a record on the case page, marks an area
by drawing it on the page and a phrase by the form, applies the marks and finds the released
copy with its log; the applicant then downloads it from the portal. Both pages pass axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from app.runtime import Runtime
from tests.conftest import Staff
from tests.releases.helpers import SECRET_PHRASE, pdftotext, replied, squeeze, text_pdf
from tests.web.browser.support import assert_accessible, expect, needs_chromium
from tests.web.staff_support import (
    PASSWORD,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
)

pytestmark = needs_chromium
SHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"


def test_the_clerk_uploads_marks_and_applies(
    page: Any, runtime: Runtime, portal_organs: Staff, staff_api: httpx.Client, tmp_path: Path
) -> None:
    r = staff_api.post(
        "/api/v1/applications",
        json={
            "organ_code": "org-a",
            "applicant": {
                "category": "natural_person",
                "name": "张三",
                "id_type": "resident_id",
                "id_number": "11010519491231002X",
                "phone": "13800138000",
                "email": "zhangsan@example.com",
            },
            "items": [{"description": "示例街道改造项目采购合同"}],
            "delivery": {"form": "electronic", "method": "online"},
            "e_service_consent": True,
        },
    )
    assert r.status_code == 201, r.text
    case = r.json()
    make_staff(runtime, "org-a", "clerk", login="zhang", name="张承办")
    page.goto(f"/staff/cases/{case['id']}")
    page.get_by_label("登录名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    section = page.locator("#released")
    expect(section.get_by_role("heading", name="公开文件")).to_be_visible()
    section.get_by_text("上传公开文件").click()
    section.get_by_label("标题").fill("采购合同")
    source = tmp_path / "合同.pdf"
    source.write_bytes(text_pdf(2))
    section.get_by_label("文件").set_input_files(str(source))
    section.get_by_role("button", name="上传").click()

    expect(page.get_by_role("heading", name="公开文件：采购合同")).to_be_visible()
    assert_accessible(page)
    # An area drawn on the page: the signature's line at (320, 300)-(420, 340) in points.
    view = page.locator("#page-view")
    view.evaluate("el => el.scrollIntoView({block: 'start'})")
    box = view.bounding_box()
    scale = box["width"] / 595
    page.mouse.move(box["x"] + 300 * scale, box["y"] + 280 * scale)
    page.mouse.down()
    page.mouse.move(box["x"] + 440 * scale, box["y"] + 360 * scale, steps=5)
    page.mouse.up()
    assert abs(float(page.get_by_label("左（x0）").input_value()) - 300) < 3
    assert abs(float(page.get_by_label("下（y1）").input_value()) - 360) < 3
    page.get_by_label("遮盖依据").select_option(label="属于三类内部事务信息")
    page.get_by_label("理由").fill("内部审批签名")
    page.get_by_role("button", name="添加标记").click()
    expect(page.locator("#marks")).to_contain_text("第1页")
    # A phrase, on every page.
    page.get_by_label("文字（每一页）").check()
    page.get_by_label("要遮盖的文字（标记方式为“文字”时填写，每一页都遮盖）").fill(SECRET_PHRASE)
    page.get_by_label("遮盖依据").select_option(label="保护第三方合法权益")
    page.get_by_label("理由").fill("投标报价属于商业秘密")
    page.get_by_role("button", name="添加标记").click()
    expect(page.locator("#marks")).to_contain_text(SECRET_PHRASE)

    page.get_by_role("button", name="生成公开版本").click()
    expect(page.locator("#released-state")).to_contain_text("公开版本已生成")
    expect(page.locator("table.released-log")).to_contain_text("第十五条")
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "staff-released-document.png"), full_page=True)
    with page.expect_download() as got:
        page.get_by_role("link", name="下载公开版本").click()
    released = Path(got.value.path()).read_bytes()
    (SHOTS / "released-copy.pdf").write_bytes(released)
    text = squeeze(pdftotext(released))
    assert squeeze(SECRET_PHRASE) not in text
    assert "第十五条" in text
    assert "遮盖说明" in text

    page.get_by_role("link", name=f"返回案件 {case['number']}").click()
    expect(page.locator("#released")).to_contain_text("公开版本已生成")
    page.locator("#released").screenshot(path=str(SHOTS / "staff-released-section.png"))


def test_the_applicant_downloads_the_released_file_from_the_portal(
    page: Any, portal_organs: Staff, staff_api: httpx.Client
) -> None:
    case, doc = replied(staff_api, portal_organs)  # type: ignore[arg-type]
    page.goto("/query")
    page.get_by_label("登记编号").fill(case["number"])
    page.get_by_label("查询码").fill(case["query_code"])
    page.get_by_role("button", name="查询").click()
    section = page.get_by_role("heading", name="公开的政府信息")
    expect(section).to_be_visible()
    expect(page.locator("body")).to_contain_text("《采购合同》，4页，可下载至2026年5月1日")
    assert_accessible(page)
    with page.expect_download() as got:
        page.locator(f'a[href="/query/released/{doc["id"]}"]').click()
    text = squeeze(pdftotext(Path(got.value.path()).read_bytes()))
    assert squeeze(SECRET_PHRASE) not in text
    assert "遮盖说明" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "portal-released-files.png"), full_page=True)
    listed = staff_api.get(
        f"/api/v1/cases/{case['id']}/released-documents/{doc['id']}",
        headers=portal_organs.headers("clerk"),
    ).json()
    assert [d["channel"] for d in listed["downloads"]] == ["applicant_download"]

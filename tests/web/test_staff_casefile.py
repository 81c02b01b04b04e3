"""The case page's 归档 section: 生成中 until the worker has built the file, then the PDF and
ZIP of each version (the API's bytes); another organ's staff get the 404 page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.casefile.build import build_pending
from app.runtime import Runtime
from tests.casefile.helpers import archived_case, get_file
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)


def test_the_case_page_shows_building_then_links_the_pdf_and_zip(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff, clock: Clock
) -> None:
    case = archived_case(client, organ_a, clock)
    make_staff(runtime, "org-a", "clerk", login="clerk")
    make_staff(runtime, "org-b", "clerk", login="other")
    page = f"/staff/cases/{case['id']}"
    web = signed_in(client, "clerk")
    html = web.get(page).text
    assert "归档" in html
    assert "生成中" in html
    assert f"/staff/cases/{case['id']}/files/1/pdf" not in html
    r = web.get(f"/staff/cases/{case['id']}/files/1/pdf")
    assert r.status_code == 409
    assert "案卷正在生成" in r.text

    assert build_pending(runtime) == 1
    html = web.get(page).text
    assert "生成中" not in html
    assert "保管期限" in html
    assert "10年（至2036年3月13日）" in html
    pdf = web.get(f"/staff/cases/{case['id']}/files/1/pdf")
    zipped = web.get(f"/staff/cases/{case['id']}/files/1/zip")
    assert pdf.status_code == zipped.status_code == 200
    assert pdf.content == get_file(client, organ_a, case["id"]).content
    assert zipped.content == get_file(client, organ_a, case["id"], "zip").content
    assert "attachment;" in pdf.headers["content-disposition"]
    assert web.get(f"/staff/cases/{case['id']}/files/2/pdf").status_code == 404
    assert web.get(f"/staff/cases/{case['id']}/files/1/docx").status_code == 400

    web.cookies.clear()
    other = signed_in(client, "other")
    for path in (page, f"/staff/cases/{case['id']}/files/1/pdf"):
        r = other.get(path)
        assert r.status_code == 404, path
        assert case["number"] not in r.text

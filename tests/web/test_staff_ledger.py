"""The ledger export page (/staff/ledger): the period form, the same file the JSON route serves
(through app.ledger_export.service), errors beside the fields, the API's roles."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import application
from tests.ledger_export.helpers import XLSX, csv_rows, fetch
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

EXPORT = "/staff/ledger/export"


@pytest.fixture
def clerk(client: TestClient, runtime: Runtime, organ_a: Staff) -> TestClient:
    for _ in range(2):
        r = client.post("/api/v1/applications", json=application())
        assert r.status_code == 201, r.text
    make_staff(runtime, "org-a", "clerk", login="clerk")
    return signed_in(client, "clerk")


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    assert found, html[:3000]
    return found.group(1)


def test_the_form_offers_the_period_and_format(clerk: TestClient) -> None:
    r = clerk.get("/staff/ledger")
    assert r.status_code == 200
    assert '<form method="get" action="/staff/ledger/export"' in r.text
    for label in ("收到日期起（含）", "收到日期止（含）", "文件格式"):
        assert label in r.text
    assert 'name="organ"' not in r.text  # a clerk exports their own organ
    assert 'href="/staff/ledger" aria-current="page"' in r.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_download_is_the_apis_file(
    clerk: TestClient, client: TestClient, organ_a: Staff, fmt: str
) -> None:
    params = {"from": "2026-01-01", "to": "2026-12-31", "format": fmt}
    r = clerk.get(EXPORT, params=params)
    assert r.status_code == 200, r.text[:2000]
    api = fetch(client, organ_a.headers("clerk"), "2026-01-01", "2026-12-31", fmt)
    assert r.headers["content-type"] == api.headers["content-type"]
    assert r.headers["content-disposition"] == api.headers["content-disposition"]
    assert r.headers["cache-control"] == "no-store"
    if fmt == "csv":
        assert csv_rows(r.content) == csv_rows(api.content)
        assert len(csv_rows(r.content)) == 3  # the header and two applications
    else:
        assert r.headers["content-type"] == XLSX
        assert r.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"from": "2026-13-01", "to": "2026-12-31"}, "from", "日期"),
        ({"to": "2026-12-31"}, "from", "请填写此项"),
        ({"from": "2026-12-31", "to": "2026-01-01"}, "from", "起始日期晚于截止日期"),
        ({"from": "2020-01-01", "to": "2026-12-31"}, "to", "一次最多导出"),
        ({"from": "1800-01-01", "to": "1800-01-02"}, "from", "日期须在"),
        ({"from": "2026-01-01", "to": "2026-12-31", "format": "pdf"}, "format", "请选择一项"),
        ({"from": "x" * 5000, "to": "2026-01-01"}, "from", "日期"),
    ],
)
def test_a_bad_period_is_shown_beside_its_field(
    clerk: TestClient, params: dict[str, str], field: str, says: str
) -> None:
    r = clerk.get(EXPORT, params=params)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert says in _error(r.text, field)
    assert "提交未成功" in r.text


def test_an_admin_names_the_organ(
    client: TestClient, runtime: Runtime, organ_a: Staff, admin: dict[str, str]
) -> None:
    make_staff(runtime, None, "admin", login="root")
    signed_in(client, "root")
    page = client.get("/staff/ledger")
    assert 'name="organ"' in page.text
    missing = client.get(EXPORT, params={"from": "2026-01-01", "to": "2026-12-31"})
    assert missing.status_code == 422
    assert "平台管理员须用 organ 参数指定机关代码" in _error(missing.text, "organ")
    unknown = client.get(EXPORT, params={"from": "2026-01-01", "to": "2026-12-31", "organ": "nope"})
    assert unknown.status_code == 404
    assert "机关 nope 不存在" in _error(unknown.text, "organ")
    ok = client.get(
        EXPORT, params={"from": "2026-01-01", "to": "2026-12-31", "organ": "org-a", "format": "csv"}
    )
    assert ok.status_code == 200
    assert (
        "台账" in ok.headers["content-disposition"]
        or "ledger_org-a" in ok.headers["content-disposition"]
    )


def test_the_legal_office_is_refused_as_by_the_api(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    make_staff(runtime, "org-a", "legal", login="legal")
    signed_in(client, "legal")
    assert client.get("/staff/ledger").status_code == 403
    r = client.get(EXPORT, params={"from": "2026-01-01", "to": "2026-12-31"})
    assert r.status_code == 403
    assert "申请编号" not in r.text
    assert 'href="/staff/ledger"' not in client.get("/staff/admin/workflow/foi_application").text
    api = fetch(client, organ_a.headers("legal"), "2026-01-01", "2026-12-31")
    assert api.status_code == 403

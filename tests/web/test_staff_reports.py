"""The annual report in the workbench (/staff/reports/{year}): the JSON route's numbers in the
published layout, each linking to exactly its cases; the XLSX and PDF the API serves; the
year's lock and an administrator's override through the pages; the API's roles and organ rule;
bad addresses answered with a 4xx page, never a 500."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.models import Case, Organ, ReportLock
from app.reports import layout
from app.runtime import Runtime
from app.web.staff.report_grid import page_href
from tests.conftest import Staff
from tests.fixtures.factories import Clock, company, make_organ
from tests.letters.helpers import online
from tests.reply.helpers import reply_through_review
from tests.reports.helpers import REPORTS, drill, report
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

PAGE = "/staff/reports/2026"
FIGURE = re.compile(r'<td class="figure"[^>]*><a href="([^"]+)">(\d+)</a></td>')
CASE_LINK = re.compile(r'<a href="/staff/cases/(\d+)">([^<]+)</a>')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock
) -> dict[str, dict[str, Any]]:
    """2026 in org-a: a person's application answered (state secret) and challenged by a
    reconsideration, a company's left open; org-b: one application. Now: 5 January 2027."""
    answered = reply_through_review(
        client, organ_a, online(client), "withheld.state_secret", reasons="涉密"
    )
    open_case = online(client, applicant=company())
    other = online(client, organ_code="org-b")
    clock.set("2026-12-20T10:00+08:00")
    remedy = {
        "kind": "reconsideration",
        "body": "示例区人民政府",
        "filed_on": "2026-04-01",
        "result": "upheld",
        "result_on": "2026-06-01",
    }
    r = client.post(
        f"/api/v1/cases/{answered['id']}/remedies", json=remedy, headers=organ_a.headers("legal")
    )
    assert r.status_code == 201, r.text
    clock.set("2027-01-05T10:00+08:00")
    return {"answered": answered, "open": open_case, "other": other}


def _as(client: TestClient, runtime: Runtime, *roles: str, organ: str | None = "org-a") -> Any:
    login = "-".join(roles) + "-" + (organ or "platform")
    make_staff(runtime, organ, *roles, login=login)
    return signed_in(client, login)


def _figures(page: str) -> dict[str, int]:
    """Drill-down link -> number, as the page shows them."""
    return {html.unescape(href): int(n) for href, n in FIGURE.findall(page)}


def _api_figures(rep: dict[str, Any]) -> dict[str, int]:
    cells = [c for row in rep["table3"]["rows"] for c in row["cells"]]
    cells += [c for g in rep["table4"]["groups"] for c in g["cells"]]
    return {page_href(c["href"]): c["value"] for c in cells}


def _cases(page: str) -> list[tuple[int, str]]:
    return [(int(i), n) for i, n in CASE_LINK.findall(page)]


# --- the tables ----------------------------------------------------------------------------


def test_the_report_year_opens_from_the_nav(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any
) -> None:
    clerk = _as(client, runtime, "clerk")
    home = clerk.get("/staff/")
    assert '<a href="/staff/reports">年度报告</a>' in home.text
    r = clerk.get("/staff/reports", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/reports/2026"  # the last complete year
    page = clerk.get(r.headers["location"]).text
    assert 'href="/staff/reports" aria-current="page"' in page
    assert 'href="/staff/reports/2026?organ=org-a" aria-current="page"' in page  # the years
    assert 'href="/staff/reports/2019?organ=org-a"' in page


def test_the_tables_show_the_json_numbers_each_linking_to_its_cases(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any
) -> None:
    clerk = _as(client, runtime, "clerk")
    r = clerk.get(PAGE)
    assert r.status_code == 200, r.text[:2000]
    page = html.unescape(r.text)
    shown = _figures(r.text)
    api = _api_figures(report(client, organ_a, 2026, "clerk"))
    assert len(shown) == 25 * 7 + 15
    assert shown == api
    assert shown["/staff/reports/2026/cells/withheld.1/natural_person?organ=org-a"] == 1
    assert shown["/staff/reports/2026/cells/carried_forward/total?organ=org-a"] == 1
    assert shown["/staff/reports/2026/cells/reconsideration/upheld?organ=org-a"] == 1
    # The published labels as row and column headers, the titles as captions.
    for row in layout.TABLE3_ROWS:
        assert f">{row.label}</th>" in page, row.label
    assert page.count('<th scope="row"') == 25 + 4 + 1  # the labels and (三)…(六), 三、
    for c in (*layout.TABLE3_COLUMNS, *layout.TABLE4_COLUMNS, *layout.TABLE4_GROUPS):
        assert f">{c.label}</th>" in page, c.label
    assert f"<caption>{layout.TABLE3_TITLE}</caption>" in page
    assert f"<caption>{layout.TABLE4_TITLE}</caption>" in page
    assert '<th scope="col" colspan="7">申请人情况</th>' in page
    # The identity check, the state of the year, the downloads.
    assert "已核对 42 个勾稽关系，全部成立" in page
    assert "统计日期：2027年1月5日" in page
    assert 'href="/staff/reports/2026.xlsx?organ=org-a"' in page
    assert 'href="/staff/reports/2026.pdf?organ=org-a"' in page
    assert "由本机关负责人发布" in page  # a clerk does not publish
    assert world["other"]["number"] not in page


def test_a_number_lists_exactly_its_cases_with_the_cells_labels(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any
) -> None:
    clerk = _as(client, runtime, "clerk")
    rep = report(client, organ_a, 2026, "clerk")
    h = organ_a.headers("clerk")
    for row in [*rep["table3"]["rows"], *rep["table4"]["groups"]]:
        for cell in row["cells"]:
            r = clerk.get(page_href(cell["href"]))
            assert r.status_code == 200, cell["href"]
            api = drill(client, cell["href"], h)
            assert _cases(r.text) == [(c["id"], c["number"]) for c in api["cases"]], cell["href"]
            assert len(_cases(r.text)) == cell["value"]
    answered, open_case = world["answered"], world["open"]
    page = html.unescape(clerk.get("/staff/reports/2026/cells/withheld.1/total?organ=org-a").text)
    assert _cases(page) == [(answered["id"], answered["number"])]
    assert "<dd>（三）不予公开 1.属于国家秘密</dd>" in page
    assert "<dd>总计</dd>" in page
    assert "不予公开：属于国家秘密" in page
    assert 'href="/staff/reports/2026?organ=org-a">返回 2026 年度报告' in page
    page = clerk.get("/staff/reports/2026/cells/new/total?organ=org-a").text
    assert _cases(page) == [
        (answered["id"], answered["number"]),
        (open_case["id"], open_case["number"]),
    ]
    assert world["other"]["number"] not in page
    page = clerk.get("/staff/reports/2026/cells/reconsideration/upheld?organ=org-a").text
    assert "<dd>行政复议</dd>" in page
    assert "<dd>结果维持</dd>" in page
    assert "<td>答复</td>" in page  # what the record challenges
    assert "这一格是 0" in clerk.get("/staff/reports/2026/cells/disclosed/total").text


@pytest.mark.parametrize(("kind", "media"), [("xlsx", XLSX), ("pdf", "application/pdf")])
def test_the_files_are_the_apis_and_open(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any, kind: str, media: str
) -> None:
    clerk = _as(client, runtime, "clerk")
    r = clerk.get(f"/staff/reports/2026.{kind}")
    assert r.status_code == 200, r.text[:2000]
    api = client.get(f"{REPORTS}/2026?format={kind}", headers=organ_a.headers("clerk"))
    assert r.headers["content-type"] == api.headers["content-type"] == media
    assert r.headers["content-disposition"] == api.headers["content-disposition"]
    assert r.headers["cache-control"] == "no-store"
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(r.content))
        values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
        assert "1.属于国家秘密" in values
    else:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        assert "属于国家秘密" in text


# --- publishing and overrides --------------------------------------------------------------


def _post(client: TestClient, path: str, page: str, **fields: str) -> Any:
    data = {"csrf_token": csrf(client, page), **fields}
    return client.post(path, data=data, follow_redirects=False)


def test_an_approver_publishes_the_year_on_the_page(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff, world: Any
) -> None:
    approver = _as(client, runtime, "approver")
    page = approver.get(PAGE).text
    assert 'action="/staff/reports/2026/lock?organ=org-a"' in page
    assert 'name="case_number"' not in page  # overrides are the administrator's
    # Not confirmed: nothing happens, the page says why beside the box.
    r = _post(approver, "/staff/reports/2026/lock?organ=org-a", PAGE)
    assert r.status_code == 422
    assert "请勾选确认发布 2026 年度报告" in r.text
    assert report(client, organ_a, 2026)["lock"] is None
    r = _post(approver, "/staff/reports/2026/lock?organ=org-a", PAGE, **{"confirm-2026": "yes"})
    assert r.status_code == 303, r.text[:2000]
    assert r.headers["location"] == "/staff/reports/2026?organ=org-a&done=locked"
    lock = report(client, organ_a, 2026)["lock"]
    assert lock["locked_by"] == "approver-org-a 用户"
    page = approver.get(r.headers["location"]).text
    assert "2026 年度报告已发布并锁定" in page
    assert "发布人：approver-org-a 用户" in page
    assert "/lock?" not in page
    assert report(client, organ_b, 2026)["lock"] is None
    # Again: the service refuses, in words.
    r = _post(approver, "/staff/reports/2026/lock", PAGE, **{"confirm-2026": "yes"})
    assert r.status_code == 409
    assert "2026 年度报告已发布" in r.text
    # The year in progress cannot be published: no form, and a post is refused.
    assert "年度尚未结束" in approver.get("/staff/reports/2027").text
    r = _post(approver, "/staff/reports/2027/lock", PAGE, **{"confirm-2027": "yes"})
    assert r.status_code == 409
    assert "尚未结束" in r.text
    # The approver's own page links here and shows the same lock.
    locks = approver.get("/staff/approvals/reports").text
    assert '<a href="/staff/reports/2026">' in locks
    assert "发布人：approver-org-a 用户" in locks


def test_an_administrator_grants_an_override_by_case_number(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any
) -> None:
    approver = _as(client, runtime, "approver")
    assert (
        _post(approver, "/staff/reports/2026/lock", PAGE, **{"confirm-2026": "yes"}).status_code
        == 303
    )
    approver.post("/staff/logout", data={"csrf_token": csrf(approver, PAGE)})
    admin = _as(client, runtime, "admin", organ=None)
    # The platform's administrator names the organ first.
    first = admin.get(PAGE)
    assert first.status_code == 200
    assert 'name="organ"' in first.text
    assert "<table" not in first.text
    here = f"{PAGE}?organ=org-a"
    page = admin.get(here).text
    assert 'action="/staff/reports/2026/overrides?organ=org-a"' in page
    path = "/staff/reports/2026/overrides?organ=org-a"
    # Another organ's case, an unknown number, a reason too short: refused beside the field.
    for fields, field, says in [
        ({"case_number": world["other"]["number"], "reason": "补登漏登的申请"}, "case_number",
         "本机关没有编号为"),
        ({"case_number": "nope", "reason": "补登漏登的申请"}, "case_number", "本机关没有编号为"),
        ({"case_number": world["open"]["number"], "reason": "短"}, "reason", ""),
        ({"reason": "补登漏登的申请"}, "case_number", "请填写此项"),
    ]:  # fmt: skip
        r = _post(admin, path, here, **fields)
        assert r.status_code == 422, r.text[:2000]
        assert f'id="{field}-error"' in r.text
        assert says in r.text
        assert fields["reason"] in r.text  # what was typed stays in the form
        assert report(client, organ_a, 2026)["lock"]["overrides"] == []
    open_case = world["open"]
    r = _post(admin, path, here, case_number=open_case["number"], reason="补登 2026 年漏登的申请")
    assert r.status_code == 303, r.text[:2000]
    assert r.headers["location"] == "/staff/reports/2026?organ=org-a&done=override"
    overrides = report(client, organ_a, 2026)["lock"]["overrides"]
    assert [(o["case_id"], o["reason"]) for o in overrides] == [
        (open_case["id"], "补登 2026 年漏登的申请")
    ]
    page = admin.get(r.headers["location"]).text
    assert "已授权更正" in page
    assert f'<a href="/staff/cases/{open_case["id"]}">{open_case["number"]}</a>' in page
    assert "补登 2026 年漏登的申请" in page
    assert "尚未使用" in page


def test_an_override_needs_a_published_year(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any
) -> None:
    admin = _as(client, runtime, "admin", organ=None)
    here = f"{PAGE}?organ=org-a"
    r = _post(
        admin,
        "/staff/reports/2026/overrides?organ=org-a",
        here,
        case_number=world["open"]["number"],
        reason="补登漏登的申请",
    )
    assert r.status_code == 409
    assert "尚未发布" in r.text


# --- who may see what ----------------------------------------------------------------------


def test_signing_in_comes_first(client: TestClient, organ_a: Staff, world: Any) -> None:
    for path in ("/staff/reports", PAGE, "/staff/reports/2026.pdf", f"{PAGE}/cells/new/total"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/staff/login?next=/staff/reports")
    r = client.post(f"{PAGE}/lock", data={"confirm-2026": "yes"}, follow_redirects=False)
    assert r.status_code in (303, 403)
    assert report(client, organ_a, 2026)["lock"] is None


@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor"])
def test_the_apis_readers_read_the_report(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any, role: str
) -> None:
    staff = _as(client, runtime, role)
    assert staff.get(PAGE).status_code == 200
    assert staff.get("/staff/reports/2026/cells/new/total").status_code == 200


@pytest.mark.parametrize("role", ["front_desk", "legal"])
def test_roles_the_api_refuses_are_refused(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any, role: str
) -> None:
    assert client.get(f"{REPORTS}/2026", headers=organ_a.headers(role)).status_code == 403
    staff = _as(client, runtime, role)
    assert '<a href="/staff/reports">' not in staff.get("/staff/").text
    for path in (PAGE, "/staff/reports/2026.xlsx", "/staff/reports/2026/cells/new/total"):
        r = staff.get(path)
        assert r.status_code == 403, path
        assert world["answered"]["number"] not in r.text
    r = _post(staff, "/staff/reports/2026/lock", "/staff/", **{"confirm-2026": "yes"})
    assert r.status_code == 403
    assert report(client, organ_a, 2026)["lock"] is None


def test_only_publishers_lock_and_only_administrators_override(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any
) -> None:
    clerk = _as(client, runtime, "clerk")
    r = _post(clerk, "/staff/reports/2026/lock", PAGE, **{"confirm-2026": "yes"})
    assert r.status_code == 403
    assert report(client, organ_a, 2026)["lock"] is None
    clerk.post("/staff/logout", data={"csrf_token": csrf(clerk, PAGE)})
    approver = _as(client, runtime, "approver")
    assert (
        _post(approver, "/staff/reports/2026/lock", PAGE, **{"confirm-2026": "yes"}).status_code
        == 303
    )
    fields = {"case_number": world["open"]["number"], "reason": "补登漏登的申请"}
    r = _post(approver, "/staff/reports/2026/overrides", PAGE, **fields)
    assert r.status_code == 403
    assert report(client, organ_a, 2026)["lock"]["overrides"] == []
    # And the forms need their CSRF token.
    r = approver.post("/staff/reports/2026/overrides", data={**fields, "csrf_token": "0" * 64})
    assert r.status_code == 403


def test_another_organs_report_never_shows(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff, world: Any
) -> None:
    clerk = _as(client, runtime, "clerk")
    for path in (
        f"{PAGE}?organ=org-b",
        "/staff/reports/2026.pdf?organ=org-b",
        "/staff/reports/2026/cells/new/total?organ=org-b",
    ):
        r = clerk.get(path)
        assert r.status_code == 403, path  # as the API answers
        assert world["other"]["number"] not in r.text
    # An administrator of the platform reads org-b's, and sees org-b's case only.
    clerk.post("/staff/logout", data={"csrf_token": csrf(clerk, PAGE)})
    admin = _as(client, runtime, "admin", organ=None)
    page = admin.get("/staff/reports/2026/cells/new/total?organ=org-b").text
    assert _cases(page) == [(world["other"]["id"], world["other"]["number"])]
    r = admin.get(f"{PAGE}?organ=nowhere")
    assert r.status_code == 404
    assert 'id="organ-error"' in r.text


def test_a_government_sums_its_departments(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any
) -> None:
    with runtime.sessions.write.begin() as session:
        dept = make_organ(session, "org-a-dept")
        session.get_one(Organ, dept).parent_id = session.scalars(
            select(Organ.id).where(Organ.code == "org-a")
        ).one()
    clerk = _as(client, runtime, "clerk")
    summed = clerk.get(f"{PAGE}?include_departments=true")
    assert summed.status_code == 200, summed.text[:2000]
    api = report(client, organ_a, 2026, "clerk", include_departments="true")
    assert _figures(summed.text) == _api_figures(api)
    assert "本表为以下2个机关的合计" in summed.text
    assert "汇总报表不单独发布" in summed.text
    assert 'href="/staff/reports/2026.xlsx?organ=org-a&amp;include_departments=true"' in (
        summed.text
    )


# --- bad input and a report that does not add up ------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/staff/reports/abc",
        "/staff/reports/2018",
        "/staff/reports/2028",
        "/staff/reports/99999",
        "/staff/reports/-1",
        "/staff/reports/2026.docx",
        "/staff/reports/20x6.pdf",
        "/staff/reports/2018.pdf",
        "/staff/reports/2026?organ=%40%40",
        "/staff/reports/2026?organ=" + "x" * 5000,
        "/staff/reports/2026?include_departments=maybe",
        "/staff/reports/2026/cells/new/martians",
        "/staff/reports/2026/cells/withheld.9/total",
        "/staff/reports/2026/cells/reconsideration/natural_person",
        "/staff/reports/2026/cells/NEW!/total",
        "/staff/reports/2018/cells/new/total",
        "/staff/reports/2026/cells/new/total?page=0",
    ],
)
def test_bad_addresses_are_a_clear_4xx_page(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any, path: str
) -> None:
    clerk = _as(client, runtime, "clerk")
    r = clerk.get(path)
    if "page=0" in path:  # a page out of range shows the first
        assert r.status_code == 200
        return
    assert 400 <= r.status_code < 500, (path, r.status_code)
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>" in r.text


def test_a_failing_identity_is_told_in_words(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: Any
) -> None:
    with runtime.sessions.write.begin() as session:
        case = session.get_one(Case, world["answered"]["id"])
        case.outcome = "withheld.made_up"
    api = client.get(f"{REPORTS}/2026", headers=organ_a.headers("approver"))
    assert api.status_code == 409
    approver = _as(client, runtime, "approver")
    r = approver.get(PAGE)
    assert r.status_code == 409
    assert "报表数字不平衡，暂不能生成报表" in r.text
    assert "表三第 total 行" in r.text
    assert "不满足" in r.text
    assert 'action="/staff/reports/2026"' in r.text  # the options stay
    r = approver.get("/staff/reports/2026.pdf")
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("text/html")
    assert "报表数据不平衡" in r.text
    r = _post(approver, "/staff/reports/2026/lock", "/staff/", **{"confirm-2026": "yes"})
    assert r.status_code == 409
    with runtime.sessions.read() as session:
        assert session.scalars(select(ReportLock)).all() == []  # nothing was published

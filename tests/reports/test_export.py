"""The annual report as XLSX and PDF, laid out like the published tables (RULES §8,
国办公开办函〔2021〕30号): labels in place, cells merged as printed, every number the JSON's."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.letters.samples import reply_params
from app.models import Organ
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, company
from tests.letters.helpers import act, embedded_fonts, online
from tests.reply.helpers import ok, problem, reply_through_review
from tests.reports.helpers import REPORTS, report, table3, table4

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
# Table 三's rows as RULES §8 prints them: (（三）… heading or None, label).
_W, _U, _N, _O = "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"
RULES_ROWS: list[tuple[str | None, str]] = [
    (None, "一、本年新收政府信息公开申请数量"),
    (None, "二、上年结转政府信息公开申请数量"),
    (None, "（一）予以公开"),
    (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    (_W, "1.属于国家秘密"),
    (_W, "2.其他法律行政法规禁止公开"),
    (_W, '3.危及"三安全一稳定"'),
    (_W, "4.保护第三方合法权益"),
    (_W, "5.属于三类内部事务信息"),
    (_W, "6.属于四类过程性信息"),
    (_W, "7.属于行政执法案卷"),
    (_W, "8.属于行政查询事项"),
    (_U, "1.本机关不掌握相关政府信息"),
    (_U, "2.没有现成信息需要另行制作"),
    (_U, "3.补正后申请内容仍不明确"),
    (_N, "1.信访举报投诉类申请"),
    (_N, "2.重复申请"),
    (_N, "3.要求提供公开出版物"),
    (_N, "4.无正当理由大量反复申请"),
    (_N, "5.要求行政机关确认或重新出具已获取信息"),
    (_O, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    (_O, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    (_O, "3.其他"),
    (None, "（七）总计"),
    (None, "四、结转下年度继续办理"),
]
RESULTS = "三、本年度办理结果"
ORGANISATIONS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
T4_RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
ORGAN_NAME = "org-a 示例区人民政府办公室"


def _cases(client: TestClient, staff: Staff, clock: Clock) -> dict[str, dict[str, Any]]:
    """Received on 2 March 2026: a person refused (state secret), a company and a person
    given the information, a law firm told it is not held, a company's application still open;
    a reconsideration of the refusal (upheld) and a lawsuit against it (pending)."""
    cases = {
        "secret": reply_through_review(
            client, staff, online(client), "withheld.state_secret", reasons="涉密"
        ),
        "company": reply_through_review(
            client, staff, online(client, applicant=company()), **reply_params("disclosed")
        ),
        "person": reply_through_review(client, staff, online(client), **reply_params("disclosed")),
        "law_firm": reply_through_review(
            client,
            staff,
            online(client, applicant=company(category="legal_service_org", name="示例律师事务所")),
            **reply_params("unavailable.not_held"),
        ),
        "open": online(client, applicant=company(name="示例商贸有限公司")),
    }
    clock.set("2026-12-20T10:00+08:00")
    url = f"/api/v1/cases/{cases['secret']['id']}/remedies"
    h = staff.headers("legal")
    for body in (
        {
            "kind": "reconsideration",
            "body": "示例区人民政府",
            "filed_on": "2026-04-01",
            "result": "upheld",
            "result_on": "2026-06-01",
        },
        {"kind": "litigation_direct", "body": "示例区人民法院", "filed_on": "2026-11-01"},
    ):
        r = client.post(url, json=body, headers=h)
        assert r.status_code == 201, r.text
    return cases


def _get(
    client: TestClient,
    staff: Staff,
    year: int,
    *,
    fmt: str | None = None,
    accept: str | None = None,
) -> Any:
    headers = staff.headers("supervisor")
    if accept is not None:
        headers["Accept"] = accept
    params = {} if fmt is None else {"format": fmt}
    return client.get(f"{REPORTS}/{year}", params=params, headers=headers)


def _lock_and_correct(
    client: TestClient, staff: Staff, clock: Clock, admin: dict[str, str], case: dict[str, Any]
) -> dict[str, Any]:
    """Publish 2026 in January 2027, then an administrator lets the open case be withdrawn as
    of 30 December 2026 (carried forward → （六）3): the lock's override is used."""
    clock.set("2027-01-05T10:00+08:00")
    ok(client.post(f"{REPORTS}/2026/lock", headers=staff.headers("approver")))
    r = client.post(
        f"{REPORTS}/2026/overrides",
        params={"organ": staff.organ_code},
        json={"case_id": case["id"], "reason": "申请人于2026年12月30日书面撤回<漏登>"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    current = ok(client.get(f"/api/v1/cases/{case['id']}", headers=staff.headers("clerk")))
    ok(act(client, staff, current, "withdraw", "clerk", withdrawn_on="2026-12-30"))
    rep = report(client, staff, 2026)
    assert rep["lock"]["overrides"][0]["used_action"] == "withdraw"
    assert rep["lock"]["changed_since_publication"], rep["lock"]
    return rep


# --- XLSX -----------------------------------------------------------------------------------


def _workbook(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def _find(ws: Any, text: str) -> tuple[int, int]:
    """(row, column) of the first cell holding exactly this text."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} not on sheet {ws.title}")


def _texts(ws: Any) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def _merged_from(ws: Any, top: int) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges if r.min_row >= top}


def _numbers(ws: Any, row: int, first_col: int, n: int) -> list[Any]:
    return [ws.cell(row=row, column=first_col + i).value for i in range(n)]


def _assert_ruled(ws: Any, top: int, bottom: int, cols: int) -> None:
    """Thin borders around every cell of the table, and around every merged range."""
    merged = [r for r in ws.merged_cells.ranges if r.min_row >= top]
    for row in ws.iter_rows(min_row=top, max_row=bottom, max_col=cols):
        for cell in row:
            area = next((m for m in merged if cell.coordinate in m), None)
            sides = {"top", "bottom", "left", "right"}
            if area is not None:  # only a merged range's outline is drawn
                edges = {
                    "top": cell.row == area.min_row,
                    "bottom": cell.row == area.max_row,
                    "left": cell.column == area.min_col,
                    "right": cell.column == area.max_col,
                }
                sides = {side for side, edge in edges.items() if edge}
            for side in sides:
                assert getattr(cell.border, side).style == "thin", (cell.coordinate, side)


def test_xlsx_lays_out_tables_three_and_four_as_published(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    _cases(client, organ_a, clock)
    rep = report(client, organ_a, 2026)
    t3, t4 = table3(rep), table4(rep)
    assert (t3["new"]["total"], t3["total"]["total"], t3["carried_forward"]["total"]) == (5, 4, 1)
    assert t3["unavailable.1"]["legal_service_org"] == 1
    assert (t4["reconsideration"]["upheld"], t4["litigation_direct"]["pending"]) == (1, 1)

    r = _get(client, organ_a, 2026, fmt="xlsx")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    wb = _workbook(r.content)
    assert wb.sheetnames == ["表三", "表四"]  # no corrections sheet for an unpublished year

    ws = wb["表三"]
    assert ws["A1"].value == f"{ORGAN_NAME} 2026年度政府信息公开工作年度报告（节选）"
    assert "统计截至2026年12月20日，2026年度尚未结束" in ws["A2"].value
    assert _find(ws, "三、收到和处理政府信息公开申请情况")[1] == 1
    h, col = _find(ws, CORNER)
    assert col == 1
    assert ws.cell(row=h, column=4).value == "申请人情况"
    assert ws.cell(row=h + 1, column=4).value == "自然人"
    assert ws.cell(row=h + 1, column=5).value == "法人或其他组织"
    assert _numbers(ws, h + 2, 5, 5) == ORGANISATIONS
    assert ws.cell(row=h + 1, column=10).value == "总计"
    b = h + 3  # the first numeric row
    assert _merged_from(ws, h) == {
        f"A{h}:C{h + 2}", f"D{h}:J{h}", f"D{h + 1}:D{h + 2}", f"E{h + 1}:I{h + 1}",
        f"J{h + 1}:J{h + 2}",
        f"A{b}:C{b}", f"A{b + 1}:C{b + 1}",  # 一、二、
        f"A{b + 2}:A{b + 23}",  # 三、本年度办理结果 over (一)…(七)
        f"B{b + 2}:C{b + 2}", f"B{b + 3}:C{b + 3}",  # (一) (二)
        f"B{b + 4}:B{b + 11}", f"B{b + 12}:B{b + 14}", f"B{b + 15}:B{b + 19}",  # (三) (四) (五)
        f"B{b + 20}:B{b + 22}",  # (六)
        f"B{b + 23}:C{b + 23}",  # (七)
        f"A{b + 24}:C{b + 24}",  # 四、
    }  # fmt: skip
    assert ws.cell(row=b + 2, column=1).value == RESULTS
    assert [row["label"] for row in rep["table3"]["rows"]] == [label for _, label in RULES_ROWS]
    for i, ((group, label), row) in enumerate(zip(RULES_ROWS, rep["table3"]["rows"], strict=True)):
        r_ = b + i
        if i in (0, 1, 24):
            assert ws.cell(row=r_, column=1).value == label
        elif group is None:
            assert ws.cell(row=r_, column=2).value == label
        else:
            assert ws.cell(row=r_, column=3).value == label
            if RULES_ROWS[i - 1][0] != group:
                assert ws.cell(row=r_, column=2).value == group
        numbers = _numbers(ws, r_, 4, 7)
        assert numbers == [c["value"] for c in row["cells"]], label
        assert all(type(n) is int for n in numbers)
    assert ws.cell(row=b + 24, column=10).value == 1  # 四、结转下年度继续办理: the open case
    assert ws.max_row == b + 24  # nothing below the table
    _assert_ruled(ws, h, b + 24, 10)
    _assert_ruled(wb["表四"], _find(wb["表四"], "行政复议")[0], wb["表四"].max_row, 15)
    # Headings centred and wrapped, label columns wider than number columns, rows tall enough.
    assert ws.cell(row=h, column=1).alignment.horizontal == "center"
    assert ws.cell(row=h, column=1).alignment.wrap_text
    assert ws.column_dimensions["C"].width > ws.column_dimensions["D"].width
    assert ws.row_dimensions[b + 20].height > ws.row_dimensions[b + 16].height  # (六)1 wraps
    for sheet in (ws, wb["表四"]):
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)

    ws4 = wb["表四"]
    assert _find(ws4, "四、政府信息公开行政复议、行政诉讼情况")[1] == 1
    h, col = _find(ws4, "行政复议")
    assert col == 1
    assert _merged_from(ws4, h) == {
        f"A{h}:E{h}", f"F{h}:O{h}",
        *(f"{c}{h + 1}:{c}{h + 2}" for c in "ABCDE"),
        f"F{h + 1}:J{h + 1}", f"K{h + 1}:O{h + 1}",
    }  # fmt: skip
    assert ws4.cell(row=h, column=6).value == "行政诉讼"
    assert _numbers(ws4, h + 1, 1, 5) == T4_RESULTS
    assert ws4.cell(row=h + 1, column=6).value == "未经复议直接起诉"
    assert ws4.cell(row=h + 1, column=11).value == "复议后起诉"
    assert _numbers(ws4, h + 2, 6, 10) == T4_RESULTS * 2
    flat = [c["value"] for g in rep["table4"]["groups"] for c in g["cells"]]
    assert _numbers(ws4, h + 3, 1, 15) == flat
    assert ws4.max_row == h + 3


# --- PDF ------------------------------------------------------------------------------------


def _pdf_pages(content: bytes) -> list[str]:
    """Each page's text with all whitespace removed (cells wrap anywhere in Chinese)."""
    reader = PdfReader(io.BytesIO(content))
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in reader.pages]


def test_pdf_prints_the_title_every_label_and_every_number(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    _cases(client, organ_a, clock)
    rep = report(client, organ_a, 2026)
    r = _get(client, organ_a, 2026, fmt="pdf")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == PDF
    reader = PdfReader(io.BytesIO(r.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    fonts = embedded_fonts(r.content)
    assert any("Gongkai" in f for f in fonts), fonts
    pages = _pdf_pages(r.content)
    text = "".join(pages)
    assert f"{ORGAN_NAME}2026年度政府信息公开工作年度报告（节选）".replace(" ", "") in text
    assert "统计截至2026年12月20日，2026年度尚未结束" in text
    # Table 三 fits the first page, headings and all.
    first = pages[0]
    for heading in ("三、收到和处理政府信息公开申请情况", CORNER, "申请人情况", "自然人",
                    "法人或其他组织", *ORGANISATIONS, RESULTS, _W, _U, _N, _O):  # fmt: skip
        assert heading in first, heading
    # Cells print in reading order: each row's label, then its seven numbers.
    for row in rep["table3"]["rows"]:
        numbers = "".join(str(c["value"]) for c in row["cells"])
        assert row["label"] + numbers in first, row["label"]
    assert first.index(_W) < first.index("1.属于国家秘密") < first.index(_U)
    t4_head = "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼" + "".join(T4_RESULTS)
    t4_head += "未经复议直接起诉复议后起诉" + "".join(T4_RESULTS) * 2
    flat = "".join(str(c["value"]) for g in rep["table4"]["groups"] for c in g["cells"])
    assert t4_head + flat in text
    assert "已于" not in text
    assert "合计" not in text


# --- negotiation and the download -----------------------------------------------------------


def test_accept_chooses_the_format_and_the_format_parameter_wins(
    client: TestClient, organ_a: Staff
) -> None:
    online(client)
    as_xlsx = _get(client, organ_a, 2026, accept=XLSX)
    assert as_xlsx.status_code == 200, as_xlsx.text
    assert as_xlsx.headers["content-type"] == XLSX
    assert as_xlsx.content[:2] == b"PK"
    assert as_xlsx.headers["vary"] == "Accept"
    assert as_xlsx.headers["x-content-type-options"] == "nosniff"
    disposition = as_xlsx.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="annual-report-org-a-2026.xlsx"; ')
    assert f"filename*=UTF-8''{quote(f'{ORGAN_NAME}2026年度报告表三表四.xlsx', safe='')}" in (
        disposition
    )
    as_pdf = _get(client, organ_a, 2026, accept=f"{PDF}, */*;q=0.1")
    assert as_pdf.headers["content-type"] == PDF
    assert as_pdf.content[:5] == b"%PDF-"
    assert as_pdf.headers["content-disposition"].endswith(
        quote(f"{ORGAN_NAME}2026年度报告表三表四.pdf", safe="")
    )
    assert _get(client, organ_a, 2026, accept="application/json").json()["year"] == 2026
    assert _get(client, organ_a, 2026).json()["year"] == 2026  # no Accept: JSON
    # `format` wins over Accept, both ways.
    assert _get(client, organ_a, 2026, fmt="pdf", accept=XLSX).headers["content-type"] == PDF
    assert _get(client, organ_a, 2026, fmt="xlsx", accept=PDF).headers["content-type"] == XLSX
    assert _get(client, organ_a, 2026, fmt="json", accept=PDF).json()["year"] == 2026
    refused = problem(_get(client, organ_a, 2026, accept="text/csv"), 406)
    assert refused["available"] == ["application/json", XLSX, PDF]
    problem(_get(client, organ_a, 2026, fmt="docx"), 422)


def test_a_locked_year_shows_publication_and_the_override_in_both_files(
    client: TestClient, organ_a: Staff, clock: Clock, admin: dict[str, str]
) -> None:
    cases = _cases(client, organ_a, clock)
    rep = _lock_and_correct(client, organ_a, clock, admin, cases["open"])
    lock = rep["lock"]
    override = lock["overrides"][0]
    assert table3(rep)["other.3"]["commercial_enterprise"] == 1  # the numbers as they are now
    published_line = f"已于2027年1月5日 10时00分发布（锁定），发布人：{lock['locked_by']}"

    wb = _workbook(_get(client, organ_a, 2026, fmt="xlsx").content)
    assert wb.sheetnames == ["表三", "表四", "更正记录"]
    for sheet in ("表三", "表四"):
        lines = _texts(wb[sheet])[:4]
        assert "统计日期：2027年1月5日" in lines
        assert not any("尚未结束" in line for line in lines)
        assert any(line.startswith(published_line) for line in lines), lines
    ws3 = wb["表三"]
    h, _ = _find(ws3, CORNER)
    assert ws3.cell(row=h + 3 + 22, column=5).value == 1  # （六）3 商业企业
    assert ws3.cell(row=h + 3 + 24, column=5).value == 0  # 四、结转下年度继续办理 商业企业
    ws = wb["更正记录"]
    r, c = _find(ws, "案件编号")
    assert [ws.cell(row=r, column=c + i).value for i in range(6)] == [
        "案件编号", "更正理由", "授权人", "授权时间", "更正操作", "涉及的数字",
    ]  # fmt: skip
    row = [ws.cell(row=r + 1, column=c + i).value for i in range(6)]
    assert row[:4] == [
        cases["open"]["number"],
        "申请人于2026年12月30日书面撤回<漏登>",
        override["granted_by"],
        "2027年1月5日 10时00分",
    ]
    assert row[4].startswith("撤回申请（withdraw）")
    assert "表三 （六）其他处理 3.其他 / 法人或其他组织·商业企业" in row[5]
    assert "表三 四、结转下年度继续办理 / 总计" in row[5]
    r, c = _find(ws, "发布后变化的数字")
    changed = [
        [ws.cell(row=r + 2 + i, column=1 + j).value for j in range(5)]
        for i in range(len(lock["changed_since_publication"]))
    ]
    assert ["表三", "（七）总计", "总计", 4, 5] in changed
    assert ["表三", "四、结转下年度继续办理", "法人或其他组织·商业企业", 1, 0] in changed

    text = "".join(_pdf_pages(_get(client, organ_a, 2026, fmt="pdf").content))
    assert published_line.replace(" ", "") in text
    assert "统计日期：2027年1月5日" in text
    assert "尚未结束" not in text
    for expected in (
        "发布后经授权的更正",
        cases["open"]["number"],
        "申请人于2026年12月30日书面撤回<漏登>",  # escaped, printed as typed
        override["granted_by"].replace(" ", ""),
        "撤回申请（withdraw）",
        "（六）其他处理3.其他/法人或其他组织·商业企业",
        "发布后变化的数字",
        "表三（七）总计总计45",
        "表三四、结转下年度继续办理法人或其他组织·商业企业10",
    ):
        assert expected in text, expected


def test_a_report_summing_departments_says_so_and_names_them(
    client: TestClient, organ_a: Staff, organ_b: Staff, runtime: Runtime
) -> None:
    with runtime.sessions.write.begin() as session:
        a = session.scalars(select(Organ).where(Organ.code == "org-a")).one()
        b = session.scalars(select(Organ).where(Organ.code == "org-b")).one()
        b.parent_id = a.id
    online(client)
    online(client, organ_code="org-b")
    params = {"format": "xlsx", "include_departments": "true"}
    h = organ_a.headers("supervisor")
    r = client.get(f"{REPORTS}/2026", params=params, headers=h)
    assert r.status_code == 200, r.text
    summed = "本表为以下2个机关的合计：org-a 示例区人民政府办公室（org-a）、org-b 示例区人民政府办公室（org-b）"
    wb = _workbook(r.content)
    assert summed in _texts(wb["表三"])
    h3, _ = _find(wb["表三"], CORNER)
    assert wb["表三"].cell(row=h3 + 3, column=10).value == 2  # 一、 总计: both organs' cases
    assert (
        "%EF%BC%88%E5%90%AB%E4%B8%8B%E5%B1%9E%E9%83%A8%E9%97%A8%EF%BC%89"
        in (
            r.headers["content-disposition"]  # （含下属部门）
        )
    )
    pdf = client.get(f"{REPORTS}/2026", params={**params, "format": "pdf"}, headers=h)
    assert summed.replace(" ", "") in "".join(_pdf_pages(pdf.content))

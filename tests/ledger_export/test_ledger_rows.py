"""The ledger's rows and cells over HTTP, from cases driven through the real workflow: a reply
issued and served, an application awaiting confirmation, a withdrawal, a company, an
application by mail not yet confirmed; the same rows in CSV and XLSX, personal data masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.ledger_export import service
from app.letters.samples import reply_params
from tests.conftest import Staff
from tests.fixtures.factories import Clock, company, person, staff_case
from tests.fixtures.identity import resident_id, uscc
from tests.ledger_export.helpers import (
    HEADERS,
    XLSX,
    as_csv_cell,
    csv_dicts,
    csv_rows,
    fetch,
    workbook,
    xlsx_dicts,
    xlsx_text,
)
from tests.letters.helpers import act, counter_case, online
from tests.reply.helpers import case_of, issued, ok, reply_through_review

PERSON_ID = resident_id(seq="517")
COMPANY_ID = uscc("91330100MA2B3C4D5")
MAIL_ID = resident_id(region="310104", seq="233")


def register(client: TestClient, staff: Staff, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/v1/cases", json=body, headers=staff.headers("front_desk"))
    assert r.status_code == 201, r.text
    return dict(r.json())


def scenario(client: TestClient, staff: Staff, clock: Clock) -> dict[str, dict[str, Any]]:
    """Five applications to org-a in March 2026, in ledger order A, B, C, D, E: C, not yet
    confirmed, is filed under the day it arrived, before D though registered after it."""
    # Mon 2 March, 10:00: two at the counter.
    a = counter_case(
        client,
        staff,
        applicant=person(name="张三丰", id_number=PERSON_ID),
        items=[{"description": "2025年本区老旧小区改造项目清单", "document_number": None}],
    )
    b = counter_case(
        client,
        staff,
        applicant=company(name="示例科技有限公司", id_number=COMPANY_ID),
        items=[
            {"description": "示例路拓宽工程征收补偿方案", "document_number": "示政发〔2025〕3号"},
            {"description": "上述方案的听证会记录", "document_number": None},
        ],
    )
    # Tue 3 March: one at the counter (later withdrawn), a letter that arrived by registered
    # mail on Monday afternoon, its receipt not confirmed yet, and one online application.
    clock.set("2026-03-03T09:00+08:00")
    d = counter_case(
        client,
        staff,
        applicant=person(name="李四", id_number=resident_id(seq="871")),
        arrived_at="2026-03-03T09:00:00+08:00",
        items=[
            {"description": "示例街道2025年拆迁补偿标准\n及其制定依据", "document_number": None}
        ],
    )
    c = register(
        client,
        staff,
        staff_case(
            "registered_mail",
            arrived_at="2026-03-02T16:00:00+08:00",
            applicant=person(name="王小明", id_number=MAIL_ID),
            delivery={"form": "paper", "method": "post"},
            e_service_consent=False,
        ),
    )
    clock.set("2026-03-03T11:00+08:00")
    e = online(client, applicant=person(name="赵六", id_number=resident_id(seq="002")))
    assert [x["state"] for x in (a, b, c, d, e)] == [
        "received",
        "received",
        "awaiting_confirmation",
        "received",
        "received",  # online: received at once (platform acknowledgement)
    ]
    # D is withdrawn on Wednesday.
    clock.set("2026-03-04T10:00+08:00")
    d = ok(act(client, staff, d, "withdraw", "clerk", withdrawn_on="2026-03-04"))
    # A's reply is issued on Fri 20 March and served by post, posted that day.
    clock.set("2026-03-20T10:00+08:00")
    a = reply_through_review(client, staff, a, **reply_params("disclosed"))
    clock.set("2026-03-24T10:00+08:00")
    a = ok(
        act(
            client,
            staff,
            a,
            "record_service",
            "front_desk",
            method="post",
            tracking_number="1151234567890",
            posted_on="2026-03-20",
            served_on="2026-03-23",
            signature="张三丰",
        )
    )
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def number_of(client: TestClient, staff: Staff, case_id: int, kind: str) -> str:
    [letter] = issued(client, staff, case_id, kind)
    return str(letter["number"])


def expected_rows(
    client: TestClient, staff: Staff, cases: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    a, b, c, d, e = (cases[k] for k in "ABCDE")
    blank = dict.fromkeys(HEADERS)
    return [
        {
            **blank,
            "申请编号": a["number"],
            "收到日期": date(2026, 3, 2),
            "到达日期": date(2026, 3, 2),
            "收到渠道": "当面提交",
            "申请人类别": "自然人",
            "申请人": "张**",
            "证件号码": PERSON_ID[:4] + "*" * 10 + PERSON_ID[-4:],
            "所需信息": "1. 2025年本区老旧小区改造项目清单",
            "状态": "已送达",
            "办理结果": "予以公开",
            "答复期限": date(2026, 3, 30),
            "是否延期": "否",
            "答复日期": date(2026, 3, 20),
            "答复书文号": number_of(client, staff, a["id"], "reply"),
            "送达日期": date(2026, 3, 23),
            "送达方式": "邮寄送达",
            "是否按期": "是",
            "是否按期送达": "是",
            # A disclosure allows both: 60 days and 6 months from the receipt on 23 March.
            "申请行政复议期限": date(2026, 5, 22),
            "提起行政诉讼期限": date(2026, 9, 23),
        },
        {
            **blank,
            "申请编号": b["number"],
            "收到日期": date(2026, 3, 2),
            "到达日期": date(2026, 3, 2),
            "收到渠道": "当面提交",
            "申请人类别": "商业企业",
            "申请人": "示例科技有限公司",
            "证件号码": COMPANY_ID[:4] + "*" * 10 + COMPANY_ID[-4:],
            "所需信息": "1. 示例路拓宽工程征收补偿方案（文号：示政发〔2025〕3号）；"
            "2. 上述方案的听证会记录",
            "状态": "办理中",
            "答复期限": date(2026, 3, 30),
            "补正告知期限": date(2026, 3, 11),  # 7 working days to ask for a correction
            "是否延期": "否",
        },
        {
            **blank,
            "申请编号": c["number"],
            "到达日期": date(2026, 3, 2),
            "收到渠道": "需签收的邮件",
            "申请人类别": "自然人",
            "申请人": "王**",
            "证件号码": MAIL_ID[:4] + "*" * 10 + MAIL_ID[-4:],
            "所需信息": "1. 2025年本区老旧小区改造项目清单及资金安排",
            "状态": "待确认收到",
            "是否延期": "否",
        },
        {
            **blank,
            "申请编号": d["number"],
            "收到日期": date(2026, 3, 3),
            "到达日期": date(2026, 3, 3),
            "收到渠道": "当面提交",
            "申请人类别": "自然人",
            "申请人": "李*",
            "证件号码": d_id_masked(),
            "所需信息": "1. 示例街道2025年拆迁补偿标准\n及其制定依据",
            "状态": "已撤回",
            "办理结果": "其他处理：其他",
            "答复期限": date(2026, 3, 31),
            "是否延期": "否",
            "答复日期": date(2026, 3, 4),
            "终止办理告知书文号": number_of(client, staff, d["id"], "closure_notice"),
        },
        {
            **blank,
            "申请编号": e["number"],
            "收到日期": date(2026, 3, 3),
            "到达日期": date(2026, 3, 3),
            "收到渠道": "互联网渠道",
            "申请人类别": "自然人",
            "申请人": "赵*",
            "证件号码": e_id_masked(),
            "所需信息": "1. 2025年本区老旧小区改造项目清单及资金安排",
            "状态": "办理中",
            "答复期限": date(2026, 3, 31),
            "补正告知期限": date(2026, 3, 12),
            "是否延期": "否",
        },
    ]


def d_id_masked() -> str:
    n = resident_id(seq="871")
    return n[:4] + "*" * 10 + n[-4:]


def e_id_masked() -> str:
    n = resident_id(seq="002")
    return n[:4] + "*" * 10 + n[-4:]


@pytest.fixture
def cases(client: TestClient, organ_a: Staff, clock: Clock) -> dict[str, dict[str, Any]]:
    return scenario(client, organ_a, clock)


def test_xlsx_rows_are_exactly_the_applications_of_the_range_in_ledger_order(
    client: TestClient, organ_a: Staff, cases: dict[str, dict[str, Any]]
) -> None:
    r = fetch(client, organ_a.headers("clerk"), "2026-03-01", "2026-03-31", "xlsx")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert xlsx_dicts(r.content) == expected_rows(client, organ_a, cases)


def test_csv_rows_are_the_same_cells_as_text(
    client: TestClient, organ_a: Staff, cases: dict[str, dict[str, Any]]
) -> None:
    r = fetch(client, organ_a.headers("clerk"), "2026-03-01", "2026-03-31", "csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    expected = [
        {k: as_csv_cell(v) for k, v in row.items()} for row in expected_rows(client, organ_a, cases)
    ]
    assert csv_dicts(r.content) == expected


def test_rows_do_not_depend_on_the_batch_size(
    client: TestClient,
    organ_a: Staff,
    cases: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Items and letters are read per batch of cases: batches of two split the scenario."""
    whole = {
        f: fetch(client, organ_a.headers("clerk"), "2026-03-01", "2026-03-31", f)
        for f in ("csv", "xlsx")
    }
    monkeypatch.setattr(service, "BATCH", 2)
    for fmt, before in whole.items():
        after = fetch(client, organ_a.headers("clerk"), "2026-03-01", "2026-03-31", fmt)
        if fmt == "csv":
            assert after.content == before.content
        else:
            assert xlsx_dicts(after.content) == xlsx_dicts(before.content)


def test_full_name_and_identity_number_appear_in_neither_file(
    client: TestClient, organ_a: Staff, cases: dict[str, dict[str, Any]]
) -> None:
    headers = organ_a.headers("clerk")
    csv_text = fetch(client, headers, "2026-03-01", "2026-03-31", "csv").content.decode("utf-8")
    zipped = xlsx_text(fetch(client, headers, "2026-03-01", "2026-03-31", "xlsx").content)
    for text in (csv_text, zipped):
        assert "张**" in text  # the rows are there ...
        for secret in ("张三丰", "三丰", "王小明", "李四", "赵六", PERSON_ID, MAIL_ID, COMPANY_ID):
            assert secret not in text  # ... but no full name or number
        assert PERSON_ID[4:-4] not in text
        # The phone, e-mail and address are not exported at all.
        for contact in ("13800138000", "zhangsan@example.com", "人民路100号"):
            assert contact not in text


def test_csv_has_a_bom_crlf_records_and_reads_back_in_chinese(
    client: TestClient, organ_a: Staff, cases: dict[str, dict[str, Any]]
) -> None:
    content = fetch(client, organ_a.headers("clerk"), "2026-03-01", "2026-03-31", "csv").content
    assert content.startswith("\ufeff申请编号,收到日期,".encode())
    text = content.decode("utf-8")
    rows = csv_rows(content)
    assert len(rows) == 6
    # Every record ends with CRLF; the only bare LF is the one inside D's quoted item.
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 6
    assert text.replace("\r\n", "").count("\n") == 1
    assert '"1. 示例街道2025年拆迁补偿标准\n及其制定依据"' in text
    assert rows[4][HEADERS.index("状态")] == "已撤回"
    # Excel on Chinese Windows takes the BOM as UTF-8: the same bytes read as GBK would not be
    # the text (what happens without a BOM).
    assert content[3:].decode("gbk", errors="replace") != text[1:]


def test_xlsx_has_a_bold_frozen_header_widths_a_filter_and_real_dates(
    client: TestClient, organ_a: Staff, cases: dict[str, dict[str, Any]]
) -> None:
    r = fetch(client, organ_a.headers("clerk"), "2026-03-01", "2026-03-31", "xlsx")
    wb = workbook(r.content)
    assert wb.sheetnames == ["台账"]
    ws = wb["台账"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == HEADERS
    assert all(c.font.b for c in ws[1])
    assert not ws["A2"].font.b
    assert ws.auto_filter.ref == "A1:X6"
    assert ws.column_dimensions["A"].width == 26
    assert ws.column_dimensions["H"].width == 60  # 所需信息
    received = ws.cell(row=2, column=HEADERS.index("收到日期") + 1)
    assert received.value == datetime(2026, 3, 2)
    assert received.is_date
    assert received.number_format == "yyyy-mm-dd"
    served = ws.cell(row=2, column=HEADERS.index("送达日期") + 1)
    assert served.value == datetime(2026, 3, 23)
    assert served.number_format == "yyyy-mm-dd"
    # Text stays text: the masked number is not read as a number, the registration number
    # is a string.
    assert ws.cell(row=2, column=1).data_type == "s"
    assert r.headers["content-length"] == str(len(r.content))


def test_file_names_carry_the_organ_and_range_with_an_ascii_fallback(
    client: TestClient, organ_a: Staff
) -> None:
    for fmt in ("csv", "xlsx"):
        r = fetch(client, organ_a.headers("clerk"), "2026-01-01", "2026-12-31", fmt)
        assert r.status_code == 200, r.text
        assert r.headers["content-disposition"] == (
            f'attachment; filename="ledger_org-a_2026-01-01_2026-12-31.{fmt}"; '
            f"filename*=UTF-8''%E5%8F%B0%E8%B4%A6_org-a_2026-01-01_2026-12-31.{fmt}"
        )
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["vary"] == "Accept"


def test_an_empty_range_gives_the_header_row_alone(client: TestClient, organ_a: Staff) -> None:
    headers = organ_a.headers("clerk")
    content = fetch(client, headers, "2025-01-01", "2025-12-31", "csv").content
    assert csv_rows(content) == [HEADERS]
    assert xlsx_dicts(fetch(client, headers, "2025-01-01", "2025-12-31", "xlsx").content) == []


def test_a_reply_due_in_an_unpublished_year_is_marked_provisional(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    # Received Mon 14 Dec 2026: 20 working days reach into 2027, whose notice is not loaded.
    clock.set("2026-12-14T10:00+08:00")
    case = counter_case(client, organ_a, arrived_at="2026-12-14T10:00:00+08:00")
    due = next(d for d in case_of(client, organ_a, case["id"])["deadlines"] if d["name"] == "reply")
    assert due["provisional"] is True
    headers = organ_a.headers("clerk")
    [row] = csv_dicts(fetch(client, headers, "2026-12-14", "2026-12-14", "csv").content)
    assert row["答复期限"] == f"{due['due_date']}（暂定）"
    ws = workbook(fetch(client, headers, "2026-12-14", "2026-12-14", "xlsx").content)["台账"]
    cell = ws.cell(row=2, column=HEADERS.index("答复期限") + 1)
    assert cell.value == datetime.fromisoformat(due["due_date"])  # still a date ...
    assert cell.number_format == 'yyyy-mm-dd"（暂定）"'  # ... shown with its mark


def test_an_extended_case_says_so(client: TestClient, organ_a: Staff) -> None:
    case = counter_case(client, organ_a)
    case = ok(act(client, organ_a, case, "extend", "approver", days=20, reason="需跨部门检索档案"))
    assert case["state"] == "extended"
    [row] = csv_dicts(
        fetch(client, organ_a.headers("clerk"), "2026-03-02", "2026-03-02", "csv").content
    )
    assert row["是否延期"] == "是"
    assert row["状态"] == "延期办理中"
    assert row["答复期限"] == next(d["due_date"] for d in case["deadlines"] if d["name"] == "reply")

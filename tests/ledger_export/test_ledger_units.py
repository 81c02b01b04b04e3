"""The pure parts of the ledger export: format negotiation, defusing, the CSV and XLSX writers,
row cells that the HTTP scenarios do not reach."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet import _writer as openpyxl_writer

from app.ledger_export.negotiation import negotiate
from app.ledger_export.rows import (
    COLUMNS,
    NO_LETTERS,
    SERVICE_METHOD_LABELS,
    CaseLetters,
    LedgerCase,
    LedgerItem,
    Provisional,
    items_text,
    ledger_row,
)
from app.ledger_export.writers import (
    TRUNCATED_MARK,
    XLSX_MAX_CELL_CHARS,
    TooManyRows,
    csv_chunks,
    csv_value,
    defuse,
    write_xlsx,
)
from app.letters.bodies_service import METHOD_LABELS
from tests.ledger_export.helpers import HEADERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=abc", None),  # a malformed weight drops the range
        ("text/csv;q=2", None),
        ("text/csv;q=0.001", "csv"),
        (",,, ;;", None),  # only a missing or blank header means "anything"
        ("garbage", None),
        ("TEXT/CSV", "csv"),
        ("text/csv; charset=utf-8", "csv"),
        (f"{XLSX}; q=0.4, text/*; q=0.5", "csv"),
        (f"text/csv;q=0.5, {XLSX};q=0.5", "xlsx"),  # a tie: the default
        ("text/*;q=0, text/csv", "csv"),  # the most specific range decides
        ("text/csv;q=0, text/*", None),
    ],
)
def test_negotiate(accept: str, expected: str | None) -> None:
    assert negotiate(None, accept) == expected


def test_negotiate_explicit_and_absent() -> None:
    assert negotiate("csv", "application/json") == "csv"
    assert negotiate(None, None) == "xlsx"
    assert negotiate(None, "   ") == "xlsx"


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_defuse_prefixes_every_formula_trigger(first: str) -> None:
    assert defuse(first + "1+1") == "'" + first + "1+1"
    assert csv_value(first + "x") == "'" + first + "x"


@pytest.mark.parametrize("text", ["张**", "1. =1+1", "'=quoted", " =x", "＝全角", ""])
def test_defuse_leaves_other_text_alone(text: str) -> None:
    assert defuse(text) == text


def test_csv_values() -> None:
    assert csv_value(None) == ""
    assert csv_value(date(2026, 3, 2)) == "2026-03-02"
    assert csv_value(Provisional(date(2027, 1, 20))) == "2027-01-20（暂定）"


def test_csv_comes_in_chunks_that_add_up_to_the_whole() -> None:
    rows = [(f"编号{i}", date(2026, 3, 2), "a,b", 'say "hi"', None) for i in range(200)]
    whole = b"".join(csv_chunks(COLUMNS, rows))
    chunks = list(csv_chunks(COLUMNS, rows, chunk_chars=500))
    assert len(chunks) > 10
    assert b"".join(chunks) == whole
    assert whole.count(b"\xef\xbb\xbf") == 1
    assert whole.startswith(b"\xef\xbb\xbf")
    assert '编号7,2026-03-02,"a,b","say ""hi""",\r\n'.encode() in whole


def test_xlsx_refuses_more_rows_than_allowed_and_leaves_no_temporary_file() -> None:
    files = openpyxl_writer.ALL_TEMP_FILES
    before = list(files)
    rows = [("x",) * len(COLUMNS)] * 3
    with pytest.raises(TooManyRows):
        write_xlsx(COLUMNS, rows, io.BytesIO(), max_rows=2)
    assert files == before
    out = io.BytesIO()
    assert write_xlsx(COLUMNS, rows, out, max_rows=3) == 3
    assert files == before


def test_xlsx_cells_too_long_or_with_control_characters_are_fixed_visibly() -> None:
    long = "长" * (XLSX_MAX_CELL_CHARS + 10)
    row = ("a\x01b\x1fc", long, *[None] * (len(COLUMNS) - 2))
    out = io.BytesIO()
    write_xlsx(COLUMNS, [row], out)
    ws = load_workbook(io.BytesIO(out.getvalue()))["台账"]
    assert ws["A2"].value == "abc"
    text = ws["B2"].value
    assert len(text) == XLSX_MAX_CELL_CHARS
    assert text.endswith(TRUNCATED_MARK)


def test_service_method_labels_match_the_proof_of_service() -> None:
    for method, label in SERVICE_METHOD_LABELS.items():
        assert label == METHOD_LABELS["direct" if method == "in_person" else method]


def test_items_are_numbered_and_joined() -> None:
    items = [
        LedgerItem(1, "甲", None),
        LedgerItem(2, "乙", "示政发〔2025〕3号"),
        LedgerItem(3, "丙", ""),
    ]
    assert items_text(items) == "1. 甲；2. 乙（文号：示政发〔2025〕3号）；3. 丙"
    assert items_text([]) == ""


def case(**overrides: object) -> LedgerCase:
    values: dict[str, object] = {
        "id": 1,
        "number": "org-a依申〔2026〕0001号",
        "year": 2026,
        "seq": 1,
        "state": "replied",
        "channel": "online",
        "arrived_at": datetime(2026, 3, 1, 16, 30, tzinfo=UTC),  # 00:30 on 2 March in Beijing
        "receipt_date": date(2026, 3, 2),
        "applicant_category": "natural_person",
        "applicant_name": "欧阳娜娜",
        "applicant_id_number": "11010519491231002X",
        "reply_due": date(2026, 3, 30),
        "reply_due_provisional": False,
        "correction_notice_due": None,
        "correction_due": None,
        "outcome": None,
        "concluded_on": None,
        "reply_late": None,
        "served_on": None,
        "service_method": None,
        "served_on_time": None,
        **overrides,
    }
    return LedgerCase(**values)  # type: ignore[arg-type]


def row(c: LedgerCase, letters: CaseLetters = NO_LETTERS) -> dict[str, object]:
    cells = ledger_row(c, [], letters, state_label=lambda s: f"<{s}>", tz=TZ)
    return dict(zip(HEADERS, cells, strict=True))


def test_a_late_reply_and_a_closure_without_judgement() -> None:
    late = row(case(outcome="unavailable.not_held", reply_late=True, served_on_time=False))
    assert late["是否按期"] == "否"
    assert late["是否按期送达"] == "否"
    assert late["办理结果"] == "无法提供：本机关不掌握相关政府信息"
    closed = row(
        case(outcome="other.no_correction", concluded_on=date(2026, 4, 20)),
        CaseLetters(closure_number="org-a依申终〔2026〕2号"),
    )
    assert closed["是否按期"] is None
    assert closed["答复日期"] == date(2026, 4, 20)
    assert closed["终止办理告知书文号"] == "org-a依申终〔2026〕2号"
    assert closed["答复书文号"] is None


def test_row_masks_and_labels() -> None:
    r = row(case(service_method="in_person", served_on=date(2026, 3, 25)))
    assert r["申请人"] == "欧***"
    assert r["证件号码"] == "1101**********002X"
    assert r["到达日期"] == date(2026, 3, 2)  # the Beijing day, not the UTC one
    assert r["送达方式"] == "直接送达"
    assert r["状态"] == "<replied>"
    assert r["收到渠道"] == "互联网渠道"
    r = row(case(reply_due_provisional=True))
    assert r["答复期限"] == Provisional(date(2026, 3, 30))
    # Codes unknown to the labels (data from a newer version) are shown, never a crash.
    r = row(case(channel="carrier_pigeon", outcome="new.outcome", service_method="drone"))
    assert (r["收到渠道"], r["办理结果"], r["送达方式"]) == (
        "carrier_pigeon",
        "new.outcome",
        "drone",
    )

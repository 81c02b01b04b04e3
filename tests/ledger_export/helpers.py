"""Fetching the ledger over HTTP and reading it back: CSV with the csv module, XLSX with
openpyxl, and the raw text of every part of the XLSX zip."""

from __future__ import annotations

import csv
import html
import io
import zipfile
from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

LEDGER = "/api/v1/reports/ledger"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "申请编号",
    "收到日期",
    "到达日期",
    "收到渠道",
    "申请人类别",
    "申请人",
    "证件号码",
    "所需信息",
    "状态",
    "办理结果",
    "答复期限",
    "补正告知期限",
    "补正期限",
    "是否延期",
    "答复日期",
    "答复书文号",
    "终止办理告知书文号",
    "送达日期",
    "送达方式",
    "是否按期",
    "是否按期送达",
    "申请行政复议期限",
    "提起行政诉讼期限",
    "复议后起诉期限",
]


def fetch(
    client: TestClient,
    headers: dict[str, str],
    start: str,
    end: str,
    fmt: str | None = None,
    **params: str,
) -> Any:
    query = {"from": start, "to": end, **params}
    if fmt is not None:
        query["format"] = fmt
    return client.get(LEDGER, params=query, headers=headers)


def csv_rows(content: bytes) -> list[list[str]]:
    """The CSV's records (BOM checked and removed), the header first."""
    assert content.startswith(b"\xef\xbb\xbf"), content[:20]
    text = content.decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text, newline="")))


def csv_dicts(content: bytes) -> list[dict[str, str]]:
    header, *rows = csv_rows(content)
    assert header == HEADERS
    return [dict(zip(header, row, strict=True)) for row in rows]


def workbook(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def xlsx_dicts(content: bytes) -> list[dict[str, Any]]:
    """The sheet's rows as dicts; dates read back as datetimes are turned into dates (after
    checking they are midnight), empty cells become None."""
    ws = workbook(content)["台账"]
    header, *rows = list(ws.iter_rows(values_only=True))
    assert list(header) == HEADERS
    out = []
    for row in rows:
        values: dict[str, Any] = {}
        for name, value in zip(header, row, strict=True):
            if isinstance(value, datetime):
                assert value.time() == datetime.min.time()
                value = value.date()
            values[name] = value
        out.append(values)
    return out


def xlsx_text(content: bytes) -> str:
    """Every part of the XLSX package, as text: what anyone unzipping the file can read.

    Character references are resolved: openpyxl writes 张 as &#24352; when lxml is installed.
    """
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(html.unescape(z.read(name).decode("utf-8")) for name in z.namelist())


def as_csv_cell(value: Any) -> str:
    """What the CSV holds for a value the XLSX holds."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)

"""Staff API: the ledger (台账) export."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import StreamingResponse

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.db import CommittingRoute, ReadSession
from app.errors import PROBLEM_JSON
from app.fields import Code
from app.ledger_export import service
from app.ledger_export.negotiation import CSV, XLSX, Format
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/reports", tags=["reports"])

Exporter = Annotated[Principal, Depends(require_roles(*service.EXPORTERS))]

DESCRIPTION = f"""
One row per application whose receipt date (收到日期) is in the range, both ends included; an
application whose receipt is not confirmed yet is filed under the Beijing date it arrived
(到达日期). Ordered by that date, then by registration number. At most
{service.MAX_RANGE_DAYS} days per export, dates between {service.EARLIEST} and
{service.LATEST}.

Format: `format=csv|xlsx` if given, else the `Accept` header (`text/csv` or `{XLSX}`), else
XLSX. CSV is UTF-8 with a BOM, CRLF line ends and RFC 4180 quoting, streamed as it is read;
XLSX is one sheet 台账 with a frozen, bold header row and real dates. Personal data is masked:
a person's family-name character only, identity numbers with their first and last four
characters; organisations' names in full. Text that a spreadsheet would run as a formula
(beginning with `=`, `+`, `-`, `@`, tab, CR) gets a leading `'`.

Clerks, approvers, supervisors and the front desk export their own organ; a platform admin
names the organ with `organ=CODE`.
"""


@router.get(
    "/ledger",
    summary="台账导出（XLSX/CSV）/ export the case ledger",
    description=DESCRIPTION,
    response_class=StreamingResponse,
    responses={
        200: {"content": {XLSX: {}, CSV: {}}, "description": "台账文件 / the ledger file"},
        403: {"description": "角色无权 / role may not", "content": {PROBLEM_JSON: {}}},
        404: {"description": "机关不存在 / unknown organ", "content": {PROBLEM_JSON: {}}},
        406: {"description": "格式不可提供 / format not available", "content": {PROBLEM_JSON: {}}},
    },
)
def export_ledger(
    session: ReadSession,
    rt: RuntimeDep,
    principal: Exporter,
    start: Annotated[date, Query(alias="from", description="收到日期起（含）/ from, inclusive")],
    end: Annotated[date, Query(alias="to", description="收到日期止（含）/ to, inclusive")],
    fmt: Annotated[
        Format | None, Query(alias="format", description="xlsx 或 csv；优先于 Accept 头")
    ] = None,
    organ: Annotated[
        Code | None, Query(description="机关代码（仅平台管理员）/ organ code (admins only)")
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> StreamingResponse:
    ledger = service.export_ledger(
        session,
        rt,
        principal,
        service.LedgerRequest(start=start, end=end, format=fmt, accept=accept, organ=organ),
    )
    headers = {
        "Content-Disposition": (
            f'attachment; filename="{ledger.ascii_filename}"; '
            f"filename*=UTF-8''{quote(ledger.filename)}"
        ),
        # Personal data: never kept by a shared cache or the browser's.
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept",
    }
    if ledger.size is not None:
        headers["Content-Length"] = str(ledger.size)
    return StreamingResponse(ledger.chunks, media_type=ledger.media_type, headers=headers)

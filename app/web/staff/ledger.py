"""The ledger export in the workbench (/staff/ledger): the period form, then the same file the
JSON route (GET /api/v1/reports/ledger) serves, through app.ledger_export.service.

The form is sent by GET (a download changes nothing); a bad period is shown beside its field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.db import CommittingRoute, ReadSession
from app.errors import InvalidInput, NotFound
from app.fields import Code
from app.ledger_export import service
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors
from app.web.staff import nav
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Exporter = Annotated[Workbench, Depends(page_roles(*service.EXPORTERS))]
nav.link("/staff/ledger", "导出台账", 100, service.EXPORTERS)
FIELDS = ("from", "to", "format", "organ")


class LedgerForm(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    format: Literal["xlsx", "csv"] = "xlsx"
    organ: Code | None = None


def _form_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    values: dict[str, str],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    today = rt.clock().astimezone(rt.tz).date()
    defaults = {"from": date(today.year, 1, 1).isoformat(), "to": today.isoformat()}
    context: dict[str, Any] = {
        "values": {**defaults, "format": "xlsx", "organ": "", **values},
        "errors": errors,
        "max_days": service.MAX_RANGE_DAYS,
    }
    return staff_page(request, rt, staff, "staff/ledger.html", context, status_code=status_code)


@router.get("/staff/ledger", response_class=HTMLResponse)
def ledger_form(request: Request, rt: RuntimeDep, staff: Exporter) -> Response:
    return _form_page(request, rt, staff, {})


@router.get("/staff/ledger/export")
def ledger_export(
    request: Request, rt: RuntimeDep, session: ReadSession, staff: Exporter
) -> Response:
    values = {k: request.query_params.get(k, "").strip()[:40] for k in FIELDS}
    given = {k: v for k, v in values.items() if v}
    try:
        form = LedgerForm.model_validate(given)
        ledger = service.export_ledger(
            session,
            rt,
            staff.principal,
            service.LedgerRequest(
                start=form.start, end=form.end, format=form.format, organ=form.organ
            ),
        )
    except ValidationError as exc:
        return _form_page(request, rt, staff, values, FieldErrors.of_validation(exc), 422)
    except (InvalidInput, NotFound) as exc:
        errors = FieldErrors.of_domain(exc, fallback="organ")
        return _form_page(request, rt, staff, values, errors, exc.status)
    headers = {
        "Content-Disposition": (
            f'attachment; filename="{ledger.ascii_filename}"; '
            f"filename*=UTF-8''{quote(ledger.filename)}"
        ),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if ledger.size is not None:
        headers["Content-Length"] = str(ledger.size)
    return StreamingResponse(ledger.chunks, media_type=ledger.media_type, headers=headers)

"""The print queue (/staff/print): issued letters not yet printed, by day and delivery; the
front desk ticks the letters and prints them as one batch PDF (cover, letters, 送达回证), and
downloads an earlier batch again. Also the staff download of one issued letter's PDF
(/staff/letters/{id}/pdf), e.g. the receipt just registered.

The pages call what the JSON API calls: app.letters.print_queue (GET /api/v1/print-queue,
/print-batches), app.letters.printing.print_batch (POST /print-batches) and
app.letters.views.staff_pdf (GET /letters/{id}/pdf), with the same roles.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.cases.router import READ_ROLES
from app.db import CommittingRoute, ReadSession
from app.errors import InvalidInput
from app.fields import RowId
from app.letters import print_queue, printing
from app.letters.responses import document_response
from app.letters.schemas import MAX_BATCH, PrintBatchCreate
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form
from app.web.staff import nav
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

# The roles of the print-batch API (app.letters.router.Printer) and of reading letters.
PRINT_ROLES = (Role.front_desk, Role.clerk)
Printer = Annotated[Workbench, Depends(page_roles(*PRINT_ROLES))]
nav.link("/staff/print", "打印", 50, PRINT_ROLES)
Reader = Annotated[Workbench, Depends(page_roles(*READ_ROLES))]

PATH = "/staff/print"
FIELD = "letter_ids"


def _queue_page(
    request: Request,
    rt: Runtime,
    session: Session,
    staff: Workbench,
    errors: FieldErrors | None = None,
    *,
    selected: frozenset[int] = frozenset(),
    status_code: int = 200,
) -> Response:
    context = {
        "groups": print_queue.queue(session, rt, staff.principal),
        "batches": print_queue.recent_batches(session, staff.principal),
        "errors": errors or FieldErrors(),
        "selected": selected,
        "max_batch": MAX_BATCH,
    }
    return staff_page(request, rt, staff, "staff/desk_print.html", context, status_code=status_code)


@router.get(PATH, response_class=HTMLResponse)
def print_queue_page(
    request: Request, rt: RuntimeDep, session: ReadSession, staff: Printer
) -> Response:
    return _queue_page(request, rt, session, staff)


def _ticked(values: list[str]) -> list[int]:
    """The ticked letter ids; anything else is refused beside the list."""
    if not values:
        raise InvalidInput(("body", FIELD), "请勾选要打印的文书")
    if len(values) > MAX_BATCH:
        raise InvalidInput(("body", FIELD), f"一次最多打印 {MAX_BATCH} 件")
    if not all(v.isdigit() and len(v) < 12 for v in values):
        raise InvalidInput(("body", FIELD), "所选文书有误，请重新勾选")
    return list(dict.fromkeys(int(v) for v in values))


@router.post(PATH, response_class=Response)
async def print_selected(
    request: Request, rt: RuntimeDep, session: ReadSession, staff: Printer
) -> Response:
    posted = await read_form(request, rt)
    raw = [v for v in posted.getlist(FIELD) if isinstance(v, str)]
    try:
        ids = _ticked(raw)
        body = PrintBatchCreate(letter_ids=ids)
        printed = await run_in_threadpool(printing.print_batch, session, rt, staff.principal, body)
    except ValidationError:
        errors = FieldErrors()
        errors.add(FIELD, "所选文书有误，请重新勾选")
        return await run_in_threadpool(
            _queue_page, request, rt, session, staff, errors, status_code=422
        )
    except InvalidInput as exc:
        errors = FieldErrors()
        errors.add(FIELD, exc.detail)
        chosen = frozenset(int(v) for v in raw if v.isdigit() and len(v) < 12)
        return await run_in_threadpool(
            _queue_page, request, rt, session, staff, errors, selected=chosen, status_code=422
        )
    response = document_response(print_queue.printed_document(printed))
    response.headers["X-Print-Batch-Id"] = str(printed.batch.id)
    return response


@router.get(PATH + "/batches/{batch_id}/pdf", response_class=Response)
def batch_pdf(
    batch_id: RowId, request: Request, rt: RuntimeDep, session: ReadSession, staff: Printer
) -> Response:
    return document_response(
        print_queue.batch_document(session, rt, staff.principal, batch_id), request
    )

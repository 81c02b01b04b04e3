"""Dead letters in the workbench (/staff/admin/outbox, admins only): deliveries of every channel
that failed for 24 hours or were refused, with a button to send one again — through
app.outbox.log and app.outbox.service.redeliver, as GET /api/v1/outbox/dead and POST
/api/v1/outbox/deliveries/{id}/redeliver do.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import RowId
from app.organs.router import ADMIN_ROLES
from app.outbox import log as delivery_log
from app.outbox import service as outbox
from app.runtime import RuntimeDep
from app.web.forms import read_form
from app.web.staff import nav
from app.web.staff.admin_webhooks import EVENT_LABELS
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Admin = Annotated[Workbench, Depends(page_roles(*ADMIN_ROLES))]
nav.link("/staff/admin/outbox", "投递失败", 76, ADMIN_ROLES)
CHANNEL_LABELS = {"webhook": "Webhook", "email": "电子邮件", "sms": "短信", "notice": "提醒"}


@router.get("/staff/admin/outbox", response_class=HTMLResponse)
def dead_letters(request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin) -> Response:
    rows = delivery_log.dead_letters(session, staff.principal.organ_id, limit=200)
    again = request.query_params.get("redelivered", "")
    context = {
        "rows": rows,
        "labels": EVENT_LABELS,
        "channels": CHANNEL_LABELS,
        "redelivered": again if again.isdigit() else None,
    }
    return staff_page(request, rt, staff, "staff/admin_outbox.html", context)


@router.post("/staff/admin/outbox/{delivery_id}/redeliver", response_class=HTMLResponse)
async def redeliver(
    delivery_id: RowId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    await read_form(request, rt)
    await run_in_threadpool(
        outbox.redeliver, session, delivery_id, organ_id=staff.principal.organ_id, now=rt.clock()
    )
    return RedirectResponse(f"/staff/admin/outbox?redelivered={delivery_id}", status_code=303)

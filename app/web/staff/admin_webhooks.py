"""Webhook subscriptions in the workbench (/staff/admin/webhooks, admins only): the list, a new
subscription (its signing secret shown once, on the answer to the form), one subscription
with its delivery log, editing, rotating the secret, turning it off or on and deleting it —
through app.webhooks.service, as the JSON routes (/api/v1/webhooks) do.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import DomainError
from app.organs import service as organs
from app.organs.router import ADMIN_ROLES
from app.outbox import log as delivery_log
from app.outbox.events import CASE_EVENT_TYPES
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form
from app.web.staff import nav
from app.web.staff.session import Workbench, page_roles, staff_page
from app.webhooks import service
from app.webhooks.schemas import WebhookCreate, WebhookUpdate

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Admin = Annotated[Workbench, Depends(page_roles(*ADMIN_ROLES))]
WebhookId = Annotated[str, Path(min_length=1, max_length=40)]
nav.link("/staff/admin/webhooks", "Webhook 订阅", 75, ADMIN_ROLES)

EVENT_LABELS = {
    "case.received": "收到申请",
    "case.state_changed": "办理状态变化",
    "letter.issued": "出具文书",
    "consultation.window_ended": "征求意见期限届满",
    "deadline.due_soon": "期限即将届满",
    "deadline.overdue": "期限已过",
    "case.replied": "作出答复",
    "case.served": "答复已送达",
    "case.assigned": "签收或分办",
    "case.transferred": "转办至其他机关",
    "case.transferred_in": "其他机关转来申请",
}
EVENT_OPTIONS = [(t, f"{EVENT_LABELS.get(t, t)}（{t}）") for t in CASE_EVENT_TYPES]
STATUS_LABELS = {"pending": "待投递", "delivered": "已送达", "dead": "失败"}


def by(staff: Workbench) -> str:
    return f"user {staff.principal.user_id} ({staff.principal.name}) on the admin page"


def _text(form: FormData, name: str, limit: int = 2000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _types(form: FormData) -> list[str]:
    return [v for v in form.getlist("event_types") if isinstance(v, str)][:20]


def _errors(exc: ValidationError) -> FieldErrors:
    # One message per field: an event type's own position folds into the checkboxes.
    errors = FieldErrors()
    for name, message in FieldErrors.of_validation(exc).items():
        errors.add(name.split(".")[0], message)
    return errors


@router.get("/staff/admin/webhooks", response_class=HTMLResponse)
def webhooks(request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin) -> Response:
    rows = service.list_subscriptions(session, staff.principal)
    deleted = request.query_params.get("deleted", "")
    context = {
        "rows": rows,
        "labels": EVENT_LABELS,
        "platform": staff.principal.organ_id is None,
        "deleted": deleted if deleted.startswith("whs_") else None,
    }
    return staff_page(request, rt, staff, "staff/admin_webhooks.html", context)


def _new_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    session: ReadSession | WriteSession,
    values: dict[str, Any],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    platform = staff.principal.organ_id is None
    organ_options = [(o.code, o.name) for o in organs.list_organs(session)] if platform else []
    context = {
        "values": values,
        "errors": errors,
        "event_options": EVENT_OPTIONS,
        "organ_options": organ_options,
        "platform": platform,
    }
    return staff_page(
        request, rt, staff, "staff/admin_webhook_new.html", context, status_code=status_code
    )


@router.get("/staff/admin/webhooks/new", response_class=HTMLResponse)
def new_form(request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin) -> Response:
    values = {"url": "", "event_types": [], "description": "", "organ_code": ""}
    return _new_page(request, rt, staff, session, values)


@router.post("/staff/admin/webhooks/new", response_class=HTMLResponse)
async def create(request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin) -> Response:
    form = await read_form(request, rt)
    return await run_in_threadpool(_create, request, rt, session, staff, form)


def _create(
    request: Request, rt: Runtime, session: WriteSession, staff: Workbench, form: FormData
) -> Response:
    values: dict[str, Any] = {
        "url": _text(form, "url"),
        "event_types": _types(form),
        "description": _text(form, "description", 300),
        "organ_code": _text(form, "organ_code", 64),
    }
    try:
        data = WebhookCreate.model_validate(
            {
                "url": values["url"],
                "event_types": values["event_types"],
                "description": values["description"] or None,
                "organ_code": values["organ_code"] or None,
            }
        )
        made = service.create_subscription(
            session, staff.principal, data, key=rt.token_key, now=rt.clock(), by=by(staff)
        )
    except ValidationError as exc:
        return _new_page(request, rt, staff, session, values, _errors(exc), 422)
    except DomainError as exc:
        errors = FieldErrors.of_domain(exc, fallback="url")
        return _new_page(request, rt, staff, session, values, errors, exc.status)
    # The secret is shown on this answer only (never stored in the clear, never in a URL).
    return _detail(request, rt, staff, session, made.id, secret=made.secret, status_code=201)


def _detail(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    session: ReadSession | WriteSession,
    uid: str,
    *,
    secret: str | None = None,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    sub, code = service.get_subscription(session, staff.principal, uid)
    hook = service.read(sub, code)
    done = request.query_params.get("done", "") if request.method == "GET" else ""
    context = {
        "hook": hook,
        "secret": secret,
        "values": values
        or {"url": hook.url, "event_types": hook.event_types, "description": hook.description},
        "errors": errors,
        "event_options": EVENT_OPTIONS,
        "labels": EVENT_LABELS,
        "status_labels": STATUS_LABELS,
        "deliveries": delivery_log.deliveries_to(session, service.CHANNEL, uid, limit=50),
        "done": {"saved": "已保存。", "off": "已停用。", "on": "已启用。"}.get(done),
    }
    return staff_page(
        request, rt, staff, "staff/admin_webhook.html", context, status_code=status_code
    )


@router.get("/staff/admin/webhooks/{webhook_id}", response_class=HTMLResponse)
def detail(
    webhook_id: WebhookId, request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin
) -> Response:
    return _detail(request, rt, staff, session, webhook_id)


@router.post("/staff/admin/webhooks/{webhook_id}", response_class=HTMLResponse)
async def save(
    webhook_id: WebhookId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    return await run_in_threadpool(_save, request, rt, session, staff, webhook_id, form)


def _save(
    request: Request,
    rt: Runtime,
    session: WriteSession,
    staff: Workbench,
    uid: str,
    form: FormData,
) -> Response:
    values: dict[str, Any] = {
        "url": _text(form, "url"),
        "event_types": _types(form),
        "description": _text(form, "description", 300),
    }
    try:
        data = WebhookUpdate.model_validate(
            {**values, "description": values["description"] or None}
        )
        service.update_subscription(
            session, staff.principal, uid, data, now=rt.clock(), by=by(staff)
        )
    except ValidationError as exc:
        return _detail(request, rt, staff, session, uid, values=values, errors=_errors(exc),
                       status_code=422)  # fmt: skip
    return RedirectResponse(f"/staff/admin/webhooks/{uid}?done=saved", status_code=303)


@router.post("/staff/admin/webhooks/{webhook_id}/active", response_class=HTMLResponse)
async def switch(
    webhook_id: WebhookId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    on = form.get("active") == "true"
    data = WebhookUpdate(active=on)
    await run_in_threadpool(
        service.update_subscription,
        session,
        staff.principal,
        webhook_id,
        data,
        now=rt.clock(),
        by=by(staff),
    )
    done = "on" if on else "off"
    return RedirectResponse(f"/staff/admin/webhooks/{webhook_id}?done={done}", status_code=303)


@router.post("/staff/admin/webhooks/{webhook_id}/rotate", response_class=HTMLResponse)
async def rotate(
    webhook_id: WebhookId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    await read_form(request, rt)
    rotated = await run_in_threadpool(
        service.rotate_secret,
        session,
        staff.principal,
        webhook_id,
        key=rt.token_key,
        now=rt.clock(),
        by=by(staff),
    )
    return _detail(request, rt, staff, session, webhook_id, secret=rotated.secret)


@router.post("/staff/admin/webhooks/{webhook_id}/delete", response_class=HTMLResponse)
async def delete(
    webhook_id: WebhookId, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    await read_form(request, rt)
    await run_in_threadpool(
        service.delete_subscription,
        session,
        staff.principal,
        webhook_id,
        now=rt.clock(),
        by=by(staff),
    )
    return RedirectResponse(f"/staff/admin/webhooks?deleted={webhook_id}", status_code=303)

"""Record service quickly by letter number (/staff/service): the front desk types the 文书编号
from a returned 送达回证, sees the case and the addressee, and records how and when it was
served — the workflow's `record_service` action through app.cases.service.act, with the case
version, exactly as POST /api/v1/cases/{id}/actions/record_service does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.auth.dependencies import check_roles
from app.cases import service as cases
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import Conflict, InvalidInput, NotFound
from app.letters import repository as letters_repo
from app.letters.kinds import kind_info
from app.letters.service import issued_context
from app.models import Case, Letter
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form, text_pairs
from app.web.staff import nav
from app.web.staff.session import SignedIn, Workbench, staff_page
from app.workflow.definition import ActionDef
from app.workflow.records import SERVED_KINDS

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

PATH = "/staff/service"
ACTION = "record_service"
NUMBER = "number"
VERSION = "version"
MAX_NUMBER = 120  # Letter.number's length
# The returned 送达回证's fields, in the order the form asks for them (the action's payload).
FIELDS = (
    "method",
    "served_on",
    "signature",
    "tracking_number",
    "posted_on",
    "refusal_reason",
    "witness",
    "delivered_at",
    "evidence",
)
METHOD_LABELS = {
    "in_person": "直接送达（当面签收）",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "entrusted": "委托送达",
}


def _action(rt: Runtime, case_type: str) -> ActionDef | None:
    wf = rt.workflows.get(case_type)
    return wf.action(ACTION) if wf is not None and ACTION in wf.actions else None


def recorder_roles(rt: Runtime) -> tuple[str, ...]:
    """The roles that may record service in some workflow (the YAML's roles)."""
    roles = {
        r for wf in rt.workflows.values() if ACTION in wf.actions for r in wf.action(ACTION).roles
    }
    return tuple(sorted(roles))


def recorder(staff: SignedIn, rt: RuntimeDep) -> Workbench:
    """Staff whose roles may record service in some workflow."""
    check_roles(staff.principal, recorder_roles(rt))
    return staff


nav.link("/staff/service", "登记送达", 60, recorder_roles)


Recorder = Annotated[Workbench, Depends(recorder)]


@dataclass(frozen=True)
class Found:
    """The letter typed in, its case, and whether its service can be recorded here now."""

    letter: Letter
    case: Case
    title: str
    addressee: str
    address: str | None
    state_label: str
    action: ActionDef | None  # None: not the letter whose service record_service records
    blocked: str | None  # why the form is not offered, in words


def find(session: Session, rt: Runtime, staff: Workbench, number: str) -> Found | None:
    """The organ's issued letter with this number (None if there is none the user may see)."""
    principal = staff.principal
    if principal.organ_id is None:
        return None
    letter = letters_repo.issued_by_number(session, principal.organ_id, number)
    if letter is None:
        return None
    try:
        case = cases.load_case(session, principal, letter.case_id)
    except NotFound:
        return None
    wf = rt.workflow_for(case)
    action = _action(rt, case.case_type)
    served = letters_repo.latest_issued(session, case.id, SERVED_KINDS)
    blocked = None
    if action is None or served is None or served.id != letter.id:
        blocked = "这件文书的送达不在此登记（此处登记答复类文书的送达回证）；请在案件页面办理。"
    elif case.state not in action.from_states:
        blocked = f"案件处于“{wf.label(case.state)}”，不能{action.label}。"
    ctx = issued_context(letter)
    return Found(
        letter=letter,
        case=case,
        title=kind_info(letter.kind).title,
        addressee=ctx.addressee.name,
        address=ctx.addressee.address,
        state_label=wf.label(case.state),
        action=None if blocked else action,
        blocked=blocked,
    )


def _page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    number: str,
    found: Found | None,
    values: dict[str, str],
    errors: FieldErrors,
    *,
    recorded: bool = False,
    status_code: int = 200,
) -> Response:
    labels = {f.name: f.label for f in found.action.payload} if found and found.action else {}
    context = {
        "number": number,
        "found": found,
        "values": values,
        "errors": errors,
        "recorded": recorded,
        "labels": labels,
        "methods": list(METHOD_LABELS.items()),
    }
    return staff_page(
        request, rt, staff, "staff/desk_service.html", context, status_code=status_code
    )


def _unknown(number: str) -> str:
    return f"本机关没有文书编号为“{number}”的已出具文书，请核对送达回证上的编号"


@router.get(PATH, response_class=HTMLResponse)
def service_page(
    request: Request, rt: RuntimeDep, session: ReadSession, staff: Recorder
) -> Response:
    number = request.query_params.get(NUMBER, "").strip()[: MAX_NUMBER + 1]
    recorded = request.query_params.get("recorded") == "1"
    errors = FieldErrors()
    found = None
    if number:
        found = find(session, rt, staff, number) if len(number) <= MAX_NUMBER else None
        if found is None:
            errors.add(NUMBER, _unknown(number))
    status = 404 if number and found is None else 200
    values = {"method": "post"} if found and found.case.delivery_method == "post" else {}
    return _page(
        request, rt, staff, number, found, values, errors, recorded=recorded, status_code=status
    )


def _payload(rt: Runtime, values: dict[str, str]) -> dict[str, Any]:
    """The action's payload from the form: blanks left out; a local date-time gets the
    service's time zone (the page's datetime-local field carries none)."""
    payload: dict[str, Any] = {k: v for k, v in values.items() if v}
    at = payload.get("delivered_at")
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            pass  # the action's own check says what is wrong with it
        else:
            if moment.tzinfo is None:
                payload["delivered_at"] = moment.replace(tzinfo=rt.tz).isoformat()
    return payload


@router.post(PATH, response_class=HTMLResponse)
async def record_service(
    request: Request, rt: RuntimeDep, session: WriteSession, staff: Recorder
) -> Response:
    posted = await read_form(request, rt)
    first: dict[str, str] = {}
    for name, value in text_pairs(posted):
        first.setdefault(name, value[:2000])
    number = first.get(NUMBER, "").strip()[:MAX_NUMBER]
    values = {k: first.get(k, "").strip() for k in FIELDS}
    return await run_in_threadpool(_record, request, rt, session, staff, number, first, values)


def _record(
    request: Request,
    rt: Runtime,
    session: Session,
    staff: Workbench,
    number: str,
    first: dict[str, str],
    values: dict[str, str],
) -> Response:
    errors = FieldErrors()
    found = find(session, rt, staff, number) if number else None
    if found is None:
        errors.add(NUMBER, _unknown(number) if number else "请填写文书编号")
        return _page(request, rt, staff, number, None, values, errors, status_code=422)
    if found.action is None:
        errors.add("", found.blocked or "不能登记")
        return _page(request, rt, staff, number, found, values, errors, status_code=409)
    version_text = first.get(VERSION, "")
    version = int(version_text) if version_text.isdigit() and len(version_text) < 10 else None
    try:
        cases.act(
            session, rt, staff.principal, found.case.id, ACTION, _payload(rt, values), version
        )
        session.commit()
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        errors = FieldErrors.of_domain(exc)
        if isinstance(exc, Conflict):
            # Someone acted in between: show the case as it is now.
            found = find(session, rt, staff, number) or found
        return _page(request, rt, staff, number, found, values, errors, status_code=exc.status)
    target = PATH + "?" + urlencode({NUMBER: number, "recorded": "1"})
    return RedirectResponse(target, status_code=303)

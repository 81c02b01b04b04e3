"""Record service quickly by letter number (/staff/service): the front desk types the 文书编号
from a returned 送达回证, sees the case and the addressee, and records how and when it arrived.

Which action records the arrival of which letter kind is the workflow's `records_service_of`
(the reply's service, the correction notice's, a consultation letter's, the fee notice's); the
form is that action's payload declaration, and the action is taken through
app.cases.service.act with the case version, exactly as the JSON route takes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.auth.dependencies import check_roles
from app.cases import service as cases
from app.consultations import repository as consultations_repo
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import Conflict, InvalidInput, NotFound
from app.letters import repository as letters_repo
from app.letters.kinds import kind_info
from app.letters.service import issued_context
from app.models import Case, Letter
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form, text_pairs
from app.web.staff import nav
from app.web.staff.action_fields import FormField, form_fields
from app.web.staff.session import SignedIn, Workbench, staff_page
from app.web.templating import cn_date
from app.workflow.definition import ActionDef, WorkflowDef
from app.workflow.payload import PayloadErrors, form_payload
from app.workflow.write import VersionConflict

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

PATH = "/staff/service"
NUMBER = "number"
VERSION = "version"
MAX_NUMBER = 120  # Letter.number's length
MAX_VALUE = 4000  # a payload text's length (app.workflow.payload.MAX_TEXT)
# The payload field naming the consultation a letter started: the page fills it in.
CONSULTATION = "consultation_id"


def recorder_roles(rt: Runtime) -> tuple[str, ...]:
    """The roles that may record the service of some letter (the YAML's roles)."""
    roles = {
        r
        for wf in rt.workflows.values()
        for action in wf.actions.values()
        if action.records_service_of
        for r in action.roles
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
    action: ActionDef | None  # None: the form is not offered (see blocked)
    blocked: str | None  # why the form is not offered, in words
    # Payload values the letter itself settles (the consultation it started), not asked for.
    fixed: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> list[FormField]:
        if self.action is None:
            return []
        return form_fields(self.action, leave_out=frozenset(self.fixed))


def _consultation(session: Session, case: Case, letter: Letter) -> tuple[str | None, str | None]:
    """The code of the consultation the letter started, or why its receipt cannot be recorded."""
    for row in consultations_repo.consultations_of_case(session, case.id):
        if row.letter_id == letter.id:
            if row.party_received_on is not None:
                on = cn_date(row.party_received_on)
                return None, f"已登记{row.party}于{on}收到这件函件（征求意见 {row.code}）。"
            return row.code, None
    return None, "找不到这件函件对应的征求意见，请在案件页面办理。"


def _blocked(
    session: Session, wf: WorkflowDef, staff: Workbench, case: Case, letter: Letter
) -> tuple[ActionDef | None, str | None, dict[str, str]]:
    """The action recording this letter's service, or why it cannot be taken for it now."""
    title = kind_info(letter.kind).title
    action = wf.service_action(letter.kind)
    if action is None:
        return None, f"《{title}》的送达不作登记：办理流程中没有登记这类文书送达的操作。", {}
    if not staff.principal.has_any(*action.roles):
        return None, f"您的角色不能{action.label}。", {}
    if case.state not in action.from_states:
        return None, f"案件处于“{wf.label(case.state)}”，不能{action.label}。", {}
    if any(f.name == CONSULTATION for f in action.payload):
        code, why = _consultation(session, case, letter)
        return (None, why, {}) if code is None else (action, None, {CONSULTATION: code})
    latest = letters_repo.latest_issued(session, case.id, action.records_service_of)
    if latest is not None and latest.id != letter.id:
        return (
            None,
            f"本案此后又出具了《{kind_info(latest.kind).title}》（{latest.number}），请按该文书登记送达。",
            {},
        )
    return action, None, {}


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
    action, blocked, fixed = _blocked(session, wf, staff, case, letter)
    ctx = issued_context(letter)
    return Found(
        letter=letter,
        case=case,
        title=kind_info(letter.kind).title,
        addressee=ctx.addressee.name,
        address=ctx.addressee.address,
        state_label=wf.label(case.state),
        action=action,
        blocked=blocked,
        fixed=fixed,
    )


def _defaults(found: Found | None) -> dict[str, str]:
    """What the form starts with: a posted reply is served by post."""
    if found is None or found.action is None:
        return {}
    method = next((f for f in found.action.payload if f.name == "method"), None)
    posted = found.case.delivery_method == "post" and kind_info(found.letter.kind).to_applicant
    return {"method": "post"} if method and "post" in method.choices and posted else {}


def _page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    number: str,
    found: Found | None,
    values: dict[str, str],
    errors: FieldErrors,
    *,
    recorded: str | None = None,
    conflict: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "conflict": conflict,
        "number": number,
        "found": found,
        "fields": found.fields if found else [],
        "values": values,
        "errors": errors,
        "recorded": recorded,
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
    done = request.query_params.get("recorded", "")
    errors = FieldErrors()
    found = None
    recorded = None
    if number:
        found = find(session, rt, staff, number) if len(number) <= MAX_NUMBER else None
        if found is None:
            errors.add(NUMBER, _unknown(number))
        elif done in rt.workflow_for(found.case).actions:
            recorded = rt.workflow_for(found.case).action(done).label
    status = 404 if number and found is None else 200
    return _page(
        request,
        rt,
        staff,
        number,
        found,
        _defaults(found),
        errors,
        recorded=recorded,
        status_code=status,
    )


@router.post(PATH, response_class=HTMLResponse)
async def record_service(
    request: Request, rt: RuntimeDep, session: WriteSession, staff: Recorder
) -> Response:
    posted = await read_form(request, rt)
    first: dict[str, str] = {}
    for name, value in text_pairs(posted):
        first.setdefault(name, value[: MAX_VALUE + 1])
    return await run_in_threadpool(_record, request, rt, session, staff, first)


def _record(
    request: Request, rt: Runtime, session: Session, staff: Workbench, first: dict[str, str]
) -> Response:
    number = first.get(NUMBER, "").strip()[:MAX_NUMBER]
    errors = FieldErrors()
    found = find(session, rt, staff, number) if number else None
    if found is None:
        errors.add(NUMBER, _unknown(number) if number else "请填写文书编号")
        return _page(request, rt, staff, number, None, {}, errors, status_code=422)
    if found.action is None:
        errors.add("", found.blocked or "不能登记")
        return _page(request, rt, staff, number, found, {}, errors, status_code=409)
    action = found.action
    values = {f.name: first.get(f.name, "").strip() for f in found.fields}
    version_text = first.get(VERSION, "")
    version = int(version_text) if version_text.isdigit() and len(version_text) < 10 else None
    try:
        form = {k: [v] for k, v in {**values, **found.fixed}.items()}
        typed = form_payload(action, form, rt.tz)
    except PayloadErrors as exc:
        errors = FieldErrors.of_domain(InvalidInput.many(exc.errors))
        return _page(request, rt, staff, number, found, values, errors, status_code=422)
    try:
        cases.act(session, rt, staff.principal, found.case.id, action.code, typed, version)
        session.commit()
    except VersionConflict as exc:
        session.rollback()
        # Someone acted in between: say who, and show the case as it is now.
        latest = cases.case_events(session, staff.principal, found.case.id)[-1]
        found = find(session, rt, staff, number) or found
        labels = {c: a.label for c, a in rt.workflow_for(found.case).actions.items()}
        conflict = {"event": latest, "action_label": labels.get(latest.action, latest.action)}
        return _page(
            request,
            rt,
            staff,
            number,
            found,
            values,
            FieldErrors(),
            conflict=conflict,
            status_code=exc.status,
        )
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        errors = FieldErrors.of_domain(exc)
        return _page(request, rt, staff, number, found, values, errors, status_code=exc.status)
    target = PATH + "?" + urlencode({NUMBER: number, "recorded": action.code})
    return RedirectResponse(target, status_code=303)

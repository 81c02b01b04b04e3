"""Assistance requests (协办): rules for asking a department, answering and withdrawing.

The case's assignee (or an approver or supervisor of its organ) asks a department — of the
organ or of another organ on the platform — to search for or supply records, giving an
internal date as working days from today on the official calendar; the date must fall inside
the reply period, so a closed case, one not yet received or one whose reply clock is not
running cannot be asked about. The department's members see the request in their inbox (the
case number, the items asked about, the request's text and date: no personal data of the
applicant) and answer it — found, not held or partly, with files checked and stored as
intake's are. Each request, answer and withdrawal is an event on the case's timeline through
the one write path (`record_beside`), which moves neither the case's version nor its clock;
requests and answers notify the people concerned through the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.assignment import repository as departments
from app.assistance import repository
from app.assistance.presenters import present
from app.assistance.schemas import (
    AssistanceAnswer,
    AssistanceCreate,
    AssistanceRead,
)
from app.auth.principal import Actor, Principal
from app.auth.roles import Role
from app.cases import repository as cases_repo
from app.cases.service import load_case
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.intake.uploads import Upload, check_configured
from app.models import AssistanceFile, AssistanceRequest, Case
from app.outbox import events as ev
from app.outbox.service import CaseRef, assistance_messages
from app.runtime import Runtime
from app.workflow.write import VersionConflict, record_beside

REQUEST = "request_assistance"
ANSWER = "answer_assistance"
WITHDRAW = "withdraw_assistance"
OPEN, ANSWERED, WITHDRAWN = "open", "answered", "withdrawn"
# Besides the case's assignee, who may ask and withdraw: the office's head and the supervisor.
OVERSEERS = frozenset({Role.approver, Role.supervisor})


class AssistanceNotFound(NotFound):
    """Answers like any unknown id (the id-range test compares code and title)."""


class AssistanceCaseClosed(InvalidInput):
    code = "assistance-case-closed"
    title = "案件已办结，不能请求协办 / The case is closed: no assistance can be asked"


class AssistanceNotReceived(InvalidInput):
    code = "assistance-case-not-received"
    title = "案件尚未确认收到申请，不能请求协办 / The case's receipt is not confirmed yet"


class AssistanceNoReplyDue(InvalidInput):
    code = "assistance-no-reply-due"
    title = "答复期限未在计算中，不能请求协办 / The reply clock is not running"


class AssistanceAfterReplyDue(InvalidInput):
    code = "assistance-after-reply-due"
    title = "协办期限晚于答复期限 / The internal date falls after the reply due date"


class AssistanceNotOpen(Conflict):
    code = "assistance-not-open"
    title = "协办请求已答复或已撤回 / The request is answered or withdrawn"


class AssistanceCaseFinished(Conflict):
    code = "assistance-case-finished"
    title = "案件已办结，协办请求不再答复 / The case is closed: the request is no longer answered"


class NotTheRequester(Forbidden):
    code = "not-the-requester"
    title = "无权操作 / Forbidden"


class NotInDepartment(Forbidden):
    code = "not-in-department"
    title = "无权操作 / Forbidden"


def _today(rt: Runtime) -> date:
    return rt.clock().astimezone(rt.tz).date()


def _ref(case: Case) -> CaseRef:
    return CaseRef(case.id, case.organ_id, case.number, case.case_type, case.state)


def _not_found(request_id: int) -> AssistanceNotFound:
    return AssistanceNotFound(f"没有协办请求 {request_id} / no assistance request {request_id}")


# --- reading -------------------------------------------------------------------------------


def case_requests(
    session: Session, rt: Runtime, principal: Principal, case_id: int
) -> list[AssistanceRead]:
    """The case's requests, oldest first (the case's organ's staff)."""
    case = load_case(session, principal, case_id)
    return present(session, _today(rt), repository.of_case(session, case.id))


def inbox(
    session: Session, rt: Runtime, principal: Principal, *, statuses: Sequence[str] = (OPEN,)
) -> list[AssistanceRead]:
    """Requests addressed to the departments the caller belongs to, whichever organ asked."""
    mine = departments.departments_of_user(session, principal.user_id)
    return present(session, _today(rt), repository.addressed_to(session, mine, statuses))


def addressed(
    session: Session, rt: Runtime, principal: Principal, request_id: int
) -> AssistanceRead:
    """One request as the department asked sees it (its members only; others: not found)."""
    req = repository.request(session, request_id)
    if req is None or not repository.is_member(session, req.department_id, principal.user_id):
        raise _not_found(request_id)
    return present(session, _today(rt), [req])[0]


@dataclass(frozen=True)
class DepartmentChoice:
    organ_name: str
    departments: list[tuple[int, str]]


def department_choices(session: Session) -> list[DepartmentChoice]:
    """The departments in use on the platform, grouped by organ (the request form's select)."""
    groups: dict[str, DepartmentChoice] = {}
    for dept_id, name, _code, organ_name in repository.platform_departments(session):
        groups.setdefault(organ_name, DepartmentChoice(organ_name, [])).departments.append(
            (dept_id, name)
        )
    return list(groups.values())


def file_for(
    session: Session, principal: Principal, request_id: int, file_id: int
) -> AssistanceFile:
    """An answer's file, for the answering department's members and the case's organ staff."""
    req = repository.request(session, request_id)
    if req is None:
        raise _not_found(request_id)
    if not repository.is_member(session, req.department_id, principal.user_id):
        load_case(session, principal, req.case_id)  # 404 unless the caller sees the case
    found = repository.file(session, req.id, file_id)
    if found is None:
        raise AssistanceNotFound(f"没有附件 {file_id} / no file {file_id}")
    return found


# --- writing -------------------------------------------------------------------------------


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and version != case.version:
        raise VersionConflict(
            f"案件版本为 {case.version}，请求基于 {version} / the case is at version "
            f"{case.version}, the request was based on {version}",
            case_id=case.id,
            version=case.version,
        )


def due_date(rt: Runtime, case: Case, working_days: int) -> date:
    """The internal date: working days from today, refused past the reply due date."""
    field = ("body", "due_in_working_days")
    if rt.workflow_for(case).states[case.state].final:
        raise AssistanceCaseClosed(field, "案件已办结 / the case is closed")
    if case.receipt_date is None:
        raise AssistanceNotReceived(
            field, "尚未确认收到申请之日，答复期限未起算 / receipt not confirmed: no reply period"
        )
    if case.reply_due is None:
        raise AssistanceNoReplyDue(
            field,
            "答复期限未在计算中（如等待补正）/ the reply clock is not running (e.g. "
            "awaiting a correction)",
        )
    today = _today(rt)
    due = rt.calendar.add_working_days(today, working_days)
    if due > case.reply_due:
        room = rt.calendar.count_working_days(today, case.reply_due)
        raise AssistanceAfterReplyDue(
            field,
            f"{working_days} 个工作日后为 {due.isoformat()}，晚于答复期限 "
            f"{case.reply_due.isoformat()}；最多可给 {room} 个工作日 / {due.isoformat()} is "
            f"after the reply due date {case.reply_due.isoformat()}: at most {room} working days",
            due_on=due.isoformat(),
            reply_due=case.reply_due.isoformat(),
            max_working_days=room,
        )
    return due


def ask(
    session: Session, rt: Runtime, principal: Principal, case_id: int, data: AssistanceCreate
) -> AssistanceRead:
    """请求协办: the case's assignee (or an approver or supervisor) asks a department."""
    case = load_case(session, principal, case_id, for_update=True)
    _check_version(case, data.version)
    if case.assignee_id != principal.user_id and not principal.roles & OVERSEERS:
        raise NotTheRequester(
            "只有本案承办人、负责人或督办可以请求协办 / only the case's assignee, an approver "
            "or a supervisor asks for assistance"
        )
    due = due_date(rt, case, data.due_in_working_days)
    found = repository.department_with_organ(session, data.department_id)
    if found is None or not found[0].active:
        raise InvalidInput(
            ("body", "department_id"),
            f"平台上没有在用的科室 {data.department_id} / no such department in use",
        )
    dept, organ = found
    now = rt.clock()
    req = AssistanceRequest(
        case_id=case.id,
        organ_id=case.organ_id,
        department_id=dept.id,
        requested_by_id=principal.user_id,
        text=data.text,
        working_days=data.due_in_working_days,
        due_on=due,
        status=OPEN,
        created_at=now,
    )
    session.add(req)
    session.flush()
    record_beside(
        session,
        rt,
        case,
        Actor.of(principal),
        REQUEST,
        {
            "request_id": req.id,
            "department": {"id": dept.id, "name": dept.name, "organ_code": organ.code},
            "text": data.text,
            "working_days": data.due_in_working_days,
            "due_on": due.isoformat(),
        },
        messages=assistance_messages(
            _ref(case),
            kind=ev.ASSISTANCE_REQUESTED,
            request_id=req.id,
            department_id=dept.id,
            due_on=due.isoformat(),
            requested_by_id=principal.user_id,
        ),
        now=now,
    )
    return present(session, _today(rt), [req])[0]


def _case_of(session: Session, req: AssistanceRequest) -> Case:
    case = cases_repo.case_by_id(session, req.case_id, for_update=True)
    assert case is not None  # the request's foreign key; cases are never deleted
    return case


def answer(
    session: Session,
    rt: Runtime,
    principal: Principal,
    request_id: int,
    data: AssistanceAnswer,
    uploads: list[Upload],
) -> AssistanceRead:
    """答复协办: a member of the department answers, with files."""
    req = repository.request(session, request_id, for_update=True)
    if req is None:
        raise _not_found(request_id)
    if not repository.is_member(session, req.department_id, principal.user_id):
        if principal.organ_id != req.organ_id:
            raise _not_found(request_id)
        raise NotInDepartment(
            "只有被请求科室的人员可以答复 / only members of the department asked answer"
        )
    if req.status != OPEN:
        raise AssistanceNotOpen(
            f"该协办请求的状态为 {req.status} / the request is {req.status}",
            request_status=req.status,
        )
    case = _case_of(session, req)
    if rt.workflow_for(case).states[case.state].final:
        # Nothing is added to a closed case's file; whoever asked may still withdraw it.
        raise AssistanceCaseFinished(
            f"案件 {case.number} 已办结 / case {case.number} is closed", case_state=case.state
        )
    checked = check_configured(uploads, rt.settings)
    now = rt.clock()
    req.status = ANSWERED
    req.answer = data.outcome
    req.answer_text = data.text
    req.answered_by_id = principal.user_id
    req.answered_at = now
    stored = [(u, rt.store.put(u.data)) for u in checked]
    repository.add_files(
        session,
        [
            {
                "request_id": req.id,
                "filename": u.filename,
                "content_type": u.content_type,
                "size": len(u.data),
                "sha256": sha,
                "created_at": now,
            }
            for u, sha in stored
        ],
    )
    session.flush()
    named = repository.departments_named(session, [req.department_id])
    dept_name, organ_code, organ_name = named.get(req.department_id, ("", "", ""))
    record_beside(
        session,
        rt,
        case,
        Actor(
            kind="user",
            label=f"{principal.name}（{organ_name}{dept_name}）",
            user_id=principal.user_id,
        ),
        ANSWER,
        {
            "request_id": req.id,
            "department": {"id": req.department_id, "name": dept_name, "organ_code": organ_code},
            "outcome": data.outcome,
            **({"text": data.text} if data.text else {}),
            "files": [{"filename": u.filename, "sha256": sha} for u, sha in stored],
        },
        messages=assistance_messages(
            _ref(case),
            kind=ev.ASSISTANCE_ANSWERED,
            request_id=req.id,
            department_id=req.department_id,
            outcome=data.outcome,
            requested_by_id=req.requested_by_id,
        ),
        now=now,
    )
    return present(session, _today(rt), [req])[0]


def withdraw(
    session: Session, rt: Runtime, principal: Principal, request_id: int
) -> AssistanceRead:
    """撤回: whoever asked (or an approver or supervisor of the organ) withdraws an open request."""
    req = repository.request(session, request_id, for_update=True)
    if req is None or principal.organ_id != req.organ_id:
        raise _not_found(request_id)
    case = load_case(session, principal, req.case_id, for_update=True)
    if req.requested_by_id != principal.user_id and not principal.roles & OVERSEERS:
        raise NotTheRequester(
            "只有请求人、负责人或督办可以撤回 / only whoever asked, an approver or a supervisor "
            "withdraws"
        )
    if req.status != OPEN:
        raise AssistanceNotOpen(
            f"该协办请求的状态为 {req.status} / the request is {req.status}",
            request_status=req.status,
        )
    now = rt.clock()
    req.status = WITHDRAWN
    req.withdrawn_by_id = principal.user_id
    req.withdrawn_at = now
    session.flush()
    record_beside(session, rt, case, Actor.of(principal), WITHDRAW, {"request_id": req.id}, now=now)
    return present(session, _today(rt), [req])[0]

"""The approver's pages: what awaits sign-off (/staff/approvals) and the annual report's year
locks (/staff/approvals/reports).

What awaits the approver is found from the workflows, not from state names: the states, among
those whose reply clock is counting, that some action open to the approver leaves (`roles`
and `from_states`: signing off a reply, extending the time limit, settling the reasons asked
for ...). The cases are the JSON list's for those states (the same service call), each with the
approver's actions linked to the case's action forms.

The year locks go through the annual report's services (`lock_year`, `annual_report`), as
`POST /api/v1/reports/annual/{year}/lock` and `GET /api/v1/reports/annual/{year}` do; the
form's handling is app.web.staff.report_lock's, shared with the report page (/staff/reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.cases import service as cases
from app.cases.schemas import CaseSummary
from app.cases.views import open_states
from app.db import CommittingRoute, ReadSession, WriteSession
from app.reports import service as reports
from app.reports.lock import locks_of
from app.reports.schemas import LockRead
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, read_form
from app.web.staff import nav
from app.web.staff.queues import ActionLink, action_links
from app.web.staff.report_lock import publish
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

ROLES = (Role.approver,)
Approver = Annotated[Workbench, Depends(page_roles(*ROLES))]
nav.link("/staff/approvals", "待审批", 20, ROLES)
QUEUE_SIZE = 200  # the list's largest page
YEARS_SHOWN = 5


def approver_states(rt: Runtime) -> tuple[str, ...]:
    """States with a counting reply clock that an action open to the approver leaves."""
    counting = set(open_states(*rt.workflows.values()))
    found: dict[str, None] = {}
    for wf in rt.workflows.values():
        for action in wf.actions.values():
            if not set(ROLES).isdisjoint(action.roles):
                found.update({s: None for s in action.from_states if s in counting})
    return tuple(found)


@dataclass(frozen=True)
class Awaiting:
    row: CaseSummary
    actions: list[ActionLink]


@router.get("/staff/approvals", response_class=HTMLResponse)
def approvals(request: Request, rt: RuntimeDep, session: ReadSession, staff: Approver) -> Response:
    states = approver_states(rt)
    query = cases.ListQuery(states=states, open_only=True, page_size=QUEUE_SIZE)
    listing = cases.list_cases(session, rt, staff.principal, query)
    rows = [Awaiting(row, action_links(rt, row, ROLES)) for row in listing.items]
    context = {"rows": rows, "total": listing.total, "shown": len(rows)}
    return staff_page(request, rt, staff, "staff/approvals.html", context)


@dataclass(frozen=True)
class YearRow:
    year: int
    lock: LockRead | None
    lockable: bool


def _years(session: Session, rt: Runtime, staff: Workbench) -> list[YearRow]:
    """The last few years and every published one, newest first, with their locks."""
    current = reports.today(rt).year
    sc = reports.scope(session, staff.principal, None, False)
    locked = {lock.year for lock in locks_of(session, sc.organ.id)}
    recent = {y for y in range(current - YEARS_SHOWN, current + 1) if y >= reports.FIRST_YEAR}
    rows = []
    for year in sorted(recent | locked, reverse=True):
        lock = None
        if year in locked:
            lock = reports.annual_report(session, rt, staff.principal, year, None).lock
        rows.append(YearRow(year, lock, lock is None and year < current))
    return rows


def _reports_page(
    request: Request,
    rt: Runtime,
    session: Session,
    staff: Workbench,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    done = request.query_params.get("locked", "")
    context = {
        "years": _years(session, rt, staff),
        "errors": errors,
        "locked": int(done) if done.isdigit() and len(done) == 4 else None,
    }
    return staff_page(
        request, rt, staff, "staff/approvals_reports.html", context, status_code=status_code
    )


@router.get("/staff/approvals/reports", response_class=HTMLResponse)
def report_locks(
    request: Request, rt: RuntimeDep, session: ReadSession, staff: Approver
) -> Response:
    return _reports_page(request, rt, session, staff)


@router.post("/staff/approvals/reports/{year}/lock")
async def lock_year(
    year: Annotated[int, Path(ge=1900, le=9999)],
    request: Request,
    rt: RuntimeDep,
    session: WriteSession,
    staff: Approver,
) -> Response:
    form = await read_form(request, rt)
    refused = publish(session, rt, staff.principal, year, None, form)
    if refused is not None:
        return _reports_page(request, rt, session, staff, refused.errors, refused.status)
    return RedirectResponse(f"/staff/approvals/reports?locked={year}", status_code=303)

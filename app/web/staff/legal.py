"""The legal office's queue (/staff/legal): what awaits its opinion or its review.

The cases are the JSON list's `queue=legal` (`GET /api/v1/cases?queue=legal`, the same
service call): open legal-office or joint-meeting consultations, and replies under review whose
legal review is pending. Each row says what is awaited and since when (the consultation's
dispatch or meeting day; for a review, when the case entered review, from its timeline), the
reply's due day, and links to the legal office's actions in the case's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.cases import service as cases
from app.cases.schemas import CaseSummary
from app.consultations import service as consultations
from app.db import CommittingRoute, ReadSession
from app.runtime import Runtime, RuntimeDep
from app.web.staff import nav
from app.web.staff.queues import ActionLink, action_links
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

LEGAL_ROLES = (Role.legal,)
Legal = Annotated[Workbench, Depends(page_roles(*LEGAL_ROLES))]
nav.link("/staff/legal", "法制审核与会商", 10, LEGAL_ROLES)
LEGAL_KINDS = ("legal_office", "joint_meeting")
QUEUE_SIZE = 200  # the list's largest page


@dataclass(frozen=True)
class Awaited:
    row: CaseSummary
    what: str
    since: date | None
    actions: list[ActionLink]


def _awaited(session: Session, rt: Runtime, staff: Workbench, row: CaseSummary) -> Awaited:
    today = rt.clock().astimezone(rt.tz).date()
    actions = action_links(rt, row, (Role.legal,))
    for c in consultations.of_case(session, row.id, rt.calendar, today):
        if c.kind in LEGAL_KINDS and c.status == "open":
            return Awaited(
                row, c.kind_label + "：待出具意见", c.meeting_on or c.dispatched_on, actions
            )
    entered = [
        e.occurred_at.astimezone(rt.tz).date()
        for e in cases.case_events(session, staff.principal, row.id)
        if e.to_state == row.state and e.from_state != row.state
    ]
    return Awaited(row, "法制审核：待审核答复", entered[-1] if entered else None, actions)


@router.get("/staff/legal", response_class=HTMLResponse)
def legal_queue(request: Request, rt: RuntimeDep, session: ReadSession, staff: Legal) -> Response:
    query = cases.ListQuery(queue="legal", page_size=QUEUE_SIZE)
    listing = cases.list_cases(session, rt, staff.principal, query)
    rows = [_awaited(session, rt, staff, row) for row in listing.items]
    context = {"rows": rows, "total": listing.total, "shown": len(rows)}
    return staff_page(request, rt, staff, "staff/legal.html", context)

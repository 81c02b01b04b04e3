"""The supervisor's dashboard (/staff/dashboard): the JSON dashboard's figures, each a link to
the worklist filtered by the same case-list query.

The dashboard service builds every figure's `href` as a query of the JSON case list
(`/api/v1/cases?...`); the worklist accepts those parameters, so a figure's link is the same
query on `/staff/` with `scope=all` (the JSON list does not leave out concluded cases, the
worklist does unless told).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.cases.router import READ_ROLES as CASE_READERS
from app.dashboard import service
from app.dashboard.router import READ_ROLES
from app.db import CommittingRoute, ReadSession
from app.notices.service import my_notices
from app.organs.public import organ_groups
from app.runtime import RuntimeDep
from app.web.staff import nav
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Reader = Annotated[Workbench, Depends(page_roles(*READ_ROLES))]
nav.link("/staff/dashboard", "督办看板", 30, READ_ROLES)
API_LIST = "/api/v1/cases"


def worklist_href(api_href: str | None) -> str | None:
    """The worklist URL of a case-list query the dashboard service built (None stays None)."""
    if api_href is None:
        return None
    parts = urlsplit(api_href)
    if parts.path != API_LIST:
        return None
    pairs = [(k, v) for k, v in parse_qsl(parts.query) if k != "scope"]
    return "/staff/?" + urlencode([*pairs, ("scope", "all")])


@router.get("/staff/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, rt: RuntimeDep, session: ReadSession, staff: Reader
) -> Response:
    # An administrator names the organ as on the JSON route; the service refuses otherwise.
    # (an unknown code is the service's 404).
    organ = (request.query_params.get("organ") or "")[:32] or None
    if organ is None and staff.principal.organ_id is None:
        # A platform administrator belongs to no organ: first choose whose dashboard to see.
        choose: dict[str, object] = {"groups": organ_groups(session)}
        return staff_page(request, rt, staff, "staff/dashboard_organs.html", choose)
    board = service.dashboard(session, rt, staff.principal, organ)
    # The figures link to the worklist only for those who may open it (not an administrator).
    linked = staff.principal.has_any(*CASE_READERS)

    def link(api_href: str | None) -> str | None:
        return worklist_href(api_href) if linked else None

    figures = [
        board.open_cases,
        board.overdue,
        board.due_within_3,
        board.due_within_5,
        board.consultation_lapsed,
        board.notice_pending_receipt,
        board.awaiting_service,
        board.replies_this_year,
        board.late_replies_this_year,
    ]
    context = {
        "my_notices": my_notices(session, staff.principal.user_id, unread_only=True),
        "board": board,
        "figures": [(f, link(f.href)) for f in figures],
        "states": [(s, link(s.href)) for s in board.states],
        "staff_rows": [
            (p, link(p.open_cases_href), link(p.overdue_href), link(p.due_within_5_href))
            for p in board.staff
        ],
    }
    return staff_page(request, rt, staff, "staff/dashboard.html", context)

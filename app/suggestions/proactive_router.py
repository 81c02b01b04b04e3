"""Staff API: information several applicants asked for, across the organ (条例第四十四条)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import CommittingRoute, ReadSession
from app.fields import Code
from app.runtime import RuntimeDep
from app.suggestions import proactive_service as service
from app.suggestions.proactive import ART44_MIN_APPLICANTS
from app.suggestions.proactive_schemas import ProactiveReportRead

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/reports", tags=["reports"])

# Who answers applications, signs the answers off or oversees them: those who propose and decide
# what is made public proactively. Not the legal office alone: it sees only the cases it is
# involved in, and the report lists every case of the organ. Administrators name the organ.
Reader = Annotated[
    Principal,
    Depends(require_roles(Role.clerk, Role.approver, Role.supervisor, Role.admin)),
]


@router.get(
    "/proactive-disclosure",
    summary="主动公开建议（条例第四十四条）/ proactive-disclosure suggestions (Art. 44)",
    description=(
        "时间范围内多个不同申请人申请的相同政府信息，按相似度分组，附各组的申请。仅供参考，"
        "不改变任何数据。/ Information several different applicants asked for in the window, "
        "grouped by similarity, with the applications behind each group. Suggestions only; "
        "nothing changes."
    ),
)
def proactive_disclosure(
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
    organ: Annotated[
        Code | None,
        Query(
            description="机关代码：平台管理员必填，工作人员只能为本机关 / organ code: required "
            "of administrators; staff may name only their own organ"
        ),
    ] = None,
    since: Annotated[
        date | None,
        Query(description="收到日期起（含），默认截止日前 365 天 / first day, default until − 365"),
    ] = None,
    until: Annotated[
        date | None, Query(description="收到日期止（含），默认今天 / last day, default today")
    ] = None,
    min_applicants: Annotated[
        int,
        Query(ge=2, le=1000, description="成组所需的最少不同申请人数 / applicants a group needs"),
    ] = ART44_MIN_APPLICANTS,
    page: Annotated[int, Query(ge=1, le=10_000, description="页码 / page")] = 1,
    page_size: Annotated[int, Query(ge=1, le=100, description="每页组数 / groups per page")] = 20,
) -> ProactiveReportRead:
    q = service.ReportQuery(
        organ=organ,
        since=since,
        until=until,
        min_applicants=min_applicants,
        page=page,
        page_size=page_size,
    )
    return service.proactive_report(session, rt, principal, q)

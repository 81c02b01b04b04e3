"""Staff API: repeat-application and proactive-disclosure suggestions for one case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import CommittingRoute, ReadSession
from app.fields import RowId
from app.runtime import RuntimeDep
from app.suggestions import service
from app.suggestions.schemas import SuggestionsRead

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/cases", tags=["cases"])

# Who drafts, reviews or signs a reply, and who supervises the handling.
Drafter = Annotated[
    Principal,
    Depends(require_roles(Role.clerk, Role.legal, Role.approver, Role.supervisor)),
]


@router.get(
    "/{case_id}/suggestions",
    summary="重复申请与主动公开建议 / repeat-application and proactive-disclosure suggestions",
    description=(
        "同一申请人此前的相似申请及其答复书（条例第三十六条第（六）项），以及其他申请人近期对"
        "相同信息的申请（条例第四十四条）。仅供参考，不改变任何数据。/ The same applicant's "
        "earlier, similar applications with their replies (Art. 36(6)), and other applicants' "
        "recent requests for the same information (Art. 44). Suggestions only; nothing changes."
    ),
)
def case_suggestions(
    case_id: RowId, session: ReadSession, rt: RuntimeDep, principal: Drafter
) -> SuggestionsRead:
    return service.suggestions(session, rt, principal, case_id)

"""Staff API for a case's reconsideration and litigation records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import RowId
from app.remedies import service
from app.remedies.schemas import RemedyRead, RemedyWrite
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/cases", tags=["cases"])
Reader = Annotated[
    Principal,
    Depends(require_roles(Role.clerk, Role.legal, Role.approver, Role.supervisor)),
]
# The disclosure office and the legal office (which handles reconsideration and litigation).
Writer = Annotated[Principal, Depends(require_roles(Role.clerk, Role.legal))]


@router.get(
    "/{case_id}/remedies", summary="行政复议、行政诉讼记录 / reconsideration and litigation"
)
def list_remedies(case_id: RowId, session: ReadSession, principal: Reader) -> list[RemedyRead]:
    return service.list_remedies(session, principal, case_id)


@router.post(
    "/{case_id}/remedies",
    status_code=status.HTTP_201_CREATED,
    summary="登记行政复议或行政诉讼 / record a reconsideration or lawsuit",
)
def add_remedy(
    case_id: RowId, data: RemedyWrite, session: WriteSession, rt: RuntimeDep, principal: Writer
) -> RemedyRead:
    return service.add_remedy(session, rt, principal, case_id, data)


@router.put(
    "/{case_id}/remedies/{record_id}",
    summary="更新行政复议或行政诉讼记录（如结果）/ update a record (e.g. its result)",
)
def update_remedy(
    case_id: RowId,
    record_id: RowId,
    data: RemedyWrite,
    session: WriteSession,
    rt: RuntimeDep,
    principal: Writer,
) -> RemedyRead:
    return service.update_remedy(session, rt, principal, case_id, record_id, data)

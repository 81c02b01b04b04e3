"""Staff API for a case's communication log (沟通记录)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.communications import service
from app.communications.schemas import CommunicationRead, CommunicationWrite
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import RowId
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/cases", tags=["cases"])
# The staff who deal with applicants and third parties; supervisors read. Never the applicant.
Writer = Annotated[
    Principal,
    Depends(require_roles(Role.clerk, Role.front_desk, Role.approver, Role.legal)),
]
Reader = Annotated[
    Principal,
    Depends(require_roles(Role.clerk, Role.front_desk, Role.approver, Role.legal, Role.supervisor)),
]


@router.get("/{case_id}/communications", summary="沟通记录 / the communication log")
def list_communications(
    case_id: RowId, session: ReadSession, principal: Reader
) -> list[CommunicationRead]:
    return service.list_communications(session, principal, case_id)


@router.post(
    "/{case_id}/communications",
    status_code=status.HTTP_201_CREATED,
    summary="登记沟通记录 / record a call, visit or message",
)
def add_communication(
    case_id: RowId,
    data: CommunicationWrite,
    session: WriteSession,
    rt: RuntimeDep,
    principal: Writer,
) -> CommunicationRead:
    return service.add_communication(session, rt, principal, case_id, data)


@router.put(
    "/{case_id}/communications/{record_id}",
    summary="更正沟通记录 / correct an entry",
)
def update_communication(
    case_id: RowId,
    record_id: RowId,
    data: CommunicationWrite,
    session: WriteSession,
    rt: RuntimeDep,
    principal: Writer,
) -> CommunicationRead:
    return service.update_communication(session, rt, principal, case_id, record_id, data)

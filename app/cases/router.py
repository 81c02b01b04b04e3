"""Staff API for cases: worklist, detail, timeline, attachments."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import StringConstraints

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.cases import service
from app.cases.schemas import CasePage, CaseRead, EventRead
from app.db import CommittingRoute, ReadSession
from app.fields import MAX_ROW_ID
from app.intake.vocabulary import Channel
from app.runtime import RuntimeDep
from app.validation.files import ALLOWED_TYPES

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/cases", tags=["cases"])

READ_ROLES = (Role.clerk, Role.front_desk, Role.approver, Role.supervisor, Role.legal)
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
# NUL cannot be stored or compared by PostgreSQL text, and no state code contains one.
StateCode = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]
RowId = Annotated[int, Path(le=MAX_ROW_ID)]


@router.get("", summary="案件列表（台账工作清单）/ list the organ's cases")
def list_cases(
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
    state: Annotated[
        list[StateCode] | None, Query(description="状态代码，可多个 / state codes")
    ] = None,
    channel: Annotated[list[Channel] | None, Query(description="渠道 / channels")] = None,
    received_from: Annotated[
        date | None, Query(description="收到日期起 / received on or after")
    ] = None,
    received_to: Annotated[
        date | None, Query(description="收到日期止 / received on or before")
    ] = None,
    deadline_before: Annotated[
        date | None, Query(description="答复期限早于 / reply due before")
    ] = None,
    overdue: Annotated[bool, Query(description="只看已逾期 / overdue only")] = False,
    page: Annotated[int, Query(ge=1, le=100_000, description="页码 / page")] = 1,
    page_size: Annotated[int, Query(ge=1, le=200, description="每页条数 / page size")] = 50,
) -> CasePage:
    q = service.ListQuery(
        states=tuple(state or ()),
        channels=tuple(channel or ()),
        received_from=received_from,
        received_to=received_to,
        deadline_before=deadline_before,
        overdue=overdue,
        page=page,
        page_size=page_size,
    )
    return service.list_cases(session, rt, principal, q)


@router.get("/{case_id}", summary="案件详情 / one case")
def get_case(case_id: RowId, session: ReadSession, rt: RuntimeDep, principal: Reader) -> CaseRead:
    return service.get_case(session, rt, principal, case_id)


@router.get("/{case_id}/events", summary="案件时间线 / the case's timeline")
def case_events(case_id: RowId, session: ReadSession, principal: Reader) -> list[EventRead]:
    return service.case_events(session, principal, case_id)


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    summary="下载附件 / download an attachment",
    response_class=Response,
    responses={200: {"content": {t: {} for t in ALLOWED_TYPES}}},
)
def get_attachment(
    case_id: RowId, attachment_id: RowId, session: ReadSession, rt: RuntimeDep, principal: Reader
) -> Response:
    attachment = service.get_attachment(session, principal, case_id, attachment_id)
    ext = ALLOWED_TYPES[attachment.content_type]
    # Only the four sniffed, non-executable types are ever stored; still, never let a browser
    # render or sniff an applicant's file in our origin.
    return Response(
        rt.store.read(attachment.sha256),
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": (
                f'attachment; filename="attachment-{attachment.id}{ext}"; '
                f"filename*=UTF-8''{quote(attachment.filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )

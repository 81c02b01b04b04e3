"""API for assistance requests (协办): asking from a case, the departments' inbox, answers."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.assistance import service
from app.assistance.schemas import AssistanceAnswer, AssistanceCreate, AssistanceRead
from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import STAFF_ROLES, Role
from app.cases.router import READ_ROLES
from app.cases.versioning import IfMatch, split_version
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import RowId
from app.intake.body import FILES_PART, read_fields
from app.intake.uploads import Upload
from app.runtime import RuntimeDep
from app.validation.files import ALLOWED_TYPES

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1", tags=["assistance"])
Staff = Annotated[Principal, Depends(require_roles(*STAFF_ROLES))]
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
# Who asks: the case's assignee (a clerk), the office's head and the supervisor.
ASK_ROLES = (Role.clerk, Role.approver, Role.supervisor)
Asker = Annotated[Principal, Depends(require_roles(*ASK_ROLES))]


@router.post(
    "/cases/{case_id}/assistance-requests",
    status_code=status.HTTP_201_CREATED,
    summary="请求协办 / ask a department for assistance",
    description="本案承办人（或负责人、督办）请某科室（可为平台上其他机关的科室）检索或提供信息，"
    "内部期限以自今日起的工作日数给出，不得晚于答复期限；不暂停法定期限 / the case's assignee "
    "(or an approver or supervisor) asks a department, possibly another organ's, to search for "
    "or supply records by an internal date in working days, inside the reply period; the "
    "statutory clock is not paused.",
)
def ask(
    case_id: RowId,
    data: AssistanceCreate,
    session: WriteSession,
    rt: RuntimeDep,
    asker: Asker,
    if_match: IfMatch = None,
) -> AssistanceRead:
    body = {} if data.version is None else {"version": data.version}
    version = split_version(body, if_match)[1]
    return service.ask(session, rt, asker, case_id, data.model_copy(update={"version": version}))


@router.get(
    "/cases/{case_id}/assistance-requests",
    summary="案件的协办请求 / the case's assistance requests",
)
def case_requests(
    case_id: RowId, session: ReadSession, rt: RuntimeDep, principal: Reader
) -> list[AssistanceRead]:
    return service.case_requests(session, rt, principal, case_id)


@router.get(
    "/assistance-requests",
    summary="本科室的协办请求 / requests addressed to the caller's departments",
    description="调用者所在科室收到的协办请求（任何机关发出的），只含案件编号、所需信息、请求内容"
    "和期限，不含申请人个人信息 / requests to the departments the caller belongs to, from any "
    "organ: the case number, the items, the request and its date — no personal data.",
)
def inbox(
    session: ReadSession,
    rt: RuntimeDep,
    principal: Staff,
    status_: Annotated[
        list[Literal["open", "answered"]] | None,
        Query(alias="status", description="状态（默认 open）/ statuses (default open)"),
    ] = None,
) -> list[AssistanceRead]:
    return service.inbox(session, rt, principal, statuses=tuple(status_ or ("open",)))


async def _answer_body(request: Request) -> tuple[AssistanceAnswer, list[Upload]]:
    s = request.app.state.runtime.settings
    return await read_fields(
        request,
        AssistanceAnswer,
        max_files=s.max_attachments,
        max_file_bytes=s.max_attachment_bytes,
    )


@router.post(
    "/assistance-requests/{request_id}/answer",
    summary="答复协办 / the department answers",
    description=(
        "multipart/form-data：字段 outcome（found、not_held、partly）、text，文件 attachments"
        "（与申请附件同样检查）；也接受 JSON {outcome, text}。仅被请求科室的成员 / fields "
        "outcome and text, files attachments (checked as intake checks them); JSON also "
        "accepted. Members of the department asked only."
    ),
    responses={
        403: {"description": "不是该科室成员 / not a member of the department"},
        404: {"description": "没有该协办请求 / no such request"},
        409: {"description": "已答复或已撤回 / answered or withdrawn"},
        413: {"description": "附件过大 / a file is too large"},
        415: {"description": "附件类型不允许 / a file's type is refused"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AssistanceAnswer"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["outcome"],
                        "properties": {
                            "outcome": {
                                "type": "string",
                                "enum": ["found", "not_held", "partly"],
                                "description": "检索结果 / outcome",
                            },
                            "text": {"type": "string", "description": "答复说明 / text"},
                            FILES_PART: {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                                "description": "答复附件：PDF、JPEG、PNG、OFD / files",
                            },
                        },
                    }
                },
            },
        }
    },
)
def answer(
    request_id: RowId,
    session: WriteSession,
    rt: RuntimeDep,
    principal: Staff,
    body: Annotated[tuple[AssistanceAnswer, list[Upload]], Depends(_answer_body)],
) -> AssistanceRead:
    data, uploads = body
    return service.answer(session, rt, principal, request_id, data, uploads)


@router.post(
    "/assistance-requests/{request_id}/withdraw",
    summary="撤回协办请求 / withdraw an open request",
)
def withdraw(
    request_id: RowId, session: WriteSession, rt: RuntimeDep, asker: Asker
) -> AssistanceRead:
    return service.withdraw(session, rt, asker, request_id)


@router.get(
    "/assistance-requests/{request_id}/files/{file_id}",
    summary="下载答复附件 / download an answer's file",
    response_class=Response,
    responses={200: {"content": {t: {} for t in ALLOWED_TYPES}}},
)
def get_file(
    request_id: RowId, file_id: RowId, session: ReadSession, rt: RuntimeDep, principal: Staff
) -> Response:
    found = service.file_for(session, principal, request_id, file_id)
    ext = ALLOWED_TYPES[found.content_type]
    return Response(
        rt.store.read(found.sha256),
        media_type=found.content_type,
        headers={
            "Content-Disposition": (
                f'attachment; filename="assistance-{found.id}{ext}"; '
                f"filename*=UTF-8''{quote(found.filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )

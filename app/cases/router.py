"""Staff API for cases: worklist, detail, timeline, attachments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from pydantic import StringConstraints

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.cases import service
from app.cases.schemas import CasePage, CaseRead, EventRead
from app.cases.versioning import IfMatch, split_version
from app.db import CommittingRoute, ReadSession, WriteSession
from app.deadline.schemas import DeadlineRead
from app.fields import RowId
from app.runtime import RuntimeDep
from app.validation.files import ALLOWED_TYPES
from app.vocabulary import Channel

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/cases", tags=["cases"])

READ_ROLES = (Role.clerk, Role.front_desk, Role.approver, Role.supervisor, Role.legal)
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
# Who may act at all; each action's own roles are checked by the engine.
STAFF_ACTORS = (Role.clerk, Role.front_desk, Role.approver, Role.legal)
# NUL cannot be stored or compared by PostgreSQL text, and no state code contains one.
StateCode = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]
# A NUL anywhere in the query is refused before routing (400), as for every route.
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


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
    due_within: Annotated[
        int | None,
        Query(
            ge=1,
            le=60,
            description="今日至其后第 N 个工作日内到期（不含已逾期）/ reply due from today "
            "through the N-th working day after it (not the overdue ones)",
        ),
    ] = None,
    consultation_lapsed: Annotated[
        bool,
        Query(description="只看征求意见期限届满未回复的 / consultations past their window only"),
    ] = False,
    mail_failed: Annotated[
        bool,
        Query(
            description="只看有邮件未送达申请人的（被拒收、退信或重试用尽）/ cases with a mail "
            "to the applicant that did not reach them only"
        ),
    ] = False,
    queue: Annotated[
        Literal["legal"] | None,
        Query(description="legal：待法制机构会商或审核 / awaiting the legal office"),
    ] = None,
    open_only: Annotated[
        bool, Query(description="只看未办结的 / only cases not in a final state")
    ] = False,
    q: Annotated[
        SearchText | None,
        Query(
            description="搜索：登记编号、所申请信息的描述或文号、已出具文书的文字中连续的几个字"
            "（按字匹配，忽略标点、空格和全角半角、大小写之别；去除首尾空白后 1–50 个字符，"
            "至少 2 个字或数字，只有 1 个时只查以其开头的登记编号）；承办人、窗口、负责人、法制"
            "机构还可按申请人姓名或名称的一部分、完整的身份证号码搜索（文书中的申请人个人信息"
            "不参与搜索）。结果按登记编号、申请人、申请内容、文书的顺序排列，同类中新案件在前；"
            "total 最多数到 1000 / search: consecutive characters of a registration number, an "
            "item's description or document number, or an issued letter's text (matched by "
            "characters, ignoring punctuation, spaces, full/half width and case; 1-50 characters "
            "once trimmed, at least 2 letters or digits - a single one looks only at the "
            "beginning of registration numbers); clerks, front desk, approvers and the legal "
            "office also search part of the applicant's name or a whole resident ID number (the "
            "applicant's personal data in letters is never searched). Results rank number "
            "matches first, then name or ID number, then items, then letters, newest first "
            "within each; the total counts up to 1000"
        ),
    ] = None,
    actor: Annotated[
        RowId | None,
        Query(
            description="经手人用户 ID：其在时间线上有操作的案件（督办看板按人统计的口径）/ a "
            "user id: the cases with a step of that user on their timeline (the dashboard's "
            "per-staff figures)"
        ),
    ] = None,
    assignment: Annotated[
        Literal["mine", "unassigned", "my_department"] | None,
        Query(
            description="mine：我承办的；unassigned：待签收（尚无承办人）；my_department：分办到"
            "我所在科室的 / mine: the caller's cases; unassigned: nobody's yet; my_department: "
            "routed to a department the caller belongs to"
        ),
    ] = None,
    assignee: Annotated[
        RowId | None,
        Query(description="承办人用户 ID：其承办的案件 / a user id: the cases that user handles"),
    ] = None,
    assistance: Annotated[
        Literal["overdue"] | None,
        Query(
            description="overdue：有协办请求过了内部期限仍未答复的 / cases with an open "
            "assistance request past its internal due date"
        ),
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000, description="页码 / page")] = 1,
    page_size: Annotated[int, Query(ge=1, le=200, description="每页条数 / page size")] = 50,
) -> CasePage:
    query = service.ListQuery(
        states=tuple(state or ()),
        channels=tuple(channel or ()),
        received_from=received_from,
        received_to=received_to,
        deadline_before=deadline_before,
        overdue=overdue,
        due_within=due_within,
        consultation_lapsed=consultation_lapsed,
        mail_failed=mail_failed,
        queue=queue,
        open_only=open_only,
        q=q,
        actor=actor,
        assignment=assignment,
        assignee=assignee,
        assistance=assistance,
        page=page,
        page_size=page_size,
    )
    return service.list_cases(session, rt, principal, query)


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


@router.get("/{case_id}/deadlines", summary="期限及计算说明 / every deadline, explained")
def case_deadlines(
    case_id: RowId, session: ReadSession, rt: RuntimeDep, principal: Reader
) -> list[DeadlineRead]:
    return service.get_deadlines(session, rt, principal, case_id)


Staff = Annotated[Principal, Depends(require_roles(*STAFF_ACTORS))]


@router.post(
    "/{case_id}/actions/{action}",
    summary="执行办理操作 / take a workflow action",
    responses={
        403: {"description": "角色无权 / role may not"},
        409: {"description": "状态不允许、版本冲突或条件不满足 / state, version or guard"},
        428: {"description": "缺少版本号 / version missing"},
    },
)
def take_action(
    case_id: RowId,
    action: Annotated[str, Path(max_length=50, pattern=r"^[a-z][a-z0-9_]*$")],
    session: WriteSession,
    rt: RuntimeDep,
    principal: Staff,
    body: Annotated[
        dict[str, Any],
        Body(
            default_factory=dict,
            description="操作内容及 version（或用 If-Match 头）/ the action's fields and version",
        ),
    ],
    if_match: IfMatch = None,
) -> CaseRead:
    payload, version = split_version(body, if_match)
    return service.act(session, rt, principal, case_id, action, payload, version)

"""Staff API: one's own notices and notice preferences; the organ's notice texts (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import STAFF_ROLES
from app.dashboard.service import resolve_organ
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import Flag, RowId
from app.notices import service
from app.notices.kinds import TextKind
from app.notices.schemas import (
    NoticeList,
    NoticePreferences,
    NoticePreview,
    NoticeRead,
    NoticeTextBody,
    NoticeTextRead,
)
from app.organs.router import ADMIN_ROLES
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1", tags=["notices"])

Staff = Annotated[Principal, Depends(require_roles(*sorted(STAFF_ROLES)))]
Admin = Annotated[Principal, Depends(require_roles(*ADMIN_ROLES))]
Kind = Annotated[TextKind, Path(description="提醒文本种类 / the notice text's kind")]
OrganCode = Annotated[
    str | None,
    Query(
        alias="organ",
        max_length=32,
        description="机关代码（平台管理员必填）/ the organ's code (platform administrators)",
    ),
]


@router.get(
    "/me/notice-preferences",
    summary="我的提醒设置 / how I receive notices",
)
def get_preferences(session: ReadSession, me: Staff) -> NoticePreferences:
    return service.get_preferences(session, me.user_id)


@router.put(
    "/me/notice-preferences",
    summary="修改我的提醒设置 / choose how I receive notices",
    description=(
        "每种提醒（warnings 期限提醒、digest 每日摘要、calendar 放假安排提醒）选择 in_app 站内、"
        "email 电子邮件、sms 短信或 none 不接收；选择邮件或短信须给出地址。/ For each kind of "
        "notice choose in_app, email, sms or none; e-mail and SMS need an address."
    ),
)
def put_preferences(
    data: NoticePreferences, session: WriteSession, rt: RuntimeDep, me: Staff
) -> NoticePreferences:
    return service.set_preferences(session, me.user_id, data, now=rt.clock())


@router.get("/me/notices", summary="我的提醒 / my in-app notices")
def list_notices(
    session: ReadSession,
    me: Staff,
    unread: Annotated[Flag, Query(description="只列未读 / unread only")] = False,
) -> NoticeList:
    return service.my_notices(session, me.user_id, unread_only=unread)


@router.post("/me/notices/{notice_id}/read", summary="标记为已读 / mark a notice read")
def read_notice(notice_id: RowId, session: WriteSession, rt: RuntimeDep, me: Staff) -> NoticeRead:
    return service.mark_read(session, me.user_id, notice_id, now=rt.clock())


@router.get("/notice-texts/{kind}", summary="提醒文本 / a notice text of the organ")
def get_text(
    kind: Kind, session: ReadSession, rt: RuntimeDep, admin: Admin, organ: OrganCode = None
) -> NoticeTextRead:
    return service.get_text(session, resolve_organ(session, rt, admin, organ), kind)


@router.put(
    "/notice-texts/{kind}",
    summary="修改提醒文本 / set the organ's notice text",
    description=(
        "Jinja2 模板，在沙箱中渲染；保存前用示例数据试渲染，出错时返回 422 并说明原因。/ Jinja2 "
        "templates rendered in a sandbox; checked with sample data before saving (422 with the "
        "reason when they do not render)."
    ),
)
def put_text(
    kind: Kind,
    data: NoticeTextBody,
    session: WriteSession,
    rt: RuntimeDep,
    admin: Admin,
    organ: OrganCode = None,
) -> NoticeTextRead:
    info = resolve_organ(session, rt, admin, organ)
    return service.put_text(session, info, kind, data, user_id=admin.user_id, now=rt.clock())


@router.post(
    "/notice-texts/{kind}/preview",
    summary="预览提醒文本 / preview a notice text with sample data",
)
def preview_text(kind: Kind, data: NoticeTextBody, _: Admin) -> NoticePreview:
    return service.preview(kind, data)

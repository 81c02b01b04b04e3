"""The MTA's delivery status notifications (RFC 3464) for mail sent through a relay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool

from app.db import CommittingRoute, WriteSession
from app.errors import PayloadTooLarge
from app.outbox.applicant import dsn, service
from app.outbox.applicant.schemas import DsnRead
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1")

_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.post(
    "/mail/dsn",
    tags=["mail"],
    summary="接收邮件送达状态通知 / take a delivery status notification (DSN)",
    description=(
        "中继邮件服务器的送达状态通知（RFC 3464，整封 multipart/report 或 "
        "message/delivery-status 正文），以共享令牌 X-Mail-Token 认证。已投递（delivered）"
        "登记文书送达，起算补正、缴费等期限；失败（failed）标记投递失败并在工作台提示。/ "
        "A relay's DSN (the whole multipart/report, or the message/delivery-status body), "
        "authenticated by the shared X-Mail-Token. delivered records the letter's arrival and "
        "starts the windows that run from it; failed marks the mail dead and flags the case."
    ),
    responses={403: {"description": "令牌无效或未启用 / wrong token, or DSN intake off"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "message/delivery-status": _BINARY,
                "multipart/report": _BINARY,
            },
        }
    },
)
async def post_dsn(
    request: Request,
    session: WriteSession,
    rt: RuntimeDep,
    x_mail_token: Annotated[str | None, Header(max_length=200)] = None,
) -> DsnRead:
    service.check_token(rt.settings.mail_dsn_token, x_mail_token)
    raw = await request.body()
    if len(raw) > dsn.MAX_BYTES:
        raise PayloadTooLarge("送达状态通知过大 / DSN too large")
    return await run_in_threadpool(service.record_dsn, session, rt, raw)

"""Admin API for webhook subscriptions, their delivery log, and the outbox's dead letters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import Code, RowId
from app.organs.router import ADMIN_ROLES
from app.outbox import log as delivery_log
from app.outbox import service as outbox
from app.outbox.schemas import OutboxDeliveryRead, Redelivered
from app.runtime import RuntimeDep
from app.webhooks import service
from app.webhooks.schemas import (
    SecretRotated,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1")
Admin = Annotated[Principal, Depends(require_roles(*ADMIN_ROLES))]
WebhookId = Annotated[
    str, Path(min_length=1, max_length=40, description="订阅编号 / subscription id (whs_...)")
]
Limit = Annotated[int, Query(ge=1, le=delivery_log.MAX_ROWS, description="最多条数 / at most")]


def by(principal: Principal) -> str:
    return f"user {principal.user_id} ({principal.name}) through the API"


@router.get("/webhooks", tags=["webhooks"], summary="Webhook 订阅列表 / webhook subscriptions")
def list_webhooks(
    session: ReadSession,
    admin: Admin,
    organ_code: Annotated[Code | None, Query(description="只看该机关 / only this organ")] = None,
) -> list[WebhookRead]:
    return service.list_subscriptions(session, admin, organ_code=organ_code)


@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    tags=["webhooks"],
    summary="新建 Webhook 订阅 / subscribe a URL to events",
    description=(
        "按 Standard Webhooks 规范签名投递（webhook-id、webhook-timestamp、webhook-signature）。"
        "签名密钥仅在此答复中显示一次。/ Deliveries are signed as the Standard Webhooks "
        "specification describes; the signing secret is in this answer only."
    ),
)
def create_webhook(
    data: WebhookCreate, session: WriteSession, rt: RuntimeDep, admin: Admin
) -> WebhookCreated:
    return service.create_subscription(
        session, admin, data, key=rt.token_key, now=rt.clock(), by=by(admin)
    )


@router.get("/webhooks/{webhook_id}", tags=["webhooks"], summary="订阅详情 / one subscription")
def get_webhook(webhook_id: WebhookId, session: ReadSession, admin: Admin) -> WebhookRead:
    sub, code = service.get_subscription(session, admin, webhook_id)
    return service.read(sub, code)


@router.patch(
    "/webhooks/{webhook_id}",
    tags=["webhooks"],
    summary="修改订阅 / change a subscription",
    description=(
        "可改地址、事件类型、说明、启用状态；停用时待投递的记录转为失败。/ URL, event types, "
        "description, active; turning it off drops its pending deliveries as dead."
    ),
)
def update_webhook(
    webhook_id: WebhookId, data: WebhookUpdate, session: WriteSession, rt: RuntimeDep, admin: Admin
) -> WebhookRead:
    return service.update_subscription(
        session, admin, webhook_id, data, now=rt.clock(), by=by(admin)
    )


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["webhooks"],
    summary="删除订阅 / delete a subscription",
)
def delete_webhook(
    webhook_id: WebhookId, session: WriteSession, rt: RuntimeDep, admin: Admin
) -> Response:
    service.delete_subscription(session, admin, webhook_id, now=rt.clock(), by=by(admin))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    tags=["webhooks"],
    summary="更换签名密钥 / rotate the signing secret",
    description="新密钥仅在此答复中显示一次。/ The new secret is in this answer only.",
)
def rotate_webhook_secret(
    webhook_id: WebhookId, session: WriteSession, rt: RuntimeDep, admin: Admin
) -> SecretRotated:
    return service.rotate_secret(
        session, admin, webhook_id, key=rt.token_key, now=rt.clock(), by=by(admin)
    )


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    tags=["webhooks"],
    summary="投递日志 / the subscription's delivery log",
)
def webhook_deliveries(
    webhook_id: WebhookId, session: ReadSession, admin: Admin, limit: Limit = 100
) -> list[OutboxDeliveryRead]:
    sub, _ = service.get_subscription(session, admin, webhook_id)
    return delivery_log.deliveries_to(session, service.CHANNEL, sub.uid, limit=limit)


@router.get(
    "/outbox/dead",
    tags=["webhooks"],
    summary="投递失败的记录 / dead letters",
    description=(
        "重试 24 小时仍未送达或被接收方拒绝的投递（各渠道）。/ Deliveries of every channel "
        "that failed for 24 hours or were refused; an administrator may redeliver them."
    ),
)
def dead_letters(
    session: ReadSession,
    admin: Admin,
    channel: Annotated[Code | None, Query(description="只看该渠道 / one channel")] = None,
    limit: Limit = 100,
) -> list[OutboxDeliveryRead]:
    return delivery_log.dead_letters(session, admin.organ_id, channel=channel, limit=limit)


@router.post(
    "/outbox/deliveries/{delivery_id}/redeliver",
    tags=["webhooks"],
    summary="重新投递 / redeliver a dead letter",
)
def redeliver(
    delivery_id: RowId, session: WriteSession, rt: RuntimeDep, admin: Admin
) -> Redelivered:
    outbox.redeliver(session, delivery_id, organ_id=admin.organ_id, now=rt.clock())
    return Redelivered(id=delivery_id)

"""Webhook subscriptions: what administrators do with them, for the JSON API and the pages.

An organ's administrator (role admin, of an organ) manages that organ's subscriptions; a
platform administrator (role admin, no organ) manages every organ's and names the organ when
subscribing. A subscription of another organ is not found (404), never forbidden.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.errors import InvalidInput, NotFound
from app.models import Organ, OutboxDelivery, WebhookSubscription
from app.organs.scope import organ_for
from app.webhooks import signing
from app.webhooks.schemas import (
    SecretRotated,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)

log = logging.getLogger("gongkai.webhooks")

CHANNEL = "webhook"


class WebhookNotFound(NotFound):
    title = "没有该订阅 / No such webhook subscription"


def new_uid() -> str:
    return "whs_" + secrets.token_hex(16)


def scope(principal: Principal) -> int | None:
    """The organ whose subscriptions this administrator sees (None: every organ)."""
    return principal.organ_id


def read(sub: WebhookSubscription, organ_code: str) -> WebhookRead:
    return WebhookRead(
        id=sub.uid,
        organ_code=organ_code,
        url=sub.url,
        event_types=list(sub.event_types),
        active=sub.active,
        description=sub.description,
        created_at=sub.created_at,
        created_by=sub.created_by,
        disabled_at=sub.disabled_at,
        disabled_reason=sub.disabled_reason,
    )


def _unique(types: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(types))


def list_subscriptions(
    session: Session, principal: Principal, *, organ_code: str | None = None
) -> list[WebhookRead]:
    """The subscriptions this administrator may see, newest first (deleted ones left out)."""
    q = (
        select(WebhookSubscription, Organ.code)
        .join(Organ, Organ.id == WebhookSubscription.organ_id)
        .where(WebhookSubscription.deleted_at.is_(None))
        .order_by(WebhookSubscription.id.desc())
    )
    organ_id = scope(principal)
    if organ_id is not None:
        q = q.where(WebhookSubscription.organ_id == organ_id)
    if organ_code is not None:
        q = q.where(Organ.code == organ_code)
    return [read(sub, code) for sub, code in session.execute(q)]


def get_subscription(
    session: Session, principal: Principal, uid: str, *, for_update: bool = False
) -> tuple[WebhookSubscription, str]:
    """The subscription and its organ's code, if this administrator may see it."""
    q = (
        select(WebhookSubscription, Organ.code)
        .join(Organ, Organ.id == WebhookSubscription.organ_id)
        .where(WebhookSubscription.uid == uid, WebhookSubscription.deleted_at.is_(None))
    )
    organ_id = scope(principal)
    if organ_id is not None:
        q = q.where(WebhookSubscription.organ_id == organ_id)
    if for_update:
        q = q.with_for_update(of=WebhookSubscription)
    row = session.execute(q).first()
    if row is None:
        raise WebhookNotFound(f"没有订阅 {uid} / no webhook subscription {uid}")
    return row[0], row[1]


def create_subscription(
    session: Session,
    principal: Principal,
    data: WebhookCreate,
    *,
    key: bytes,
    now: datetime,
    by: str,
) -> WebhookCreated:
    """Subscribe a URL to event types; the answer carries the signing secret, this once."""
    organ = organ_for(session, principal, data.organ_code)
    secret = signing.new_secret()
    sub = WebhookSubscription(
        uid=new_uid(),
        organ_id=organ.id,
        url=data.url,
        secret_encrypted=signing.seal(key, secret),
        event_types=_unique(data.event_types),
        active=True,
        description=data.description or "",
        created_at=now,
        created_by=by[:200],
    )
    session.add(sub)
    session.flush()
    log.info("webhooks: %s for organ %s created by %s", sub.uid, organ.code, by)
    return WebhookCreated(**read(sub, organ.code).model_dump(), secret=secret)


def drop_pending(session: Session, uid: str, reason: str) -> int:
    """Mark the subscription's pending deliveries dead with the reason; returns how many."""
    result = session.execute(
        update(OutboxDelivery)
        .where(
            OutboxDelivery.channel == CHANNEL,
            OutboxDelivery.target == uid,
            OutboxDelivery.status == "pending",
        )
        .values(status="dead", last_error=reason)
        .returning(OutboxDelivery.id)
    )
    return len(result.all())


def disable(session: Session, sub: WebhookSubscription, *, reason: str, now: datetime) -> None:
    """Stop delivering to a subscription; its pending deliveries become dead letters."""
    sub.active = False
    sub.disabled_at = now
    sub.disabled_reason = reason[:200]
    session.flush()
    dropped = drop_pending(session, sub.uid, f"订阅已停用 / subscription disabled: {reason}")
    log.info("webhooks: %s disabled (%s), %d pending dropped", sub.uid, reason, dropped)


def update_subscription(
    session: Session,
    principal: Principal,
    uid: str,
    data: WebhookUpdate,
    *,
    now: datetime,
    by: str,
) -> WebhookRead:
    """Change the URL, event types, description, or turn the subscription on or off."""
    sub, code = get_subscription(session, principal, uid, for_update=True)
    fields = data.model_fields_set
    if "url" in fields:
        if data.url is None:
            raise InvalidInput(("body", "url"), "地址不能为空 / url cannot be null")
        sub.url = data.url
    if "event_types" in fields:
        if data.event_types is None:
            raise InvalidInput(
                ("body", "event_types"), "至少订阅一种事件 / at least one event type"
            )
        sub.event_types = _unique(data.event_types)
    if "description" in fields:
        sub.description = data.description or ""
    if "active" in fields and data.active is not None and data.active != sub.active:
        if data.active:
            sub.active, sub.disabled_at, sub.disabled_reason = True, None, None
        else:
            disable(session, sub, reason=f"停用 / turned off by {by}", now=now)
    session.flush()
    log.info("webhooks: %s changed (%s) by %s", uid, ", ".join(sorted(fields)), by)
    return read(sub, code)


def delete_subscription(
    session: Session, principal: Principal, uid: str, *, now: datetime, by: str
) -> None:
    """Delete a subscription; its delivery log stays, its pending deliveries become dead."""
    sub, _ = get_subscription(session, principal, uid, for_update=True)
    sub.deleted_at = now
    disable(session, sub, reason=f"删除 / deleted by {by}", now=now)


def rotate_secret(
    session: Session, principal: Principal, uid: str, *, key: bytes, now: datetime, by: str
) -> SecretRotated:
    """A new signing secret, in force for the next attempt; shown this once."""
    sub, _ = get_subscription(session, principal, uid, for_update=True)
    secret = signing.new_secret()
    sub.secret_encrypted = signing.seal(key, secret)
    sub.secret_rotated_at = now
    session.flush()
    log.info("webhooks: %s secret rotated by %s", uid, by)
    return SecretRotated(id=uid, secret=secret)

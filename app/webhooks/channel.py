"""The webhook channel: one delivery per active subscription of the event's organ that asked
for its type, POSTed as the Standard Webhooks specification describes.

    webhook-id: evt_...            (the event's id: the same on every retry, receivers de-duplicate)
    webhook-timestamp: 1767225600  (this attempt, unix seconds: receivers refuse stale requests)
    webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body" keyed with the secret>
    {"type": "case.received", "timestamp": "<when it happened, ISO 8601>", "data": {...}}

2xx is delivered; 410 Gone is permanent and turns the subscription off; any other answer, a
timeout or a connection error is retried with backoff. Redirects are not followed (a receiver
that moved says so with 410, or an administrator changes the URL).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import WebhookSubscription
from app.outbox.channels import EventView, Job, Sent
from app.runtime import Runtime
from app.webhooks import service, signing

USER_AGENT = "gongkai-webhooks/1"
BODY_EXCERPT = 200


def body_of(event: EventView) -> bytes:
    """The request body: the event's type, when it happened, and its payload."""
    doc: dict[str, Any] = {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": event.payload,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookChannel:
    name = service.CHANNEL

    def __init__(self, rt: Runtime, *, client: httpx.Client | None = None) -> None:
        self.rt = rt
        self.timeout = rt.settings.webhook_timeout_s
        self._planning: tuple[Session, dict[int, list[tuple[str, frozenset[str]]]]] | None = None
        self.client = client or httpx.Client(
            timeout=self.timeout,
            follow_redirects=False,
            headers={"user-agent": USER_AGENT},
            # Receivers are on the intranet: no proxy from the environment.
            trust_env=False,
        )

    def plan(self, session: Session, event: EventView) -> list[str]:
        if event.organ_id is None:
            return []
        # One query per organ per dispatching transaction, not one per event.
        if self._planning is None or self._planning[0] is not session:
            self._planning = (session, {})
        wanted = self._planning[1]
        if event.organ_id not in wanted:
            q = select(WebhookSubscription.uid, WebhookSubscription.event_types).where(
                WebhookSubscription.organ_id == event.organ_id,
                WebhookSubscription.active.is_(True),
                WebhookSubscription.deleted_at.is_(None),
            )
            rows = session.execute(q.order_by(WebhookSubscription.id))
            wanted[event.organ_id] = [(uid, frozenset(types)) for uid, types in rows]
        return [uid for uid, types in wanted[event.organ_id] if event.type in types]

    def send(self, session: Session, job: Job) -> Sent:
        sub = session.scalar(
            select(WebhookSubscription).where(WebhookSubscription.uid == job.target)
        )
        if sub is None or sub.deleted_at is not None:
            return Sent(
                False, f"订阅已删除 / subscription {job.target} was deleted", permanent=True
            )
        if not sub.active:
            why = sub.disabled_reason or "disabled"
            return Sent(
                False, f"订阅已停用 / subscription {job.target} is disabled: {why}", permanent=True
            )
        secret = signing.unseal(self.rt.token_key, sub.secret_encrypted)
        body = body_of(job.event)
        stamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": job.event.uid,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signing.sign(secret, job.event.uid, stamp, body),
        }
        try:
            r = self.client.post(sub.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return Sent(False, f"超时 / no answer within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return Sent(False, f"连接失败 / {type(exc).__name__}: {exc}"[:2000])
        result = {"status": r.status_code}
        if r.is_success:
            return Sent(True, f"HTTP {r.status_code}", result=result)
        excerpt = r.text[:BODY_EXCERPT].strip()
        detail = f"HTTP {r.status_code}" + (f": {excerpt}" if excerpt else "")
        if r.status_code == 410:
            uid = sub.uid

            def turn_off(write: Session) -> None:
                gone = write.scalar(
                    select(WebhookSubscription)
                    .where(WebhookSubscription.uid == uid)
                    .with_for_update()
                )
                if gone is not None and gone.active:
                    reason = "接收方答复 410 Gone / the receiver answered 410 Gone"
                    service.disable(write, gone, reason=reason, now=self.rt.clock())

            return Sent(False, detail, result=result, permanent=True, after=turn_off)
        if r.is_redirect:
            detail += (
                f" (不跟随重定向 / redirect to {r.headers.get('location', '?')[:200]} not followed)"
            )
        return Sent(False, detail, result=result)

    def close(self) -> None:
        self.client.close()


def webhook_channel(rt: Runtime) -> WebhookChannel:
    """The webhook channel (always on: with no subscriptions it plans nothing)."""
    return WebhookChannel(rt)


__all__ = ["WebhookChannel", "body_of", "webhook_channel"]

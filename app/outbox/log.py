"""Reading deliveries for administrators: a subscription's delivery log and the dead letters.

Organ-scoped like the rest of the admin API: an organ's administrator sees the deliveries of
its organ's events, a platform administrator every organ's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import OutboxAttempt, OutboxDelivery, OutboxEvent
from app.outbox.schemas import AttemptRead, OutboxDeliveryRead

MAX_ROWS = 500


def _reads(
    session: Session, rows: Sequence[tuple[OutboxDelivery, OutboxEvent]]
) -> list[OutboxDeliveryRead]:
    ids = [d.id for d, _ in rows]
    log: dict[int, list[AttemptRead]] = defaultdict(list)
    if ids:
        q = select(OutboxAttempt).where(OutboxAttempt.delivery_id.in_(ids))
        for a in session.scalars(q.order_by(OutboxAttempt.id)):
            log[a.delivery_id].append(
                AttemptRead(
                    attempted_at=a.attempted_at, ok=a.ok, detail=a.detail, duration_ms=a.duration_ms
                )
            )
    out = []
    for d, e in rows:
        case = e.payload.get("case") if isinstance(e.payload, dict) else None
        out.append(
            OutboxDeliveryRead(
                id=d.id,
                channel=d.channel,
                target=d.target,
                event_id=e.uid,
                event_type=e.type,
                case_id=e.case_id,
                case_number=case.get("number") if isinstance(case, dict) else None,
                status=d.status,
                attempts=d.attempts,
                created_at=d.created_at,
                next_attempt_at=d.next_attempt_at,
                delivered_at=d.delivered_at,
                last_error=d.last_error,
                result=d.result,
                log=log[d.id],
            )
        )
    return out


def _base(organ_id: int | None) -> Select[OutboxDelivery, OutboxEvent]:
    q = select(OutboxDelivery, OutboxEvent).join(
        OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id
    )
    if organ_id is not None:
        q = q.where(OutboxEvent.organ_id == organ_id)
    return q


def deliveries_to(
    session: Session, channel: str, target: str, *, limit: int = 100
) -> list[OutboxDeliveryRead]:
    """The deliveries to one target (a subscription), newest first, with each attempt."""
    q = _base(None).where(OutboxDelivery.channel == channel, OutboxDelivery.target == target)
    rows = session.execute(q.order_by(OutboxDelivery.id.desc()).limit(min(limit, MAX_ROWS)))
    return _reads(session, [(d, e) for d, e in rows])


def dead_letters(
    session: Session, organ_id: int | None, *, channel: str | None = None, limit: int = 100
) -> list[OutboxDeliveryRead]:
    """Dead deliveries of every channel (or one), newest first, with each attempt."""
    q = _base(organ_id).where(OutboxDelivery.status == "dead")
    if channel is not None:
        q = q.where(OutboxDelivery.channel == channel)
    rows = session.execute(q.order_by(OutboxDelivery.id.desc()).limit(min(limit, MAX_ROWS)))
    return _reads(session, [(d, e) for d, e in rows])

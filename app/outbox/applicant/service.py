"""What a delivery status notification records: a mailed letter's arrival, or that the mail
did not reach the applicant (RULES §4)."""

from __future__ import annotations

import hmac
from datetime import datetime

from pydantic import SecretStr
from sqlalchemy.orm import Session

from app.errors import DomainError, Forbidden, InvalidInput
from app.outbox import events as ev
from app.outbox.applicant import dsn, repository
from app.outbox.applicant.mail import CHANNEL, parse_envelope_id, record_letter_arrival
from app.outbox.applicant.schemas import DsnRead
from app.releases.mailing import log_mailed
from app.runtime import Runtime

DSN_WORKER = "dsn"


class MailTokenRefused(Forbidden):
    code = "mail-token-refused"
    title = "邮件回执令牌无效 / The mail token is not accepted"


class DsnOff(DomainError):
    status = 403
    code = "dsn-off"
    title = "未启用邮件回执接收 / Delivery status notifications are not taken here"


def check_token(configured: SecretStr | None, given: str | None) -> None:
    """The shared token of the MTA's pipe (X-Mail-Token), compared in constant time."""
    if configured is None or not configured.get_secret_value():
        raise DsnOff("未设置 GONGKAI_MAIL_DSN_TOKEN / GONGKAI_MAIL_DSN_TOKEN is not set")
    expected = configured.get_secret_value().encode()
    if not given or not hmac.compare_digest(given.encode(), expected):
        raise MailTokenRefused("X-Mail-Token 不正确 / wrong X-Mail-Token")


def _unmatched(report: dsn.Report) -> DsnRead:
    first = report.recipients[0]
    return DsnRead(matched=False, delivery_id=None, action=first.action, arrival_recorded=False)


def record_dsn(session: Session, rt: Runtime, raw: bytes) -> DsnRead:
    """Apply a DSN to the mail delivery it names (by the envelope id the service gave it):
    delivered records the letter's arrival; failed marks the delivery dead, which flags the
    case (mail_failed); delayed and relayed are logged on the delivery only."""
    try:
        report = dsn.parse(raw)
    except dsn.NotAReport as exc:
        raise InvalidInput(
            "body", f"不是送达状态通知 / not a delivery status notification: {exc}"
        ) from None
    found = parse_envelope_id(report.envid) if report.envid else None
    if found is None:
        return _unmatched(report)
    uid, delivery_id = found
    row = repository.delivery_with_event(session, delivery_id, for_update=True)
    if row is None or row[1].uid != uid or row[0].channel != CHANNEL:
        return _unmatched(report)
    delivery, event = row
    # One recipient per message: the first status is the one (a second would repeat it).
    st = report.recipients[0]
    now = rt.clock()
    text = f"DSN {st.action} {st.status} {st.diagnostic}".strip()
    if report.reporting_mta:
        text += f" ({report.reporting_mta})"
    result = dict(delivery.result or {})
    result.update({"dsn_action": st.action, "dsn_status": st.status})
    arrival = False
    if st.action == "delivered":
        # Never before the delivery was planned: a remote clock cannot date it earlier.
        at = max(_moment(st.last_attempt, now), delivery.created_at)
        result.update({"arrived": True, "arrived_at": at.isoformat()})
        letter_id = (event.payload.get("letter") or {}).get("id")
        if event.type == ev.LETTER_ISSUED and isinstance(letter_id, int) and event.case_id:
            evidence = f"邮件回执：送达状态通知（DSN）已投递 {st.status}，{report.reporting_mta}"
            arrival = record_letter_arrival(
                session, rt, event.case_id, letter_id, at, evidence, report.reporting_mta
            )
            files = result.get("released_files")
            if isinstance(files, list):
                log_mailed(session, rt, [f for f in files if isinstance(f, int)], at)
        repository.update_delivery(session, delivery.id, {"result": result})
    elif st.action == "failed":
        repository.update_delivery(
            session,
            delivery.id,
            {"status": "dead", "last_error": text[:2000], "result": result},
        )
    else:
        repository.update_delivery(session, delivery.id, {"result": result})
    repository.log_attempt(
        session,
        delivery.id,
        at=now,
        ok=st.action in ("delivered", "relayed", "expanded"),
        detail=text,
        worker=DSN_WORKER,
    )
    return DsnRead(
        matched=True, delivery_id=delivery.id, action=st.action, arrival_recorded=arrival
    )


def _moment(reported: datetime | None, now: datetime) -> datetime:
    """When it arrived: the MTA's last attempt, never later than now."""
    if reported is None or reported > now:
        return now
    return reported

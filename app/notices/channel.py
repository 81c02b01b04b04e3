"""The `notice` channel: staff notices, one delivery per user ("user:<id>").

`plan` (in the dispatch transaction) asks who the event is for and which of them want this kind
of notice; `send` (read session) renders the organ's text and delivers it the way the user
chose: an e-mail or an SMS when the deployment has a sender and the user an address, else an
in-app notice — the default, so notices work with no SMTP. The in-app notice is written in the
delivery's finishing transaction (`Sent.after`), once per user and event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.db import table_of
from app.models import Notice, NoticeText, Organ, User
from app.notices import texts
from app.notices.context import context_for
from app.notices.kinds import EVENT_KIND, TEXT_OF_EVENT
from app.notices.recipients import preferences, wanted
from app.outbox.channels import EventView, Job, Sent
from app.outbox.transports import (
    Mail,
    MailSender,
    Sms,
    SmsSender,
    mail_sender,
    quiet_until,
    sms_sender,
)
from app.runtime import Runtime

NAME = "notice"

# The SMS gateway's template for staff notices (settings.sms_templates["staff_notice"]): one
# parameter, "subject". Without it notices chosen by SMS are kept in-app.
SMS_TEMPLATE = "staff_notice"


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    email: str | None
    mobile: str | None
    active: bool


def target_of(user_id: int) -> str:
    return f"user:{user_id}"


def user_of(target: str) -> int | None:
    head, _, tail = target.partition(":")
    return int(tail) if head == "user" and tail.isdigit() else None


def notice_text(session: Session, organ_id: int | None, kind: str) -> texts.NoticeTemplate:
    """The organ's own text of this kind, or the default."""
    if organ_id is not None:
        row = session.scalars(
            select(NoticeText).where(NoticeText.organ_id == organ_id, NoticeText.kind == kind)
        ).first()
        if row is not None:
            return texts.NoticeTemplate(subject=row.subject, body=row.body)
    return texts.default_template(kind)


def render_event(
    session: Session, rt: Runtime, event: EventView, user: Recipient
) -> tuple[texts.RenderedNotice, str]:
    """The notice's subject and body, and a note when the organ's text failed (the default
    is used then, so a broken text never stops a warning)."""
    kind = TEXT_OF_EVENT[event.type]
    organ_name = ""
    if event.organ_id is not None:
        organ_name = session.scalar(select(Organ.name).where(Organ.id == event.organ_id)) or ""
    ctx = context_for(rt, event, organ_name=organ_name, user_name=user.name)
    template = notice_text(session, event.organ_id, kind)
    try:
        return texts.render(template, ctx), ""
    except texts.NoticeTextInvalid as exc:
        return texts.render(texts.default_template(kind), ctx), f"organ text failed: {exc.detail}"


def _record_in_app(
    event: EventView, user_id: int, rendered: texts.RenderedNotice, now: datetime
) -> Callable[[Session], None]:
    def after(session: Session) -> None:
        table = table_of(Notice)
        make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        values: dict[str, Any] = {
            "user_id": user_id,
            "organ_id": event.organ_id,
            "case_id": event.case_id,
            "event_uid": event.uid,
            "event_type": event.type,
            "subject": rendered.subject,
            "body": rendered.body,
            "created_at": now,
            "read_at": None,
        }
        session.execute(
            make(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "event_uid"])
        )

    return after


def _by_mail(sender: MailSender, to: str, rendered: texts.RenderedNotice) -> Sent:
    res = sender.send(Mail(to=to, subject=rendered.subject, text=rendered.body))
    result = {"method": "email", **res.as_dict()}
    if res.ok:
        return Sent(True, f"mail accepted by {res.server}", result)
    return Sent(False, res.detail, result, permanent=res.permanent)


@dataclass
class NoticeChannel:
    rt: Runtime
    mail: MailSender | None = None
    sms: SmsSender | None = None
    name: str = NAME

    def plan(self, session: Session, event: EventView) -> list[str]:
        if event.type not in EVENT_KIND:
            return []
        return [target_of(u) for u in wanted(session, event)]

    def send(self, session: Session, job: Job) -> Sent:
        uid = user_of(job.target)
        row = session.get(User, uid) if uid is not None else None
        if row is None or not row.active:
            return Sent(False, f"no active user {job.target}", permanent=True)
        user = Recipient(row.id, row.name, row.email, row.mobile, row.active)
        method = preferences(session, [user.id], EVENT_KIND[job.event.type])[user.id]
        if method == "none":
            return Sent(True, "the user chose no notices of this kind", {"method": "none"})
        rendered, note = render_event(session, self.rt, job.event, user)
        if method == "email" and self.mail is not None and user.email:
            return _by_mail(self.mail, user.email, rendered)
        if method == "sms" and self.sms is not None and user.mobile and self._sms_template:
            return self._by_sms(user.mobile, rendered)
        fallback = "" if method == "in_app" else f"{method} unavailable; in-app instead"
        detail = "; ".join(x for x in ("in-app notice", fallback, note) if x)
        return Sent(
            True,
            detail,
            {"method": "in_app"},
            after=_record_in_app(job.event, user.id, rendered, self.rt.clock()),
        )

    @property
    def _sms_template(self) -> bool:
        return SMS_TEMPLATE in self.rt.settings.sms_templates

    def _by_sms(self, phone: str, rendered: texts.RenderedNotice) -> Sent:
        s = self.rt.settings
        hold = quiet_until(self.rt.clock(), self.rt.tz, s.sms_quiet_start, s.sms_quiet_end)
        if hold is not None:
            return Sent(False, "quiet hours", hold_until=hold)
        assert self.sms is not None
        res = self.sms.send(
            Sms(phone=phone, template=SMS_TEMPLATE, params={"subject": rendered.subject})
        )
        result = {"method": "sms", **res.as_dict()}
        if res.ok:
            return Sent(True, "sent to the SMS gateway", result)
        return Sent(False, res.detail, result, permanent=res.permanent)


def notice_channel(rt: Runtime) -> NoticeChannel:
    """The channel factory: always on (in-app needs nothing configured); e-mail and SMS where
    the deployment configured them."""
    return NoticeChannel(rt, mail=mail_sender(rt), sms=sms_sender(rt))

"""The `email` channel: mail to the applicant.

- ``case.received``: an acknowledgement with the registration number (never the query code)
  to the e-mail the applicant gave.
- ``case.transferred``: where the application went (转办) and its new number.
- ``letter.issued`` of a letter addressed to the applicant who consented to electronic service:
  the letter's issued PDF attached, byte for byte the stored one.

Arrival (RULES §4): in direct mode the recipient's own server answering 250 to DATA is the
arrival, recorded in the delivery's finishing transaction as the letter's arrival (the same
receipt a first download records); in relay mode the relay's acceptance is only "sent", and a
delivery status notification (app/outbox/applicant/dsn.py) records the arrival later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.letters.access import record_arrival
from app.letters.kinds import kind_info
from app.letters.service import stored_pdf
from app.outbox import events as ev
from app.outbox.applicant import repository
from app.outbox.applicant.repository import Contacts
from app.outbox.channels import EventView, Job, Sent
from app.outbox.transports import Attachment, Mail, MailResult, MailSender, domain_of, mail_sender
from app.releases.mailing import log_mailed, released_enclosures, with_note
from app.runtime import Runtime

log = logging.getLogger("gongkai.mail")

CHANNEL = "email"
APPLICANT = "applicant"
# LetterAccess.channel of an arrival the mail system witnessed, and who witnessed it.
MAIL_ARRIVAL = "mail_arrival"
MAIL_SERVER = "mail_server"


# The events mailed to the applicant: the acknowledgement, a letter, a transfer (转办), the
# last week of a reply's released files.
_MAILED = (ev.CASE_RECEIVED, ev.LETTER_ISSUED, ev.CASE_TRANSFERRED, ev.RELEASE_EXPIRING)


def envelope_id(job: Job) -> str:
    """The DSN envelope id of a delivery: its id and its event's (RFC 3461 ENVID)."""
    return f"{job.event.uid}.{job.delivery_id}"


def parse_envelope_id(envid: str) -> tuple[str, int] | None:
    """(event uid, delivery id) of an envelope id this service gave, else None."""
    uid, _, rest = envid.strip().rpartition(".")
    if not uid.startswith("evt_") or not rest.isdigit() or len(rest) > 10:
        return None
    return uid, int(rest)


def _letter_id(event: EventView) -> int | None:
    letter = event.payload.get("letter") or {}
    value = letter.get("id")
    return value if isinstance(value, int) else None


def _receipt_id(event: EventView) -> int | None:
    """The receipt letter issued with a new case, named by its case.received event."""
    letter = event.payload.get("receipt_letter") or {}
    value = letter.get("id")
    return value if isinstance(value, int) else None


def _to_applicant(event: EventView) -> bool:
    letter = event.payload.get("letter") or {}
    return bool(letter.get("to_applicant")) and _letter_id(event) is not None


def acknowledgement(c: Contacts, organ_name: str, organ_phone: str) -> tuple[str, str]:
    """Subject and text of the acknowledgement: the number, never the query code."""
    received = c.receipt_date.isoformat() if c.receipt_date else "待确认"
    contact = f"（电话 {organ_phone}）" if organ_phone else ""
    subject = f"{organ_name}：已收到您的政府信息公开申请（登记编号 {c.number}）"
    text = (
        "您好：\n\n"
        f"{organ_name}已收到您的政府信息公开申请。\n\n"
        f"登记编号：{c.number}\n"
        f"收到申请之日：{received}\n\n"
        "请凭登记编号和提交申请时获得的查询码查询办理进度、下载文书。为保护您的信息，"
        f"本邮件不含查询码；查询码遗失的，请与本机关联系{contact}。\n\n"
        "本邮件由系统自动发送，请勿直接回复。\n"
    )
    return subject, text


def letter_mail_text(
    c: Contacts, organ_name: str, title: str, letter_number: str | None
) -> tuple[str, str]:
    numbered = f"（{letter_number}）" if letter_number else ""
    subject = f"{organ_name}：{title}{numbered}"
    text = (
        "您好：\n\n"
        f"附件为{organ_name}就您的政府信息公开申请（登记编号 {c.number}）出具的"
        f"《{title}》{numbered}，请查收。\n\n"
        "您已同意以电子方式送达，本邮件到达您的邮箱系统之日即为送达之日。"
        "文书亦可凭登记编号和查询码在网上平台下载。\n\n"
        "本邮件由系统自动发送，请勿直接回复。\n"
    )
    return subject, text


def released_expiring_text(
    c: Contacts, organ_name: str, payload: dict[str, Any]
) -> tuple[str, str]:
    """The applicant's reminder that the reply's released files can be downloaded for one more
    week (never the query code)."""
    until = str(payload.get("until") or "")
    titles = "、".join(f"《{f.get('title', '')}》" for f in payload.get("files") or [])
    subject = f"{organ_name}：答复所附公开文件将于{until}后不再提供下载（登记编号 {c.number}）"
    text = (
        "您好：\n\n"
        f"{organ_name}就您的政府信息公开申请（登记编号 {c.number}）作出的答复所附公开文件"
        f"{titles}可下载至{until}，之后不再提供下载。请凭登记编号和查询码在网上平台及时下载。"
        "为保护您的信息，本邮件不含查询码。\n\n"
        "本邮件由系统自动发送，请勿直接回复。\n"
    )
    return subject, text


def transfer_mail_text(c: Contacts, organ_name: str, payload: dict[str, Any]) -> tuple[str, str]:
    """Subject and text telling the applicant where their application went (转办): the organ
    and the new number; the query code they have keeps working (never in the mail)."""
    to_organ = str((payload.get("to_organ") or {}).get("name") or "")
    new_number = str((payload.get("to_case") or {}).get("number") or "")
    filed = payload.get("filing") == "linked_filing"
    how = "已按您的同意代为转交" if filed else "已转至"
    subject = f"{organ_name}：您的申请（登记编号 {c.number}）{how}{to_organ}"
    text = (
        "您好：\n\n"
        f"您向{organ_name}提出的政府信息公开申请（登记编号 {c.number}）{how}{to_organ}"
        f"办理，新登记编号：{new_number}。收到申请之日由{to_organ}确认。\n\n"
        "请凭原登记编号或新登记编号及原查询码查询办理进度。为保护您的信息，本邮件不含查询码。\n\n"
        "本邮件由系统自动发送，请勿直接回复。\n"
    )
    return subject, text


@dataclass
class EmailChannel:
    rt: Runtime
    sender: MailSender
    name: str = CHANNEL

    def plan(self, session: Session, event: EventView) -> list[str]:
        """The applicant, for an acknowledgement or a letter served electronically."""
        if event.case_id is None or event.type not in _MAILED:
            return []
        if event.type == ev.LETTER_ISSUED and not _to_applicant(event):
            return []
        if event.type == ev.LETTER_ISSUED and event.payload.get("at_intake"):
            # The receipt issued with the case goes with the acknowledgement: one mail.
            return []
        if event.type == ev.CASE_RECEIVED and event.payload.get("transferred_in"):
            # A case filed here by a transfer: the transfer mail gave the applicant its number.
            return []
        c = repository.contacts(session, event.case_id)
        if c is None:
            return []
        address = c.service_address if event.type == ev.LETTER_ISSUED else c.mail_address
        return [APPLICANT] if address else []

    def send(self, session: Session, job: Job) -> Sent:
        event = job.event
        c = repository.contacts(session, event.case_id) if event.case_id else None
        if c is None:
            return Sent(False, "案件不存在 / no such case", permanent=True)
        organ = self.rt.organs.by_id(session, c.organ_id)
        if organ is None:
            return Sent(False, "机关不存在 / no such organ", permanent=True)
        sender = organ.settings.mail_from or None
        mailed_files: tuple[int, ...] = ()
        envid = envelope_id(job)
        domain = domain_of(sender or self.sender.config.mail_from) or "localhost"
        # The same Message-ID on every attempt of a delivery, so a receiver sees a repeat.
        message_id = f"<{envid}@{domain}>"
        letter_id: int | None = None
        if event.type == ev.CASE_RECEIVED:
            to = c.mail_address
            subject, text = acknowledgement(c, organ.name, organ.phone)
            attachments: tuple[Attachment, ...] = ()
            receipt = _receipt_id(event)
            if receipt is not None and c.service_address and to == c.service_address:
                # With consent, the registration receipt is served with the acknowledgement.
                letter = repository.letter(session, receipt)
                if letter is not None and letter.status == "issued" and letter.case_id == c.id:
                    letter_id = receipt
                    title = kind_info(letter.kind).title
                    pdf = stored_pdf(session, self.rt, letter).pdf
                    attachments = (Attachment(f"{title}.pdf", pdf),)
        elif event.type == ev.CASE_TRANSFERRED:
            to = c.mail_address
            subject, text = transfer_mail_text(c, organ.name, event.payload)
            attachments = ()
        elif event.type == ev.RELEASE_EXPIRING:
            to = c.mail_address
            subject, text = released_expiring_text(c, organ.name, event.payload)
            attachments = ()
        else:
            to = c.service_address
            letter_id = _letter_id(event)
            letter = repository.letter(session, letter_id) if letter_id else None
            if letter is None or letter.status != "issued" or letter.case_id != c.id:
                return Sent(False, "文书不存在 / no such issued letter", permanent=True)
            title = kind_info(letter.kind).title
            subject, text = letter_mail_text(c, organ.name, title, letter.number)
            # Renders the frozen letter if the worker has not yet: the stored PDF, byte for byte.
            pdf = stored_pdf(session, self.rt, letter).pdf
            attachments = (Attachment(f"{title}.pdf", pdf),)
            # The reply's released files go with it while the mail stays within the size
            # limit; beyond it, the mail says where to download them (app.releases.mailing).
            enclosed = released_enclosures(
                session, self.rt, letter.id, len(pdf), self.rt.settings.mail_max_bytes
            )
            attachments += enclosed.attachments
            text = with_note(text, enclosed.note)
            mailed_files = enclosed.files
        if not to:
            return Sent(False, "申请人未提供邮箱 / no address to send to", permanent=True)
        result = self.sender.send(
            Mail(
                to=to,
                subject=subject,
                text=text,
                sender=sender,
                sender_name=organ.name,
                attachments=attachments,
                envid=envid,
                message_id=message_id,
            )
        )
        return self._sent(job, c.id, letter_id, result, envid, mailed_files)

    def _sent(
        self,
        job: Job,
        case_id: int,
        letter_id: int | None,
        result: MailResult,
        envid: str,
        mailed_files: tuple[int, ...] = (),
    ) -> Sent:
        now = self.rt.clock()
        data = result.as_dict() | {"envid": envid}
        if mailed_files:
            # A DSN that reports the arrival later logs them (app.outbox.applicant.service).
            data["released_files"] = list(mailed_files)
        if not result.ok:
            return Sent(False, result.detail, result=data, permanent=result.permanent)
        if not result.arrived:
            data["sent_at"] = now.isoformat()
            return Sent(True, f"已交中继 / sent to the relay: {result.detail}", result=data)
        data["arrived_at"] = now.isoformat()
        if letter_id is None:
            return Sent(True, f"已到达 / arrived: {result.detail}", result=data)
        evidence = (
            f"邮件回执：收件方邮件服务器 {result.server} 已接收（{result.detail[:80]}），"
            f"Message-ID {result.message_id[:120]}"
        )

        def arrived(session: Session) -> None:
            record_letter_arrival(
                session, self.rt, case_id, letter_id, now, evidence, result.server
            )
            log_mailed(session, self.rt, mailed_files, now)

        return Sent(True, f"已到达 / arrived: {result.detail}", result=data, after=arrived)


def record_letter_arrival(
    session: Session,
    rt: Runtime,
    case_id: int,
    letter_id: int,
    at: datetime,
    evidence: str,
    server: str | None,
) -> bool:
    """Record a mailed letter's arrival (in a savepoint: a refusal by the workflow, or a
    concurrent action, leaves the delivery's own record intact). True if recorded."""
    try:
        with session.begin_nested():
            done = record_arrival(
                session,
                rt,
                case_id=case_id,
                letter_id=letter_id,
                channel=MAIL_ARRIVAL,
                actor_kind=MAIL_SERVER,
                at=at,
                evidence=evidence[:500],
                client=server,
            )
    except Exception:
        log.exception("case %s: the arrival of letter %s was not recorded", case_id, letter_id)
        return False
    return done is not None


def email_channel(rt: Runtime) -> EmailChannel | None:
    """The applicant's mail channel, where SMTP is configured."""
    sender = mail_sender(rt)
    return EmailChannel(rt, sender) if sender else None

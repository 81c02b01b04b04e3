"""The `sms` channel: short notices to an applicant who gave a mobile number.

A letter addressed to the applicant is announced by its notice: a correction notice as
``correction_needed``, a fee notice as ``fee_due``, any other letter as ``letter_issued``, and a transfer
(转办) as ``case_transferred`` — each sent only where the deployment has a template id for it
(settings.sms_templates). The message
carries the registration number, the organ and the letter's title; never the query code.
Inside the do-not-disturb window (settings.sms_quiet_start-end, the service's time zone) a
delivery is held until the window ends, without counting an attempt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.letters.kinds import LetterKind, kind_info
from app.outbox import events as ev
from app.outbox.applicant import repository
from app.outbox.channels import EventView, Job, Sent
from app.outbox.transports import Sms, SmsSender, quiet_until, sms_sender
from app.runtime import Runtime

CHANNEL = "sms"
APPLICANT = "applicant"
# Mainland mobile numbers as app.validation.identity stores them (11 digits, 1[3-9]...).
_MOBILE = re.compile(r"1[3-9]\d{9}")

NOTICES = {
    LetterKind.correction_notice.value: "correction_needed",
    LetterKind.fee_notice.value: "fee_due",
}
LETTER_ISSUED = "letter_issued"
# The notice of a transfer (转办): the old number, the organ, where it went and its new number.
TRANSFERRED = "case_transferred"


def notice_of(kind: str) -> str:
    """The SMS notice a letter of this kind is announced by."""
    return NOTICES.get(kind, LETTER_ISSUED)


def is_mobile(phone: str | None) -> bool:
    return bool(phone) and _MOBILE.fullmatch(phone or "") is not None


@dataclass
class SmsChannel:
    rt: Runtime
    sender: SmsSender
    name: str = CHANNEL

    def plan(self, session: Session, event: EventView) -> list[str]:
        """The applicant, for a letter addressed to them whose notice has a template, or for
        a transfer (转办) where the deployment has a template for it."""
        if event.type == ev.CASE_TRANSFERRED and event.case_id is not None:
            if TRANSFERRED not in self.sender.templates:
                return []
            c = repository.contacts(session, event.case_id)
            return [APPLICANT] if c is not None and is_mobile(c.applicant_phone) else []
        if event.type != ev.LETTER_ISSUED or event.case_id is None:
            return []
        letter = event.payload.get("letter") or {}
        if not letter.get("to_applicant") or not isinstance(letter.get("kind"), str):
            return []
        if notice_of(letter["kind"]) not in self.sender.templates:
            return []
        c = repository.contacts(session, event.case_id)
        return [APPLICANT] if c is not None and is_mobile(c.applicant_phone) else []

    def send(self, session: Session, job: Job) -> Sent:
        s = self.rt.settings
        hold = quiet_until(self.rt.clock(), self.rt.tz, s.sms_quiet_start, s.sms_quiet_end)
        if hold is not None:
            return Sent(
                False, f"免打扰时段，{hold.isoformat()} 后发送 / quiet hours", hold_until=hold
            )
        event = job.event
        c = repository.contacts(session, event.case_id) if event.case_id else None
        if c is None or not is_mobile(c.applicant_phone):
            return Sent(False, "申请人未提供手机号码 / no mobile number", permanent=True)
        organ = self.rt.organs.by_id(session, c.organ_id)
        if event.type == ev.CASE_TRANSFERRED:
            p = event.payload
            transfer = {
                "number": c.number,
                "organ": organ.name if organ else "",
                "to_organ": str((p.get("to_organ") or {}).get("name") or ""),
                "new_number": str((p.get("to_case") or {}).get("number") or ""),
            }
            sent = self.sender.send(Sms(c.applicant_phone, TRANSFERRED, transfer))
            return Sent(
                sent.ok,
                sent.detail or ("sent" if sent.ok else "failed"),
                result=sent.as_dict() | {"notice": TRANSFERRED},
                permanent=sent.permanent,
            )
        letter = event.payload.get("letter") or {}
        kind = str(letter.get("kind"))
        try:
            title = kind_info(kind).title
        except (KeyError, ValueError):
            title = ""
        params = {
            "number": c.number,
            "organ": organ.name if organ else "",
            "letter": title,
            "letter_number": str(letter.get("number") or ""),
        }
        result = self.sender.send(Sms(c.applicant_phone, notice_of(kind), params))
        return Sent(
            result.ok,
            result.detail or ("sent" if result.ok else "failed"),
            result=result.as_dict() | {"notice": notice_of(kind)},
            permanent=result.permanent,
        )


def sms_channel(rt: Runtime) -> SmsChannel | None:
    """The applicant's SMS channel, where a gateway is configured."""
    sender = sms_sender(rt)
    return SmsChannel(rt, sender) if sender else None

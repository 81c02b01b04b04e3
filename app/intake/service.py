"""Intake: an online submission or a staff registration becomes a registered case."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import append_event
from app.auth.principal import APPLICANT, Actor, Principal
from app.auth.secrets import keyed_hash, new_query_code, normalize_query_code
from app.cases import repository as cases_repo
from app.deadline.initial import deadlines_from_receipt
from app.errors import InvalidInput, NotFound
from app.intake import idempotency
from app.intake.rules import Receipt, applicant_and_delivery_errors, staff_receipt
from app.intake.schemas import (
    ApplicationCreate,
    CaseReceipt,
    DeadlineRead,
    IntakeFields,
    StaffCaseCreate,
)
from app.intake.uploads import CheckedUpload, Upload, check_uploads
from app.intake.vocabulary import Channel, ReceiptBasis
from app.models import Attachment, Case, CaseItem, Organ
from app.organs import repository as organs_repo
from app.organs.numbering import format_number
from app.organs.settings import organ_settings
from app.runtime import Runtime

REGISTRATION_COUNTER = "registration"


@dataclass(frozen=True)
class Submitted:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def submit_online(
    session: Session,
    rt: Runtime,
    data: ApplicationCreate,
    uploads: list[Upload],
    *,
    idempotency_key: str | None,
) -> Submitted:
    """Register an application sent through the public online form."""
    now = rt.clock()
    checked = _check_uploads(rt, uploads)
    organ = organs_repo.organ_by_code(session, data.organ_code)
    if organ is None:
        raise InvalidInput(("body", "organ_code"), f"机关 {data.organ_code} 不存在 / unknown organ")
    _raise_if(applicant_and_delivery_errors(data))
    receipt = None
    if organ_settings(organ.settings).online_auto_confirm:
        # RULES §3 [interpretation]: an instant acknowledgement with a registration number makes
        # the submission day the day both sides confirm.
        receipt = Receipt(
            now.astimezone(rt.tz).date(), ReceiptBasis.platform_ack, "网上申请平台即时回执"
        )

    def work() -> tuple[CaseReceipt, int]:
        return _create_case(
            session,
            rt,
            organ,
            data,
            checked,
            channel=Channel.online,
            source="portal",
            arrived_at=now,
            receipt=receipt,
            actor=APPLICANT,
            action="submit",
            now=now,
        )

    return _idempotent(
        session,
        rt,
        f"applications:{organ.code}",
        idempotency_key,
        _fingerprint(data, checked),
        now,
        work,
    )


def register(
    session: Session,
    rt: Runtime,
    principal: Principal,
    data: StaffCaseCreate,
    uploads: list[Upload],
    *,
    idempotency_key: str | None,
) -> Submitted:
    """Register an application received at the counter, by post, fax or e-mail."""
    now = rt.clock()
    checked = _check_uploads(rt, uploads)
    assert principal.organ_id is not None  # the router admits organ staff only
    organ = organs_repo.organ_by_id(session, principal.organ_id)
    assert organ is not None
    arrived = data.arrived_at if data.arrived_at.tzinfo else data.arrived_at.replace(tzinfo=rt.tz)
    receipt, errors = staff_receipt(
        data, arrived_local=arrived.astimezone(rt.tz), now_local=now.astimezone(rt.tz)
    )
    _raise_if(applicant_and_delivery_errors(data) + errors)

    def work() -> tuple[CaseReceipt, int]:
        return _create_case(
            session,
            rt,
            organ,
            data,
            checked,
            channel=data.channel,
            source="staff",
            arrived_at=arrived,
            receipt=receipt,
            actor=Actor.of(principal),
            action="register",
            now=now,
            filled_by_staff=data.filled_by_staff,
            staff_note=data.staff_note,
            created_by_id=principal.user_id,
        )

    return _idempotent(
        session,
        rt,
        f"cases:user:{principal.user_id}",
        idempotency_key,
        _fingerprint(data, checked),
        now,
        work,
    )


def _check_uploads(rt: Runtime, uploads: list[Upload]) -> list[CheckedUpload]:
    s = rt.settings
    return check_uploads(uploads, max_count=s.max_attachments, max_bytes=s.max_attachment_bytes)


def _raise_if(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise (
            InvalidInput(tuple(errors[0]["loc"]), errors[0]["msg"])
            if len(errors) == 1
            else _many(errors)
        )


def _many(errors: list[dict[str, Any]]) -> InvalidInput:
    exc = InvalidInput(tuple(errors[0]["loc"]), "；".join(e["msg"] for e in errors))
    exc.extra["errors"] = errors
    return exc


def _fingerprint(data: IntakeFields, uploads: list[CheckedUpload]) -> str:
    files = [[u.filename, hashlib.sha256(u.data).hexdigest()] for u in uploads]
    return idempotency.fingerprint({"data": data.model_dump(mode="json"), "files": files})


def _idempotent(
    session: Session,
    rt: Runtime,
    scope: str,
    key: str | None,
    request_hash: str,
    now: datetime,
    work: Callable[[], tuple[CaseReceipt, int]],
) -> Submitted:
    if key is None:
        receipt, _ = work()
        return Submitted(201, receipt.model_dump(mode="json"), replayed=False)
    ttl = timedelta(hours=rt.settings.idempotency_ttl_hours)
    claimed = idempotency.claim(
        session,
        scope=scope,
        key=idempotency.check_key(key),
        request_hash=request_hash,
        now=now,
        ttl=ttl,
    )
    if isinstance(claimed, idempotency.StoredResponse):
        return Submitted(claimed.status_code, claimed.body, replayed=True)
    receipt, case_id = work()
    body = receipt.model_dump(mode="json")
    idempotency.complete(claimed, status_code=201, body=body, case_id=case_id)
    return Submitted(201, body, replayed=False)


def _create_case(
    session: Session,
    rt: Runtime,
    organ: Organ,
    fields: IntakeFields,
    uploads: list[CheckedUpload],
    *,
    channel: Channel,
    source: str,
    arrived_at: datetime,
    receipt: Receipt | None,
    actor: Actor,
    action: str,
    now: datetime,
    filled_by_staff: bool = False,
    staff_note: str | None = None,
    created_by_id: int | None = None,
) -> tuple[CaseReceipt, int]:
    year = now.astimezone(rt.tz).year
    seq = organs_repo.next_counter_value(
        session, organ_id=organ.id, year=year, kind=REGISTRATION_COUNTER
    )
    number = format_number(organ.number_pattern, code=organ.code, year=year, seq=seq)
    query_code = new_query_code()
    state = "received" if receipt else "awaiting_confirmation"
    deadlines = deadlines_from_receipt(rt.calendar, receipt.date) if receipt else []
    due = {d.name: d for d in deadlines}
    a = fields.applicant
    stored = [(u, rt.store.put(u.data)) for u in uploads]
    case = Case(
        organ_id=organ.id,
        number=number,
        year=year,
        seq=seq,
        state=state,
        source=source,
        channel=channel,
        arrived_at=arrived_at,
        receipt_date=receipt.date if receipt else None,
        receipt_basis=receipt.basis if receipt else None,
        receipt_evidence=receipt.evidence if receipt else None,
        filled_by_staff=filled_by_staff,
        staff_note=staff_note,
        applicant_category=a.category,
        applicant_name=a.name,
        applicant_id_type=a.id_type,
        applicant_id_number=a.id_number,
        applicant_phone=a.phone,
        applicant_email=a.email,
        applicant_address=a.address,
        applicant_postal_code=a.postal_code,
        applicant_legal_representative=a.legal_representative,
        applicant_contact_person=a.contact_person,
        delivery_form=fields.delivery.form,
        delivery_method=fields.delivery.method,
        e_service_consent=fields.e_service_consent,
        e_service_address=(fields.e_service_address or a.email)
        if fields.e_service_consent
        else None,
        query_code_hash=keyed_hash(rt.token_key, normalize_query_code(query_code)),
        created_by_id=created_by_id,
        reply_due=due["reply"].due_date if deadlines else None,
        reply_due_provisional=due["reply"].provisional if deadlines else False,
        correction_notice_due=due["correction_notice"].due_date if deadlines else None,
        created_at=now,
        updated_at=now,
        items=[
            CaseItem(position=i, description=item.description, document_number=item.document_number)
            for i, item in enumerate(fields.items, start=1)
        ],
        attachments=[
            Attachment(
                filename=u.filename,
                content_type=u.content_type,
                size=len(u.data),
                sha256=digest,
                created_at=now,
            )
            for u, digest in stored
        ],
    )
    cases_repo.add_case(session, case)
    append_event(
        session,
        case_id=case.id,
        action=action,
        from_state=None,
        to_state=state,
        actor=actor,
        now=now,
        workflow_version=rt.workflow.version,
        payload={
            "after": {
                "number": number,
                "state": state,
                "channel": channel,
                "source": source,
                "arrived_at": arrived_at,
                "receipt_date": case.receipt_date,
                "receipt_basis": case.receipt_basis,
                "receipt_evidence": case.receipt_evidence,
                "filled_by_staff": filled_by_staff,
                "items": len(fields.items),
                "attachments": [digest for _, digest in stored],
                "deadlines": {d.name: d.due_date for d in deadlines},
            }
        },
    )
    result = CaseReceipt(
        id=case.id,
        number=number,
        query_code=query_code,
        state=state,
        state_label=rt.workflow.label(state),
        receipt_date=case.receipt_date,
        receipt_basis=receipt.basis if receipt else None,
        deadlines=[DeadlineRead.model_validate(d, from_attributes=True) for d in deadlines],
        version=case.version,
    )
    return result, case.id


def find_own_case(session: Session, rt: Runtime, number: str, code: str, client: str) -> Case:
    """The applicant's case when the query code matches; unknown number and wrong code look alike."""
    now = rt.clock()
    subjects = [f"number:{number}", f"client:{client}"]
    rt.brake.check(subjects, now)
    case = cases_repo.case_by_number(session, number)
    presented = keyed_hash(rt.token_key, normalize_query_code(code))
    stored = case.query_code_hash if case is not None else "0" * 64
    if case is None or not hmac.compare_digest(presented, stored):
        rt.brake.record_failure(subjects, now)
        raise NotFound("未找到该申请，或查询码不正确 / no application with this number and code")
    return case

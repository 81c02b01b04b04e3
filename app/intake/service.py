"""Intake: an online submission or a staff registration becomes a registered case."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import APPLICANT, Actor, Principal
from app.auth.secrets import keyed_hash, new_query_code, normalize_query_code
from app.case_types import RECORD_CORRECTION
from app.deadline.cache import cache_from
from app.deadline.calendar import WorkCalendar
from app.deadline.ledger import Received, compute_deadlines
from app.deadline.schemas import DeadlineRead
from app.deadline.views import deadline_read
from app.errors import InvalidInput
from app.intake import idempotency
from app.intake.rules import Receipt, applicant_and_delivery_errors, staff_receipt
from app.intake.schemas import (
    ApplicationCreate,
    CaseReceipt,
    IntakeFields,
    StaffCaseCreate,
)
from app.intake.uploads import CheckedUpload, Upload, check_configured
from app.letters.context import CaseSnapshot, DueDate, ItemRef, due_dates_of
from app.organs import repository as organs_repo
from app.organs.directory import OrganInfo
from app.organs.numbering import format_number
from app.reports.lock import guard_new_case
from app.reports.periods import CaseStats
from app.runtime import Runtime
from app.vocabulary import Channel, ReceiptBasis
from app.workflow.write import NewIds, Registration, record_registration

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
    organ = rt.organs.by_code(session, data.organ_code)
    if organ is None:
        raise InvalidInput(("body", "organ_code"), f"机关 {data.organ_code} 不存在 / unknown organ")
    _raise_if(
        applicant_and_delivery_errors(data) + _evidence_errors(data, checked, None, staff=False)
    )
    receipt = None
    if organ.settings.online_auto_confirm:
        # RULES §3 [interpretation]: an instant acknowledgement with a registration number makes
        # the submission day the day both sides confirm.
        receipt = Receipt(
            now.astimezone(rt.tz).date(), ReceiptBasis.platform_ack, "网上申请平台即时回执"
        )

    new = _prepare(
        rt,
        data,
        checked,
        organ=organ,
        channel=Channel.online,
        source="portal",
        arrived_at=now,
        receipt=receipt,
        now=now,
        filled_by_staff=False,
        staff_note=None,
        created_by_id=None,
    )

    def work() -> tuple[CaseReceipt, int]:
        return _create_case(session, rt, organ, new, actor=APPLICANT, action="submit", now=now)

    scope = f"applications:{organ.code}"
    return _idempotent(session, rt, scope, idempotency_key, (data, checked), now, work)


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
    organ = rt.organs.by_id(session, principal.organ_id)
    assert organ is not None
    arrived = data.arrived_at if data.arrived_at.tzinfo else data.arrived_at.replace(tzinfo=rt.tz)
    receipt, errors = staff_receipt(
        data, arrived_local=arrived.astimezone(rt.tz), now_local=now.astimezone(rt.tz)
    )
    _raise_if(
        applicant_and_delivery_errors(data)
        + errors
        + _evidence_errors(data, checked, data.staff_note, staff=True)
    )

    new = _prepare(
        rt,
        data,
        checked,
        organ=organ,
        channel=data.channel,
        source="staff",
        arrived_at=arrived,
        receipt=receipt,
        now=now,
        filled_by_staff=data.filled_by_staff,
        staff_note=data.staff_note,
        created_by_id=principal.user_id,
    )
    actor = Actor.of(principal)

    def work() -> tuple[CaseReceipt, int]:
        return _create_case(session, rt, organ, new, actor=actor, action="register", now=now)

    scope = f"cases:user:{principal.user_id}"
    return _idempotent(session, rt, scope, idempotency_key, (data, checked), now, work)


def _check_uploads(rt: Runtime, uploads: list[Upload]) -> list[CheckedUpload]:
    return check_configured(uploads, rt.settings)


def _evidence_errors(
    data: IntakeFields, uploads: list[CheckedUpload], staff_note: str | None, *, staff: bool
) -> list[dict[str, Any]]:
    """A correction request (Art. 41) comes with the evidence that the records are wrong: as
    attachments, or — registered by staff from paper — described in the registration note."""
    if data.case_type != RECORD_CORRECTION or uploads or staff_note:
        return []
    return [
        {
            "loc": ["body", "attachments"],
            "msg": "更正申请须附证据材料 / a correction request needs its evidence attached"
            + ("（或在登记备注中说明）/ (or described in staff_note)" if staff else ""),
        }
    ]


def _raise_if(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise InvalidInput.many(errors)


def _fingerprint(data: IntakeFields, uploads: list[CheckedUpload]) -> str:
    files = [[u.filename, hashlib.sha256(u.data).hexdigest()] for u in uploads]
    return idempotency.fingerprint({"data": data.model_dump(mode="json"), "files": files})


def _idempotent(
    session: Session,
    rt: Runtime,
    scope: str,
    key: str | None,
    request: tuple[IntakeFields, list[CheckedUpload]],
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
        request_hash=_fingerprint(*request),
        now=now,
        ttl=ttl,
    )
    if isinstance(claimed, idempotency.StoredResponse):
        return Submitted(claimed.status_code, claimed.body, replayed=True)
    receipt, case_id = work()
    body = receipt.model_dump(mode="json")
    idempotency.complete(claimed, status_code=201, body=body, case_id=case_id)
    return Submitted(201, body, replayed=False)


@dataclass(frozen=True)
class _Typed:
    case_type: str


@dataclass(frozen=True)
class _NewCase:
    """Everything about a new case that needs no database, computed before the write lock."""

    query_code: str
    state: str
    deadlines: list[DeadlineRead]
    due: dict[str, DueDate]
    values: dict[str, Any]
    items: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    ledger: list[Received]


def _prepare(
    rt: Runtime,
    fields: IntakeFields,
    uploads: list[CheckedUpload],
    *,
    organ: OrganInfo,
    channel: Channel,
    source: str,
    arrived_at: datetime,
    receipt: Receipt | None,
    now: datetime,
    filled_by_staff: bool,
    staff_note: str | None,
    created_by_id: int | None,
) -> _NewCase:
    query_code = new_query_code()
    state = "received" if receipt else "awaiting_confirmation"
    ledger = [_received(fields.case_type, receipt.date, organ)] if receipt else []
    today = now.astimezone(rt.tz).date()
    views = _deadline_views(
        rt.calendar, tuple(ledger), today, fee_pauses=organ.settings.fee_pauses_clock
    )
    deadlines, due, cached = list(views.deadlines), dict(views.due), views.cached
    a = fields.applicant
    values: dict[str, Any] = {
        "organ_id": organ.id,
        "case_type": fields.case_type,
        "state": state,
        "version": 1,
        "source": source,
        "channel": channel,
        "arrived_at": arrived_at,
        "receipt_date": receipt.date if receipt else None,
        "receipt_basis": receipt.basis if receipt else None,
        "receipt_evidence": receipt.evidence if receipt else None,
        "filled_by_staff": filled_by_staff,
        "staff_note": staff_note,
        "applicant_category": a.category,
        "applicant_name": a.name,
        "applicant_id_type": a.id_type,
        "applicant_id_number": a.id_number,
        "applicant_phone": a.phone,
        "applicant_email": a.email,
        "applicant_address": a.address,
        "applicant_postal_code": a.postal_code,
        "applicant_legal_representative": a.legal_representative,
        "applicant_contact_person": a.contact_person,
        "delivery_form": fields.delivery.form,
        "delivery_method": fields.delivery.method,
        "e_service_consent": fields.e_service_consent,
        "e_service_address": (fields.e_service_address or a.email)
        if fields.e_service_consent
        else None,
        "transfer_consent": fields.transfer_consent,
        "query_code_hash": keyed_hash(rt.token_key, normalize_query_code(query_code)),
        "created_by_id": created_by_id,
        **cached,
        "created_at": now,
        "updated_at": now,
    }
    items = [
        {"position": i, "description": item.description, "document_number": item.document_number}
        for i, item in enumerate(fields.items, start=1)
    ]
    # Files are content-addressed: one written by a request that later rolls back is harmless.
    attachments = [
        {
            "filename": u.filename,
            "content_type": u.content_type,
            "size": len(u.data),
            "sha256": rt.store.put(u.data),
            "created_at": now,
        }
        for u in uploads
    ]
    return _NewCase(query_code, state, deadlines, due, values, items, attachments, ledger)


@dataclass(frozen=True)
class _DeadlineViews:
    deadlines: tuple[DeadlineRead, ...]
    due: dict[str, DueDate]
    cached: dict[str, Any]


# A new case's deadlines depend only on its receipt (date, period), today, the organ's fee
# setting and the calendar: the applications of one day share them. Computing them with their
# explanations in two languages is a tenth of an application's CPU, so they are kept here for
# the day, keyed by the calendar's content hash (a reloaded calendar gets new entries).
_VIEWS_MAX = 256
_views: dict[tuple[Any, ...], _DeadlineViews] = {}


def _deadline_views(
    calendar: WorkCalendar, ledger: tuple[Received, ...], today: date, *, fee_pauses: bool
) -> _DeadlineViews:
    key = (calendar.version, ledger, today, fee_pauses)
    hit = _views.get(key)
    if hit is not None:
        return hit
    computed = compute_deadlines(list(ledger), calendar, today=today, fee_pauses_clock=fee_pauses)
    views = _DeadlineViews(
        tuple(deadline_read(d) for d in computed), due_dates_of(computed), cache_from(computed)
    )
    if len(_views) >= _VIEWS_MAX:
        _views.clear()
    _views[key] = views
    return views


def _received(case_type: str, on: date, organ: OrganInfo) -> Received:
    """The receipt that starts the case's reply clock: Art. 33's 20 WD for an FOI application,
    the organ's period for a correction request (Art. 41 sets none)."""
    if case_type == RECORD_CORRECTION:
        return Received(on=on, period_wd=organ.settings.record_correction_period_wd, basis="art41")
    return Received(on=on)


def _create_case(
    session: Session,
    rt: Runtime,
    organ: OrganInfo,
    new: _NewCase,
    *,
    actor: Actor,
    action: str,
    now: datetime,
) -> tuple[CaseReceipt, int]:
    # The write lock is taken here, by the counter: keep what follows short.
    year = now.astimezone(rt.tz).year
    # The 登记回执 acknowledges an FOI application (Arts. 31, 33); a correction request's
    # acknowledgement is its registration number and query code.
    with_receipt = (
        new.values["receipt_date"] is not None and new.values["case_type"] != RECORD_CORRECTION
    )
    counted = organs_repo.next_counter_value_and_locked(
        session,
        organ_id=organ.id,
        year=year,
        kind=REGISTRATION_COUNTER,
        reserve=NewIds.tables(receipt=with_receipt),
    )
    seq = counted.value
    if (
        counted.locked
        and new.values["receipt_date"] is not None
        and new.values["case_type"] != RECORD_CORRECTION
    ):
        # A receipt date in a published year would change that year's numbers (RULES §8).
        # Refused here, the transaction rolls back with the counter's increment.
        guard_new_case(
            session,
            organ.id,
            CaseStats(new.values["receipt_date"], None, None, new.values["applicant_category"]),
        )
    number = format_number(organ.number_pattern, code=organ.code, year=year, seq=seq)
    v = {**new.values, "number": number, "year": year, "seq": seq}
    wf = rt.workflow_for(_Typed(v["case_type"]))
    receipt = partial(_snapshot, rt, new, number=number) if with_receipt else None
    ids = NewIds.of(counted.ids, receipt=with_receipt)
    case_id = ids.case
    record_registration(
        session,
        rt,
        organ,
        Registration(
            values=v,
            items=new.items,
            attachments=new.attachments,
            state=new.state,
            ledger=new.ledger if v["receipt_date"] is not None else (),
            deadlines=new.deadlines,
            due=new.due,
            receipt=receipt,
        ),
        ids,
        workflow_version=wf.version,
        actor=actor,
        action=action,
        now=now,
    )
    result = CaseReceipt(
        id=case_id,
        number=number,
        query_code=new.query_code,
        state=new.state,
        state_label=wf.label(new.state),
        receipt_date=v["receipt_date"],
        receipt_basis=v["receipt_basis"],
        deadlines=new.deadlines,
        version=1,
    )
    return result, case_id


def _snapshot(rt: Runtime, new: _NewCase, case_id: int, *, number: str) -> CaseSnapshot:
    v = new.values
    return CaseSnapshot(
        id=case_id,
        number=number,
        state=new.state,
        channel=v["channel"],
        arrived_on=v["arrived_at"].astimezone(rt.tz).date(),
        receipt_date=v["receipt_date"],
        receipt_basis=v["receipt_basis"],
        applicant_category=v["applicant_category"],
        applicant_name=v["applicant_name"],
        applicant_phone=v["applicant_phone"],
        applicant_email=v["applicant_email"],
        applicant_address=v["applicant_address"],
        applicant_postal_code=v["applicant_postal_code"],
        applicant_contact_person=v["applicant_contact_person"],
        delivery_form=v["delivery_form"],
        delivery_method=v["delivery_method"],
        e_service_consent=v["e_service_consent"],
        e_service_address=v["e_service_address"],
        items=tuple(ItemRef(**item) for item in new.items),
    )

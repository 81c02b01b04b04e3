"""Filing a case anew at another organ on the platform, from the case the applicant sent.

The new case is the same submission — applicant, items, delivery, attachments (stored by hash:
the same files), the same query code — registered with the receiving organ's own counter and
number, awaiting that organ's confirmation of receipt (its receipt date, RULES §3), and
pointing back at the case it came from. It is written through the one write path
(`record_registration`); the first case's side (its link and event) is the `Filed` that the
engine records with the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Actor
from app.deadline.cache import cache_from
from app.deadline.ledger import compute_deadlines
from app.deadline.views import deadline_read
from app.intake.service import REGISTRATION_COUNTER
from app.models import Case
from app.organs import repository as organs_repo
from app.organs.directory import OrganInfo
from app.organs.numbering import format_number
from app.outbox.service import CaseRef, transferred_messages
from app.runtime import Runtime
from app.workflow.decision import CaseUpdate, Filed
from app.workflow.write import NewIds, Registration, record_registration

# The first event of a case filed from another organ's (the creation event of its chain).
TRANSFER_IN = "transfer_in"
# What the filing was: 转办 before receipt, or filed for the applicant after a reply.
TRANSFER = "transfer"
LINKED_FILING = "linked_filing"
_AWAITING = "awaiting_confirmation"

# The columns the new case takes over from the first: the submission as the applicant sent it.
_SUBMISSION = (
    "case_type",
    "source",
    "channel",
    "filled_by_staff",
    "applicant_category",
    "applicant_name",
    "applicant_id_type",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "applicant_postal_code",
    "applicant_legal_representative",
    "applicant_contact_person",
    "delivery_form",
    "delivery_method",
    "e_service_consent",
    "e_service_address",
    "query_code_hash",
    "transfer_consent",
)


@dataclass(frozen=True)
class FiledCase:
    id: int
    number: str


def _organ(o: OrganInfo) -> dict[str, str]:
    return {"code": o.code, "name": o.name}


def file_at(
    session: Session,
    rt: Runtime,
    case: Case,
    *,
    from_organ: OrganInfo,
    to: OrganInfo,
    kind: str,
    reason: str | None,
    state: str,
    actor: Actor,
    now: datetime,
) -> Filed:
    """File `case` (its items and attachments loaded) anew at organ `to`; answer the link and
    the event the first case records with the action that filed it (which moves it to
    `state`)."""
    year = now.astimezone(rt.tz).year
    # The receiving organ's counter is its write lock: what follows stays short.
    counted = organs_repo.next_counter_value_and_locked(
        session,
        organ_id=to.id,
        year=year,
        kind=REGISTRATION_COUNTER,
        reserve=NewIds.tables(receipt=False),
    )
    number = format_number(to.number_pattern, code=to.code, year=year, seq=counted.value)
    ids = NewIds.of(counted.ids, receipt=False)
    today = now.astimezone(rt.tz).date()
    computed = compute_deadlines(
        [], rt.calendar, today=today, fee_pauses_clock=to.settings.fee_pauses_clock
    )
    values: dict[str, Any] = {name: getattr(case, name) for name in _SUBMISSION}
    values |= {
        "organ_id": to.id,
        "number": number,
        "year": year,
        "seq": counted.value,
        "state": _AWAITING,
        "version": 1,
        # It arrives at the receiving organ now; that organ confirms its own receipt date.
        "arrived_at": now,
        "receipt_date": None,
        "receipt_basis": None,
        "receipt_evidence": None,
        "staff_note": None,
        "created_by_id": None,
        "transferred_from_id": case.id,
        **cache_from(computed),
        "created_at": now,
        "updated_at": now,
    }
    items = [
        {"position": i.position, "description": i.description, "document_number": i.document_number}
        for i in case.items
    ]
    attachments = [
        {
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
            "purpose": a.purpose,
            "created_at": a.created_at,
        }
        for a in case.attachments
    ]
    came_from = {
        "kind": kind,
        "from_organ": _organ(from_organ),
        "from_case": {"id": case.id, "number": case.number},
        "reason": reason,
    }
    record_registration(
        session,
        rt,
        to,
        Registration(
            values=values,
            items=items,
            attachments=attachments,
            state=_AWAITING,
            ledger=(),
            deadlines=[deadline_read(d) for d in computed],
            due={},
            receipt=None,
            transfer=came_from,
        ),
        ids,
        workflow_version=rt.workflow_for(case).version,
        actor=actor,
        action=TRANSFER_IN,
        now=now,
    )
    went_to = {
        "kind": kind,
        "to_organ": _organ(to),
        "to_case": {"id": ids.case, "number": number},
        "reason": reason,
    }
    old = CaseRef(case.id, case.organ_id, case.number, case.case_type, state)
    new = CaseRef(ids.case, to.id, number, case.case_type, _AWAITING)
    # The reply that names the organ says where the application went (filed for the applicant).
    letter_params = (
        {"reply": {"filed_at": {"organ": to.name, "number": number}}}
        if kind == LINKED_FILING
        else {}
    )
    return Filed(
        update=CaseUpdate(transferred_to_id=ids.case),
        event=went_to,
        letter_params=letter_params,
        messages=tuple(
            transferred_messages(
                old, new, kind=kind, from_organ=_organ(from_organ), to_organ=_organ(to)
            )
        ),
    )

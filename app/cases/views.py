"""Turning a case row into its staff or applicant view (masking where the view asks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from app.assignment.refs import Handling
from app.case_types import CASE_TYPE_LABELS, RECORD_CORRECTION_OUTCOMES
from app.cases import applicant
from app.cases.schemas import (
    ApplicantCaseView,
    ApplicantEventRead,
    ApplicantRead,
    AttachmentRead,
    CaseRead,
    CaseSummary,
    DeliveryRead,
    InspectionRead,
    ItemRead,
    LinkedCaseRead,
    NoticePendingRead,
    OrganRef,
    RemedyRead,
    ReviewRead,
    ServiceRead,
    TransferRead,
)
from app.communications.schemas import ContactSummary
from app.consultations.schemas import ConsultationRead
from app.deadline.schemas import DeadlineRead
from app.letters.kinds import kind_info
from app.models import Case
from app.outcomes import OUTCOMES
from app.validation.masking import (
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_person_name,
    mask_phone,
)
from app.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS, ApplicantCategory, Channel
from app.workflow.definition import WorkflowDef


def _is_person(case: Case) -> bool:
    return case.applicant_category == ApplicantCategory.natural_person


def applicant_read(case: Case, *, masked: bool) -> ApplicantRead:
    """The applicant block, masked for lists and the applicant's own view."""
    person = _is_person(case)

    def m(value: str | None, fn: Callable[[str], str]) -> str | None:
        return fn(value) if masked and value is not None else value

    return ApplicantRead(
        category=case.applicant_category,
        category_label=CATEGORY_LABELS[ApplicantCategory(case.applicant_category)],
        name=mask_name(case.applicant_name, is_person=person) if masked else case.applicant_name,
        id_type=case.applicant_id_type,
        id_number=mask_id_number(case.applicant_id_number) if masked else case.applicant_id_number,
        phone=mask_phone(case.applicant_phone) if masked else case.applicant_phone,
        email=m(case.applicant_email, mask_email),
        address=m(case.applicant_address, mask_address),
        postal_code=case.applicant_postal_code,
        legal_representative=case.applicant_legal_representative,
        contact_person=m(case.applicant_contact_person, mask_person_name),
    )


def _items(case: Case) -> list[ItemRead]:
    return [
        ItemRead(position=i.position, description=i.description, document_number=i.document_number)
        for i in case.items
    ]


def case_read(
    case: Case,
    *,
    organ_code: str,
    workflow: WorkflowDef,
    deadlines: list[DeadlineRead],
    allowed_actions: list[str],
    consultations: list[ConsultationRead],
    pending: tuple[str, date] | None = None,
    mail_failed: bool = False,
    handling: Handling = (None, None),
    linked: Linked | None = None,
) -> CaseRead:
    """The full staff view."""
    linked = linked or {}
    return CaseRead(
        id=case.id,
        number=case.number,
        organ_code=organ_code,
        case_type=case.case_type,
        case_type_label=CASE_TYPE_LABELS[case.case_type],
        state=case.state,
        state_label=workflow.label(case.state),
        version=case.version,
        source=case.source,
        channel=case.channel,
        channel_label=CHANNEL_LABELS[Channel(case.channel)],
        arrived_at=case.arrived_at,
        receipt_date=case.receipt_date,
        receipt_basis=case.receipt_basis,
        receipt_evidence=case.receipt_evidence,
        filled_by_staff=case.filled_by_staff,
        staff_note=case.staff_note,
        applicant=applicant_read(case, masked=False),
        items=_items(case),
        delivery=DeliveryRead(form=case.delivery_form, method=case.delivery_method),
        e_service_consent=case.e_service_consent,
        e_service_address=case.e_service_address,
        attachments=[
            AttachmentRead(
                id=a.id,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                purpose=a.purpose,
            )
            for a in case.attachments
        ],
        deadlines=deadlines,
        allowed_actions=allowed_actions,
        consultations=consultations,
        review=_review(case),
        outcome=case.outcome,
        outcome_label=outcome_label(case.outcome),
        concluded_on=case.concluded_on,
        reply_late=case.reply_late,
        service=ServiceRead(
            method=case.service_method, served_on=case.served_on, on_time=case.served_on_time
        )
        if case.served_on is not None and case.service_method is not None
        else None,
        notice_pending_receipt=notice_pending_read(pending),
        inspection=_inspection(case.inspection),
        mail_failed=mail_failed,
        assignee=handling[0],
        department=handling[1],
        transfer_consent=case.transfer_consent,
        transferred_from=linked_read(case.transferred_from_id, linked),
        transferred_to=linked_read(case.transferred_to_id, linked),
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


# Case id -> (number, organ code, organ name, state) of the cases a transfer links.
Linked = dict[int, tuple[str, str, str, str]]
TRANSFERRED = "transferred"


def linked_read(case_id: int | None, linked: Linked) -> LinkedCaseRead | None:
    """The linked case's reference, where the case has one."""
    if case_id is None or case_id not in linked:
        return None
    number, code, name, _ = linked[case_id]
    return LinkedCaseRead(id=case_id, number=number, organ=OrganRef(code=code, name=name))


def transfer_read(case: Case, linked: Linked) -> TransferRead | None:
    """What the applicant reads of the transfer that brought their application here, or —
    answered here and filed at the responsible organ with their consent — where it went."""
    here = linked.get(case.id)
    if case.transferred_to_id is not None and case.transferred_to_id in linked and here:
        number, _, name, _ = linked[case.transferred_to_id]
        return TransferRead(
            from_number=case.number,
            from_organ_name=here[2],
            number=number,
            organ_name=name,
            kind="linked_filing",
            text=f"根据您的同意，本机关已将您的申请转交{name}，新登记编号 {number}；"
            "可以凭新登记编号和原查询码查询该机关的办理进度。",
        )
    if case.transferred_from_id is None or case.transferred_from_id not in linked:
        return None
    number, _, name, state = linked[case.transferred_from_id]
    organ_name = here[2] if here else ""
    # Transferred before receipt, or filed here for the applicant after the first organ's reply.
    kind = "transfer" if state == TRANSFERRED else "linked_filing"
    how = "已转办至" if kind == "transfer" else "已代为转交"
    return TransferRead(
        from_number=number,
        from_organ_name=name,
        number=case.number,
        organ_name=organ_name,
        kind=kind,
        text=f"您向{name}提出的申请（登记编号 {number}）{how}{organ_name}，新登记编号 "
        f"{case.number}；原登记编号和查询码仍可查询。",
    )


PENDING_RECEIPT_LABEL = "已发出，未确认送达 / sent, not yet received"


def notice_pending_read(pending: tuple[str, date] | None) -> NoticePendingRead | None:
    """The notice awaiting the applicant's receipt, as staff see it."""
    if pending is None:
        return None
    kind, sent_on = pending
    return NoticePendingRead(
        kind=kind, title=kind_info(kind).title, sent_on=sent_on, status_label=PENDING_RECEIPT_LABEL
    )


def _inspection(raw: dict[str, Any] | None) -> InspectionRead | None:
    if raw is None:
        return None
    return InspectionRead(
        place=raw.get("inspection_place"),
        window_from=raw.get("inspection_from"),
        window_to=raw.get("inspection_to"),
        contact=raw.get("inspection_contact"),
        took_place=raw.get("took_place"),
        on=raw.get("on"),
        notes=raw.get("notes"),
    )


def outcome_label(code: str | None) -> str | None:
    if code in OUTCOMES:
        return OUTCOMES[code].label
    return RECORD_CORRECTION_OUTCOMES.get(code or "")


def _review(case: Case) -> ReviewRead | None:
    if case.review_outcome is None:
        return None
    return ReviewRead(
        outcome=case.review_outcome,
        outcome_label=outcome_label(case.review_outcome) or case.review_outcome,
        legal_review=case.legal_review or "not_required",
        sign_off=case.sign_off or "not_required",
        confidentiality_review=case.confidentiality_review or "not_required",
    )


def case_summary(
    case: Case,
    *,
    workflow: WorkflowDef,
    today: date,
    consultation_lapsed: bool = False,
    pending: tuple[str, date] | None = None,
    last_contact: ContactSummary | None = None,
    mail_failed: bool = False,
    handling: Handling = (None, None),
    assistance_overdue: bool = False,
) -> CaseSummary:
    """A masked worklist row."""
    first = case.items[0].description if case.items else ""
    return CaseSummary(
        id=case.id,
        number=case.number,
        case_type=case.case_type,
        case_type_label=CASE_TYPE_LABELS[case.case_type],
        state=case.state,
        state_label=workflow.label(case.state),
        channel=case.channel,
        applicant_category=case.applicant_category,
        applicant_name=mask_name(case.applicant_name, is_person=_is_person(case)),
        applicant_id_number=mask_id_number(case.applicant_id_number),
        applicant_phone=mask_phone(case.applicant_phone),
        first_item=first if len(first) <= 60 else first[:59] + "…",
        item_count=len(case.items),
        receipt_date=case.receipt_date,
        reply_due=case.reply_due,
        reply_due_provisional=case.reply_due_provisional,
        overdue=bool(
            case.reply_due and case.reply_due < today and case.state in open_states(workflow)
        ),
        outcome=case.outcome,
        consultation_lapsed=consultation_lapsed,
        notice_pending_receipt=notice_pending_read(pending),
        last_contact=last_contact,
        mail_failed=mail_failed,
        assignee=handling[0],
        department=handling[1],
        assistance_overdue=assistance_overdue,
    )


def open_states(*workflows: WorkflowDef) -> tuple[str, ...]:
    """States in which the reply clock is counting, so the reply can fall overdue (in any of
    the workflows given: a worklist holds cases of every type)."""
    found = {
        code: None
        for wf in workflows
        for code, st in wf.states.items()
        if st.clock in ("running", "paused")
    }
    return tuple(found)


def final_states(*workflows: WorkflowDef) -> tuple[str, ...]:
    """States a case ends in (concluded, withdrawn ...), in any of the workflows given."""
    return tuple({code: None for wf in workflows for code, st in wf.states.items() if st.final})


def applicant_view(
    case: Case,
    *,
    organ_name: str,
    workflow: WorkflowDef,
    deadlines: list[DeadlineRead],
    timeline: list[ApplicantEventRead],
    remedy: RemedyRead | None,
    transfer: TransferRead | None = None,
) -> ApplicantCaseView:
    """The applicant's own view, personal data masked."""
    label = outcome_label(case.outcome)
    return ApplicantCaseView(
        number=case.number,
        organ_name=organ_name,
        case_type=case.case_type,
        case_type_label=CASE_TYPE_LABELS[case.case_type],
        state=case.state,
        state_label=workflow.label(case.state),
        submitted_at=case.arrived_at,
        receipt_date=case.receipt_date,
        receipt_basis=case.receipt_basis,
        deadlines=deadlines,
        outcome=case.outcome,
        outcome_label=label,
        concluded_on=case.concluded_on,
        applicant=applicant_read(case, masked=True),
        items=_items(case),
        delivery=DeliveryRead(form=case.delivery_form, method=case.delivery_method),
        version=case.version,
        next_step=applicant.next_step(case, workflow, deadlines, label),
        timeline=timeline,
        remedy=remedy,
        applicant_actions=applicant.applicant_actions(workflow, case.state),
        transfer=transfer,
    )

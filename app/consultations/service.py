"""Reading consultations: each with its window and whether it lapsed without a reply."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from app.consultations import repository
from app.consultations.schemas import ConsultationRead
from app.deadline import ledger as lg
from app.deadline.calendar import WorkCalendar
from app.models import Consultation

KIND_LABELS = {
    "third_party": "征求第三方意见",
    "other_organ": "征求其他机关意见",
    "legal_office": "法制机构会商",
    "joint_meeting": "联席会商",
}


def window_due(c: Consultation, calendar: WorkCalendar) -> date | None:
    """The last day of an external consultation's 15-WD window (Arts. 32, 34)."""
    return lg.consultation_window_end(calendar, c.kind, c.dispatched_on, c.party_received_on)


def status(c: Consultation, calendar: WorkCalendar, today: date) -> str:
    if c.opinion_on is not None:
        return "answered"
    if c.settled_on is not None:
        return "settled"
    due = window_due(c, calendar)
    return "lapsed" if due is not None and today > due else "open"


def consultation_read(c: Consultation, calendar: WorkCalendar, today: date) -> ConsultationRead:
    return ConsultationRead(
        code=c.code,
        kind=c.kind,
        kind_label=KIND_LABELS.get(c.kind, c.kind),
        party=c.party,
        party_contact=c.party_contact,
        party_address=c.party_address,
        question=c.question,
        dispatch_method=c.dispatch_method,
        dispatched_on=c.dispatched_on,
        party_received_on=c.party_received_on,
        meeting_on=c.meeting_on,
        letter_id=c.letter_id,
        excludes_time=c.kind in lg.EXTERNAL_KINDS,
        window_due=window_due(c, calendar),
        status=status(c, calendar, today),
        opinion=c.opinion,
        opinion_on=c.opinion_on,
        result=c.result,
        objection_reasons=c.objection_reasons,
        recorded_by=c.recorded_by,
        settled_on=c.settled_on,
        public_interest_reasons=c.public_interest_reasons,
        disclosure_letter_id=c.disclosure_letter_id,
    )


def of_case(
    session: Session, case_id: int, calendar: WorkCalendar, today: date
) -> list[ConsultationRead]:
    """A case's consultations, oldest first."""
    rows = repository.consultations_of_case(session, case_id)
    return [consultation_read(c, calendar, today) for c in rows]


def lapsed_case_ids(
    session: Session,
    organ_id: int,
    states: Iterable[str],
    calendar: WorkCalendar,
    today: date,
    case_ids: Iterable[int] | None = None,
) -> set[int]:
    """Cases of the organ with an external consultation whose window ended with no reply."""
    rows = repository.open_consultations(
        session, organ_id, tuple(states), tuple(lg.EXTERNAL_KINDS), case_ids=case_ids
    )
    return {c.case_id for c in rows if status(c, calendar, today) == "lapsed"}


# An opinion is recorded only while the case is consulting (record_opinion's from_states); a
# case that left it otherwise (withdrawn) has nothing left for the legal office to answer.
_ANSWERABLE_STATES = ("consulting",)


def awaiting_legal_opinion(session: Session, organ_id: int) -> set[int]:
    """Cases of the organ with a legal-office or joint-meeting consultation still open."""
    rows = repository.open_consultations(
        session,
        organ_id,
        _ANSWERABLE_STATES,
        ("legal_office", "joint_meeting"),
        case_ids=None,
    )
    return {c.case_id for c in rows}

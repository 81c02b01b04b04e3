"""Reading cases as staff: always scoped to the caller's organ."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.assignment.refs import handling
from app.assignment.repository import departments_of_user
from app.assistance.repository import overdue_among
from app.audit.service import events_of_case
from app.auth.principal import Actor, Principal
from app.auth.roles import Role
from app.cases import applicant, repository
from app.cases.correction import perform_as_applicant, submit_correction
from app.cases.schemas import ApplicantCaseView, CasePage, CaseRead, EventRead
from app.cases.views import (
    TRANSFERRED,
    Linked,
    applicant_view,
    case_read,
    case_summary,
    final_states,
    open_states,
    transfer_read,
)
from app.communications.presenters import latest_contacts
from app.consultations import service as consultations
from app.deadline import repository as clock_repo
from app.deadline.ledger import LedgerEntry, RemedyFacts
from app.deadline.pending import pending_receipt
from app.deadline.schemas import DeadlineRead
from app.deadline.views import deadlines_read
from app.errors import NotFound
from app.intake.uploads import Upload
from app.models import Attachment, Case
from app.outbox.applicant.repository import mail_failed_cases, mail_failed_in_organ
from app.remedies.facts import remedy_facts
from app.runtime import Runtime
from app.search.text import plan
from app.transfers.service import filing_for
from app.workflow.engine import allowed_actions, check, perform


def _not_found(case_id: int) -> NotFound:
    # Another organ's case answers exactly like a missing one.
    return NotFound(f"案件 {case_id} 不存在 / case {case_id} not found", case_id=case_id)


# Roles that work on every case of their organ; a user with only the legal role sees the
# cases the legal office is consulted on or asked to review.
_WHOLE_ORGAN = frozenset({Role.clerk, Role.front_desk, Role.approver, Role.supervisor})


# Who may find cases by the applicant's name: the roles that deal with the applicant (register,
# handle, review, sign off). Lists show every role masked names; a supervisor alone oversees
# the figures and finds cases by registration number only, so a name cannot be probed by
# searching across the organ. (A choice of the product: RULES §1 gives the supervisor a
# read-only view; the case view itself still shows every reader the applicant.)
NAME_SEARCHERS = frozenset({Role.clerk, Role.front_desk, Role.approver, Role.legal})


def may_search_names(principal: Principal) -> bool:
    """Whether the list's search text also matches the applicant's name for this caller."""
    return bool(principal.roles & NAME_SEARCHERS)


def legal_only(principal: Principal) -> bool:
    """A legal-office user with no other organ role."""
    return Role.legal in principal.roles and not principal.roles & _WHOLE_ORGAN


def load_case(
    session: Session, principal: Principal, case_id: int, *, for_update: bool = False
) -> Case:
    """The case if it belongs to the caller's organ (and, for a legal-office user, involves
    the legal office), else 404; `for_update` locks it for an action (see act)."""
    if principal.organ_id is None:
        raise _not_found(case_id)
    case = repository.case_in_organ(session, case_id, principal.organ_id, for_update=for_update)
    if case is None or (legal_only(principal) and not case.legal_involved):
        raise _not_found(case_id)
    return case


def case_deadlines(
    session: Session,
    rt: Runtime,
    case: Case,
    ledger: Sequence[LedgerEntry] | None = None,
    remedy: RemedyFacts | None = None,
    *,
    anonymous: bool = False,
) -> list[DeadlineRead]:
    """The case's deadlines today, derived from its ledger (read here unless given), each
    explained; the remedy facts are read here unless given."""
    organ = rt.organs.by_id(session, case.organ_id)
    fee_pauses = organ.settings.fee_pauses_clock if organ else True
    return deadlines_read(
        clock_repo.ledger_of(session, case.id) if ledger is None else ledger,
        rt.calendar,
        today=rt.clock().astimezone(rt.tz).date(),
        fee_pauses_clock=fee_pauses,
        remedy=remedy_facts(session, case.id, case.outcome) if remedy is None else remedy,
        anonymous=anonymous,
    )


def staff_view(session: Session, rt: Runtime, principal: Principal, case: Case) -> CaseRead:
    """The staff view of a case already loaded (load_case checked the caller's access)."""
    today = rt.clock().astimezone(rt.tz).date()
    workflow = rt.workflow_for(case)
    # One read of the ledger serves the deadlines and the notice awaiting receipt.
    ledger = clock_repo.ledger_of(session, case.id)
    return case_read(
        case,
        organ_code=principal.organ_code or "",
        workflow=workflow,
        deadlines=case_deadlines(session, rt, case, ledger),
        allowed_actions=allowed_actions(workflow, case.state, principal.roles),
        consultations=consultations.of_case(session, case.id, rt.calendar, today),
        pending=pending_receipt(workflow.states[case.state].awaits_receipt_of, ledger),
        mail_failed=case.id in mail_failed_cases(session, [case.id]),
        handling=handling(session, [case])[case.id],
        linked=_linked(session, case),
    )


def _linked(session: Session, case: Case) -> Linked:
    ids = [i for i in (case.transferred_from_id, case.transferred_to_id) if i is not None]
    return repository.linked_cases(session, [*ids, case.id]) if ids else {}


def pending_receipts(
    session: Session, rt: Runtime, cases: Sequence[Case]
) -> dict[int, tuple[str, date]]:
    """Case id -> (letter kind, day sent) of its notice awaiting the applicant's receipt."""
    waits = {c.id: rt.workflow_for(c).states[c.state].awaits_receipt_of for c in cases}
    ledgers = clock_repo.ledgers_of(session, [cid for cid, kind in waits.items() if kind])
    out = {}
    for case_id, ledger in ledgers.items():
        found = pending_receipt(waits[case_id], ledger)
        if found is not None:
            out[case_id] = found
    return out


def get_case(session: Session, rt: Runtime, principal: Principal, case_id: int) -> CaseRead:
    """The staff view of one case."""
    return staff_view(session, rt, principal, load_case(session, principal, case_id))


def get_deadlines(
    session: Session, rt: Runtime, principal: Principal, case_id: int
) -> list[DeadlineRead]:
    """Every deadline of one case, explained."""
    return case_deadlines(session, rt, load_case(session, principal, case_id))


def act(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    action: str,
    payload: dict[str, Any],
    version: int | None,
) -> CaseRead:
    """A staff member takes an action on a case of their organ."""
    # Locked: concurrent actions on one case queue here and the later ones see the new version
    # (409). Unlocked, one could read the case before another commits and its ledger after,
    # and fail on the mix instead of on the version.
    case = load_case(session, principal, case_id, for_update=True)
    organ = rt.organs.by_id(session, case.organ_id)
    assert organ is not None
    actor = Actor.of(principal)
    perform(
        session,
        rt,
        case,
        organ,
        action,
        payload,
        version=version,
        actor=actor,
        roles=principal.roles,
        filing=filing_for(session, rt, organ, action, actor=actor),
    )
    return staff_view(session, rt, principal, case)


def check_action(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    action: str,
    payload: dict[str, Any],
    version: int | None,
) -> None:
    """Raise what would stop `act` with these values now (role, state, version, payload,
    guards); nothing changes. A page asks before showing the letters the action would issue."""
    case = load_case(session, principal, case_id)
    organ = rt.organs.by_id(session, case.organ_id)
    assert organ is not None
    check(
        session,
        rt,
        case,
        organ,
        action,
        payload,
        version=version,
        actor=Actor.of(principal),
        roles=principal.roles,
    )


@dataclass(frozen=True)
class ListQuery:
    states: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    received_from: date | None = None
    received_to: date | None = None
    deadline_before: date | None = None
    overdue: bool = False
    due_within: int | None = None
    consultation_lapsed: bool = False
    # Only cases with a mail to the applicant that did not reach them (mail_failed).
    mail_failed: bool = False
    # "legal": what awaits the legal office (open legal consultations, pending legal review).
    queue: str | None = None
    # Only cases not yet in a final state (the workbench's worklist).
    open_only: bool = False
    # Search text (app.search): part of a number, item, document number or letter; for name
    # searchers also part of a name, or a whole ID number.
    q: str | None = None
    # A user id: the cases on whose timeline that user took a step.
    actor: int | None = None
    # mine: the caller's cases; unassigned: nobody's yet; my_department: routed to a
    # department the caller belongs to.
    assignment: str | None = None
    # A user id: the cases that user handles (the dashboard's per-assignee figures).
    assignee: int | None = None
    # "overdue": cases with an open assistance request past its internal date (协办逾期).
    assistance: str | None = None
    page: int = 1
    page_size: int = 50


def list_cases(session: Session, rt: Runtime, principal: Principal, q: ListQuery) -> CasePage:
    """One page of the caller's organ's cases, most urgent first, personal data masked."""
    if principal.organ_id is None:
        return CasePage(items=[], total=0, page=q.page, page_size=q.page_size)
    today = rt.clock().astimezone(rt.tz).date()
    organ_id, states = principal.organ_id, open_states(*rt.workflows.values())
    only_ids: set[int] | None = None
    if q.consultation_lapsed:
        only_ids = consultations.lapsed_case_ids(session, organ_id, states, rt.calendar, today)
    if q.mail_failed:
        failed = mail_failed_in_organ(session, organ_id)
        only_ids = failed if only_ids is None else only_ids & failed
    legal_queue = None
    if q.queue == "legal":
        legal_queue = consultations.awaiting_legal_opinion(session, organ_id)
    f = repository.CaseFilter(
        organ_id=principal.organ_id,
        states=q.states,
        channels=q.channels,
        received_from=q.received_from,
        received_to=q.received_to,
        reply_due_before=q.deadline_before,
        reply_due_by=rt.calendar.add_working_days(today, q.due_within) if q.due_within else None,
        reply_due_from=today if q.due_within else None,
        overdue_on=today if q.overdue else None,
        open_states=states,
        exclude_states=final_states(*rt.workflows.values()) if q.open_only else (),
        only_ids=None if only_ids is None else tuple(only_ids),
        legal_involved_only=legal_only(principal),
        legal_queue=None if legal_queue is None else tuple(legal_queue),
        search=None if q.q is None else plan(q.q, names=may_search_names(principal)),
        search_names=may_search_names(principal),
        actor_id=q.actor,
        assignee_id=principal.user_id if q.assignment == "mine" else q.assignee,
        unassigned=q.assignment == "unassigned",
        department_ids=tuple(departments_of_user(session, principal.user_id))
        if q.assignment == "my_department"
        else None,
        assistance_overdue_on=today if q.assistance == "overdue" else None,
    )
    found = repository.list_cases(session, f, offset=(q.page - 1) * q.page_size, limit=q.page_size)
    rows = found.rows
    lapsed = consultations.lapsed_case_ids(
        session, organ_id, states, rt.calendar, today, case_ids=[c.id for c in rows]
    )
    pending = pending_receipts(session, rt, rows)
    contacts = latest_contacts(session, [c.id for c in rows])
    mail_failed = mail_failed_cases(session, [c.id for c in rows])
    handlers = handling(session, rows)
    assistance_late = overdue_among(session, [c.id for c in rows], today)
    return CasePage(
        items=[
            case_summary(
                c,
                workflow=rt.workflow_for(c),
                today=today,
                consultation_lapsed=c.id in lapsed,
                pending=pending.get(c.id),
                last_contact=contacts.get(c.id),
                mail_failed=c.id in mail_failed,
                handling=handlers[c.id],
                assistance_overdue=c.id in assistance_late,
            )
            for c in rows
        ],
        total=found.total,
        total_capped=found.capped,
        page=q.page,
        page_size=q.page_size,
    )


def case_events(session: Session, principal: Principal, case_id: int) -> list[EventRead]:
    """The case's timeline, oldest first."""
    case = load_case(session, principal, case_id)
    return [
        EventRead.model_validate(e, from_attributes=True) for e in events_of_case(session, case.id)
    ]


def get_attachment(
    session: Session, principal: Principal, case_id: int, attachment_id: int
) -> Attachment:
    """An attachment of a case of the caller's organ."""
    case = load_case(session, principal, case_id)
    attachment = repository.attachment_of_case(session, case.id, attachment_id)
    if attachment is None:
        raise NotFound(f"附件 {attachment_id} 不存在 / attachment not found")
    return attachment


def applicant_case_view(session: Session, rt: Runtime, case: Case) -> ApplicantCaseView:
    """The applicant's own, masked view of their case: what to do next, the public timeline,
    and after the reply the way to reconsideration or court."""
    organ = rt.organs.by_id(session, case.organ_id)
    assert organ is not None  # organs are never deleted
    workflow = rt.workflow_for(case)
    facts = remedy_facts(session, case.id, case.outcome)
    deadlines = case_deadlines(session, rt, case, remedy=facts, anonymous=True)
    linked = _linked(session, case)
    events = events_of_case(session, case.id)
    came_from = case.transferred_from_id
    if came_from is not None and linked.get(came_from, ("", "", "", ""))[3] == TRANSFERRED:
        # Transferred before receipt: one application, so one timeline from its submission.
        events = [*events_of_case(session, came_from), *events]
    return applicant_view(
        case,
        organ_name=organ.name,
        workflow=workflow,
        deadlines=deadlines,
        timeline=applicant.timeline(events, workflow, rt.tz),
        remedy=applicant.remedy(case, facts, organ, deadlines),
        transfer=transfer_read(case, linked),
    )


def applicant_act(
    session: Session,
    rt: Runtime,
    case_id: int,
    action: str,
    payload: dict[str, Any],
    version: int | None,
) -> ApplicantCaseView:
    """The applicant takes an action open to applicants (withdraw, submit a correction)."""
    case = repository.case_by_id(session, case_id, for_update=True)  # locked: see act()
    assert case is not None  # found a moment ago on the read session; cases are never deleted
    perform_as_applicant(session, rt, case, action, payload, version)
    return applicant_case_view(session, rt, case)


def applicant_correction(
    session: Session,
    rt: Runtime,
    case_id: int,
    content: str,
    uploads: list[Upload],
    version: int | None,
) -> ApplicantCaseView:
    """The applicant submits the correction asked for, with its material (JSON and page)."""
    case = submit_correction(session, rt, case_id, content, uploads, version)
    return applicant_case_view(session, rt, case)

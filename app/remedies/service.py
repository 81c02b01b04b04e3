"""Adding and updating reconsideration and litigation records; each change is on the timeline."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.auth.principal import Actor, Principal
from app.cases.service import load_case
from app.errors import InvalidInput, NotFound
from app.models import Case, RemedyRecord
from app.remedies import repository
from app.remedies.schemas import RemedyRead, RemedyWrite
from app.reports.lock import guard_remedy
from app.reports.periods import RemedyStats
from app.runtime import Runtime
from app.workflow.decision import CaseUpdate
from app.workflow.write import record_beside

# Closures a challenge may be aimed at (RULES §5: remedy clause "either").
CLOSURES = frozenset({"other.no_correction", "other.fee_unpaid"})


def list_remedies(session: Session, principal: Principal, case_id: int) -> list[RemedyRead]:
    """A case's reconsideration and litigation records, oldest first."""
    case = load_case(session, principal, case_id)
    return [RemedyRead.model_validate(r) for r in repository.of_case(session, case.id)]


def unanswered_when_filed(case: Case, filed_on: date) -> bool:
    """The reply deadline had passed by `filed_on` and no reply or closure had ended the case."""
    due = case.reply_due
    ended = case.concluded_on
    return due is not None and filed_on > due and (ended is None or ended > filed_on)


def _subject(case: Case, answered: bool, data: RemedyWrite, current: str | None) -> str:
    """What the record challenges: as given (or as recorded before), checked; else derived.
    Records can be attached once the case has an answer the applicant could challenge (its
    state is `answered` in the workflow), or once its reply deadline passed with none
    (逾期不答复, RULES §4)."""
    closed = case.outcome in CLOSURES
    overdue = unanswered_when_filed(case, data.filed_on)
    wanted = data.subject or current
    if wanted is None:
        if overdue:
            return "failure_to_answer"
        if answered:
            return "closure" if closed else "reply"
        raise InvalidInput(
            ("body", "kind"),
            "案件尚未答复，答复期限也未届满，无复议或诉讼可登记 / the case has no reply to "
            "challenge yet, and its reply deadline has not passed",
        )
    if wanted == "failure_to_answer" and not overdue:
        raise InvalidInput(
            ("body", "subject"),
            f"申请日（{data.filed_on}）时答复期限（{case.reply_due or '未定'}）尚未届满或已答复，"
            "不能针对逾期不答复 / a failure to answer is challenged only after the reply "
            "deadline has passed with no reply",
        )
    if wanted == "closure" and not closed:
        raise InvalidInput(
            ("body", "subject"),
            "本案并非因逾期不补正或逾期未缴费而终止办理 / the case was not closed for want of "
            "a correction or of the fee",
        )
    if wanted == "reply" and (not answered or closed):
        raise InvalidInput(
            ("body", "subject"),
            "本案没有可针对的答复 / the case has no reply to challenge"
            + ("（已终止办理，请选 closure）/ it was closed: use closure" if closed else ""),
        )
    return wanted


def _check(rt: Runtime, case: Case, data: RemedyWrite, current: str | None = None) -> str:
    """Refuse what cannot be (422 naming the field); the subject the record challenges."""
    today = rt.clock().astimezone(rt.tz).date()
    for name in ("filed_on", "result_on", "decision_received_on"):
        value = getattr(data, name)
        if value is not None and value > today:
            raise InvalidInput(("body", name), "不能是将来 / cannot be in the future")
    # A challenge follows the application (it may precede the reply: a complaint of no answer).
    first = case.receipt_date or case.arrived_at.astimezone(rt.tz).date()
    if data.filed_on < first:
        raise InvalidInput(
            ("body", "filed_on"),
            f"不能早于收到申请之日 {first} / cannot precede the application's receipt on {first}",
        )
    received = data.decision_received_on
    if received is not None and (data.result_on is None or received < data.result_on):
        raise InvalidInput(
            ("body", "decision_received_on"),
            "须在作出决定（结果日期）之后 / the decision is received on or after its result date",
        )
    answered = rt.workflow_for(case).states[case.state].answered
    return _subject(case, answered, data, current)


def add_remedy(
    session: Session, rt: Runtime, principal: Principal, case_id: int, data: RemedyWrite
) -> RemedyRead:
    """Attach a reconsideration or litigation record to the case."""
    case = load_case(session, principal, case_id)
    subject = _check(rt, case, data)
    now = rt.clock()
    row = RemedyRecord(
        case_id=case.id,
        created_by=principal.name,
        created_at=now,
        updated_at=now,
        **{**data.model_dump(), "subject": subject},
    )
    actor = Actor.of(principal)
    overrides = guard_remedy(
        session, case, None, RemedyStats.of(row), action="record_remedy", actor=actor, now=now
    )
    session.add(row)
    session.flush()
    record_beside(
        session,
        rt,
        case,
        actor,
        "record_remedy",
        {
            "record_id": row.id,
            "after": {**data.model_dump(mode="json"), "subject": subject},
            **({"report_overrides": overrides} if overrides else {}),
        },
        # The legal office handles reconsideration and litigation: from now on it sees the case.
        update=None if case.legal_involved else CaseUpdate(legal_involved=True),
        now=now,
    )
    return RemedyRead.model_validate(row)


def update_remedy(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    record_id: int,
    data: RemedyWrite,
) -> RemedyRead:
    """Replace a record (e.g. the result arrived); the timeline keeps before and after."""
    case = load_case(session, principal, case_id)
    row = repository.in_case(session, case.id, record_id)
    if row is None:
        raise NotFound(f"记录 {record_id} 不存在 / record not found", record_id=record_id)
    subject = _check(rt, case, data, row.subject)
    before = RemedyWrite.model_validate(row, from_attributes=True).model_dump(mode="json")
    counted_before = RemedyStats.of(row)
    for name, value in {**data.model_dump(), "subject": subject}.items():
        setattr(row, name, value)
    row.updated_at = now = rt.clock()
    actor = Actor.of(principal)
    overrides = guard_remedy(
        session,
        case,
        counted_before,
        RemedyStats.of(row),
        action="update_remedy",
        actor=actor,
        now=now,
    )
    session.flush()
    record_beside(
        session,
        rt,
        case,
        actor,
        "update_remedy",
        {
            "record_id": row.id,
            "before": before,
            "after": {**data.model_dump(mode="json"), "subject": subject},
            **({"report_overrides": overrides} if overrides else {}),
        },
    )
    return RemedyRead.model_validate(row)

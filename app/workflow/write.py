"""The one write path of a case: nothing else changes `cases` or appends to `case_events`.

- `record` writes what a workflow action decided (the engine's check → decide → record);
- `record_registration` writes a new case (online submission, staff registration, a case filed
  anew at another organ: 转办 and the linked filing, app.transfers);
- `record_beside` writes something recorded beside the workflow — a remedy, a contact, a report
  override, a lifted lookup lock, a claim or an assignment, an assistance request (协办): the
  state stays, the columns its `CaseUpdate` names change;
- `record_recomputed` (app.workflow.bulk, beside its set-based statements) is the bulk variant
  the calendar recompute uses for tens of thousands of cases at once: cached due dates and one
  event per case.

Each writes the case, its hash-chained event, the clock entries, the outbox rows and the search
index's rows (app.search: a new case's number, name and items, each letter issued) in the
caller's transaction; tests/workflow/test_one_write_path.py checks that no other module calls
the statements below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.audit.chain import GENESIS
from app.audit.keys import audit_key
from app.audit.service import AppendedEvent, append_event, event_row
from app.auth.principal import Actor
from app.casefile.order import order_file
from app.cases import repository as cases_repo
from app.db import table_of
from app.db_insert import Rows, insert_rows
from app.deadline import repository as clock_repo
from app.deadline.ledger import Received
from app.deadline.schemas import DeadlineRead
from app.errors import Conflict
from app.letters import service as letters
from app.letters.context import CaseSnapshot, DueDate
from app.letters.kinds import LetterKind
from app.models import Case, CaseEvent, Letter
from app.organs.directory import OrganInfo
from app.outbox.events import OutboxMessage
from app.outbox.service import CaseRef, action_messages, emit, received_messages
from app.outbox.service import new_rows as new_outbox_rows
from app.releases.reply import freeze_issued
from app.reports.lock import guard_case
from app.reports.periods import CaseStats
from app.runtime import Runtime
from app.search import repository as search
from app.workflow import records
from app.workflow.decision import CaseUpdate, Decision


class VersionConflict(Conflict):
    code = "version-conflict"
    title = "案件已被他人修改 / The case changed since you read it"


@dataclass(frozen=True)
class Performed:
    case: Case
    event_seq: int


def _flush(session: Session, case_id: int) -> None:
    try:
        session.flush()
    except StaleDataError:
        # Another writer updated the row between our read and our UPDATE (PostgreSQL).
        raise VersionConflict(
            "案件刚被他人修改 / the case was changed by someone else just now", case_id=case_id
        ) from None


def record(
    session: Session,
    rt: Runtime,
    case: Case,
    organ: OrganInfo,
    decision: Decision,
    *,
    actor: Actor,
) -> Performed:
    """Write what an action decided: the state and columns, the cached due dates, the
    consultations and reply draft, the letters (numbered and frozen; rendered after the
    commit), the hash-chained event, the clock entries, the case file an archiving orders
    (built after the commit) and the outbox events."""
    d = decision
    action, now = d.action, d.now
    counted_before = CaseStats.of(case)
    outcome_before = case.outcome
    if d.to_state != case.state:
        case.previous_state = case.state
    case.state = d.to_state
    d.update.apply(case)
    if d.filed is not None:
        d.filed.update.apply(case)
    d.dues.apply(case)
    case.updated_at = now
    # A published year's numbers do not move without an administrator's override (RULES §8).
    overrides = guard_case(session, case, counted_before, action=action.code, actor=actor, now=now)
    _flush(session, case.id)
    touched = records.apply_consultations(
        session, case.id, list(d.consultations), d.consultation_changes, now
    )
    if d.draft is not None:
        draft = records.reply_draft(
            session, case, d.draft.fields, now, actor.user_id, kind=d.draft.kind
        )
        # A reply that lacks what its outcome needs is refused now (422), not at issue.
        letters.check_reply_draft(session, rt, case, organ, draft, handler=actor.label)
    # Letters are issued after the case has moved, so their context sees the new deadlines.
    issued = letters.issue_orders(
        session,
        rt,
        case,
        organ,
        d.letters,
        action=action.code,
        ledger=list(d.ledger),
        actor=actor,
        now=now,
    )
    changed = d.update.changed()
    if d.filed is not None:
        changed |= d.filed.update.changed()
    event = append_event(
        session,
        key=audit_key(rt.settings),
        case_id=case.id,
        action=action.code,
        from_state=d.from_state,
        to_state=case.state,
        actor=actor,
        now=now,
        workflow_version=d.workflow_version,
        payload={
            "input": d.payload,
            "before": {"state": d.from_state, **d.dues_before.as_dict()},
            "after": {"state": case.state, **d.dues.as_dict()},
            **({"outcome": action.outcome} if action.outcome else {}),
            **({"case_fields": changed} if changed else {}),
            **({"letters": [letters.letter_summary(x) for x in issued]} if issued else {}),
            **({"report_overrides": overrides} if overrides else {}),
            **({"transfer": d.filed.event} if d.filed is not None else {}),
        },
    )
    letters.record_letters(session, issued, event.id)
    if issued:
        session.flush()
        search.index_letters(session, case, issued)
        # The reply's released documents are frozen with it (app.releases).
        freeze_issued(session, case.id, issued, now)
    if touched and issued:
        records.link_letters(touched, issued, d.letter_params)
    clock_repo.append_entries(session, case.id, list(d.entries), event_id=event.id, now=now)
    if d.case_file:
        # Numbered and dated now, assembled by the worker after the commit (app.casefile.build).
        order_file(
            session, rt, case, organ, event_id=event.id, event_seq=event.seq, actor=actor, now=now
        )
    emit(
        session,
        action_messages(
            CaseRef(case.id, case.organ_id, case.number, case.case_type, case.state),
            action=action.code,
            from_state=d.from_state,
            outcome=case.outcome if case.outcome != outcome_before else None,
            letters=[letters.letter_ref(x) for x in issued],
            served=d.served,
        )
        + list(d.filed.messages if d.filed is not None else ()),
        now=now,
    )
    return Performed(case, event.seq)


@dataclass(frozen=True)
class Registration:
    """A new case as intake prepared it: the row (number, year and seq included), its items and
    attachments, the state it starts in, the clock entries and deadlines when receipt is
    confirmed, and — for the 登记回执 — the letter's view of the case once it has an id."""

    values: dict[str, Any]
    items: Sequence[dict[str, Any]]
    attachments: Sequence[dict[str, Any]]
    state: str
    ledger: Sequence[Received]
    deadlines: Sequence[DeadlineRead]
    due: dict[str, DueDate]
    receipt: Callable[[int], CaseSnapshot] | None
    # A case filed from another organ's (转办, or filed for the applicant after a reply naming
    # this organ): what its first event records of where it came from.
    transfer: dict[str, Any] | None = None


@dataclass(frozen=True)
class NewIds:
    """The ids of a new case's rows that other rows refer to, reserved (app.db_insert.next_id)
    in the statement that takes the registration number: the case, its first event and, with a
    receipt, the letter."""

    case: int
    event: int
    letter: int | None

    @staticmethod
    def tables(*, receipt: bool) -> tuple[Table, ...]:
        """The tables to reserve ids in, in the order `of` reads them."""
        return _WITH_RECEIPT if receipt else _WITHOUT_RECEIPT

    @classmethod
    def of(cls, ids: Sequence[int], *, receipt: bool) -> NewIds:
        return cls(ids[0], ids[1], ids[2] if receipt else None)


_WITHOUT_RECEIPT = (table_of(Case), table_of(CaseEvent))
_WITH_RECEIPT = (*_WITHOUT_RECEIPT, table_of(Letter))


def record_registration(
    session: Session,
    rt: Runtime,
    organ: OrganInfo,
    reg: Registration,
    ids: NewIds,
    *,
    workflow_version: int,
    actor: Actor,
    action: str,
    now: datetime,
) -> None:
    """Write a new case: the row with its items and attachments, the frozen receipt letter,
    the first event of its chain, its clock entries and the outbox events.

    The caller has taken the registration number (the organ's counter is the write lock),
    reserved the ids and checked the published years; what follows holds the lock, so it stays
    short: the rows are built first, then written together (one statement on PostgreSQL)."""
    v = reg.values
    receipt_letter = None
    if reg.receipt is not None:
        # Numbered and frozen now; its PDF is rendered after the commit or on first download,
        # so an application is never refused, or slowed, for a letter (app.letters.service).
        receipt_letter = letters.issue(
            session,
            rt,
            reg.receipt(ids.case),
            organ,
            LetterKind.receipt,
            {},
            actor=actor,
            action=action,
            now=now,
            render=False,
            deadlines=reg.due,
            new_case=True,
        )
    event = event_row(
        key=audit_key(rt.settings),
        case_id=ids.case,
        seq=1,
        prev_hash=GENESIS,
        action=action,
        from_state=None,
        to_state=reg.state,
        actor=actor,
        now=now,
        workflow_version=workflow_version,
        payload={
            "after": {
                "number": v["number"],
                "case_type": v["case_type"],
                "state": reg.state,
                "channel": v["channel"],
                "source": v["source"],
                "arrived_at": v["arrived_at"],
                "receipt_date": v["receipt_date"],
                "receipt_basis": v["receipt_basis"],
                "receipt_evidence": v["receipt_evidence"],
                "filled_by_staff": v["filled_by_staff"],
                "items": len(reg.items),
                "attachments": [a["sha256"] for a in reg.attachments],
                "deadlines": {d.name: d.due_date for d in reg.deadlines},
            },
            **({"letters": [letters.letter_summary(receipt_letter)]} if receipt_letter else {}),
            **({"transfer": reg.transfer} if reg.transfer is not None else {}),
        },
    )
    rows = cases_repo.case_rows(
        ids.case, v, items=list(reg.items), attachments=list(reg.attachments)
    )
    rows.append(Rows(table_of(CaseEvent), [{**event, "id": ids.event}]))
    issued = []
    if receipt_letter is not None:
        if ids.letter is None:
            raise ValueError("a registration with a receipt needs a reserved letter id")
        rows.append(
            letters.new_letter_rows(receipt_letter, letter_id=ids.letter, event_id=ids.event)
        )
        issued.append(letters.letter_ref(receipt_letter))
    messages = received_messages(
        CaseRef(ids.case, organ.id, v["number"], v["case_type"], reg.state),
        channel=v["channel"],
        receipt_date=v["receipt_date"],
        letters=issued,
        transferred_in=reg.transfer is not None,
    )
    rows.append(new_outbox_rows(messages, now=now))
    rows.append(clock_repo.first_entry_rows(ids.case, reg.ledger, event_id=ids.event, now=now))
    rows.append(
        search.new_case_rows(
            ids.case,
            organ.id,
            v,
            reg.items,
            [receipt_letter] if receipt_letter is not None else [],
            session.get_bind().dialect.name,
        )
    )
    insert_rows(session, rows)


# What is recorded beside the workflow, in the words a timeline shows it (the workflow's own
# actions are named by its YAML). record_beside takes only these.
SIDE_EVENTS: dict[str, str] = {
    "record_communication": "记录沟通情况",
    "update_communication": "更正沟通记录",
    "record_remedy": "记录行政复议或诉讼",
    "update_remedy": "更新行政复议或诉讼情况",
    "grant_report_override": "准许变更已锁定年度报告的统计",
    "release_lookup_lock": "解除查询锁定",
    "deadlines_recomputed": "放假安排变化，重新计算期限",
    "claim_case": "签收",
    "assign_case": "分办",
    "request_assistance": "请求协办",
    "answer_assistance": "答复协办",
    "withdraw_assistance": "撤回协办请求",
    "upload_released_document": "上传公开文件",
    "remove_released_document": "删除公开文件",
    "mark_redaction": "添加遮盖标记",
    "update_redaction_mark": "修改遮盖标记",
    "remove_redaction_mark": "删除遮盖标记",
    "apply_redaction": "生成公开文件的遮盖版本",
}


def record_beside(
    session: Session,
    rt: Runtime,
    case: Case,
    actor: Actor,
    action: str,
    payload: dict[str, Any],
    *,
    update: CaseUpdate | None = None,
    messages: Sequence[OutboxMessage] = (),
    now: datetime | None = None,
) -> AppendedEvent:
    """Record on the case something done beside its workflow: the state stays as it is, the
    columns `update` sets change (the case's version with them), the event is keyed and
    chained like every other, naming the version of the case's own workflow, and `messages`
    go to the outbox with it."""
    if action not in SIDE_EVENTS:
        raise ValueError(f"unknown side event {action!r}: name it in SIDE_EVENTS")
    now = now or rt.clock()
    changed = update.changed() if update is not None else {}
    if update is not None and changed:
        update.apply(case)
        case.updated_at = now
        _flush(session, case.id)
    event = append_event(
        session,
        key=audit_key(rt.settings),
        case_id=case.id,
        action=action,
        from_state=case.state,
        to_state=case.state,
        actor=actor,
        now=now,
        payload={**payload, **({"case_fields": changed} if changed else {})},
        workflow_version=rt.workflow_for(case).version,
    )
    emit(session, messages, now=now)
    return event

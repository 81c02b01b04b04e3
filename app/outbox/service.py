"""Recording events in the writer's transaction, and what administrators do with deliveries.

`emit` is called by the code that changes a case (the workflow engine, intake, the scheduler)
inside its transaction: the events commit with the change or not at all. The message builders
here say what each change emits, so the engine and intake do not compose payloads themselves.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from app.db import table_of
from app.db_insert import Rows
from app.errors import Conflict, NotFound
from app.models import OutboxDelivery, OutboxEvent
from app.outbox import events as ev
from app.outbox.events import OutboxMessage

_EVENTS = table_of(OutboxEvent)
_INSERT_EVENTS = insert(_EVENTS)


def new_uid() -> str:
    """An event id receivers de-duplicate on."""
    return "evt_" + secrets.token_hex(16)


class NewUid(FunctionElement[str]):
    """`new_uid` in SQL, for events inserted from a SELECT: "evt_" and 32 random hex digits
    (PostgreSQL: a version-4 UUID's 16 bytes, 122 of their bits random; SQLite: randomblob,
    seeded from the OS). The unique constraint on uid stays the guarantee."""

    type = String()
    inherit_cache = True


@compiles(NewUid, "postgresql")
def _new_uid_pg(element: NewUid, compiler: Any, **kw: Any) -> str:
    return "('evt_' || encode(uuid_send(gen_random_uuid()), 'hex'))"


@compiles(NewUid, "sqlite")
def _new_uid_sqlite(element: NewUid, compiler: Any, **kw: Any) -> str:
    return "('evt_' || lower(hex(randomblob(16))))"


def emit(session: Session, messages: Iterable[OutboxMessage], *, now: datetime) -> int:
    """Record events in the caller's transaction; an event whose dedupe key was already
    recorded is skipped. Returns how many were recorded."""
    rows = [_row(m, now) for m in messages]
    if not rows:
        return 0
    plain = [r for r in rows if r["dedupe_key"] is None]
    keyed = [r for r in rows if r["dedupe_key"] is not None]
    table = _EVENTS
    if plain:
        session.execute(_INSERT_EVENTS, plain)
    written = len(plain)
    if keyed:
        dialect = session.get_bind().dialect.name
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        for row in keyed:
            stmt = make(table).values(**row).on_conflict_do_nothing(index_elements=["dedupe_key"])
            if session.execute(stmt.returning(table.c.id)).first() is not None:
                written += 1
    return written


def new_rows(messages: Iterable[OutboxMessage], *, now: datetime) -> Rows:
    """The rows `emit` would write for messages without a dedupe key (a new case's: nothing
    can have recorded them before), for app.db_insert.insert_rows with the case's rows."""
    rows = [_row(m, now) for m in messages]
    if any(r["dedupe_key"] is not None for r in rows):
        raise ValueError("a message with a dedupe key goes through emit()")
    return Rows(_EVENTS, rows)


def _row(m: OutboxMessage, now: datetime) -> dict[str, Any]:
    return {
        "uid": new_uid(),
        "type": m.type,
        "schema_version": ev.SCHEMA_VERSION,
        "organ_id": m.organ_id,
        "case_id": m.case_id,
        "payload": m.payload,
        "occurred_at": now,
        "dedupe_key": m.dedupe_key,
        "dispatched_at": None,
    }


@dataclass(frozen=True)
class CaseRef:
    """What every case event says of its case (nothing personal)."""

    id: int
    organ_id: int
    number: str
    case_type: str
    state: str

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "case_type": self.case_type,
            "state": self.state,
        }


@dataclass(frozen=True)
class LetterRef:
    id: int | None
    kind: str
    number: str | None
    letter_date: date | None
    to_applicant: bool

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "number": self.number,
            "date": self.letter_date.isoformat() if self.letter_date else None,
            "to_applicant": self.to_applicant,
        }


def _message(kind: str, case: CaseRef, **data: Any) -> OutboxMessage:
    return OutboxMessage(
        type=kind,
        organ_id=case.organ_id,
        case_id=case.id,
        payload={"case": case.payload(), **data},
    )


def received_messages(
    case: CaseRef,
    *,
    channel: str,
    receipt_date: date | None,
    letters: Sequence[LetterRef],
    transferred_in: bool = False,
) -> list[OutboxMessage]:
    """A new case: received (naming the receipt letter issued with it, if any; saying whether
    a transfer filed it, whose own mail tells the applicant), and each letter issued with it
    (the receipt; "at_intake" says it came with the case)."""
    out = [
        _message(
            ev.CASE_RECEIVED,
            case,
            channel=channel,
            receipt_date=receipt_date.isoformat() if receipt_date else None,
            receipt_letter=letters[0].payload() if letters else None,
            **({"transferred_in": True} if transferred_in else {}),
        )
    ]
    out += [_message(ev.LETTER_ISSUED, case, letter=x.payload(), at_intake=True) for x in letters]
    return out


def action_messages(
    case: CaseRef,
    *,
    action: str,
    from_state: str,
    outcome: str | None,
    letters: Sequence[LetterRef],
    served: bool,
    ended_consultations: Sequence[dict[str, Any]] = (),
) -> list[OutboxMessage]:
    """What a workflow action emits: the state change, each letter, the reply and service."""
    out: list[OutboxMessage] = []
    if from_state != case.state:
        out.append(_message(ev.CASE_STATE_CHANGED, case, action=action, from_state=from_state))
    out += [_message(ev.LETTER_ISSUED, case, action=action, letter=x.payload()) for x in letters]
    replies = [x for x in letters if x.to_applicant]
    if outcome is not None and replies:
        out.append(
            _message(
                ev.CASE_REPLIED, case, action=action, outcome=outcome, letter=replies[0].payload()
            )
        )
    if served:
        out.append(_message(ev.CASE_SERVED, case, action=action))
    out += [
        _message(ev.CONSULTATION_WINDOW_ENDED, case, action=action, consultation=c)
        for c in ended_consultations
    ]
    return out


def assigned_messages(
    case: CaseRef,
    *,
    action: str,
    assignee_id: int | None,
    department_id: int | None,
    previous_assignee_id: int | None,
) -> list[OutboxMessage]:
    """A case claimed, assigned or reassigned: who handles it now (user and department ids,
    no names) and who did before."""
    return [
        _message(
            ev.CASE_ASSIGNED,
            case,
            action=action,
            assignee_id=assignee_id,
            department_id=department_id,
            previous_assignee_id=previous_assignee_id,
        )
    ]


def assistance_messages(
    case: CaseRef, *, kind: str, request_id: int, department_id: int, **data: Any
) -> list[OutboxMessage]:
    """An assistance request made or answered: its id and department (ids, dates and the
    outcome; neither the request's text nor the applicant's data)."""
    if kind not in (ev.ASSISTANCE_REQUESTED, ev.ASSISTANCE_ANSWERED):
        raise ValueError(f"not an assistance event: {kind!r}")
    return [_message(kind, case, request_id=request_id, department_id=department_id, **data)]


def transferred_messages(
    case: CaseRef,
    new: CaseRef,
    *,
    kind: str,
    from_organ: dict[str, str],
    to_organ: dict[str, str],
) -> list[OutboxMessage]:
    """A case filed anew at another organ (filing: transfer before receipt, or filed for the
    applicant after a reply): said on the first case (to the applicant) and on the new one
    (to the receiving organ's clerks), each naming the other by id and number."""
    data = {"filing": kind, "from_organ": from_organ, "to_organ": to_organ}
    return [
        _message(ev.CASE_TRANSFERRED, case, to_case=new.payload(), **data),
        _message(ev.CASE_TRANSFERRED_IN, new, from_case=case.payload(), **data),
    ]


class DeliveryNotFound(NotFound):
    """Answers like any unknown id (the id-range test compares code and title)."""


class DeliveryNotDead(Conflict):
    code = "delivery-not-dead"
    title = "只能重新投递失败的记录 / Only a dead delivery can be redelivered"


def redeliver(session: Session, delivery_id: int, *, organ_id: int | None, now: datetime) -> None:
    """Put a dead delivery back in the queue (an administrator's decision), attempts reset."""
    q = select(OutboxDelivery, OutboxEvent.organ_id).join(
        OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id
    )
    row = session.execute(q.where(OutboxDelivery.id == delivery_id)).first()
    if row is None or (organ_id is not None and row[1] != organ_id):
        raise DeliveryNotFound(f"没有投递记录 {delivery_id} / no delivery {delivery_id}")
    delivery = row[0]
    if delivery.status != "dead":
        raise DeliveryNotDead(
            f"投递记录 {delivery_id} 的状态为 {delivery.status} / delivery {delivery_id} is "
            f"{delivery.status}",
            delivery_status=delivery.status,
        )
    session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.id == delivery_id)
        .values(
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            leased_until=None,
            leased_by=None,
        )
    )

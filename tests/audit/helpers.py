"""What an intruder with write access to the database does, and the checks that must see it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, select, text, update

from app.audit.chain import GENESIS, AuditKey, event_hash, legacy_event_hash
from app.audit.checkpoints import checkpoint_file, take_checkpoint
from app.audit.keys import audit_key
from app.audit.service import event_content
from app.audit.verify import AuditReport, verify_audit
from app.models import AuditCheckpoint, CaseEvent, ClockEntry, Letter
from app.runtime import Runtime

TRIGGERS = (
    "case_events_no_update",
    "case_events_no_delete",
    "audit_checkpoints_no_update",
    "audit_checkpoints_no_delete",
)


def tamper(engine: Engine, *statements: Any) -> None:
    """Run forbidden changes, past the append-only triggers, as a database administrator can."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Skips ordinary triggers for this transaction only; the shared database keeps them.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for trigger in TRIGGERS:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        for statement in statements:
            conn.execute(statement)


def rewrite_chain(
    runtime: Runtime, case_id: int, from_seq: int, *, key: AuditKey | None, keep_alg: bool = True
) -> None:
    """Recompute every hash of the case's chain from `from_seq` on, as an intruder would after
    editing an event: with the old unkeyed formula (key None) or with a key of their own.

    `keep_alg` False also marks the rewritten events unkeyed, to pass them off as old ones.
    """
    with runtime.sessions.read() as session:
        events = list(
            session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
            )
        )
    prev = GENESIS
    statements = []
    for event in events:
        if event.seq >= from_seq:
            content = event_content(event)
            new = (
                legacy_event_hash(content, prev) if key is None else event_hash(key, content, prev)
            )
            values: dict[str, Any] = {"prev_hash": prev, "hash": new}
            if not keep_alg:
                values["hash_alg"] = None
            statements.append(update(CaseEvent).where(CaseEvent.id == event.id).values(**values))
            prev = new
        else:
            prev = event.hash
    tamper(runtime.engine, *statements)


def where_event(case_id: int, seq: int) -> Any:
    return (CaseEvent.case_id == case_id) & (CaseEvent.seq == seq)


def verify(runtime: Runtime) -> AuditReport:
    with runtime.sessions.read() as session:
        return verify_audit(session, runtime)


def lines(runtime: Runtime) -> list[str]:
    return [str(f) for f in verify(runtime).findings]


def checkpoint(runtime: Runtime) -> AuditCheckpoint:
    with runtime.sessions.write.begin() as session:
        return take_checkpoint(
            session,
            audit_key(runtime.settings),
            checkpoint_file(runtime.settings),
            now=runtime.clock(),
        )


def checkpoint_name(row: AuditCheckpoint) -> str:
    return f"checkpoint of {row.taken_at.isoformat()}"


def delete_events(runtime: Runtime, case_id: int, from_seq: int, *also: Any) -> None:
    """Delete the case's events from `from_seq` on, unhooking the rows that point at them."""
    doomed = (
        select(CaseEvent.id)
        .where(CaseEvent.case_id == case_id, CaseEvent.seq >= from_seq)
        .scalar_subquery()
    )
    tamper(
        runtime.engine,
        update(Letter).where(Letter.event_id.in_(doomed)).values(event_id=None),
        update(ClockEntry).where(ClockEntry.event_id.in_(doomed)).values(event_id=None),
        delete(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.seq >= from_seq),
        *also,
    )

"""Reading and appending the stored clock ledger of cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.db import table_of
from app.db_insert import Rows
from app.deadline.codec import decode, encode, kind_of
from app.deadline.ledger import LedgerEntry
from app.models import ClockEntry

_ENTRIES = table_of(ClockEntry)
_INSERT_ENTRIES = insert(_ENTRIES)


def append_entries(
    session: Session,
    case_id: int,
    entries: Sequence[LedgerEntry],
    *,
    event_id: int | None,
    now: datetime,
) -> None:
    """Append entries to a case's ledger, in order, tied to the event that recorded them."""
    if not entries:
        return
    stmt = select(func.max(ClockEntry.seq)).where(ClockEntry.case_id == case_id)
    start = (session.scalar(stmt) or 0) + 1
    session.execute(_INSERT_ENTRIES, _entry_rows(case_id, entries, event_id, now, start))


def first_entry_rows(
    case_id: int, entries: Sequence[LedgerEntry], *, event_id: int, now: datetime
) -> Rows:
    """The ledger of a case created in this transaction, for app.db_insert.insert_rows."""
    return Rows(_ENTRIES, _entry_rows(case_id, entries, event_id, now, 1))


def _entry_rows(
    case_id: int, entries: Sequence[LedgerEntry], event_id: int | None, now: datetime, start: int
) -> list[dict[str, Any]]:
    return [
        {
            "case_id": case_id,
            "seq": start + i,
            "kind": kind_of(entry),
            "data": encode(entry),
            "event_id": event_id,
            "recorded_at": now,
        }
        for i, entry in enumerate(entries)
    ]


def ledger_of(session: Session, case_id: int) -> list[LedgerEntry]:
    """A case's ledger in the order it was recorded."""
    rows = session.execute(
        select(ClockEntry.kind, ClockEntry.data)
        .where(ClockEntry.case_id == case_id)
        .order_by(ClockEntry.seq)
    )
    return [decode(kind, data) for kind, data in rows]


def ledgers_of(session: Session, case_ids: Sequence[int]) -> dict[int, list[LedgerEntry]]:
    """The ledgers of several cases (one query), each in the order it was recorded."""
    out: dict[int, list[LedgerEntry]] = {case_id: [] for case_id in case_ids}
    if not out:
        return out
    rows = session.execute(
        select(ClockEntry.case_id, ClockEntry.kind, ClockEntry.data)
        .where(ClockEntry.case_id.in_(list(out)))
        .order_by(ClockEntry.case_id, ClockEntry.seq)
    )
    for case_id, kind, data in rows:
        out[case_id].append(decode(kind, data))
    return out

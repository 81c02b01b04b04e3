"""Every query of the ledger export: the cases of a date range, streamed, and their items and
letters for one batch of cases at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.ledger_export.rows import CaseLetters, LedgerCase, LedgerItem
from app.models import Case, CaseItem, Letter

_CASE_COLUMNS = (
    Case.id,
    Case.number,
    Case.year,
    Case.seq,
    Case.state,
    Case.channel,
    Case.arrived_at,
    Case.receipt_date,
    Case.applicant_category,
    Case.applicant_name,
    Case.applicant_id_number,
    Case.reply_due,
    Case.reply_due_provisional,
    Case.correction_notice_due,
    Case.correction_due,
    Case.outcome,
    Case.concluded_on,
    Case.reply_late,
    Case.served_on,
    Case.service_method,
    Case.served_on_time,
)
# Letters a row cites; an extension notice is issued by every extension.
_CITED_KINDS = ("reply", "closure_notice", "extension_notice")


def _stream(session: Session, stmt: Select[*tuple[Any, ...]], batch: int) -> Iterator[LedgerCase]:
    # yield_per: a server-side cursor on PostgreSQL, SQLite steps lazily anyway; only one batch
    # of rows is held at a time, and plain columns keep the identity map empty.
    result = session.execute(stmt.execution_options(yield_per=batch))
    for row in result:
        yield LedgerCase(*row)


def received_cases(
    session: Session, organ_id: int, start: date, end: date, *, batch: int
) -> Iterator[LedgerCase]:
    """Cases whose receipt date is in [start, end], by receipt date and number."""
    stmt = (
        select(*_CASE_COLUMNS)
        .where(Case.organ_id == organ_id, Case.receipt_date >= start, Case.receipt_date <= end)
        .order_by(Case.receipt_date, Case.year, Case.seq, Case.id)
    )
    return _stream(session, stmt, batch)


def unconfirmed_cases(
    session: Session, organ_id: int, arrived_from: datetime, arrived_before: datetime, *, batch: int
) -> Iterator[LedgerCase]:
    """Cases with no receipt date yet that arrived in [arrived_from, arrived_before), by
    arrival time (the caller orders each day by number)."""
    stmt = (
        select(*_CASE_COLUMNS)
        .where(
            Case.organ_id == organ_id,
            Case.receipt_date.is_(None),
            Case.arrived_at >= arrived_from,
            Case.arrived_at < arrived_before,
        )
        .order_by(Case.arrived_at, Case.year, Case.seq, Case.id)
    )
    return _stream(session, stmt, batch)


def items_of(session: Session, case_ids: Sequence[int]) -> dict[int, list[LedgerItem]]:
    """The items of these cases, in their order, by case id."""
    stmt = (
        select(CaseItem.case_id, CaseItem.position, CaseItem.description, CaseItem.document_number)
        .where(CaseItem.case_id.in_(case_ids))
        .order_by(CaseItem.case_id, CaseItem.position)
    )
    items: dict[int, list[LedgerItem]] = defaultdict(list)
    for case_id, position, description, document_number in session.execute(stmt):
        items[case_id].append(LedgerItem(position, description, document_number))
    return items


def letters_of(session: Session, case_ids: Sequence[int]) -> dict[int, CaseLetters]:
    """The issued letters the ledger cites, by case id: the latest reply and closure notice."""
    stmt = (
        select(Letter.case_id, Letter.kind, Letter.number)
        .where(
            Letter.case_id.in_(case_ids),
            Letter.status == "issued",
            Letter.kind.in_(_CITED_KINDS),
        )
        .order_by(Letter.case_id, Letter.id)
    )
    found: dict[int, dict[str, str | None]] = defaultdict(dict)
    for case_id, kind, number in session.execute(stmt):
        found[case_id][kind] = number  # ordered by id: the latest of a kind wins
    return {
        case_id: CaseLetters(
            reply_number=kinds.get("reply"),
            closure_number=kinds.get("closure_notice"),
            extended="extension_notice" in kinds,
        )
        for case_id, kinds in found.items()
    }

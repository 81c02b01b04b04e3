"""Which notice to the applicant is sent but not yet received (pure).

A notice served electronically is received only when its arrival is recorded (RULES §4); until
then the applicant's window does not start, and staff see the notice as 已发出，未确认送达.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.deadline import ledger as lg


def pending_receipt(kind: str | None, ledger: Sequence[lg.LedgerEntry]) -> tuple[str, date] | None:
    """(letter kind, day sent) of the notice awaiting the applicant's receipt, if any; `kind`
    is what the case's state waits for (its workflow's `awaits_receipt_of`), None for nothing."""
    if kind is None:
        return None
    sent: date | None = None
    for e in ledger:
        if kind == "correction_notice" and isinstance(e, lg.CorrectionRequested):
            sent = e.notice_on if e.applicant_received_on is None else None
        elif kind == "correction_notice" and isinstance(e, lg.CorrectionNoticeReceived):
            sent = None
        elif kind == "fee_notice" and isinstance(e, lg.FeeNoticeSent):
            sent = e.sent_on if e.applicant_received_on is None else None
        elif kind == "fee_notice" and isinstance(e, lg.FeeNoticeReceived):
            sent = None
    return None if sent is None else (kind, sent)

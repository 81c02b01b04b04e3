"""Ledger entries to and from the JSON stored in clock_entries (pure)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from app.deadline import ledger as lg

KINDS: dict[str, type[lg.LedgerEntry]] = {
    "received": lg.Received,
    "correction_requested": lg.CorrectionRequested,
    "correction_notice_received": lg.CorrectionNoticeReceived,
    "correction_received": lg.CorrectionReceived,
    "extended": lg.Extended,
    "consultation_started": lg.ConsultationStarted,
    "consultation_letter_received": lg.ConsultationLetterReceived,
    "consultation_answered": lg.ConsultationAnswered,
    "fee_notice_sent": lg.FeeNoticeSent,
    "fee_notice_received": lg.FeeNoticeReceived,
    "fee_paid": lg.FeePaid,
    "art35_date_set": lg.Art35DateSet,
    "stopped": lg.Stopped,
    "served": lg.Served,
    "reopened": lg.Reopened,
}
_NAMES = {cls: name for name, cls in KINDS.items()}


def kind_of(entry: lg.LedgerEntry) -> str:
    """The stored kind name of an entry."""
    return _NAMES[type(entry)]


def encode(entry: lg.LedgerEntry) -> dict[str, Any]:
    """The entry's fields as JSON values (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for f in fields(entry):
        value = getattr(entry, f.name)
        out[f.name] = value.isoformat() if isinstance(value, date) else value
    return out


def decode(kind: str, data: dict[str, Any]) -> lg.LedgerEntry:
    """Rebuild an entry from its kind and stored fields."""
    cls = KINDS[kind]
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if "date" in str(f.type) and isinstance(value, str):
            value = date.fromisoformat(value)
        values[f.name] = value
    return cls(**values)

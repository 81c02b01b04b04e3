"""Delivery status notifications (RFC 3464), read (pure).

What comes in is either a whole report as the MTA pipes it (``multipart/report;
report-type=delivery-status`` with a ``message/delivery-status`` part) or the
``message/delivery-status`` body alone: a block of per-message fields (Original-Envelope-Id,
Reporting-MTA), then a block per recipient (Final-Recipient, Action, Status, Diagnostic-Code,
Last-Attempt-Date), blocks separated by blank lines.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime

ACTIONS = ("failed", "delayed", "delivered", "relayed", "expanded")
MAX_BYTES = 1024 * 1024


class NotAReport(ValueError):
    """The body holds no delivery status."""


@dataclass(frozen=True)
class RecipientStatus:
    action: str  # failed | delayed | delivered | relayed | expanded
    status: str  # e.g. 2.0.0, 5.1.1
    final_recipient: str
    diagnostic: str
    last_attempt: datetime | None


@dataclass(frozen=True)
class Report:
    envid: str | None
    reporting_mta: str
    recipients: tuple[RecipientStatus, ...]


def xtext_decode(value: str) -> str:
    """RFC 3461 xtext: +HH is the byte HH."""
    raw = re.sub(rb"\+([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), value.encode())
    return raw.decode("utf-8", "replace")


def printable(value: str) -> str:
    """The value without control, format (bidi) or separator characters: a DSN is whatever a
    remote server wrote, and its words are stored (NUL cannot be, on PostgreSQL)."""
    return "".join(ch for ch in value if ch.isprintable())


def _field_blocks(text: str) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\r?\n[ \t]*\r?\n", text.strip()):
        fields: dict[str, str] = {}
        name: str | None = None
        for line in chunk.splitlines():
            if line[:1] in (" ", "\t") and name is not None:
                fields[name] += " " + line.strip()
                continue
            key, sep, value = line.partition(":")
            if not sep or not key.strip() or " " in key.strip():
                name = None
                continue
            name = printable(key.strip().lower())
            fields[name] = value.strip()
        if fields:
            blocks.append({k: printable(v).strip() for k, v in fields.items()})
    return blocks


def _status_text(raw: bytes) -> str:
    """The delivery-status fields as text, from a whole report or the bare part."""
    # Read as UTF-8 text (RFC 6533 allows it in diagnostics), so a value keeps its characters.
    msg = email.message_from_string(raw.decode("utf-8", "replace"), policy=email.policy.compat32)
    ctype = msg.get_content_type()
    if msg.is_multipart() or ctype == "message/delivery-status":
        for part in msg.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            payload = part.get_payload()
            if isinstance(payload, list):  # the parser reads each block as a Message
                return "\n\n".join(_block_text(b) for b in payload if isinstance(b, Message))
            return str(payload)
        raise NotAReport("no message/delivery-status part")
    return raw.decode("utf-8", "replace")


def _block_text(block: Message) -> str:
    return "\n".join(f"{k}: {v}" for k, v in block.items())


def _value(typed: str) -> str:
    """`rfc822; a@b` -> `a@b`, `smtp; 550 ...` -> `550 ...`."""
    _, sep, rest = typed.partition(";")
    return (rest if sep else typed).strip()


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def parse(raw: bytes) -> Report:
    """The report in a DSN; NotAReport when it has no per-recipient status."""
    if len(raw) > MAX_BYTES:
        raise NotAReport("too large for a delivery status notification")
    blocks = _field_blocks(_status_text(raw))
    if not blocks:
        raise NotAReport("no delivery-status fields")
    per_message = blocks[0] if "action" not in blocks[0] else {}
    recipients = []
    for b in blocks:
        action = b.get("action", "").strip().lower()
        if not action:
            continue
        if action not in ACTIONS:
            raise NotAReport(f"unknown action {action[:40]!r}")
        recipients.append(
            RecipientStatus(
                action=action,
                status=b.get("status", "").strip()[:20],
                final_recipient=_value(b.get("final-recipient", ""))[:254],
                diagnostic=_value(b.get("diagnostic-code", ""))[:500],
                last_attempt=_date(b.get("last-attempt-date")),
            )
        )
    if not recipients:
        raise NotAReport("no per-recipient status (Action)")
    envid = per_message.get("original-envelope-id")
    return Report(
        envid=xtext_decode(envid.strip()) if envid else None,
        reporting_mta=_value(per_message.get("reporting-mta", ""))[:200],
        recipients=tuple(recipients),
    )

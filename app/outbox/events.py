"""The event types the outbox carries, and the message a writer hands to `emit`.

A payload carries what any subscriber of the organ may see: the case's number, type and state,
letter kinds and numbers, dates — never the applicant's name, contacts or the query code.
Channels that address the applicant read those from the case when they deliver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCHEMA_VERSION = 1

CASE_RECEIVED = "case.received"
CASE_STATE_CHANGED = "case.state_changed"
LETTER_ISSUED = "letter.issued"
CONSULTATION_WINDOW_ENDED = "consultation.window_ended"
DEADLINE_DUE_SOON = "deadline.due_soon"
DEADLINE_OVERDUE = "deadline.overdue"
CASE_REPLIED = "case.replied"
CASE_SERVED = "case.served"
CASE_ASSIGNED = "case.assigned"
# Assistance requests (协办): internal to the notices (their target may be another organ's).
ASSISTANCE_REQUESTED = "assistance.requested"
ASSISTANCE_ANSWERED = "assistance.answered"
# 转办: said on the first organ's case (the applicant is told) and on the case filed at the
# receiving organ (its clerks are told).
CASE_TRANSFERRED = "case.transferred"
CASE_TRANSFERRED_IN = "case.transferred_in"
# A reply's released files can be downloaded for one more week (app.releases.expiry).
RELEASE_EXPIRING = "release.expiring"
CALENDAR_MISSING = "calendar.missing"
DIGEST_DUE = "digest.due"

# Events a webhook subscription may ask for (the rest are internal to the notices).
CASE_EVENT_TYPES: tuple[str, ...] = (
    CASE_RECEIVED,
    CASE_STATE_CHANGED,
    LETTER_ISSUED,
    CONSULTATION_WINDOW_ENDED,
    DEADLINE_DUE_SOON,
    DEADLINE_OVERDUE,
    CASE_REPLIED,
    CASE_SERVED,
    CASE_ASSIGNED,
    CASE_TRANSFERRED,
    CASE_TRANSFERRED_IN,
    RELEASE_EXPIRING,
)
ALL_EVENT_TYPES: tuple[str, ...] = (
    *CASE_EVENT_TYPES,
    CALENDAR_MISSING,
    DIGEST_DUE,
    ASSISTANCE_REQUESTED,
    ASSISTANCE_ANSWERED,
)


@dataclass(frozen=True)
class OutboxMessage:
    """One event to record: its type, the organ and case it concerns, and its payload."""

    type: str
    payload: dict[str, Any]
    organ_id: int | None = None
    case_id: int | None = None
    # Set for events that must happen once (a warning per case, deadline, due date, threshold).
    dedupe_key: str | None = None

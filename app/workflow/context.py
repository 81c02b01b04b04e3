"""What guards and effects see (Ctx) and what they answer (Change): pure data, no I/O.

The engine loads a case's facts, its ledger and its records (consultations, the reply under
review) into a Ctx; guards and effects answer from it alone, and the engine applies the Change:
ledger entries, case fields, consultation records, the reply draft's fields and letter
parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from app.auth.principal import Actor
from app.deadline import ledger as lg
from app.deadline.cache import cache_values
from app.deadline.calendar import WorkCalendar
from app.organs.settings import OrganSettings
from app.releases.facts import ReleaseFacts
from app.workflow.decision import CaseUpdate, ConsultationUpdate


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about the case (no ORM object)."""

    state: str
    channel: str
    arrived_on: date
    receipt_date: date | None
    e_service_consent: bool
    reply_due: date | None = None
    review_outcome: str | None = None
    legal_review: str | None = None
    sign_off: str | None = None
    confidentiality_review: str | None = None
    inspection: dict[str, Any] | None = None
    applicant_name: str = ""
    applicant_address: str | None = None
    # The application's items by position (each needs a decision in a multi-item reply) and
    # the requested delivery form and method (which fee methods apply).
    item_positions: tuple[int, ...] = ()
    delivery_form: str = ""
    delivery_method: str = ""
    # The notice whose arrival the case's state waits for (its workflow's flag), if any.
    awaits_receipt_of: str | None = None


@dataclass(frozen=True)
class ConsultationFacts:
    """One consultation of the case, as recorded so far."""

    code: str
    kind: str
    party: str
    party_address: str | None
    question: str
    dispatched_on: date
    party_received_on: date | None
    opinion_on: date | None
    result: str | None
    settled_on: date | None

    @property
    def open(self) -> bool:
        """Not yet answered and not settled when the consultations were concluded."""
        return self.opinion_on is None and self.settled_on is None


@dataclass(frozen=True)
class Records:
    """The case's records beyond its ledger."""

    consultations: tuple[ConsultationFacts, ...] = ()
    # Per-piece fee: pieces of the applicant's other applications to the organ this month.
    earlier_pieces_in_month: int = 0
    # The letter a service is recorded for (the reply or closure notice): title and number.
    served_document: dict[str, Any] | None = None
    # Transfer (转办): the case's own organ code and the organs on the platform, code -> name.
    own_organ: str = ""
    platform_organs: Mapping[str, str] = field(default_factory=dict)
    # The released documents of the reply being drafted (app.workflow.rules_release).
    release: ReleaseFacts | None = None

    def consultation(self, code: str) -> ConsultationFacts | None:
        return next((c for c in self.consultations if c.code == code), None)


@dataclass(frozen=True)
class Ctx:
    case: CaseFacts
    ledger: list[lg.LedgerEntry]
    payload: dict[str, Any]
    actor: Actor
    today: date
    now: datetime
    calendar: WorkCalendar
    settings: OrganSettings
    roles: frozenset[str] = frozenset()
    records: Records = Records()
    action: str = ""
    tz: tzinfo = UTC

    def cached(self) -> dict[str, Any]:
        return cache_values(
            self.ledger,
            self.calendar,
            fee_pauses_clock=self.settings.fee_pauses_clock,
            today=self.today,
        )


@dataclass
class Change:
    entries: list[lg.LedgerEntry] = field(default_factory=list)
    # The case columns the action sets (typed: an effect cannot set anything else).
    update: CaseUpdate = field(default_factory=CaseUpdate)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Consultation code -> the columns to set (a code the case does not have yet is a new one).
    consultations: dict[str, ConsultationUpdate] = field(default_factory=dict)
    # Fields of the case's reply draft to set (created if there is none); validated as a reply.
    reply_fields: dict[str, Any] | None = None
    # The letter kind that draft is of: the FOI reply, or another case type's (Art. 41).
    draft_kind: str = "reply"
    # Letter kind -> parameters of the letter this action issues, over the payload's; a list
    # issues one letter of the kind per entry (e.g. one notice per third party).
    letter_params: dict[str, dict[str, Any] | list[dict[str, Any]]] = field(default_factory=dict)
    # The action closes the case's file (归档): `record` orders a new version of it.
    case_file: bool = False

    def error(self, field_name: str, msg: str) -> None:
        self.errors.append({"loc": ["body", field_name], "msg": msg})


Guard = Callable[[Ctx], str | None]
Effect = Callable[[Ctx, Change], None]

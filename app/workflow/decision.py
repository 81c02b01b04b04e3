"""What an action decided, as data: the typed result of `decide`, written by `record`.

`CaseUpdate` names every column of a case an action may set; each is UNSET unless the action
set it, so the columns an action changes are visible to the type checker and to a reader, and
nothing else of the case can be changed by an effect. `Dues` are the cached due dates derived
from the ledger after the action. A `Decision` carries them with the state move, the clock
entries, the consultation changes, the reply draft, the letters to issue and what the event
records.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from app.deadline.ledger import LedgerEntry
from app.letters.kinds import LetterOrder
from app.models import Case, Consultation
from app.outbox.events import OutboxMessage
from app.workflow.definition import ActionDef


class Unset(enum.Enum):
    UNSET = "unset"


UNSET = Unset.UNSET


@dataclass
class CaseUpdate:
    """The case columns an action sets (effects assign them; the rest stay UNSET)."""

    receipt_date: date | Unset | None = UNSET
    receipt_basis: str | Unset | None = UNSET
    receipt_evidence: str | Unset | None = UNSET
    review_outcome: str | Unset | None = UNSET
    legal_review: str | Unset | None = UNSET
    sign_off: str | Unset | None = UNSET
    confidentiality_review: str | Unset | None = UNSET
    legal_involved: bool | Unset = UNSET
    inspection: dict[str, Any] | Unset | None = UNSET
    outcome: str | Unset | None = UNSET
    concluded_on: date | Unset | None = UNSET
    reply_late: bool | Unset | None = UNSET
    served_on: date | Unset | None = UNSET
    service_method: str | Unset | None = UNSET
    served_on_time: bool | Unset | None = UNSET
    assignee_id: int | Unset | None = UNSET
    department_id: int | Unset | None = UNSET
    transferred_to_id: int | Unset | None = UNSET

    def changed(self) -> dict[str, Any]:
        """The columns set, by name (what the event records as the action's case fields)."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not UNSET}

    def merge(self, other: CaseUpdate) -> None:
        """Set what `other` sets, over this update (another effect's, or a preset)."""
        for f in fields(other):
            value = getattr(other, f.name)
            if value is not UNSET:
                setattr(self, f.name, value)

    def apply(self, case: Case) -> None:
        """Write the columns set onto the case (only `record` calls this)."""
        if self.receipt_date is not UNSET:
            case.receipt_date = self.receipt_date
        if self.receipt_basis is not UNSET:
            case.receipt_basis = self.receipt_basis
        if self.receipt_evidence is not UNSET:
            case.receipt_evidence = self.receipt_evidence
        if self.review_outcome is not UNSET:
            case.review_outcome = self.review_outcome
        if self.legal_review is not UNSET:
            case.legal_review = self.legal_review
        if self.sign_off is not UNSET:
            case.sign_off = self.sign_off
        if self.confidentiality_review is not UNSET:
            case.confidentiality_review = self.confidentiality_review
        if self.legal_involved is not UNSET:
            case.legal_involved = self.legal_involved
        if self.inspection is not UNSET:
            case.inspection = self.inspection
        if self.outcome is not UNSET:
            case.outcome = self.outcome
        if self.concluded_on is not UNSET:
            case.concluded_on = self.concluded_on
        if self.reply_late is not UNSET:
            case.reply_late = self.reply_late
        if self.served_on is not UNSET:
            case.served_on = self.served_on
        if self.service_method is not UNSET:
            case.service_method = self.service_method
        if self.served_on_time is not UNSET:
            case.served_on_time = self.served_on_time
        if self.assignee_id is not UNSET:
            case.assignee_id = self.assignee_id
        if self.department_id is not UNSET:
            case.department_id = self.department_id
        if self.transferred_to_id is not UNSET:
            case.transferred_to_id = self.transferred_to_id


@dataclass
class ConsultationUpdate:
    """The columns of one consultation (会商/征求意见) an action sets; the rest stay UNSET. A code
    the case does not have yet is a new consultation, created with what is set."""

    kind: str | Unset = UNSET
    party: str | Unset = UNSET
    party_contact: str | Unset | None = UNSET
    party_address: str | Unset | None = UNSET
    question: str | Unset = UNSET
    dispatch_method: str | Unset = UNSET
    dispatched_on: date | Unset = UNSET
    party_received_on: date | Unset | None = UNSET
    meeting_on: date | Unset | None = UNSET
    started_by: str | Unset = UNSET
    opinion: str | Unset | None = UNSET
    opinion_on: date | Unset | None = UNSET
    result: str | Unset | None = UNSET
    objection_reasons: str | Unset | None = UNSET
    recorded_by: str | Unset | None = UNSET
    settled_on: date | Unset | None = UNSET
    public_interest_reasons: str | Unset | None = UNSET

    def changed(self) -> dict[str, Any]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not UNSET}

    def apply(self, row: Consultation) -> None:
        """Write the columns set onto an existing row (only `record` calls this)."""
        for name, value in self.changed().items():
            setattr(row, name, value)


@dataclass(frozen=True)
class Dues:
    """The cached due dates and clock status (app.deadline.cache), derived after the action."""

    reply_due: date | None
    reply_due_provisional: bool
    correction_notice_due: date | None
    correction_due: date | None
    reply_status: str | None

    @classmethod
    def of(cls, values: dict[str, Any]) -> Dues:
        return cls(
            reply_due=values["reply_due"],
            reply_due_provisional=bool(values["reply_due_provisional"]),
            correction_notice_due=values["correction_notice_due"],
            correction_due=values["correction_due"],
            reply_status=values["reply_status"],
        )

    @classmethod
    def read(cls, case: Case) -> Dues:
        return cls(
            reply_due=case.reply_due,
            reply_due_provisional=case.reply_due_provisional,
            correction_notice_due=case.correction_notice_due,
            correction_due=case.correction_due,
            reply_status=case.reply_status,
        )

    def apply(self, case: Case) -> None:
        case.reply_due = self.reply_due
        case.reply_due_provisional = self.reply_due_provisional
        case.correction_notice_due = self.correction_notice_due
        case.correction_due = self.correction_due
        case.reply_status = self.reply_status

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class DraftOrder:
    """The reply draft the action writes (created if the case has none), of this kind."""

    fields: dict[str, Any]
    kind: str


@dataclass(frozen=True)
class Filed:
    """A case filed at another organ with this action (转办 before receipt; after a reply that
    names the responsible organ, the application filed there for the applicant): the link
    the case gets, what its event records and what the outbox says of it."""

    update: CaseUpdate
    event: dict[str, Any]
    messages: tuple[OutboxMessage, ...] = ()
    # Parameters the action's letters take from the filing, by kind (the reply says where the
    # application was filed and under which number).
    letter_params: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """Everything an action changes, decided before anything is written."""

    action: ActionDef
    workflow_version: int
    payload: dict[str, Any]
    from_state: str
    to_state: str
    update: CaseUpdate
    dues_before: Dues
    dues: Dues
    entries: tuple[LedgerEntry, ...]
    ledger: tuple[LedgerEntry, ...]  # the case's ledger after the action
    consultations: tuple[Consultation, ...]  # the case's consultation rows, as read
    consultation_changes: dict[str, ConsultationUpdate]
    draft: DraftOrder | None
    letters: tuple[LetterOrder, ...]
    # Per-kind parameters the effects computed (ties letters to consultations after issue).
    letter_params: dict[str, Any]
    now: datetime
    today: date
    served: bool = field(default=False)
    # A new version of the case file (归档案卷) is ordered, built by the worker after the commit.
    case_file: bool = field(default=False)
    filed: Filed | None = field(default=None)

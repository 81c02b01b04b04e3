"""What a template sees: a typed, frozen view model per letter kind, never an ORM object.

Every kind shares `LetterContext` (RULES §7: organ, title, number, addressee, the application's
number and receipt date, legal basis, remedy, handler and contact, date); each kind adds its
own fields in a subclass registered in `CONTEXTS`. Contexts are stored as JSON with an issued
letter, so they hold plain values only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.auth.secrets import grouped_verify_code
from app.deadline.explain import Deadline
from app.outcomes import Remedy


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OrganBlock(Frozen):
    name: str
    code: str
    address: str
    phone: str
    reconsideration_body: str
    court: str
    # URL of the seal image the fetcher serves ("seal:<sha256>"), or None: room is left for it.
    seal_url: str | None = None


class Party(Frozen):
    """Whoever the letter is addressed to: the applicant, a third party, another organ."""

    name: str
    address: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    contact_person: str | None = None


class ItemRef(Frozen):
    position: int
    description: str
    document_number: str | None = None


class CaseRef(Frozen):
    """The application the letter is about."""

    number: str
    applicant_name: str
    applicant_category_label: str
    channel_label: str
    arrived_on: date
    receipt_date: date | None
    receipt_basis_label: str | None
    items: tuple[ItemRef, ...]
    delivery_form_label: str
    delivery_method_label: str


class RemedyClause(Frozen):
    kind: Remedy
    text: str


class Verification(Frozen):
    """The letter's verification code and the address that checks it, frozen at issue: the
    letter prints both, the address also as a QR code (app/signing/)."""

    code: str
    url: str

    @property
    def printed(self) -> str:
        """The code as printed, in two groups of five."""
        return grouped_verify_code(self.code)


class LetterContext(Frozen):
    """Everything every letter carries (RULES §7)."""

    kind: str
    title: str
    # None until the letter is issued; a draft shows a placeholder instead.
    number: str | None
    draft: bool
    date: date
    organ: OrganBlock
    addressee: Party
    case: CaseRef
    handler: str
    contact_phone: str
    legal_basis: tuple[str, ...] = ()
    remedy: RemedyClause | None = None
    # None for drafts, for forms printed with a batch, and for letters issued before codes.
    verification: Verification | None = None


@dataclass(frozen=True)
class CaseSnapshot:
    """The case as the builders need it (copied from the ORM row, so builders stay pure)."""

    id: int
    number: str
    state: str
    channel: str
    arrived_on: date
    receipt_date: date | None
    receipt_basis: str | None
    applicant_category: str
    applicant_name: str
    applicant_phone: str
    applicant_email: str | None
    applicant_address: str | None
    applicant_postal_code: str | None
    applicant_contact_person: str | None
    delivery_form: str
    delivery_method: str
    e_service_consent: bool
    e_service_address: str | None
    items: tuple[ItemRef, ...]


@dataclass(frozen=True)
class DueDate:
    """One computed deadline, as letters cite it."""

    name: str
    label: str
    due_date: date | None
    provisional: bool
    working_days: int


def due_dates_of(deadlines: Iterable[Deadline]) -> dict[str, DueDate]:
    """Computed deadlines by name, as letters cite them."""
    return {
        d.name: DueDate(d.name, d.label, d.due_date, d.provisional, d.working_days_total or 0)
        for d in deadlines
    }


@dataclass(frozen=True)
class LetterSource:
    """Everything a builder may use to make one letter's context."""

    kind: str
    case: CaseSnapshot
    organ: OrganBlock
    on: date
    number: str | None
    handler: str
    # The issuing action's payload, over the draft's own fields.
    params: dict[str, Any] = field(default_factory=dict)
    deadlines: dict[str, DueDate] = field(default_factory=dict)
    # Earlier letters of the case by kind (latest first), e.g. for a closure notice's history.
    earlier: dict[str, tuple[tuple[str | None, date | None], ...]] = field(default_factory=dict)

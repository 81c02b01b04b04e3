"""The application form between renders: what was typed, the category, the rows, the key.

The form works without JavaScript: choosing the applicant category, adding a row and removing
one are submits that re-render the form with every value kept (`_action`), and only
`提交申请` builds the service's ApplicationCreate. Fields are named by their path in that
model (app.web.forms), so the service's errors land beside them.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from app.intake.schemas import IdType
from app.validation.identity import ID_TYPES
from app.vocabulary import (
    CATEGORY_LABELS,
    ORGANISATION_CATEGORIES,
    ApplicantCategory,
)
from app.web.forms import FieldErrors, nest, text_pairs

PERSON, ORGANISATION = "person", "organisation"
KIND_FIELD = "_kind"
ACTION_FIELD = "_action"
KEY_FIELD = "_key"
SUBMIT, SWITCH, ADD, REMOVE = "submit", "switch", "add", "remove-"
MAX_ROWS = 50  # IntakeFields.items allows 50
MAX_VALUE = 5000  # longer than any field allows: the model still says it is too long
ORGANISATION_ID_TYPE = "uscc"

PERSON_FIELDS = ("applicant.name", "applicant.id_type", "applicant.id_number")
ORGANISATION_FIELDS = (
    "applicant.category",
    "applicant.name",
    "applicant.id_number",
    "applicant.legal_representative",
    "applicant.contact_person",
)
SHARED_FIELDS = (
    "applicant.phone",
    "applicant.email",
    "applicant.address",
    "applicant.postal_code",
    "delivery.form",
    "delivery.method",
)
TEXT_FIELDS = tuple(dict.fromkeys(PERSON_FIELDS + ORGANISATION_FIELDS + SHARED_FIELDS))
CONSENT_FIELD = "e_service_consent"
TRANSFER_CONSENT_FIELD = "transfer_consent"
_ROW = re.compile(r"^items\.(\d{1,4})\.(description|document_number)$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,100}$")

# The person's documents (a social credit code is an organisation's), labelled as stored.
PERSON_ID_TYPES = [(code, label) for code, label in ID_TYPES.items() if code != "uscc"]
assert {c for c, _ in PERSON_ID_TYPES} | {"uscc"} == set(IdType.__args__)  # type: ignore[attr-defined]
ORGANISATION_CATEGORY_OPTIONS = [("", "请选择")] + [
    (str(c), CATEGORY_LABELS[c]) for c in ApplicantCategory if c in ORGANISATION_CATEGORIES
]
# Where an error about a field the page does not show is put instead.
SHOWN_AT = {
    "applicant.id_type": "applicant.id_number",
    "e_service_address": CONSENT_FIELD,
    "organ_code": "",
}


@dataclass(frozen=True)
class Choices:
    """The option lists the shared form pieces (templates/web/_apply_fields.html) show."""

    person: str = PERSON
    organisation: str = ORGANISATION
    id_types: tuple[tuple[str, str], ...] = tuple(PERSON_ID_TYPES)
    org_categories: tuple[tuple[str, str], ...] = tuple(ORGANISATION_CATEGORY_OPTIONS)
    max_rows: int = MAX_ROWS


CHOICES = Choices()


@dataclass
class Row:
    description: str = ""
    document_number: str = ""


def new_key() -> str:
    """A fresh idempotency key for one rendered form."""
    return secrets.token_urlsafe(24)


@dataclass
class ApplyForm:
    kind: str = PERSON
    values: dict[str, str] = field(
        default_factory=lambda: {"delivery.form": "electronic", "delivery.method": "online"}
    )
    rows: list[Row] = field(default_factory=lambda: [Row()])
    consent: bool = False
    transfer_consent: bool = False
    key: str = field(default_factory=new_key)
    action: str = SUBMIT

    @classmethod
    def of(cls, form: FormData) -> ApplyForm:
        """The posted form, read leniently: unknown names are ignored, values kept as typed."""
        first: dict[str, str] = {}
        for name, value in text_pairs(form):
            first.setdefault(name, value[:MAX_VALUE])
        kind = ORGANISATION if first.get(KIND_FIELD) == ORGANISATION else PERSON
        values = {name: first[name] for name in TEXT_FIELDS if name in first}
        cells: dict[int, Row] = {}
        for name, value in first.items():
            match = _ROW.match(name)
            if match:
                row = cells.setdefault(int(match.group(1)), Row())
                setattr(row, match.group(2), value)
        rows = [cells[i] for i in sorted(cells)][: MAX_ROWS + 1] or [Row()]
        key = first.get(KEY_FIELD, "")
        return cls(
            kind=kind,
            values=values,
            rows=rows,
            consent=first.get(CONSENT_FIELD) == "true",
            transfer_consent=first.get(TRANSFER_CONSENT_FIELD) == "true",
            key=key if _KEY.match(key) else new_key(),
            action=first.get(ACTION_FIELD, SUBMIT),
        )

    @property
    def submitting(self) -> bool:
        return self.action not in (SWITCH, ADD) and not self.action.startswith(REMOVE)

    def rearrange(self) -> FieldErrors:
        """Add or remove a row as the button asked (a category switch needs nothing more)."""
        errors = FieldErrors()
        if self.action == ADD:
            if len(self.rows) >= MAX_ROWS:
                errors.add("items", f"一份申请最多 {MAX_ROWS} 项，请另行提交其余各项")
            else:
                self.rows.append(Row())
        elif self.action.startswith(REMOVE):
            index = self.action.removeprefix(REMOVE)
            if index.isdigit() and 0 < int(index) <= len(self.rows) and len(self.rows) > 1:
                del self.rows[int(index) - 1]
        return errors

    def shown(self) -> tuple[str, ...]:
        """The applicant fields the page shows for the chosen category."""
        own = PERSON_FIELDS if self.kind == PERSON else ORGANISATION_FIELDS
        return own + SHARED_FIELDS

    def carried(self) -> list[tuple[str, str]]:
        """Values typed for the other category, carried in hidden fields so a switch back
        finds them again (they are not submitted for this one)."""
        shown = self.shown()
        return [(n, v) for n, v in self.values.items() if n not in shown and v]

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def payload(self, organ_code: str | None = None) -> dict[str, Any]:
        """The application the form stands for (validated by the service's model): the
        portal's ApplicationCreate with its organ_code, or the applicant, items and delivery
        of a staff registration (no organ: the staff member's own)."""
        pairs = [(n, self.values[n]) for n in self.shown() if n in self.values]
        if self.kind == PERSON:
            pairs.append(("applicant.category", str(ApplicantCategory.natural_person)))
        else:
            pairs.append(("applicant.id_type", ORGANISATION_ID_TYPE))
        data = nest(pairs)
        data["items"] = [
            {
                k: v
                for k, v in (
                    ("description", r.description.strip()),
                    ("document_number", r.document_number.strip()),
                )
                if v
            }
            for r in self.rows
        ]
        if organ_code is not None:
            data["organ_code"] = organ_code
        data[CONSENT_FIELD] = self.consent
        data[TRANSFER_CONSENT_FIELD] = self.transfer_consent
        return data


def on_page(errors: FieldErrors) -> FieldErrors:
    """The errors, each under the field the page shows it beside."""
    placed = FieldErrors()
    for name, message in errors.items():
        placed.add(SHOWN_AT.get(name, name), message)
    return placed

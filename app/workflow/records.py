"""The case records guards and effects read (Records) and the changes they make to them.

This is the engine's bridge to the database for what is not the clock ledger: consultation
rows, the reply draft, the pieces an applicant asked for this month, the letter being served.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.consultations import repository as consultations_repo
from app.letters import repository as letters_repo
from app.letters.kinds import LetterKind
from app.models import Case, Consultation, Letter
from app.organs import repository as organs_repo
from app.releases.reply import release_facts
from app.workflow import repository
from app.workflow.context import ConsultationFacts, Records
from app.workflow.decision import ConsultationUpdate

# Which effects need which facts loaded.
_NEEDS_MONTH = "pause_reply_clock_for_fee"
_NEEDS_SERVED = "start_remedy_periods"
_NEEDS_ORGANS = "transfer_to_platform_organ"
# The reply's submission and issue read the released documents (app.workflow.rules_release).
_NEEDS_RELEASE = frozenset({"record_reply_submission", "conclude_reply"})
# Letters a service is recorded for: the reply or a closure notice.
SERVED_KINDS = (
    LetterKind.reply,
    LetterKind.closure_notice,
    LetterKind.record_correction_reply,
)
_CONSULTATION_LETTERS = {
    LetterKind.third_party_consultation,
    LetterKind.organ_consultation,
}


def _facts(c: Consultation) -> ConsultationFacts:
    return ConsultationFacts(
        code=c.code,
        kind=c.kind,
        party=c.party,
        party_address=c.party_address,
        question=c.question,
        dispatched_on=c.dispatched_on,
        party_received_on=c.party_received_on,
        opinion_on=c.opinion_on,
        result=c.result,
        settled_on=c.settled_on,
    )


def load_records(
    session: Session, case: Case, effects: tuple[str, ...], today: date, *, organ_code: str = ""
) -> tuple[Records, list[Consultation]]:
    """The records the action's effects and guards (named in `effects`) read, and the
    consultation rows."""
    rows = consultations_repo.consultations_of_case(session, case.id)
    earlier = 0
    if _NEEDS_MONTH in effects:
        earlier = repository.earlier_pieces_in_month(session, case, case.receipt_date or today)
    served = None
    if _NEEDS_SERVED in effects:
        served = _served_document(session, case.id)
    organs = organs_repo.platform_organs(session) if _NEEDS_ORGANS in effects else {}
    release = release_facts(session, case.id) if _NEEDS_RELEASE & set(effects) else None
    records = Records(
        consultations=tuple(map(_facts, rows)),
        earlier_pieces_in_month=earlier,
        served_document=served,
        own_organ=organ_code,
        platform_organs=organs,
        release=release,
    )
    return records, rows


def _served_document(session: Session, case_id: int) -> dict[str, Any] | None:
    for letter in reversed(letters_repo.letters_of_case(session, case_id)):
        if letter.status == "issued" and letter.kind in SERVED_KINDS and letter.context:
            return {
                "document_title": letter.context.get("title"),
                "document_number": letter.number,
            }
    return None


def apply_consultations(
    session: Session,
    case_id: int,
    rows: list[Consultation],
    changes: dict[str, ConsultationUpdate],
    now: datetime,
) -> list[Consultation]:
    """Create or update consultation rows; returns the rows touched."""
    by_code = {c.code: c for c in rows}
    touched = []
    for code, update in changes.items():
        row = by_code.get(code)
        if row is None:
            row = Consultation(case_id=case_id, code=code, created_at=now, **update.changed())
            session.add(row)
        else:
            update.apply(row)
        touched.append(row)
    return touched


def link_letters(
    touched: list[Consultation], letters: list[Letter], params: dict[str, Any]
) -> None:
    """Tie a consultation to the letter that started it, or to its disclosure notice."""
    by_code = {row.code: row for row in touched}
    notices = params.get(LetterKind.third_party_disclosure_notice) or []
    codes = iter(
        n["consultation_id"] for n in (notices if isinstance(notices, list) else [notices])
    )
    for letter in letters:
        if letter.kind in _CONSULTATION_LETTERS:
            for row in touched:
                if row.letter_id is None:
                    row.letter_id = letter.id
        elif letter.kind == LetterKind.third_party_disclosure_notice:
            notified = by_code.get(next(codes, ""))
            if notified is not None:
                notified.disclosure_letter_id = letter.id


def reply_draft(
    session: Session,
    case: Case,
    fields: dict[str, Any],
    now: datetime,
    by: int | None,
    *,
    kind: str = LetterKind.reply,
) -> Letter:
    """The case's reply draft (of the kind its case type replies with) with these fields
    (created when there is none)."""
    draft = letters_repo.open_draft(session, case.id, kind)
    if draft is None:
        draft = Letter(
            case_id=case.id,
            organ_id=case.organ_id,
            kind=kind,
            status="draft",
            fields={},
            created_at=now,
            created_by_id=by,
        )
        session.add(draft)
    draft.fields = {k: v for k, v in {**draft.fields, **fields}.items() if v is not None}
    return draft

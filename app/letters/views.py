"""Reading letters, drafting and previewing them: staff of the case's organ, and the applicant
for the issued letters addressed to them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.cases.service import legal_only, load_case
from app.errors import Conflict, InvalidInput, NotFound
from app.letters import repository
from app.letters.kinds import LetterKind, kind_info
from app.letters.schemas import ApplicantLetterRead, DraftCreate, LetterRead
from app.letters.service import (
    check_kind,
    draft_context,
    not_found,
    reproducible_html,
    stored_pdf,
)
from app.models import Case, Letter
from app.organs.directory import OrganInfo
from app.runtime import Runtime


@dataclass(frozen=True)
class Document:
    content: bytes
    media_type: str
    etag: str | None
    filename: str
    # A large document is served from the store, streamed (its content left empty).
    path: Path | None = None


def _organ(session: Session, rt: Runtime, case: Case) -> OrganInfo:
    organ = rt.organs.by_id(session, case.organ_id)
    assert organ is not None
    return organ


def case_letters(session: Session, principal: Principal, case_id: int) -> list[LetterRead]:
    case = load_case(session, principal, case_id)
    return [LetterRead.of(x) for x in repository.letters_of_case(session, case.id)]


def _letter_of_case(session: Session, case: Case, letter_id: int) -> Letter:
    letter = repository.letter_by_id(session, letter_id)
    if letter is None or letter.case_id != case.id:
        raise not_found(letter_id)
    return letter


def case_letter(session: Session, principal: Principal, case_id: int, letter_id: int) -> LetterRead:
    case = load_case(session, principal, case_id)
    return LetterRead.of(_letter_of_case(session, case, letter_id))


class NotDraftable(Conflict):
    code = "letter-not-draftable"
    title = "此文书不能在本状态下起草 / This letter cannot be drafted now"


def create_draft(
    session: Session, rt: Runtime, principal: Principal, case_id: int, body: DraftCreate
) -> LetterRead:
    """A draft to preview, issued later by the action that sends its kind."""
    case = load_case(session, principal, case_id)
    kind = check_kind(body.kind)
    if rt.workflow_for(case).is_final(case.state):
        raise NotDraftable(
            "案件已办结，不能再起草文书 / the case is closed", case_id=case.id, state=case.state
        )
    if repository.open_draft(session, case.id, kind) is not None:
        raise NotDraftable(
            "该种类已有草稿，请修改或删除后再建 / a draft of this kind exists already",
            case_id=case.id,
            kind=kind,
        )
    letter = Letter(
        case_id=case.id,
        organ_id=case.organ_id,
        kind=kind,
        status="draft",
        fields=body.fields,
        created_at=rt.clock(),
        created_by_id=principal.user_id,
    )
    # Build it once now, so a draft with wrong fields is refused with the field named.
    draft_context(session, rt, case, _organ(session, rt, case), letter, principal.name)
    session.add(letter)
    session.flush()
    return LetterRead.of(letter)


def update_draft(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    letter_id: int,
    fields: dict[str, Any],
) -> LetterRead:
    case = load_case(session, principal, case_id)
    letter = _letter_of_case(session, case, letter_id)
    _require_draft(letter)
    _require_not_under_review(case, letter)
    letter.fields = fields
    draft_context(session, rt, case, _organ(session, rt, case), letter, principal.name)
    session.flush()
    return LetterRead.of(letter)


def discard_draft(session: Session, principal: Principal, case_id: int, letter_id: int) -> None:
    case = load_case(session, principal, case_id)
    letter = _letter_of_case(session, case, letter_id)
    _require_draft(letter)
    _require_not_under_review(case, letter)
    session.delete(letter)
    session.flush()


class ReplyUnderReview(Conflict):
    code = "reply-under-review"
    title = "答复审核中 / The reply is under review"


def _require_not_under_review(case: Case, letter: Letter) -> None:
    # What the legal office reviewed and the approver signed off is what gets issued.
    if letter.kind == LetterKind.reply and case.review_outcome is not None:
        raise ReplyUnderReview(
            "答复已提交审核签发，须退回修改后方可编辑 / the reply was submitted for review; "
            "it can be edited after it is returned for revision",
            letter_id=letter.id,
            case_id=case.id,
        )


def _require_draft(letter: Letter) -> None:
    if letter.status != "draft":
        raise Conflict(
            "已出具的文书不能修改或删除；更正须另行出具新文书 / an issued letter never changes; "
            "a correction is a new letter",
            letter_id=letter.id,
        )


def preview(
    session: Session, rt: Runtime, principal: Principal, case_id: int, letter_id: int, fmt: str
) -> Document:
    """A draft re-rendered from the current case; an issued letter as it was frozen."""
    case = load_case(session, principal, case_id)
    letter = _letter_of_case(session, case, letter_id)
    name = f"{letter.kind}-{letter.id}"
    if letter.status == "draft":
        html = rt.letter_templates.html(
            draft_context(session, rt, case, _organ(session, rt, case), letter, principal.name)
        )
        if fmt == "html":
            return Document(html.encode(), "text/html; charset=utf-8", None, f"{name}.html")
        return Document(rt.press.render([html]).pdf, "application/pdf", None, f"{name}.pdf")
    if fmt == "html":
        html = reproducible_html(rt, letter)
        return Document(html.encode(), "text/html; charset=utf-8", None, f"{name}.html")
    return issued_pdf(session, rt, letter)


def issued_pdf(session: Session, rt: Runtime, letter: Letter) -> Document:
    """The stored bytes of an issued letter."""
    if letter.status != "issued":
        raise Conflict(
            "草稿没有定稿 PDF，请用预览 / a draft has no issued PDF; use the preview",
            letter_id=letter.id,
        )
    pdf = stored_pdf(session, rt, letter).pdf
    sha = hashlib.sha256(pdf).hexdigest()
    return Document(pdf, "application/pdf", sha, f"{letter.number or letter.kind}.pdf")


def staff_pdf(session: Session, rt: Runtime, principal: Principal, letter_id: int) -> Document:
    if principal.organ_id is None:
        raise not_found(letter_id)
    letter = repository.letter_in_organ(session, letter_id, principal.organ_id)
    if letter is None or letter.status != "issued":
        raise not_found(letter_id)
    if legal_only(principal):
        # The legal office reads only the letters of the cases it is involved in.
        try:
            load_case(session, principal, letter.case_id)
        except NotFound:
            raise not_found(letter_id) from None
    return issued_pdf(session, rt, letter)


def _to_applicant(letter: Letter) -> bool:
    return letter.status == "issued" and kind_info(letter.kind).to_applicant


def applicant_letters(session: Session, case: Case) -> list[ApplicantLetterRead]:
    """The issued letters addressed to the applicant of this case."""
    return [
        ApplicantLetterRead(
            id=x.id,
            kind=x.kind,
            title=kind_info(x.kind).title,
            number=x.number,
            letter_date=x.letter_date,
            download=f"/api/v1/applications/{case.number}/letters/{x.id}/pdf",
        )
        for x in repository.letters_of_case(session, case.id)
        if _to_applicant(x)
    ]


def applicant_pdf(session: Session, rt: Runtime, case: Case, letter_id: int) -> Document:
    letter = repository.letter_by_id(session, letter_id)
    # Another case's letter, a draft, or one addressed to a third party: all simply not found.
    if letter is None or letter.case_id != case.id or not _to_applicant(letter):
        raise not_found(letter_id)
    return issued_pdf(session, rt, letter)


def check_format(fmt: str) -> str:
    if fmt not in ("html", "pdf"):
        raise InvalidInput(("query", "format"), "format 只能是 html 或 pdf / html or pdf")
    return fmt

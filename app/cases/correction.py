"""The applicant submits the correction the organ asked for (补正, 条例第三十条), with files.

One function serves the JSON API and the page: the files are checked exactly as intake checks
them and stored the same way, linked to the case as correction material; the workflow's
`record_correction` is performed as the applicant, dated the organ-local day it arrives (the
applicant does not choose it: that day restarts the reply clock).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.auth.principal import APPLICANT
from app.auth.roles import Role
from app.cases import repository
from app.db import table_of
from app.errors import InvalidInput
from app.fields import LongText
from app.intake.uploads import Upload, check_configured
from app.models import Attachment, Case
from app.runtime import Runtime
from app.workflow.engine import perform

CORRECTION_ACTION = "record_correction"
CORRECTION_PURPOSE = "correction"
CONTENT_MAX = 4000  # app.fields.LongText

_ATTACHMENTS = table_of(Attachment)


class CorrectionSubmit(BaseModel):
    """The correction as the applicant sends it (JSON, or the fields of a multipart form)."""

    model_config = ConfigDict(extra="forbid")

    content: LongText | None = Field(
        None,
        description="补正内容（可只上传补正材料）/ what the applicant corrects, optional with files",
    )
    version: int = Field(ge=0, description="案件版本号 / the case version read")


def local_today(rt: Runtime) -> date:
    return rt.clock().astimezone(rt.tz).date()


def applicant_payload(rt: Runtime, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The applicant's payload as performed: a correction is dated the day it arrives."""
    if action == CORRECTION_ACTION:
        return {**payload, "corrected_receipt_date": local_today(rt).isoformat()}
    return payload


def perform_as_applicant(
    session: Session,
    rt: Runtime,
    case: Case,
    action: str,
    payload: dict[str, Any],
    version: int | None,
) -> None:
    """Carry out an action open to applicants on their (locked) case."""
    organ = rt.organs.by_id(session, case.organ_id)
    assert organ is not None
    perform(
        session,
        rt,
        case,
        organ,
        action,
        applicant_payload(rt, action, payload),
        version=version,
        actor=APPLICANT,
        roles=frozenset({Role.applicant}),
    )


def submit_correction(
    session: Session,
    rt: Runtime,
    case_id: int,
    content: str,
    uploads: list[Upload],
    version: int | None,
) -> Case:
    """Check the files, perform record_correction as the applicant, link the files to the case."""
    checked = check_configured(uploads, rt.settings)
    text = content.strip()
    if not text and not checked:
        raise InvalidInput(
            ("body", "content"),
            "请填写补正内容或上传补正材料 / write the correction or attach the material",
        )
    if len(text) > CONTENT_MAX:
        raise InvalidInput(
            ("body", "content"), f"补正内容最多 {CONTENT_MAX} 字 / at most {CONTENT_MAX} characters"
        )
    case = repository.case_by_id(session, case_id, for_update=True)  # locked: see service.act
    assert case is not None  # found a moment ago; cases are never deleted
    payload: dict[str, Any] = {"content": text} if text else {}
    perform_as_applicant(session, rt, case, CORRECTION_ACTION, payload, version)
    if checked:
        now = rt.clock()
        session.execute(
            insert(_ATTACHMENTS),
            [
                {
                    "case_id": case.id,
                    "filename": u.filename,
                    "content_type": u.content_type,
                    "size": len(u.data),
                    "sha256": rt.store.put(u.data),
                    "created_at": now,
                    "purpose": CORRECTION_PURPOSE,
                }
                for u in checked
            ],
        )
        session.expire(case, ["attachments"])
    return case

"""Applying online: choose the organ (/apply), fill the 申请表 (/apply/{organ}), get the number.

The page handlers call the services the JSON API calls: the organ directory
(app.organs.public) and app.intake.service.submit_online, in the same write session and with
the same idempotency key handling as POST /api/v1/applications.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import (
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from app.intake import service as intake
from app.intake.schemas import ApplicationCreate, CaseReceipt
from app.intake.uploads import Upload
from app.letters import repository as letters_repo
from app.letters.kinds import LetterKind
from app.organs.directory import OrganInfo
from app.organs.public import organ_groups
from app.runtime import Runtime, RuntimeDep
from app.web import apply_form
from app.web.apply_form import ApplyForm, new_key, on_page
from app.web.forms import FieldErrors, files, read_form, uploads
from app.web.security import CaseGrant, grant_case
from app.web.templating import render

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

_ORGAN_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
ATTACHMENTS = "attachments"


@router.get("/apply", response_class=HTMLResponse)
def choose_organ(
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
    q: Annotated[str | None, Query()] = None,
) -> Response:
    errors = FieldErrors()
    try:
        groups = organ_groups(session, q)
    except InvalidInput as exc:
        errors.add("q", exc.detail)
        groups = []
    context = {"groups": groups, "q": q or "", "errors": errors}
    status = 422 if errors else 200
    return render(request, rt, "apply_choose.html", context, status_code=status, cacheable=True)


def _organ(session: Session, rt: Runtime, code: str) -> OrganInfo:
    organ = rt.organs.by_code(session, code) if _ORGAN_CODE.match(code) else None
    if organ is None:
        raise NotFound("没有找到这个机关，请从机关列表中选择 / unknown organ")
    return organ


def _form_page(
    request: Request,
    rt: Runtime,
    organ: OrganInfo,
    form: ApplyForm,
    errors: FieldErrors | None = None,
    *,
    status_code: int = 200,
    files_dropped: bool = False,
) -> Response:
    context = {
        "organ": organ,
        "form": form,
        "errors": errors or FieldErrors(),
        "files_dropped": files_dropped,
        "choices": apply_form.CHOICES,
    }
    return render(request, rt, "apply_form.html", context, status_code=status_code)


@router.get("/apply/{organ_code}", response_class=HTMLResponse)
def application_form(
    organ_code: str, request: Request, session: ReadSession, rt: RuntimeDep
) -> Response:
    return _form_page(request, rt, _organ(session, rt, organ_code), ApplyForm())


@router.post("/apply/{organ_code}", response_class=HTMLResponse)
async def submit_application(
    organ_code: str, request: Request, session: WriteSession, rt: RuntimeDep
) -> Response:
    posted = await read_form(request, rt)
    form = ApplyForm.of(posted)
    organ = await run_in_threadpool(_organ, session, rt, organ_code)
    if not form.submitting:
        errors = form.rearrange()
        dropped = bool(files(posted, ATTACHMENTS))
        return _form_page(request, rt, organ, form, errors, files_dropped=dropped)
    try:
        if len(form.rows) > apply_form.MAX_ROWS:
            raise InvalidInput(
                ("body", "items"), f"一份申请最多 {apply_form.MAX_ROWS} 项 / too many items"
            )
        data = ApplicationCreate.model_validate(form.payload(organ.code))
        sent = await uploads(posted, ATTACHMENTS, rt)
        result = await run_in_threadpool(_submit, session, rt, data, sent, form.key)
    except ValidationError as exc:
        return _refused(request, rt, organ, form, FieldErrors.of_validation(exc), 422, posted)
    except IdempotencyKeyReused as exc:
        # The form was sent before with other content (back, edit, resend): a fresh key makes
        # the next submission a new application; the first one stands as it was.
        form.key = new_key()
        errors = FieldErrors()
        errors.add(
            "", "此表单已经提交过。如需再提交一份不同的申请，请核对内容后再次点击“提交申请”。"
        )
        return _refused(request, rt, organ, form, errors, exc.status, posted)
    except (InvalidInput, PayloadTooLarge, UnsupportedMediaType) as exc:
        errors = FieldErrors.of_domain(exc, fallback=ATTACHMENTS)
        return _refused(request, rt, organ, form, errors, exc.status, posted)
    return _submitted_page(request, rt, organ, *result)


def _refused(
    request: Request,
    rt: Runtime,
    organ: OrganInfo,
    form: ApplyForm,
    errors: FieldErrors,
    status: int,
    posted: FormData,
) -> Response:
    dropped = bool(files(posted, ATTACHMENTS))
    return _form_page(
        request, rt, organ, form, on_page(errors), status_code=status, files_dropped=dropped
    )


def _submit(
    session: Session, rt: Runtime, data: ApplicationCreate, sent: list[Upload], key: str
) -> tuple[intake.Submitted, int | None]:
    """Register the application and commit before the page answers (as the JSON route does);
    the receipt letter's id for the download link."""
    try:
        result = intake.submit_online(session, rt, data, sent, idempotency_key=key)
        case_id = int(result.body["id"])
        letter_id = next(
            (
                x.id
                for x in letters_repo.letters_of_case(session, case_id)
                if x.kind == LetterKind.receipt
            ),
            None,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result, letter_id


def _submitted_page(
    request: Request,
    rt: Runtime,
    organ: OrganInfo,
    result: intake.Submitted,
    letter_id: int | None,
) -> Response:
    receipt = CaseReceipt.model_validate(result.body)
    reply = next((d for d in receipt.deadlines if d.name == "reply"), None)
    context = {
        "organ": organ,
        "receipt": receipt,
        "reply": reply,
        "explanation": reply.explanation.split("\n")[0] if reply else "",
        "letter_id": letter_id,
        "replayed": result.replayed,
    }
    response = render(
        request, rt, "apply_submitted.html", context, status_code=200 if result.replayed else 201
    )
    grant_case(request, response, rt, CaseGrant(case_id=receipt.id, number=receipt.number))
    return response

"""The front desk registers an application that arrived in person, by post, fax or e-mail
(/staff/register), and prints its receipt at once.

The applicant, items and delivery are the portal's form (app.web.apply_form, the pieces in
templates/web/_apply_fields.html); the desk adds the channel, the arrival, the receipt date with
its basis and evidence, 代为填写 and a note. Submitting calls app.intake.service.register as
POST /api/v1/cases does, with the form's key as the Idempotency-Key: a resubmitted form
registers once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import CommittingRoute, WriteSession
from app.errors import IdempotencyKeyReused, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from app.intake import service as intake
from app.intake.schemas import CaseReceipt, StaffCaseCreate
from app.intake.uploads import Upload
from app.letters import repository as letters_repo
from app.letters.kinds import LetterKind
from app.runtime import Runtime, RuntimeDep
from app.vocabulary import (
    CHANNEL_BASES,
    CHANNEL_LABELS,
    RECEIPT_BASIS_LABELS,
    Channel,
    ReceiptBasis,
)
from app.web import apply_form
from app.web.apply_form import ApplyForm, new_key, on_page
from app.web.forms import FieldErrors, files, read_form, text_pairs, uploads
from app.web.staff import nav
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

# Who may register: the roles of POST /api/v1/cases (app.intake.router.Registrar).
REGISTER_ROLES = (Role.clerk, Role.front_desk)
Registrar = Annotated[Workbench, Depends(page_roles(*REGISTER_ROLES))]
nav.link("/staff/register", "登记申请", 40, REGISTER_ROLES)

PATH = "/staff/register"
ATTACHMENTS = "attachments"
DESK_FIELDS = ("channel", "arrived_at", "receipt_date", "receipt_basis", "receipt_evidence")
NOTE_FIELD = "staff_note"
FILLED_FIELD = "filled_by_staff"
STAFF_BASES = [b for b in ReceiptBasis if b != ReceiptBasis.platform_ack]


def _channel_bases() -> str:
    """Which basis fixes the receipt date on each channel (RULES §3), in words."""
    return "；".join(
        f"{CHANNEL_LABELS[c]}：{'或'.join(RECEIPT_BASIS_LABELS[b] for b in STAFF_BASES if b in CHANNEL_BASES[c])}"
        for c in Channel
    )


OPTIONS = {
    "channels": [(c.value, CHANNEL_LABELS[c]) for c in Channel],
    "bases": [("", "尚未确认（案件待确认收到）")]
    + [(b.value, RECEIPT_BASIS_LABELS[b]) for b in STAFF_BASES],
    "bases_hint": _channel_bases() + "。尚未确认收到日期的，留空。",
}


@dataclass
class DeskForm:
    """The registration form between renders: the portal's part and the desk's own fields."""

    application: ApplyForm
    values: dict[str, str] = field(default_factory=dict)
    filled_by_staff: bool = False

    @classmethod
    def blank(cls, rt: Runtime) -> DeskForm:
        now = rt.clock().astimezone(rt.tz)
        return cls(
            ApplyForm(values={"delivery.form": "paper", "delivery.method": "post"}),
            {
                "channel": Channel.registered_mail.value,
                "arrived_at": now.strftime("%Y-%m-%dT%H:%M"),
            },
        )

    @classmethod
    def of(cls, posted: FormData) -> DeskForm:
        first: dict[str, str] = {}
        for name, value in text_pairs(posted):
            first.setdefault(name, value[: apply_form.MAX_VALUE])
        wanted = (*DESK_FIELDS, NOTE_FIELD)
        return cls(
            ApplyForm.of(posted),
            {n: first[n] for n in wanted if n in first},
            first.get(FILLED_FIELD) == "true",
        )

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def payload(self) -> dict[str, Any]:
        """The StaffCaseCreate the form stands for (validated by the service's model)."""
        data = self.application.payload()
        for name in (*DESK_FIELDS, NOTE_FIELD):
            value = self.values.get(name, "").strip()
            if value:
                data[name] = value
        data[FILLED_FIELD] = self.filled_by_staff
        return data


def _form_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    form: DeskForm,
    errors: FieldErrors | None = None,
    *,
    status_code: int = 200,
    files_dropped: bool = False,
) -> Response:
    context = {
        "form": form,
        "errors": errors or FieldErrors(),
        "files_dropped": files_dropped,
        "choices": apply_form.CHOICES,
        "action": PATH,
        **OPTIONS,
    }
    return staff_page(
        request, rt, staff, "staff/desk_register.html", context, status_code=status_code
    )


@router.get(PATH, response_class=HTMLResponse)
def registration_form(request: Request, rt: RuntimeDep, staff: Registrar) -> Response:
    return _form_page(request, rt, staff, DeskForm.blank(rt))


@router.post(PATH, response_class=HTMLResponse)
async def register(
    request: Request, session: WriteSession, rt: RuntimeDep, staff: Registrar
) -> Response:
    posted = await read_form(request, rt)
    form = DeskForm.of(posted)
    dropped = bool(files(posted, ATTACHMENTS))
    if not form.application.submitting:
        errors = form.application.rearrange()
        return _form_page(request, rt, staff, form, errors, files_dropped=dropped)
    try:
        if len(form.application.rows) > apply_form.MAX_ROWS:
            raise InvalidInput(
                ("body", "items"), f"一份申请最多 {apply_form.MAX_ROWS} 项 / too many items"
            )
        data = StaffCaseCreate.model_validate(form.payload())
        sent = await uploads(posted, ATTACHMENTS, rt)
        result = await run_in_threadpool(
            _register, session, rt, staff.principal, data, sent, form.application.key
        )
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
        return _refused(request, rt, staff, form, errors, 422, dropped)
    except IdempotencyKeyReused as exc:
        # Sent before with other content (back, edit, resend): the first registration stands;
        # a fresh key makes the next submission a new one.
        form.application.key = new_key()
        errors = FieldErrors()
        errors.add("", "此表单已经提交登记过。如需登记另一份申请，请核对内容后再次点击“登记”。")
        return _refused(request, rt, staff, form, errors, exc.status, dropped)
    except (InvalidInput, PayloadTooLarge, UnsupportedMediaType) as exc:
        errors = FieldErrors.of_domain(exc, fallback=ATTACHMENTS)
        return _refused(request, rt, staff, form, errors, exc.status, dropped)
    submitted, letter_id = result
    context = {
        "receipt": CaseReceipt.model_validate(submitted.body),
        "letter_id": letter_id,
        "replayed": submitted.replayed,
    }
    return staff_page(
        request,
        rt,
        staff,
        "staff/desk_registered.html",
        context,
        status_code=200 if submitted.replayed else 201,
    )


def _refused(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    form: DeskForm,
    errors: FieldErrors,
    status: int,
    dropped: bool,
) -> Response:
    return _form_page(
        request, rt, staff, form, on_page(errors), status_code=status, files_dropped=dropped
    )


def _register(
    session: Session,
    rt: Runtime,
    principal: Principal,
    data: StaffCaseCreate,
    sent: list[Upload],
    key: str,
) -> tuple[intake.Submitted, int | None]:
    """Register and commit before the page answers (as the JSON route does); the receipt
    letter's id, if one was issued, for the print link."""
    try:
        result = intake.register(session, rt, principal, data, sent, idempotency_key=key)
        letter = letters_repo.latest_issued(session, int(result.body["id"]), [LetterKind.receipt])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result, letter.id if letter else None

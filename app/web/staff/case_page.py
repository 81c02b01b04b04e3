"""The case page (/staff/cases/{id}) and its downloads, from the JSON case view's services.

What the page shows is `GET /api/v1/cases/{id}` (same service, same organ scoping: another
organ's case is the 404 page), with the timeline, letters and remedy records their JSON routes
read; attachments, issued letters, draft previews and the case file (app.web.staff.casefile)
download through workbench routes that call the JSON routes' service functions.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.casefile import service as casefiles
from app.cases import service
from app.cases.router import READ_ROLES
from app.cases.schemas import CaseRead
from app.db import CommittingRoute, ReadSession
from app.fields import RowId
from app.letters import views as letters
from app.letters.builders import DELIVERY_FORM_LABELS, DELIVERY_METHOD_LABELS
from app.letters.responses import document_response
from app.remedies import service as remedies
from app.runtime import Runtime, RuntimeDep
from app.suggestions import service as suggestions
from app.validation.files import ALLOWED_TYPES
from app.vocabulary import RECEIPT_BASIS_LABELS
from app.web.staff.assignment_form import assignment_context
from app.web.staff.assistance_form import assistance_context
from app.web.staff.released_form import released_context
from app.web.staff.session import Workbench, page_roles, staff_page
from app.workflow.definition import CREATION_EVENTS, WorkflowDef
from app.workflow.write import SIDE_EVENTS

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Reader = Annotated[Workbench, Depends(page_roles(*READ_ROLES))]
# Who reads remedy records and suggestions (the remedies' and suggestions' routers' readers).
REMEDY_READERS = frozenset({Role.clerk, Role.legal, Role.approver, Role.supervisor})
SUGGESTION_READERS = REMEDY_READERS


def event_labels(wf: WorkflowDef) -> dict[str, str]:
    """Words for the timeline's events: the actions' labels, and the events that open a case
    (registration, online submission) as the workflow's applicant timeline words them."""
    opening = {
        code: wf.applicant_timeline[code].label
        for code in CREATION_EVENTS
        if code in wf.applicant_timeline
    }
    return {**SIDE_EVENTS, **opening, **{code: a.label for code, a in wf.actions.items()}}


def case_context(
    session: ReadSession, rt: Runtime, principal: Principal, case: CaseRead
) -> dict[str, Any]:
    """Everything the case page shows besides the case view itself."""
    wf = rt.workflows[case.case_type]
    return {
        "case": case,
        "events": service.case_events(session, principal, case.id),
        "letters": letters.case_letters(session, principal, case.id),
        "case_files": casefiles.list_files(session, principal, case.id),
        "remedies": remedies.list_remedies(session, principal, case.id)
        if principal.roles & REMEDY_READERS
        else None,
        # The repeats only: the Art. 44 comparison takes seconds in a large organ and has its
        # own page (/suggestions), linked from the section.
        "suggestions": suggestions.suggestions(session, rt, principal, case.id, art44=False)
        if principal.roles & SUGGESTION_READERS
        else None,
        "actions": [wf.action(code) for code in case.allowed_actions],
        "state_labels": {code: st.label for code, st in wf.states.items()},
        "action_labels": event_labels(wf),
        "delivery_labels": {**DELIVERY_FORM_LABELS, **DELIVERY_METHOD_LABELS},
        "receipt_basis_labels": {str(b): label for b, label in RECEIPT_BASIS_LABELS.items()},
    }


def page_context(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case: CaseRead,
    *,
    assign_values: dict[str, str] | None = None,
    assist_values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the case page shows: the case and its 承办, 协办 and 公开文件 sections (with
    what a returned form held)."""
    return {
        **case_context(session, rt, principal, case),
        **assignment_context(session, rt, principal, case, values=assign_values),
        **assistance_context(session, rt, principal, case, values=assist_values),
        **released_context(session, rt, principal, case),
    }


def page_again(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    errors: dict[str, Any],
    **values: dict[str, str],
) -> dict[str, Any]:
    """The case page as it is now after a refused form: its changes rolled back, `errors`
    (e.g. assign_errors) beside their section and the form's values kept."""
    session.rollback()
    case = service.get_case(session, rt, principal, case_id)
    return {**page_context(session, rt, principal, case, **values), **errors, "done": None}


@router.get("/staff/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: RowId, request: Request, rt: RuntimeDep, session: ReadSession, staff: Reader
) -> Response:
    # Held while the page is composed: the services below, each checking access to the case,
    # find it in the session (whose identity map holds only what is referenced) unread.
    found = service.load_case(session, staff.principal, case_id)
    case = service.staff_view(session, rt, staff.principal, found)
    context = page_context(session, rt, staff.principal, case)
    done = request.query_params.get("done", "")
    context["done"] = context["action_labels"].get(done)
    return staff_page(request, rt, staff, "staff/case.html", context)


SuggestionReader = Annotated[Workbench, Depends(page_roles(*SUGGESTION_READERS))]


@router.get("/staff/cases/{case_id}/suggestions", response_class=HTMLResponse)
def suggestions_page(
    case_id: RowId, request: Request, rt: RuntimeDep, session: ReadSession, staff: SuggestionReader
) -> Response:
    """Repeats and Art. 44 groups: `GET /api/v1/cases/{id}/suggestions` as a page."""
    found = suggestions.suggestions(session, rt, staff.principal, case_id)
    case = service.get_case(session, rt, staff.principal, case_id)
    context = {"case": case, "suggestions": found}
    return staff_page(request, rt, staff, "staff/case_suggestions.html", context)


@router.get("/staff/cases/{case_id}/attachments/{attachment_id}")
def attachment(
    case_id: RowId, attachment_id: RowId, rt: RuntimeDep, session: ReadSession, staff: Reader
) -> Response:
    found = service.get_attachment(session, staff.principal, case_id, attachment_id)
    ext = ALLOWED_TYPES[found.content_type]
    return Response(
        rt.store.read(found.sha256),
        media_type=found.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="attachment-{found.id}{ext}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )


@router.get("/staff/cases/{case_id}/letters/{letter_id}/preview")
def letter_preview(
    case_id: RowId,
    letter_id: RowId,
    request: Request,
    rt: RuntimeDep,
    session: ReadSession,
    staff: Reader,
) -> Response:
    """A draft rendered from the case as it is now; an issued letter as it was frozen."""
    doc = letters.preview(session, rt, staff.principal, case_id, letter_id, "pdf")
    return document_response(doc, request)


@router.get("/staff/letters/{letter_id}/pdf")
def letter_pdf(
    letter_id: RowId, request: Request, rt: RuntimeDep, session: ReadSession, staff: Reader
) -> Response:
    return document_response(letters.staff_pdf(session, rt, staff.principal, letter_id), request)

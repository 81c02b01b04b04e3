"""Action forms on the case page (/staff/cases/{id}/actions/{action}), generated from the workflow.

The form is the action's payload declaration in the YAML (type, choices, label, required), so
a new action appears without page code; its values are parsed by the workflow's own
`form_payload` and the action is taken by `app.cases.service.act`, as the JSON route takes it.
An action that issues letters first shows them as drafts (the letters' own draft and preview
services; no number is allocated) and is performed only on 确认并签发.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.auth.principal import Principal
from app.auth.roles import Role
from app.cases import service
from app.cases.router import STAFF_ACTORS
from app.cases.schemas import CaseRead, EventRead
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import Conflict, DomainError, InvalidInput, NotFound
from app.fields import RowId
from app.letters import repository as letters_repo
from app.letters import views as letters
from app.letters.kinds import kind_info
from app.letters.schemas import DraftCreate
from app.letters.service import action_params
from app.runtime import Runtime, RuntimeDep
from app.transfers.service import choice_sources
from app.web.forms import FieldErrors, form_version, read_form
from app.web.staff.action_fields import form_fields
from app.web.staff.draft_edits import DraftForm, changed, draft_forms, posted_edits, with_edits
from app.web.staff.session import Workbench, page_roles, staff_page
from app.workflow.definition import ActionDef
from app.workflow.payload import PayloadErrors, form_payload
from app.workflow.write import VersionConflict

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Actor = Annotated[Workbench, Depends(page_roles(*STAFF_ACTORS))]
ActionCode = Annotated[str, Path(max_length=50, pattern=r"^[a-z][a-z0-9_]*$")]
# Who may start a draft letter (the letters router's drafters): only they get the preview step.
DRAFTERS = frozenset({Role.clerk, Role.legal, Role.approver})
CONFIRM = "_confirm"


@dataclass
class Preview:
    """One letter the action will issue, as its draft previews now."""

    title: str
    letter_id: int | None
    problem: str | None = None


@dataclass
class Outcome:
    """What a POST came to: a redirect, or the form again with this context and status."""

    redirect: str | None = None
    context: dict[str, Any] | None = None
    status: int = 200


def _action(rt: Runtime, case: CaseRead, code: str) -> ActionDef:
    wf = rt.workflows[case.case_type]
    if code not in wf.actions:
        raise NotFound(f"没有名为 {code} 的操作 / no action {code}", action=code)
    if code not in case.allowed_actions:
        raise Conflict(
            f"案件处于“{case.state_label}”，您不能{wf.action(code).label} / {code} is not open "
            "to you in this state",
            case_id=case.id,
        )
    return wf.action(code)


def _values(action: ActionDef, form: FormData | None) -> dict[str, str]:
    """The form's text for each declared field, as the page shows it back."""
    if form is None:
        return {}
    return {
        f.name: "\n".join(v for v in form.getlist(f.name) if isinstance(v, str))[:20_000]
        for f in action.payload
    }


def _context(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case: CaseRead,
    action: ActionDef,
    *,
    values: dict[str, str] | None = None,
    version: int | None = None,
    errors: FieldErrors | None = None,
    problem: str | None = None,
    conflict: EventRead | None = None,
    previews: list[Preview] | None = None,
    drafts: list[DraftForm] | None = None,
    revised: bool = False,
    nothing_to_issue: bool = False,
) -> dict[str, Any]:
    return {
        "case": case,
        "action": action,
        "fields": form_fields(action, sources=choice_sources(session, rt, principal, action)),
        "values": values or {},
        "version": case.version if version is None else version,
        "errors": errors,
        "problem": problem,
        "conflict": conflict,
        "previews": previews,
        "drafts": drafts or [],
        "revised": revised,
        "nothing_to_issue": nothing_to_issue,
        "preview_step": bool(action.letters) and bool(principal.roles & DRAFTERS),
        "action_labels": {c: a.label for c, a in rt.workflows[case.case_type].actions.items()},
    }


@router.get("/staff/cases/{case_id}/actions/{action}", response_class=HTMLResponse)
def action_form(
    case_id: RowId,
    action: ActionCode,
    request: Request,
    rt: RuntimeDep,
    session: ReadSession,
    staff: Actor,
) -> Response:
    case = service.get_case(session, rt, staff.principal, case_id)
    context = _context(session, rt, staff.principal, case, _action(rt, case, action))
    return staff_page(request, rt, staff, "staff/case_action.html", context)


def _previews(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case: CaseRead,
    action: ActionDef,
    payload: dict[str, Any],
    edits: dict[str, dict[str, Any]],
) -> list[Preview]:
    """Start (or update) a draft of each letter the action will issue with this payload and
    the clerk's edits of its own texts."""
    organ = rt.organs.by_id(session, principal.organ_id or 0)
    assert organ is not None
    out = []
    for rule in action.letters:
        if not rule.applies(payload):
            continue
        title = kind_info(rule.kind).title
        fields = with_edits(
            action_params(action, rule.kind, payload, organ), edits.get(rule.kind, {})
        )
        try:
            with session.begin_nested():
                draft = letters_repo.open_draft(session, case.id, rule.kind)
                if draft is None:
                    made = letters.create_draft(
                        session, rt, principal, case.id, DraftCreate(kind=rule.kind, fields=fields)
                    )
                    out.append(Preview(title, made.id))
                else:
                    # What was reviewed and signed off is issued: the reply is shown as it stands.
                    with suppress(letters.ReplyUnderReview):
                        letters.update_draft(session, rt, principal, case.id, draft.id, fields)
                    out.append(Preview(title, draft.id))
        except DomainError as exc:
            # E.g. a letter whose contents the action's effects compute (the parties consulted):
            # it cannot be drafted ahead, and is issued as the action builds it.
            out.append(Preview(title, None, exc.detail))
    return out


def _conflict(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case: CaseRead,
    action: ActionDef,
    values: dict[str, str],
    version: int | None,
) -> Outcome:
    """The form again on the case as it is now, saying who changed it last and when."""
    latest = service.case_events(session, principal, case.id)[-1]
    problem = f"表单基于版本 {version}，案件现为版本 {case.version}"
    ctx = _context(
        session, rt, principal, case, action, values=values, problem=problem, conflict=latest
    )
    return Outcome(context=ctx, status=409)


def _submit(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    code: str,
    form: FormData,
) -> Outcome:
    case = service.get_case(session, rt, principal, case_id)
    wf = rt.workflows[case.case_type]
    version = form_version(form)
    if code in wf.actions and version is not None and version != case.version:
        # A stale form: say who changed the case, whatever the action can do now.
        action = wf.action(code)
        return _conflict(session, rt, principal, case, action, _values(action, form), version)
    action = _action(rt, case, code)
    values = _values(action, form)
    try:
        payload = form_payload(action, {f.name: [values[f.name]] for f in action.payload}, rt.tz)
    except PayloadErrors as exc:
        errors = FieldErrors.of_domain(InvalidInput.many(exc.errors))
        return Outcome(
            context=_context(
                session, rt, principal, case, action, values=values, version=version, errors=errors
            ),
            status=422,
        )
    drafting = bool(action.letters) and bool(principal.roles & DRAFTERS)
    edits, edit_errors = posted_edits(action, payload, form) if drafting else ({}, FieldErrors())
    if edit_errors:
        drafts = draft_forms(session, case_id, action, payload, form)
        ctx = _context(
            session,
            rt,
            principal,
            case,
            action,
            values=values,
            version=version,
            errors=edit_errors,
            drafts=drafts,
        )
        return Outcome(context=ctx, status=422)
    confirmed = form.get(CONFIRM) == "1"
    # Texts changed since the last preview are previewed again before anything is issued.
    revised = confirmed and drafting and changed(session, case_id, edits)
    wants_preview = drafting and (not confirmed or revised)
    previews: list[Preview] = []
    try:
        with session.begin_nested():
            if wants_preview:
                # Nothing is drafted for an action that would be refused.
                service.check_action(session, rt, principal, case_id, code, payload, version)
                previews = _previews(session, rt, principal, case, action, payload, edits)
                if not previews and not confirmed:
                    # No letter goes out with these values (e.g. an internal consultation):
                    # nothing to preview, but the clerk still confirms before it is done.
                    ctx = _context(
                        session,
                        rt,
                        principal,
                        case,
                        action,
                        values=values,
                        version=version,
                        nothing_to_issue=True,
                    )
                    return Outcome(context=ctx)
            if not previews:
                service.act(session, rt, principal, case_id, code, payload, version)
    except VersionConflict:
        fresh = service.get_case(session, rt, principal, case_id)
        return _conflict(session, rt, principal, fresh, action, values, version)
    except InvalidInput as exc:
        errors = FieldErrors.of_domain(exc)
        ctx = _context(
            session, rt, principal, case, action, values=values, version=version, errors=errors
        )
        return Outcome(context=ctx, status=422)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        ctx = _context(
            session, rt, principal, case, action, values=values, version=version, problem=exc.detail
        )
        return Outcome(context=ctx, status=exc.status)
    if previews:
        ctx = _context(
            session,
            rt,
            principal,
            case,
            action,
            values=values,
            version=version,
            previews=previews,
            drafts=draft_forms(session, case_id, action, payload, form),
            revised=revised,
        )
        return Outcome(context=ctx)
    return Outcome(redirect=f"/staff/cases/{case_id}?done={code}")


@router.post("/staff/cases/{case_id}/actions/{action}")
async def take_action(
    case_id: RowId,
    action: ActionCode,
    request: Request,
    rt: RuntimeDep,
    session: WriteSession,
    staff: Actor,
) -> Response:
    form = await read_form(request, rt)
    outcome = await run_in_threadpool(_submit, session, rt, staff.principal, case_id, action, form)
    if outcome.redirect is not None:
        return RedirectResponse(outcome.redirect, status_code=303)
    return staff_page(
        request, rt, staff, "staff/case_action.html", outcome.context, status_code=outcome.status
    )

"""The workflow engine: the only code that changes a case's state.

One action = **check → decide → record**. `check` asks everything that could stop it (exists,
role, state, implemented, version, payload, guards, the effects' own checks) and changes
nothing; `decide` turns what the effects found into a typed `Decision` (the state it leads to, a
`CaseUpdate` naming each column it sets, the clock entries and the cached due dates after them,
consultation changes, the reply draft, the letters to issue); `record` (app.workflow.write, the
one write path of a case) writes it all — state and columns, due dates, letters (numbered and
frozen, rendered after the commit), the hash-chained event, the clock entries and the outbox
events — in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Actor
from app.deadline import repository as clock_repo
from app.deadline.cache import cache_values
from app.deadline.ledger import LedgerEntry
from app.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from app.letters.kinds import LetterOrder
from app.letters.service import (
    letter_orders,
)
from app.models import Case, Consultation
from app.organs.directory import OrganInfo
from app.runtime import Runtime
from app.workflow import records
from app.workflow.decision import CaseUpdate, Decision, DraftOrder, Dues, Filed
from app.workflow.definition import ActionDef, WorkflowDef
from app.workflow.payload import PayloadErrors, check_payload
from app.workflow.rules import EFFECTS, GUARDS, CaseFacts, Change, Ctx
from app.workflow.write import Performed, VersionConflict, record


class InvalidTransition(Conflict):
    code = "invalid-transition"
    title = "当前状态不允许此操作 / Action not allowed in this state"


class VersionRequired(DomainError):
    status = 428
    code = "version-required"
    title = "须提供版本号 / Version required"


class GuardFailed(Conflict):
    code = "guard-failed"
    title = "不满足操作条件 / A condition of this action is not met"


class ActionUnavailable(Conflict):
    code = "action-unavailable"
    title = "此操作尚未开放 / Action not available yet"


def implemented(action: ActionDef) -> bool:
    """Whether every guard and effect the action names is implemented."""
    return all(g in GUARDS for g in action.guards) and all(e in EFFECTS for e in action.effects)


def allowed_actions(wf: WorkflowDef, state: str, roles: frozenset[str]) -> list[str]:
    """Actions the roles may take in this state of the case's workflow (guards aside)."""
    return [code for code in wf.allowed_actions(state, roles) if implemented(wf.action(code))]


@dataclass(frozen=True)
class _Checked:
    """An action that passed every check, with what its effects decided (nothing applied)."""

    wf: WorkflowDef
    action: ActionDef
    payload: dict[str, Any]
    ctx: Ctx
    ledger: list[LedgerEntry]
    consultations: list[Consultation]
    change: Change
    dues_before: Dues


def _check(
    session: Session,
    rt: Runtime,
    case: Case,
    organ: OrganInfo,
    action_code: str,
    raw_payload: dict[str, Any],
    *,
    version: int | None,
    actor: Actor,
    roles: frozenset[str],
) -> _Checked:
    """Every check of an action (exists, role, state, implemented, version, payload, guards,
    the effects' own checks) without changing anything; raises the first problem."""
    wf = rt.workflow_for(case)
    if action_code not in wf.actions:
        raise NotFound(
            f"没有名为 {action_code} 的操作 / no action {action_code}", action=action_code
        )
    action = wf.action(action_code)
    if not roles.intersection(action.roles):
        raise Forbidden(
            f"此操作需要以下角色之一 / {action_code} requires one of: {', '.join(action.roles)}",
            required_roles=list(action.roles),
        )
    allowed = allowed_actions(wf, case.state, roles)
    if case.state not in action.from_states:
        raise InvalidTransition(
            f"案件处于“{wf.label(case.state)}”，不能{action.label} / {action_code} is not allowed "
            f"in state {case.state}",
            case_id=case.id,
            state=case.state,
            allowed_actions=allowed,
        )
    if not implemented(action):
        raise ActionUnavailable(
            f"“{action.label}”将在后续版本开放 / {action_code} is declared in the workflow but not "
            "available in this version",
            case_id=case.id,
            allowed_actions=allowed,
        )
    if version is None:
        raise VersionRequired(
            "请在 If-Match 请求头或 version 字段提供案件版本号 / send the case version in If-Match "
            "or the version field",
            case_id=case.id,
            version=case.version,
        )
    if version != case.version:
        raise VersionConflict(
            f"案件版本为 {case.version}，请求基于 {version} / the case is at version "
            f"{case.version}, the request was based on {version}",
            case_id=case.id,
            version=case.version,
        )
    try:
        payload = check_payload(action, raw_payload)
    except PayloadErrors as exc:
        raise InvalidInput.many(exc.errors) from None

    now = rt.clock()
    today = now.astimezone(rt.tz).date()
    ledger = clock_repo.ledger_of(session, case.id)
    case_records, consultations = records.load_records(
        session, case, (*action.effects, *action.guards), today, organ_code=organ.code
    )
    ctx = Ctx(
        case=CaseFacts(
            state=case.state,
            channel=case.channel,
            arrived_on=case.arrived_at.astimezone(rt.tz).date(),
            receipt_date=case.receipt_date,
            e_service_consent=case.e_service_consent,
            reply_due=case.reply_due,
            review_outcome=case.review_outcome,
            legal_review=case.legal_review,
            sign_off=case.sign_off,
            confidentiality_review=case.confidentiality_review,
            inspection=case.inspection,
            applicant_name=case.applicant_name,
            applicant_address=case.applicant_address,
            item_positions=tuple(i.position for i in case.items),
            delivery_form=case.delivery_form,
            delivery_method=case.delivery_method,
            awaits_receipt_of=wf.states[case.state].awaits_receipt_of,
        ),
        ledger=ledger,
        payload=payload,
        actor=actor,
        today=today,
        now=now,
        calendar=rt.calendar,
        settings=organ.settings,
        roles=roles,
        records=case_records,
        action=action_code,
        tz=rt.tz,
    )
    for name in action.guards:
        reason = GUARDS[name](ctx)
        if reason is not None:
            raise GuardFailed(reason, guard=name, case_id=case.id, allowed_actions=allowed)
    change = Change()
    for name in action.effects:
        EFFECTS[name](ctx, change)
    if change.errors:
        raise InvalidInput.many(change.errors)
    return _Checked(
        wf, action, payload, ctx, list(ledger), list(consultations), change, Dues.read(case)
    )


def check(
    session: Session,
    rt: Runtime,
    case: Case,
    organ: OrganInfo,
    action_code: str,
    raw_payload: dict[str, Any],
    *,
    version: int | None,
    actor: Actor,
    roles: frozenset[str],
) -> None:
    """Whether the action would be carried out now: raises what would stop it, changes nothing
    (a page asks this before showing the letters an action would issue)."""
    _check(
        session,
        rt,
        case,
        organ,
        action_code,
        raw_payload,
        version=version,
        actor=actor,
        roles=roles,
    )


def perform(
    session: Session,
    rt: Runtime,
    case: Case,
    organ: OrganInfo,
    action_code: str,
    raw_payload: dict[str, Any],
    *,
    version: int | None,
    actor: Actor,
    roles: frozenset[str],
    filing: Callable[[Case, dict[str, Any], str], Filed | None] | None = None,
) -> Performed:
    """Carry out one action on a case, or raise the problem that stops it (nothing changes):
    check it, decide what it changes, record that. `filing`, called with the checked payload and
    the state the case goes to once every check has passed, files the case at another organ (转办) in the same
    transaction and says how the case links to it."""
    checked = _check(
        session,
        rt,
        case,
        organ,
        action_code,
        raw_payload,
        version=version,
        actor=actor,
        roles=roles,
    )
    decision = decide(checked, previous_state=case.previous_state, organ=organ, rt=rt)
    filed = filing(case, checked.payload, decision.to_state) if filing is not None else None
    if filed is not None:
        orders = tuple(
            LetterOrder(o.kind, {**o.params, **filed.letter_params.get(o.kind, {})})
            for o in decision.letters
        )
        decision = replace(decision, filed=filed, letters=orders)
    return record(session, rt, case, organ, decision, actor=actor)


def decide(
    checked: _Checked, *, previous_state: str | None, organ: OrganInfo, rt: Runtime
) -> Decision:
    """What the checked action changes, as data (writes nothing): the state it leads to, the
    case columns its effects set and the conclusion, the ledger and cached due dates after it,
    the consultations, the reply draft and the letters it issues."""
    action, payload, ctx, change = checked.action, checked.payload, checked.ctx, checked.change
    entries = tuple(change.entries)
    ledger = (*checked.ledger, *entries)
    update = CaseUpdate()
    update.merge(change.update)
    if action.outcome is not None:
        # A closing action (withdrawal, no correction, fee unpaid) sets the outcome it declares
        # and the conclusion date the statistics count (RULES §8); a reply sets its own.
        update.outcome = action.outcome
        update.concluded_on = min(payload.get("withdrawn_on", ctx.today), ctx.today)
    dues = cache_values(
        list(ledger), rt.calendar, fee_pauses_clock=organ.settings.fee_pauses_clock, today=ctx.today
    )
    draft = None
    if change.reply_fields is not None:
        draft = DraftOrder(change.reply_fields, change.draft_kind)
    return Decision(
        action=action,
        workflow_version=checked.wf.version,
        payload=payload,
        from_state=ctx.case.state,
        to_state=action.resolve_target(previous_state, payload, ctx.case.state),
        update=update,
        dues_before=checked.dues_before,
        dues=Dues.of(dues),
        entries=entries,
        ledger=ledger,
        consultations=tuple(checked.consultations),
        consultation_changes=change.consultations,
        draft=draft,
        letters=tuple(letter_orders(action, payload, organ, change.letter_params)),
        letter_params=change.letter_params,
        now=ctx.now,
        today=ctx.today,
        served=bool(action.records_service_of),
        case_file=change.case_file,
    )

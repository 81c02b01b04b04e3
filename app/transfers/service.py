"""Which workflow actions file the case at another organ, and how (转办)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Actor, Principal
from app.letters import repository as letters_repo
from app.letters.kinds import LetterKind
from app.models import Case
from app.organs import repository as organs_repo
from app.organs.directory import OrganInfo
from app.runtime import Runtime
from app.transfers.filing import LINKED_FILING, TRANSFER, file_at
from app.workflow.decision import Filed
from app.workflow.definition import ActionDef

TRANSFER_ACTION = "transfer"
REPLY_ACTION = "issue_reply"
NOT_THIS_ORGAN = "unavailable.not_this_organ"

Filing = Callable[[Case, dict[str, Any], str], Filed | None]


def filing_for(
    session: Session, rt: Runtime, organ: OrganInfo, action: str, *, actor: Actor
) -> Filing | None:
    """What the action files elsewhere once its checks pass: 转办 files the case at the organ
    its payload names (its guards made sure that organ is another one on the platform); a
    reply that names another organ on the platform responsible files it there when the
    applicant agreed (同意转交)."""
    if action == REPLY_ACTION:
        return _linked_filing(session, rt, organ, actor)
    if action != TRANSFER_ACTION:
        return None

    def transfer(case: Case, payload: dict[str, Any], state: str) -> Filed:
        to = rt.organs.by_code(session, payload["to_organ"])
        if to is None:  # the guard read the organs in this transaction: cannot happen
            raise LookupError(payload["to_organ"])
        return file_at(
            session,
            rt,
            case,
            from_organ=organ,
            to=to,
            kind=TRANSFER,
            reason=payload.get("reason"),
            state=state,
            actor=actor,
            now=rt.clock(),
        )

    return transfer


def organ_choices(session: Session, principal: Principal) -> tuple[tuple[str, str], ...]:
    """The platform's organs other than the caller's, as (code, label) for a form's choice."""
    return tuple(
        (code, f"{name}（{code}）")
        for code, name in organs_repo.platform_organs(session).items()
        if code != principal.organ_code
    )


def choice_sources(
    session: Session, rt: Runtime, principal: Principal, action: ActionDef
) -> dict[str, tuple[tuple[str, str], ...]]:
    """The choices the code supplies for the action's form fields (`choices_from`)."""
    wanted = {f.choices_from for f in action.payload if f.choices_from}
    return {"organs": organ_choices(session, principal)} if "organs" in wanted else {}


def responsible_organ_code(session: Session, case: Case) -> str | None:
    """The platform code of the organ the case's reply draft names responsible, if any."""
    draft = letters_repo.open_draft(session, case.id, LetterKind.reply)
    named = draft.fields.get("responsible_organ") if draft is not None else None
    code = named.get("code") if isinstance(named, dict) else None
    return code if isinstance(code, str) and code else None


def _linked_filing(session: Session, rt: Runtime, organ: OrganInfo, actor: Actor) -> Filing:
    def linked(case: Case, payload: dict[str, Any], state: str) -> Filed | None:
        if (
            not case.transfer_consent
            or case.review_outcome != NOT_THIS_ORGAN
            or case.transferred_to_id is not None
        ):
            return None
        code = responsible_organ_code(session, case)
        to = rt.organs.by_code(session, code) if code and code != organ.code else None
        if to is None:  # not on the platform: the reply names it, the applicant applies there
            return None
        draft = letters_repo.open_draft(session, case.id, LetterKind.reply)
        reasons = draft.fields.get("reasons") if draft is not None else None
        return file_at(
            session,
            rt,
            case,
            from_organ=organ,
            to=to,
            kind=LINKED_FILING,
            reason=reasons if isinstance(reasons, str) else None,
            state=state,
            actor=actor,
            now=rt.clock(),
        )

    return linked

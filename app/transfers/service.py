"""Which workflow actions file the case at another organ, and how (转办)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Actor, Principal
from app.models import Case
from app.organs import repository as organs_repo
from app.organs.directory import OrganInfo
from app.runtime import Runtime
from app.transfers.filing import TRANSFER, file_at
from app.workflow.decision import Filed
from app.workflow.definition import ActionDef

TRANSFER_ACTION = "transfer"

Filing = Callable[[Case, dict[str, Any], str], Filed | None]


def filing_for(
    session: Session, rt: Runtime, organ: OrganInfo, action: str, *, actor: Actor
) -> Filing | None:
    """What the action files elsewhere once its checks pass: 转办 files the case at the organ
    its payload names (its guards made sure that organ is another one on the platform)."""
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

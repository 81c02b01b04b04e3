"""Which workflow actions file the case at another organ, and how (转办)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Actor
from app.models import Case
from app.organs.directory import OrganInfo
from app.runtime import Runtime
from app.transfers.filing import TRANSFER, file_at
from app.workflow.decision import Filed

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

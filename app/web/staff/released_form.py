"""The case page's 公开文件 section: the released documents of the case with their status (and
the progress of a long redaction), the upload form, and the links to mark each one — the same
rules as the API's routes, which the services check again."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.cases.schemas import CaseRead
from app.releases import service
from app.releases.rules import GROUNDS, PATTERNS, ground_label
from app.runtime import Runtime

GROUND_CHOICES = [(g, ground_label(g)) for g in GROUNDS]
PATTERN_CHOICES = [(code, label) for code, (label, _) in PATTERNS.items()]
KIND_CHOICES = [
    ("area", "区域（页码和矩形）"),
    ("phrase", "文字（每一页）"),
    ("pattern", "同类信息（每一页）"),
]


def can_edit(rt: Runtime, principal: Principal, case: CaseRead) -> bool:
    state = rt.workflows[case.case_type].states[case.state]
    return (
        principal.has_any(*service.EDIT_ROLES)
        and case.case_type in service.RELEASING_CASE_TYPES
        and state.clock in ("running", "paused")
    )


def released_context(
    session: Session, rt: Runtime, principal: Principal, case: CaseRead
) -> dict[str, Any]:
    docs = service.list_documents(session, principal, case.id)
    return {
        "released_docs": docs,
        "can_edit_released": can_edit(rt, principal, case),
        # A page that shows a redaction in progress reloads itself until it is done.
        "refresh_seconds": 3 if any(d.status in ("queued", "running") for d in docs) else None,
        "released_errors": None,
        "released_title": "",
    }

"""Which organ an administrator's change is for: an organ's administrator acts for their own
organ; a platform administrator names it (`organ_code`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.errors import InvalidInput
from app.models import Organ
from app.organs import repository as organs


def organ_for(session: Session, principal: Principal, organ_code: str | None) -> Organ:
    """The organ the change is for, or 422 naming `organ_code`."""
    if principal.organ_id is not None:
        organ = organs.organ_by_id(session, principal.organ_id)
        if organ is None or (organ_code is not None and organ_code != organ.code):
            raise InvalidInput(
                ("body", "organ_code"),
                "只能为本机关设置 / an organ's administrator acts for their own organ",
            )
        return organ
    if organ_code is None:
        raise InvalidInput(("body", "organ_code"), "请指明所属机关 / name the organ (organ_code)")
    organ = organs.organ_by_code(session, organ_code)
    if organ is None:
        raise InvalidInput(("body", "organ_code"), f"没有机关 {organ_code} / no organ {organ_code}")
    return organ

"""Creating organs and staff users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.auth.roles import ORGAN_ROLES, Role
from app.auth.service import issue_token
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Organ, User
from app.organs import repository
from app.organs.schemas import OrganCreate, UserCreate, UserRead
from app.organs.settings import OrganSettings


def create_organ(session: Session, data: OrganCreate, *, now: datetime) -> Organ:
    """Register an organ; its code must be new."""
    if repository.organ_by_code(session, data.code) is not None:
        raise Conflict(f"机关代码 {data.code} 已存在 / organ code {data.code} exists", field="code")
    parent = None
    if data.parent_code is not None:
        parent = repository.organ_by_code(session, data.parent_code)
        if parent is None:
            raise InvalidInput(
                ("body", "parent_code"), f"机关 {data.parent_code} 不存在 / unknown organ"
            )
    organ = Organ(
        code=data.code,
        name=data.name,
        reconsideration_body=data.reconsideration_body,
        court=data.court,
        address=data.address or "",
        phone=data.phone or "",
        number_pattern=data.number_pattern,
        settings=data.settings.model_dump(),
        parent_id=parent.id if parent else None,
        created_at=now,
    )
    repository.add(session, organ)
    return organ


def get_organ(session: Session, code: str) -> Organ:
    """One organ by code, or 404."""
    organ = repository.organ_by_code(session, code)
    if organ is None:
        raise NotFound(f"机关 {code} 不存在 / organ {code} not found")
    return organ


def list_organs(session: Session) -> list[Organ]:
    """Every organ."""
    return repository.list_organs(session)


def create_user(
    session: Session, key: bytes, data: UserCreate, *, now: datetime
) -> tuple[UserRead, str]:
    """Create a staff user with a first API token; returns the user and the token secret."""
    roles = sorted(set(data.roles))
    organ: Organ | None = None
    if data.organ_code is not None:
        organ = repository.organ_by_code(session, data.organ_code)
        if organ is None:
            raise InvalidInput(
                ("body", "organ_code"), f"机关 {data.organ_code} 不存在 / unknown organ"
            )
    organ_roles = [r for r in roles if r in ORGAN_ROLES]
    if Role.applicant in roles:
        raise InvalidInput(
            ("body", "roles"), "申请人不是工作人员角色 / applicant is not a staff role"
        )
    if organ_roles and organ is None:
        raise InvalidInput(
            ("body", "organ_code"),
            "机关工作人员必须属于一个机关 / organ staff roles need an organ_code",
        )
    user = User(
        organ_id=organ.id if organ else None,
        name=data.name,
        roles=[str(r) for r in roles],
        active=True,
        created_at=now,
    )
    repository.add(session, user)
    token = issue_token(session, key, user.id, now=now, label="created with user")
    read = UserRead(
        id=user.id,
        organ_code=organ.code if organ else None,
        name=user.name,
        roles=user.roles,
        active=user.active,
    )
    return read, token


def set_seal(session: Session, code: str, sha256: str | None) -> Organ:
    """Set or remove the organ's seal image (already stored by its SHA-256)."""
    organ = get_organ(session, code)
    organ.seal_sha256 = sha256
    session.flush()
    return organ


def set_settings(session: Session, code: str, settings: OrganSettings) -> Organ:
    """Replace the organ's settings (every [interpretation] choice of RULES it may make)."""
    organ = get_organ(session, code)
    organ.settings = settings.model_dump(mode="json")
    session.flush()
    return organ

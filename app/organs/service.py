"""Creating organs and staff users."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from app.auth.passwords import PasswordSet, check_login_name_free, set_password
from app.auth.principal import Principal
from app.auth.roles import ORGAN_ROLES, Role
from app.auth.service import issue_token
from app.config import Settings
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Organ, User
from app.organs import repository
from app.organs.schemas import OrganCreate, UserCreate, UserRead, UserUpdate
from app.organs.settings import OrganSettings

log = logging.getLogger("gongkai.auth")


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


def _checked_roles(roles: list[Role], organ: Organ | None, organ_field: str) -> list[str]:
    """The roles, sorted, if a staff user of this organ (or of none) may hold them."""
    if Role.applicant in roles:
        raise InvalidInput(
            ("body", "roles"), "申请人不是工作人员角色 / applicant is not a staff role"
        )
    if organ is None and any(r in ORGAN_ROLES for r in roles):
        raise InvalidInput(
            ("body", organ_field),
            "机关工作人员必须属于一个机关 / organ staff roles need an organ_code",
        )
    return [str(r) for r in sorted(set(roles))]


def _read(user: User, organ: Organ | None) -> UserRead:
    return UserRead(
        id=user.id,
        organ_code=organ.code if organ else None,
        name=user.name,
        roles=user.roles,
        active=user.active,
    )


def add_user(session: Session, data: UserCreate, *, now: datetime) -> tuple[User, Organ | None]:
    """Create a staff user (no token, no password yet); returns the user and their organ."""
    organ: Organ | None = None
    if data.organ_code is not None:
        organ = repository.organ_by_code(session, data.organ_code)
        if organ is None:
            raise InvalidInput(
                ("body", "organ_code"), f"机关 {data.organ_code} 不存在 / unknown organ"
            )
    roles = _checked_roles(data.roles, organ, "organ_code")
    user = User(
        organ_id=organ.id if organ else None,
        name=data.name,
        roles=roles,
        active=True,
        created_at=now,
    )
    repository.add(session, user)
    return user, organ


def create_user(
    session: Session, key: bytes, data: UserCreate, *, now: datetime
) -> tuple[UserRead, str]:
    """Create a staff user with a first API token; returns the user and the token secret."""
    user, organ = add_user(session, data, now=now)
    token = issue_token(session, key, user.id, now=now, label="created with user")
    return _read(user, organ), token


def create_user_with_password(
    session: Session,
    settings: Settings,
    data: UserCreate,
    password: PasswordSet,
    *,
    now: datetime,
    by: str,
) -> UserRead:
    """Create a staff user who signs in to the workbench with a login name and password."""
    check_login_name_free(session, password.login_name, None)  # before anything is written
    user, organ = add_user(session, data, now=now)
    log.info("auth: user %d (%s) created with roles %s by %s", user.id, user.name, user.roles, by)
    set_password(session, settings, user.id, password, now=now, by=by)
    return _read(user, organ)


def update_user(
    session: Session, user_id: int, data: UserUpdate, *, actor: Principal, by: str
) -> UserRead:
    """Replace a user's roles and set whether they are active; logged with who did it.

    Roles are read from the database on every request, so they apply at once without ending
    sessions; deactivating ends every session for good (the generation moves on), so
    reactivating does not revive them.
    """
    user = repository.user_by_id(session, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在 / user {user_id} not found")
    if user.id == actor.user_id and Role.admin not in data.roles:
        raise InvalidInput(
            ("body", "roles"),
            "不能取消自己的系统管理员角色，请由另一位管理员操作 / you cannot drop your own admin role",
        )
    if user.id == actor.user_id and not data.active:
        raise InvalidInput(
            ("body", "active"), "不能停用自己的账户 / you cannot deactivate yourself"
        )
    organ = repository.organ_by_id(session, user.organ_id) if user.organ_id else None
    roles = _checked_roles(data.roles, organ, "roles")  # the organ stays as it is
    before, was_active = list(user.roles), user.active
    user.roles = roles
    user.active = data.active
    if was_active and not data.active:
        user.session_generation = (user.session_generation or 0) + 1
    session.flush()
    log.info(
        "auth: user %d roles %s -> %s, active %s -> %s by %s",
        user.id,
        before,
        roles,
        was_active,
        data.active,
        by,
    )
    return _read(user, organ)


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

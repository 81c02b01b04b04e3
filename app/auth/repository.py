"""Queries for users and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import ApiToken, Organ, User


def principal_row_by_token_hash(
    session: Session, token_hash: str
) -> tuple[User, str | None] | None:
    """The active user owning an unrevoked token, with its organ code."""
    stmt = (
        select(User, Organ.code)
        .join(ApiToken, ApiToken.user_id == User.id)
        .outerjoin(Organ, Organ.id == User.organ_id)
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    )
    row = session.execute(stmt).first()
    return None if row is None else (row[0], row[1])


def get_user(session: Session, user_id: int) -> User | None:
    """One user by id."""
    return session.get(User, user_id)


def add_token(session: Session, token: ApiToken) -> ApiToken:
    """Persist a token row."""
    session.add(token)
    session.flush()
    return token


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first (live and revoked)."""
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    return list(session.scalars(stmt))


def revoke_tokens(session: Session, *, prefix: str, now: datetime) -> int:
    """Revoke every live token with this prefix; returns how many."""
    stmt = (
        update(ApiToken)
        .where(ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return session.execute(stmt, execution_options={"synchronize_session": False}).rowcount  # type: ignore[attr-defined, no-any-return]


def users_with_organs(session: Session) -> list[tuple[User, str | None, str | None]]:
    """Every user with their organ's code and name, by organ then id (the admin's list)."""
    stmt = (
        select(User, Organ.code, Organ.name)
        .outerjoin(Organ, Organ.id == User.organ_id)
        .order_by(Organ.code.is_not(None), Organ.code, User.id)
    )
    return [(u, code, name) for u, code, name in session.execute(stmt)]

"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.auth import repository
from app.auth.principal import Principal
from app.auth.secrets import keyed_hash, new_api_token
from app.errors import NotFound
from app.models import ApiToken, User

TOKEN_PREFIX_LENGTH = 11  # "gk_" + 8 characters: enough to name a token, useless to use one


def issue_token(
    session: Session, key: bytes, user_id: int, *, now: datetime, label: str = ""
) -> str:
    """Create a token for a user and return its secret (shown once, never stored)."""
    if repository.get_user(session, user_id) is None:
        raise NotFound(f"用户 {user_id} 不存在 / user {user_id} not found")
    secret = new_api_token()
    repository.add_token(
        session,
        ApiToken(
            user_id=user_id,
            token_hash=keyed_hash(key, secret),
            prefix=secret[:TOKEN_PREFIX_LENGTH],
            label=label,
            created_at=now,
        ),
    )
    return secret


def revoke_token(session: Session, token_or_prefix: str, *, now: datetime) -> int:
    """Revoke a token given whole or by its prefix; returns how many were revoked."""
    return repository.revoke_tokens(session, prefix=token_or_prefix[:TOKEN_PREFIX_LENGTH], now=now)


def authenticate(session: Session, key: bytes, secret: str) -> Principal | None:
    """The principal a bearer token stands for, or None."""
    row = repository.principal_row_by_token_hash(session, keyed_hash(key, secret))
    if row is None:
        return None
    user, organ_code = row
    return principal_of(user, organ_code)


def principal_of(user: User, organ_code: str | None) -> Principal:
    """The principal a user row stands for (tokens and browser sessions alike)."""
    return Principal(
        user_id=user.id,
        name=user.name,
        organ_id=user.organ_id,
        organ_code=organ_code,
        roles=frozenset(user.roles),
    )

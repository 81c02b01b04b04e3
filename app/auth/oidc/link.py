"""Linking a staff user to the identity provider's subject (an administrator's act).

The subject is the value of the configured claim (`sub` by default) in the provider's ID
tokens. One subject belongs to at most one user. Changing or removing it ends the user's
sessions (the session generation moves on), as setting a password does.
"""

from __future__ import annotations

import logging
from typing import Annotated

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.oidc.provider import MAX_SUBJECT_LENGTH
from app.errors import Conflict, NotFound
from app.models import User

log = logging.getLogger("gongkai.auth")


class SubjectLink(BaseModel):
    """The provider's subject to link a user to, or null to unlink."""

    # OpenID Connect Core 1.0 §2: at most 255 ASCII characters; here printable, without blanks
    # (compared byte for byte with the ID token's claim, so never normalised).
    subject: Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,255}$")] | None = Field(
        description=(
            "统一身份认证中的用户标识（ID 令牌中配置的声明，默认 sub）；null 表示解除关联 / "
            "the provider's subject (the configured ID token claim, sub by default); null unlinks"
        ),
    )

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value or value != value.strip() or len(value) > MAX_SUBJECT_LENGTH:
            raise ValueError(
                f"用户标识为 1–{MAX_SUBJECT_LENGTH} 个字符，首尾不能有空白 / subject: "
                f"1-{MAX_SUBJECT_LENGTH} characters without surrounding blanks"
            )
        if any(not c.isprintable() for c in value):
            raise ValueError("用户标识不能含控制字符 / subject: no control characters")
        return value


class SubjectLinkRead(BaseModel):
    user_id: int = Field(description="用户编号 / user id")
    subject: str | None = Field(description="关联的统一身份认证用户标识 / the linked subject")


def link_subject(session: Session, user_id: int, data: SubjectLink, *, by: str) -> User:
    """Store (or clear) the user's subject; a change ends every session of theirs."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在 / user {user_id} not found")
    if data.subject is not None:
        holder = session.scalar(select(User.id).where(User.oidc_subject == data.subject))
        if holder is not None and holder != user.id:
            raise Conflict(
                "该统一身份认证用户已关联其他用户 / subject linked to another user",
                errors=[{"loc": ["subject"], "msg": "该用户标识已关联其他用户 / subject taken"}],
            )
    if user.oidc_subject != data.subject:
        user.oidc_subject = data.subject
        user.session_generation = (user.session_generation or 0) + 1
        session.flush()
    log.info(
        "auth: identity provider subject %s for user %d by %s",
        "linked" if data.subject is not None else "unlinked",
        user.id,
        by,
    )
    return user

"""Organs (机关), their staff users and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class Organ(Base):
    __tablename__ = "organs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    reconsideration_body: Mapped[str] = mapped_column(String(200))
    court: Mapped[str] = mapped_column(String(200))
    number_pattern: Mapped[str] = mapped_column(String(200))
    # The seal image (PNG in the attachment store) printed over the signature, if the organ
    # stamps electronically; without it the letter leaves room for a hand-applied seal.
    seal_sha256: Mapped[str | None] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # The government this organ is a department of (e.g. a county government's bureaus): the
    # annual report can sum a government with its departments.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Platform administrators belong to no organ; every other staff user belongs to exactly one.
    organ_id: Mapped[int | None] = mapped_column(ForeignKey("organs.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Signing in to the workbench (app/auth/passwords.py): a user without a login name or a
    # password signs in only with API tokens. The name is stored lower-case.
    login_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Argon2id in PHC form ($argon2id$v=19$m=...), never the password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Every browser session carries the generation it began in; a password change or a
    # sign-out moves it on, which ends every earlier session (app/auth/sessions.py).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The province's identity provider's subject for this user (the configured claim of its
    # ID token), set by an administrator; a user with one may sign in through the provider
    # (app/auth/oidc/). Nobody is created at a first sign-in.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Where the user's notices go when they choose e-mail or SMS (app/notices/).
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(20))

    organ: Mapped[Organ | None] = relationship(lazy="raise")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # HMAC-SHA256 of the secret: tokens are long random strings, so a keyed fast hash suffices.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="raise")

"""Staff passwords: Argon2id hashes (pwdlib), the rules a new password meets, setting one.

A password is only ever stored as an Argon2id hash in PHC form (`$argon2id$v=19$m=...`). Its
cost comes from the settings; a hash made with other parameters is replaced at the user's next
successful sign-in (app/auth/signin.py). Setting a password ends every session of the user
(the session generation moves on) and is logged with who did it.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.errors import Conflict, NotFound
from app.models import User

log = logging.getLogger("gongkai.auth")

MIN_PASSWORD_LENGTH = 10
# Long enough for any passphrase; bounded so nobody makes the server hash a megabyte.
MAX_PASSWORD_LENGTH = 256
LOGIN_NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"


def normalize_login_name(value: str) -> str:
    """Login names compare without case and surrounding blanks."""
    return value.strip().lower()


_LOGIN_NAME = re.compile(LOGIN_NAME_PATTERN)


def is_login_name(name: str) -> bool:
    """Whether a (normalized) name could be anyone's login name."""
    return bool(_LOGIN_NAME.fullmatch(name))


class PasswordSet(BaseModel):
    """A login name and a new password for a staff user (the admin page and the CLI)."""

    login_name: str = Field(description="登录名：2–64 个小写字母、数字或 . _ - / login name")
    password: str = Field(description=f"新密码，至少 {MIN_PASSWORD_LENGTH} 个字符 / password")
    confirm: str = Field(description="再次输入新密码 / the password again")

    @field_validator("login_name")
    @classmethod
    def _login_name(cls, value: str) -> str:
        name = normalize_login_name(value)
        if not is_login_name(name):
            raise ValueError(
                "登录名为 2–64 个字母、数字或 . _ -，以字母或数字开头 / login name: 2-64 of "
                "a-z 0-9 . _ -"
            )
        return name

    @field_validator("password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        if value.strip().lower() == info.data.get("login_name"):
            raise ValueError("密码不能与登录名相同 / the password equals the login name")
        if len(value) < MIN_PASSWORD_LENGTH:
            raise ValueError(
                f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 / at least {MIN_PASSWORD_LENGTH} characters"
            )
        if len(value) > MAX_PASSWORD_LENGTH:
            raise ValueError(
                f"密码不超过 {MAX_PASSWORD_LENGTH} 个字符 / at most {MAX_PASSWORD_LENGTH} characters"
            )
        return value

    @field_validator("confirm")
    @classmethod
    def _confirm(cls, value: str, info: ValidationInfo) -> str:
        if "password" in info.data and value != info.data["password"]:
            raise ValueError("两次输入的密码不一致 / the passwords do not match")
        return value


@cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHash:
    return PasswordHash(
        (Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism),)
    )


def hasher(settings: Settings) -> PasswordHash:
    """The Argon2id hasher with the configured cost."""
    return _hasher(
        settings.password_argon2_time_cost,
        settings.password_argon2_memory_kib,
        settings.password_argon2_parallelism,
    )


@cache
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash(secrets.token_urlsafe(16))


def verify_password(
    settings: Settings, stored: str | None, password: str
) -> tuple[bool, str | None]:
    """Whether the password matches the stored hash, and a new hash when the stored one was
    made with other parameters. Without a stored hash (an unknown login name, a user with no
    password) a dummy hash is checked, so the answer takes as long as a real one."""
    h = hasher(settings)
    if stored is None or not stored.startswith("$argon2"):
        key = (
            settings.password_argon2_time_cost,
            settings.password_argon2_memory_kib,
            settings.password_argon2_parallelism,
        )
        h.verify(password, _dummy_hash(*key))
        return False, None
    try:
        return h.verify_and_update(password, stored)
    except ValueError:  # a stored hash argon2 cannot read: no match, never a crash
        return False, None


def check_login_name_free(session: Session, login_name: str, user_id: int | None) -> None:
    """Conflict if another user (not `user_id`) already signs in with this login name."""
    holder = session.scalar(select(User.id).where(User.login_name == login_name))
    if holder is not None and holder != user_id:
        raise Conflict(
            f"登录名 {login_name} 已被其他用户使用 / login name taken",
            errors=[{"loc": ["login_name"], "msg": "该登录名已被其他用户使用 / login name taken"}],
        )


def set_password(
    session: Session,
    settings: Settings,
    user_id: int,
    data: PasswordSet,
    *,
    now: datetime,
    by: str,
) -> User:
    """Give a user a login name and a new password; every earlier session of theirs ends."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在 / user {user_id} not found")
    check_login_name_free(session, data.login_name, user.id)
    user.login_name = data.login_name
    user.password_hash = hasher(settings).hash(data.password)
    user.password_changed_at = now
    user.session_generation = (user.session_generation or 0) + 1
    session.flush()
    log.info("auth: password set for user %d (login %s) by %s", user.id, data.login_name, by)
    return user


def end_sessions(session: Session, user_id: int, generation: int) -> None:
    """Sign a user out everywhere: every session of theirs issued so far stops working
    (if `generation` is still theirs: an ended session cannot end a later one)."""
    user = session.get(User, user_id)
    if user is not None and user.session_generation == generation:
        user.session_generation = generation + 1
        session.flush()

"""Signing staff in with a login name and password, braked per login name and per client.

The brake is the query-code brake's machinery (app/intake/throttle.py) over its own table:
failures slow the next attempt and then lock, per login name (short: the rightful user is not
kept out long) and per client address (more room, longer). A wrong password and an unknown
login name answer alike and cost alike (a dummy hash is checked). The check, the password
comparison and the count of a failure are one transaction holding both subjects' rows, so
concurrent guesses cannot all pass the check before any failure is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.auth.passwords import normalize_login_name, verify_password
from app.auth.principal import Principal
from app.auth.service import principal_of
from app.config import Settings
from app.db import table_of
from app.errors import TooManyAttempts
from app.intake.throttle import Rule, count_failure, locked_rows, retry_after
from app.models import Organ, SigninFailure, User
from app.runtime import Runtime

BRAKED = "登录失败次数过多，请稍后再试 / too many failed sign-ins, try again later"
_TABLE = table_of(SigninFailure)


@dataclass(frozen=True)
class SigninPolicy:
    account: Rule
    client: Rule

    @classmethod
    def of(cls, s: Settings) -> SigninPolicy:
        window = timedelta(minutes=s.signin_window_minutes)
        return cls(
            account=Rule(
                window,
                s.signin_account_free_failures,
                s.signin_account_lock_failures,
                timedelta(minutes=s.signin_account_lock_minutes),
            ),
            client=Rule(
                window,
                s.signin_client_free_failures,
                s.signin_client_lock_failures,
                timedelta(minutes=s.signin_client_lock_minutes),
            ),
        )


def account_subject(login_name: str) -> str:
    return f"account:{normalize_login_name(login_name)[:150]}"


def client_subject(client: str) -> str:
    return f"client:{client[:150]}"


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, and the session generation their session belongs to."""

    user_id: int
    generation: int


def sign_in(rt: Runtime, login_name: str, password: str, client: str) -> SignedIn | None:
    """The user if the password is theirs, else None (the failure counted); a braked login
    name or client is refused with 429 before any password is checked."""
    now = rt.clock()
    policy = SigninPolicy.of(rt.settings)
    rules = {account_subject(login_name): policy.account, client_subject(client): policy.client}
    with rt.sessions.write.begin() as session:
        rows = locked_rows(session, SigninFailure, list(rules), now)
        wait = max(retry_after(rows[s], rule, now) for s, rule in rules.items())
        if wait > 0:
            raise TooManyAttempts(BRAKED, retry_after=wait)
        user = session.scalar(
            select(User).where(
                User.login_name == normalize_login_name(login_name), User.active.is_(True)
            )
        )
        ok, new_hash = verify_password(rt.settings, user.password_hash if user else None, password)
        if ok and user is not None:
            if new_hash is not None:
                user.password_hash = new_hash
            # The login name's failures are forgotten; the client's stay (one's own account
            # must not wash a guesser's address clean). Rows made only to be locked go.
            account = account_subject(login_name)
            session.execute(
                delete(_TABLE).where(
                    (_TABLE.c.subject == account)
                    | (_TABLE.c.subject.in_(list(rules)) & (_TABLE.c.failures == 0))
                )
            )
            return SignedIn(user_id=user.id, generation=user.session_generation)
        for subject, rule in rules.items():
            row = rows[subject]
            if row not in session:
                session.add(row)
            count_failure(row, rule, now)
    return None


def session_principal(session: Session, user_id: int, generation: int) -> Principal | None:
    """The principal of a browser session: only while the user is active and the session's
    generation is the user's current one (a sign-out or a new password ends it)."""
    row = session.execute(
        select(User, Organ.code)
        .outerjoin(Organ, Organ.id == User.organ_id)
        .where(User.id == user_id, User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, organ_code = row
    if user.session_generation != generation or user.password_hash is None:
        return None
    return principal_of(user, organ_code)

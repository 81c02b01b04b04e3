"""Signing staff in with a login name and password, braked per login name and per client.

The brake is the query-code brake's machinery (app/intake/throttle.py) over its own table:
failures slow the next attempt and then lock, per login name (short: the rightful user is not
kept out long) and per client address (more room, longer). A wrong password and an unknown
login name answer alike and cost alike (a dummy hash is checked). The check and the count
of the attempt as a failure are one transaction holding both subjects' rows, so concurrent
guesses cannot all pass the check before any is counted; the password is compared after it
(the hash is slow: no writer waits for it) and a right one takes its count back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.auth.passwords import is_login_name, normalize_login_name, verify_password
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
    """The brake's subject for a typed name: the name itself when it could be a login name,
    else a digest of it (nothing typed reaches the table as text it cannot hold)."""
    name = normalize_login_name(login_name)
    if is_login_name(name):
        return f"account:{name}"
    return "account#" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:32]


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
    name = normalize_login_name(login_name)
    account, by_client = account_subject(name), client_subject(client)
    rules = {account: policy.account, by_client: policy.client}
    with rt.sessions.write.begin() as session:
        rows = locked_rows(session, SigninFailure, list(rules), now)
        wait = max(retry_after(rows[s], rule, now) for s, rule in rules.items())
        if wait > 0:
            raise TooManyAttempts(BRAKED, retry_after=wait)
        # Counted before the password is checked, outside this transaction (which on SQLite
        # holds the only writer, and the hash takes 100+ ms): concurrent guesses are all
        # counted, and a right password takes its count back below.
        for subject, rule in rules.items():
            row = rows[subject]
            if row not in session:
                session.add(row)
            count_failure(row, rule, now)
    with rt.sessions.read() as session:
        user = None
        if is_login_name(name):
            user = session.scalar(
                select(User).where(User.login_name == name, User.active.is_(True))
            )
        found = None if user is None else SignedIn(user.id, user.session_generation)
        stored = user.password_hash if user else None
    ok, new_hash = verify_password(rt.settings, stored, password)
    if not ok or found is None:
        return None
    with rt.sessions.write.begin() as session:
        # The login name's failures are forgotten; the client keeps all but this attempt's
        # (one's own account must not wash a guesser's address clean).
        session.execute(delete(_TABLE).where(_TABLE.c.subject == account))
        row = locked_rows(session, SigninFailure, [by_client], now)[by_client]
        if row in session:
            _refund(session, row, policy.client)
        if new_hash is not None:  # rehashed with today's parameters, unless changed meanwhile
            session.execute(
                update(User)
                .where(User.id == found.user_id, User.password_hash == stored)
                .values(password_hash=new_hash)
            )
    return found


def _refund(session: Session, row: SigninFailure, rule: Rule) -> None:
    """Take back the failure counted for an attempt that turned out right."""
    row.failures = max(0, row.failures - 1)
    if row.failures < rule.lock_failures:
        row.locked_until = None
    if row.failures == 0:
        session.delete(row)


def session_principal(session: Session, user_id: int, generation: int) -> Principal | None:
    """The principal of a browser session: only while the user is active, the session's
    generation is the user's current one (a sign-out, a new password or a change of the
    provider's subject ends it) and they still have a password or a linked subject."""
    row = session.execute(
        select(User, Organ.code)
        .outerjoin(Organ, Organ.id == User.organ_id)
        .where(User.id == user_id, User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, organ_code = row
    if user.session_generation != generation:
        return None
    if user.password_hash is None and user.oidc_subject is None:  # no way in left
        return None
    return principal_of(user, organ_code)

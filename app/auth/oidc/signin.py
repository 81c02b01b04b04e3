"""Signing in a user the identity provider vouched for: the linked, active user, or None.

Nobody is created here: an administrator links a user to the provider's subject first
(app/auth/oidc/link.py). A subject linked to nobody (or to an inactive user) counts as a failed
sign-in in `signin_failures` exactly as a wrong password does — per subject and per client
address, under the same brake (app/auth/signin.py), and a braked one is refused with 429.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select

from app.auth.signin import BRAKED, SignedIn, SigninPolicy, client_subject
from app.db import table_of
from app.errors import TooManyAttempts
from app.intake.throttle import count_failure, locked_rows, retry_after
from app.models import SigninFailure, User
from app.runtime import Runtime

_TABLE = table_of(SigninFailure)


def provider_subject(subject: str) -> str:
    """The brake's subject for a provider's subject (a digest: any text fits the column)."""
    return "oidc#" + hashlib.sha256(subject.encode("utf-8", "replace")).hexdigest()[:32]


def sign_in_linked(rt: Runtime, subject: str, client: str) -> SignedIn | None:
    """The active user linked to the provider's subject, or None (the failure counted)."""
    now = rt.clock()
    policy = SigninPolicy.of(rt.settings)
    account, by_client = provider_subject(subject), client_subject(client)
    rules = {account: policy.account, by_client: policy.client}
    with rt.sessions.write.begin() as session:
        rows = locked_rows(session, SigninFailure, list(rules), now)
        wait = max(retry_after(rows[s], rule, now) for s, rule in rules.items())
        if wait > 0:
            raise TooManyAttempts(BRAKED, retry_after=wait)
        user = session.scalar(
            select(User).where(User.oidc_subject == subject, User.active.is_(True))
        )
        if user is None:
            for name, rule in rules.items():
                row = rows[name]
                if row not in session:
                    session.add(row)
                count_failure(row, rule, now)
            return None
        session.execute(delete(_TABLE).where(_TABLE.c.subject == account))
        return SignedIn(user.id, user.session_generation)

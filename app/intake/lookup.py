"""The applicant opens their case with number and query code; staff lift a number's lookup lock."""

from __future__ import annotations

import hmac

from sqlalchemy.orm import Session

from app.auth.principal import Actor, Principal
from app.auth.secrets import keyed_hash, normalize_query_code
from app.cases import repository as cases_repo
from app.cases.service import load_case
from app.db import end_read
from app.errors import NotFound
from app.intake.schemas import LookupLockRead
from app.intake.throttle import release_number
from app.models import Case
from app.runtime import Runtime
from app.workflow.write import record_beside

RELEASE_ACTION = "release_lookup_lock"
# Compared against when the number is unknown, so both answers take the same work.
_NO_HASH = "0" * 64


def find_own_case(session: Session, rt: Runtime, number: str, code: str, client: str) -> Case:
    """The applicant's case when the query code matches; unknown number and wrong code look alike.

    The code is compared inside the brake's transaction, so no burst gets more comparisons than
    the brake allows; the case is loaded afterwards, on the request's own read session, whose
    connection goes back to the pool at once.
    """
    presented = keyed_hash(rt.token_key, normalize_query_code(code))

    def matches(brake_session: Session) -> bool:
        stored = cases_repo.query_code_hash(brake_session, number)
        same = hmac.compare_digest(presented, stored or _NO_HASH)
        return same and stored is not None

    case = None
    if rt.brake.attempt(client, number, rt.clock(), matches):
        case = cases_repo.case_by_number(session, number)
        if case is not None:
            # A transferred application is followed to where it is handled now (转办).
            case = cases_repo.forward_case(session, case)
        # Back to the pool before the caller writes (withdraw): one connection at a time.
        end_read(session)
    if case is None:
        raise NotFound("未找到该申请，或查询码不正确 / no application with this number and code")
    return case


def release_lookup_lock(
    session: Session, rt: Runtime, principal: Principal, case_id: int
) -> LookupLockRead:
    """Lift the lock on the case's number (the applicant proved who they are to the office)."""
    case = load_case(session, principal, case_id)
    now = rt.clock()
    released = release_number(session, case.number, now)
    if released.failures:
        record_beside(
            session,
            rt,
            case,
            Actor.of(principal),
            RELEASE_ACTION,
            {"was_locked": released.was_locked, "failures": released.failures},
            now=now,
        )
    return LookupLockRead(
        case_id=case.id,
        number=case.number,
        released=released.was_locked,
        failures_cleared=released.failures,
    )

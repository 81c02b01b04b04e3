"""The applicant's downloads of their letters: logged, and the proof of electronic service.

A notice served electronically is received when its arrival is recorded (RULES §4). The
applicant's own first download of a letter through the service is such a record: it is logged
(letter_accesses), and when the letter is a notice still awaiting receipt (correction notice,
fee notice), or the reply (or closure notice) of a replied case whose applicant consented to
electronic service, the system records the receipt or the service through the same workflow
action staff use, so it is on the timeline with its evidence.

The applicant's GET runs on a read session; the log and the receipt take a short write
transaction of their own. Nothing here may turn a download into an error: the letter is
already in hand, and whatever stops the receipt (a staff member recording it first, a
concurrent action) leaves the access logged and the download served.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.auth.principal import SYSTEM
from app.cases import repository as cases_repo
from app.db import end_read
from app.deadline import repository as clock_repo
from app.deadline.pending import pending_receipt
from app.errors import DomainError
from app.letters import repository
from app.letters.kinds import LetterKind
from app.letters.views import Document, applicant_pdf
from app.models import Case, LetterAccess
from app.runtime import Runtime
from app.workflow.engine import perform
from app.workflow.records import SERVED_KINDS
from app.workflow.rules_service import PLATFORM_DOWNLOAD
from app.workflow.write import VersionConflict

log = logging.getLogger(__name__)

APPLICANT_DOWNLOAD = "applicant_download"
# A concurrent first download or staff action: try again, then give up on the receipt only.
_ATTEMPTS = 3
# The notice whose receipt a download records, by letter kind: (the action, its state).
_NOTICE_RECEIPTS = {
    LetterKind.correction_notice: "record_notice_receipt",
    LetterKind.fee_notice: "record_fee_notice_receipt",
}
# The letters whose download serves the answer: SERVED_KINDS (app/workflow/records.py).


def applicant_download(
    read: Session, rt: Runtime, case: Case, letter_id: int, client: str
) -> Document:
    """The applicant's letter; its first download logged and, where it proves receipt, recorded."""
    doc = applicant_pdf(read, rt, case, letter_id)
    letter = repository.letter_by_id(read, letter_id)
    assert letter is not None  # applicant_pdf found it
    kind = letter.kind
    seen = repository.access_of(read, letter_id, APPLICANT_DOWNLOAD) is not None
    end_read(read)
    if not seen:
        _log_first_download(rt, case.id, letter_id, kind, client[:64], rt.clock())
    return doc


def _log_first_download(
    rt: Runtime, case_id: int, letter_id: int, kind: str, client: str, now: datetime
) -> None:
    for _ in range(_ATTEMPTS):
        try:
            with rt.sessions.write() as session, session.begin():
                if repository.access_of(session, letter_id, APPLICANT_DOWNLOAD) is not None:
                    return  # another download came first
                access = LetterAccess(
                    letter_id=letter_id,
                    case_id=case_id,
                    channel=APPLICANT_DOWNLOAD,
                    actor_kind="applicant",
                    accessed_at=now,
                    client_address=client,
                )
                session.add(access)
                session.flush()
                _record_receipt(session, rt, access, kind, now, PLATFORM_DOWNLOAD)
            return
        except (VersionConflict, IntegrityError, OperationalError):
            continue  # a concurrent writer: the next attempt sees what it did
        except Exception:
            # Never a 500 for the applicant: the letter is served, the failure is loud in the log.
            log.exception("letter %s: the applicant's download could not be logged", letter_id)
            return
    log.warning("letter %s: the applicant's download was not logged (contention)", letter_id)


def _receipt_action(
    session: Session, rt: Runtime, case: Case, letter_id: int, kind: str
) -> tuple[str, dict[str, Any]] | None:
    """The action a download of this letter records on the case now, if any."""
    state = rt.workflow_for(case).states[case.state]
    if kind in _NOTICE_RECEIPTS:
        ledger = clock_repo.ledger_of(session, case.id)
        pending = pending_receipt(state.awaits_receipt_of, ledger)
        if pending is not None and pending[0] == kind:
            return _NOTICE_RECEIPTS[LetterKind(kind)], {}
        return None
    if kind in SERVED_KINDS and state.awaits_service and case.e_service_consent:
        latest = repository.latest_issued(session, case.id, SERVED_KINDS)
        if latest is not None and latest.id == letter_id:
            return "record_service", {"method": "electronic"}
    return None


def record_arrival(
    session: Session,
    rt: Runtime,
    *,
    case_id: int,
    letter_id: int,
    channel: str,
    actor_kind: str,
    at: datetime,
    evidence: str,
    client: str | None = None,
) -> LetterAccess | None:
    """Record that an issued letter reached the applicant through a channel the service
    witnesses other than a download (the applicant's mail server accepting the message), once
    per letter and channel, and, where that proves the notice's receipt or the reply's
    service, record it as a first download does. In the caller's write transaction; None when
    this channel's arrival of the letter was recorded before."""
    if repository.access_of(session, letter_id, channel) is not None:
        return None
    letter = repository.letter_by_id(session, letter_id)
    if letter is None or letter.case_id != case_id:
        return None
    access = LetterAccess(
        letter_id=letter_id,
        case_id=case_id,
        channel=channel,
        actor_kind=actor_kind,
        accessed_at=at,
        client_address=client[:64] if client else None,
    )
    session.add(access)
    session.flush()
    _record_receipt(session, rt, access, letter.kind, at, evidence)
    return access


def _record_receipt(
    session: Session,
    rt: Runtime,
    access: LetterAccess,
    kind: str,
    now: datetime,
    evidence: str,
) -> None:
    case = cases_repo.case_by_id(session, access.case_id, for_update=True)
    assert case is not None
    found = _receipt_action(session, rt, case, access.letter_id, kind)
    if found is None:
        return
    action, payload = found
    if action == "record_service":
        payload |= {"delivered_at": now.isoformat(), "evidence": evidence}
    else:
        payload |= {
            "received_on": now.astimezone(rt.tz).date().isoformat(),
            "received_at": now.isoformat(),
            "evidence": evidence,
        }
    organ = rt.organs.by_id(session, case.organ_id)
    assert organ is not None
    try:
        with session.begin_nested():
            done = perform(
                session,
                rt,
                case,
                organ,
                action,
                payload,
                version=case.version,
                actor=SYSTEM,
                # The service itself witnessed the arrival: it acts in the action's own roles.
                roles=frozenset(rt.workflow_for(case).action(action).roles),
            )
    except VersionConflict:
        raise
    except DomainError as exc:
        # A rule refused it (e.g. a date that cannot be): the access stays logged, no receipt.
        log.warning("case %s: download of letter %s recorded no receipt: %s", case.id, kind, exc)
        return
    access.receipt_action = action
    access.event_id = repository.event_id_of(session, case.id, done.event_seq)

"""The applicant's released files: listed and downloaded with the query code, every download
logged, the first download of a reply's files the proof of its electronic service, and
refused once the period the reply letter states has ended.

Only the released copies of issued replies reach the applicant — never an original, a draft's
document or another case's. As with letters (app.letters.access), the download is served
from a read session and logged in a short write transaction of its own that can never turn it
into an error; the proof of service is recorded through the letter access log (`record_arrival`
with the channel `released_download`), which records the reply's service through the same
workflow action a download of the reply letter does (RULES §4).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.db import end_read
from app.errors import DomainError, NotFound
from app.letters.access import record_arrival
from app.models import Case, ReleasedDocument, ReleaseDownload
from app.releases import repository
from app.releases.presenters import applicant_file
from app.releases.schemas import ApplicantReleasedFile
from app.releases.service import StoredFile
from app.runtime import Runtime
from app.workflow.write import VersionConflict

log = logging.getLogger(__name__)

DOWNLOAD = "applicant_download"
MAIL = "mail_attachment"
# The letter access channel a released file's first download is recorded under.
RELEASED_DOWNLOAD = "released_download"
_ATTEMPTS = 3


class ReleasedFileNotFound(NotFound):
    """Answers like any unknown id."""


class ReleasedFileExpired(DomainError):
    status = 410
    code = "released-file-expired"
    title = "公开文件已过下载期限 / The released file is no longer available"


def today(rt: Runtime) -> date:
    return rt.clock().astimezone(rt.tz).date()


def applicant_files(session: Session, rt: Runtime, case: Case) -> list[ApplicantReleasedFile]:
    """The released files of the case's issued replies, with how long each can be had."""
    day = today(rt)
    return [
        applicant_file(d, case.number, day) for d in repository.applicant_files(session, case.id)
    ]


def _file_of(session: Session, case: Case, file_id: int) -> ReleasedDocument:
    found = next((d for d in repository.applicant_files(session, case.id) if d.id == file_id), None)
    if found is None or found.released_sha256 is None:
        raise ReleasedFileNotFound(f"文件 {file_id} 不存在 / file {file_id} not found")
    return found


def download(read: Session, rt: Runtime, case: Case, file_id: int, client: str) -> StoredFile:
    """The applicant's released file, its download logged (and, the first of its reply's,
    recorded as the reply's electronic service where that applies)."""
    doc = _file_of(read, case, file_id)
    assert doc.available_until is not None
    assert doc.letter_id is not None
    if today(rt) > doc.available_until:
        raise ReleasedFileExpired(
            f"《{doc.title}》的下载期限已于{doc.available_until.year}年"
            f"{doc.available_until.month}月{doc.available_until.day}日届满，不再提供下载；"
            "如需该文件，请与作出答复的机关联系 / the download period of this file ended on "
            f"{doc.available_until.isoformat()}; contact the organ that replied",
            file_id=doc.id,
            available_until=doc.available_until.isoformat(),
        )
    stored = StoredFile(
        rt.store.path_for(doc.released_sha256 or ""),
        "application/pdf",
        f"{doc.title}.pdf",
        doc.released_sha256 or "",
    )
    ids = (doc.id, doc.case_id, doc.letter_id, doc.title)
    end_read(read)
    log_download(rt, *ids, channel=DOWNLOAD, at=rt.clock(), client=client[:64])
    return stored


def log_download(
    rt: Runtime,
    document_id: int,
    case_id: int,
    letter_id: int,
    title: str,
    *,
    channel: str,
    at: datetime,
    client: str | None,
) -> None:
    """Log one download in a transaction of its own; never fails the download."""
    for _ in range(_ATTEMPTS):
        try:
            with rt.sessions.write() as session, session.begin():
                record_download(
                    session, rt, document_id, case_id, letter_id, title, channel, at, client
                )
            return
        except (VersionConflict, IntegrityError, OperationalError):
            continue
        except Exception:
            log.exception("released file %s: the download could not be logged", document_id)
            return
    log.warning("released file %s: the download was not logged (contention)", document_id)


def record_download(
    session: Session,
    rt: Runtime,
    document_id: int,
    case_id: int,
    letter_id: int,
    title: str,
    channel: str,
    at: datetime,
    client: str | None,
) -> None:
    """Log that a released file reached the applicant; the first of its reply's files is the
    reply's proof of electronic service (in the caller's transaction)."""
    first = not repository.letter_downloaded(session, letter_id)
    session.add(
        ReleaseDownload(
            document_id=document_id,
            case_id=case_id,
            letter_id=letter_id,
            channel=channel,
            at=at,
            client_address=client,
        )
    )
    session.flush()
    if first and channel == DOWNLOAD:
        with session.begin_nested():
            record_arrival(
                session,
                rt,
                case_id=case_id,
                letter_id=letter_id,
                channel=RELEASED_DOWNLOAD,
                actor_kind="applicant",
                at=at,
                evidence=f"申请人通过平台下载答复所附公开文件《{title}》"[:500],
                client=client,
            )

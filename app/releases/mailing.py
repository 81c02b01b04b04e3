"""A reply's released files in the mail that serves the reply electronically: attached while
the message stays within the mail size limit (GONGKAI_MAIL_MAX_BYTES, the encoded size: base64
grows a file by a third), else named with where to download them; their arrival with the
mail is logged like a download (channel mail_attachment)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.models import ReleaseDownload
from app.outbox.transports import Attachment
from app.releases import repository
from app.runtime import Runtime

# Headers, the text part and MIME boundaries: room kept beside the attachments.
OVERHEAD = 16 * 1024
MAIL_ATTACHMENT = "mail_attachment"


def encoded_size(size: int) -> int:
    """A file's size in a mail: base64, lines of 76 characters and CRLF."""
    b64 = (size + 2) // 3 * 4
    return b64 + (b64 // 76 + 1) * 2


@dataclass(frozen=True)
class Enclosed:
    attachments: tuple[Attachment, ...] = ()
    note: str = ""
    files: tuple[int, ...] = ()  # the released documents attached


def released_enclosures(
    session: Session, rt: Runtime, letter_id: int, letter_size: int, max_bytes: int
) -> Enclosed:
    """The released files to attach to a reply's mail, or the note that replaces them."""
    docs = [d for d in repository.of_letter(session, letter_id) if d.released_sha256]
    if not docs:
        return Enclosed()
    total = OVERHEAD + encoded_size(letter_size)
    total += sum(encoded_size(d.released_size or 0) for d in docs)
    until = docs[0].available_until
    window = f"，下载期限至{until.year}年{until.month}月{until.day}日" if until else ""
    titles = "、".join(f"《{d.title}》" for d in docs)
    if total > max_bytes:
        note = (
            f"答复所附公开文件{titles}合计较大，未随本邮件发送，请凭登记编号和查询码在网上平台"
            f"下载{window}。\n"
        )
        return Enclosed(note=note)
    attachments = tuple(
        Attachment(f"{d.title}.pdf", rt.store.read(d.released_sha256 or "")) for d in docs
    )
    note = f"答复所附公开文件{titles}随本邮件附上，亦可在网上平台下载{window}。\n"
    return Enclosed(attachments, note, tuple(d.id for d in docs))


def log_mailed(session: Session, rt: Runtime, document_ids: Sequence[int], at: datetime) -> None:
    """Log that the mailed released files reached the applicant's mail system."""
    for document_id in document_ids:
        doc = repository.by_id(session, document_id)
        if doc is None or doc.letter_id is None:
            continue
        session.add(
            ReleaseDownload(
                document_id=doc.id,
                case_id=doc.case_id,
                letter_id=doc.letter_id,
                channel=MAIL_ATTACHMENT,
                at=at,
                client_address=None,
            )
        )


SIGN_OFF = "本邮件由系统自动发送"


def with_note(text: str, note: str) -> str:
    """The mail's text with the note on the released files before its closing line."""
    if not note:
        return text
    head, sep, tail = text.rpartition(SIGN_OFF)
    return f"{head}{note}\n{sep}{tail}" if sep else text + "\n" + note

"""The released documents and the reply they go with: what the reply's effects read of them
(app.workflow.records loads it), and their freezing when the reply is issued (app.workflow.
write.record calls it in the issuing transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.letters import repository as letters_repo
from app.letters.kinds import LetterKind
from app.models import Letter, ReleasedDocument
from app.releases import repository
from app.releases.facts import ReleasedFile, ReleaseFacts
from app.releases.rules import DocumentLog, LogRow, redacted_parts

READY = "ready"


def is_current(doc: ReleasedDocument) -> bool:
    """Whether the released copy was made from the document's current marks."""
    return doc.status == READY and doc.released_rev == doc.marks_rev and bool(doc.released_sha256)


def release_facts(session: Session, case_id: int) -> ReleaseFacts | None:
    """The documents of the reply being drafted and what its draft says of them; None when
    the case has none (a reply without released files is untouched)."""
    docs = repository.drafted(session, case_id)
    draft = letters_repo.open_draft(session, case_id, LetterKind.reply)
    fields = draft.fields if draft is not None else {}
    held_files = fields.get("released_files")
    held_parts = fields.get("redacted_parts")
    if not docs and not held_files and not held_parts:
        return None
    files = tuple(
        ReleasedFile(
            id=d.id,
            title=d.title,
            pages=d.released_pages if is_current(d) else None,
            current=is_current(d),
            redacted=bool(d.redaction_log) and is_current(d),
        )
        for d in docs
    )
    logs = [
        DocumentLog(d.title, tuple(LogRow.of(r) for r in d.redaction_log or ()))
        for d in docs
        if is_current(d)
    ]
    return ReleaseFacts(
        files=files,
        parts=tuple(redacted_parts(logs)),
        draft_files=tuple(held_files) if isinstance(held_files, list) else None,
        draft_parts=tuple(held_parts) if isinstance(held_parts, list) else None,
    )


def freeze_issued(session: Session, case_id: int, letters: Sequence[Letter], now: datetime) -> int:
    """Tie the drafted documents to the reply just issued and freeze them, available through
    the day the letter states; returns how many were frozen."""
    for letter in letters:
        if letter.kind != LetterKind.reply or not letter.context:
            continue
        until = letter.context.get("released_until")
        if not until:
            continue
        session.flush()
        return repository.freeze(session, case_id, letter.id, now, date.fromisoformat(until))
    return 0

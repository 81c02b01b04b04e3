"""The notice a week before a reply's released files stop being downloadable (the periodic job
"release_expiry"): one `release.expiring` event per issued reply and last day, recorded once
(its dedupe key). The outbox mails the applicant (where they gave an address) and warns the
case's handlers (notice kind 期限提醒, text release_expiring)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.letters import repository as letters_repo
from app.notices.emitting import emit_once
from app.outbox import events as ev
from app.outbox.events import OutboxMessage
from app.releases import repository
from app.runtime import Runtime

NOTICE_DAYS = 7


def expiry_key(letter_id: int, until: str) -> str:
    return f"release-expiring:{letter_id}:{until}"


def expiry_notices(rt: Runtime, now: datetime) -> int:
    """Record the notice of every reply whose files can be downloaded for at most a week more
    and were not noticed yet; returns how many it recorded."""
    today = now.astimezone(rt.tz).date()
    with rt.sessions.read() as session:
        rows = repository.expiring(session, today, today + timedelta(days=NOTICE_DAYS))
        by_letter: dict[int, list[tuple[int, str]]] = {}
        heads = {}
        for doc, case in rows:
            assert doc.letter_id is not None
            assert doc.available_until is not None
            by_letter.setdefault(doc.letter_id, []).append((doc.id, doc.title))
            heads[doc.letter_id] = (case, doc.available_until.isoformat())
        messages = []
        for letter_id, files in by_letter.items():
            case, until = heads[letter_id]
            letter = letters_repo.letter_by_id(session, letter_id)
            messages.append(
                OutboxMessage(
                    type=ev.RELEASE_EXPIRING,
                    organ_id=case.organ_id,
                    case_id=case.id,
                    payload={
                        "case": {
                            "id": case.id,
                            "number": case.number,
                            "case_type": case.case_type,
                            "state": case.state,
                        },
                        "letter": {
                            "id": letter_id,
                            "number": letter.number if letter is not None else None,
                        },
                        "until": until,
                        "files": [{"id": i, "title": t} for i, t in files],
                        "downloaded": repository.letter_downloaded(session, letter_id),
                    },
                    dedupe_key=expiry_key(letter_id, until),
                )
            )
    if not messages:
        return 0
    with rt.sessions.write.begin() as session:
        return emit_once(session, messages, now=now)

"""Making released copies: in the request for a short document, by the outbox worker for a
long one (bench/redaction.py: a 300-page scan takes seconds), one code path either way.

A job is claimed with a compare-and-set (queued → running), so two workers never make the same
copy; the marks are read, the copy made outside any transaction with its progress written every
few pages (the case page shows it), and the result set in a short write transaction, with a
step on the case's timeline naming the copy's hash — unless the marks changed meanwhile, in
which case the job is queued again with the new marks. A failure is recorded on the row with
its reason; the clerk applies again. A worker that dies mid-job leaves a claim that runs out
after STALE, and the job is taken again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.auth.principal import SYSTEM, Actor
from app.cases import repository as cases_repo
from app.models import RedactionMark
from app.releases import repository
from app.releases.redact import Mark, RedactionFailed, redact
from app.releases.rules import KIND_LABELS, LogRow, ground_label
from app.runtime import Runtime
from app.workflow.write import record_beside

log = logging.getLogger(__name__)

APPLY = "apply_redaction"
STALE = timedelta(minutes=30)
PROGRESS_EVERY_S = 1.0
LOG_TEMPLATE = "redaction_log.html"


def _mark(m: RedactionMark) -> Mark:
    rect = None
    if m.x0 is not None and m.y0 is not None and m.x1 is not None and m.y1 is not None:
        rect = (m.x0, m.y0, m.x1, m.y1)
    return Mark(
        id=m.id,
        kind=m.kind,
        ground=m.ground,
        reason=m.reason,
        page=m.page,
        rect=rect,
        phrase=m.phrase,
        pattern=m.pattern,
    )


@dataclass(frozen=True)
class LogLine:
    page: int
    kind_label: str
    ground_label: str
    article: str
    reason: str
    areas: int


@dataclass(frozen=True)
class LogSheet:
    """What the redaction log page shows (templates/letters/redaction_log.html)."""

    organ_name: str
    case_number: str
    title: str
    original_pages: int
    made_on: date
    lines: list[LogLine]

    @property
    def areas(self) -> int:
        return sum(x.areas for x in self.lines)

    @property
    def pages(self) -> int:
        return len({x.page for x in self.lines})


def pending(rt: Runtime, *, limit: int | None = None) -> int:
    """The worker's pass: make the copies queued (and those a dead worker left); returns how
    many are now ready."""
    stale = rt.clock() - STALE
    with rt.sessions.read() as session:
        ids = repository.queued_ids(session, limit, stale)
    return sum(1 for doc_id in ids if run(rt, doc_id))


def run(rt: Runtime, doc_id: int) -> bool:
    """Make one released copy if it is queued; True when it is ready."""
    now = rt.clock()
    with rt.sessions.write() as session, session.begin():
        if not repository.claim(session, doc_id, now, now - STALE):
            return False
    try:
        return _make(rt, doc_id)
    except Exception as exc:
        log.exception("released document %s: the redaction failed", doc_id)
        _failed(rt, doc_id, exc)
        return False


def _make(rt: Runtime, doc_id: int) -> bool:
    with rt.sessions.read() as session:
        doc = repository.by_id(session, doc_id)
        assert doc is not None
        rev = doc.marks_rev
        marks = [_mark(m) for m in repository.marks_of(session, [doc_id])[doc_id]]
        case = cases_repo.case_by_id(session, doc.case_id)
        assert case is not None
        organ = rt.organs.by_id(session, case.organ_id)
        organ_name = organ.name if organ is not None else ""
        number, title, source = case.number, doc.title, rt.store.path_for(doc.pdf_sha256)
        original_pages = doc.pages
    today = rt.clock().astimezone(rt.tz).date()

    def render_log(rows: Sequence[LogRow]) -> bytes:
        sheet = LogSheet(
            organ_name=organ_name,
            case_number=number,
            title=title,
            original_pages=original_pages,
            made_on=today,
            lines=[
                LogLine(
                    page=r.page,
                    kind_label=KIND_LABELS.get(r.kind, r.kind),
                    ground_label=ground_label(r.ground),
                    article=r.article,
                    reason=r.reason,
                    areas=r.areas,
                )
                for r in rows
            ],
        )
        return rt.press.render([rt.letter_templates.render(LOG_TEMPLATE, log=sheet)]).pdf

    last = [time.monotonic()]

    def progress(done: int, total: int) -> None:
        if done < total and time.monotonic() - last[0] < PROGRESS_EVERY_S:
            return
        last[0] = time.monotonic()
        with rt.sessions.write() as session, session.begin():
            repository.set_progress(session, doc_id, done)

    with rt.store.incoming() as spool:
        made = redact(
            source,
            marks,
            spool.path,
            render_log=render_log,
            progress=progress,
        )
        sha = rt.store.adopt(spool)
        size = rt.store.size(sha)
    return _finish(rt, doc_id, rev, sha, size, made.pages, [r.as_dict() for r in made.rows])


def _finish(
    rt: Runtime,
    doc_id: int,
    rev: int,
    sha: str,
    size: int,
    pages: int,
    rows: list[dict[str, object]],
) -> bool:
    now = rt.clock()
    with rt.sessions.write() as session, session.begin():
        doc = repository.by_id(session, doc_id)
        if doc is None or doc.frozen_at is not None or doc.status != "running":
            return False
        if doc.marks_rev != rev:
            # The marks changed while the copy was made: make it again from the new ones.
            doc.status, doc.claimed_at = "queued", None
            return False
        doc.status = "ready"
        doc.progress = doc.pages
        doc.attempts += 1
        doc.last_error = None
        doc.released_rev = rev
        doc.released_sha256, doc.released_size, doc.released_pages = sha, size, pages
        doc.redaction_log = rows
        doc.applied_at = now
        case = cases_repo.case_by_id(session, doc.case_id)
        assert case is not None
        actor = (
            Actor(kind="user", label=doc.requested_by or "", user_id=doc.requested_by_id)
            if doc.requested_by_id is not None
            else SYSTEM
        )
        record_beside(
            session,
            rt,
            case,
            actor,
            APPLY,
            {
                "document_id": doc.id,
                "title": doc.title,
                "marks_rev": rev,
                "marks": len({r["mark_id"] for r in rows}),
                "areas": sum(int(str(r["areas"])) for r in rows),
                "released_sha256": sha,
                "released_pages": pages,
            },
            now=now,
        )
    return True


def _failed(rt: Runtime, doc_id: int, exc: Exception) -> None:
    reason = str(exc) if isinstance(exc, RedactionFailed) else type(exc).__name__
    with rt.sessions.write() as session, session.begin():
        doc = repository.by_id(session, doc_id)
        if doc is not None and doc.frozen_at is None and doc.status == "running":
            doc.status = "failed"
            doc.attempts += 1
            doc.last_error = reason[:2000]

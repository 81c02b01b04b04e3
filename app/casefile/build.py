"""Building case files off the request: the worker's job, next to rendering letters.

A file ordered by `record` (status `building`) is assembled from what the case held when it
was archived: its letters rendered first if the worker has not reached them, the records read
in one read session, the pages rendered by the letter press and merged, the PDF and the ZIP
stored by hash; then, in a short write transaction of its own, the row is set once (`ready`)
and frozen by the database. A failure is recorded on the row (`failed`, with the error) and
tried again on later passes, up to repository.MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.casefile import parts as parts_
from app.casefile import repository
from app.casefile.assembly import Assembled, Source, assemble
from app.casefile.schemas import IndexRow, IndexSheet
from app.cases import repository as cases_repo
from app.letters import repository as letters_repo
from app.letters.service import stored_pdf
from app.models import CaseFile
from app.runtime import Runtime

log = logging.getLogger(__name__)


def build_pending(rt: Runtime, *, limit: int | None = None) -> int:
    """Build the files waiting to be built; returns how many are now ready."""
    with rt.sessions.read() as session:
        ids = repository.pending_ids(session, limit)
    done = 0
    for file_id in ids:
        try:
            done += build(rt, file_id)
        except Exception as exc:
            log.exception("case file %s could not be built", file_id)
            _failed(rt, file_id, f"{type(exc).__name__}: {exc}"[:2000])
    return done


def build(rt: Runtime, file_id: int) -> bool:
    """Assemble and store one file; False if it was ready already."""
    with rt.sessions.read() as session:
        row = repository.by_id(session, file_id)
        if row is None or row.status == "ready":
            return False
        unrendered = repository.unrendered_letters(session, row.case_id, row.event_id)
    for letter_id in unrendered:
        with rt.sessions.read() as session:
            letter = letters_repo.letter_by_id(session, letter_id)
            assert letter is not None
            stored_pdf(session, rt, letter)
    with rt.sessions.read() as session:
        row = repository.by_id(session, file_id)
        assert row is not None
        case = cases_repo.case_by_id(session, row.case_id)
        assert case is not None
        organ = rt.organs.by_id(session, case.organ_id)
        organ_name = organ.name if organ is not None else ""
        sources = parts_.collect(session, rt, row, case, organ_name)
        made = _assemble(rt, row, case.number, organ_name, sources)
    pdf_sha, zip_sha = rt.store.put(made.pdf), rt.store.put(made.zip)
    with rt.sessions.write() as session, session.begin():
        stored = repository.by_id(session, file_id)
        if stored is None or stored.status == "ready":
            return False
        stored.status = "ready"
        stored.pdf_sha256, stored.pdf_size, stored.pages = pdf_sha, len(made.pdf), made.pages
        stored.zip_sha256, stored.zip_size = zip_sha, len(made.zip)
        stored.manifest = made.manifest
        stored.built_at = rt.clock()
        stored.last_error = None
        stored.attempts += 1
    return True


def _assemble(
    rt: Runtime, row: CaseFile, number: str, organ: str, sources: Sequence[Source]
) -> Assembled:
    def index_html(rows: list[IndexRow], total: int) -> str:
        sheet = IndexSheet(
            organ_name=organ,
            case_number=number,
            version=row.version,
            archived_on=row.archived_on,
            retention_years=row.retention_years,
            retention_until=row.retention_until,
            total_pages=total,
            rows=rows,
        )
        return rt.letter_templates.render("casefile_index.html", idx=sheet)

    header = {
        "case_number": number,
        "organ": organ,
        "version": row.version,
        "archived_on": row.archived_on.isoformat(),
        "retention_years": row.retention_years,
        "retention_until": row.retention_until.isoformat(),
        "event_seq": row.event_seq,
    }
    return assemble(
        sources,
        render=lambda html: rt.press.render([html]),
        index_html=index_html,
        header=header,
    )


def _failed(rt: Runtime, file_id: int, error: str) -> None:
    with rt.sessions.write() as session, session.begin():
        row = repository.by_id(session, file_id)
        if row is not None and row.status != "ready":
            row.status = "failed"
            row.attempts += 1
            row.last_error = error

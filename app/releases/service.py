"""Released documents on the workbench and by API: upload, marks, applying them, reading.

The clerk (or the approver) of the case's organ uploads the records the reply releases (PDF or
an image, checked as attachments are, up to the organ's own per-file limit, streamed to the
store) while the case is being handled; each belongs to the reply being drafted until the reply
is issued, which freezes it. Marks and documents can change until then; each change is a step
on the case's timeline (`record_beside`), and applying the marks — in the request for a short
document, by the worker for a long one (app.releases.jobs) — makes the released copy.
Originals are only ever read by the case's organ.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from app.auth.principal import Actor, Principal
from app.auth.roles import Role
from app.cases.service import load_case
from app.db import end_read
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Case, RedactionMark, ReleasedDocument
from app.releases import jobs, repository
from app.releases.files import max_file_bytes, receive, too_large
from app.releases.presenters import document_read
from app.releases.redact import page_size, render_page
from app.releases.rules import GROUNDS, article
from app.releases.schemas import MarkCreate, ReleasedDocumentRead
from app.runtime import Runtime
from app.storage import CHUNK, IncomingTooLarge
from app.workflow.write import record_beside

# Who uploads, marks and applies: the clerk who handles the case, and the office's head.
EDIT_ROLES = (Role.clerk, Role.approver)
UPLOAD = "upload_released_document"
REMOVE = "remove_released_document"
MARK = "mark_redaction"
UPDATE_MARK = "update_redaction_mark"
REMOVE_MARK = "remove_redaction_mark"
# Cases whose reply may release documents (an Art. 41 correction reply releases none).
RELEASING_CASE_TYPES = frozenset({"foi_application"})


class ReleasedDocumentNotFound(NotFound):
    """Answers like any unknown id."""


class MarkNotFound(NotFound):
    """Answers like any unknown id."""


class ReleaseNotEditable(Conflict):
    code = "release-not-editable"
    title = "公开文件不能再修改 / The released documents cannot be changed now"


def _not_found(document_id: int) -> ReleasedDocumentNotFound:
    return ReleasedDocumentNotFound(
        f"公开文件 {document_id} 不存在 / released document {document_id} not found",
        document_id=document_id,
    )


def check_open(rt: Runtime, case: Case) -> None:
    """Documents are added and changed while the case is handled: before its reply is issued
    (the reply clock running or paused) and only where the reply releases information."""
    if case.case_type not in RELEASING_CASE_TYPES:
        raise ReleaseNotEditable(
            "此类案件的答复不附公开文件 / this kind of case releases no documents",
            case_id=case.id,
        )
    state = rt.workflow_for(case).states[case.state]
    if state.clock not in ("running", "paused"):
        raise ReleaseNotEditable(
            f"案件处于“{state.label}”，公开文件只能在答复出具前上传和修改 / documents are "
            "added and changed only while the case is handled, before its reply is issued",
            case_id=case.id,
            state=case.state,
        )


def _document(
    session: Session, case: Case, document_id: int, *, for_update: bool = False
) -> ReleasedDocument:
    doc = repository.in_case(session, case.id, document_id, for_update=for_update)
    if doc is None:
        raise _not_found(document_id)
    return doc


def _editable(rt: Runtime, case: Case, doc: ReleasedDocument) -> None:
    if doc.frozen_at is not None:
        raise ReleaseNotEditable(
            "该文件已随答复书出具，不能再修改 / the document was released with an issued reply",
            document_id=doc.id,
        )
    check_open(rt, case)


def read_one(session: Session, doc: ReleasedDocument) -> ReleasedDocumentRead:
    marks = repository.marks_of(session, [doc.id])[doc.id]
    downloads = repository.downloads_of(session, [doc.id])[doc.id]
    return document_read(doc, marks, downloads)


def list_documents(
    session: Session, principal: Principal, case_id: int
) -> list[ReleasedDocumentRead]:
    """Every released document of the case, its marks, log and downloads."""
    case = load_case(session, principal, case_id)
    docs = repository.of_case(session, case.id)
    ids = [d.id for d in docs]
    marks, downloads = repository.marks_of(session, ids), repository.downloads_of(session, ids)
    return [document_read(d, marks[d.id], downloads[d.id]) for d in docs]


def get_document(
    session: Session, principal: Principal, case_id: int, document_id: int
) -> ReleasedDocumentRead:
    case = load_case(session, principal, case_id)
    return read_one(session, _document(session, case, document_id))


# --- upload ---------------------------------------------------------------------------------


def upload_limit(rt: Runtime, principal: Principal, case_id: int) -> int:
    """The most one released document of the caller's organ may weigh, once the case is
    found and open to uploads (before a byte of the file is read)."""
    with rt.sessions.read() as session:
        check_open(rt, load_case(session, principal, case_id))
        organ = rt.organs.by_id(session, principal.organ_id) if principal.organ_id else None
    mb = organ.settings.released_file_max_mb if organ is not None else 100
    return max_file_bytes(rt.settings, mb)


@dataclass(frozen=True)
class UploadedFile:
    """The posted file: its name and a readable stream (spooled to disk by the parser)."""

    filename: str
    stream: BinaryIO


def upload(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    title: str | None,
    file: UploadedFile,
) -> ReleasedDocumentRead:
    """Check and store an uploaded record and attach it to the reply being drafted."""
    case = load_case(session, principal, case_id)
    check_open(rt, case)
    end_read(session)
    limit = upload_limit(rt, principal, case_id)
    with rt.store.incoming(limit) as spool:
        try:
            while chunk := file.stream.read(CHUNK):
                spool.write(chunk)
        except IncomingTooLarge:
            raise too_large(file.filename or "file", limit) from None
        got = receive(rt.store, spool, file.filename, rt.settings)
    now = rt.clock()
    with rt.sessions.write() as writer, writer.begin():
        case = load_case(writer, principal, case_id, for_update=True)
        check_open(rt, case)
        doc = ReleasedDocument(
            case_id=case.id,
            organ_id=case.organ_id,
            title=title or Path(got.filename).stem or got.filename,
            filename=got.filename,
            content_type=got.content_type,
            size=got.size,
            original_sha256=got.original_sha256,
            pdf_sha256=got.pdf_sha256,
            pages=got.pages,
            marks_rev=0,
            status="pending",
            progress=0,
            attempts=0,
            created_at=now,
            created_by_id=principal.user_id,
            created_by=principal.name,
        )
        writer.add(doc)
        writer.flush()
        record_beside(
            writer,
            rt,
            case,
            Actor.of(principal),
            UPLOAD,
            {
                "document_id": doc.id,
                "title": doc.title,
                "filename": doc.filename,
                "content_type": doc.content_type,
                "size": doc.size,
                "pages": doc.pages,
                "sha256": doc.original_sha256,
            },
            now=now,
        )
        return read_one(writer, doc)


def remove(
    session: Session, rt: Runtime, principal: Principal, case_id: int, document_id: int
) -> None:
    """Take a document off the reply being drafted (its stored files stay, unreferenced)."""
    case = load_case(session, principal, case_id, for_update=True)
    doc = _document(session, case, document_id, for_update=True)
    _editable(rt, case, doc)
    payload = {"document_id": doc.id, "title": doc.title, "sha256": doc.original_sha256}
    for mark in repository.marks_of(session, [doc.id])[doc.id]:
        session.delete(mark)
    session.delete(doc)
    session.flush()
    record_beside(session, rt, case, Actor.of(principal), REMOVE, payload)


# --- marks ----------------------------------------------------------------------------------


def _check_mark(rt: Runtime, doc: ReleasedDocument, data: MarkCreate) -> None:
    if data.ground not in GROUNDS:
        raise InvalidInput(
            ("body", "ground"),
            "遮盖依据应为以下之一 / the ground must be one of: " + ", ".join(GROUNDS),
        )
    if data.kind != "area":
        return
    assert data.page is not None
    assert data.x0 is not None
    assert data.y0 is not None
    if data.page > doc.pages:
        raise InvalidInput(
            ("body", "page"), f"文件只有 {doc.pages} 页 / the document has {doc.pages} pages"
        )
    width, height = page_size(rt.store.path_for(doc.pdf_sha256), data.page)
    if data.x0 >= width or data.y0 >= height:
        raise InvalidInput(
            ("body", "x0"),
            f"区域在页面之外（页面 {width:.0f}×{height:.0f} 点）/ the area lies outside the "
            f"page ({width:.0f} × {height:.0f} points)",
        )


def _mark_payload(doc: ReleasedDocument, mark: RedactionMark) -> dict[str, Any]:
    return {
        "document_id": doc.id,
        "title": doc.title,
        "mark_id": mark.id,
        "kind": mark.kind,
        "page": mark.page,
        "rect": [mark.x0, mark.y0, mark.x1, mark.y1] if mark.kind == "area" else None,
        "phrase": mark.phrase,
        "pattern": mark.pattern,
        "ground": mark.ground,
        "article": article(mark.ground),
        "reason": mark.reason,
        "marks_rev": doc.marks_rev,
    }


def _set(mark: RedactionMark, data: MarkCreate) -> None:
    mark.kind = data.kind
    mark.page = data.page
    mark.x0, mark.y0, mark.x1, mark.y1 = data.x0, data.y0, data.x1, data.y1
    mark.phrase = data.phrase
    mark.pattern = data.pattern
    mark.ground = data.ground
    mark.reason = data.reason


def _marks_changed(doc: ReleasedDocument) -> None:
    """A released copy made from the old marks is no longer current; a queued job takes the
    new ones, a running one is redone when it finishes (app.releases.jobs)."""
    doc.marks_rev += 1
    if doc.status in ("ready", "failed"):
        doc.status = "pending"


def _for_marks(
    session: Session, rt: Runtime, principal: Principal, case_id: int, document_id: int
) -> tuple[Case, ReleasedDocument]:
    case = load_case(session, principal, case_id, for_update=True)
    doc = _document(session, case, document_id, for_update=True)
    _editable(rt, case, doc)
    return case, doc


def add_mark(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    document_id: int,
    data: MarkCreate,
) -> ReleasedDocumentRead:
    """Mark an area or text of a document for redaction."""
    case, doc = _for_marks(session, rt, principal, case_id, document_id)
    _check_mark(rt, doc, data)
    now = rt.clock()
    mark = RedactionMark(
        document_id=doc.id, created_at=now, updated_at=now, created_by_id=principal.user_id
    )
    _set(mark, data)
    session.add(mark)
    _marks_changed(doc)
    session.flush()
    record_beside(session, rt, case, Actor.of(principal), MARK, _mark_payload(doc, mark), now=now)
    return read_one(session, doc)


def update_mark(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    document_id: int,
    mark_id: int,
    data: MarkCreate,
) -> ReleasedDocumentRead:
    case, doc = _for_marks(session, rt, principal, case_id, document_id)
    mark = repository.mark_of(session, doc.id, mark_id)
    if mark is None:
        raise MarkNotFound(f"遮盖标记 {mark_id} 不存在 / mark {mark_id} not found")
    _check_mark(rt, doc, data)
    before = _mark_payload(doc, mark)
    _set(mark, data)
    mark.updated_at = rt.clock()
    _marks_changed(doc)
    session.flush()
    payload = {"before": before, "after": _mark_payload(doc, mark)}
    record_beside(session, rt, case, Actor.of(principal), UPDATE_MARK, payload)
    return read_one(session, doc)


def remove_mark(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    document_id: int,
    mark_id: int,
) -> ReleasedDocumentRead:
    case, doc = _for_marks(session, rt, principal, case_id, document_id)
    mark = repository.mark_of(session, doc.id, mark_id)
    if mark is None:
        raise MarkNotFound(f"遮盖标记 {mark_id} 不存在 / mark {mark_id} not found")
    payload = _mark_payload(doc, mark)
    session.delete(mark)
    _marks_changed(doc)
    session.flush()
    payload["marks_rev"] = doc.marks_rev
    record_beside(session, rt, case, Actor.of(principal), REMOVE_MARK, payload)
    return read_one(session, doc)


# --- applying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    document: ReleasedDocumentRead
    # True when the worker makes the copy (a long document); the page shows its progress.
    queued: bool


def apply(
    session: Session, rt: Runtime, principal: Principal, case_id: int, document_id: int
) -> Applied:
    """Make the released copy from the current marks: now for a short document, by the
    worker for a long one. A copy already current is left as it is."""
    case = load_case(session, principal, case_id)
    doc = _document(session, case, document_id)
    _editable(rt, case, doc)
    end_read(session)
    rt.clock()
    with rt.sessions.write() as writer, writer.begin():
        case = load_case(writer, principal, case_id, for_update=True)
        doc = _document(writer, case, document_id, for_update=True)
        _editable(rt, case, doc)
        fresh = doc.status in ("pending", "failed") or (
            doc.status == "ready" and doc.released_rev != doc.marks_rev
        )
        if fresh:
            doc.status = "queued"
            doc.progress = 0
            doc.last_error = None
            doc.requested_by_id = principal.user_id
            doc.requested_by = principal.name
            doc.claimed_at = None
        inline = doc.pages <= rt.settings.release_inline_max_pages
        doc_id = doc.id
    if fresh and inline:
        jobs.run(rt, doc_id)
    with rt.sessions.read() as reader:
        stored = repository.by_id(reader, doc_id)
        assert stored is not None
        return Applied(read_one(reader, stored), queued=stored.status in ("queued", "running"))


# --- staff downloads ------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    path: Path
    media_type: str
    filename: str
    etag: str


def original(
    session: Session, rt: Runtime, principal: Principal, case_id: int, document_id: int
) -> StoredFile:
    """The original as uploaded: for the case's organ only."""
    case = load_case(session, principal, case_id)
    doc = _document(session, case, document_id)
    return StoredFile(
        rt.store.path_for(doc.original_sha256), doc.content_type, doc.filename, doc.original_sha256
    )


def released_copy(
    session: Session, rt: Runtime, principal: Principal, case_id: int, document_id: int
) -> StoredFile:
    """The released copy as made (to check it before the reply is issued)."""
    case = load_case(session, principal, case_id)
    doc = _document(session, case, document_id)
    if not doc.released_sha256:
        raise Conflict(
            "尚未生成公开版本 / the released copy has not been made yet", document_id=doc.id
        )
    return StoredFile(
        rt.store.path_for(doc.released_sha256),
        "application/pdf",
        f"{doc.title}（公开版本）.pdf",
        doc.released_sha256,
    )


def page_image(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    document_id: int,
    page: int,
    *,
    released: bool = False,
    width_px: int = 900,
) -> bytes:
    """A page as a PNG, of the original (to mark it) or of the released copy (to check it)."""
    case = load_case(session, principal, case_id)
    doc = _document(session, case, document_id)
    sha = doc.released_sha256 if released else doc.pdf_sha256
    pages = (doc.released_pages or 0) if released else doc.pages
    if sha is None or not 1 <= page <= pages:
        raise NotFound(f"没有第 {page} 页 / no page {page}")
    end_read(session)
    return render_page(rt.store.path_for(sha), page, width_px)[0]


def page_dimensions(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    document_id: int,
    page: int,
) -> tuple[float, float]:
    """A page's width and height in points, as it is shown (the marks' coordinates)."""
    case = load_case(session, principal, case_id)
    doc = _document(session, case, document_id)
    if not 1 <= page <= doc.pages:
        raise NotFound(f"没有第 {page} 页 / no page {page}")
    return page_size(rt.store.path_for(doc.pdf_sha256), page)

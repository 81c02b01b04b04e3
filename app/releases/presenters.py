"""Released documents as the API and the pages read them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.models import RedactionMark, ReleasedDocument, ReleaseDownload
from app.releases.reply import is_current
from app.releases.rules import KIND_LABELS, PATTERNS, LogRow, article, ground_label
from app.releases.schemas import (
    ApplicantReleasedFile,
    DownloadRead,
    LogRowRead,
    MarkRead,
    ReleasedDocumentRead,
)

STATUS_LABELS = {
    "pending": "待生成公开版本",
    "queued": "排队等待生成",
    "running": "正在生成",
    "ready": "公开版本已生成",
    "failed": "生成失败",
}


def mark_read(m: RedactionMark) -> MarkRead:
    rect = None
    if m.x0 is not None and m.y0 is not None and m.x1 is not None and m.y1 is not None:
        rect = (m.x0, m.y0, m.x1, m.y1)
    return MarkRead(
        id=m.id,
        kind=m.kind,
        kind_label=KIND_LABELS.get(m.kind, m.kind),
        page=m.page,
        rect=rect,
        phrase=m.phrase,
        pattern=m.pattern,
        pattern_label=PATTERNS[m.pattern][0] if m.pattern in PATTERNS else None,
        ground=m.ground,
        ground_label=ground_label(m.ground),
        article=article(m.ground),
        reason=m.reason,
    )


def log_rows(doc: ReleasedDocument) -> list[LogRowRead]:
    rows = [LogRow.of(r) for r in doc.redaction_log or ()]
    return [
        LogRowRead(
            page=r.page,
            mark_id=r.mark_id,
            kind=r.kind,
            ground=r.ground,
            ground_label=ground_label(r.ground),
            article=r.article,
            reason=r.reason,
            areas=r.areas,
        )
        for r in rows
    ]


def document_read(
    doc: ReleasedDocument, marks: Sequence[RedactionMark], downloads: Sequence[ReleaseDownload]
) -> ReleasedDocumentRead:
    status = "pending" if doc.status == "ready" and not is_current(doc) else doc.status
    return ReleasedDocumentRead(
        id=doc.id,
        case_id=doc.case_id,
        title=doc.title,
        filename=doc.filename,
        content_type=doc.content_type,
        size=doc.size,
        pages=doc.pages,
        status=status,
        status_label=STATUS_LABELS.get(status, status),
        progress=doc.progress,
        last_error=doc.last_error,
        current=is_current(doc),
        released_pages=doc.released_pages,
        released_size=doc.released_size,
        released_sha256=doc.released_sha256,
        applied_at=doc.applied_at,
        letter_id=doc.letter_id,
        frozen=doc.frozen_at is not None,
        available_until=doc.available_until,
        marks=[mark_read(m) for m in marks],
        log=log_rows(doc) if is_current(doc) or doc.frozen_at else [],
        downloads=[DownloadRead(at=d.at, channel=d.channel) for d in downloads],
        created_at=doc.created_at,
        created_by=doc.created_by,
    )


def applicant_file(doc: ReleasedDocument, number: str, today: date) -> ApplicantReleasedFile:
    assert doc.available_until is not None
    assert doc.released_pages is not None
    expired = today > doc.available_until
    return ApplicantReleasedFile(
        id=doc.id,
        title=doc.title,
        pages=doc.released_pages,
        size=doc.released_size or 0,
        available_until=doc.available_until,
        expired=expired,
        download=None if expired else f"/api/v1/applications/{number}/released-files/{doc.id}/pdf",
    )

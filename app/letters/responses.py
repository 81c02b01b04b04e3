"""Letters as HTTP downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import FileResponse

from app.letters.views import Document

PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "PDF"},
    304: {"description": "未变化（If-None-Match）/ not modified"},
}


def document_response(doc: Document, request: Request | None = None) -> Response:
    """A letter as a download: exact stored bytes, strong ETag, never sniffed or rendered inline
    by a browser in our origin."""
    headers = {
        "Content-Disposition": (
            f'attachment; filename="letter.{doc.filename.rsplit(".", 1)[-1]}"; '
            f"filename*=UTF-8''{quote(doc.filename)}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
    }
    if doc.etag is None:
        headers["Cache-Control"] = "no-store"
    else:
        etag = f'"{doc.etag}"'
        headers["ETag"] = etag
        headers["Cache-Control"] = "private, max-age=0, must-revalidate"
        if request is not None and etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
    if doc.path is not None:
        return FileResponse(doc.path, media_type=doc.media_type, headers=headers)
    return Response(doc.content, media_type=doc.media_type, headers=headers)

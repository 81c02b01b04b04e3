"""Stored files as HTTP downloads, streamed from the store (a released document may weigh
100 MB or more: never read whole into memory)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from app.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from app.fields import Text200
from app.intake.body import MalformedBody
from app.releases.service import StoredFile, UploadedFile
from app.validation.files import safe_filename

FILE_PART, TITLE_PART = "file", "title"
# The form's non-file parts: the title, and the CSRF token and version a page form sends.
MAX_FIELDS = 5


def file_response(stored: StoredFile, request: Request | None = None) -> Response:
    """The stored bytes as an attachment with a strong ETag (its SHA-256), never rendered by a
    browser in our origin."""
    etag = f'"{stored.etag}"'
    ext = Path(stored.filename).suffix or ".bin"
    headers = {
        "Content-Disposition": (
            f"attachment; filename=\"document{ext}\"; filename*=UTF-8''{quote(stored.filename)}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "ETag": etag,
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    if request is not None and etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return FileResponse(stored.path, media_type=stored.media_type, headers=headers)


class UploadFields(BaseModel):
    title: Text200 | None = None


async def read_upload(request: Request, limit: int) -> tuple[str | None, UploadFile, FormData]:
    """The title and the file of a multipart upload; 413 at once when the request says it is
    larger than the organ's limit (the parser spools the file to disk, not to memory)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        mb = limit // (1024 * 1024)
        raise PayloadTooLarge(f"文件超过 {mb} MB / the file exceeds {mb} MB", max_bytes=limit)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise UnsupportedMediaType(
            "请以 multipart/form-data 上传：字段 title，文件 file / upload as "
            "multipart/form-data with a title field and a file part"
        )
    try:
        form: FormData = await request.form(max_files=1, max_fields=MAX_FIELDS)
    except (MultiPartException, HTTPException) as exc:
        message = exc.message if isinstance(exc, MultiPartException) else str(exc.detail)
        raise MalformedBody(
            f"无法解析 multipart 请求 / cannot parse the multipart body: {message}"
        ) from None
    part = form.get(FILE_PART)
    if not isinstance(part, UploadFile):
        raise InvalidInput(("body", FILE_PART), "须上传一个文件 / a file is required")
    raw = form.get(TITLE_PART)
    if raw is not None and not isinstance(raw, str):
        raise InvalidInput(("body", TITLE_PART), "标题须为文本 / the title is text")
    try:
        fields = UploadFields.model_validate({"title": raw.strip() or None if raw else None})
    except ValidationError as exc:
        raise InvalidInput.many(
            [
                {"loc": ["body", *map(str, e["loc"])], "msg": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
        ) from None
    return fields.title, part, form


def uploaded(part: UploadFile) -> UploadedFile:
    return UploadedFile(safe_filename(part.filename or ""), part.file)

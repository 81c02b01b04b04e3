"""Reading an intake request: JSON, or multipart with a JSON part and attachments."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from app.errors import DomainError, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from app.intake.uploads import Upload
from app.validation.files import safe_filename

M = TypeVar("M", bound=BaseModel)

JSON_PART = "application"
FILES_PART = "attachments"


class MalformedBody(DomainError):
    status = 400
    code = "malformed-body"
    title = "请求格式错误 / Malformed request body"


def _validation_error(exc: ValidationError, prefix: tuple[str, ...]) -> RequestValidationError:
    errors: list[dict[str, Any]] = []
    for err in exc.errors(include_url=False):
        errors.append({**err, "loc": (*prefix, *err["loc"])})
    return RequestValidationError(errors)


def _parse(model: type[M], raw: bytes | str, prefix: tuple[str, ...]) -> M:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise _validation_error(exc, prefix) from None


def _too_many_files(max_files: int) -> InvalidInput:
    # The same answer as app.intake.uploads.check_uploads, however many files were sent.
    return InvalidInput(
        ("body", FILES_PART), f"附件最多 {max_files} 个 / at most {max_files} attachments"
    )


async def read_intake(
    request: Request, model: type[M], *, max_files: int, max_file_bytes: int
) -> tuple[M, list[Upload]]:
    """The validated payload and the raw uploads of a JSON or multipart request."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/json", ""):
        return _parse(model, await request.body(), ("body",)), []
    if content_type != "multipart/form-data":
        raise UnsupportedMediaType(
            "请求须为 application/json 或 multipart/form-data / send JSON or multipart/form-data"
        )
    form = await multipart_form(request, max_files)
    json_part = form.get(JSON_PART)
    if json_part is None:
        raise MalformedBody(
            f"multipart 请求缺少 JSON 部分 “{JSON_PART}” / the multipart body needs a "
            f"'{JSON_PART}' part holding the JSON"
        )
    raw = await json_part.read() if isinstance(json_part, UploadFile) else json_part
    payload = _parse(model, raw, ("body", JSON_PART))
    uploads = await _form_files(form, max_files=max_files, max_file_bytes=max_file_bytes)
    return payload, uploads


async def read_fields(
    request: Request, model: type[M], *, max_files: int, max_file_bytes: int
) -> tuple[M, list[Upload]]:
    """The validated payload and uploads of a JSON body, or of a multipart form whose text
    fields are the model's fields (a plain form post, such as the applicant's correction)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/json", ""):
        return _parse(model, await request.body(), ("body",)), []
    if content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise UnsupportedMediaType(
            "请求须为 application/json 或 multipart/form-data / send JSON or multipart/form-data"
        )
    form = await multipart_form(request, max_files)
    # A form's empty field is a field not filled in.
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str) and v.strip()}
    try:
        payload = model.model_validate(fields)
    except ValidationError as exc:
        raise _validation_error(exc, ("body",)) from None
    uploads = await _form_files(form, max_files=max_files, max_file_bytes=max_file_bytes)
    return payload, uploads


async def multipart_form(request: Request, max_files: int) -> FormData:
    """The request's multipart form, bounded in files and fields (400 when it cannot be parsed)."""
    try:
        return await request.form(max_files=max_files + 1, max_fields=20)
    except (MultiPartException, HTTPException) as exc:
        # Inside an app Starlette re-raises its parser errors as HTTPException(400).
        message = exc.message if isinstance(exc, MultiPartException) else str(exc.detail)
        if message.startswith("Too many files"):
            raise _too_many_files(max_files) from None
        raise MalformedBody(
            f"无法解析 multipart 请求 / cannot parse the multipart body: {message}"
        ) from None


async def _form_files(form: FormData, *, max_files: int, max_file_bytes: int) -> list[Upload]:
    for part in form.getlist(FILES_PART):
        if not isinstance(part, UploadFile):
            raise MalformedBody(f"“{FILES_PART}” 须为文件 / '{FILES_PART}' parts must be files")
    files = [p for p in form.getlist(FILES_PART) if isinstance(p, UploadFile)]
    uploads = await read_uploads(files, max_files=max_files, max_file_bytes=max_file_bytes)
    await form.close()
    return uploads


async def read_uploads(
    parts: list[UploadFile], *, max_files: int, max_file_bytes: int
) -> list[Upload]:
    """The posted files' names and bytes, each read only up to the size limit (413 past it).

    The JSON API's multipart body and the portal's forms read their files here.
    """
    if len(parts) > max_files:
        raise _too_many_files(max_files)
    uploads: list[Upload] = []
    for part in parts:
        data = await part.read(max_file_bytes + 1)
        if len(data) > max_file_bytes:
            # The client's name, cleaned as it would be stored, never echoed raw.
            name = safe_filename(part.filename or "")
            raise PayloadTooLarge(
                f"附件 {name} 过大 / attachment {name} exceeds the size limit",
                filename=name,
                max_bytes=max_file_bytes,
            )
        uploads.append(Upload(part.filename or "", data))
    return uploads

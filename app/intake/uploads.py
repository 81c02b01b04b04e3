"""Checking uploaded attachments before anything is stored: count, size, real type, content."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.errors import DomainError, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from app.validation.files import (
    ALLOWED_TYPES,
    FileLimits,
    FileRefused,
    inspect_file,
    safe_filename,
)
from app.validation.pdf import PdfLimits


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the client gave and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedUpload:
    filename: str
    content_type: str
    data: bytes


def file_limits(settings: Settings) -> FileLimits:
    """The configured bounds on the work of checking one file."""
    return FileLimits(
        ofd_max_entries=settings.upload_ofd_max_entries,
        ofd_max_expanded_bytes=settings.upload_ofd_max_expanded_bytes,
        ofd_max_ratio=settings.upload_ofd_max_compression_ratio,
        pdf=PdfLimits(
            max_objects=settings.upload_pdf_max_objects,
            max_pages=settings.upload_pdf_max_pages,
        ),
    )


def check_uploads(
    uploads: list[Upload],
    *,
    max_count: int,
    max_bytes: int,
    limits: FileLimits | None = None,
) -> list[CheckedUpload]:
    """Refuse too many, too large, empty, disguised or active files; the type comes from the content."""
    if len(uploads) > max_count:
        raise InvalidInput(
            ("body", "attachments"),
            f"附件最多 {max_count} 个 / at most {max_count} attachments",
        )
    checked = []
    for index, upload in enumerate(uploads):
        name = safe_filename(upload.filename or "")
        if not upload.data:
            raise InvalidInput(
                ("body", "attachments", index), f"附件 {name} 为空 / {name} is empty"
            )
        if len(upload.data) > max_bytes:
            raise PayloadTooLarge(
                f"附件 {name} 超过 {max_bytes // (1024 * 1024)} MB / {name} exceeds the size limit",
                filename=name,
                max_bytes=max_bytes,
            )
        try:
            content_type = inspect_file(upload.data, limits or FileLimits())
        except FileRefused as exc:
            raise _refusal(name, exc) from None
        checked.append(CheckedUpload(name, content_type, upload.data))
    return checked


def check_configured(uploads: list[Upload], settings: Settings) -> list[CheckedUpload]:
    """check_uploads with the deployment's limits: every upload (intake, corrections) goes here."""
    return check_uploads(
        uploads,
        max_count=settings.max_attachments,
        max_bytes=settings.max_attachment_bytes,
        limits=file_limits(settings),
    )


def _refusal(name: str, exc: FileRefused) -> DomainError:
    detail = f"附件 {name}：{exc.reason}"
    if exc.kind == "size":
        return PayloadTooLarge(detail, filename=name)
    if exc.kind == "type":
        return UnsupportedMediaType(detail, filename=name, allowed=sorted(ALLOWED_TYPES))
    return UnsupportedMediaType(detail, filename=name)

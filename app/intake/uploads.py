"""Checking uploaded attachments before anything is stored: count, size, real type."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from app.validation.files import ALLOWED_TYPES, safe_filename, sniff_content_type


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


def check_uploads(uploads: list[Upload], *, max_count: int, max_bytes: int) -> list[CheckedUpload]:
    """Refuse too many, too large, empty or disguised files; the type comes from the content."""
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
        content_type = sniff_content_type(upload.data)
        if content_type is None:
            raise UnsupportedMediaType(
                f"附件 {name} 不是 PDF、JPEG、PNG 或 OFD 文件 / {name} is not a PDF, JPEG, PNG "
                "or OFD file (decided from its content, not its name)",
                filename=name,
                allowed=sorted(ALLOWED_TYPES),
            )
        checked.append(CheckedUpload(name, content_type, upload.data))
    return checked

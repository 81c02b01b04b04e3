"""A released document's file as it arrives: streamed to a spool, checked like an attachment
(type from the bytes, a PDF opened within budgets and refused with active content, the size
against the organ's limit) and, for an image, laid out as a PDF page — all from disk, never
holding the file in memory."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from PIL import Image, ImageOps

from app.config import Settings
from app.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from app.intake.uploads import file_limits
from app.storage import AttachmentStore, Incoming
from app.validation.files import safe_filename, sniff_content_type
from app.validation.pdf import PdfRefused, check_pdf_file

RELEASABLE = ("application/pdf", "image/jpeg", "image/png")
# An image larger than this (pixels) is refused before it is decoded (a decompression bomb).
MAX_IMAGE_PIXELS = 100_000_000
A4 = (595.0, 842.0)
_HEAD = 64
_ORIENTATION = 0x0112  # EXIF


@dataclass(frozen=True)
class Received:
    """A checked file kept in the store: the original, and the PDF the marks apply to."""

    filename: str
    content_type: str
    size: int
    original_sha256: str
    pdf_sha256: str
    pages: int


def max_file_bytes(settings: Settings, organ_mb: int) -> int:
    """The organ's per-file limit, within the deployment's limit on one upload."""
    return min(organ_mb * 1024 * 1024, settings.release_upload_max_bytes)


def too_large(name: str, max_bytes: int) -> PayloadTooLarge:
    mb = max_bytes // (1024 * 1024)
    return PayloadTooLarge(
        f"文件 {name} 超过 {mb} MB / {name} exceeds {mb} MB", filename=name, max_bytes=max_bytes
    )


def refused(name: str, reason: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(f"文件 {name}：{reason}", filename=name, allowed=list(RELEASABLE))


def receive(store: AttachmentStore, spool: Incoming, filename: str, settings: Settings) -> Received:
    """Check a finished spool and keep it (and, for an image, its PDF) in the store; raises
    413/415/422 naming the file, keeping nothing, when it may not be released."""
    name = safe_filename(filename)
    spool.finish()
    if spool.size == 0:
        raise InvalidInput(("body", "file"), f"文件 {name} 为空 / {name} is empty")
    with spool.path.open("rb") as fh:
        head = fh.read(_HEAD)
    content_type = sniff_content_type(head)
    if content_type not in RELEASABLE:
        raise refused(name, "不是 PDF、JPEG 或 PNG 文件 / is not a PDF, JPEG or PNG file")
    if content_type == "application/pdf":
        try:
            check_pdf_file(spool.path, file_limits(settings).pdf)
            pages = _pages(spool.path)
        except PdfRefused as exc:
            raise refused(name, str(exc)) from None
        sha = store.keep(spool)
        return Received(name, content_type, spool.size, sha, sha, pages)
    pdf = _image_pdf(spool.path, name)
    original = store.keep(spool)
    return Received(name, content_type, spool.size, original, store.put(pdf), 1)


def _pages(path: Path) -> int:
    try:
        with pymupdf.open(path) as doc:
            if doc.needs_pass:
                raise PdfRefused("文件设有打开密码 / the file is password-protected")
            return int(doc.page_count)
    except PdfRefused:
        raise
    except Exception:
        raise PdfRefused("文件已损坏，无法读取 / the file is damaged and cannot be read") from None


def _image_pdf(path: Path, name: str) -> bytes:
    """An image as one A4 page (portrait or landscape as the image is), fitted and centred,
    turned upright as its EXIF orientation says (the file embedded as it is when upright)."""
    upright: bytes | None = None
    try:
        with Image.open(path) as img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise refused(name, "图片像素过多 / the image has too many pixels")
            if img.getexif().get(_ORIENTATION, 1) != 1:
                turned = ImageOps.exif_transpose(img)
                width, height = turned.size
                buf = io.BytesIO()
                turned.convert("RGB").save(buf, "JPEG", quality=90)
                upright = buf.getvalue()
    except UnsupportedMediaType:
        raise
    except Exception:
        raise refused(name, "图片已损坏，无法读取 / the image is damaged") from None
    page_w, page_h = A4 if height >= width else (A4[1], A4[0])
    doc = pymupdf.open()
    try:
        page = doc.new_page(width=page_w, height=page_h)
        if upright is None:
            page.insert_image(page.rect, filename=str(path), keep_proportion=True)
        else:
            page.insert_image(page.rect, stream=upright, keep_proportion=True)
        return bytes(doc.tobytes(garbage=3, deflate=True))
    except Exception:
        raise refused(name, "图片无法转换为 PDF / the image cannot be laid out as a PDF") from None
    finally:
        doc.close()

"""Content checks and display-name hygiene for uploaded attachments.

The type comes from the bytes, never the name. PDFs and OFD containers are then opened with
bounded work: an OFD is a ZIP archive, which a few hundred kilobytes can make expand to
gigabytes, and a PDF can carry scripts (app/validation/pdf.py).
"""

import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from app.validation.pdf import PdfLimits, PdfRefused, check_pdf
from app.validation.text import clean_text, disallowed_char_reason

ALLOWED_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "application/pdf": ".pdf",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "application/ofd": ".ofd",
    }
)

_PDF_MAGIC: Final = b"%PDF-"
_JPEG_MAGIC: Final = b"\xff\xd8\xff"
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_ZIP_MAGIC: Final = b"PK\x03\x04"
OFD_ROOT_ENTRY: Final = "OFD.xml"
# GB/T 33190: the root document's element is ofd:OFD (any prefix, or none).
_OFD_ROOT_ELEMENT: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?OFD[\s/>]")
_OFD_ROOT_HEAD: Final = 4096
# OFD.xml names the documents of the file; real ones are a few kilobytes.
OFD_ROOT_MAX_BYTES: Final = 1024 * 1024
_READ_CHUNK: Final = 64 * 1024
# The end-of-central-directory record and the ZIP64 locator that may precede it.
_EOCD_MAGIC: Final = b"PK\x05\x06"
_EOCD: Final = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR_MAGIC: Final = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE: Final = 20
_MAX_ZIP_COMMENT: Final = 0xFFFF
# A central-directory entry is 46 bytes plus its name and extra fields; OFD entry names are
# short ("Doc_0/Pages/Page_12/Content.xml"), so this bounds the directory zipfile parses.
_DIRECTORY_BYTES_PER_ENTRY: Final = 256
# Compression ratios are only judged on entries big enough to matter.
_RATIO_MIN_BYTES: Final = 1024 * 1024
_ZIP_METHODS: Final = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

FALLBACK_FILENAME: Final = "attachment"
MAX_FILENAME_LENGTH: Final = 120
# Longer "extensions" are really part of the name (e.g. "report.final-version-...").
_MAX_EXTENSION_LENGTH: Final = 16
_PATH_SEPARATORS: Final = re.compile(r"[/\\]")
_EDGE_JUNK: Final = re.compile(r"\A[\s.]+|[\s.]+\Z")
# Characters Windows refuses in file names; the display name is reused on download.
_WINDOWS_RESERVED: Final = str.maketrans(dict.fromkeys('<>:"|?*', "_"))
# Invisible characters can disguise an extension ("invoice\u202efdp.exe" shows as
# "invoiceexe.pdf"), so filenames lose every control, format and separator character.
_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


NOT_ALLOWED: Final = (
    "不是 PDF、JPEG、PNG 或 OFD 文件 / is not a PDF, JPEG, PNG or OFD file "
    "(decided from its content, not its name)"
)


@dataclass(frozen=True)
class FileLimits:
    """How much work one uploaded file may cost to check."""

    ofd_max_entries: int = 5_000
    ofd_max_expanded_bytes: int = 100 * 1024 * 1024
    ofd_max_ratio: int = 100
    pdf: PdfLimits = field(default_factory=PdfLimits)


class FileRefused(ValueError):
    """An upload that may not be stored; ``kind`` tells a wrong type from an oversized one."""

    def __init__(self, reason: str, *, kind: Literal["type", "content", "size"]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def inspect_file(data: bytes, limits: FileLimits = FileLimits()) -> str:
    """The content type of an acceptable upload; raises FileRefused saying why not."""
    if data.startswith(_PDF_MAGIC):
        try:
            check_pdf(data, limits.pdf)
        except PdfRefused as exc:
            raise FileRefused(str(exc), kind="content") from None
        return "application/pdf"
    if data.startswith(_ZIP_MAGIC):
        _check_ofd(data, limits)
        return "application/ofd"
    content_type = sniff_content_type(data)
    if content_type is None:
        raise FileRefused(NOT_ALLOWED, kind="type")
    return content_type


def _open_zip(data: bytes, max_entries: int) -> zipfile.ZipFile:
    """Open an archive after bounding its central directory, which zipfile parses in full."""
    record = _end_record(data)
    if record is None:
        raise FileRefused(NOT_ALLOWED, kind="type")
    pos, entries, directory_bytes = record
    if data[max(pos - _ZIP64_LOCATOR_SIZE, 0) : pos].startswith(_ZIP64_LOCATOR_MAGIC):
        # ZIP64 is for more than 65,535 entries or 4 GiB: never a plausible upload.
        raise FileRefused(
            "OFD 文件使用了 ZIP64 大文件格式 / the OFD file is a ZIP64 archive", kind="size"
        )
    if entries > max_entries or directory_bytes > max_entries * _DIRECTORY_BYTES_PER_ENTRY:
        raise _too_many_entries(max_entries)
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        # Truncated or hostile archives fail in many ways (BadZipFile, EOFError,
        # ValueError, OverflowError ...); any failure means "not an OFD".
        raise FileRefused(NOT_ALLOWED, kind="type") from None


def _end_record(data: bytes) -> tuple[int, int, int] | None:
    """Where the end-of-directory record is, and the entry count and directory size it gives.

    Found as zipfile finds it: at the very end, else the last one within a comment's reach.
    """
    pos = len(data) - _EOCD.size
    if not (data[pos : pos + 4] == _EOCD_MAGIC and data[-2:] == b"\0\0"):
        pos = data.rfind(_EOCD_MAGIC, max(len(data) - _EOCD.size - _MAX_ZIP_COMMENT, 0))
    if pos < 0 or len(data) - pos < _EOCD.size:
        return None
    _, _, _, _, entries, directory_bytes, _, _ = _EOCD.unpack_from(data, pos)
    return pos, entries, directory_bytes


def _too_many_entries(limit: int) -> FileRefused:
    return FileRefused(
        f"OFD 文件包含的条目超过 {limit} 个 / the OFD file holds more than {limit} entries",
        kind="content",
    )


def _check_ofd(data: bytes, limits: FileLimits) -> None:
    """Refuse an archive that is not an OFD or would cost too much to expand."""
    with _open_zip(data, limits.ofd_max_entries) as archive:
        infos = archive.infolist()
        if len(infos) > limits.ofd_max_entries:
            raise _too_many_entries(limits.ofd_max_entries)
        root = next((i for i in infos if i.filename == OFD_ROOT_ENTRY), None)
        if root is None:
            raise FileRefused(NOT_ALLOWED, kind="type")
        expanded = 0
        for info in infos:
            _check_entry(info, limits)
            expanded += info.file_size
        if expanded > limits.ofd_max_expanded_bytes:
            mib = limits.ofd_max_expanded_bytes // (1024 * 1024)
            raise FileRefused(
                f"OFD 文件解压后超过 {mib} MB / the OFD file expands to more than {mib} MB",
                kind="size",
            )
        head = _read_capped(archive, root)
    if not _OFD_ROOT_ELEMENT.search(head):
        raise FileRefused(
            "OFD.xml 不是 OFD 根文档 / OFD.xml is not an OFD root document", kind="content"
        )


def _check_entry(info: zipfile.ZipInfo, limits: FileLimits) -> None:
    if info.flag_bits & 0x1:
        raise FileRefused(
            f"OFD 文件中的 {info.filename} 已加密 / {info.filename} in the OFD file is encrypted",
            kind="content",
        )
    if info.compress_type not in _ZIP_METHODS:
        raise FileRefused(
            f"OFD 文件中的 {info.filename} 使用了不支持的压缩方式 / {info.filename} in the OFD "
            "file uses an unsupported compression method",
            kind="content",
        )
    if info.file_size > _RATIO_MIN_BYTES and info.file_size > limits.ofd_max_ratio * max(
        info.compress_size, 1
    ):
        raise FileRefused(
            f"OFD 文件中的 {info.filename} 压缩比异常（疑似压缩炸弹）/ {info.filename} in the "
            "OFD file is compressed implausibly well (a decompression bomb)",
            kind="content",
        )


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The start of an entry, reading all of it in chunks to check it, stopping at the cap.

    The declared size is not trusted: the stream is counted as it is inflated.
    """
    head = bytearray()
    total = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ_CHUNK):
                total += len(chunk)
                if total > OFD_ROOT_MAX_BYTES:
                    raise FileRefused(
                        f"OFD.xml 超过 {OFD_ROOT_MAX_BYTES // 1024} KB / OFD.xml is larger than "
                        f"{OFD_ROOT_MAX_BYTES // 1024} KB",
                        kind="content",
                    )
                if len(head) < _OFD_ROOT_HEAD:
                    head += chunk[: _OFD_ROOT_HEAD - len(head)]
    except FileRefused:
        raise
    except Exception:
        # A bad CRC, a local header that disagrees with the directory, corrupt deflate data.
        raise FileRefused("OFD 文件已损坏 / the OFD file is damaged", kind="content") from None
    return bytes(head)


def _is_ofd(data: bytes) -> bool:
    """Whether a ZIP archive carries the GB/T 33190 root entry; only the directory is read."""
    try:
        with _open_zip(data, FileLimits.ofd_max_entries) as archive:
            return OFD_ROOT_ENTRY in archive.namelist()
    except FileRefused:
        return False


def sniff_content_type(data: bytes) -> str | None:
    """Return the allowed content type detected from the bytes alone, or None."""
    if data.startswith(_PDF_MAGIC):
        return "application/pdf"
    if data.startswith(_JPEG_MAGIC):
        return "image/jpeg"
    if data.startswith(_PNG_MAGIC):
        return "image/png"
    if data.startswith(_ZIP_MAGIC) and _is_ofd(data):
        return "application/ofd"
    return None


def _truncate(name: str) -> str:
    """Shorten ``name`` to the length limit while keeping a short extension intact."""
    if len(name) <= MAX_FILENAME_LENGTH:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and len(ext) <= _MAX_EXTENSION_LENGTH:
        suffix = "." + ext
        return _EDGE_JUNK.sub("", stem[: MAX_FILENAME_LENGTH - len(suffix)]) + suffix
    return _EDGE_JUNK.sub("", name[:MAX_FILENAME_LENGTH])


def _safe_char(ch: str) -> bool:
    # text.py says what free text may never hold; a name drops those and, beyond them, every
    # invisible format or separator character (zero-width joiners too).
    return unicodedata.category(ch) not in _UNSAFE_CATEGORIES and disallowed_char_reason(ch) is None


def safe_filename(name: str) -> str:
    """Reduce an uploaded file's original name to a safe display name."""
    base = _PATH_SEPARATORS.split(name)[-1]
    base = "".join(ch for ch in base if _safe_char(ch))
    # Normalise after filtering: a removed character may have separated a letter
    # from a combining mark that now composes with it.
    base = unicodedata.normalize("NFC", base)
    base = _EDGE_JUNK.sub("", base.translate(_WINDOWS_RESERVED))
    if not base:
        return FALLBACK_FILENAME
    try:
        # The same hygiene as every other text the service stores.
        return clean_text(_truncate(base), field_max=MAX_FILENAME_LENGTH)
    except ValueError:
        return FALLBACK_FILENAME

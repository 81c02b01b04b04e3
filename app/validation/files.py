"""Content sniffing and display-name hygiene for uploaded attachments."""

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from app.validation.text import is_noncharacter

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


def _is_ofd(data: bytes) -> bool:
    """Whether a ZIP archive carries the GB/T 33190 root entry; only the directory is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return OFD_ROOT_ENTRY in archive.namelist()
    except Exception:
        # Truncated or hostile archives fail in many ways (BadZipFile, EOFError,
        # ValueError, OverflowError ...); any failure means "not an OFD".
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


def safe_filename(name: str) -> str:
    """Reduce an uploaded file's original name to a safe display name."""
    base = _PATH_SEPARATORS.split(name)[-1]
    base = "".join(
        ch
        for ch in base
        if unicodedata.category(ch) not in _UNSAFE_CATEGORIES and not is_noncharacter(ch)
    )
    # Normalise after filtering: a removed character may have separated a letter
    # from a combining mark that now composes with it.
    base = unicodedata.normalize("NFC", base)
    base = _EDGE_JUNK.sub("", base.translate(_WINDOWS_RESERVED))
    if not base:
        return FALLBACK_FILENAME
    return _truncate(base)

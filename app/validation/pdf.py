"""Refusing PDFs that carry active content: scripts, launch actions, embedded files.

A PDF can run JavaScript when opened (/OpenAction, /AA), launch programs, submit or import
form data, jump to other files, or carry files of any type that were never sniffed. Staff
open applicants' attachments in their PDF reader, so such files are refused outright rather
than cleaned: a cleaned copy would no longer be the document the applicant sent.

qpdf (through pikepdf) parses the file, so hex-escaped names (/Java#53cript), object streams
and cross-reference streams are seen as a reader sees them. Every dictionary, array and stream
reachable from the trailer is visited within fixed budgets, so a hostile file cannot hold a
request for long; content streams are never decoded.
"""

from __future__ import annotations

import io
import mmap
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

# Action types (the /S of an action dictionary) that run code, reach outside the document
# or play media, which may itself carry a script (/Rendition has a /JS entry).
_ACTIVE_ACTIONS: Final = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/RichMediaExecute",
    }
)
# Markup a browser or mail client could sniff as HTML, in the head of the file (a polyglot
# that starts with "%PDF-" and still renders as a web page).
_MARKUP: Final = re.compile(
    rb"<\s*(?:script|html|body|head|iframe|svg|object|embed|meta|img|!doctype)\b", re.IGNORECASE
)
_HEAD_BYTES: Final = 1024
_EOF_MARKER: Final = b"%%EOF"
# What may follow the last %%EOF (writers pad with whitespace or NULs).
_TRAILING_PADDING: Final = b" \t\r\n\f\x00"
# Each decoded stream (object and cross-reference streams are decoded while parsing) may use
# this much memory; a deflate bomb in an object stream stops here instead of filling RAM.
_QPDF_STREAM_MEMORY: Final = 16 * 1024 * 1024
_QPDF_MAX_WARNINGS: Final = 500


@dataclass(frozen=True)
class PdfLimits:
    # Dictionaries, arrays and streams visited (about 10 µs each): a 2,000-page file with a
    # link on every page has some 12,000.
    max_objects: int = 100_000
    max_pages: int = 5_000


class PdfRefused(ValueError):
    """The PDF may not be stored; the message says why, in Chinese and English."""


_limits_lock = threading.Lock()
_limits_set = False


def _bound_qpdf() -> None:
    """Cap qpdf's decoding memory and warnings (process-wide settings, applied once)."""
    global _limits_set
    with _limits_lock:
        if not _limits_set:
            pikepdf.settings.set_qpdf_limits(
                flate_max_memory=_QPDF_STREAM_MEMORY,
                run_length_max_memory=_QPDF_STREAM_MEMORY,
                png_max_memory=_QPDF_STREAM_MEMORY,
                tiff_max_memory=_QPDF_STREAM_MEMORY,
                doc_max_warnings=_QPDF_MAX_WARNINGS,
            )
            _limits_set = True


def open_bounded(data: bytes) -> pikepdf.Pdf:
    """The PDF opened by qpdf under the decoding limits (raises on a file beyond repair)."""
    _bound_qpdf()
    return pikepdf.open(io.BytesIO(data))


def _check_shape(data: bytes | mmap.mmap) -> None:
    """The head and the tail: no markup a browser could sniff, nothing after the last %%EOF."""
    if _MARKUP.search(data[:_HEAD_BYTES]):
        raise PdfRefused("文件开头含有网页标记 / the file starts with HTML markup")
    end = data.rfind(_EOF_MARKER)
    if end < 0:
        raise PdfRefused("文件不完整（缺少 %%EOF）/ the file is truncated (no %%EOF)")
    if data[end + len(_EOF_MARKER) :].strip(_TRAILING_PADDING):
        raise PdfRefused("文件结尾之后还有其他数据 / there is other data after the end of the PDF")


def check_pdf(data: bytes, limits: PdfLimits = PdfLimits()) -> None:
    """Raise PdfRefused unless ``data`` is a readable PDF without active content."""
    _check_shape(data)
    _check_opened(io.BytesIO(data), limits)


def check_pdf_file(path: Path, limits: PdfLimits = PdfLimits()) -> None:
    """check_pdf for a file on disk (a large released document): the file is mapped, not read
    into memory, and qpdf reads what it needs from it."""
    if path.stat().st_size == 0:
        raise PdfRefused("文件为空 / the file is empty")
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        _check_shape(mapped)
    _check_opened(path, limits)


def _check_opened(source: io.BytesIO | Path, limits: PdfLimits) -> None:
    _bound_qpdf()
    try:
        pdf = pikepdf.open(source)
    except pikepdf.PasswordError:
        raise PdfRefused(
            "文件设有打开密码，请上传未加密的文件 / the file is password-protected; "
            "upload it without a password"
        ) from None
    except Exception:
        # Damaged beyond qpdf's repair, or over a decoding limit; qpdf's message names
        # internal objects and is no help to the applicant.
        raise PdfRefused("文件已损坏，无法读取 / the file is damaged and cannot be read") from None
    try:
        with pikepdf.implicit_conversion(), pdf:
            _check_document(pdf, limits)
    except PdfRefused:
        raise
    except Exception:
        raise PdfRefused("文件已损坏，无法读取 / the file is damaged and cannot be read") from None


def _check_document(pdf: pikepdf.Pdf, limits: PdfLimits) -> None:
    for node in _nodes(pdf, limits.max_objects):
        reason = _active_content(node)
        if reason is not None:
            raise PdfRefused(reason)
    # Every page was visited above, so counting them costs little now.
    if len(pdf.pages) > limits.max_pages:
        raise PdfRefused(
            f"文件超过 {limits.max_pages} 页 / the file has more than {limits.max_pages} pages"
        )


def _nodes(pdf: pikepdf.Pdf, budget: int) -> Iterator[Dictionary | Stream]:
    """Every dictionary and stream reachable from the trailer, each indirect object once.

    Reachable is what a reader can act on; walking outward from the trailer lazily (rather
    than listing the cross-reference table, which a small file can make millions long) lets
    the budget stop a hostile file early.
    """
    seen: set[tuple[int, int]] = set()
    stack: list[pikepdf.Object] = [pdf.trailer]
    visited = 0
    while stack:
        visited += 1
        if visited > budget:
            raise PdfRefused(
                f"文件结构过于复杂（超过 {budget} 个对象）/ the file is too complex "
                f"(more than {budget} objects)"
            )
        obj = stack.pop()
        if isinstance(obj, (Dictionary, Stream)):
            yield obj
            children = list(obj.values())
        else:
            children = list(obj)
        for child in children:
            if not isinstance(child, (Dictionary, Stream, Array)):
                continue
            if child.is_indirect:
                if child.objgen in seen:
                    continue
                seen.add(child.objgen)
            stack.append(child)


def _active_content(node: Dictionary | Stream) -> str | None:
    keys = set(node.keys())
    action = node.get(Name.S) if "/S" in keys else None
    if "/JS" in keys or "/JavaScript" in keys or action == Name.JavaScript:
        return "文件含有 JavaScript 脚本 / the file contains JavaScript"
    if isinstance(action, Name) and str(action) in _ACTIVE_ACTIONS:
        return (
            f"文件含有自动执行或外部访问动作 {action} / the file contains an action that runs "
            f"or reaches outside the document ({action})"
        )
    if "/EmbeddedFiles" in keys or "/EF" in keys or node.get(Name.Type) == Name.EmbeddedFile:
        return "文件内嵌了其他文件 / the file has other files embedded in it"
    if "/XFA" in keys:
        return "文件含有 XFA 动态表单 / the file contains an XFA form (which can run scripts)"
    return None

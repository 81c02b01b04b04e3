"""A case file put together from its parts: the index (卷内目录) whose page numbers are the
merged PDF's, the merged PDF, and the ZIP for the archive system (every part as its own file,
the merged PDF and manifest.json with each file's SHA-256).

No database here: the parts come in as bytes or HTML (app.casefile.parts), the letter press
renders the HTML, and pikepdf counts and merges the PDFs (app.letters.pdfmerge). The ZIP is
deterministic — fixed timestamps and attributes, files in part order, the manifest's keys
sorted — so the same parts always give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pikepdf

from app.casefile.schemas import IndexRow
from app.letters.pdfmerge import MergeFailed, merge_pdfs
from app.letters.press import Rendered

MANIFEST = "manifest.json"
MERGED = "case-file.pdf"
INDEX = "00-index.pdf"
# Any fixed moment (the earliest a ZIP can hold): the bytes depend on the parts alone.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# The index is re-laid out until its own page count is the one its page numbers assumed.
INDEX_PASSES = 5


@dataclass(frozen=True)
class Source:
    """One document of the file, as it comes: a stored PDF, HTML for the press, or a file of
    another format that goes into the ZIP only (listed in the index, with a note)."""

    kind: str
    title: str
    slug: str
    number: str | None = None
    on: date | None = None
    pdf: bytes | None = None
    html: str | None = None
    raw: bytes | None = None
    ext: str = ".pdf"
    note: str = ""


@dataclass(frozen=True)
class Part:
    kind: str
    title: str
    name: str
    number: str | None
    on: date | None
    data: bytes
    pages: int  # 0: in the ZIP only
    first_page: int | None
    note: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Assembled:
    pdf: bytes
    pages: int
    zip: bytes
    manifest: dict[str, Any]
    parts: tuple[Part, ...]


def pdf_pages(data: bytes) -> int | None:
    """A PDF's page count, or None if it cannot be read (damaged, encrypted)."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError:
        return None


def _prepared(sources: Sequence[Source], render: Callable[[str], Rendered]) -> list[Part]:
    """The parts with their bytes and page counts (no page numbers yet)."""
    parts = []
    for i, s in enumerate(sources, start=1):
        note, ext = s.note, s.ext
        if s.html is not None:
            rendered = render(s.html)
            data, pages = rendered.pdf, rendered.pages
        elif s.pdf is not None:
            data = s.pdf
            counted = pdf_pages(s.pdf)
            pages = counted or 0
            if counted is None:
                note = "PDF 无法读取，仅存于 ZIP / unreadable PDF, in the ZIP only"
        elif s.raw is not None:
            data, pages = s.raw, 0
        else:
            raise ValueError(f"part {s.slug} has no content")
        parts.append(
            Part(s.kind, s.title, f"{i:02d}-{s.slug}{ext}", s.number, s.on, data, pages, None, note)
        )
    return parts


def _numbered(parts: list[Part], index_pages: int) -> list[Part]:
    """The parts with the merged PDF's page number of their first page."""
    out, page = [], index_pages + 1
    for p in parts:
        first = page if p.pages else None
        out.append(Part(p.kind, p.title, p.name, p.number, p.on, p.data, p.pages, first, p.note))
        page += p.pages
    return out


def index_rows(parts: Sequence[Part]) -> list[IndexRow]:
    return [
        IndexRow(
            position=i,
            title=p.title,
            number=p.number,
            date=p.on,
            first_page=p.first_page,
            pages=p.pages or None,
            note=p.note.split(" / ")[0],
        )
        for i, p in enumerate(parts, start=1)
    ]


def assemble(
    sources: Sequence[Source],
    *,
    render: Callable[[str], Rendered],
    index_html: Callable[[list[IndexRow], int], str],
    header: dict[str, Any],
) -> Assembled:
    """The file of `sources`, in order, after its index; `index_html(rows, total_pages)` gives
    the index's HTML, `header` the manifest's description of the file (case, organ, dates)."""
    prepared = _prepared(sources, render)
    index_pages, index = 1, None
    for _ in range(INDEX_PASSES):
        parts = _numbered(prepared, index_pages)
        total = index_pages + sum(p.pages for p in parts)
        index = render(index_html(index_rows(parts), total))
        if index.pages == index_pages:
            break
        index_pages = index.pages
    else:
        raise MergeFailed("the index's page count does not settle")
    assert index is not None
    in_pdf = [p for p in parts if p.pages]
    merged, pages = merge_pdfs([index.pdf, *(p.data for p in in_pdf)])
    if pages != index.pages + sum(p.pages for p in in_pdf):
        raise MergeFailed(f"{pages} pages merged from {[p.pages for p in in_pdf]}")
    index_part = Part("index", "卷内目录", INDEX, None, None, index.pdf, index.pages, 1, "")
    every = (index_part, *parts)
    manifest = {
        **header,
        "pdf": {"name": MERGED, "pages": pages, "sha256": _sha(merged), "size": len(merged)},
        "files": [_entry(p) for p in every],
    }
    return Assembled(merged, pages, build_zip(every, merged, manifest), manifest, every)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(p: Part) -> dict[str, Any]:
    return {
        "name": p.name,
        "kind": p.kind,
        "title": p.title,
        "number": p.number,
        "date": p.on.isoformat() if p.on else None,
        "first_page": p.first_page,
        "pages": p.pages,
        "in_pdf": bool(p.pages),
        "sha256": p.sha256,
        "size": len(p.data),
        **({"note": p.note} if p.note else {}),
    }


def build_zip(parts: Sequence[Part], merged: bytes, manifest: dict[str, Any]) -> bytes:
    """The ZIP: each part, the merged PDF, then manifest.json — same input, same bytes."""
    files = [(p.name, p.data) for p in parts]
    files.append((MERGED, merged))
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    files.append((MANIFEST, text.encode("utf-8")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data, compresslevel=6)
    return buf.getvalue()

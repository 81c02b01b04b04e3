"""Several PDFs as one, in order: the chunks of a print batch rendered in parallel.

qpdf (through pikepdf) copies each chunk's pages with everything they use — a chunk's font
subsets stay embedded once for that chunk — and the streams are copied as they are, never
decoded and compressed again. The first chunk's document stays the base (its metadata, its
language), and every chunk's bookmarks (one per letter, from WeasyPrint's headings) follow its
pages, so the merged PDF has the outline one render of all the documents would have had.

A part that is a signed letter (the case file merges stored letters) loses its signature: a
signature covers its own file, not the merged one. Its signature field goes with it — the
form and the field's (invisible) widget on the page — so the merged file carries no dangling
field.

WeasyPrint names a font subset after the face alone (``GMRNNZ+Gongkai-Serif-SC``), so every
chunk's subset of a face bears the same name though it holds other glyphs. A PDF's subsets must
have distinct tags: a printer or viewer that finds a font by name would draw one chunk's text
with another chunk's glyphs. The subsets of each later chunk get a new tag.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import NamedTuple

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem

SUBSET_NAME = re.compile(r"^/([A-Z]{6})\+(.+)$")
# The font dictionaries' keys that carry the subset's name.
NAME_KEYS = ("/BaseFont", "/FontName")


class MergeFailed(RuntimeError):
    """The chunks could not be put together as they were rendered."""


def merge_pdfs(parts: Sequence[bytes]) -> tuple[bytes, int]:
    """One PDF of ``parts``' pages in order, and its page count."""
    if not parts:
        raise ValueError("nothing to merge")
    # qpdf copies a part's streams when the merged file is written: every part stays open
    # until then.
    with ExitStack() as stack:
        out = stack.enter_context(pikepdf.open(io.BytesIO(parts[0])))
        _drop_form(out)
        tags = _subset_tags(out, {})
        with out.open_outline() as outline:
            for data in parts[1:]:
                part = stack.enter_context(pikepdf.open(io.BytesIO(data)))
                _drop_form(part)
                _subset_tags(part, tags)
                first = len(out.pages)
                out.pages.extend(part.pages)
                index = {page.obj.objgen: first + i for i, page in enumerate(part.pages)}
                outline.root.extend(_moved(part.open_outline().root, index, out))
        pages = len(out.pages)
        buf = io.BytesIO()
        out.save(
            buf,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    return buf.getvalue(), pages


def _drop_form(pdf: pikepdf.Pdf) -> None:
    """Remove the document's form (a signed letter's signature field) and its widgets."""
    if "/AcroForm" not in pdf.Root:
        return
    del pdf.Root["/AcroForm"]
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, Array):
            continue
        kept = [a for a in annots if a.get("/Subtype") != "/Widget"]
        if len(kept) == len(annots):
            continue
        if kept:
            page.obj["/Annots"] = Array(kept)
        else:
            del page.obj["/Annots"]


def _subset_tags(pdf: pikepdf.Pdf, taken: dict[str, None]) -> dict[str, None]:
    """Give ``pdf``'s font subsets tags not in ``taken`` (one new tag per old one), and add
    them to it."""
    renamed: dict[str, str] = {}
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary) or obj.get("/Type") not in ("/Font", "/FontDescriptor"):
            continue
        for key in NAME_KEYS:
            match = SUBSET_NAME.match(str(obj.get(key, "")))
            if match is None:
                continue
            tag, face = match.groups()
            if tag not in renamed:
                renamed[tag] = _free_tag(tag, taken)
                taken[renamed[tag]] = None
            obj[key] = Name(f"/{renamed[tag]}+{face}")
    return taken


def _free_tag(tag: str, taken: dict[str, None]) -> str:
    """``tag`` if free, else another six capitals derived from it."""
    n = 0
    while tag in taken:
        n += 1
        digest = hashlib.md5(f"{tag}{n}".encode(), usedforsecurity=False).digest()
        tag = "".join(chr(65 + b % 26) for b in digest[:6])
    return tag


def _moved(
    items: Iterable[OutlineItem], index: dict[tuple[int, int], int], out: pikepdf.Pdf
) -> list[OutlineItem]:
    """Bookmarks of a part, pointing at the same spot of the part's pages as copied to ``out``."""
    moved = []
    for item in items:
        copy = OutlineItem(item.title, destination=_destination(item.destination, index, out))
        copy.is_closed = item.is_closed
        copy.children.extend(_moved(item.children, index, out))
        moved.append(copy)
    return moved


def _destination(dest: object, index: dict[tuple[int, int], int], out: pikepdf.Pdf) -> Array | None:
    # WeasyPrint writes explicit destinations: [page /XYZ left top zoom].
    if not isinstance(dest, Array) or len(dest) < 2:
        return None
    target = index.get(dest[0].objgen)
    if target is None:
        raise MergeFailed("a bookmark points outside its own chunk")
    return Array([out.pages[target].obj, Name(str(dest[1])), *list(dest)[2:]])


class Insert(NamedTuple):
    """A file whose pages go after page `after` of a base PDF (insert_files); `drop_form`: a
    signed letter, whose signature field goes (its signature covers its own file only)."""

    after: int
    path: Path
    drop_form: bool = False


def insert_files(base: bytes, inserts: Sequence[Insert], target: Path) -> int:
    """Write to `target` the PDF `base` with each file's pages inserted after page `after` of
    it (a print batch's released files after their letter, a stored letter in its place), in
    order; returns the page count. The files are read from disk as qpdf needs them; their font
    subsets get tags of their own."""
    with ExitStack() as stack:
        out = stack.enter_context(pikepdf.open(io.BytesIO(base)))
        tags = _subset_tags(out, {})
        opened = []
        for insert in inserts:
            part = stack.enter_context(pikepdf.open(insert.path))
            if insert.drop_form:
                _drop_form(part)
            _subset_tags(part, tags)
            opened.append(part)
        # From the last: an insertion never moves the place of one before it (inserts at the
        # same place go in their order).
        for insert, part in reversed(list(zip(inserts, opened, strict=True))):
            for k, page in enumerate(part.pages):
                out.pages.insert(insert.after + k, page)
        pages = len(out.pages)
        out.save(
            target,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    return pages

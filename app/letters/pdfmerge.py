"""Several PDFs as one, in order: the chunks of a print batch rendered in parallel.

qpdf (through pikepdf) copies each chunk's pages with everything they use — a chunk's font
subsets stay embedded once for that chunk — and the streams are copied as they are, never
decoded and compressed again. The first chunk's document stays the base (its metadata, its
language), and every chunk's bookmarks (one per letter, from WeasyPrint's headings) follow its
pages, so the merged PDF has the outline one render of all the documents would have had.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from contextlib import ExitStack

import pikepdf
from pikepdf import Array, Name, OutlineItem


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
        with out.open_outline() as outline:
            for data in parts[1:]:
                part = stack.enter_context(pikepdf.open(io.BytesIO(data)))
                first = len(out.pages)
                out.pages.extend(part.pages)
                index = {page.objgen: first + i for i, page in enumerate(part.pages)}
                outline.root.extend(_moved(part.open_outline().root, index, out))
        pages = len(out.pages)
        buf = io.BytesIO()
        out.save(
            buf,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    return buf.getvalue(), pages


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

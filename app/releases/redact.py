"""True redaction with PyMuPDF (MuPDF): what is under a mark is removed from the file, not
covered. No FastAPI, no SQLAlchemy: a source PDF and marks in, the released copy out.

For each page the marks' areas are found — an area mark's rectangle; every occurrence of a
phrase; every match of a named pattern in the page's text — and redacted with
`apply_redactions`: the characters under them are removed from the content stream, the image
pixels under them blanked, and every vector drawing touching them removed (a drawing partly
under a mark, such as a signature's strokes, would otherwise survive inside the file). Each
area becomes a black box labelled in white with its ground's short article (第十五条), in the
letters' own CJK face, embedded and subset. Annotations and form fields are first baked into
the page (a comment or a field value under a mark goes with it), and the copy is scrubbed of
metadata, scripts, attached files and thumbnails, then written whole (no incremental update,
unused objects dropped), so nothing removed lingers in an old revision or an orphaned object.

Before the copy is written it is checked: no phrase or pattern of a mark can still be found on
any page, and no word but the label is left inside an area; anything else fails the
redaction. The redaction log (rendered by the caller, with the letter press) is appended.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pymupdf

from app.releases.rules import LogRow, article, pattern_regex

log = logging.getLogger(__name__)

BLACK = (0.0, 0.0, 0.0)
WHITE = (1.0, 1.0, 1.0)
# The smallest label; a box smaller than this still gets its label (it may overrun the box).
MIN_LABEL_PT = 2.0
# Every character a label can hold (第…条): the label face is cut down to them once.
LABEL_CHARS = "第一二三四五六七八九十百零条"


class RedactionFailed(Exception):
    """The released copy could not be made, or did not pass its check; nothing is kept."""


@dataclass(frozen=True)
class Mark:
    id: int
    kind: str  # area | phrase | pattern
    ground: str
    reason: str
    page: int | None = None  # 1-based, for an area
    rect: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1 in points
    phrase: str | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class Redacted:
    original_pages: int
    pages: int  # the released copy's: the original's plus the log's
    rows: tuple[LogRow, ...]


Progress = Callable[[int, int], None]
LogRenderer = Callable[[Sequence[LogRow]], bytes]


@lru_cache(maxsize=1)
def label_face() -> bytes:
    """MuPDF's own CJK face (Droid Sans Fallback, TrueType) cut down to the labels' characters:
    a few KB in each released copy, drawn alike by every viewer (the letters' CFF face is not
    drawn by MuPDF-based readers when written this way)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(pymupdf.Font("cjk").buffer))
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=LABEL_CHARS)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def page_count(path: Path) -> int:
    with pymupdf.open(path) as doc:
        return int(doc.page_count)


def page_size(path: Path, page: int) -> tuple[float, float]:
    """The width and height (points) of a page as it is shown (1-based)."""
    with pymupdf.open(path) as doc:
        rect = doc[page - 1].rect
        return float(rect.width), float(rect.height)


def _text_hits(page: pymupdf.Page, mark: Mark, text: str) -> list[pymupdf.Rect]:
    if mark.kind == "phrase" and mark.phrase:
        return list(page.search_for(mark.phrase))
    if mark.kind == "pattern" and mark.pattern:
        found = {m.group(0) for m in pattern_regex(mark.pattern).finditer(text)}
        return [r for s in sorted(found) for r in page.search_for(s)]
    return []


def _areas(
    page: pymupdf.Page, number: int, marks: Sequence[Mark]
) -> list[tuple[Mark, pymupdf.Rect]]:
    """Every area to redact on the page, with the mark it comes from."""
    text = page.get_text("text") if any(m.kind == "pattern" for m in marks) else ""
    found: list[tuple[Mark, pymupdf.Rect]] = []
    for mark in marks:
        if mark.kind == "area":
            if mark.page != number or mark.rect is None:
                continue
            # Marks are given as the page is shown; annotations live in unrotated space.
            shown = pymupdf.Rect(*mark.rect) & page.rect
            if shown.is_empty:
                continue
            found.append((mark, (shown * page.derotation_matrix).normalize()))
        else:
            found += [(mark, r) for r in _text_hits(page, mark, text) if not r.is_empty]
    return found


def _label(writer: pymupdf.TextWriter, font: pymupdf.Font, rect: pymupdf.Rect, text: str) -> None:
    size = max(min(rect.height * 0.7, rect.width / (len(text) + 0.5)), MIN_LABEL_PT)
    width = font.text_length(text, fontsize=size)
    x = rect.x0 + (rect.width - width) / 2
    y = rect.y0 + (rect.height + size * 0.7) / 2
    writer.append((x, y), text, font=font, fontsize=size)


def _check(
    page: pymupdf.Page,
    number: int,
    marks: Sequence[Mark],
    boxes: list[pymupdf.Rect],
    labels: set[str],
) -> None:
    """Nothing a mark found may still be found; nothing but a label may stay in an area."""
    text = page.get_text("text")
    for mark in marks:
        phrase = mark.phrase if mark.kind == "phrase" else None
        if phrase and phrase not in labels and page.search_for(phrase):
            raise RedactionFailed(f"page {number}: mark {mark.id}'s phrase is still there")
        pattern = mark.pattern if mark.kind == "pattern" else None
        if pattern and pattern_regex(pattern).search(text):
            raise RedactionFailed(f"page {number}: mark {mark.id}'s pattern still matches")
    for box in boxes:
        # A label's glyphs may touch the box's edge; the words inside it are what count.
        inner = (
            pymupdf.Rect(box.x0 + 1, box.y0 + 1, box.x1 - 1, box.y1 - 1)
            if box.width > 2 and box.height > 2
            else box
        )
        words = {w[4] for w in page.get_text("words", clip=inner)}
        if words - labels:
            raise RedactionFailed(f"page {number}: text is left inside a redacted area")


def redact(
    source: Path,
    marks: Sequence[Mark],
    target: Path,
    *,
    render_log: LogRenderer,
    progress: Progress | None = None,
) -> Redacted:
    """Write the released copy of `source` to `target`: every mark's content removed and
    labelled, the log appended. Raises RedactionFailed when it cannot be done right."""
    try:
        doc = pymupdf.open(source)
    except Exception as exc:
        raise RedactionFailed(f"the document cannot be opened: {exc}") from None
    with doc:
        total = int(doc.page_count)
        font = pymupdf.Font(fontbuffer=label_face())
        labels = {article(m.ground) for m in marks}
        # Comments, stamps and form field values become page content, redacted like the rest.
        doc.bake()
        rows: list[LogRow] = []
        for index in range(total):
            page = doc[index]
            number = index + 1
            found = _areas(page, number, marks)
            if found:
                for _, rect in found:
                    page.add_redact_annot(rect, fill=BLACK)
                page.apply_redactions(
                    images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                    graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED,
                    text=pymupdf.PDF_REDACT_TEXT_REMOVE,
                )
                # Text, annotations and labels all live in the unrotated page: a label runs
                # the way the text it replaces ran.
                writer = pymupdf.TextWriter(page.rect, color=WHITE)
                for mark, rect in found:
                    _label(writer, font, rect, article(mark.ground))
                writer.write_text(page)
                _check(page, number, marks, [rect for _, rect in found], labels)
                counts: dict[int, int] = {}
                for mark, _ in found:
                    counts[mark.id] = counts.get(mark.id, 0) + 1
                by_id = {m.id: m for m in marks}
                rows += [
                    LogRow(
                        page=number,
                        mark_id=mid,
                        kind=by_id[mid].kind,
                        ground=by_id[mid].ground,
                        article=article(by_id[mid].ground),
                        reason=by_id[mid].reason,
                        areas=n,
                    )
                    for mid, n in counts.items()
                ]
            else:
                _check(page, number, marks, [], labels)
            if progress is not None:
                progress(number, total)
        log_pdf = render_log(rows)
        with pymupdf.open(stream=log_pdf, filetype="pdf") as appendix:
            doc.insert_pdf(appendix)
        _scrub(doc)
        pages = int(doc.page_count)
        try:
            doc.save(target, garbage=4, deflate=True, clean=True)
        except Exception as exc:
            raise RedactionFailed(f"the released copy cannot be written: {exc}") from None
    return Redacted(original_pages=total, pages=pages, rows=tuple(rows))


def _scrub(doc: pymupdf.Document) -> None:
    """Drop what a released copy must not carry: metadata, scripts, attached and embedded
    files, thumbnails. The document's own fonts are left as they are: MuPDF's font subsetting
    breaks CFF faces (the log page's, and many an office suite's), and the text itself is
    gone from the content."""
    doc.scrub(
        attached_files=True,
        clean_pages=True,
        embedded_files=True,
        hidden_text=False,
        javascript=True,
        metadata=True,
        redactions=False,
        remove_links=False,
        reset_fields=True,
        reset_responses=True,
        thumbnails=True,
        xml_metadata=True,
    )


def render_page(path: Path, page: int, width_px: int = 900) -> tuple[bytes, float]:
    """A page as a PNG about `width_px` wide, and the scale (pixels per point) — the
    workbench shows it to mark areas on."""
    with pymupdf.open(path) as doc:
        p = doc[page - 1]
        scale = width_px / max(p.rect.width, 1.0)
        pix = p.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
        return bytes(pix.tobytes("png")), scale


_WS = re.compile(r"\s+")


def text_of(path: Path) -> str:
    """Every page's text (tests and the bench)."""
    with pymupdf.open(path) as doc:
        return _WS.sub(" ", "".join(page.get_text("text") for page in doc))

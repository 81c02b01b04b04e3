"""Print batches: the front desk prints many issued letters as one PDF.

A cover sheet lists the letters; each letter is followed by its 送达回证 (proof-of-service form,
filled in by hand when served). The letters are laid out again from their frozen contexts — the
same template (checked by hash) gives the same letter — so the batch is written as one document
per chunk the press renders it in (one chunk per worker, merged in order), each font subset
embedded once per chunk, not once per letter. A letter whose template changed after it was
issued would not come out as issued: its stored PDF is put in its place instead, as a paper
reply's released files are put after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from app.auth.principal import Principal
from app.db import end_read
from app.errors import InvalidInput, NotFound
from app.letters import repository
from app.letters.builders import DELIVERY_METHOD_LABELS, build
from app.letters.context import LetterContext
from app.letters.kinds import LetterKind, kind_info
from app.letters.pdfmerge import Insert, MergeFailed, insert_files
from app.letters.press import Rendered
from app.letters.schemas import MAX_BATCH, BatchFilter, PrintBatchCreate, PrintBatchRead
from app.letters.service import (
    OFFICE,
    case_snapshot,
    issued_context,
    letter_source,
    organ_block,
    reproducible,
    reproducible_html,
    stored_pdf,
)
from app.models import Case, Letter, PrintBatch
from app.organs.directory import OrganInfo
from app.releases.printing import Enclosure, enclosures_of
from app.runtime import Runtime


@dataclass(frozen=True)
class CoverLine:
    position: int
    kind_title: str
    number: str | None
    case_number: str
    addressee: str
    delivery_method_label: str
    pages: int | None
    # The reply's released files printed after it (app.releases): title and pages.
    enclosures: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class CoverSheet:
    organ: object
    created_at: datetime
    created_by: str
    letters: list[CoverLine]


@dataclass(frozen=True)
class PrintedBatch:
    batch: PrintBatchRead
    # The batch as stored (streamed to the front desk: released files can make it large).
    path: Path


def goes_on_paper(letter: Letter, case: Case) -> bool:
    if not kind_info(letter.kind).to_applicant:
        return True  # third parties and other organs get paper letters
    return case.delivery_method in ("post", "pickup") and not case.e_service_consent


def _select(
    session: Session, rt: Runtime, organ_id: int, body: PrintBatchCreate
) -> list[tuple[Letter, Case]]:
    if body.letter_ids is not None:
        letters = repository.issued_in_organ(session, organ_id, body.letter_ids)
        missing = sorted(set(body.letter_ids) - {x.id for x in letters})
        if missing:
            raise InvalidInput(
                ("body", "letter_ids"),
                f"以下文书不存在或未出具 / not issued letters of your organ: {missing}",
            )
        cases = _cases(session, {x.case_id for x in letters})
        return [(x, cases[x.case_id]) for x in letters]
    f = body.filter or BatchFilter()
    day = f.issued_on or rt.clock().astimezone(rt.tz).date()
    start = datetime.combine(day, time(0), tzinfo=rt.tz)
    stmt = repository.batch_candidates(
        organ_id, issued_from=start, issued_to=start + timedelta(days=1), not_printed=f.not_printed
    ).limit(MAX_BATCH * 4)
    rows = [(letter, case) for letter, case in session.execute(stmt)]
    if f.delivery == "paper":
        rows = [(x, c) for x, c in rows if goes_on_paper(x, c)]
    if len(rows) > MAX_BATCH:
        raise InvalidInput(
            ("body", "filter"),
            f"一次最多打印 {MAX_BATCH} 件，请缩小范围 / at most {MAX_BATCH} letters per batch",
        )
    if not rows:
        raise NotFound("没有符合条件的文书 / no letters match the filter")
    cases = _cases(session, {c.id for _, c in rows})
    return [(x, cases[c.id]) for x, c in rows]


def _cases(session: Session, ids: set[int]) -> dict[int, Case]:
    stmt = select(Case).where(Case.id.in_(ids)).options(selectinload(Case.items))
    return {c.id: c for c in session.scalars(stmt)}


# How the applicant asked to get things, as the proof-of-service form's method (pre-ticked).
SERVICE_METHOD_OF_DELIVERY = {
    "post": "post",
    "pickup": "direct",
    "email": "electronic",
    "online": "electronic",
}


def service_receipt_params(ctx: LetterContext, delivery_method: str) -> dict[str, Any]:
    """The proof-of-service form's fields for one issued letter (the rest is filled in by hand)."""
    to_applicant = kind_info(ctx.kind).to_applicant
    return {
        "document_title": ctx.title,
        "document_number": ctx.number,
        "recipient": ctx.addressee.name,
        "address": ctx.addressee.address,
        "method": SERVICE_METHOD_OF_DELIVERY.get(delivery_method) if to_applicant else "post",
    }


def _service_receipt_html(
    session: Session, rt: Runtime, letter: Letter, case: Case, organ: OrganInfo
) -> str:
    params = service_receipt_params(issued_context(letter), case.delivery_method)
    src = letter_source(
        session,
        rt,
        case_snapshot(case, rt.tz),
        organ,
        LetterKind.service_receipt,
        params,
        number=None,
        on=letter.letter_date or rt.clock().astimezone(rt.tz).date(),
        handler=OFFICE,
        deadlines={},
    )
    return rt.letter_templates.html(build(src))


def print_batch(
    session: Session, rt: Runtime, principal: Principal, body: PrintBatchCreate
) -> PrintedBatch:
    """Render the batch as one PDF, store it, and mark its letters printed.

    `session` only reads; the batch is recorded in a short write transaction of its own after
    the render, so a long batch never holds the database's write lock.
    """
    assert principal.organ_id is not None
    organ = rt.organs.by_id(session, principal.organ_id)
    assert organ is not None
    rows = _select(session, rt, organ.id, body)
    # A letter issued at intake gets its record PDF now, before it is sent out.
    pages = {x.id: x.pages if x.pdf_sha256 else stored_pdf(session, rt, x).pages for x, _ in rows}
    # A paper reply's released files follow it (never an original: the released copies only).
    enclosed = enclosures_of(session, rt, [x for x, c in rows if goes_on_paper(x, c)])
    now = rt.clock()
    cover = CoverSheet(
        organ=organ_block(organ),
        created_at=now.astimezone(rt.tz),
        created_by=principal.name,
        letters=[
            CoverLine(
                position=i,
                kind_title=kind_info(x.kind).title,
                number=x.number,
                case_number=c.number,
                addressee=issued_context(x).addressee.name,
                delivery_method_label=DELIVERY_METHOD_LABELS.get(c.delivery_method, "")
                if kind_info(x.kind).to_applicant
                else "邮寄",
                pages=pages[x.id],
                enclosures=tuple((e.title, e.pages) for e in enclosed.get(x.id, ())),
            )
            for i, (x, c) in enumerate(rows, start=1)
        ],
    )
    # A letter whose template changed since it was issued: its stored PDF, not a new layout.
    kept = {
        x.id: rt.store.path_for(x.pdf_sha256)
        for x, _ in rows
        if x.pdf_sha256 is not None and not reproducible(rt, x)
    }
    # Each letter with its 送达回证: the press never splits one from the other between the
    # chunks it renders in parallel.
    sets = [[rt.letter_templates.render("cover.html", batch=cover)]]
    for letter, case in rows:
        letter_html = [] if letter.id in kept else [reproducible_html(rt, letter)]
        sets.append([*letter_html, _service_receipt_html(session, rt, letter, case, organ)])
    # Rendering takes a while for a big batch: it runs with no transaction open, and the
    # request holds no connection while it opens its write transaction.
    end_read(session)
    rendered = rt.press.render_sets(sets)
    ids = [x.id for x, _ in rows]
    if enclosed or kept:
        sha, total = _with_inserts(rt, rendered, ids, kept, enclosed)
    else:
        sha, total = rt.store.put(rendered.pdf), rendered.pages
    with rt.sessions.write() as writer, writer.begin():
        batch = PrintBatch(
            organ_id=organ.id,
            letter_ids=ids,
            pdf_sha256=sha,
            pdf_size=rt.store.size(sha),
            pages=total,
            created_by_id=principal.user_id,
            created_by=principal.name,
            created_at=now,
        )
        writer.add(batch)
        writer.flush()
        writer.execute(
            update(Letter).where(Letter.id.in_(ids)).values(printed_at=now, print_batch_id=batch.id)
        )
    return PrintedBatch(batch_read(batch), rt.store.path_for(sha))


def _with_inserts(
    rt: Runtime,
    rendered: Rendered,
    letter_ids: list[int],
    kept: dict[int, Path],
    enclosed: dict[int, list[Enclosure]],
) -> tuple[str, int]:
    """The rendered batch with the stored PDFs of the letters in `kept` in their places, and
    each letter's released files after the letter's own pages (before its 送达回证); stored,
    and its page count. The rendered documents are the cover, then each letter laid out again
    (not one in `kept`) and its 送达回证, so their page counts say where each letter ends."""
    parts = iter(rendered.parts)
    expected = 1 + 2 * len(letter_ids) - len(kept)
    if len(rendered.parts) != expected:
        raise MergeFailed(f"{len(rendered.parts)} documents rendered, {expected} expected")
    at, inserts = next(parts), []
    for letter_id in letter_ids:
        if letter_id in kept:
            # A stored letter is signed: its signature covers its own file, not the batch.
            inserts.append(Insert(at, kept[letter_id], drop_form=True))
        else:
            at += next(parts)
        inserts += [Insert(at, e.path) for e in enclosed.get(letter_id, ())]
        at += next(parts)
    with rt.store.incoming() as spool:
        total = insert_files(rendered.pdf, inserts, spool.path)
        return rt.store.adopt(spool), total


def batch_read(batch: PrintBatch) -> PrintBatchRead:
    return PrintBatchRead(
        id=batch.id,
        letter_ids=list(batch.letter_ids),
        pages=batch.pages,
        pdf_sha256=batch.pdf_sha256,
        pdf_size=batch.pdf_size,
        created_by=batch.created_by,
        created_at=batch.created_at,
    )


def get_batch(session: Session, principal: Principal, batch_id: int) -> PrintBatch:
    batch = (
        repository.batch_in_organ(session, batch_id, principal.organ_id)
        if principal.organ_id is not None
        else None
    )
    if batch is None:
        raise NotFound(f"打印批次 {batch_id} 不存在 / print batch not found")
    return batch

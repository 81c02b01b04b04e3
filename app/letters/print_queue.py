"""The print queue: the organ's issued letters not yet printed, and its earlier print batches.

GET /api/v1/print-queue and the front desk's page (/staff/print) both list through here; a
batch is printed by app.letters.printing.print_batch, which marks its letters printed.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import groupby

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.letters import repository
from app.letters.builders import DELIVERY_METHOD_LABELS
from app.letters.kinds import kind_info
from app.letters.printing import PrintedBatch, batch_read, get_batch, goes_on_paper
from app.letters.schemas import MAX_BATCH, PrintBatchRead
from app.letters.service import issued_context
from app.letters.views import Document
from app.models import Case, Letter
from app.runtime import Runtime

RECENT_BATCHES = 20


class QueuedLetter(BaseModel):
    """An issued letter waiting to be printed."""

    id: int = Field(description="文书（系统编号）/ letter id")
    number: str | None = Field(description="文号 / document number")
    kind: str = Field(description="文书种类 / kind")
    title: str = Field(description="文书名称 / title")
    case_id: int = Field(description="案件 / case id")
    case_number: str = Field(description="登记编号 / registration number")
    addressee: str = Field(description="受送达人 / addressee")
    issued_at: datetime = Field(description="出具时间 / issued at")
    issued_on: date = Field(description="出具日期（机关所在地）/ day issued, organ-local")
    delivery: str = Field(description="送达方式 / how it goes out")
    on_paper: bool = Field(description="纸质送达 / goes out on paper")


class QueueGroup(BaseModel):
    issued_on: date = Field(description="出具日期 / day issued")
    delivery: str = Field(description="送达方式 / how they go out")
    letters: list[QueuedLetter] = Field(description="待打印的文书 / the letters to print")


def _delivery(letter: Letter, case: Case) -> str:
    if not kind_info(letter.kind).to_applicant:
        return "邮寄"  # third parties and other organs get paper by post
    return DELIVERY_METHOD_LABELS.get(case.delivery_method, case.delivery_method)


def _queued(rt: Runtime, letter: Letter, case: Case) -> QueuedLetter:
    assert letter.issued_at is not None  # an issued letter
    return QueuedLetter(
        id=letter.id,
        number=letter.number,
        kind=letter.kind,
        title=kind_info(letter.kind).title,
        case_id=case.id,
        case_number=case.number,
        addressee=issued_context(letter).addressee.name,
        issued_at=letter.issued_at,
        issued_on=letter.issued_at.astimezone(rt.tz).date(),
        delivery=_delivery(letter, case),
        on_paper=goes_on_paper(letter, case),
    )


def queue(session: Session, rt: Runtime, principal: Principal) -> list[QueueGroup]:
    """The organ's unprinted issued letters (at most one batch's worth, oldest first), grouped
    by the day they were issued and how they go out."""
    if principal.organ_id is None:
        return []
    rows = session.execute(repository.unprinted(principal.organ_id, MAX_BATCH))
    lines = [_queued(rt, letter, case) for letter, case in rows]
    lines.sort(key=lambda x: (x.issued_on, x.delivery, x.issued_at, x.id))
    return [
        QueueGroup(issued_on=day, delivery=how, letters=list(group))
        for (day, how), group in groupby(lines, key=lambda x: (x.issued_on, x.delivery))
    ]


def recent_batches(session: Session, principal: Principal) -> list[PrintBatchRead]:
    """The organ's latest print batches, newest first (each can be downloaded again)."""
    if principal.organ_id is None:
        return []
    found = repository.batches_of_organ(session, principal.organ_id, RECENT_BATCHES)
    return [batch_read(b) for b in found]


def batch_document(session: Session, rt: Runtime, principal: Principal, batch_id: int) -> Document:
    """An earlier batch's stored PDF, to print again (404 for another organ's)."""
    batch = get_batch(session, principal, batch_id)
    return Document(
        b"",
        "application/pdf",
        batch.pdf_sha256,
        f"print-batch-{batch.id}.pdf",
        path=rt.store.path_for(batch.pdf_sha256),
    )


def printed_document(printed: PrintedBatch) -> Document:
    """A batch just printed, as a download."""
    return Document(
        b"",
        "application/pdf",
        printed.batch.pdf_sha256,
        f"print-batch-{printed.batch.id}.pdf",
        path=printed.path,
    )

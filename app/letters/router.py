"""Letters API: a case's letters, drafts and previews, issued PDFs, print batches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.cases.router import READ_ROLES
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import JsonObject, RowId
from app.letters import print_queue, printing, views
from app.letters.responses import PDF_RESPONSE, document_response
from app.letters.schemas import DraftCreate, LetterRead, PrintBatchCreate, PrintBatchRead
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1", tags=["letters"])

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Drafter = Annotated[Principal, Depends(require_roles(Role.clerk, Role.legal, Role.approver))]
Printer = Annotated[Principal, Depends(require_roles(Role.front_desk, Role.clerk))]
Format = Annotated[str, Query(description="html 或 pdf / html or pdf", pattern="^(html|pdf)$")]


@router.get("/cases/{case_id}/letters", summary="案件的文书 / the case's letters")
def list_letters(case_id: RowId, session: ReadSession, principal: Reader) -> list[LetterRead]:
    return views.case_letters(session, principal, case_id)


@router.post(
    "/cases/{case_id}/letters",
    status_code=201,
    summary="起草文书以便预览 / start a draft letter to preview",
    description=(
        "草稿由发出该文书的办理操作出具（编号、定稿）。/ The draft is issued (numbered and "
        "frozen) by the action that sends its kind, e.g. request_correction issues the "
        "correction_notice draft."
    ),
)
def create_draft(
    case_id: RowId, body: DraftCreate, session: WriteSession, rt: RuntimeDep, principal: Drafter
) -> LetterRead:
    return views.create_draft(session, rt, principal, case_id, body)


@router.get("/cases/{case_id}/letters/{letter_id}", summary="一件文书 / one letter")
def get_letter(
    case_id: RowId, letter_id: RowId, session: ReadSession, principal: Reader
) -> LetterRead:
    return views.case_letter(session, principal, case_id, letter_id)


@router.put(
    "/cases/{case_id}/letters/{letter_id}/fields",
    summary="修改草稿内容 / change a draft's fields",
)
def update_draft(
    case_id: RowId,
    letter_id: RowId,
    fields: Annotated[JsonObject, Body(description="文书内容 / the draft's fields")],
    session: WriteSession,
    rt: RuntimeDep,
    principal: Drafter,
) -> LetterRead:
    return views.update_draft(session, rt, principal, case_id, letter_id, fields)


@router.delete(
    "/cases/{case_id}/letters/{letter_id}",
    status_code=204,
    summary="删除草稿 / discard a draft",
)
def discard_draft(
    case_id: RowId, letter_id: RowId, session: WriteSession, principal: Drafter
) -> Response:
    views.discard_draft(session, principal, case_id, letter_id)
    return Response(status_code=204)


@router.get(
    "/cases/{case_id}/letters/{letter_id}/preview",
    summary="预览文书 / preview a letter",
    description=(
        "草稿按案件当前情况重新生成；已出具的文书返回定稿。/ A draft is rendered from the case "
        "as it is now; an issued letter as it was frozen."
    ),
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
def preview(
    case_id: RowId,
    letter_id: RowId,
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
    format: Format = "pdf",
) -> Response:
    return document_response(
        views.preview(session, rt, principal, case_id, letter_id, format), request
    )


@router.get(
    "/letters/{letter_id}/pdf",
    summary="下载已出具文书 / the issued letter's PDF",
    response_class=Response,
    responses=PDF_RESPONSE,
)
def letter_pdf(
    letter_id: RowId, request: Request, session: ReadSession, rt: RuntimeDep, principal: Reader
) -> Response:
    return document_response(views.staff_pdf(session, rt, principal, letter_id), request)


@router.get(
    "/print-queue",
    summary="待打印的文书 / issued letters not yet printed",
    description=(
        "本机关已出具、尚未打印的文书，按出具日期和送达方式分组（最早的在前，至多一批）。"
        " / The organ's issued letters never printed, grouped by day and delivery."
    ),
)
def get_print_queue(
    session: ReadSession, rt: RuntimeDep, principal: Printer
) -> list[print_queue.QueueGroup]:
    return print_queue.queue(session, rt, principal)


@router.get("/print-batches", summary="最近的打印批次 / the latest print batches")
def list_print_batches(session: ReadSession, principal: Printer) -> list[PrintBatchRead]:
    return print_queue.recent_batches(session, principal)


@router.post(
    "/print-batches",
    summary="批量打印文书 / print many letters as one PDF",
    description=(
        "封面清单，然后每件文书后附送达回证；字体只嵌入一次。打印后标记为已打印。/ A cover "
        "sheet, then each letter followed by its proof-of-service form, as one PDF with fonts "
        "embedded once; the letters are marked printed. The batch id is in X-Print-Batch-Id."
    ),
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def create_print_batch(
    body: PrintBatchCreate, session: ReadSession, rt: RuntimeDep, principal: Printer
) -> Response:
    printed = printing.print_batch(session, rt, principal, body)
    response = document_response(print_queue.printed_document(printed))
    response.headers["X-Print-Batch-Id"] = str(printed.batch.id)
    response.headers["Location"] = f"/api/v1/print-batches/{printed.batch.id}"
    return response


@router.get("/print-batches/{batch_id}", summary="打印批次 / a print batch")
def get_print_batch(batch_id: RowId, session: ReadSession, principal: Printer) -> PrintBatchRead:
    return printing.batch_read(printing.get_batch(session, principal, batch_id))


@router.get(
    "/print-batches/{batch_id}/pdf",
    summary="重新下载打印批次 / download a print batch again",
    response_class=Response,
    responses=PDF_RESPONSE,
)
def print_batch_pdf(
    batch_id: RowId, request: Request, session: ReadSession, rt: RuntimeDep, principal: Printer
) -> Response:
    return document_response(print_queue.batch_document(session, rt, principal, batch_id), request)

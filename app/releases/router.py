"""API for released documents: the organ's staff upload, mark and apply; the applicant
downloads the released copies with the query code."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.cases.router import READ_ROLES
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import RowId
from app.http.client import client_of
from app.intake import lookup as own_case
from app.intake.router import QueryCode, RegistrationNumber
from app.releases import delivery, service
from app.releases.responses import FILE_PART, TITLE_PART, file_response, read_upload, uploaded
from app.releases.schemas import ApplicantReleasedFile, MarkCreate, ReleasedDocumentRead
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1", tags=["releases"])
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Editor = Annotated[Principal, Depends(require_roles(*service.EDIT_ROLES))]
DOCS = "/cases/{case_id}/released-documents"
ONE = DOCS + "/{document_id}"
PageNumber = Annotated[int, Path(ge=1, le=100_000, description="页码 / page")]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "PDF"}
}
NOT_EDITABLE: dict[int | str, dict[str, Any]] = {
    409: {"description": "答复已出具或案件不在办理中 / not editable now"}
}


@router.post(
    DOCS,
    status_code=status.HTTP_201_CREATED,
    summary="上传公开文件 / upload a record the reply releases",
    description=(
        "multipart/form-data：字段 title（标题，可空：取文件名），文件 file（PDF、JPEG 或 PNG，"
        "按内容识别；图片转为 PDF）；按附件同样检查，大小以本机关设置为限（默认 100 MB），"
        "流式保存。文件属于正在起草的答复，答复出具后不可再改。/ fields title (optional: the "
        "file's name) and file (PDF, JPEG or PNG, by content; an image becomes a PDF page), "
        "checked as attachments are, up to the organ's limit (100 MB by default), streamed to "
        "storage. It belongs to the reply being drafted and is frozen when the reply is issued."
    ),
    responses={
        413: {"description": "超过大小上限 / too large"},
        415: {"description": "类型不允许或含有活动内容 / refused type or active content"},
        **NOT_EDITABLE,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": [FILE_PART],
                        "properties": {
                            TITLE_PART: {"type": "string", "description": "标题 / title"},
                            FILE_PART: {
                                "type": "string",
                                "format": "binary",
                                "description": "PDF、JPEG、PNG / the record",
                            },
                        },
                    }
                }
            },
        }
    },
)
async def upload(case_id: RowId, request: Request, rt: RuntimeDep, editor: Editor) -> JSONResponse:
    limit = await run_in_threadpool(service.upload_limit, rt, editor, case_id)
    title, part, _ = await read_upload(request, limit)
    try:
        created = await run_in_threadpool(_upload, rt, editor, case_id, title, part)
    finally:
        await part.close()
    return JSONResponse(created.model_dump(mode="json"), status_code=201)


def _upload(
    rt: RuntimeDep, editor: Principal, case_id: int, title: str | None, part: object
) -> ReleasedDocumentRead:
    from starlette.datastructures import UploadFile

    assert isinstance(part, UploadFile)
    with rt.sessions.read() as session:
        return service.upload(session, rt, editor, case_id, title, uploaded(part))


@router.get(DOCS, summary="案件的公开文件 / the case's released documents")
def list_documents(
    case_id: RowId, session: ReadSession, principal: Reader
) -> list[ReleasedDocumentRead]:
    return service.list_documents(session, principal, case_id)


@router.get(ONE, summary="一份公开文件 / one released document")
def get_document(
    case_id: RowId, document_id: RowId, session: ReadSession, principal: Reader
) -> ReleasedDocumentRead:
    return service.get_document(session, principal, case_id, document_id)


@router.delete(
    ONE,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="删除公开文件 / remove a released document",
    responses=NOT_EDITABLE,
)
def remove(
    case_id: RowId, document_id: RowId, session: WriteSession, rt: RuntimeDep, editor: Editor
) -> Response:
    service.remove(session, rt, editor, case_id, document_id)
    return Response(status_code=204)


@router.post(
    ONE + "/marks",
    status_code=status.HTTP_201_CREATED,
    summary="添加遮盖标记 / mark an area or text for redaction",
    description=(
        "kind=area：页码 page 和矩形 x0、y0、x1、y1（PDF 点，自页面左上角起，按页面显示方向）；"
        "kind=phrase：文字 phrase，每一页；kind=pattern：同类信息 pattern（id_number、"
        "mobile_phone、landline_phone、email、bank_card），每一页。ground 为 withheld.* 或 "
        "not_government_information，reason 为理由。/ An area (page and rectangle in PDF points "
        "from the page's top left, as shown), a phrase or a named pattern on every page; the "
        "ground (a withheld.* outcome or not_government_information) and the reason."
    ),
    responses=NOT_EDITABLE,
)
def add_mark(
    case_id: RowId,
    document_id: RowId,
    data: MarkCreate,
    session: WriteSession,
    rt: RuntimeDep,
    editor: Editor,
) -> ReleasedDocumentRead:
    return service.add_mark(session, rt, editor, case_id, document_id, data)


@router.put(
    ONE + "/marks/{mark_id}",
    summary="修改遮盖标记 / change a mark",
    responses=NOT_EDITABLE,
)
def update_mark(
    case_id: RowId,
    document_id: RowId,
    mark_id: RowId,
    data: MarkCreate,
    session: WriteSession,
    rt: RuntimeDep,
    editor: Editor,
) -> ReleasedDocumentRead:
    return service.update_mark(session, rt, editor, case_id, document_id, mark_id, data)


@router.delete(
    ONE + "/marks/{mark_id}",
    summary="删除遮盖标记 / remove a mark",
    responses=NOT_EDITABLE,
)
def remove_mark(
    case_id: RowId,
    document_id: RowId,
    mark_id: RowId,
    session: WriteSession,
    rt: RuntimeDep,
    editor: Editor,
) -> ReleasedDocumentRead:
    return service.remove_mark(session, rt, editor, case_id, document_id, mark_id)


@router.post(
    ONE + "/apply",
    summary="生成公开版本（执行遮盖）/ apply the marks: make the released copy",
    description=(
        "按当前标记真正删除被遮盖的文字、图像像素和图形，标注条款，附遮盖说明页。短文件当即生成"
        "（200）；长文件由后台任务生成（202，status 为 queued/running，progress 为已处理页数）。"
        "/ Removes the text, image pixels and drawings under the current marks, labels each "
        "area with its article and appends the redaction log. A short document is done at "
        "once (200); a long one by the worker (202; status queued/running, progress in pages)."
    ),
    responses={202: {"description": "已交后台生成 / queued for the worker"}, **NOT_EDITABLE},
)
def apply(
    case_id: RowId, document_id: RowId, session: ReadSession, rt: RuntimeDep, editor: Editor
) -> JSONResponse:
    done = service.apply(session, rt, editor, case_id, document_id)
    return JSONResponse(
        done.document.model_dump(mode="json"), status_code=202 if done.queued else 200
    )


@router.get(
    ONE + "/original",
    summary="原件（仅本机关）/ the original as uploaded (the organ's staff only)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}}},
)
def original(
    case_id: RowId,
    document_id: RowId,
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
) -> Response:
    return file_response(service.original(session, rt, principal, case_id, document_id), request)


@router.get(
    ONE + "/released",
    summary="公开版本 / the released copy",
    response_class=Response,
    responses={**PDF, 409: {"description": "尚未生成 / not made yet"}},
)
def released(
    case_id: RowId,
    document_id: RowId,
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
) -> Response:
    stored = service.released_copy(session, rt, principal, case_id, document_id)
    return file_response(stored, request)


@router.get(
    ONE + "/pages/{page}",
    summary="页面图像（标记用）/ a page as an image, to mark it",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def page_image(
    case_id: RowId,
    document_id: RowId,
    page: PageNumber,
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
    copy: Annotated[
        Literal["original", "released"],
        Query(description="original 原件 | released 公开版本 / which copy"),
    ] = "original",
) -> Response:
    png = service.page_image(
        session, rt, principal, case_id, document_id, page, released=copy == "released"
    )
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@router.get(
    "/applications/{number}/released-files",
    tags=["public"],
    summary="申请人的公开文件 / the released files of the applicant's replies",
    responses={404: {"description": "编号或查询码不正确 / unknown number or wrong code"}},
)
def applicant_files(
    number: RegistrationNumber,
    query_code: QueryCode,
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
) -> list[ApplicantReleasedFile]:
    case = own_case.find_own_case(session, rt, number, query_code, client_of(request, rt))
    return delivery.applicant_files(session, rt, case)


@router.get(
    "/applications/{number}/released-files/{file_id}/pdf",
    tags=["public"],
    summary="申请人下载公开文件 / the applicant downloads a released file",
    description=(
        "每次下载均记录（时间、文件）；答复所附文件的首次下载为答复电子送达的凭证（同意电子送达"
        "的，记入案件时间线）；超过答复书载明的下载期限的，返回 410。/ Every download is logged "
        "(time, file); the first of a reply's files proves the reply's electronic service (on "
        "the timeline, where the applicant consented); after the period the reply states, 410."
    ),
    response_class=Response,
    responses={
        **PDF,
        404: {"description": "编号、查询码或文件不正确 / not found"},
        410: {"description": "已过下载期限 / the download period has ended"},
    },
)
def applicant_download(
    number: RegistrationNumber,
    file_id: RowId,
    query_code: QueryCode,
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
) -> Response:
    client = client_of(request, rt)
    case = own_case.find_own_case(session, rt, number, query_code, client)
    return file_response(delivery.download(session, rt, case, file_id, client), request)

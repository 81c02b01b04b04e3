"""Intake API: the public online form, the applicant's own view, and staff registration."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Request, Response
from fastapi.responses import JSONResponse

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.cases import service as cases_service
from app.cases.correction import CorrectionSubmit
from app.cases.schemas import ApplicantCaseView
from app.cases.versioning import IfMatch, split_version
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import RowId
from app.http.client import client_of
from app.intake import lookup as own_case
from app.intake import service
from app.intake.body import FILES_PART, JSON_PART, read_fields, read_intake
from app.intake.schemas import ApplicationCreate, CaseReceipt, LookupLockRead, StaffCaseCreate
from app.intake.uploads import Upload
from app.letters import access as letter_access
from app.letters import views as letter_views
from app.letters.responses import document_response
from app.letters.schemas import ApplicantLetterRead
from app.runtime import RuntimeDep

RegistrationNumber = Annotated[
    str,
    # NUL cannot be stored (PostgreSQL text refuses it), so no number ever contains one.
    Path(max_length=80, pattern=r"^[^\x00]+$", description="登记编号 / registration number"),
]
QueryCode = Annotated[
    str, Header(alias="X-Query-Code", max_length=64, description="查询码 / query code")
]

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1")

Registrar = Annotated[Principal, Depends(require_roles(Role.clerk, Role.front_desk))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="重试时使用同一键，只登记一次 / retries with the same key register once",
    ),
]


def _body_doc(model: type[Any]) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ref},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": [JSON_PART],
                        "properties": {
                            JSON_PART: {
                                "type": "string",
                                "description": "申请内容 JSON / the application as JSON",
                                "contentMediaType": "application/json",
                            },
                            FILES_PART: {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                                "description": "附件：PDF、JPEG、PNG、OFD / attachments",
                            },
                        },
                    }
                },
            },
        }
    }


async def _online_body(request: Request) -> tuple[ApplicationCreate, list[Upload]]:
    s = request.app.state.runtime.settings
    return await read_intake(
        request,
        ApplicationCreate,
        max_files=s.max_attachments,
        max_file_bytes=s.max_attachment_bytes,
    )


async def _staff_body(request: Request) -> tuple[StaffCaseCreate, list[Upload]]:
    s = request.app.state.runtime.settings
    return await read_intake(
        request, StaffCaseCreate, max_files=s.max_attachments, max_file_bytes=s.max_attachment_bytes
    )


def _created(result: service.Submitted) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)


@router.post(
    "/applications",
    status_code=201,
    response_model=CaseReceipt,
    tags=["public"],
    summary="网上提交政府信息公开申请 / submit an application online",
    openapi_extra=_body_doc(ApplicationCreate),
)
def submit_application(
    body: Annotated[tuple[ApplicationCreate, list[Upload]], Depends(_online_body)],
    session: WriteSession,
    rt: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    data, uploads = body
    return _created(
        service.submit_online(session, rt, data, uploads, idempotency_key=idempotency_key)
    )


@router.get(
    "/applications/{number}",
    tags=["public"],
    summary="申请人查询本人申请 / the applicant's own view, with the query code",
    responses={
        404: {"description": "编号或查询码不正确 / unknown number or wrong code"},
        429: {"description": "失败次数过多 / too many failed attempts"},
    },
)
def applicant_case(
    number: RegistrationNumber,
    query_code: QueryCode,
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
) -> ApplicantCaseView:
    case = own_case.find_own_case(session, rt, number, query_code, client_of(request, rt))
    return cases_service.applicant_case_view(session, rt, case)


@router.get(
    "/applications/{number}/letters",
    tags=["public"],
    summary="申请人的文书 / the letters addressed to the applicant",
    responses={404: {"description": "编号或查询码不正确 / unknown number or wrong code"}},
)
def applicant_letters(
    number: RegistrationNumber,
    query_code: QueryCode,
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
) -> list[ApplicantLetterRead]:
    case = own_case.find_own_case(session, rt, number, query_code, client_of(request, rt))
    return letter_views.applicant_letters(session, case)


@router.get(
    "/applications/{number}/letters/{letter_id}/pdf",
    tags=["public"],
    summary="申请人下载文书 / the applicant downloads a letter",
    description=(
        "首次下载记入文书访问记录；待确认送达的补正告知书、收费通知书，及同意电子送达的申请人"
        "的答复书，以首次下载之时为送达（记入案件时间线）。/ The first download is logged; for a "
        "notice awaiting receipt, or the reply to an applicant who consented to e-service, it "
        "records the receipt (on the case's timeline)."
    ),
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        404: {"description": "编号、查询码或文书不正确 / not found"},
    },
)
def applicant_letter_pdf(
    number: RegistrationNumber,
    letter_id: RowId,
    query_code: QueryCode,
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
) -> Response:
    client = client_of(request, rt)
    case = own_case.find_own_case(session, rt, number, query_code, client)
    # The first download is logged: for a notice awaiting receipt, or the reply to an applicant
    # who consented to e-service, it is the proof of electronic service (RULES §4).
    doc = letter_access.applicant_download(session, rt, case, letter_id, client)
    return document_response(doc, request)


@router.post(
    "/applications/{number}/actions/{action}",
    tags=["public"],
    summary="申请人撤回申请或提交补正 / the applicant withdraws or submits a correction",
    responses={
        404: {"description": "编号或查询码不正确 / unknown number or wrong code"},
        409: {"description": "状态不允许或版本冲突 / state or version conflict"},
    },
)
def applicant_action(
    number: RegistrationNumber,
    action: Annotated[str, Path(max_length=50, pattern=r"^[a-z][a-z0-9_]*$")],
    query_code: QueryCode,
    request: Request,
    lookup: ReadSession,
    session: WriteSession,
    rt: RuntimeDep,
    body: Annotated[
        dict[str, Any],
        Body(
            default_factory=dict, description="操作内容及 version / the action's fields and version"
        ),
    ],
    if_match: IfMatch = None,
) -> ApplicantCaseView:
    # The case is found on a read session: the brake compares the code in its own short write
    # transaction first, which must not wait behind this request's writer.
    case = own_case.find_own_case(lookup, rt, number, query_code, client_of(request, rt))
    payload, version = split_version(body, if_match)
    return cases_service.applicant_act(session, rt, case.id, action, payload, version)


async def _correction_body(request: Request) -> tuple[CorrectionSubmit, list[Upload]]:
    s = request.app.state.runtime.settings
    return await read_fields(
        request,
        CorrectionSubmit,
        max_files=s.max_attachments,
        max_file_bytes=s.max_attachment_bytes,
    )


@router.post(
    "/applications/{number}/correction",
    tags=["public"],
    summary="申请人提交补正（可附补正材料）/ the applicant submits the correction, with files",
    description=(
        "multipart/form-data：字段 content（补正内容）、version（案件版本号），文件 attachments"
        "（与申请附件同样检查）；也接受 JSON {content, version}。收到补正之日为机关所在地当日。"
        " / Fields content and version, files attachments (checked as intake checks them); JSON "
        "also accepted. The correction is dated the organ-local day it arrives."
    ),
    responses={
        404: {"description": "编号或查询码不正确 / unknown number or wrong code"},
        409: {"description": "不在待补正状态或版本冲突 / not awaiting correction, or stale"},
        413: {"description": "附件过大 / a file is too large"},
        415: {"description": "附件类型不允许 / a file's type is refused"},
        422: {"description": "内容有误 / invalid fields"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/CorrectionSubmit"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["version"],
                        "properties": {
                            "content": {"type": "string", "description": "补正内容 / content"},
                            "version": {"type": "integer", "description": "版本号 / version"},
                            FILES_PART: {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                                "description": "补正材料：PDF、JPEG、PNG、OFD / material",
                            },
                        },
                    }
                },
            },
        }
    },
)
def applicant_correction(
    number: RegistrationNumber,
    query_code: QueryCode,
    request: Request,
    lookup: ReadSession,
    session: WriteSession,
    rt: RuntimeDep,
    body: Annotated[tuple[CorrectionSubmit, list[Upload]], Depends(_correction_body)],
) -> ApplicantCaseView:
    case = own_case.find_own_case(lookup, rt, number, query_code, client_of(request, rt))
    data, uploads = body
    return cases_service.applicant_correction(
        session, rt, case.id, data.content or "", uploads, data.version
    )


@router.post(
    "/cases",
    status_code=201,
    response_model=CaseReceipt,
    tags=["cases"],
    summary="工作人员登记申请（当面、邮寄、传真、电子邮箱）/ staff register an application",
    openapi_extra=_body_doc(StaffCaseCreate),
)
def register_case(
    body: Annotated[tuple[StaffCaseCreate, list[Upload]], Depends(_staff_body)],
    session: WriteSession,
    rt: RuntimeDep,
    principal: Registrar,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    data, uploads = body
    return _created(
        service.register(session, rt, principal, data, uploads, idempotency_key=idempotency_key)
    )


@router.post(
    "/cases/{case_id}/lookup-lock/release",
    tags=["cases"],
    summary="解除登记编号的查询锁定 / lift the lock on the case number's lookups",
    description=(
        "申请人携带身份证件到政府信息公开工作机构核实身份后，由工作人员解除；记入案件时间线。"
        " / After the applicant proves who they are at the disclosure office; on the timeline."
    ),
)
def release_lookup_lock(
    case_id: RowId,
    session: WriteSession,
    rt: RuntimeDep,
    principal: Registrar,
) -> LookupLockRead:
    return own_case.release_lookup_lock(session, rt, principal, case_id)

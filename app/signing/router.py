"""Signing API: an organ's certificates (admins), and public verification of letters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.auth.principal import Principal
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import PayloadTooLarge
from app.fields import RowId
from app.http.client import client_of
from app.intake.body import MalformedBody, multipart_form
from app.organs.router import Admin
from app.runtime import Runtime, RuntimeDep
from app.signing import service, verify
from app.signing.certificates import FILE_FIELD, MAX_PKCS12_BYTES, PASSWORD_FIELD
from app.signing.schemas import CertificateRead, CertificateWithdraw, VerificationRead

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1")
OrganCode = Annotated[str, Path(max_length=32)]
VerifyCode = Annotated[
    str, Path(max_length=40, description="文书上的验证码 / the code printed on the letter")
]
# What a multipart body adds around the file: its boundaries and part headers.
_MULTIPART_OVERHEAD = 64 * 1024


def _multipart_doc(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "required": required, "properties": properties}
                }
            },
        }
    }


def _too_large_error(limit: int, what: str) -> PayloadTooLarge:
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"
    return PayloadTooLarge(f"{what}不超过 {size} / the file exceeds {size}", max_bytes=limit)


def _too_large(request: Request, limit: int, what: str) -> None:
    """413 before the body is read when its declared length is over the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + _MULTIPART_OVERHEAD:
        raise _too_large_error(limit, what)


async def read_file_part(request: Request, limit: int, what: str) -> tuple[bytes, dict[str, str]]:
    """The multipart body's `file` (at most `limit` bytes, else 413) and its text fields."""
    _too_large(request, limit, what)
    form = await multipart_form(request, 1)
    try:
        part = form.get(FILE_FIELD)
        if not isinstance(part, UploadFile):
            raise MalformedBody(f"请以 “{FILE_FIELD}” 上传文件 / send the file as '{FILE_FIELD}'")
        data = await part.read(limit + 1)
        if len(data) > limit:
            raise _too_large_error(limit, what)
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    finally:
        await form.close()
    return data, fields


# --- certificates -------------------------------------------------------------------------


@router.get(
    "/admin/organs/{code}/certificates",
    tags=["admin"],
    summary="机关的签名证书 / the organ's signing certificates",
    description=(
        "最新上传的在前；current 标明正在使用的证书（最新上传且未停用的一份），其余为被替换或已停用"
        "的证书（用其签名的文书仍可核验）。/ Newest first; `current` marks the one in use (the "
        "newest not withdrawn); the others were replaced or withdrawn (letters signed with them "
        "still verify)."
    ),
)
def list_certificates(
    code: OrganCode, session: ReadSession, principal: Admin
) -> list[CertificateRead]:
    return service.organ_certificates(session, principal, code)


@router.post(
    "/admin/organs/{code}/certificates",
    status_code=status.HTTP_201_CREATED,
    tags=["admin"],
    summary="上传签名证书 / upload the organ's signing certificate",
    description=(
        "PKCS#12 文件（.p12/.pfx，含证书和私钥）及其密码。此后出具的文书以该证书签名（PAdES）；"
        "原证书保留，用其签名的文书仍可核验。证书密码不保存，私钥以部署密钥加密保存。文件不是 "
        "PKCS#12、密码错误、证书已过期或尚未生效、没有私钥、不能用于签名：422。/ A PKCS#12 "
        "file (certificate and private key) and its password. Letters issued from now on are "
        "signed with it (PAdES); the one it replaces is kept, so letters signed with it still "
        "verify. The password is not kept; the key is stored encrypted with the deployment's "
        "secret. Not a PKCS#12, a wrong password, an expired or not yet valid certificate, no "
        "private key, or a certificate not for signing: 422."
    ),
    openapi_extra=_multipart_doc(
        {
            FILE_FIELD: {
                "type": "string",
                "format": "binary",
                "description": "PKCS#12 文件 / the PKCS#12 file",
            },
            PASSWORD_FIELD: {"type": "string", "description": "证书密码 / its password"},
        },
        [FILE_FIELD],
    ),
)
async def upload_certificate(
    code: OrganCode,
    request: Request,
    session: WriteSession,
    rt: RuntimeDep,
    principal: Admin,
) -> CertificateRead:
    data, fields = await read_file_part(request, MAX_PKCS12_BYTES, "证书文件")
    password = fields.get(PASSWORD_FIELD, "")
    return await run_in_threadpool(_add, session, rt, principal, code, data, password)


def _add(
    session: Session, rt: Runtime, principal: Principal, code: str, data: bytes, password: str
) -> CertificateRead:
    return service.upload_certificate(
        session, rt.token_key, principal, code, data, password, now=rt.clock()
    )


@router.post(
    "/admin/organs/{code}/certificates/{certificate_id}/withdraw",
    tags=["admin"],
    summary="停用签名证书 / withdraw a signing certificate",
    description=(
        "停用后该证书不再用于签名：此后出具的文书以剩下的最新证书签名，没有则以未签名形式保存"
        "（机关页面提示）。此前用其签名的文书仍可核验，核验结果注明证书已停用及停用时间。已停用："
        "409 certificate-withdrawn；不是本机关的证书：404。/ The certificate never signs again: "
        "later letters are signed with the newest certificate left, or stored unsigned (the "
        "organ page says so). Letters it signed still verify, and their verification says it "
        "was withdrawn and when. Withdrawn already: 409; not this organ's: 404."
    ),
)
def withdraw_certificate(
    code: OrganCode,
    certificate_id: RowId,
    body: CertificateWithdraw,
    session: WriteSession,
    rt: RuntimeDep,
    principal: Admin,
) -> CertificateRead:
    return service.withdraw_certificate(
        session, principal, code, certificate_id, body.reason, now=rt.clock()
    )


# --- public verification ------------------------------------------------------------------

_VERIFY_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "不是本平台出具的文书 / not a letter issued here"},
    429: {"description": "核验过于频繁 / too many verifications"},
}


@router.get(
    "/verify/{code}",
    tags=["public"],
    summary="按验证码核验文书 / look a letter up by its verification code",
    description=(
        "返回出具机关、文书名称、文号、日期和电子签名情况，不含案件和申请人信息。未知验证码计入"
        "核验次数限制。/ The issuing organ, the letter's title, number and date, and its "
        "signature; nothing about the case or the applicant. Unknown codes count against the "
        "verification brake."
    ),
    responses=_VERIFY_RESPONSES,
)
def verify_code(code: VerifyCode, request: Request, rt: RuntimeDep) -> VerificationRead:
    return verify.look_up(rt, code, client_of(request, rt))


@router.post(
    "/verify",
    tags=["public"],
    summary="上传 PDF 核验文书 / verify a letter's PDF",
    description=(
        "上传文书的 PDF 文件（multipart 字段 file）：是否本平台出具、哪个机关、文书名称、文号和"
        "日期，以及文件是否未经改动（SHA-256 与出具的文件一致，且电子签名有效）。改动过的文件"
        "报告为 altered；不是本平台出具的文书：404；不是 PDF：422。每次上传计入核验次数限制。"
        "/ Upload the letter's PDF (multipart field `file`): whether it is a letter issued here, "
        "by which organ, its title, number and date, and whether the file is unaltered (its "
        "SHA-256 is the issued file's and its signature is valid). A changed file is `altered`; "
        "no letter of ours: 404; not a PDF: 422. Every upload counts against the brake."
    ),
    responses={
        **_VERIFY_RESPONSES,
        413: {"description": "文件过大 / the file is too large"},
        422: {"description": "不是 PDF 文件 / not a PDF"},
    },
    openapi_extra=_multipart_doc(
        {
            FILE_FIELD: {
                "type": "string",
                "format": "binary",
                "description": "文书的 PDF 文件 / the letter's PDF",
            }
        },
        [FILE_FIELD],
    ),
)
async def verify_file(request: Request, rt: RuntimeDep) -> VerificationRead:
    client = client_of(request, rt)
    data, _ = await read_file_part(request, rt.settings.verify_max_pdf_bytes, "PDF 文件")
    return await run_in_threadpool(verify.check_copy, rt, data, client)

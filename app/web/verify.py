"""The public verification page (/verify): anyone holding a letter checks it by the code printed
beside its QR code, or by uploading its PDF. The same service functions as the JSON routes
(app.signing.verify: look_up, check_copy), under the same brake; no sign-in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.auth.secrets import grouped_verify_code, normalize_verify_code
from app.db import CommittingRoute
from app.errors import DomainError, PayloadTooLarge, TooManyAttempts
from app.http.client import client_of
from app.runtime import Runtime, RuntimeDep
from app.signing import verify
from app.signing.certificates import FILE_FIELD
from app.signing.schemas import VerificationRead
from app.web.errors import wait_in_words
from app.web.forms import FieldErrors, read_form
from app.web.templating import render

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

PAGE = "/verify"
CODE_FIELD = "code"
CODE_MAX = 40

SIGNATURE_WORDS = {
    "valid": "有效，签名覆盖整个文件",
    "changed_after_signing": "签名本身有效，但签名之后文件又被追加了改动",
    "invalid": "无效：文件内容与签名不符",
    "unknown_signer": "不是出具机关的签名",
    "unreadable": "无法读取文件中的签名",
    "not_signed": "无电子签名",
    "signed": "出具时已加电子签名",
    "pending": "文件尚在生成，稍后可查",
}
VERDICT_WORDS = {
    "unaltered": "是本平台出具的文书，文件未经改动",
    "altered": "文件已被改动，与出具的原件不一致",
    "issued": "验证码有效：是本平台出具的文书",
}


def _page(
    request: Request,
    rt: Runtime,
    *,
    result: VerificationRead | None = None,
    code: str = "",
    errors: FieldErrors | None = None,
    not_found: str | None = None,
    wait: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "result": result,
        "code": code,
        "errors": errors,
        "not_found": not_found,
        "wait": wait,
        "printed_code": grouped_verify_code(result.code) if result and result.code else None,
        "signature_words": SIGNATURE_WORDS,
        "verdict_words": VERDICT_WORDS,
        "max_mb": rt.settings.verify_max_pdf_bytes // (1024 * 1024),
    }
    return render(request, rt, "verify.html", context, status_code=status_code, headers=headers)


def _braked(request: Request, rt: Runtime, exc: TooManyAttempts, code: str = "") -> HTMLResponse:
    seconds = int(exc.extra.get("retry_after", 60))
    return _page(
        request,
        rt,
        code=code,
        wait=wait_in_words(seconds),
        status_code=429,
        headers={"Retry-After": str(seconds)},
    )


@router.get(PAGE, response_class=HTMLResponse)
def verify_page(request: Request, rt: RuntimeDep) -> Response:
    """The forms; the code form is a GET here, answered by the code's own address."""
    typed = request.query_params.get(CODE_FIELD)
    if typed is None:
        return _page(request, rt)
    typed = typed.strip()[:CODE_MAX]
    code = normalize_verify_code(typed)
    if code is None:
        errors = FieldErrors()
        errors.add(
            CODE_FIELD,
            "请输入文书上的 10 位验证码（字母和数字，如 7KQ3M-X9PZ2）" if typed else "请输入验证码",
        )
        return _page(request, rt, code=typed, errors=errors, status_code=422)
    return RedirectResponse(f"{PAGE}/{quote(code)}", status_code=303)


@router.get(PAGE + "/{code}", response_class=HTMLResponse)
def verify_code_page(
    request: Request, rt: RuntimeDep, code: str = Path(max_length=CODE_MAX)
) -> Response:
    try:
        result = verify.look_up(rt, code, client_of(request, rt))
    except verify.LetterNotFound:
        return _page(
            request,
            rt,
            code=code,
            not_found="没有找到与该验证码对应的文书。请核对验证码；仍查不到的，该文书不是本平台出具的。",
            status_code=404,
        )
    except TooManyAttempts as exc:
        return _braked(request, rt, exc, code)
    return _page(request, rt, result=result, code=result.code or code)


@router.post(PAGE, response_class=HTMLResponse)
async def verify_upload(request: Request, rt: RuntimeDep) -> Response:
    form = await read_form(request, rt)
    limit = rt.settings.verify_max_pdf_bytes
    errors = FieldErrors()
    try:
        part = form.get(FILE_FIELD)
        if not isinstance(part, UploadFile) or not (part.filename or part.size):
            errors.add(FILE_FIELD, "请选择要核验的 PDF 文件")
            return _page(request, rt, errors=errors, status_code=422)
        data = await part.read(limit + 1)
    finally:
        await form.close()
    try:
        if len(data) > limit:
            raise PayloadTooLarge(f"文件超过 {limit // (1024 * 1024)} MB")
        result = await run_in_threadpool(verify.check_copy, rt, data, client_of(request, rt))
    except verify.LetterNotFound:
        return _page(
            request,
            rt,
            not_found="该文件不是本平台出具的文书：既不是出具的原件，文件中也没有本平台文书的验证码。",
            status_code=404,
        )
    except TooManyAttempts as exc:
        return _braked(request, rt, exc)
    except DomainError as exc:
        errors.add(FILE_FIELD, exc.detail)
        return _page(request, rt, errors=errors, status_code=exc.status)
    return _page(request, rt, result=result, code=result.code or "")

"""Organs in the workbench (/staff/admin/organs, admins only): the list, an organ's page with its
settings (the JSON PUT's body in a textarea, validated by OrganSettings, errors beside it), its
seal image (upload or remove, checked by app.organs.admin as the API's upload is) and its signing
certificate (a PKCS#12 upload through app.signing.service, as the API's, or the withdrawal of
the one in use; a warning while it has none, since its letters are then stored unsigned).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import DomainError
from app.fields import RowId
from app.models import Organ
from app.organs import admin, service
from app.organs.router import ADMIN_ROLES
from app.organs.schemas import OrganRead
from app.organs.settings import OrganSettings
from app.runtime import Runtime, RuntimeDep
from app.signing import service as signing_service
from app.signing.certificates import FILE_FIELD, MAX_PKCS12_BYTES, PASSWORD_FIELD
from app.signing.schemas import CertificateRead, CertificateWithdraw
from app.web.forms import FieldErrors, field_name, read_form
from app.web.staff import nav
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Admin = Annotated[Workbench, Depends(page_roles(*ADMIN_ROLES))]
nav.link("/staff/admin/organs", "机关", 80, ADMIN_ROLES)
Code = Annotated[str, Path(max_length=32)]
MAX_TEXT = 20_000
DONE = {
    "settings": "已保存机关设置。",
    "seal": "已上传电子印章。",
    "unseal": "已删除电子印章。",
    "certificate": "已上传签名证书：此后出具的文书以该证书签名。",
    "withdrawn": "已停用签名证书：此后不再以其签名，此前签名的文书仍可核验。",
}


def settings_fields() -> list[dict[str, Any]]:
    """Each setting's name, description and default, read from the model (a new one shows)."""
    return [
        {
            "name": name,
            "description": info.description or "",
            "default": json.dumps(info.default, ensure_ascii=False, default=list),
        }
        for name, info in OrganSettings.model_fields.items()
    ]


def settings_text(organ: OrganRead) -> str:
    return json.dumps(organ.settings.model_dump(mode="json"), ensure_ascii=False, indent=2)


@router.get("/staff/admin/organs", response_class=HTMLResponse)
def organs(request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin) -> Response:
    found = [OrganRead.model_validate(o) for o in service.list_organs(session)]
    names = {o.id: o.name for o in found}
    rows = [{"organ": o, "parent": names.get(o.parent_id or 0, "")} for o in found]
    return staff_page(request, rt, staff, "staff/admin_organs.html", {"rows": rows})


def _organ_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    organ: Organ,
    certificates: list[CertificateRead],
    *,
    text: str | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    read = OrganRead.model_validate(organ)
    done = request.query_params.get("done", "") if request.method == "GET" else ""
    context = {
        "organ": read,
        "text": settings_text(read) if text is None else text,
        "fields": settings_fields(),
        "errors": errors,
        "done": DONE.get(done),
        "certificates": certificates,
        "now": rt.clock(),
    }
    return staff_page(
        request, rt, staff, "staff/admin_organ.html", context, status_code=status_code
    )


@router.get("/staff/admin/organs/{code}", response_class=HTMLResponse)
def organ_page(
    code: Code, request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin
) -> Response:
    organ = service.get_organ(session, code)
    return _organ_page(request, rt, staff, organ, signing_service.certificates(session, organ))


def parse_settings(text: str) -> OrganSettings:
    """The textarea as the JSON PUT's body, or ValueError saying what is wrong."""
    if len(text) > MAX_TEXT:
        raise ValueError(f"内容过长（最多 {MAX_TEXT} 个字符）")
    try:
        raw = json.loads(text or "{}")
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        raise ValueError(f"JSON 格式有误{f'（第 {line} 行）' if line else ''}") from None
    if not isinstance(raw, dict):
        raise ValueError("内容应为一个 JSON 对象 {…}")
    try:
        return OrganSettings.model_validate(raw)
    except ValidationError as exc:
        messages = [
            f"{field_name(e.get('loc', ())) or '内容'}：{e.get('msg', '')}"
            for e in exc.errors()[:5]
        ]
        raise ValueError("；".join(messages)) from None


@router.post("/staff/admin/organs/{code}/settings", response_class=HTMLResponse)
async def organ_settings(
    code: Code, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    organ = await run_in_threadpool(service.get_organ, session, code)
    raw = form.get("settings")
    text = raw if isinstance(raw, str) else ""
    try:
        checked = parse_settings(text)
    except ValueError as exc:
        errors = FieldErrors()
        errors.add("settings", str(exc))
        certificates = await run_in_threadpool(signing_service.certificates, session, organ)
        return _organ_page(
            request,
            rt,
            staff,
            organ,
            certificates,
            text=text[:MAX_TEXT],
            errors=errors,
            status_code=422,
        )
    await run_in_threadpool(admin.save_settings, session, rt, organ.code, checked)
    return RedirectResponse(f"/staff/admin/organs/{organ.code}?done=settings", status_code=303)


@router.post("/staff/admin/organs/{code}/seal", response_class=HTMLResponse)
async def organ_seal(
    code: Code, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    organ = await run_in_threadpool(service.get_organ, session, code)
    if form.get("remove") == "1":
        await run_in_threadpool(admin.save_seal, session, rt, organ.code, None)
        return RedirectResponse(f"/staff/admin/organs/{organ.code}?done=unseal", status_code=303)
    upload = form.get("seal")
    errors = FieldErrors()
    data = b""
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors.add("seal", "请选择印章图片（PNG）")
        else:
            data = await upload.read(admin.MAX_SEAL_BYTES + 1)
            admin.check_seal(data)
    except DomainError as exc:
        errors.add("seal", exc.detail)
    if errors:
        certificates = await run_in_threadpool(signing_service.certificates, session, organ)
        return _organ_page(request, rt, staff, organ, certificates, errors=errors, status_code=422)
    await run_in_threadpool(admin.save_seal, session, rt, organ.code, data)
    return RedirectResponse(f"/staff/admin/organs/{organ.code}?done=seal", status_code=303)


@router.post("/staff/admin/organs/{code}/certificate", response_class=HTMLResponse)
async def organ_certificate(
    code: Code, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    organ = await run_in_threadpool(signing_service.organ_for_admin, session, staff.principal, code)
    upload, password = form.get(FILE_FIELD), form.get(PASSWORD_FIELD)
    errors, status_code = FieldErrors(), 422
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors.add(FILE_FIELD, "请选择证书文件（.p12 或 .pfx）")
        else:
            data = await upload.read(MAX_PKCS12_BYTES + 1)
            await run_in_threadpool(
                signing_service.upload_certificate,
                session,
                rt.token_key,
                staff.principal,
                organ.code,
                data,
                password if isinstance(password, str) else "",
                now=rt.clock(),
            )
    except DomainError as exc:
        errors, status_code = FieldErrors.of_domain(exc, FILE_FIELD), exc.status
    finally:
        await form.close()
    if errors:
        certificates = await run_in_threadpool(signing_service.certificates, session, organ)
        return _organ_page(
            request, rt, staff, organ, certificates, errors=errors, status_code=status_code
        )
    return RedirectResponse(
        f"/staff/admin/organs/{organ.code}?done=certificate#certificate-title", status_code=303
    )


@router.post("/staff/admin/organs/{code}/certificates/{certificate_id}/withdraw")
async def withdraw_certificate(
    code: Code,
    certificate_id: RowId,
    request: Request,
    rt: RuntimeDep,
    session: WriteSession,
    staff: Admin,
) -> Response:
    form = await read_form(request, rt)
    organ = await run_in_threadpool(signing_service.organ_for_admin, session, staff.principal, code)
    errors, status_code = FieldErrors(), 422
    try:
        body = CertificateWithdraw.model_validate({"reason": form.get("reason") or ""})
        await run_in_threadpool(
            signing_service.withdraw_certificate,
            session,
            staff.principal,
            organ.code,
            certificate_id,
            body.reason,
            now=rt.clock(),
        )
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors, status_code = FieldErrors.of_domain(exc, "reason"), exc.status
    if errors:
        certificates = await run_in_threadpool(signing_service.certificates, session, organ)
        return _organ_page(
            request, rt, staff, organ, certificates, errors=errors, status_code=status_code
        )
    return RedirectResponse(
        f"/staff/admin/organs/{organ.code}?done=withdrawn#certificate-title", status_code=303
    )

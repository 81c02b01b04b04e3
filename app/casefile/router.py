"""API for the case file (归档案卷): its versions, and one version as PDF or ZIP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.casefile import service
from app.casefile.schemas import CaseFileRead
from app.cases.router import READ_ROLES
from app.db import CommittingRoute, ReadSession
from app.fields import RowId
from app.letters.responses import document_response
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1", tags=["case files"])
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]

FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {}, "application/zip": {}},
        "description": "PDF 或 ZIP / the PDF or the ZIP",
    },
    304: {"description": "未变化（If-None-Match）/ not modified"},
}


@router.get(
    "/cases/{case_id}/files",
    summary="案卷各版本 / the case file's versions",
    description=(
        "每次归档生成一版案卷，最新的在前；重新答复后再次归档生成新版，旧版保留。/ One version "
        "per archiving, newest first; a case reopened and archived again gets a new version, "
        "the old ones stay."
    ),
)
def list_files(case_id: RowId, session: ReadSession, principal: Reader) -> list[CaseFileRead]:
    return service.list_files(session, principal, case_id)


@router.get(
    "/cases/{case_id}/file",
    summary="下载案卷 / the case file as PDF or ZIP",
    description=(
        "合并的 PDF（卷内目录在前）或供档案系统导入的 ZIP（各文件、合并 PDF 和含 SHA-256 的 "
        "manifest.json）。未归档 404（case-file-not-found），生成中 409（case-file-building）。"
        "ETag 为文件的 SHA-256。/ The merged PDF (index first) or the ZIP for the archive "
        "system (every file, the merged PDF, manifest.json with SHA-256s). 404 "
        "case-file-not-found when the case was never archived, 409 case-file-building while it "
        "is assembled. The ETag is the file's SHA-256."
    ),
    response_class=Response,
    responses=FILE_RESPONSES,
)
def get_file(
    case_id: RowId,
    request: Request,
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
    format: Annotated[
        service.FileFormat, Query(description="pdf（默认）或 zip / pdf (default) or zip")
    ] = "pdf",
    version: Annotated[
        int | None,
        Query(ge=1, le=10_000, description="案卷版本，默认最新 / the version; default the latest"),
    ] = None,
) -> Response:
    return document_response(
        service.download(session, rt, principal, case_id, format, version), request
    )

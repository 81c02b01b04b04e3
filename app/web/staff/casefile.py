"""The case file's downloads on the workbench (the case page's 归档 section links here): the
same service as `GET /api/v1/cases/{id}/file`, with the staff cookie and the same roles."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from app.casefile import service
from app.cases.router import READ_ROLES
from app.db import CommittingRoute, ReadSession
from app.fields import RowId
from app.letters.responses import document_response
from app.runtime import RuntimeDep
from app.web.staff.session import Workbench, page_roles

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Reader = Annotated[Workbench, Depends(page_roles(*READ_ROLES))]


@router.get("/staff/cases/{case_id}/files/{version}/{fmt}")
def case_file(
    case_id: RowId,
    version: Annotated[int, Path(ge=1, le=10_000)],
    fmt: Literal["pdf", "zip"],
    request: Request,
    rt: RuntimeDep,
    session: ReadSession,
    staff: Reader,
) -> Response:
    doc = service.download(session, rt, staff.principal, case_id, fmt, version)
    return document_response(doc, request)

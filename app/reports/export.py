"""The annual report's formats: JSON, and the published tables' layout as XLSX and PDF."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi.responses import JSONResponse, Response

from app.errors import DomainError
from app.negotiation import choose
from app.reports import pdf, printed, xlsx
from app.reports.schemas import AnnualReport
from app.runtime import Runtime

MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "xlsx": xlsx.MEDIA_TYPE,
    "pdf": pdf.MEDIA_TYPE,
}
# Renderers of the non-JSON formats: kind -> (runtime, report) -> the file's bytes; the kind is
# also the file extension.
RENDERERS: dict[str, Callable[[Runtime, AnnualReport], bytes]] = {
    "xlsx": xlsx.render,
    "pdf": pdf.render,
}


class NotAcceptable(DomainError):
    status = 406
    code = "not-acceptable"
    title = "不支持的格式 / Format not available"


def negotiate(format: str | None, accept: str | None) -> str:
    """The format asked for: the `format` parameter, else the Accept header (JSON by default)."""
    kind = choose(MEDIA_TYPES, format, accept)
    if kind is None:
        raise NotAcceptable(
            f"可用格式 / available: {', '.join(MEDIA_TYPES.values())}",
            available=list(MEDIA_TYPES.values()),
        )
    return kind


def render(rt: Runtime, report: AnnualReport, kind: str) -> Response:
    if kind == "json":
        return JSONResponse(report.model_dump(mode="json"), headers={"Vary": "Accept"})
    body = RENDERERS[kind](rt, report)
    return Response(
        body,
        media_type=MEDIA_TYPES[kind],
        headers={
            # RFC 6266/5987: the Chinese name, and an ASCII one for clients without filename*.
            "Content-Disposition": (
                f'attachment; filename="{printed.ascii_filename(report, kind)}"; '
                f"filename*=UTF-8''{quote(printed.filename(report, kind), safe='')}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Vary": "Accept",
        },
    )

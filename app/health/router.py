"""/healthz (the process answers) and /readyz (everything a request needs is in place)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import CommittingRoute
from app.health.fonts import cjk_font_families, first_available
from app.letters.fonts import FACES, FONTS_DIR
from app.letters.render import harfbuzz_subsetter
from app.migrate import current_revision, head_revision
from app.runtime import Runtime, RuntimeDep

router = APIRouter(route_class=CommittingRoute, tags=["health"])


class Check(BaseModel):
    ok: bool = Field(description="是否正常 / passed")
    detail: str = Field(description="说明 / detail")


class Readiness(BaseModel):
    ready: bool = Field(description="全部检查通过 / every check passed")
    checks: dict[str, Check] = Field(description="各项检查 / checks by name")


@router.get("/healthz", summary="进程存活 / liveness")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def readiness(rt: Runtime) -> Readiness:
    """Run every readiness check by name."""
    checks: dict[str, Check] = {}
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = Check(ok=True, detail=rt.engine.dialect.name)
    except SQLAlchemyError as exc:
        checks["database"] = Check(ok=False, detail=type(exc).__name__)
    try:
        current, head = current_revision(rt.engine), head_revision()
        checks["migrations"] = Check(
            ok=current == head and head is not None, detail=f"at {current}, head {head}"
        )
    except SQLAlchemyError as exc:
        checks["migrations"] = Check(ok=False, detail=type(exc).__name__)
    font = first_available(rt.settings.cjk_font_families, cjk_font_families())
    checks["cjk_font"] = Check(
        ok=font is not None,
        detail=font
        or "no CJK font found: install fonts-noto-cjk (letters would print empty boxes)",
    )
    built = all((FONTS_DIR / f.filename).is_file() for f in FACES)
    checks["letters"] = Check(
        ok=harfbuzz_subsetter(),
        detail=(
            "HarfBuzz subsetter present; "
            + (
                "cut-down letter faces built"
                if built
                else "letter faces not built, using system fonts (slower): run `python -m app.cli build-letter-fonts`"
            )
        )
        if harfbuzz_subsetter()
        else "libharfbuzz-subset0 missing: a CJK letter would take seconds to render",
    )
    wf = rt.workflow
    checks["workflow"] = Check(
        ok=wf is not None, detail=f"{wf.name} v{wf.version}, {len(wf.states)} states"
    )
    cal = rt.calendar
    checks["calendar"] = Check(
        ok=bool(cal.years),
        detail=f"years {min(cal.years)}–{max(cal.years)}, version {cal.version}"
        if cal.years
        else "no calendar years loaded",
    )
    return Readiness(ready=all(c.ok for c in checks.values()), checks=checks)


@router.get(
    "/readyz",
    summary="就绪检查 / readiness",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "未就绪 / not ready"}},
)
def readyz(rt: RuntimeDep) -> JSONResponse:
    result = readiness(rt)
    return JSONResponse(result.model_dump(), status_code=200 if result.ready else 503)

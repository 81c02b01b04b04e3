"""The official holiday calendar: public reads, admin loading, working-day arithmetic."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.calendar import service
from app.calendar.schemas import (
    CalendarYearData,
    CalendarYearRead,
    CalendarYearWritten,
    WorkingDaysRead,
)
from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import Problem
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/calendar", tags=["calendar"])
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
Year = Annotated[int, Path(ge=1, le=9999, description="年份 / year")]


# Declared before /{year} so that "working-days" is never read as a year.
@router.get(
    "/working-days",
    summary="第 N 个工作日 / the N-th working day after a date",
)
def working_days(
    rt: RuntimeDep,
    start: Annotated[
        str,
        Query(
            alias="from",
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            description="起算日 YYYY-MM-DD（不计入）/ start date, not counted",
        ),
    ],
    days: Annotated[
        int,
        Query(
            ge=1,
            le=service.MAX_WORKING_DAYS,
            description="工作日数 1–1000 / number of working days",
        ),
    ],
) -> WorkingDaysRead:
    return service.working_days(rt.calendar, start, days)


@router.get(
    "/{year}",
    summary="某年放假安排 / one year's official days off and make-up days",
    description=(
        "404 when the year has no data: deadlines reaching into it count Monday to Friday "
        "(weekends only) and are marked provisional."
    ),
    responses={404: {"model": Problem, "description": "该年无数据，期限暂定 / no data"}},
)
def get_year(year: Year, session: ReadSession, rt: RuntimeDep) -> CalendarYearRead:
    return service.get_year(session, rt, year)


@router.put(
    "/{year}",
    summary="载入或修改某年放假安排 / load or change a year (admin)",
    description=(
        "Body in the shape of workflows/calendar/<year>.yaml. In the same transaction every open "
        "case's cached deadlines are recomputed, and each case whose deadlines moved gets a "
        "`deadlines_recomputed` event on its timeline (actor system, before/after, message). "
        "The case `version` is not changed: the cached deadlines are derived data, not a change "
        "a client made. Other service processes pick the new calendar up within a few seconds."
    ),
    tags=["admin"],
)
def put_year(
    year: Year, data: CalendarYearData, session: WriteSession, rt: RuntimeDep, admin: Admin
) -> CalendarYearWritten:
    return service.put_year(session, rt, admin.user_id, year, data)

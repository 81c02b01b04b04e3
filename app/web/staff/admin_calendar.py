"""The official calendar in the workbench (/staff/admin/calendar): the years, one year's month
grid and source notice, and loading or editing a year through the service the JSON PUT uses.

The edit form is one textarea holding the year in the shape of workflows/calendar/<year>.yaml
(the JSON PUT's body; JSON is YAML too). After saving, the page shows the recompute's result.
"""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app.auth.roles import Role
from app.calendar import service
from app.calendar.schemas import CalendarYearData, CalendarYearRead, CalendarYearWritten
from app.db import CommittingRoute, ReadSession, WriteSession
from app.deadline.calendar import CalendarYear
from app.errors import InvalidInput, NotFound
from app.runtime import Runtime, RuntimeDep
from app.web.forms import FieldErrors, field_name, read_form
from app.web.staff import calendar_grid, nav
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

# The roles of the calendar's JSON write routes (PUT /api/v1/calendar/{year}).
CALENDAR_ROLES = (Role.admin,)
Admin = Annotated[Workbench, Depends(page_roles(*CALENDAR_ROLES))]
nav.link("/staff/admin/calendar", "放假安排", 90, CALENDAR_ROLES)
Year = Annotated[int, Path(ge=1, le=9999)]

FIELD = "data"
MAX_TEXT = 20_000


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases (no exponential expansion from a small text)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(None, None, "不支持别名（*）", event.start_mark)
        return super().compose_node(parent, index)


def as_text(data: CalendarYearData) -> str:
    """The year as the textarea shows it: the YAML file's shape."""
    dumped = data.model_dump(by_alias=True, exclude_none=True)
    return yaml.dump(
        dumped,
        Dumper=yaml.SafeDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=120,
    )


def blank_text(year: int) -> str:
    return as_text(
        CalendarYearData.model_validate(
            {
                "year": year,
                "reference": "国办发明电〔〕号",
                "title": f"国务院办公厅关于{year}年部分节假日安排的通知",
            }
        )
    )


def parse_text(text: str) -> CalendarYearData:
    """The textarea's text as the JSON PUT's body, or InvalidInput naming the field."""
    if len(text) > MAX_TEXT:
        raise InvalidInput((FIELD,), f"内容过长（最多 {MAX_TEXT} 个字符）")
    if not text.strip():
        raise InvalidInput((FIELD,), "请填写该年的放假安排")
    try:
        raw = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # A scalar YAML reads as a date (2026-13-05) raises ValueError while constructing.
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列："
        problem = getattr(exc, "problem", None)
        if problem is None:
            problem = f"日期或数值无效（{exc}）" if isinstance(exc, ValueError) else "无法解析"
        raise InvalidInput((FIELD,), f"格式有误，{where}{problem}") from None
    if not isinstance(raw, dict):
        raise InvalidInput((FIELD,), "内容应为 year、reference、title、days_off、makeup_days 等项")
    try:
        return CalendarYearData.model_validate(raw)
    except ValidationError as exc:
        messages = []
        for err in exc.errors()[:5]:
            where = field_name(err.get("loc", ())) or "内容"
            messages.append(f"{where}：{err.get('msg', '')}")
        raise InvalidInput((FIELD,), "；".join(messages)) from None


def _grid(data: CalendarYearData) -> list[calendar_grid.Month]:
    return calendar_grid.months(CalendarYear.from_mapping(data.model_dump(by_alias=True)))


@router.get("/staff/admin/calendar", response_class=HTMLResponse)
def years(request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin) -> Response:
    found = service.list_years(session, rt)
    context = {"years": found, "next_year": max((y.year for y in found), default=2025) + 1}
    return staff_page(request, rt, staff, "staff/admin_calendar_years.html", context)


def _year_page(
    request: Request,
    rt: Runtime,
    staff: Workbench,
    year: int,
    current: CalendarYearRead | None,
    text: str,
    *,
    errors: FieldErrors | None = None,
    written: CalendarYearWritten | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "year": year,
        "current": current,
        "months": _grid(current.data) if current else [],
        "weekdays": calendar_grid.WEEKDAYS,
        "labels": calendar_grid.KIND_LABEL,
        "text": text,
        "errors": errors,
        "written": written,
    }
    return staff_page(
        request, rt, staff, "staff/admin_calendar.html", context, status_code=status_code
    )


def _current(
    session: ReadSession | WriteSession, rt: Runtime, year: int
) -> CalendarYearRead | None:
    try:
        return service.get_year(session, rt, year)
    except NotFound:
        return None


@router.get("/staff/admin/calendar/{year}", response_class=HTMLResponse)
def year_page(
    year: Year, request: Request, rt: RuntimeDep, session: ReadSession, staff: Admin
) -> Response:
    current = _current(session, rt, year)
    text = as_text(current.data) if current else blank_text(year)
    return _year_page(request, rt, staff, year, current, text)


@router.post("/staff/admin/calendar/{year}", response_class=HTMLResponse)
async def year_save(
    year: Year, request: Request, rt: RuntimeDep, session: WriteSession, staff: Admin
) -> Response:
    form = await read_form(request, rt)
    raw = form.get(FIELD)
    text = raw if isinstance(raw, str) else ""
    try:
        data = parse_text(text)
        written = service.put_year(session, rt, staff.principal.user_id, year, data)
    except InvalidInput as exc:
        errors = FieldErrors()
        errors.add(FIELD, exc.detail)
        current = _current(session, rt, year)
        return _year_page(
            request, rt, staff, year, current, text[:MAX_TEXT], errors=errors, status_code=422
        )
    return _year_page(request, rt, staff, year, written, as_text(written.data), written=written)

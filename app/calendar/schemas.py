"""Shapes of the calendar API: a year as in workflows/calendar/<year>.yaml, and working days."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from app.fields import Text50, Text100, Text200

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    # Only "YYYY-MM-DD" (or a date, from YAML): never a timestamp or a date-time.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


Name = Text50
Day = Annotated[date, BeforeValidator(_iso_date)]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DayOffRange(_Shape):
    name: Name = Field(description="节日名称 / holiday name")
    from_: Day = Field(alias="from", description="放假首日 / first day off")
    to: Day = Field(description="放假末日 / last day off")


class DayOff(_Shape):
    name: Name = Field(description="节日名称 / holiday name")
    date: Day = Field(description="放假日 / day off")


class MakeupDay(_Shape):
    date: Day = Field(description="调休上班日（周六或周日）/ make-up working day (Sat or Sun)")
    for_: Name = Field(alias="for", description="为哪个节日调休 / holiday it makes up for")


class CalendarYearData(_Shape):
    """One year of the State Council holiday notice (国务院办公厅关于部分节假日安排的通知)."""

    year: StrictInt = Field(ge=1, le=9999, description="年份 / year")
    reference: Text100 = Field(description="通知文号 / the notice's document number")
    title: Text200 = Field(description="通知标题 / the notice's title")
    published: Day | None = Field(None, description="发布日期 / publication date")
    days_off: list[DayOffRange | DayOff] = Field(
        default_factory=list,
        max_length=60,
        description="放假安排：{name, from, to} 或 {name, date} / days off: a range or one day",
    )
    makeup_days: list[MakeupDay] = Field(
        default_factory=list,
        max_length=30,
        description="调休上班日 {date, for} / make-up working days",
    )


class CalendarYearRead(BaseModel):
    year: int = Field(description="年份 / year")
    source: str = Field(description="来源：shipped 随版本发布，admin 管理员载入 / source")
    version: str = Field(description="本年数据的版本（内容哈希）/ version of this year's data")
    updated_at: datetime | None = Field(description="最近载入或修改时间 / last loaded or changed")
    updated_by_id: int | None = Field(description="修改人编号 / user who changed it")
    calendar_version: str = Field(
        description="整个日历的版本，期限说明引用此版本 / version of the whole calendar"
    )
    data: CalendarYearData = Field(description="该年放假安排 / the year's data")


class RecomputeRead(BaseModel):
    reason: str = Field(description="重新计算的原因 / why deadlines were recomputed")
    cases_scanned: int = Field(description="检查的未办结案件数 / open cases scanned")
    cases_moved: int = Field(description="期限变动的案件数 / cases whose deadlines moved")
    seconds: float = Field(description="用时（秒）/ time taken, seconds")


class CalendarYearWritten(CalendarYearRead):
    changed: bool = Field(description="数据是否有变化 / whether the data changed")
    recompute: RecomputeRead | None = Field(
        description="未办结案件期限的重新计算 / recompute of the open cases' deadlines"
    )


class DatedName(BaseModel):
    date: Day = Field(description="日期 / date")
    name: str = Field(description="节日名称 / holiday name")


class YearUsed(BaseModel):
    year: int = Field(description="年份 / year")
    reference: str | None = Field(description="通知文号；无数据为空 / notice reference, or null")
    provisional: bool = Field(description="该年无官方数据，按周末计 / no data: weekends only")


class WorkingDaysRead(BaseModel):
    from_: date = Field(
        serialization_alias="from", description="起算日（不计入）/ start, not counted"
    )
    days: int = Field(description="工作日数 / working days")
    due_date: date = Field(description="第 N 个工作日 / the N-th working day after the start")
    provisional: bool = Field(
        description="跨入尚未公布放假安排的年份，暂按周末计算 / reaches a year with no data"
    )
    explanation: str = Field(description="计算说明（中文、英文各一行）/ explanation, zh and en")
    days_off_skipped: list[DatedName] = Field(
        description="跳过的法定节假日（工作日）/ official weekday days off skipped"
    )
    weekend_days_skipped: int = Field(description="跳过的周末天数 / weekend days skipped")
    makeup_days_counted: list[DatedName] = Field(
        description="计入的调休上班日 / make-up working days counted"
    )
    years_used: list[YearUsed] = Field(description="涉及的年份及依据 / years and their basis")
    calendar_version: str = Field(description="日历版本 / calendar version")

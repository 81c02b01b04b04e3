"""A year's month grid for the calendar page: twelve months, weeks as rows, each day a cell.

Each day says in words what it is (法定节假日/休息日 with the holiday's name, 调休上班日 with the
holiday it makes up for, an ordinary weekend day), so the page never relies on colour alone.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date

from app.deadline.calendar import CalendarYear

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
DAY_OFF = "off"
MAKEUP = "makeup"
WEEKEND = "weekend"
WORKDAY = "workday"
KIND_MARK = {DAY_OFF: "休", MAKEUP: "班", WEEKEND: "", WORKDAY: ""}
KIND_LABEL = {
    DAY_OFF: "法定节假日/休息日",
    MAKEUP: "调休上班日",
    WEEKEND: "周末",
    WORKDAY: "工作日",
}


@dataclass(frozen=True)
class Day:
    date: date
    kind: str
    name: str  # the holiday's name (a day off) or the holiday made up for (a make-up day)

    @property
    def mark(self) -> str:
        return KIND_MARK[self.kind]

    @property
    def label(self) -> str:
        return KIND_LABEL[self.kind]


@dataclass(frozen=True)
class Month:
    number: int
    weeks: list[list[Day | None]]  # Monday first; None outside the month
    days_off: int
    makeup_days: int


def day(cy: CalendarYear, d: date) -> Day:
    if d in cy.days_off:
        return Day(d, DAY_OFF, cy.holiday_names.get(d, ""))
    if d in cy.makeup_days:
        return Day(d, MAKEUP, cy.holiday_names.get(d, ""))
    return Day(d, WEEKEND if d.weekday() >= 5 else WORKDAY, "")


def months(cy: CalendarYear) -> list[Month]:
    """The year's twelve months, each as weeks of seven cells from Monday."""
    grid = stdlib_calendar.Calendar(firstweekday=0)
    result = []
    for number in range(1, 13):
        # Day numbers, not dates: the weeks around 0001-01 and 9999-12 leave the date range.
        weeks = [
            [day(cy, date(cy.year, number, n)) if n else None for n in week]
            for week in grid.monthdayscalendar(cy.year, number)
        ]
        cells = [c for w in weeks for c in w if c is not None]
        result.append(
            Month(
                number=number,
                weeks=weeks,
                days_off=sum(c.kind == DAY_OFF for c in cells),
                makeup_days=sum(c.kind == MAKEUP for c in cells),
            )
        )
    return result

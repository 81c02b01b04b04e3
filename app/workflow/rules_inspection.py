"""Inspection on site (查阅, Art. 40; RULES §9): the appointment a reply states and whether it
took place (pure).

A reply that provides information by inspection states the place, the time window (from/to,
dates or date-times) and the contact; `record_inspection` records whether the applicant came.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.workflow.context import Change, Ctx, Effect, Guard

INSPECTION = "inspection"
# The reply's payload fields that state the appointment.
APPOINTMENT_FIELDS = ("inspection_place", "inspection_from", "inspection_to", "inspection_contact")
_WINDOW = ("inspection_from", "inspection_to")


def parse_moment(value: str) -> date | datetime:
    """A window end: an ISO date (2026-03-10) or date-time (2026-03-10T09:00+08:00)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    moment = datetime.fromisoformat(value)  # ValueError: neither
    if moment.tzinfo is None:
        raise ValueError("须带时区 / a date-time must carry a UTC offset")
    return moment


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def appointment(ctx: Ctx, change: Change) -> dict[str, Any] | None:
    """The appointment a reply with provided_form `inspection` states (422 naming each missing
    or bad field), or None for another form."""
    p = ctx.payload
    if p.get("provided_form") != INSPECTION:
        for name in APPOINTMENT_FIELDS:
            if p.get(name) is not None:
                change.error(name, "仅在安排查阅时填写 / only with provided_form inspection")
        return None
    for name in APPOINTMENT_FIELDS:
        if not p.get(name):
            change.error(name, "安排查阅须写明查阅地点、时间和联系人 / required for inspection")
    window: dict[str, date | datetime] = {}
    for name in _WINDOW:
        if p.get(name):
            try:
                window[name] = parse_moment(p[name])
            except ValueError:
                change.error(
                    name, "须为日期或带时区的时间 / an ISO date, or a date-time with an offset"
                )
    if len(window) == 2:
        start, end = window["inspection_from"], window["inspection_to"]
        if type(start) is not type(end):
            change.error("inspection_to", "起止须同为日期或同为时间 / both dates or both times")
        elif end < start:
            change.error("inspection_to", "不能早于开始时间 / cannot precede the start")
        elif _day(start) < ctx.today:
            change.error("inspection_from", "不能是过去 / cannot be in the past")
    return {name: p.get(name) for name in APPOINTMENT_FIELDS}


# --- record_inspection ----------------------------------------------------------------------


def inspection_arranged(ctx: Ctx) -> str | None:
    if ctx.case.inspection is None:
        return "此答复未安排查阅 / this reply arranged no inspection"
    return None


def record_inspection_result(ctx: Ctx, change: Change) -> None:
    """Whether the applicant inspected the records, on which day, with notes."""
    p = ctx.payload
    on: date = p["on"]
    if on > ctx.today:
        change.error("on", "不能是将来 / cannot be in the future")
    change.update.inspection = {
        **(ctx.case.inspection or {}),
        "took_place": p["took_place"],
        "on": on.isoformat(),
        "notes": p.get("notes"),
    }


GUARDS: dict[str, Guard] = {"inspection_arranged": inspection_arranged}
EFFECTS: dict[str, Effect] = {"record_inspection_result": record_inspection_result}

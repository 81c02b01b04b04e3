"""The year lock (RULES §8): once an organ publishes a year, a change to a case that would alter
that year's numbers is refused — unless an administrator has granted an override for the case,
with a reason; the change then uses the override, and the timeline and the report show it.

A change "alters the numbers" when the set of cells the case (or one of its reconsideration and
litigation records) is counted in, in the locked year, differs before and after: the same
functions of app.reports.periods that the counting mirrors decide it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.auth.principal import Actor
from app.case_types import FOI_APPLICATION
from app.errors import Conflict
from app.models import Case, ReportLock, ReportOverride
from app.reports.periods import (
    CaseStats,
    Period,
    RemedyStats,
    table3_cells,
    table4_cells,
)

CellsOf = Callable[[Period], frozenset[tuple[str, str]]]


class YearLocked(Conflict):
    code = "report-year-locked"
    title = "年度报告已发布锁定 / The year's report is published and locked"


class _Lock(Protocol):
    """What a refusal says of a lock: a ReportLock, or a row of its columns."""

    @property
    def year(self) -> int: ...

    @property
    def locked_at(self) -> datetime: ...


# The new-case guard reads the lock years with one prebuilt Core statement: no entities to
# load, nothing to flush (registration holds no pending objects), the statement compiled once.
_LOCK_YEARS = (
    select(ReportLock.year, ReportLock.locked_at)
    .where(ReportLock.organ_id == bindparam("organ_id"))
    .order_by(ReportLock.year)
)


def locks_of(session: Session, organ_id: int) -> list[ReportLock]:
    return list(
        session.scalars(
            select(ReportLock).where(ReportLock.organ_id == organ_id).order_by(ReportLock.year)
        )
    )


def _unused_override(session: Session, lock_id: int, case_id: int) -> ReportOverride | None:
    return session.scalars(
        select(ReportOverride)
        .where(
            ReportOverride.lock_id == lock_id,
            ReportOverride.case_id == case_id,
            ReportOverride.used_at.is_(None),
        )
        .order_by(ReportOverride.id)
        .limit(1)
    ).first()


def _changes(
    session: Session, organ_id: int, before: CellsOf, after: CellsOf
) -> list[tuple[ReportLock, list[str]]]:
    """The organ's locked years whose cells differ before and after, with those cells."""
    found = []
    for lock in locks_of(session, organ_id):
        period = Period(lock.year)
        changed = sorted(before(period) ^ after(period))
        if changed:
            found.append((lock, [f"{row}/{col}" for row, col in changed]))
    return found


def _refused(lock: _Lock, cells: list[str], case_id: int | None) -> YearLocked:
    how = (
        "登记为待确认收到，再经管理员授权后确认收到日期 / register it as awaiting "
        "confirmation, then confirm its receipt after an administrator's override"
        if case_id is None
        else "如确需更正，请由管理员说明理由后授权 / an administrator may grant an "
        f"override for the case, with a reason (POST /api/v1/reports/annual/{lock.year}"
        "/overrides)"
    )
    return YearLocked(
        f"{lock.year} 年度报告已于 {lock.locked_at:%Y-%m-%d} 发布并锁定，此操作将改变其"
        f"数字（{', '.join(cells)}）/ the {lock.year} report is published and locked; "
        f"this would change its numbers ({', '.join(cells)}). {how}",
        year=lock.year,
        cells=cells,
        case_id=case_id,
    )


def _use_overrides(
    session: Session,
    case_id: int,
    changes: list[tuple[ReportLock, list[str]]],
    *,
    action: str,
    actor: Actor,
    now: datetime,
) -> list[dict[str, Any]]:
    """Spend one override per changed locked year, or refuse; returns what was used."""
    used: list[dict[str, Any]] = []
    for lock, cells in changes:
        override = _unused_override(session, lock.id, case_id)
        if override is None:
            raise _refused(lock, cells, case_id)
        override.used_at = now
        override.used_by = actor.label
        override.used_action = action
        override.used_cells = cells
        used.append(
            {
                "year": lock.year,
                "override_id": override.id,
                "reason": override.reason,
                "granted_by": override.granted_by,
                "cells": cells,
            }
        )
    return used


def guard_case(
    session: Session,
    case: Case,
    before: CaseStats,
    *,
    action: str,
    actor: Actor,
    now: datetime,
) -> list[dict[str, Any]]:
    """Refuse (YearLocked) a change of the case that would alter a locked year's table 三, or
    use an override; returns the overrides used, for the event's payload."""
    after = CaseStats.of(case)
    if before == after:
        return []
    changes = _changes(
        session,
        case.organ_id,
        lambda p: table3_cells(p, before),
        lambda p: table3_cells(p, after),
    )
    return _use_overrides(session, case.id, changes, action=action, actor=actor, now=now)


def guard_new_case(session: Session, organ_id: int, stats: CaseStats) -> None:
    """Refuse registering a case whose receipt date falls in a locked year (no override can
    exist yet for a case that does not)."""
    locks: Sequence[_Lock] = session.connection().execute(_LOCK_YEARS, {"organ_id": organ_id}).all()
    for lock in locks:
        cells = sorted(table3_cells(Period(lock.year), stats))
        if cells:
            raise _refused(lock, [f"{row}/{col}" for row, col in cells], None)


def guard_remedy(
    session: Session,
    case: Case,
    before: RemedyStats | None,
    after: RemedyStats,
    *,
    action: str,
    actor: Actor,
    now: datetime,
) -> list[dict[str, Any]]:
    """The same for a reconsideration or litigation record (None before: a new one) and
    table 四."""
    if before == after or case.case_type != FOI_APPLICATION:
        return []
    changes = _changes(
        session,
        case.organ_id,
        lambda p: frozenset() if before is None else table4_cells(p, before),
        lambda p: table4_cells(p, after),
    )
    return _use_overrides(session, case.id, changes, action=action, actor=actor, now=now)

"""The annual report (RULES §8): counting, the drill-down, publishing (the year lock) and the
administrator's overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.principal import Actor, Principal
from app.auth.roles import Role
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Case, Organ, RemedyRecord, ReportLock, ReportOverride
from app.organs.service import get_organ
from app.outcomes import OUTCOMES
from app.reports import counts, layout, tables
from app.reports.layout import Column
from app.reports.periods import (
    TOTAL,
    Period,
    counted_type,
    remedy_filed_in,
    remedy_status,
    row_condition,
)
from app.reports.schemas import (
    AnnualReport,
    CellRead,
    ChangedCell,
    ColumnRead,
    DrillCase,
    DrillDown,
    LockRead,
    OrganRef,
    OverrideCreate,
    OverrideRead,
    Table3Read,
    Table3Row,
    Table4Group,
    Table4Read,
)
from app.runtime import Runtime
from app.workflow.write import record_beside

# The earliest year a report can be asked for: the 2019 regulations' first full year.
FIRST_YEAR = 2019

# Who reads the report, who publishes (locks) a year, who grants an override: the JSON routes'
# and the workbench pages' one list each.
READERS = (Role.clerk, Role.approver, Role.supervisor, Role.admin)
PUBLISHERS = (Role.approver, Role.admin)
OVERRIDERS = (Role.admin,)


@dataclass(frozen=True)
class Scope:
    organ: Organ
    organs: list[Organ]  # the organ, and its departments when summed
    include_departments: bool

    @property
    def organ_ids(self) -> list[int]:
        return [o.id for o in self.organs]

    def query(self) -> str:
        params = {"organ": self.organ.code}
        if self.include_departments:
            params["include_departments"] = "true"
        return urlencode(params)


def _departments(session: Session, root: Organ) -> list[Organ]:
    """The organ and every organ below it (breadth first; a cycle cannot loop)."""
    found: dict[int, Organ] = {root.id: root}
    frontier = [root.id]
    while frontier:
        children = session.scalars(
            select(Organ).where(Organ.parent_id.in_(frontier)).order_by(Organ.code)
        ).all()
        frontier = [c.id for c in children if c.id not in found]
        found.update({c.id: c for c in children})
    return list(found.values())


def scope(
    session: Session, principal: Principal, organ_code: str | None, include_departments: bool
) -> Scope:
    """The organ(s) a report covers: an administrator names one; staff see their own."""
    if principal.is_admin and principal.organ_id is None:
        if organ_code is None:
            raise InvalidInput(
                ("query", "organ"), "管理员须指定机关代码 / an administrator must name the organ"
            )
    elif organ_code is None:
        organ_code = principal.organ_code
    elif organ_code != principal.organ_code:
        raise Forbidden("只能查看本机关的报表 / staff see their own organ's report only")
    assert organ_code is not None
    organ = get_organ(session, organ_code)
    organs = _departments(session, organ) if include_departments else [organ]
    return Scope(organ, organs, include_departments)


def today(rt: Runtime) -> date:
    return rt.clock().astimezone(rt.tz).date()


def check_year(rt: Runtime, year: int) -> Period:
    current = today(rt).year
    if not FIRST_YEAR <= year <= current:
        raise InvalidInput(
            ("path", "year"),
            f"年度须在 {FIRST_YEAR}–{current} 之间 / the year must be {FIRST_YEAR}–{current}",
        )
    return Period(year)


def _href(year: int, row: str, col: str, sc: Scope) -> str:
    return f"/api/v1/reports/annual/{year}/cells/{row}/{col}?{sc.query()}"


def _col(c: Column) -> ColumnRead:
    return ColumnRead(key=c.key, label=c.label, heading=c.heading)


def count_tables(
    session: Session, sc: Scope, period: Period
) -> tuple[tables.Cells, tables.Cells, int]:
    """Both tables, counted by the database and checked; raises naming a failing cell."""
    t3 = tables.table3(counts.table3_groups(session, sc.organ_ids, period))
    t4 = tables.table4(counts.table4_groups(session, sc.organ_ids, period))
    checked = tables.ensure_consistent(t3, t4)
    return t3, t4, checked


def annual_report(
    session: Session,
    rt: Runtime,
    principal: Principal,
    year: int,
    organ_code: str | None,
    include_departments: bool = False,
) -> AnnualReport:
    period = check_year(rt, year)
    sc = scope(session, principal, organ_code, include_departments)
    return _report(session, rt, sc, period)


def _report(session: Session, rt: Runtime, sc: Scope, period: Period) -> AnnualReport:
    t3, t4, checked = count_tables(session, sc, period)
    year = period.year
    lock = None if sc.include_departments else _lock(session, sc.organ.id, year)
    return AnnualReport(
        organ=OrganRef(code=sc.organ.code, name=sc.organ.name),
        organs_included=[OrganRef(code=o.code, name=o.name) for o in sc.organs],
        year=year,
        as_of=today(rt),
        year_complete=year < today(rt).year,
        table3=Table3Read(
            title=layout.TABLE3_TITLE,
            applicant_heading=layout.APPLICANT_HEADING,
            results_heading=layout.RESULTS_HEADING,
            columns=[_col(c) for c in layout.TABLE3_COLUMNS],
            rows=[
                Table3Row(
                    key=r.key,
                    label=r.label,
                    group=r.group,
                    cells=[
                        CellRead(
                            column=c.key, value=t3[r.key][c.key], href=_href(year, r.key, c.key, sc)
                        )
                        for c in layout.TABLE3_COLUMNS
                    ],
                )
                for r in layout.TABLE3_ROWS
            ],
        ),
        table4=Table4Read(
            title=layout.TABLE4_TITLE,
            columns=[_col(c) for c in layout.TABLE4_COLUMNS],
            groups=[
                Table4Group(
                    key=g.key,
                    label=g.label,
                    heading=g.heading or g.label,
                    cells=[
                        CellRead(
                            column=c.key, value=t4[g.key][c.key], href=_href(year, g.key, c.key, sc)
                        )
                        for c in layout.TABLE4_COLUMNS
                    ],
                )
                for g in layout.TABLE4_GROUPS
            ],
        ),
        identities_checked=checked,
        lock=None if lock is None else _lock_read(session, lock, t3, t4),
    )


# --- the drill-down -------------------------------------------------------------------------


def drill_down(
    session: Session,
    rt: Runtime,
    principal: Principal,
    year: int,
    row: str,
    col: str,
    organ_code: str | None,
    include_departments: bool,
    page: int,
    page_size: int,
) -> DrillDown:
    """The cases behind one number of the report, in receipt order; `count` equals the number."""
    period = check_year(rt, year)
    sc = scope(session, principal, organ_code, include_departments)
    codes = {o.id: o.code for o in sc.organs}
    if row in layout.TABLE3_ROW_KEYS and col in layout.TABLE3_COLUMN_KEYS:
        cond = row_condition(period, row)
        if col != TOTAL:
            cond = cond & (Case.applicant_category == col)
        where = (Case.organ_id.in_(sc.organ_ids), cond)
        total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
        found = session.scalars(
            select(Case)
            .where(*where)
            .order_by(Case.receipt_date, Case.number)
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        items = [_drill_case(c, codes) for c in found]
        table, row_def, col_def = "三", layout.TABLE3_ROW_KEYS[row], layout.TABLE3_COLUMN_KEYS[col]
        row_read = ColumnRead(key=row, label=row_def.label, heading=row_def.group)
    elif row in layout.TABLE4_GROUP_KEYS and col in layout.TABLE4_COLUMN_KEYS:
        where4 = [
            Case.organ_id.in_(sc.organ_ids),
            counted_type(),
            remedy_filed_in(period),
            RemedyRecord.kind == row,
        ]
        if col != TOTAL:
            where4.append(remedy_status(period) == col)
        base = select(RemedyRecord, Case).join(Case, Case.id == RemedyRecord.case_id).where(*where4)
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
        pairs = session.execute(
            base.order_by(RemedyRecord.filed_on, RemedyRecord.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        items = [_drill_remedy(r, c, codes) for r, c in pairs]
        table, col_def = "四", layout.TABLE4_COLUMN_KEYS[col]
        row_read = _col(layout.TABLE4_GROUP_KEYS[row])
    else:
        raise NotFound(
            f"报表中没有 {row}/{col} 这一格 / the report has no cell {row}/{col}",
            table3_rows=list(layout.TABLE3_ROW_KEYS),
            table3_columns=list(layout.TABLE3_COLUMN_KEYS),
            table4_rows=list(layout.TABLE4_GROUP_KEYS),
            table4_columns=list(layout.TABLE4_COLUMN_KEYS),
        )
    return DrillDown(
        year=year,
        table=table,
        row=row_read,
        column=_col(col_def),
        count=total,
        page=page,
        page_size=page_size,
        cases=items,
    )


def _drill_case(c: Case, codes: dict[int, str]) -> DrillCase:
    o = OUTCOMES.get(c.outcome or "")
    return DrillCase(
        id=c.id,
        number=c.number,
        organ=codes[c.organ_id],
        applicant_category=c.applicant_category,
        receipt_date=c.receipt_date,
        concluded_on=c.concluded_on,
        state=c.state,
        outcome=c.outcome,
        outcome_label=o.label if o else None,
    )


def _drill_remedy(r: RemedyRecord, c: Case, codes: dict[int, str]) -> DrillCase:
    return _drill_case(c, codes).model_copy(
        update={
            "remedy_id": r.id,
            "remedy_kind": r.kind,
            "remedy_filed_on": r.filed_on,
            "remedy_result": r.result,
            "remedy_result_on": r.result_on,
            "remedy_subject": r.subject,
        }
    )


# --- publishing: the year lock and overrides ------------------------------------------------


def _lock(session: Session, organ_id: int, year: int) -> ReportLock | None:
    return session.scalars(
        select(ReportLock).where(ReportLock.organ_id == organ_id, ReportLock.year == year)
    ).first()


def _lock_read(session: Session, lock: ReportLock, t3: tables.Cells, t4: tables.Cells) -> LockRead:
    rows = session.execute(
        select(ReportOverride, Case.number)
        .join(Case, Case.id == ReportOverride.case_id)
        .where(ReportOverride.lock_id == lock.id)
        .order_by(ReportOverride.id)
    )
    changed = [
        ChangedCell(table=name, row=row, column=col, published=n, current=current[row][col])
        for name, current in (("三", t3), ("四", t4))
        for row, cols in lock.published["table3" if name == "三" else "table4"].items()
        for col, n in cols.items()
        if current.get(row, {}).get(col) != n
    ]
    return LockRead(
        year=lock.year,
        locked_at=lock.locked_at,
        locked_by=lock.locked_by,
        overrides=[_override_read(o, number) for o, number in rows],
        changed_since_publication=changed,
    )


def _override_read(o: ReportOverride, number: str) -> OverrideRead:
    return OverrideRead(
        id=o.id,
        case_id=o.case_id,
        case_number=number,
        reason=o.reason,
        granted_by=o.granted_by,
        granted_at=o.granted_at,
        used_at=o.used_at,
        used_by=o.used_by,
        used_action=o.used_action,
        used_cells=o.used_cells,
    )


class AlreadyLocked(Conflict):
    code = "report-already-locked"
    title = "该年度报告已发布 / The year's report is already published"


class YearNotOver(Conflict):
    code = "report-year-not-over"
    title = "年度尚未结束 / The year is not over"


def lock_year(
    session: Session, rt: Runtime, principal: Principal, year: int, organ_code: str | None
) -> AnnualReport:
    """Publish: freeze the year's numbers for the organ (approver or administrator)."""
    period = check_year(rt, year)
    if year >= today(rt).year:
        raise YearNotOver(
            f"{year} 年尚未结束，不能发布 / {year} is not over; publish it from 1 January",
            year=year,
        )
    sc = scope(session, principal, organ_code, False)
    if _lock(session, sc.organ.id, year) is not None:
        raise AlreadyLocked(f"{year} 年度报告已发布 / {year} is already published", year=year)
    t3, t4, _ = count_tables(session, sc, period)
    session.add(
        ReportLock(
            organ_id=sc.organ.id,
            year=year,
            locked_at=rt.clock(),
            locked_by=principal.name,
            locked_by_user_id=principal.user_id,
            published={"table3": t3, "table4": t4},
        )
    )
    try:
        session.flush()
    except IntegrityError:  # a concurrent publish of the same year won the race
        raise AlreadyLocked(
            f"{year} 年度报告已发布 / {year} is already published", year=year
        ) from None
    return _report(session, rt, sc, period)


def grant_override(
    session: Session,
    rt: Runtime,
    principal: Principal,
    year: int,
    organ_code: str | None,
    data: OverrideCreate,
) -> OverrideRead:
    """An administrator lets the next change of one case alter the locked year, with a reason
    that goes on the case's timeline now and on the report for good."""
    check_year(rt, year)
    sc = scope(session, principal, organ_code, False)
    lock = _lock(session, sc.organ.id, year)
    if lock is None:
        raise Conflict(f"{year} 年度尚未发布，无需授权 / {year} is not locked", year=year)
    case = session.get(Case, data.case_id)
    if case is None or case.organ_id != sc.organ.id:
        raise NotFound(f"本机关没有案件 {data.case_id} / no such case in the organ")
    now = rt.clock()
    override = ReportOverride(
        lock_id=lock.id,
        case_id=case.id,
        reason=data.reason,
        granted_by=principal.name,
        granted_by_user_id=principal.user_id,
        granted_at=now,
    )
    session.add(override)
    session.flush()
    record_beside(
        session,
        rt,
        case,
        Actor.of(principal),
        "grant_report_override",
        {"year": year, "override_id": override.id, "reason": data.reason},
        now=now,
    )
    return _override_read(override, case.number)


def grant_override_for_number(
    session: Session,
    rt: Runtime,
    principal: Principal,
    year: int,
    organ_code: str | None,
    number: str,
    reason: str,
) -> OverrideRead:
    """grant_override for the case the organ registered under `number` (the workbench's form
    names a case as staff know it)."""
    check_year(rt, year)
    sc = scope(session, principal, organ_code, False)
    case_id = session.scalar(
        select(Case.id).where(Case.organ_id == sc.organ.id, Case.number == number)
    )
    if case_id is None:
        raise InvalidInput(
            ("body", "case_number"),
            f"本机关没有编号为 {number} 的案件 / no case {number} in the organ",
        )
    data = OverrideCreate(case_id=case_id, reason=reason)
    return grant_override(session, rt, principal, year, organ_code, data)

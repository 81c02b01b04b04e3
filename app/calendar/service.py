"""The official calendar as stored data: the runtime's source, start-up sync, reading and loading.

The table calendar_years is the record of which notice applies. At start-up the shipped years
(workflows/calendar/*.yaml) are synced into it: a missing year is inserted, a shipped year whose
file changed is updated, a year an admin loaded or changed is never touched. Any change, at
start-up, through the API or the CLI, recomputes the open cases' deadlines in the same
transaction (app.calendar.recompute).

Every process keeps the calendar it built in a CalendarSource and checks a cheap stamp of the
table (count and latest change) at most every few seconds, so a change made by another process
or the CLI is picked up without a restart; the process that made the change swaps at once, right
after its commit. The check runs on the connection of the next session that begins a
transaction, never on a connection of its own: a request holding a connection must not ask the
pool for a second one (under a burst that deadlocks the pool until it times out).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.audit.chain import AuditKey, json_safe
from app.audit.keys import audit_key
from app.calendar import repository
from app.calendar.recompute import CalendarChange, RecomputeReport, recompute_after
from app.calendar.repository import Stamp, YearRow
from app.calendar.schemas import (
    CalendarYearData,
    CalendarYearRead,
    CalendarYearWritten,
    DatedName,
    RecomputeRead,
    WorkingDaysRead,
    YearUsed,
)
from app.db import SessionFactories
from app.deadline.calendar import (
    PROVISIONAL_REFERENCE,
    CalendarYear,
    WorkCalendar,
    load_calendar_dir,
)
from app.errors import InvalidInput, NotFound
from app.workflow.definition import WorkflowDef

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger("gongkai.calendar")

SHIPPED = "shipped"
ADMIN = "admin"
MAX_WORKING_DAYS = 1000


def stored_data(cy: CalendarYear) -> dict[str, Any]:
    """The year as stored in calendar_years.data: the YAML shape, dates as ISO strings."""
    data: dict[str, Any] = json_safe(cy.to_mapping())
    return data


def year_version(cy: CalendarYear) -> str:
    """A short content hash of one year's data."""
    canonical = json.dumps(stored_data(cy), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _parse_rows(rows: Iterable[YearRow]) -> dict[int, CalendarYear]:
    years: dict[int, CalendarYear] = {}
    for row in rows:
        try:
            years[row.year] = CalendarYear.from_mapping(row.data)
        except ValueError as exc:
            # Written only through validation, so this is damage: say so, and leave the year out.
            log.error("calendar_years %d cannot be read and is ignored: %s", row.year, exc)
    return years


def effective_calendar(
    shipped: Mapping[int, CalendarYear], rows: Iterable[YearRow]
) -> WorkCalendar:
    """The stored years, plus any shipped year not stored yet (a database not synced yet)."""
    return WorkCalendar({**shipped, **_parse_rows(rows)}.values())


class CalendarSource:
    """The process's current WorkCalendar, rebuilt when the stored years change."""

    def __init__(
        self,
        read: sessionmaker[Session],
        shipped: Sequence[CalendarYear],
        *,
        check_every: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self.shipped: Mapping[int, CalendarYear] = {cy.year: cy for cy in shipped}
        self._check_every = check_every
        self._now = monotonic
        self._lock = threading.Lock()
        self._calendar = WorkCalendar(self.shipped.values())
        self._stamp: Stamp | None = None
        self._next_check = float("-inf")

    def follow(self, *factories: sessionmaker[Session]) -> None:
        """Check the table's stamp, when due, as a session of these factories begins a
        transaction, on that transaction's own connection."""
        for factory in factories:
            event.listen(factory, "after_begin", self._on_begin)

    def current(self) -> WorkCalendar:
        """The calendar as last checked (no I/O: the sessions followed keep it fresh)."""
        return self._calendar

    def refresh(self) -> WorkCalendar:
        """Check the table now, in a session of its own (start-up, tools, tests)."""
        with self._lock, self._read() as session:
            self._check(session.connection())
        return self._calendar

    def publish(self, calendar: WorkCalendar, stamp: Stamp) -> None:
        """Use a calendar this process has just committed to the table."""
        with self._lock:
            self._calendar, self._stamp = calendar, stamp
            self._next_check = self._now() + self._check_every

    def _on_begin(self, _session: Session, _transaction: Any, connection: Connection) -> None:
        if self._now() < self._next_check:
            return
        # One thread checks; the others keep using the calendar they have meanwhile.
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._check(connection)
        finally:
            self._lock.release()

    def _check(self, connection: Connection) -> None:
        self._next_check = self._now() + self._check_every
        try:
            # In a savepoint: a failed read must not spoil the transaction it rides on.
            with connection.begin_nested():
                stamp = repository.stamp(connection)
                if stamp == self._stamp:
                    return
                rows = repository.all_years(connection)
        except SQLAlchemyError as exc:
            # No table yet (not migrated) or the database is away: keep what we have.
            log.warning("calendar: cannot read calendar_years (%s)", type(exc).__name__)
            return
        calendar = effective_calendar(self.shipped, rows)
        if calendar.version != self._calendar.version:
            log.info("calendar: now %r", calendar)
        self._calendar, self._stamp = calendar, stamp


def start_calendar_source(
    sessions: SessionFactories,
    calendar_dir: Path,
    *,
    workflow: WorkflowDef,
    tz: ZoneInfo,
    now: datetime,
    key: AuditKey,
) -> CalendarSource:
    """Load the shipped years, sync them into the table, and build the first calendar."""
    source = CalendarSource(sessions.read, load_calendar_dir(calendar_dir))
    try:
        with sessions.read() as session:
            pending = _sync_pending(source.shipped, repository.all_years(session))
        if pending:
            with sessions.write.begin() as session:
                sync_shipped(session, source.shipped, workflow=workflow, tz=tz, now=now, key=key)
    except SQLAlchemyError as exc:
        log.warning(
            "calendar: shipped years not synced into the database (%s); using the files",
            type(exc).__name__,
        )
    source.refresh()
    source.follow(sessions.read, sessions.write)
    return source


def _sync_pending(shipped: Mapping[int, CalendarYear], rows: Iterable[YearRow]) -> list[int]:
    stored = {r.year: r for r in rows}
    return [
        year
        for year, cy in shipped.items()
        if year not in stored
        or (stored[year].source == SHIPPED and stored[year].data != stored_data(cy))
    ]


def sync_shipped(
    session: Session,
    shipped: Mapping[int, CalendarYear],
    *,
    workflow: WorkflowDef,
    tz: ZoneInfo,
    now: datetime,
    key: AuditKey,
) -> RecomputeReport | None:
    """Insert missing shipped years, update changed shipped ones, recompute if any moved."""
    repository.lock_for_recompute(session)
    before = repository.all_years(session)
    stored = {r.year: r for r in before}
    pending = _sync_pending(shipped, before)
    if not pending:
        return None
    at = _change_time(before, now)
    rows = [
        {"year": y, "data": stored_data(shipped[y]), "source": SHIPPED, "updated_at": at}
        for y in pending
    ]
    loaded = tuple(repository.insert_years(session, [r for r in rows if r["year"] not in stored]))
    changed = tuple(r["year"] for r in rows if r["year"] in stored)
    for r in rows:
        if r["year"] in stored:
            repository.update_year(session, r)
    change = CalendarChange(
        # The table is the record of what applied before: a year only shipped did not count yet.
        old=WorkCalendar(_parse_rows(before).values()),
        new=effective_calendar(shipped, repository.all_years(session)),
        loaded=loaded,
        changed=changed,
    )
    report = recompute_after(session, change, workflow=workflow, tz=tz, now=now, key=key)
    log.info("calendar: %s; %d open case(s) moved", change.reason, report.moved)
    return report


def _change_time(rows: Sequence[YearRow], now: datetime) -> datetime:
    # The stamp other processes compare must move on every change, even within one clock tick.
    latest = max((r.updated_at for r in rows), default=None)
    if latest is None or now > latest:
        return now
    return latest + timedelta(milliseconds=1)


# --------------------------------------------------------------------------------------------
# Reading and writing one year
# --------------------------------------------------------------------------------------------


def _no_data(year: int) -> NotFound:
    return NotFound(
        f"没有 {year} 年的放假安排数据：跨入该年的期限暂按周一至周五（仅扣除周末）计算，并标注为暂定"
        f" / no calendar data for {year}: deadlines reaching into {year} are computed "
        "provisionally with weekends only (Monday to Friday count) and marked provisional",
        year=year,
        provisional=True,
    )


def _read(cy: CalendarYear, row: YearRow | None, calendar: WorkCalendar) -> dict[str, Any]:
    return {
        "year": cy.year,
        "source": row.source if row else SHIPPED,
        "version": year_version(cy),
        "updated_at": row.updated_at if row else None,
        "updated_by_id": row.updated_by_id if row else None,
        "calendar_version": calendar.version,
        "data": CalendarYearData.model_validate(cy.to_mapping()),
    }


def get_year(session: Session, rt: Runtime, year: int) -> CalendarYearRead:
    """One year's stored data, or 404 saying deadlines into it are provisional."""
    row = next((r for r in repository.all_years(session) if r.year == year), None)
    cy = _parse_rows([row]).get(year) if row is not None else rt.calendars.shipped.get(year)
    if cy is None:
        raise _no_data(year)
    return CalendarYearRead(**_read(cy, row, rt.calendar))


def list_years(session: Session, rt: Runtime) -> list[CalendarYearRead]:
    """Every year with data, stored or shipped, newest first."""
    rows = {r.year: r for r in repository.all_years(session)}
    parsed = _parse_rows(rows.values())
    years = {**rt.calendars.shipped, **parsed}
    return [
        CalendarYearRead(**_read(years[y], rows.get(y), rt.calendar))
        for y in sorted(years, reverse=True)
    ]


def parse_year(year: int, data: CalendarYearData) -> CalendarYear:
    """The year the body describes, or 422: path and body years agree, the days make sense."""
    if data.year != year:
        raise InvalidInput(
            ("body", "year"),
            f"路径中的年份 {year} 与内容中的年份 {data.year} 不一致 / the path says {year} but "
            f"the body says {data.year}",
        )
    try:
        return CalendarYear.from_mapping(data.model_dump(by_alias=True))
    except ValueError as exc:
        raise InvalidInput(("body",), f"放假安排数据有误 / invalid calendar data: {exc}") from None


@dataclass(frozen=True)
class Loaded:
    """A year after load_year: its row, the calendar now in force, and the recompute's report."""

    year: CalendarYear
    row: YearRow
    calendar: WorkCalendar
    change: CalendarChange | None  # None when the data was already stored as given
    report: RecomputeReport | None


def load_year(session: Session, rt: Runtime, cy: CalendarYear, *, user_id: int | None) -> Loaded:
    """Store a year as admin data and recompute the open cases' deadlines, in one transaction.

    The process's calendar switches right after the caller commits; other processes notice
    within CalendarSource's check interval.
    """
    repository.lock_for_recompute(session)
    before = repository.all_years(session)
    existing = next((r for r in before if r.year == cy.year), None)
    old = effective_calendar(rt.calendars.shipped, before)
    if existing is not None and existing.data == stored_data(cy):
        return Loaded(cy, existing, old, None, None)
    now = rt.clock()
    values = {
        "year": cy.year,
        "data": stored_data(cy),
        "source": ADMIN,
        "updated_at": _change_time(before, now),
        "updated_by_id": user_id,
    }
    if existing is None:
        repository.insert_years(session, [values])
    else:
        repository.update_year(session, values)
    after = repository.all_years(session)
    new = effective_calendar(rt.calendars.shipped, after)
    change = CalendarChange(
        old=old,
        new=new,
        loaded=(cy.year,) if existing is None else (),
        changed=() if existing is None else (cy.year,),
    )
    report = recompute_after(
        session, change, workflow=rt.workflow, tz=rt.tz, now=now, key=audit_key(rt.settings)
    )
    log.info(
        "calendar: %s; %d of %d open case(s) moved in %.2f s",
        change.reason,
        report.moved,
        report.scanned,
        report.total_s,
    )
    stamp = repository.stamp(session)
    _after_commit(session, lambda: rt.calendars.publish(new, stamp))
    row = next(r for r in after if r.year == cy.year)
    return Loaded(cy, row, new, change, report)


def put_year(
    session: Session, rt: Runtime, user_id: int | None, year: int, data: CalendarYearData
) -> CalendarYearWritten:
    """Validate and load a year (see load_year)."""
    loaded = load_year(session, rt, parse_year(year, data), user_id=user_id)
    recompute = None
    if loaded.change is not None and loaded.report is not None:
        recompute = RecomputeRead(
            reason=loaded.change.reason,
            cases_scanned=loaded.report.scanned,
            cases_moved=loaded.report.moved,
            seconds=round(loaded.report.total_s, 3),
        )
    return CalendarYearWritten(
        **_read(loaded.year, loaded.row, loaded.calendar),
        changed=recompute is not None,
        recompute=recompute,
    )


def _after_commit(session: Session, callback: Callable[[], None]) -> None:
    def fire(_session: Session) -> None:
        callback()

    event.listen(session, "after_commit", fire, once=True)


def load_year_file(session: Session, rt: Runtime, path: Path) -> CalendarYearWritten:
    """Load a year from a YAML file in the shape of workflows/calendar/<year>.yaml."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = CalendarYearData.model_validate(raw)
    return put_year(session, rt, None, data.year, data)


# --------------------------------------------------------------------------------------------
# Working days
# --------------------------------------------------------------------------------------------


def working_days(calendar: WorkCalendar, start_text: str, days: int) -> WorkingDaysRead:
    """The date `days` working days after the start, with why."""
    try:
        start = date.fromisoformat(start_text)
    except ValueError:
        raise InvalidInput(
            ("query", "from"), f"日期无效 / not a valid date: {start_text!r}"
        ) from None
    try:
        why = calendar.explain(start, days)
    except (ValueError, OverflowError):
        raise InvalidInput(
            ("query", "days"),
            f"结果超出 9999-12-31 / {days} working days after {start} is past 9999-12-31",
        ) from None
    return WorkingDaysRead(
        from_=start,
        days=days,
        due_date=why.due_date,
        provisional=why.provisional,
        explanation=why.summary(),
        days_off_skipped=[DatedName(date=d, name=n) for d, n in why.days_off_skipped],
        weekend_days_skipped=why.weekend_days_skipped,
        makeup_days_counted=[DatedName(date=d, name=n) for d, n in why.makeup_days_counted],
        years_used=[
            YearUsed(
                year=y,
                reference=None if ref == PROVISIONAL_REFERENCE else ref,
                provisional=ref == PROVISIONAL_REFERENCE,
            )
            for y, ref in why.years_used
        ],
        calendar_version=why.calendar_version,
    )

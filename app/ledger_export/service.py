"""The ledger (台账) export: who may export which organ, the range, the rows, the file.

Rows are the applications whose receipt date is in the range, both ends included; one whose
receipt is not confirmed yet (no receipt date) is filed under the Beijing date it arrived. They
are ordered by that date, then by registration number.

A range spans at most MAX_RANGE_DAYS days (a year, leap years included), between EARLIEST and
LATEST: memory stays flat for any range (rows are streamed), but a range bounds how long one
export keeps a worker and a database connection busy; a longer period is exported year by
year.
"""

from __future__ import annotations

import heapq
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import IO

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import DomainError, Forbidden, InvalidInput, NotFound
from app.ledger_export import repository, writers
from app.ledger_export.negotiation import MEDIA_TYPES, Format, negotiate
from app.ledger_export.rows import (
    COLUMNS,
    NO_LETTERS,
    Cell,
    LedgerCase,
    ledger_day,
    ledger_row,
    remedy_windows,
    sort_key,
)
from app.remedies.facts import remedy_facts_of
from app.runtime import Runtime
from app.workflow.definition import WorkflowDef

# Roles that read every case of their own organ; a platform admin names the organ.
ORGAN_READERS = (Role.clerk, Role.approver, Role.supervisor, Role.front_desk)
EXPORTERS = (*ORGAN_READERS, Role.admin)

MAX_RANGE_DAYS = 366
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
# Cases per batch: their items and letters are read with one query each.
BATCH = 500
FILE_CHUNK = 64 * 1024


class NotAcceptable(DomainError):
    status = 406
    code = "not-acceptable"
    title = "无法提供所要求的格式 / Not acceptable"


@dataclass(frozen=True)
class LedgerRequest:
    start: date
    end: date
    format: Format | None = None
    accept: str | None = None
    organ: str | None = None


@dataclass(frozen=True)
class Scope:
    organ_id: int
    organ_code: str
    start: date
    end: date


@dataclass(frozen=True)
class LedgerFile:
    filename: str  # 台账_{organ}_{from}_{to}.{ext}
    ascii_filename: str
    media_type: str
    chunks: Iterator[bytes]
    size: int | None  # unknown for a stream


def export_ledger(
    session: Session, rt: Runtime, principal: Principal, req: LedgerRequest
) -> LedgerFile:
    """The organ's ledger for the range, as CSV (streamed) or XLSX."""
    organ_id, organ_code = _organ(session, rt, principal, req.organ)
    _check_range(req.start, req.end)
    fmt = negotiate(req.format, req.accept)
    if fmt is None:
        raise NotAcceptable(
            "可提供 text/csv 或 XLSX，或用 format=csv|xlsx 指定 / available as text/csv or "
            f"{MEDIA_TYPES['xlsx']}; or ask with format=csv|xlsx",
            available=list(MEDIA_TYPES.values()),
        )
    scope = Scope(organ_id, organ_code, req.start, req.end)
    stem = f"{organ_code}_{req.start.isoformat()}_{req.end.isoformat()}.{fmt}"
    if fmt == "csv":
        chunks, size = _csv(rt, scope), None
    else:
        chunks, size = _xlsx(session, rt, scope)
    return LedgerFile(
        filename=f"台账_{stem}",
        ascii_filename=f"ledger_{stem}",
        media_type=MEDIA_TYPES[fmt],
        chunks=chunks,
        size=size,
    )


def _organ(
    session: Session, rt: Runtime, principal: Principal, code: str | None
) -> tuple[int, str]:
    """The organ to export: the caller's own, or for a platform admin the one named."""
    own = principal.organ_id is not None and principal.has_any(*ORGAN_READERS)
    if own and (code is None or code == principal.organ_code):
        assert principal.organ_id is not None
        assert principal.organ_code is not None
        return principal.organ_id, principal.organ_code
    if principal.is_admin:
        if code is None:
            raise InvalidInput(
                "organ", "平台管理员须用 organ 参数指定机关代码 / an admin must name the organ"
            )
        organ = rt.organs.by_code(session, code)
        if organ is None:
            raise NotFound(f"机关 {code} 不存在 / organ {code} not found", organ=code)
        return organ.id, organ.code
    raise Forbidden("只能导出本机关的台账 / only your own organ's ledger may be exported")


def _check_range(start: date, end: date) -> None:
    for field, day in (("from", start), ("to", end)):
        if not EARLIEST <= day <= LATEST:
            raise InvalidInput(
                field, f"日期须在 {EARLIEST} 至 {LATEST} 之间 / must be in {EARLIEST}..{LATEST}"
            )
    if start > end:
        raise InvalidInput("from", "起始日期晚于截止日期 / from is after to")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(
            "to",
            f"一次最多导出 {MAX_RANGE_DAYS} 天，请按年度分次导出 / at most {MAX_RANGE_DAYS} "
            "days per export; export a longer period year by year",
        )


def ledger_rows(session: Session, rt: Runtime, scope: Scope) -> Iterator[tuple[Cell, ...]]:
    """The ledger's rows in order, read a batch of cases at a time."""
    tz = rt.tz
    today = rt.clock().astimezone(tz).date()
    label = _state_labels(*rt.workflows.values())
    for batch in _batches(_cases_in_order(session, scope, tz), BATCH):
        ids = [c.id for c in batch]
        items = repository.items_of(session, ids)
        letters = repository.letters_of(session, ids)
        facts = remedy_facts_of(session, [(c.id, c.outcome) for c in batch])
        for case in batch:
            yield ledger_row(
                case,
                items.get(case.id, ()),
                letters.get(case.id, NO_LETTERS),
                state_label=label,
                tz=tz,
                windows=remedy_windows(rt.calendar, case.served_on, facts[case.id], today),
            )


def _cases_in_order(session: Session, scope: Scope, tz: tzinfo) -> Iterator[LedgerCase]:
    """Received cases and unconfirmed ones, merged by (date, number): two sorted streams."""
    arrived_from = datetime.combine(scope.start, time.min, tz).astimezone(UTC)
    arrived_before = datetime.combine(scope.end + timedelta(days=1), time.min, tz).astimezone(UTC)
    received = repository.received_cases(
        session, scope.organ_id, scope.start, scope.end, batch=BATCH
    )
    unconfirmed = repository.unconfirmed_cases(
        session, scope.organ_id, arrived_from, arrived_before, batch=BATCH
    )
    return heapq.merge(
        received, _by_day_then_number(unconfirmed, tz), key=lambda c: sort_key(c, tz)
    )


def _by_day_then_number(cases: Iterator[LedgerCase], tz: tzinfo) -> Iterator[LedgerCase]:
    # In arrival order, so each day's cases come together; sort within the day by number.
    for _, day in itertools.groupby(cases, key=lambda c: ledger_day(c, tz)):
        yield from sorted(day, key=lambda c: sort_key(c, tz))


def _batches(cases: Iterable[LedgerCase], size: int) -> Iterator[list[LedgerCase]]:
    it = iter(cases)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _state_labels(*workflows: WorkflowDef) -> Callable[[str], str]:
    # The case types share their state codes and labels (received, replied, ...).
    labels = {code: s.label for wf in reversed(workflows) for code, s in wf.states.items()}
    return lambda code: labels.get(code, code)


def _csv(rt: Runtime, scope: Scope) -> Iterator[bytes]:
    # The request's session is closed before the body is sent, so the stream reads in a
    # session of its own: one read transaction for the whole file, opened at the first chunk.
    with rt.sessions.read() as session:
        yield from writers.csv_chunks(COLUMNS, ledger_rows(session, rt, scope))


def _xlsx(session: Session, rt: Runtime, scope: Scope) -> tuple[Iterator[bytes], int]:
    # Built before the response starts, so a failure is still an error response; the file
    # lives on disk (gone when closed), never in memory.
    out = tempfile.TemporaryFile(prefix="gongkai-ledger-")  # noqa: SIM115 (closed by the stream)
    try:
        writers.write_xlsx(
            COLUMNS, ledger_rows(session, rt, scope), out, max_rows=writers.XLSX_MAX_DATA_ROWS
        )
    except writers.TooManyRows:
        out.close()
        raise InvalidInput(
            "to",
            f"超过 XLSX 工作表的 {writers.XLSX_MAX_DATA_ROWS} 行上限，请缩短日期范围或导出 CSV / "
            "more rows than an XLSX sheet holds: use a shorter range or format=csv",
        ) from None
    except BaseException:
        out.close()
        raise
    size = out.tell()
    out.seek(0)
    return _read_chunks(out), size


def _read_chunks(out: IO[bytes]) -> Iterator[bytes]:
    with out:
        while chunk := out.read(FILE_CHUNK):
            yield chunk

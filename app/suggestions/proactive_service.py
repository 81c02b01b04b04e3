"""The organ-wide view of Art. 44: information several applicants asked for, grouped.

A suggestion only: whether information goes into proactive disclosure is the organ's decision,
taken by those who answer applications and sign the answers off; reading changes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.errors import InvalidInput, NotFound
from app.outcomes import OUTCOMES
from app.runtime import Runtime
from app.suggestions import proactive_repository as repository
from app.suggestions.proactive import ItemGroup, RequestedItem, art44_window, group_requests
from app.suggestions.proactive_repository import ItemRow
from app.suggestions.proactive_schemas import (
    ProactiveCase,
    ProactiveGroup,
    ProactiveItem,
    ProactiveReportRead,
)
from app.suggestions.similarity import ART44_THRESHOLD

# Items grouped at most, the most recent cases first; a window holding more says so
# (`truncated`). bench/proactive.py, on a 2-core machine: 20,000 generated items take about
# 2.4 s of CPU, 50,000 about 16 s (the filter's work grows faster than the items).
MAX_ITEMS = 20_000
# Applications listed per group, the most recent first; the group counts them all.
CASES_PER_GROUP = 100
# Answers telling the applicant the information is or was made available.
DISCLOSING = frozenset({"disclosed", "partially_disclosed", "already_public"})
# Days the window may name: wide, but with room to turn a day into an instant in any zone.
EARLIEST = date(1900, 1, 1)
LATEST = date(9998, 12, 31)


@dataclass(frozen=True)
class ReportQuery:
    organ: str | None
    since: date | None
    until: date | None
    min_applicants: int
    page: int
    page_size: int


def _organ(
    session: Session, rt: Runtime, principal: Principal, code: str | None
) -> tuple[int, str]:
    """The organ reported on: the caller's own; an administrator names one."""
    if principal.is_admin:
        code = code or principal.organ_code
        if code is None:
            raise InvalidInput(
                ("query", "organ"),
                "平台管理员须以 organ 参数指定机关 / an administrator names the organ (?organ=CODE)",
            )
        organ = rt.organs.by_code(session, code)
        if organ is None:
            raise NotFound(f"机关 {code} 不存在 / organ {code} not found")
        return organ.id, organ.code
    if principal.organ_id is None or principal.organ_code is None:
        raise NotFound("没有所属机关 / no organ")
    if code is not None and code != principal.organ_code:
        # Another organ answers like a missing one: staff see their own organ only.
        raise NotFound(f"机关 {code} 不存在 / organ {code} not found")
    return principal.organ_id, principal.organ_code


def _window(today: date, since: date | None, until: date | None) -> tuple[date, date]:
    last = until or today
    # The bounds are checked before the default window is derived from `until` (a day near
    # 0001-01-01 has no window before it).
    for field, day in (("since", since), ("until", last)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise InvalidInput(
                ("query", field), f"日期须在 {EARLIEST} 至 {LATEST} 之间 / date out of range"
            )
    first = since or max(art44_window(last)[0], EARLIEST)
    if first > last:
        raise InvalidInput(
            ("query", "since"), "起始日晚于截止日 / since is after until", since=first, until=last
        )
    return first, last


def _received_on(row: ItemRow, rt: Runtime) -> date:
    return row.receipt_date or row.arrived_at.astimezone(rt.tz).date()


def _case(rt: Runtime, rows: list[ItemRow]) -> ProactiveCase:
    head = rows[0]
    outcome = OUTCOMES.get(head.outcome) if head.outcome else None
    return ProactiveCase(
        case_id=head.case_id,
        number=head.number,
        received_on=_received_on(head, rt),
        receipt_date=head.receipt_date,
        state=head.state,
        state_label=rt.workflow.label(head.state),
        outcome=head.outcome,
        outcome_label=outcome.label if outcome else None,
        items=[
            ProactiveItem(
                position=r.position, description=r.description, document_number=r.document_number
            )
            for r in sorted(rows, key=lambda r: r.position)
        ],
    )


def _group(rt: Runtime, rows: list[ItemRow], group: ItemGroup) -> ProactiveGroup:
    by_case: defaultdict[int, list[ItemRow]] = defaultdict(list)
    for i in group.items:
        by_case[rows[i].case_id].append(rows[i])
    recent = sorted(
        by_case.values(), key=lambda rs: (_received_on(rs[0], rt), rs[0].case_id), reverse=True
    )
    numbers = Counter(n for i in group.items if (n := (rows[i].document_number or "").strip()))
    return ProactiveGroup(
        representative=rows[group.representative].description,
        document_number=numbers.most_common(1)[0][0] if numbers else None,
        applicants=group.applicants,
        case_count=group.cases,
        item_count=len(group.items),
        first_received_on=group.first_received_on,
        last_received_on=group.last_received_on,
        any_disclosed=any(rows[i].outcome in DISCLOSING for i in group.items),
        cases=[_case(rt, rs) for rs in recent[:CASES_PER_GROUP]],
    )


def proactive_report(
    session: Session, rt: Runtime, principal: Principal, q: ReportQuery
) -> ProactiveReportRead:
    """Groups of items several applicants asked for in the window, most applicants first."""
    organ_id, organ_code = _organ(session, rt, principal, q.organ)
    first, last = _window(rt.clock().astimezone(rt.tz).date(), q.since, q.until)
    rows, truncated = repository.items_received(
        session,
        organ_id=organ_id,
        first_day=first,
        last_day=last,
        arrived_from=datetime.combine(first, time.min, tzinfo=rt.tz),
        arrived_before=datetime.combine(last + timedelta(days=1), time.min, tzinfo=rt.tz),
        limit=MAX_ITEMS,
    )
    # Oldest first: of equally frequent wordings, the one asked first stands for its group.
    rows.reverse()
    items = [
        RequestedItem(
            case_id=r.case_id,
            position=r.position,
            applicant=r.applicant_id_number,
            received_on=_received_on(r, rt),
            text=r.description,
            document_number=r.document_number,
        )
        for r in rows
    ]
    groups = group_requests(items, threshold=ART44_THRESHOLD, min_applicants=q.min_applicants)
    start = (q.page - 1) * q.page_size
    return ProactiveReportRead(
        organ_code=organ_code,
        since=first,
        until=last,
        threshold=ART44_THRESHOLD,
        min_applicants=q.min_applicants,
        items_considered=len(items),
        truncated=truncated,
        total=len(groups),
        page=q.page,
        page_size=q.page_size,
        groups=[_group(rt, rows, g) for g in groups[start : start + q.page_size]],
    )
